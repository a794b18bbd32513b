/*
 * sensor.h — the live sensor: loads the BPF programs (bpf/vigil.bpf.c, embedded through the
 * libbpf skeleton), reads their records (bpf/vigil_event.h) from the ring buffer, keeps the
 * process table (proc/proc.h) and turns each record into an ECS event (Elastic Defend's Linux
 * field names and values) handed to a callback.
 *
 *   struct sensor *s = sensor_new(&opts);      decoding only: no BPF yet (tests feed records)
 *   sensor_attach(s, err, sizeof err);         open, configure, load, attach (root)
 *   while (!stop) sensor_poll(s, 100);         events reach opts.on_event
 *   sensor_drain(s); sensor_drops(s, drops); sensor_free(s);
 *
 * Events: exec (event.action "exec"), fork ("fork"), exit ("end"), connect
 * ("connection_attempted", with vigil.connect.result and event.outcome). prctl(PR_SET_NAME)
 * gives no event; it sets process.title on later events of that process.
 *
 * Fields beyond Elastic Defend's (for the Windows view, userspace/view/view.h, and rules):
 *   process.env_vars, process.parent.env_vars   ["KEY=VALUE"...] for Wine and Mono loaders
 *       only (comm "wine*", "mono*" or "*.exe" at exec; the kernel copies at most
 *       VIGIL_ENV_CAP bytes, head and end), filtered to an allowlist: WINEPREFIX, HOME,
 *       WINELOADERNOEXEC, WINESERVERSOCKET, WINEARCH, WINELOADER, WINESERVER.
 *   process.parent.title     the parent's prctl(PR_SET_NAME) name (a Wine parent's Windows name)
 *   vigil.std{in,out,err}.type   what fds 0-2 were at exec: "none", "file", "dir", "pipe",
 *       "socket", "tty", "char" (another character device, e.g. /dev/null), "other"; absent
 *       when all three are "none" or unknown (processes seeded from /proc)
 *   vigil.std{in,out,err}.family for a "socket": "ipv4", "ipv6", "unix", "netlink", "other"
 *   vigil.proxy.{pid,entity_id,name,executable}  on a connect that wineserver made for a Wine
 *       client: the connect is the client's (process.*, process.thread.id = the client thread
 *       whose request wineserver was serving), the wineserver is kept here
 *
 * Ownership: the sensor borrows opts->ft (it must outlive the sensor). The event passed to
 * on_event belongs to the sensor and is valid only during the call (event_clone() to keep it).
 * Errors: functions that can fail return a negative errno and, where they take err, write one
 * line naming the failing step.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "vigil_event.h"

typedef void (*sensor_event_fn)(struct event *ev, void *arg);

struct sensor_opts {
    struct fieldtab *ft;      /* required */
    sensor_event_fn on_event; /* required */
    void *arg;
    uint32_t argv_max;   /* argv bytes per exec, 0: VIGIL_ARGV_DEFAULT, max VIGIL_ARGV_CAP */
    uint32_t ringbuf_mb; /* ring buffer size in MiB (power of two), 0: 16 */
    uint32_t batch_ms;    /* read the ring buffer at least this often (0: 10 ms); the kernel
                             wakes the reader early only when 1/8 of the ring buffer is used */
    bool follow;         /* report only the trees of processes given to sensor_track() */
    bool skip_loopback;  /* connects to 127.0.0.0/8 and ::1 are dropped in the kernel (for
                            rule packs that ignore loopback) */
    bool verbose;        /* libbpf's debug output on stderr */
    bool no_seed;        /* do not read procfs at attach (tests) */
    const char *procfs;  /* NULL: "/proc" */
    const char *machine_id_path; /* NULL: "/etc/machine-id" */
};

struct sensor_stats {
    uint64_t records[VIGIL_REC_COUNT]; /* records read, per kind */
    uint64_t events;                   /* events handed to on_event */
    uint64_t bad_records;              /* malformed records skipped */
};

/* A sensor that decodes records but has no BPF yet. Never NULL. */
struct sensor *sensor_new(const struct sensor_opts *opts);

/*
 * Load and attach the BPF programs (mounting tracefs first when it is not mounted), then seed
 * the process table from procfs. Returns 0 or a negative errno with err set to
 * "<step>: <reason>".
 */
int sensor_attach(struct sensor *s, char *err, size_t errlen);

/* With opts.follow: report tgid and everything it forks from now on. 0 or -errno. */
int sensor_track(struct sensor *s, uint32_t tgid);

/* Wait up to timeout_ms (at most opts.batch_ms while records flow: the kernel does not wake
 * the reader per record; after an empty batch the next record wakes it) for records and
 * handle every one there is. Returns records handled or -errno
 * (-EINTR when a signal arrived: not an error). */
int sensor_poll(struct sensor *s, int timeout_ms);

/* Handle every record already in the ring buffer. Returns records handled or -errno. */
int sensor_drain(struct sensor *s);

/*
 * Decode one wire record (as read from the ring buffer) into the process table and, for
 * exec/fork/exit/connect, an event for on_event. Returns 0, or -EINVAL for a malformed record
 * (counted in bad_records). Exposed for tests.
 */
int sensor_feed(struct sensor *s, const void *rec, size_t len);

/* Failed ring buffer writes in the kernel, summed over CPUs, per record kind. */
void sensor_drops(const struct sensor *s, uint64_t drops[VIGIL_REC_COUNT]);
void sensor_stats(const struct sensor *s, struct sensor_stats *st);
/* "exec", "fork", "exit", "connect", "setname" ("?" for others). */
const char *sensor_kind_name(unsigned kind);

/* Detach and free everything; accepts NULL. */
void sensor_free(struct sensor *s);

#endif
