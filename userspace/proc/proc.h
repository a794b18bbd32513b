/*
 * proc.h — the process table of the live sensor: what is known of each process, keyed by
 * (pid, start time), so that an event can be attributed fully even when the process has exited
 * since, or exec'd before the sensor started (seeded from /proc once at start-up).
 *
 * Identity: a process is its tgid plus its boot-relative start time (task->start_boottime,
 * CLOCK_BOOTTIME ns). Start times are compared in clock ticks (USER_HZ, the unit of
 * /proc/PID/stat), so a process seeded from /proc and seen live by BPF is the same entry.
 * process.entity_id = base64(16-byte host id || pid (be32) || start in ticks (be64)): stable
 * across restarts of the sensor, unique across pid reuse.
 *
 * Lifetime: exited processes stay (marked exited) while they have live children that may
 * still name them as parent, and at least `linger_ns` after exit; proc_expire() removes the
 * rest, and the oldest exited ones beyond `max_exited`. Missed exits (ring buffer drops) are
 * found by proc_sweep(), which checks live entries against /proc — call it rarely.
 *
 * Ownership: the table owns every struct proc and its strings. A struct proc * stays valid
 * until the next call that adds or removes entries (fork, exec, proc_expire, proc_sweep,
 * proc_seed); copy what you need to keep.
 */
#ifndef VIGIL_PROC_H
#define VIGIL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_ENTITY_ID_LEN 40 /* base64 of 28 bytes */
#define PROC_TITLE_MAX 64

/* What one exec tells; strings are borrowed (copied by proc_exec). */
struct proc_exec_info {
    const char *name;       /* process.name: basename of the exec filename (or comm) */
    const char *executable; /* resolved path of the image, NULL when unknown */
    const char *filename;   /* the path as given to execve, NULL when unknown */
    const char *cwd;        /* NULL when unknown */
    const char *argv;       /* argv_len bytes of NUL-separated arguments */
    size_t argv_len;
    bool args_truncated; /* argv is a prefix of the real one */
    uint32_t uid, gid, euid, egid;
    const char *env; /* env_len bytes of "KEY=VALUE" strings, NUL-separated (an allowlist) */
    size_t env_len;
    uint8_t std_type[3];   /* enum vigil_fd_type of fds 0-2 at exec (0: none or unknown) */
    uint8_t std_family[3]; /* their socket address families */
};

struct proc {
    uint32_t pid;
    uint64_t start; /* CLOCK_BOOTTIME ns (tick precision when seeded from /proc) */
    char entity_id[PROC_ENTITY_ID_LEN + 1];
    uint32_t ppid;                                 /* 0 when unknown */
    uint64_t pstart;                               /* the parent's start, 0 when unknown */
    char parent_entity_id[PROC_ENTITY_ID_LEN + 1]; /* "" when unknown */

    bool has_exec; /* the fields below are known (from an exec, a fork copy or /proc) */
    const char *name, *executable, *filename, *cwd; /* "" when unknown */
    const char *argv;                               /* argv_len bytes, NUL-separated */
    size_t argv_len;
    uint32_t argc;
    bool args_truncated;
    uint32_t uid, gid, euid, egid;
    const char *env; /* env_len bytes, NUL-separated "KEY=VALUE" (see proc_exec_info) */
    size_t env_len;
    uint8_t std_type[3], std_family[3];
    char title[PROC_TITLE_MAX + 1]; /* prctl(PR_SET_NAME), "" when none */

    bool exited;
    uint64_t exit_ns;   /* caller's clock at exit */
    /* changes whenever what the entry says of its process changes (a new process, exec,
     * parent, title; not the exit fields above); never the same for two such states of any
     * entry of the table: callers may cache what they derive under (its address, version) */
    uint64_t version;
    uint32_t exit_code; /* wait status */

    /* table-private */
    uint32_t next, nchildren;
    bool used, holds_ref;
    char *store;
    size_t store_cap;
};

struct proc_limits {
    uint64_t linger_ns;  /* keep an exited process at least this long (0: 30 s) */
    uint32_t max_exited; /* keep at most this many exited processes (0: 16384) */
};

struct proc_table;

/* A new empty table for host `host_id` (16 bytes). limits may be NULL (defaults). */
struct proc_table *proc_table_new(const uint8_t host_id[16], const struct proc_limits *limits);
void proc_table_free(struct proc_table *t);

/* The entity id of (pid, start) on host_id, NUL-terminated into out. */
void proc_entity_id(const uint8_t host_id[16], uint32_t pid, uint64_t start,
                    char out[PROC_ENTITY_ID_LEN + 1]);
/* Read /etc/machine-id style text (32 hex digits) into 16 bytes; false if malformed. */
bool proc_host_id_parse(const char *text, size_t len, uint8_t out[16]);

/* The entry for (pid, start), or NULL. start 0 means "the newest entry for pid". */
struct proc *proc_find(struct proc_table *t, uint32_t pid, uint64_t start);
/* The parent entry of p (by ppid and pstart), or NULL when unknown or gone. */
struct proc *proc_parent(struct proc_table *t, const struct proc *p);

/*
 * The entry for (pid, start), created when missing. A different live process with the same
 * pid is taken as having exited unseen (pid reuse). Never NULL.
 */
struct proc *proc_get(struct proc_table *t, uint32_t pid, uint64_t start, uint64_t now);

/* A new process: pid forked by (ppid, pstart). The child inherits the parent's exec info. */
struct proc *proc_fork(struct proc_table *t, uint32_t ppid, uint64_t pstart, uint32_t pid,
                       uint64_t start, uint64_t now);

/* (pid, start) exec'd; its parent is (ppid, pstart) when ppid != 0. Copies x's strings. */
struct proc *proc_exec(struct proc_table *t, uint32_t pid, uint64_t start, uint32_t ppid,
                       uint64_t pstart, const struct proc_exec_info *x, uint64_t now);

/* (pid, start) exited with wait status code. Returns the entry (created if unknown). */
struct proc *proc_exit(struct proc_table *t, uint32_t pid, uint64_t start, uint32_t code,
                       uint64_t now);

/* prctl(PR_SET_NAME) by the main thread of (pid, start). */
void proc_set_title(struct proc_table *t, uint32_t pid, uint64_t start, const char *title);

/* Remove exited entries past their lifetime (see top). Returns how many were removed. */
size_t proc_expire(struct proc_table *t, uint64_t now);

/*
 * Add every process in procfs (normally "/proc") not already known, with its exec info,
 * parent, uids and start time. For start-up only: it reads several files per process.
 * Returns the number added, or -1 with errno when procfs cannot be read.
 */
int proc_seed(struct proc_table *t, const char *procfs, uint64_t now);

/* Mark live entries whose process is gone from procfs as exited. Returns how many. */
size_t proc_sweep(struct proc_table *t, const char *procfs, uint64_t now);

/* Entries held: live and exited. */
void proc_counts(const struct proc_table *t, size_t *live, size_t *exited);

#endif
