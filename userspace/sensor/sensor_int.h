/* sensor_int.h — shared by sensor.c (BPF, ring buffer) and sensor_ecs.c (records to ECS). */
#ifndef VIGIL_SENSOR_INT_H
#define VIGIL_SENSOR_INT_H

#include <arpa/inet.h>

#include "proc/proc.h"
#include "sensor/sensor.h"

/* Event fields with fixed names, interned once. */
#define SENSOR_FIELDS(F)                                                                           \
    F(TIMESTAMP, "@timestamp")                                                                     \
    F(ECS_VERSION, "ecs.version")                                                                  \
    F(EVENT_KIND, "event.kind")                                                                    \
    F(EVENT_CATEGORY, "event.category")                                                            \
    F(EVENT_TYPE, "event.type")                                                                    \
    F(EVENT_ACTION, "event.action")                                                                \
    F(EVENT_OUTCOME, "event.outcome")                                                              \
    F(EVENT_SEQUENCE, "event.sequence")                                                            \
    F(HOST_NAME, "host.name")                                                                      \
    F(HOST_HOSTNAME, "host.hostname")                                                              \
    F(HOST_ID, "host.id")                                                                          \
    F(HOST_ARCH, "host.architecture")                                                              \
    F(HOST_OS_TYPE, "host.os.type")                                                                \
    F(HOST_OS_KERNEL, "host.os.kernel")                                                            \
    F(HOST_OS_NAME, "host.os.name")                                                                \
    F(HOST_OS_FAMILY, "host.os.family")                                                            \
    F(HOST_OS_PLATFORM, "host.os.platform")                                                        \
    F(HOST_OS_VERSION, "host.os.version")                                                          \
    F(USER_ID, "user.id")                                                                          \
    F(USER_NAME, "user.name")                                                                      \
    F(GROUP_ID, "group.id")                                                                        \
    F(GROUP_NAME, "group.name")                                                                    \
    F(DST_IP, "destination.ip")                                                                    \
    F(DST_PORT, "destination.port")                                                                \
    F(SRC_IP, "source.ip")                                                                         \
    F(SRC_PORT, "source.port")                                                                     \
    F(NET_TRANSPORT, "network.transport")                                                          \
    F(NET_TYPE, "network.type")                                                                    \
    F(NET_DIRECTION, "network.direction")                                                          \
    F(NET_IANA, "network.iana_number")                                                             \
    F(PROCESS_THREAD_ID, "process.thread.id")                                                      \
    F(PROCESS_EXIT_CODE, "process.exit_code")                                                      \
    F(PROCESS_TITLE, "process.title")                                                              \
    F(PROCESS_ARGS_TRUNC, "process.args_truncated")                                                \
    F(CONNECT_RESULT, "vigil.connect.result")                                                      \
    F(CONNECT_ERRNO, "vigil.connect.errno")                                                        \
    F(EXEC_FILENAME, "vigil.exec.filename")                                                        \
    F(CGROUP_ID, "vigil.cgroup.id")                                                                \
    F(EXIT_SIGNAL, "vigil.exit.signal")                                                            \
    F(STDIN_TYPE, "vigil.stdin.type")                                                              \
    F(STDOUT_TYPE, "vigil.stdout.type")                                                            \
    F(STDERR_TYPE, "vigil.stderr.type")                                                            \
    F(STDIN_FAMILY, "vigil.stdin.family")                                                          \
    F(STDOUT_FAMILY, "vigil.stdout.family")                                                        \
    F(STDERR_FAMILY, "vigil.stderr.family")                                                        \
    F(PROXY_PID, "vigil.proxy.pid")                                                                \
    F(PROXY_ENTITY_ID, "vigil.proxy.entity_id")                                                    \
    F(PROXY_NAME, "vigil.proxy.name")                                                              \
    F(PROXY_EXECUTABLE, "vigil.proxy.executable")

#define SF_ENUM(id, name) SF_##id,
enum sensor_field { SENSOR_FIELDS(SF_ENUM) SF_COUNT };
#undef SF_ENUM

/* Fields of one process, under "process." and "process.parent.". ORDER PF */
#define PROC_FIELDS(F)                                                                             \
    F(PID, "pid")                                                                                  \
    F(ENTITY_ID, "entity_id")                                                                      \
    F(NAME, "name")                                                                                \
    F(EXECUTABLE, "executable")                                                                    \
    F(ARGS, "args")                                                                                \
    F(ARGS_COUNT, "args_count")                                                                    \
    F(COMMAND_LINE, "command_line")                                                                \
    F(WORKING_DIRECTORY, "working_directory")                                                      \
    F(START, "start")                                                                              \
    F(USER_ID, "user.id")                                                                          \
    F(GROUP_ID, "group.id")                                                                        \
    F(REAL_USER_ID, "real_user.id")                                                                \
    F(REAL_GROUP_ID, "real_group.id")                                                              \
    F(TITLE, "title")                                                                              \
    F(ENV_VARS, "env_vars")

#define PF_ENUM(id, name) PF_##id,
enum proc_field { PROC_FIELDS(PF_ENUM) PF_COUNT };
#undef PF_ENUM

struct name_cache {
    uint32_t id;
    bool used;
    char name[64]; /* "" when the id has no name */
};
#define NAME_CACHE_SIZE 32

struct sensor_host {
    char hostname[256], kernel[128], arch[72];
    char id[33]; /* machine-id as text */
    uint8_t id_bytes[16];
    char os_family[64], os_platform[64], os_version[64];
};

struct vigil_bpf;
struct ring_buffer;

#define TIME_TEXTS 4 /* seconds remembered as text (sensor_ecs.c, set_time) */
#define ACTOR_BLOCKS 8 /* process + parent + user field blocks kept (sensor_ecs.c, put_actor) */
#define IDLE_WAIT_MS 1000 /* sensor_poll's longest sleep when idle and given no timeout */

struct sensor {
    struct sensor_opts o;
    struct sensor_stats st;
    struct vigil_bpf *skel;
    struct ring_buffer *rb;
    bool idle; /* the last batch was empty: reader_idle is set, the next record wakes us */

    /* decoding */
    struct proc_table *procs;
    struct sensor_host host;
    int64_t mono_to_wall, boot_to_wall; /* add to CLOCK_MONOTONIC / CLOCK_BOOTTIME ns */
    uint64_t last_expire, last_sweep;   /* CLOCK_MONOTONIC ns */
    uint32_t sf[SF_COUNT];
    uint32_t pf[2][PF_COUNT]; /* [0] process.*, [1] process.parent.* */
    struct name_cache users[NAME_CACHE_SIZE], groups[NAME_CACHE_SIZE];
    uint32_t users_next, groups_next;
    struct time_text {
        uint64_t sec;  /* seconds since the epoch + 1; 0: empty */
        char text[20]; /* "YYYY-MM-DDTHH:MM:SS." */
    } times[TIME_TEXTS];
    uint32_t times_next;

    /* per-event scratch, reused (grows to the largest argv seen) */
    struct event ev;
    struct event host_ev; /* the fields every event has, built once */
    struct actor_block {
        const struct proc *p, *pp; /* the process and its parent (or NULL)... */
        uint64_t version, pversion; /* ...as they were when ev was built */
        struct event ev;            /* their fields, unsealed */
    } actors[ACTOR_BLOCKS];
    uint32_t actors_next;
    struct buf text; /* paths and command lines being built */
    const char **argp;
    size_t *argl;
    size_t argcap;
};

/* sensor_ecs.c */
void sensor_ecs_init(struct sensor *s);
void sensor_ecs_clear(struct sensor *s);
/* Decode one record of a known kind (size already checked against the fixed part). */
int sensor_ecs_record(struct sensor *s, const struct vigil_rec_hdr *h, size_t len);

/* sensor_text.c: the text of ECS values (see there) */
size_t ecs_u32_text(uint32_t v, char b[16]); /* decimal, NUL-terminated; returns the length */
void ecs_copy_str(char *dst, size_t cap, const char *src); /* strlcpy */
void ecs_put_digits(char *p, uint64_t v, int width);      /* width digits, zero-padded */
void ecs_format_time(int64_t ns, char out[40]);           /* as time_format_iso8601 */
/* The name of user (group: of group) id from /etc/passwd (/etc/group) through cache c;
 * "" when unknown. Valid until the cache replaces it. */
const char *ecs_cached_name(struct name_cache *c, uint32_t *next, uint32_t id, bool group);
const char *ecs_fd_type_name(uint8_t t); /* enum vigil_fd_type */
const char *ecs_family_name(uint8_t f);  /* an address family */
void ecs_comm_str(const __u8 *c, char out[VIGIL_COMM_LEN + 1]);
/* A path from its components, leaf first (vigil.bpf.c's walk_path), into out. */
void ecs_join_path(const char *comp, size_t n, bool trunc, struct buf *out);
const char *ecs_base_name(const char *p);
void ecs_addr_text(uint16_t family, const uint8_t *a, char out[INET6_ADDRSTRLEN], bool *v4);
const char *ecs_transport_name(uint16_t type, uint16_t proto); /* network.transport, or NULL */
/* The allowlisted variables of a NUL-separated environment, appended to out. */
void ecs_env_filter(const char *env, size_t n, bool skip_first, bool skip_last, struct buf *out);

#endif
