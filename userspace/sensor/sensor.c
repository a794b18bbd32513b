/*
 * sensor.c — load the BPF programs through the skeleton, poll the ring buffer, check each
 * record's size, and hand it to the ECS mapping (sensor_ecs.c). See sensor.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor/sensor_int.h"
#include "util/util.h"
#include "vigil.skel.h"

/* The wire layout must be the one the BPF side was compiled with (bpf/vigil_event.h). */
_Static_assert(sizeof(struct vigil_rec_hdr) == 32, "vigil_rec_hdr layout");
_Static_assert(sizeof(struct vigil_rec_exec) == 112, "vigil_rec_exec layout");
_Static_assert(sizeof(struct vigil_rec_fork) == 48, "vigil_rec_fork layout");
_Static_assert(sizeof(struct vigil_rec_exit) == 40, "vigil_rec_exit layout");
_Static_assert(sizeof(struct vigil_rec_connect) == 120, "vigil_rec_connect layout");
_Static_assert(sizeof(struct vigil_rec_setname) == 96, "vigil_rec_setname layout");

/* bpf/vigil.bpf.c's WINE_BUCKET_MASK + 1 */
#define WINE_BUCKETS (sizeof(((struct vigil_bpf__bss *)0)->wineserver_buckets) / sizeof(uint32_t))

#define SWEEP_NS (60ull * 1000000000ull)
#define EXPIRE_NS (1000000000ull)

static const size_t fixed_size[VIGIL_REC_COUNT] = {
    [VIGIL_REC_EXEC] = sizeof(struct vigil_rec_exec),
    [VIGIL_REC_FORK] = sizeof(struct vigil_rec_fork),
    [VIGIL_REC_EXIT] = sizeof(struct vigil_rec_exit),
    [VIGIL_REC_CONNECT] = sizeof(struct vigil_rec_connect),
    [VIGIL_REC_SETNAME] = sizeof(struct vigil_rec_setname),
};

const char *sensor_kind_name(unsigned kind)
{
    static const char *const names[VIGIL_REC_COUNT] = {
        [VIGIL_REC_EXEC] = "exec",       [VIGIL_REC_FORK] = "fork",       [VIGIL_REC_EXIT] = "exit",
        [VIGIL_REC_CONNECT] = "connect", [VIGIL_REC_SETNAME] = "setname",
    };
    return kind < VIGIL_REC_COUNT && names[kind] ? names[kind] : "?";
}

/* libbpf has one process-wide print hook with no context: this flag is its only state. */
static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG && !libbpf_verbose)
        return 0;
    if (level == LIBBPF_INFO && !libbpf_verbose)
        return 0;
    return vfprintf(stderr, fmt, ap);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct sensor *sensor_new(const struct sensor_opts *opts)
{
    struct sensor *s = xcalloc(1, sizeof *s);
    s->o = *opts;
    if (!s->o.argv_max)
        s->o.argv_max = VIGIL_ARGV_DEFAULT;
    if (s->o.argv_max > VIGIL_ARGV_CAP)
        s->o.argv_max = VIGIL_ARGV_CAP;
    if (!s->o.ringbuf_mb)
        s->o.ringbuf_mb = 16;
    if (!s->o.batch_ms)
        s->o.batch_ms = 10;
    if (!s->o.procfs)
        s->o.procfs = "/proc";
    sensor_ecs_init(s);
    s->last_expire = s->last_sweep = mono_ns();
    return s;
}

int sensor_feed(struct sensor *s, const void *rec, size_t len)
{
    const struct vigil_rec_hdr *h = rec;
    if (len < sizeof *h || h->kind == VIGIL_REC_INVALID || h->kind >= VIGIL_REC_COUNT ||
        h->size > len || h->size < fixed_size[h->kind]) {
        s->st.bad_records++;
        return -EINVAL;
    }
    s->st.records[h->kind]++;
    int r = sensor_ecs_record(s, h, h->size);
    if (r < 0)
        s->st.bad_records++;
    return r;
}

static int on_ring(void *ctx, void *data, size_t len)
{
    sensor_feed(ctx, data, len);
    return 0;
}

/* Tracepoint attachment reads event ids from tracefs: mount it when nobody has. */
static int ensure_tracefs(char *err, size_t errlen)
{
    if (access("/sys/kernel/tracing/events", F_OK) == 0 ||
        access("/sys/kernel/debug/tracing/events", F_OK) == 0)
        return 0;
    if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
        return 0;
    int e = errno;
    snprintf(err, errlen, "mount tracefs on /sys/kernel/tracing: %s", strerror(e));
    return -e;
}

/*
 * Add tgid to a Wine role: the map, its bucket count and total in .bss (bpf/vigil.bpf.c
 * role_add), unless the kernel added it first. The .bss is mapped: atomics reach the kernel's.
 */
static void wine_add(struct bpf_map *map, uint32_t *buckets, uint32_t *n, uint32_t tgid)
{
    __u8 one = 1;
    if (bpf_map__update_elem(map, &tgid, sizeof tgid, &one, sizeof one, BPF_NOEXIST))
        return;
    __atomic_fetch_add(&buckets[tgid & (WINE_BUCKETS - 1)], 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(n, 1, __ATOMIC_SEQ_CST);
}

/*
 * Wine processes already running when the sensor starts (their exec and fork went unseen):
 * wineservers by comm, Wine clients by executable (/usr/lib/wine/wine64...; comm is the
 * Windows name by now). Start-up only: it reads two procfs entries per process.
 */
static void seed_wine(struct sensor *s)
{
    DIR *dir = opendir(s->o.procfs);
    struct dirent *de;
    struct vigil_bpf__bss *bss = s->skel->bss;
    if (!dir)
        return;
    while ((de = readdir(dir))) {
        char *end, path[PATH_MAX], buf[PATH_MAX];
        unsigned long pid = strtoul(de->d_name, &end, 10);
        if (*end || !pid || pid > UINT32_MAX)
            continue;
        snprintf(path, sizeof path, "%s/%lu/comm", s->o.procfs, pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        bool server = fgets(buf, sizeof buf, f) && str_has_prefix(buf, "wineserver");
        fclose(f);
        if (server) {
            wine_add(s->skel->maps.wineservers, bss->wineserver_buckets, &bss->wineservers_n,
                     (uint32_t)pid);
            continue;
        }
        snprintf(path, sizeof path, "%s/%lu/exe", s->o.procfs, pid);
        ssize_t n = readlink(path, buf, sizeof buf - 1);
        if (n <= 0)
            continue;
        buf[n] = 0;
        const char *base = strrchr(buf, '/');
        if (str_has_prefix(base ? base + 1 : buf, "wine"))
            wine_add(s->skel->maps.wine_clients, bss->wine_client_buckets, &bss->wine_clients_n,
                     (uint32_t)pid);
    }
    closedir(dir);
}

/*
 * Attach the Wine attribution hooks (read, write, writev) while a wineserver exists and
 * detach them when the last one is gone. The exec handler counts wineservers in the kernel
 * (wineservers_n); this runs after every poll, so the hooks are in place within one batch
 * interval of a wineserver's start -- long before its first client can ask it to connect.
 * A failed attach is retried at the next poll.
 */
static void wine_hooks_update(struct sensor *s)
{
    struct bpf_program *progs[] = {s->skel->progs.handle_read, s->skel->progs.handle_write,
                                   s->skel->progs.handle_writev};
    struct bpf_link **links[] = {&s->skel->links.handle_read, &s->skel->links.handle_write,
                                 &s->skel->links.handle_writev};
    bool want = s->skel->bss->wineservers_n > 0;
    for (size_t i = 0; i < ARRAY_LEN(progs); i++) {
        if (want && !*links[i]) {
            *links[i] = bpf_program__attach(progs[i]);
            if (!*links[i] && s->o.verbose)
                fprintf(stderr, "vigil: attach Wine hook %s: %s\n", bpf_program__name(progs[i]),
                        strerror(errno));
        } else if (!want && *links[i]) {
            bpf_link__destroy(*links[i]);
            *links[i] = NULL;
        }
    }
}

int sensor_attach(struct sensor *s, char *err, size_t errlen)
{
    int r;
    libbpf_verbose = s->o.verbose;
    libbpf_set_print(libbpf_print);
    if ((r = ensure_tracefs(err, errlen)) < 0)
        return r;

    s->skel = vigil_bpf__open();
    if (!s->skel) {
        r = -errno;
        snprintf(err, errlen, "open BPF object: %s", strerror(-r));
        return r;
    }
    s->skel->rodata->self_tgid = (uint32_t)getpid();
    s->skel->rodata->argv_max = s->o.argv_max;
    s->skel->rodata->follow_tree = s->o.follow;
    s->skel->rodata->skip_loopback = s->o.skip_loopback;
    s->skel->rodata->wakeup_bytes = (s->o.ringbuf_mb << 20) / 8;
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu < 1) {
        snprintf(err, errlen, "count possible CPUs: %s", strerror(-ncpu));
        return ncpu < 0 ? ncpu : -EINVAL;
    }
    if ((r = bpf_map__set_max_entries(s->skel->maps.scratch, (uint32_t)ncpu)) ||
        (r = bpf_map__set_max_entries(s->skel->maps.events, s->o.ringbuf_mb << 20))) {
        snprintf(err, errlen, "size BPF maps: %s", strerror(-r));
        return r;
    }
    if (s->o.verbose) { /* the verifier's statistics for each program */
        struct bpf_program *prog;
        bpf_object__for_each_program(prog, s->skel->obj) bpf_program__set_log_level(prog, 4);
    }
    /* the Wine hooks run on every read and write on the machine: attached only while a
     * wineserver exists (wine_hooks_update), so that they cost nothing otherwise */
    bpf_program__set_autoattach(s->skel->progs.handle_read, false);
    bpf_program__set_autoattach(s->skel->progs.handle_write, false);
    bpf_program__set_autoattach(s->skel->progs.handle_writev, false);
    if ((r = vigil_bpf__load(s->skel))) {
        snprintf(err, errlen, "load BPF programs: %s%s", strerror(-r),
                 s->o.verbose ? "" : " (-v shows the verifier log)");
        return r;
    }
    if ((r = vigil_bpf__attach(s->skel))) {
        snprintf(err, errlen, "attach tracepoints: %s", strerror(-r));
        return r;
    }
    s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_ring, s, NULL);
    if (!s->rb) {
        r = -errno;
        snprintf(err, errlen, "open ring buffer: %s", strerror(-r));
        return r;
    }
    /* after attaching, so that no process falls between the seed and the probes */
    if (!s->o.no_seed && proc_seed(s->procs, s->o.procfs, mono_ns()) < 0) {
        r = -errno;
        snprintf(err, errlen, "read %s: %s", s->o.procfs, strerror(-r));
        return r;
    }
    if (!s->o.no_seed)
        seed_wine(s);
    wine_hooks_update(s);
    return 0;
}

int sensor_track(struct sensor *s, uint32_t tgid)
{
    __u8 one = 1;
    if (!s->skel)
        return -ENOTCONN;
    if (bpf_map__update_elem(s->skel->maps.tracked, &tgid, sizeof tgid, &one, sizeof one, BPF_ANY))
        return -errno;
    return 0;
}

/* Expire exited processes about once a second, look for missed exits once a minute. */
static void housekeeping(struct sensor *s)
{
    uint64_t now = mono_ns();
    if (now - s->last_expire >= EXPIRE_NS) {
        proc_expire(s->procs, now);
        s->last_expire = now;
    }
    if (now - s->last_sweep >= SWEEP_NS) {
        proc_sweep(s->procs, s->o.procfs, now);
        s->last_sweep = now;
    }
}

int sensor_poll(struct sensor *s, int timeout_ms)
{
    if (!s->rb)
        return -ENOTCONN;
    /* the kernel does not wake us per record (wakeup_bytes): look every batch_ms, unless
     * idle (reader_idle in the BPF programs: the next record wakes us) */
    int wait = timeout_ms < 0 || timeout_ms > (int)s->o.batch_ms ? (int)s->o.batch_ms : timeout_ms;
    if (s->idle)
        wait = timeout_ms < 0 ? IDLE_WAIT_MS : timeout_ms;
    int n = ring_buffer__poll(s->rb, wait);
    if (n >= 0) {
        int m = ring_buffer__consume(s->rb);
        n = m < 0 ? m : n + m;
    }
    if (n > 0) {
        s->idle = false; /* the program that woke us cleared reader_idle */
    } else if (n == 0 && !s->idle) {
        s->skel->bss->reader_idle = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        /* a record submitted before the programs saw the flag woke nobody: look once more */
        n = ring_buffer__consume(s->rb);
        s->idle = n == 0;
    }
    housekeeping(s);
    wine_hooks_update(s);
    return n;
}

int sensor_drain(struct sensor *s)
{
    if (!s->rb)
        return -ENOTCONN;
    int total = 0, n;
    while ((n = ring_buffer__consume(s->rb)) > 0)
        total += n;
    return n < 0 ? n : total;
}

void sensor_drops(const struct sensor *s, uint64_t drops[VIGIL_REC_COUNT])
{
    memset(drops, 0, sizeof(uint64_t) * VIGIL_REC_COUNT);
    if (!s->skel)
        return;
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu < 1)
        return;
    uint64_t *v = xcalloc((size_t)ncpu, sizeof *v);
    for (uint32_t k = 0; k < VIGIL_REC_COUNT; k++) {
        if (bpf_map__lookup_elem(s->skel->maps.drops, &k, sizeof k, v, sizeof *v * ncpu, 0))
            continue;
        for (int c = 0; c < ncpu; c++)
            drops[k] += v[c];
    }
    free(v);
}

void sensor_stats(const struct sensor *s, struct sensor_stats *st)
{
    *st = s->st;
}

void sensor_free(struct sensor *s)
{
    if (!s)
        return;
    ring_buffer__free(s->rb);
    vigil_bpf__destroy(s->skel);
    sensor_ecs_clear(s);
    free(s);
}
