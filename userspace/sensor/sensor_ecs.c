/*
 * sensor_ecs.c — wire records to the process table and to ECS events, with the field names
 * and values Elastic Defend uses on Linux (DESIGN "Events and views").
 *
 * Hot path: no allocation once the scratch arrays have grown to the largest argv seen, no
 * /proc reads; user and group names come from a small cache (one lookup per new id).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "sensor/sensor_int.h"
#include "util/util.h"

#define ECS_VERSION "8.11.0"

static const char *const sf_names[SF_COUNT] = {
#define SF_NAME(id, name) name,
    SENSOR_FIELDS(SF_NAME)
#undef SF_NAME
};
static const char *const pf_names[PF_COUNT] = {
#define PF_NAME(id, name) name,
    PROC_FIELDS(PF_NAME)
#undef PF_NAME
};

/* ---- set-up ---- */

static int64_t clock_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* KEY=value or KEY="value" from os-release text */
static void os_release_get(const char *text, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) || l[kl] != '=')
            continue;
        const char *v = l + kl + 1, *e = strchr(v, '\n');
        size_t n = e ? (size_t)(e - v) : strlen(v);
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
            v++;
            n -= 2;
        }
        if (n >= cap)
            n = cap - 1;
        memcpy(out, v, n);
        out[n] = 0;
        return;
    }
}

static void host_init(struct sensor_host *h, const char *machine_id_path)
{
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(h->hostname, sizeof h->hostname, "%s", u.nodename);
        snprintf(h->kernel, sizeof h->kernel, "%s", u.release);
        snprintf(h->arch, sizeof h->arch, "%s", u.machine);
    }
    size_t n = 0;
    char *mid = file_read_all(machine_id_path ? machine_id_path : "/etc/machine-id", &n);
    if (mid && proc_host_id_parse(mid, n, h->id_bytes)) {
        memcpy(h->id, mid, 32);
        h->id[32] = 0;
    } else {
        /* no machine id: derive one from the host name, stable across restarts */
        uint64_t a = hash_bytes(h->hostname, strlen(h->hostname));
        uint64_t b = hash_bytes(&a, sizeof a);
        memcpy(h->id_bytes, &a, 8);
        memcpy(h->id_bytes + 8, &b, 8);
        for (int i = 0; i < 16; i++)
            snprintf(h->id + 2 * i, 3, "%02x", h->id_bytes[i]);
    }
    free(mid);
    char *osr = file_read_all("/etc/os-release", &n);
    if (!osr)
        osr = file_read_all("/usr/lib/os-release", &n);
    if (osr) {
        os_release_get(osr, "ID", h->os_platform, sizeof h->os_platform);
        os_release_get(osr, "ID", h->os_family, sizeof h->os_family);
        os_release_get(osr, "ID_LIKE", h->os_family, sizeof h->os_family);
        os_release_get(osr, "VERSION_ID", h->os_version, sizeof h->os_version);
        free(osr);
    }
}

void sensor_ecs_init(struct sensor *s)
{
    host_init(&s->host, s->o.machine_id_path);
    s->procs = proc_table_new(s->host.id_bytes, NULL);
    for (int i = 0; i < SF_COUNT; i++)
        s->sf[i] = fieldtab_intern(s->o.ft, sf_names[i], strlen(sf_names[i]));
    static const char *const prefix[2] = {"process.", "process.parent."};
    char name[128];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < PF_COUNT; i++) {
            int n = snprintf(name, sizeof name, "%s%s", prefix[k], pf_names[i]);
            s->pf[k][i] = fieldtab_intern(s->o.ft, name, (size_t)n);
        }
    /* offsets from the kernel's clocks to the wall clock, once */
    int64_t wall = clock_ns(CLOCK_REALTIME);
    s->mono_to_wall = wall - clock_ns(CLOCK_MONOTONIC);
    s->boot_to_wall = wall - clock_ns(CLOCK_BOOTTIME);
    event_init(&s->ev, s->o.ft);
}

void sensor_ecs_clear(struct sensor *s)
{
    proc_table_free(s->procs);
    event_clear(&s->ev);
    buf_clear(&s->text);
    free(s->argp);
    free(s->argl);
}

/* ---- small helpers ---- */

/* Decimal text of v without snprintf (per-event hot path); returns its length. */
static size_t u32_text(uint32_t v, char b[16])
{
    char t[16];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        b[i] = t[n - 1 - i];
    b[n] = 0;
    return n;
}

/* strlcpy: the C library's snprintf("%s") costs a formatter per call on the exec path */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void set_u32_str(struct event *ev, uint32_t id, uint32_t v)
{
    char b[16];
    size_t n = u32_text(v, b);
    event_set_str(ev, id, b, n);
}

static void put_digits(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * The same text as time_format_iso8601 (YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ) without gmtime_r and
 * snprintf, which were a third of the sensor's cost per event (int64 ns end in 2262, so four
 * year digits always suffice); times before 1970 go through time_format_iso8601.
 */
static void format_time(int64_t ns, char out[40])
{
    if (ns < 0) {
        time_format_iso8601(ns, out);
        return;
    }
    uint64_t secs = (uint64_t)ns / 1000000000u, frac = (uint64_t)ns % 1000000000u;
    uint64_t days = secs / 86400, sod = secs % 86400;
    /* civil_from_days (H. Hinnant), days since 1970-01-01 >= 0 */
    uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    uint64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, sod / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, sod / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, sod % 60, 2);
    out[19] = '.';
    put_digits(out + 20, frac, 9);
    out[29] = 'Z';
    out[30] = 0;
}

/*
 * set_time through a few remembered seconds: an event's three times (@timestamp, the
 * process's and its parent's start) mostly fall in seconds seen just before, and then only
 * the nine digits of the fraction are new.
 */
static void set_time(struct sensor *s, uint32_t id, int64_t ns)
{
    char b[40];
    struct time_text *t = NULL;
    if (ns >= 0) {
        uint64_t sec = (uint64_t)ns / 1000000000u;
        for (int i = 0; i < TIME_TEXTS && !t; i++)
            if (s->times[i].sec == sec + 1) /* +1: 0 is empty */
                t = &s->times[i];
        if (!t) {
            t = &s->times[s->times_next];
            s->times_next = (s->times_next + 1) % TIME_TEXTS;
            format_time(ns, b);
            memcpy(t->text, b, 20); /* through the '.' */
            t->sec = sec + 1;
        }
        memcpy(b, t->text, 20);
        put_digits(b + 20, (uint64_t)ns % 1000000000u, 9);
        b[29] = 'Z';
        b[30] = 0;
    } else {
        format_time(ns, b);
    }
    event_set_cstr(&s->ev, id, b);
}

/*
 * Strings that outlive the event (literals, the host, the process table: nothing changes the
 * table between begin() and emit()) are referenced, not copied: most of an event's bytes.
 */
static void set_ref(struct event *ev, uint32_t id, const char *s)
{
    event_set_str_ref(ev, id, s, strlen(s));
}

static void set_nonempty(struct event *ev, uint32_t id, const char *s)
{
    if (s && *s)
        set_ref(ev, id, s);
}

/*
 * The name of id in an /etc/passwd-style file (name:x:id:...), into out. Read directly rather
 * than through NSS: works in a static binary, and the cache below makes it once per id.
 */
static void name_from_file(const char *path, uint32_t id, char *out, size_t cap)
{
    size_t n;
    char *text = file_read_all(path, &n);
    if (!text)
        return;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2) {
            char *end;
            unsigned long v = strtoul(c2 + 1, &end, 10);
            if (end != c2 + 1 && *end == ':' && v == id) {
                snprintf(out, cap, "%.*s", (int)(c1 - line), line);
                break;
            }
        }
        line = next;
    }
    free(text);
}

static const char *cached_name(struct name_cache *c, uint32_t *next, uint32_t id, bool group)
{
    for (int i = 0; i < NAME_CACHE_SIZE; i++)
        if (c[i].used && c[i].id == id)
            return c[i].name;
    struct name_cache *e = &c[*next];
    *next = (*next + 1) % NAME_CACHE_SIZE;
    e->used = true;
    e->id = id;
    e->name[0] = 0;
    name_from_file(group ? "/etc/group" : "/etc/passwd", id, e->name, sizeof e->name);
    return e->name;
}

/* Split argv (NUL-separated) into the scratch arrays; returns the count. */
static uint32_t split_args(struct sensor *s, const char *argv, size_t n)
{
    uint32_t c = 0;
    size_t i = 0;
    while (i < n) {
        const char *a = argv + i;
        size_t l = strnlen(a, n - i);
        if (c == s->argcap) {
            size_t cap = s->argcap;
            s->argp = xgrow(s->argp, &cap, c + 1, sizeof *s->argp);
            cap = s->argcap;
            s->argl = xgrow(s->argl, &cap, c + 1, sizeof *s->argl);
            s->argcap = cap;
        }
        s->argp[c] = a;
        s->argl[c++] = l;
        i += l + 1;
    }
    return c;
}

/* The environment variables kept from a Wine/Mono loader's exec (process.env_vars): what the
 * Windows view reads (userspace/view/view.h), nothing else — environments hold secrets. */
static const char *const env_keep[] = {"WINEPREFIX",       "HOME",     "WINELOADERNOEXEC",
                                       "WINESERVERSOCKET", "WINEARCH", "WINELOADER",
                                       "WINESERVER"};

static bool env_wanted(const char *kv, size_t n)
{
    for (size_t i = 0; i < sizeof env_keep / sizeof *env_keep; i++) {
        size_t kl = strlen(env_keep[i]);
        if (n > kl && kv[kl] == '=' && !memcmp(kv, env_keep[i], kl))
            return true;
    }
    return false;
}

/*
 * Keep the allowed "KEY=VALUE" strings of env[0, n) into out (NUL-separated). skip_first /
 * skip_last: the region was cut there, the string at that end is partial.
 */
static void env_filter(const char *env, size_t n, bool skip_first, bool skip_last, struct buf *out)
{
    size_t i = 0;
    if (skip_first) {
        while (i < n && env[i])
            i++;
        i++;
    }
    while (i < n) {
        size_t l = strnlen(env + i, n - i);
        if (i + l == n && skip_last)
            break; /* no NUL before the cut */
        if (env_wanted(env + i, l)) {
            buf_append(out, env + i, l);
            buf_putc(out, 0);
        }
        i += l + 1;
    }
}

static const char *fd_type_name(uint8_t t)
{
    static const char *const names[] = {
        [VIGIL_FD_NONE] = "none", [VIGIL_FD_FILE] = "file",     [VIGIL_FD_DIR] = "dir",
        [VIGIL_FD_PIPE] = "pipe", [VIGIL_FD_SOCKET] = "socket", [VIGIL_FD_TTY] = "tty",
        [VIGIL_FD_CHAR] = "char", [VIGIL_FD_OTHER] = "other",
    };
    return t < sizeof names / sizeof *names ? names[t] : "other";
}

static const char *family_name(uint8_t f)
{
    switch (f) {
    case 1:
        return "unix";
    case 2:
        return "ipv4";
    case 10:
        return "ipv6";
    case 16:
        return "netlink";
    default:
        return "other";
    }
}

/* The process.* (k = 0) or process.parent.* (k = 1) fields of p. */
static void put_process(struct sensor *s, int k, const struct proc *p, const char *comm)
{
    struct event *ev = &s->ev;
    const uint32_t *f = s->pf[k];
    event_set_long(ev, f[PF_PID], p->pid);
    set_ref(ev, f[PF_ENTITY_ID], p->entity_id);
    if (p->start)
        set_time(s, f[PF_START], (int64_t)p->start + s->boot_to_wall);
    if (*p->name)
        set_ref(ev, f[PF_NAME], p->name);
    else if (comm && *comm)
        event_set_cstr(ev, f[PF_NAME], comm); /* the caller's buffer */
    if (!p->has_exec)
        return;
    set_nonempty(ev, f[PF_EXECUTABLE], p->executable);
    set_nonempty(ev, f[PF_WORKING_DIRECTORY], p->cwd);
    if (p->argv_len) {
        uint32_t n = split_args(s, p->argv, p->argv_len);
        event_set_strv_ref(ev, f[PF_ARGS], s->argp, s->argl, n); /* NUL-separated */
        event_set_long(ev, f[PF_ARGS_COUNT], n);
        buf_reset(&s->text);
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                buf_putc(&s->text, ' ');
            buf_append(&s->text, s->argp[i], s->argl[i]);
        }
        event_set_str(ev, f[PF_COMMAND_LINE], s->text.p, s->text.len);
    }
    set_u32_str(ev, f[PF_USER_ID], p->euid);
    set_u32_str(ev, f[PF_GROUP_ID], p->egid);
    set_u32_str(ev, f[PF_REAL_USER_ID], p->uid);
    set_u32_str(ev, f[PF_REAL_GROUP_ID], p->gid);
    if (k == 1 && p->title[0]) /* process.title itself is set by each record kind */
        set_ref(ev, f[PF_TITLE], p->title);
    if (p->env_len) {
        uint32_t n = split_args(s, p->env, p->env_len);
        event_set_strv_ref(ev, f[PF_ENV_VARS], s->argp, s->argl, n);
    }
    if (k == 0 && p->std_type[0] + p->std_type[1] + p->std_type[2]) {
        static const int tf[3] = {SF_STDIN_TYPE, SF_STDOUT_TYPE, SF_STDERR_TYPE};
        static const int ff[3] = {SF_STDIN_FAMILY, SF_STDOUT_FAMILY, SF_STDERR_FAMILY};
        for (int i = 0; i < 3; i++) {
            set_ref(ev, s->sf[tf[i]], fd_type_name(p->std_type[i]));
            if (p->std_type[i] == VIGIL_FD_SOCKET)
                set_ref(ev, s->sf[ff[i]], family_name(p->std_family[i]));
        }
    }
}

static void put_parent(struct sensor *s, const struct proc *p)
{
    const struct proc *pp = proc_parent(s->procs, p);
    if (pp) {
        put_process(s, 1, pp, NULL);
    } else if (p->ppid) {
        event_set_long(&s->ev, s->pf[1][PF_PID], p->ppid);
        if (p->parent_entity_id[0])
            set_ref(&s->ev, s->pf[1][PF_ENTITY_ID], p->parent_entity_id);
    }
}

static void put_user(struct sensor *s, const struct proc *p)
{
    if (!p->has_exec)
        return;
    struct event *ev = &s->ev;
    set_u32_str(ev, s->sf[SF_USER_ID], p->euid);
    set_nonempty(ev, s->sf[SF_USER_NAME], cached_name(s->users, &s->users_next, p->euid, false));
    set_u32_str(ev, s->sf[SF_GROUP_ID], p->egid);
    set_nonempty(ev, s->sf[SF_GROUP_NAME], cached_name(s->groups, &s->groups_next, p->egid, true));
}

/* The fields every event has. */
static void begin(struct sensor *s, const struct vigil_rec_hdr *h, const char *category,
                  const char *type, const char *action)
{
    struct event *ev = &s->ev;
    const struct sensor_host *host = &s->host;
    event_reset(ev);
    ev->ts = (int64_t)h->ktime + s->mono_to_wall;
    ev->seq = ++s->st.events;
    set_time(s, s->sf[SF_TIMESTAMP], ev->ts);
    set_ref(ev, s->sf[SF_ECS_VERSION], ECS_VERSION);
    set_ref(ev, s->sf[SF_EVENT_KIND], "event");
    event_set_strv_ref(ev, s->sf[SF_EVENT_CATEGORY], &category, NULL, 1);
    event_set_strv_ref(ev, s->sf[SF_EVENT_TYPE], &type, NULL, 1);
    set_ref(ev, s->sf[SF_EVENT_ACTION], action);
    event_set_long(ev, s->sf[SF_EVENT_SEQUENCE], (int64_t)ev->seq);
    set_nonempty(ev, s->sf[SF_HOST_NAME], host->hostname);
    set_nonempty(ev, s->sf[SF_HOST_HOSTNAME], host->hostname);
    set_nonempty(ev, s->sf[SF_HOST_ID], host->id);
    set_nonempty(ev, s->sf[SF_HOST_ARCH], host->arch);
    set_ref(ev, s->sf[SF_HOST_OS_TYPE], "linux");
    set_ref(ev, s->sf[SF_HOST_OS_NAME], "Linux");
    set_nonempty(ev, s->sf[SF_HOST_OS_KERNEL], host->kernel);
    set_nonempty(ev, s->sf[SF_HOST_OS_FAMILY], host->os_family);
    set_nonempty(ev, s->sf[SF_HOST_OS_PLATFORM], host->os_platform);
    set_nonempty(ev, s->sf[SF_HOST_OS_VERSION], host->os_version);
}

static void emit(struct sensor *s)
{
    event_seal(&s->ev);
    s->o.on_event(&s->ev, s->o.arg);
}

/* A NUL-terminated copy of a fixed kernel char array. */
static void comm_str(const __u8 *c, char out[VIGIL_COMM_LEN + 1])
{
    memcpy(out, c, VIGIL_COMM_LEN);
    out[VIGIL_COMM_LEN] = 0;
}

/*
 * A path from its components, leaf first (the wire form), into out. "/" for zero
 * components; a path cut at the top (truncated) starts with "/...".
 */
static void join_path(const char *comp, size_t n, bool trunc, struct buf *out)
{
    const char *parts[VIGIL_PATH_DEPTH + 1];
    size_t lens[VIGIL_PATH_DEPTH + 1], k = 0, i = 0;
    while (i < n && k < VIGIL_PATH_DEPTH + 1) {
        size_t l = strnlen(comp + i, n - i);
        parts[k] = comp + i;
        lens[k++] = l;
        i += l + 1;
    }
    buf_reset(out);
    if (trunc)
        buf_puts(out, "/...");
    while (k--) {
        buf_putc(out, '/');
        buf_append(out, parts[k], lens[k]);
    }
    if (!out->len)
        buf_putc(out, '/');
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* ---- records ---- */

static int on_exec_rec(struct sensor *s, const struct vigil_rec_exec *e, size_t len)
{
    size_t tail = (size_t)e->filename_len + e->exe_len + e->cwd_len + e->argv_len + e->env_len;
    if (sizeof *e + tail > len || e->env_head > e->env_len)
        return -EINVAL;
    const char *t = (const char *)(e + 1);
    char comm[VIGIL_COMM_LEN + 1], filename[VIGIL_PATH_CAP + 1], exe[VIGIL_PATH_CAP + 64],
        cwd[VIGIL_PATH_CAP + 64];
    comm_str(e->comm, comm);
    size_t fl = strnlen(t, e->filename_len);
    memcpy(filename, t, fl);
    filename[fl] = 0;
    t += e->filename_len;

    exe[0] = 0;
    if (e->h.flags & VIGIL_F_EXE_PRESENT) {
        join_path(t, e->exe_len, e->h.flags & VIGIL_F_EXE_TRUNC, &s->text);
        copy_str(exe, sizeof exe, s->text.p);
    }
    if ((!exe[0] || (e->h.flags & VIGIL_F_EXE_TRUNC)) && filename[0] == '/')
        copy_str(exe, sizeof exe, filename);
    t += e->exe_len;
    cwd[0] = 0;
    if (e->h.flags & VIGIL_F_CWD_PRESENT) {
        join_path(t, e->cwd_len, e->h.flags & VIGIL_F_CWD_TRUNC, &s->text);
        copy_str(cwd, sizeof cwd, s->text.p);
    }
    t += e->cwd_len;

    struct proc_exec_info x = {
        .name = filename[0] ? base_name(filename) : comm,
        .executable = exe,
        .filename = filename,
        .cwd = cwd,
        .argv = t,
        .argv_len = e->argv_len,
        .args_truncated = (e->h.flags & VIGIL_F_ARGV_TRUNC) != 0,
        .uid = e->uid,
        .gid = e->gid,
        .euid = e->euid,
        .egid = e->egid,
    };
    /* fexecve() and execveat(AT_EMPTY_PATH) name a descriptor: the image's name says more */
    if ((str_has_prefix(filename, "/dev/fd/") || str_has_prefix(filename, "/proc/self/fd/")) &&
        exe[0])
        x.name = base_name(exe);
    if (!*x.name)
        x.name = comm;
    memcpy(x.std_type, e->std_type, sizeof x.std_type);
    memcpy(x.std_family, e->std_family, sizeof x.std_family);
    char envbuf[2048];
    if ((e->h.flags & VIGIL_F_ENV_PRESENT) && e->env_len) {
        const char *env = t + e->argv_len;
        bool cut = (e->h.flags & VIGIL_F_ENV_TRUNC) != 0;
        buf_reset(&s->text);
        env_filter(env, e->env_head, false, cut, &s->text);
        if (cut)
            env_filter(env + e->env_head, e->env_len - e->env_head, true, false, &s->text);
        size_t n = s->text.len < sizeof envbuf ? s->text.len : 0; /* all or nothing */
        if (n)
            memcpy(envbuf, s->text.p, n);
        x.env = envbuf;
        x.env_len = n;
    }
    struct proc *p =
        proc_exec(s->procs, e->h.tgid, e->h.start, e->ppid, e->parent_start, &x, e->h.ktime);

    begin(s, &e->h, "process", "start", "exec");
    put_process(s, 0, p, comm);
    put_parent(s, p);
    put_user(s, p);
    if (p->args_truncated)
        event_set_bool(&s->ev, s->sf[SF_PROCESS_ARGS_TRUNC], true);
    if (filename[0]) /* a local buffer: copied */
        event_set_cstr(&s->ev, s->sf[SF_EXEC_FILENAME], filename);
    if (e->cgroup_id)
        event_set_long(&s->ev, s->sf[SF_CGROUP_ID], (int64_t)e->cgroup_id);
    emit(s);
    return 0;
}

static int on_fork_rec(struct sensor *s, const struct vigil_rec_fork *f)
{
    struct proc *c =
        proc_fork(s->procs, f->ppid, f->parent_start, f->h.tgid, f->h.start, f->h.ktime);
    begin(s, &f->h, "process", "start", "fork");
    put_process(s, 0, c, NULL);
    put_parent(s, c);
    put_user(s, c);
    if (c->title[0])
        set_ref(&s->ev, s->sf[SF_PROCESS_TITLE], c->title);
    emit(s);
    return 0;
}

static int on_exit_rec(struct sensor *s, const struct vigil_rec_exit *x)
{
    struct proc *p = proc_exit(s->procs, x->h.tgid, x->h.start, x->exit_code, x->h.ktime);
    begin(s, &x->h, "process", "end", "end");
    put_process(s, 0, p, NULL);
    put_parent(s, p);
    put_user(s, p);
    if (p->title[0])
        set_ref(&s->ev, s->sf[SF_PROCESS_TITLE], p->title);
    uint32_t st = x->exit_code;
    if ((st & 0x7f) == 0) {
        event_set_long(&s->ev, s->sf[SF_PROCESS_EXIT_CODE], (st >> 8) & 0xff);
    } else {
        /* killed by a signal: the shell's convention, and the signal itself */
        event_set_long(&s->ev, s->sf[SF_PROCESS_EXIT_CODE], 128 + (st & 0x7f));
        event_set_long(&s->ev, s->sf[SF_EXIT_SIGNAL], st & 0x7f);
    }
    emit(s);
    return 0;
}

/* Dotted-quad text of a (what inet_ntop(AF_INET) writes, without its sprintf per event). */
static void ipv4_text(const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p += u32_text(a[i], p);
    }
    *p = 0;
}

/* Text of an address; *v4 tells whether it is IPv4 (a v4-mapped IPv6 address counts). */
static void addr_text(uint16_t family, const uint8_t *a, char out[INET6_ADDRSTRLEN], bool *v4)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == 2) {
        ipv4_text(a, out);
        *v4 = true;
    } else if (!memcmp(a, mapped, 12)) {
        ipv4_text(a + 12, out);
        *v4 = true;
    } else {
        inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
        *v4 = false;
    }
}

static const char *transport_name(uint16_t type, uint16_t proto)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
        return "icmp";
    case 58:
        return "ipv6-icmp";
    case 132:
        return "sctp";
    case 136:
        return "udplite";
    case 262:
        return "tcp"; /* MPTCP */
    default:
        break;
    }
    if (proto == 0 && type == 1)
        return "tcp";
    if (proto == 0 && type == 2)
        return "udp";
    return NULL;
}

static int on_connect_rec(struct sensor *s, const struct vigil_rec_connect *c)
{
    char comm[VIGIL_COMM_LEN + 1], ip[INET6_ADDRSTRLEN];
    bool v4;
    comm_str(c->comm, comm);
    bool proxy = (c->h.flags & VIGIL_F_PROXY) && c->proxy_tgid;
    /* both lookups first: proc_get may grow the table, and the event references its strings */
    struct proc *w = proxy ? proc_get(s->procs, c->proxy_tgid, c->proxy_start, c->h.ktime) : NULL;
    struct proc *p = proc_get(s->procs, c->h.tgid, c->h.start, c->h.ktime);
    if (w)
        w = proc_find(s->procs, c->proxy_tgid, c->proxy_start); /* p's lookup may have moved it */
    struct event *ev = &s->ev;

    begin(s, &c->h, "network", "start", "connection_attempted");
    put_process(s, 0, p, proxy ? NULL : comm); /* comm is the proxy's */
    event_set_long(ev, s->sf[SF_PROCESS_THREAD_ID], c->h.pid);
    if (p->title[0])
        set_ref(ev, s->sf[SF_PROCESS_TITLE], p->title);
    put_parent(s, p);
    put_user(s, p);
    if (w) { /* wineserver made the call for p: keep who did, for forensics */
        event_set_long(ev, s->sf[SF_PROXY_PID], c->proxy_tgid);
        set_ref(ev, s->sf[SF_PROXY_ENTITY_ID], w->entity_id);
        event_set_cstr(ev, s->sf[SF_PROXY_NAME], w->name[0] ? w->name : comm);
        set_nonempty(ev, s->sf[SF_PROXY_EXECUTABLE], w->executable);
    }

    addr_text(c->family, c->daddr, ip, &v4);
    event_set_ip(ev, s->sf[SF_DST_IP], ip, strlen(ip));
    event_set_long(ev, s->sf[SF_DST_PORT], c->dport);
    set_ref(ev, s->sf[SF_NET_TYPE], v4 ? "ipv4" : "ipv6");
    set_ref(ev, s->sf[SF_NET_DIRECTION], "egress");
    const char *tr = transport_name(c->sock_type, c->protocol);
    if (tr)
        set_ref(ev, s->sf[SF_NET_TRANSPORT], tr);
    if (c->protocol)
        set_u32_str(ev, s->sf[SF_NET_IANA], c->protocol);
    if ((c->h.flags & VIGIL_F_SADDR) && c->sport) {
        bool sv4;
        addr_text(c->sfamily, c->saddr, ip, &sv4);
        event_set_ip(ev, s->sf[SF_SRC_IP], ip, strlen(ip));
        event_set_long(ev, s->sf[SF_SRC_PORT], c->sport);
    }
    if (c->err == 0) {
        set_ref(ev, s->sf[SF_CONNECT_RESULT], "success");
        set_ref(ev, s->sf[SF_EVENT_OUTCOME], "success");
    } else {
        const char *en = strerrorname_np((int)c->err);
        char num[16];
        if (!en) {
            snprintf(num, sizeof num, "E%u", c->err);
            en = num;
        }
        event_set_cstr(ev, s->sf[SF_CONNECT_RESULT], en);
        event_set_long(ev, s->sf[SF_CONNECT_ERRNO], c->err);
        /* a non-blocking connect under way has no outcome yet */
        set_ref(ev, s->sf[SF_EVENT_OUTCOME], c->err == EINPROGRESS ? "unknown" : "failure");
    }
    emit(s);
    return 0;
}

static int on_setname_rec(struct sensor *s, const struct vigil_rec_setname *r)
{
    char name[VIGIL_SETNAME_CAP + 1];
    memcpy(name, r->name, VIGIL_SETNAME_CAP);
    name[VIGIL_SETNAME_CAP] = 0;
    proc_set_title(s->procs, r->h.tgid, r->h.start, name);
    return 0;
}

int sensor_ecs_record(struct sensor *s, const struct vigil_rec_hdr *h, size_t len)
{
    switch (h->kind) {
    case VIGIL_REC_EXEC:
        return on_exec_rec(s, (const struct vigil_rec_exec *)h, len);
    case VIGIL_REC_FORK:
        return on_fork_rec(s, (const struct vigil_rec_fork *)h);
    case VIGIL_REC_EXIT:
        return on_exit_rec(s, (const struct vigil_rec_exit *)h);
    case VIGIL_REC_CONNECT:
        return on_connect_rec(s, (const struct vigil_rec_connect *)h);
    case VIGIL_REC_SETNAME:
        return on_setname_rec(s, (const struct vigil_rec_setname *)h);
    default:
        return -EINVAL;
    }
}
