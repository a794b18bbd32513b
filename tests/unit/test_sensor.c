/*
 * Unit tests of the sensor's record decoding and ECS mapping (userspace/sensor), fed with
 * hand-made wire records: no BPF needed.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor.h"
#include "t.h"

#define MAXEV 32
struct sink {
    struct event *ev[MAXEV];
    int n;
};

static void collect(struct event *ev, void *arg)
{
    struct sink *k = arg;
    if (k->n < MAXEV)
        k->ev[k->n++] = event_clone(ev);
}

static void sink_clear(struct sink *k)
{
    for (int i = 0; i < k->n; i++)
        event_free(k->ev[i]);
    k->n = 0;
}

struct fixture {
    struct fieldtab *ft;
    struct sensor *s;
    struct sink sink;
    char mid[64];
};

static void fx_init(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    strcpy(fx->mid, "/tmp/vigil-mid.XXXXXX");
    int fd = mkstemp(fx->mid);
    if (fd >= 0) {
        if (write(fd, "00112233445566778899aabbccddeeff\n", 33) != 33) {
        }
        close(fd);
    }
    fx->ft = fieldtab_new();
    struct sensor_opts o = {
        .ft = fx->ft,
        .on_event = collect,
        .arg = &fx->sink,
        .no_seed = true,
        .machine_id_path = fx->mid,
    };
    fx->s = sensor_new(&o);
}

static void fx_clear(struct fixture *fx)
{
    sink_clear(&fx->sink);
    sensor_free(fx->s);
    fieldtab_free(fx->ft);
    unlink(fx->mid);
}

static uint64_t tick(void)
{
    return 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

/* Build an exec record: tail = filename, exe comps, cwd comps, argv. Returns its size. */
static size_t make_exec(uint8_t *buf, uint32_t tgid, uint64_t start, uint32_t ppid, uint64_t pstart,
                        const char *filename, const char *exe, size_t exe_len, const char *cwd,
                        size_t cwd_len, const char *argv, size_t argv_len, uint16_t flags)
{
    struct vigil_rec_exec *e = (void *)buf;
    memset(e, 0, sizeof *e);
    e->h.kind = VIGIL_REC_EXEC;
    e->h.flags = flags | VIGIL_F_EXE_PRESENT | VIGIL_F_CWD_PRESENT;
    e->h.ktime = 1000;
    e->h.pid = e->h.tgid = tgid;
    e->h.start = start;
    e->ppid = e->real_ppid = ppid;
    e->parent_start = pstart;
    e->uid = 1000;
    e->euid = 0;
    e->gid = 100;
    e->egid = 0;
    memcpy(e->comm, "comm", 4);
    uint8_t *t = buf + sizeof *e;
    size_t fl = strlen(filename) + 1;
    memcpy(t, filename, fl);
    t += fl;
    memcpy(t, exe, exe_len);
    t += exe_len;
    memcpy(t, cwd, cwd_len);
    t += cwd_len;
    memcpy(t, argv, argv_len);
    t += argv_len;
    e->filename_len = (uint16_t)fl;
    e->exe_len = (uint16_t)exe_len;
    e->cwd_len = (uint16_t)cwd_len;
    e->argv_len = (uint32_t)argv_len;
    e->argv_full = (uint32_t)argv_len;
    size_t size = (size_t)(t - buf);
    size = (size + 7) & ~(size_t)7;
    e->h.size = (uint32_t)size;
    return size;
}

static const struct val *get(struct event *ev, const char *name)
{
    return event_get_name(ev, name);
}

static long long get_long(struct event *ev, const char *name)
{
    const struct val *v = get(ev, name);
    return v && v->type == VAL_LONG ? v->i : -1;
}

TEST(sensor_exec_fields)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    static const char argv[] =
        "sh\0-c\0echo \"a b\"\n\xff\xfe end"; /* quotes, newline, bad UTF-8 */
    size_t n = make_exec(buf, 4242, 7 * tick(), 1, 0, "/bin/sh", "dash\0bin\0usr", 13, "tmp", 4,
                         argv, sizeof argv, 0);
    CHECK_INT(sensor_feed(fx.s, buf, n), 0);
    CHECK_INT(fx.sink.n, 1);
    if (fx.sink.n == 1) {
        struct event *ev = fx.sink.ev[0];
        CHECK_STR(event_get_str(ev, "event.action"), "exec");
        CHECK_STR(event_get_str(ev, "event.category"), "process");
        CHECK_STR(event_get_str(ev, "event.type"), "start");
        CHECK_STR(event_get_str(ev, "process.name"), "sh");
        CHECK_STR(event_get_str(ev, "process.executable"), "/usr/bin/dash");
        CHECK_STR(event_get_str(ev, "process.working_directory"), "/tmp");
        CHECK_STR(event_get_str(ev, "vigil.exec.filename"), "/bin/sh");
        CHECK_STR(event_get_str(ev, "host.id"), "00112233445566778899aabbccddeeff");
        CHECK_STR(event_get_str(ev, "host.os.type"), "linux");
        CHECK_STR(event_get_str(ev, "user.id"), "0");
        CHECK_STR(event_get_str(ev, "process.real_user.id"), "1000");
        CHECK_INT(get_long(ev, "process.pid"), 4242);
        CHECK_INT(get_long(ev, "process.args_count"), 3);
        CHECK_INT(get_long(ev, "process.parent.pid"), 1);
        CHECK(get(ev, "process.args_truncated") == NULL);
        const struct val *args = get(ev, "process.args");
        CHECK(args && args->type == VAL_ARRAY && args->n == 3);
        /* the JSON line is valid and keeps the newline and quotes */
        struct buf js = {0};
        event_write_json(ev, &js);
        cJSON *j = cJSON_Parse(js.p);
        CHECK(j != NULL);
        cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "process"), "args");
        CHECK(cJSON_GetArraySize(a) == 3);
        const char *a2 = cJSON_GetStringValue(cJSON_GetArrayItem(a, 2));
        CHECK(a2 && strncmp(a2, "echo \"a b\"\n", 11) == 0);
        cJSON_Delete(j);
        buf_clear(&js);
    }
    fx_clear(&fx);
}

TEST(sensor_exec_truncated_flag)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    size_t n = make_exec(buf, 10, tick(), 1, 0, "/usr/bin/x", "x\0bin\0usr", 10, "", 0, "x\0aaaa",
                         6, VIGIL_F_ARGV_TRUNC);
    CHECK_INT(sensor_feed(fx.s, buf, n), 0);
    CHECK_INT(fx.sink.n, 1);
    if (fx.sink.n == 1) {
        const struct val *v = get(fx.sink.ev[0], "process.args_truncated");
        CHECK(v && v->type == VAL_BOOL && v->b);
        CHECK_INT(get_long(fx.sink.ev[0], "process.args_count"), 2);
        CHECK_STR(event_get_str(fx.sink.ev[0], "process.working_directory"), "/");
    }
    fx_clear(&fx);
}

static void feed_fork(struct sensor *s, uint32_t ppid, uint64_t pstart, uint32_t pid,
                      uint64_t start)
{
    struct vigil_rec_fork f = {0};
    f.h.kind = VIGIL_REC_FORK;
    f.h.size = sizeof f;
    f.h.pid = f.h.tgid = pid;
    f.h.start = start;
    f.ppid = ppid;
    f.parent_start = pstart;
    CHECK_INT(sensor_feed(s, &f, sizeof f), 0);
}

static void feed_exit(struct sensor *s, uint32_t pid, uint64_t start, uint32_t code)
{
    struct vigil_rec_exit x = {0};
    x.h.kind = VIGIL_REC_EXIT;
    x.h.size = sizeof x;
    x.h.pid = x.h.tgid = pid;
    x.h.start = start;
    x.exit_code = code;
    CHECK_INT(sensor_feed(s, &x, sizeof x), 0);
}

static void feed_connect(struct sensor *s, uint32_t pid, uint64_t start, uint16_t family,
                         const uint8_t *addr, uint16_t port, uint16_t type, uint16_t proto,
                         uint32_t err)
{
    struct vigil_rec_connect c = {0};
    c.h.kind = VIGIL_REC_CONNECT;
    c.h.size = sizeof c;
    c.h.pid = pid + 1; /* a thread */
    c.h.tgid = pid;
    c.h.start = start;
    c.family = family;
    memcpy(c.daddr, addr, family == 2 ? 4 : 16);
    c.dport = port;
    c.sock_type = type;
    c.protocol = proto;
    c.err = err;
    memcpy(c.comm, "thr", 3);
    CHECK_INT(sensor_feed(s, &c, sizeof c), 0);
}

/* prctl(PR_SET_NAME) of process pid: no event of its own, the name is kept */
static void feed_setname(struct sensor *s, uint32_t pid, uint64_t start, const char *name)
{
    struct vigil_rec_setname r = {0};
    r.h.kind = VIGIL_REC_SETNAME;
    r.h.size = sizeof r;
    r.h.pid = r.h.tgid = pid;
    r.h.start = start;
    strncpy((char *)r.name, name, sizeof r.name - 1);
    CHECK_INT(sensor_feed(s, &r, sizeof r), 0);
}

TEST(sensor_lineage_and_late_connect)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    uint64_t T = tick();
    size_t n =
        make_exec(buf, 100, 10 * T, 1, 0, "/bin/bash", "bash\0bin\0usr", 13, "", 0, "bash", 5, 0);
    sensor_feed(fx.s, buf, n);
    feed_fork(fx.s, 100, 10 * T, 101, 20 * T);
    n = make_exec(buf, 101, 20 * T, 100, 10 * T, "/bin/true", "true\0bin\0usr", 13, "", 0,
                  "/bin/true", 10, 0);
    sensor_feed(fx.s, buf, n);
    feed_exit(fx.s, 101, 20 * T, 0);
    feed_exit(fx.s, 100, 10 * T, 1 << 8);
    /* a connect record of bash arriving after its exit: still fully attributed */
    static const uint8_t lo[4] = {127, 0, 0, 1};
    feed_connect(fx.s, 100, 10 * T, 2, lo, 1, 1, 6, ECONNREFUSED);
    CHECK_INT(fx.sink.n, 6);
    if (fx.sink.n == 6) {
        struct event **e = fx.sink.ev;
        const char *bash_eid = event_get_str(e[0], "process.entity_id");
        CHECK_STR(event_get_str(e[1], "event.action"), "fork");
        CHECK_STR(event_get_str(e[1], "process.name"), "bash"); /* inherited image */
        CHECK_STR(event_get_str(e[1], "process.parent.entity_id"), bash_eid);
        CHECK_STR(event_get_str(e[2], "process.name"), "true");
        CHECK_STR(event_get_str(e[2], "process.parent.entity_id"), bash_eid);
        CHECK_STR(event_get_str(e[2], "process.parent.name"), "bash");
        CHECK_STR(event_get_str(e[2], "process.entity_id"),
                  event_get_str(e[1], "process.entity_id"));
        CHECK_STR(event_get_str(e[3], "event.action"), "end");
        CHECK_STR(event_get_str(e[3], "event.type"), "end");
        CHECK_INT(get_long(e[3], "process.exit_code"), 0);
        CHECK_INT(get_long(e[4], "process.exit_code"), 1);
        struct event *c = e[5];
        CHECK_STR(event_get_str(c, "event.action"), "connection_attempted");
        CHECK_STR(event_get_str(c, "event.category"), "network");
        CHECK_STR(event_get_str(c, "process.name"), "bash");
        CHECK_STR(event_get_str(c, "process.executable"), "/usr/bin/bash");
        CHECK_STR(event_get_str(c, "process.entity_id"), bash_eid);
        CHECK_INT(get_long(c, "process.pid"), 100);
        CHECK_INT(get_long(c, "process.thread.id"), 101);
        CHECK_STR(event_get_str(c, "destination.ip"), "127.0.0.1");
        CHECK_INT(get_long(c, "destination.port"), 1);
        CHECK_STR(event_get_str(c, "network.transport"), "tcp");
        CHECK_STR(event_get_str(c, "network.type"), "ipv4");
        CHECK_STR(event_get_str(c, "network.direction"), "egress");
        CHECK_STR(event_get_str(c, "vigil.connect.result"), "ECONNREFUSED");
        CHECK_STR(event_get_str(c, "event.outcome"), "failure");
        const struct val *ip = get(c, "destination.ip");
        CHECK(ip && ip->type == VAL_IP);
    }
    fx_clear(&fx);
}

TEST(sensor_connect_families_and_results)
{
    struct fixture fx;
    fx_init(&fx);
    static const uint8_t v6lo[16] = {[15] = 1};
    static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 7};
    /* an unknown process (started before the sensor, not seeded): comm names it */
    feed_connect(fx.s, 900, tick(), 10, v6lo, 443, 1, 6, EINPROGRESS);
    feed_connect(fx.s, 900, tick(), 10, mapped, 53, 2, 17, 0);
    CHECK_INT(fx.sink.n, 2);
    if (fx.sink.n == 2) {
        struct event *a = fx.sink.ev[0], *b = fx.sink.ev[1];
        CHECK_STR(event_get_str(a, "destination.ip"), "::1");
        CHECK_STR(event_get_str(a, "network.type"), "ipv6");
        CHECK_STR(event_get_str(a, "network.transport"), "tcp");
        CHECK_STR(event_get_str(a, "event.outcome"), "unknown");
        CHECK_STR(event_get_str(a, "vigil.connect.result"), "EINPROGRESS");
        CHECK_STR(event_get_str(a, "process.name"), "thr");
        CHECK_STR(event_get_str(b, "destination.ip"), "192.0.2.7");
        CHECK_STR(event_get_str(b, "network.type"), "ipv4");
        CHECK_STR(event_get_str(b, "network.transport"), "udp");
        CHECK_STR(event_get_str(b, "event.outcome"), "success");
        CHECK_STR(event_get_str(b, "vigil.connect.result"), "success");
        CHECK_STR(event_get_str(a, "process.entity_id"), event_get_str(b, "process.entity_id"));
    }
    fx_clear(&fx);
}

TEST(sensor_setname_sets_title)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    size_t n = make_exec(buf, 77, tick(), 1, 0, "/usr/lib/wine/wine64", "wine64\0wine\0lib\0usr",
                         20, "", 0, "wine64", 7, 0);
    sensor_feed(fx.s, buf, n);
    feed_setname(fx.s, 77, tick(), "VBCSCompiler.exe");
    CHECK_INT(fx.sink.n, 1); /* no event of its own */
    static const uint8_t lo[4] = {127, 0, 0, 1};
    feed_connect(fx.s, 77, tick(), 2, lo, 80, 1, 6, 0);
    CHECK_INT(fx.sink.n, 2);
    if (fx.sink.n == 2)
        CHECK_STR(event_get_str(fx.sink.ev[1], "process.title"), "VBCSCompiler.exe");
    fx_clear(&fx);
}

TEST(sensor_rejects_malformed)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096] = {0};
    struct vigil_rec_hdr *h = (void *)buf;
    CHECK_INT(sensor_feed(fx.s, buf, 8), -EINVAL); /* shorter than a header */
    h->kind = 0;
    h->size = 32;
    CHECK_INT(sensor_feed(fx.s, buf, 32), -EINVAL); /* INVALID kind */
    h->kind = VIGIL_REC_COUNT;
    CHECK_INT(sensor_feed(fx.s, buf, 32), -EINVAL);
    h->kind = VIGIL_REC_CONNECT;
    h->size = 40;
    CHECK_INT(sensor_feed(fx.s, buf, 40), -EINVAL); /* shorter than its fixed part */
    /* an exec whose tail lengths run past the record */
    size_t n = make_exec(buf, 1, 1, 0, 0, "/x", "", 0, "", 0, "a", 2, 0);
    ((struct vigil_rec_exec *)buf)->argv_len = 4000;
    CHECK_INT(sensor_feed(fx.s, buf, n), -EINVAL);
    struct sensor_stats st;
    sensor_stats(fx.s, &st);
    CHECK_INT(st.bad_records, 5);
    CHECK_INT(fx.sink.n, 0);
    fx_clear(&fx);
}

/* Append an environment region (and its lengths) to an exec record made by make_exec. */
static size_t add_env(uint8_t *buf, size_t n, const char *env, size_t env_len, size_t head,
                      uint16_t flags)
{
    struct vigil_rec_exec *e = (void *)buf;
    size_t used = sizeof *e + e->filename_len + e->exe_len + e->cwd_len + e->argv_len;
    memcpy(buf + used, env, env_len);
    used += env_len;
    e->env_len = (uint16_t)env_len;
    e->env_head = (uint16_t)head;
    e->h.flags |= VIGIL_F_ENV_PRESENT | flags;
    size_t size = (used + 7) & ~(size_t)7;
    e->h.size = (uint32_t)(size > n ? size : n);
    return e->h.size;
}

static bool has_str(const struct val *v, const char *s)
{
    if (!v)
        return false;
    if (v->type == VAL_STR)
        return strlen(s) == v->n && !memcmp(v->s, s, v->n);
    if (v->type != VAL_ARRAY)
        return false;
    for (uint32_t i = 0; i < v->n; i++)
        if (has_str(&v->items[i], s))
            return true;
    return false;
}

TEST(sensor_env_vars_allowlist_stdio_and_parent_title)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[8192];
    uint64_t T = tick();
    /* the parent, named by prctl */
    size_t n = make_exec(buf, 50, 5 * T, 1, 0, "/usr/lib/wine/wine64", "wine64\0wine\0lib\0usr",
                         20, "", 0, "wine64", 7, 0);
    static const char env1[] = "SECRET_TOKEN=x\0HOME=/home/b\0WINEPREFIX=/tmp/p\0PATH=/bin";
    n = add_env(buf, n, env1, sizeof env1, sizeof env1, 0);
    struct vigil_rec_exec *e = (void *)buf;
    e->std_type[0] = VIGIL_FD_SOCKET;
    e->std_family[0] = 2;
    e->std_type[1] = VIGIL_FD_PIPE;
    e->std_type[2] = VIGIL_FD_TTY;
    CHECK_INT(sensor_feed(fx.s, buf, n), 0);
    feed_setname(fx.s, 50, 5 * T, "Launcher.exe");
    /* the child: an environment cut in the middle (head + end), the seams' strings dropped */
    feed_fork(fx.s, 50, 5 * T, 51, 6 * T);
    n = make_exec(buf, 51, 6 * T, 50, 5 * T, "/usr/lib/wine/wine64", "wine64\0wine\0lib\0usr", 20,
                  "", 0, "wine64", 7, 0);
    static const char env2[] = "HOME=/root\0WINEPREFIX=/tmp/cut-he" /* head, cut */
                               "RSOCKET=8\0WINELOADERNOEXEC=1";   /* end, cut at its start */
    n = add_env(buf, n, env2, sizeof env2, 33, VIGIL_F_ENV_TRUNC);
    CHECK_INT(sensor_feed(fx.s, buf, n), 0);
    CHECK_INT(fx.sink.n, 3);
    if (fx.sink.n == 3) {
        struct event *p = fx.sink.ev[0], *c = fx.sink.ev[2];
        const struct val *pe = get(p, "process.env_vars");
        CHECK(pe && pe->type == VAL_ARRAY && pe->n == 2);
        CHECK(has_str(pe, "HOME=/home/b"));
        CHECK(has_str(pe, "WINEPREFIX=/tmp/p"));
        CHECK(!has_str(pe, "SECRET_TOKEN=x"));
        CHECK_STR(event_get_str(p, "vigil.stdin.type"), "socket");
        CHECK_STR(event_get_str(p, "vigil.stdin.family"), "ipv4");
        CHECK_STR(event_get_str(p, "vigil.stdout.type"), "pipe");
        CHECK_STR(event_get_str(p, "vigil.stderr.type"), "tty");
        CHECK(get(p, "vigil.stdout.family") == NULL);
        const struct val *ce = get(c, "process.env_vars");
        CHECK(ce && ce->type == VAL_ARRAY && ce->n == 2);
        CHECK(has_str(ce, "HOME=/root"));
        CHECK(has_str(ce, "WINELOADERNOEXEC=1"));
        CHECK_STR(event_get_str(c, "process.parent.title"), "Launcher.exe");
        CHECK(has_str(get(c, "process.parent.env_vars"), "WINEPREFIX=/tmp/p"));
        CHECK(get(c, "vigil.stdin.type") == NULL); /* all "none": not reported */
    }
    fx_clear(&fx);
}

TEST(sensor_connect_by_wineserver_for_client)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    uint64_t T = tick();
    size_t n = make_exec(buf, 60, 3 * T, 1, 0, "/usr/lib/wine/wineserver64",
                         "wineserver64\0wine\0lib\0usr", 26, "", 0, "wineserver64", 13, 0);
    sensor_feed(fx.s, buf, n);
    n = make_exec(buf, 70, 4 * T, 1, 0, "/usr/lib/wine/wine64", "wine64\0wine\0lib\0usr", 20, "",
                  0, "wine64", 7, 0);
    sensor_feed(fx.s, buf, n);
    struct vigil_rec_connect c = {0};
    c.h.kind = VIGIL_REC_CONNECT;
    c.h.flags = VIGIL_F_PROXY;
    c.h.size = sizeof c;
    c.h.pid = 72; /* the client thread whose request pipe wineserver read */
    c.h.tgid = 70;
    c.h.start = 4 * T;
    c.proxy_tgid = 60;
    c.proxy_start = 3 * T;
    c.family = 2;
    memcpy(c.daddr, (uint8_t[4]){203, 0, 113, 7}, 4);
    c.dport = 80;
    c.sock_type = 1;
    c.protocol = 6;
    memcpy(c.comm, "wineserver64", 12);
    CHECK_INT(sensor_feed(fx.s, &c, sizeof c), 0);
    CHECK_INT(fx.sink.n, 3);
    if (fx.sink.n == 3) {
        struct event *w = fx.sink.ev[0], *x = fx.sink.ev[1], *ev = fx.sink.ev[2];
        CHECK_INT(get_long(ev, "process.pid"), 70);
        CHECK_INT(get_long(ev, "process.thread.id"), 72);
        CHECK_STR(event_get_str(ev, "process.name"), "wine64");
        CHECK_STR(event_get_str(ev, "process.entity_id"), event_get_str(x, "process.entity_id"));
        CHECK_INT(get_long(ev, "vigil.proxy.pid"), 60);
        CHECK_STR(event_get_str(ev, "vigil.proxy.name"), "wineserver64");
        CHECK_STR(event_get_str(ev, "vigil.proxy.entity_id"),
                  event_get_str(w, "process.entity_id"));
        CHECK_STR(event_get_str(ev, "destination.ip"), "203.0.113.7");
    }
    fx_clear(&fx);
}

/* @timestamp goes through remembered seconds: whatever the order of seconds and fractions,
 * the text must be what time_format_iso8601 writes for the event's time. */
TEST(sensor_timestamps_through_remembered_seconds)
{
    struct fixture fx;
    fx_init(&fx);
    static const uint8_t lo[4] = {127, 0, 0, 1};
    /* seconds 1, 1, 2, 3, 4, 5, 6, 1, 6, 2 (more than are remembered), odd fractions */
    static const uint64_t secs[] = {1, 1, 2, 3, 4, 5, 6, 1, 6, 2};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        struct vigil_rec_connect c = {0};
        c.h.kind = VIGIL_REC_CONNECT;
        c.h.size = sizeof c;
        c.h.pid = c.h.tgid = 77;
        c.h.start = tick();
        c.h.ktime = secs[i] * 1000000000ull + i * 123456789ull % 1000000000ull + 7;
        c.family = 2;
        memcpy(c.daddr, lo, 4);
        c.dport = 9;
        CHECK_INT(sensor_feed(fx.s, &c, sizeof c), 0);
    }
    CHECK_INT(fx.sink.n, (int)(sizeof secs / sizeof secs[0]));
    for (int i = 0; i < fx.sink.n; i++) {
        char want[40];
        time_format_iso8601(fx.sink.ev[i]->ts, want);
        CHECK_STR(event_get_str(fx.sink.ev[i], "@timestamp"), want);
    }
    fx_clear(&fx);
}

/* The process and parent fields come from a block kept per (process, parent): every change
 * to either (a parent's new title, a re-exec, a parent's exec) must show in the next event,
 * and more pairs than are kept must each come out right. */
TEST(sensor_actor_fields_follow_every_change)
{
    struct fixture fx;
    fx_init(&fx);
    uint8_t buf[4096];
    uint64_t T = tick();
    static const uint8_t lo[4] = {127, 0, 0, 1};
    size_t n = make_exec(buf, 60, 2 * T, 1, 0, "/bin/make", "make\0bin", 9, "", 0, "make", 5, 0);
    sensor_feed(fx.s, buf, n);
    n = make_exec(buf, 61, 3 * T, 60, 2 * T, "/bin/cc", "cc\0bin", 7, "", 0, "cc\0-c\0a.c", 10, 0);
    sensor_feed(fx.s, buf, n);
    feed_connect(fx.s, 61, 3 * T, 2, lo, 80, 1, 6, 0);
    feed_setname(fx.s, 60, 2 * T, "make-renamed");
    feed_connect(fx.s, 61, 3 * T, 2, lo, 81, 1, 6, 0);
    n = make_exec(buf, 61, 3 * T, 60, 2 * T, "/bin/ld", "ld\0bin", 7, "", 0, "ld\0-o\0a", 8, 0);
    sensor_feed(fx.s, buf, n);
    feed_connect(fx.s, 61, 3 * T, 2, lo, 82, 1, 6, 0);
    /* twelve other processes under make, each connecting, then 61 again */
    for (uint32_t k = 0; k < 12; k++) {
        char argv[16];
        int an = snprintf(argv, sizeof argv, "p%u", k) + 1;
        n = make_exec(buf, 100 + k, (10 + k) * T, 60, 2 * T, "/bin/p", "p\0bin", 6, "", 0, argv,
                      (size_t)an, 0);
        sensor_feed(fx.s, buf, n);
        feed_connect(fx.s, 100 + k, (10 + k) * T, 2, lo, 90, 1, 6, 0);
    }
    feed_connect(fx.s, 61, 3 * T, 2, lo, 83, 1, 6, 0);
    CHECK_INT(fx.sink.n, 31);
    if (fx.sink.n == 31) {
        struct event **ev = fx.sink.ev;
        CHECK_STR(event_get_str(ev[2], "process.command_line"), "cc -c a.c");
        CHECK(event_get_str(ev[2], "process.parent.title") == NULL);
        CHECK_STR(event_get_str(ev[3], "process.parent.title"), "make-renamed");
        CHECK_STR(event_get_str(ev[3], "process.command_line"), "cc -c a.c");
        CHECK_STR(event_get_str(ev[5], "process.command_line"), "ld -o a");
        CHECK_STR(event_get_str(ev[5], "process.name"), "ld");
        CHECK_STR(event_get_str(ev[5], "process.parent.title"), "make-renamed");
        for (int k = 0; k < 12; k++) {
            char want[16];
            snprintf(want, sizeof want, "p%d", k);
            CHECK_STR(event_get_str(ev[7 + 2 * k], "process.command_line"), want);
            CHECK_INT(get_long(ev[7 + 2 * k], "process.parent.pid"), 60);
        }
        CHECK_STR(event_get_str(ev[30], "process.command_line"), "ld -o a");
        CHECK_INT(get_long(ev[30], "destination.port"), 83);
    }
    fx_clear(&fx);
}
