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

static void host_fields(struct sensor *s);

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
    event_init(&s->host_ev, s->o.ft);
    for (int i = 0; i < ACTOR_BLOCKS; i++)
        event_init(&s->actors[i].ev, s->o.ft);
    host_fields(s);
}

void sensor_ecs_clear(struct sensor *s)
{
    proc_table_free(s->procs);
    event_clear(&s->ev);
    event_clear(&s->host_ev);
    for (int i = 0; i < ACTOR_BLOCKS; i++)
        event_clear(&s->actors[i].ev);
    buf_clear(&s->text);
    free(s->argp);
    free(s->argl);
}

/* ---- small helpers ---- */

static void set_u32_str(struct event *ev, uint32_t id, uint32_t v)
{
    char b[16];
    size_t n = ecs_u32_text(v, b);
    event_set_str(ev, id, b, n);
}

/*
 * set_time through a few remembered seconds: an event's three times (@timestamp, the
 * process's and its parent's start) mostly fall in seconds seen just before, and then only
 * the nine digits of the fraction are new.
 */
static void set_time(struct sensor *s, struct event *ev, uint32_t id, int64_t ns)
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
            ecs_format_time(ns, b);
            memcpy(t->text, b, 20); /* through the '.' */
            t->sec = sec + 1;
        }
        memcpy(b, t->text, 20);
        ecs_put_digits(b + 20, (uint64_t)ns % 1000000000u, 9);
        b[29] = 'Z';
        b[30] = 0;
    } else {
        ecs_format_time(ns, b);
    }
    event_set_cstr(ev, id, b);
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

/* The process.* (k = 0) or process.parent.* (k = 1) fields of p. */
/* The fields of p as process.* (k 0) or process.parent.* (k 1) into ev. */
static void put_process(struct sensor *s, struct event *ev, int k, const struct proc *p,
                        const char *comm)
{
    const uint32_t *f = s->pf[k];
    event_set_long(ev, f[PF_PID], p->pid);
    set_ref(ev, f[PF_ENTITY_ID], p->entity_id);
    if (p->start)
        set_time(s, ev, f[PF_START], (int64_t)p->start + s->boot_to_wall);
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
            set_ref(ev, s->sf[tf[i]], ecs_fd_type_name(p->std_type[i]));
            if (p->std_type[i] == VIGIL_FD_SOCKET)
                set_ref(ev, s->sf[ff[i]], ecs_family_name(p->std_family[i]));
        }
    }
}

static void put_parent(struct sensor *s, struct event *ev, const struct proc *p,
                       const struct proc *pp)
{
    if (pp) {
        put_process(s, ev, 1, pp, NULL);
    } else if (p->ppid) {
        event_set_long(ev, s->pf[1][PF_PID], p->ppid);
        if (p->parent_entity_id[0])
            set_ref(ev, s->pf[1][PF_ENTITY_ID], p->parent_entity_id);
    }
}

static void put_user(struct sensor *s, struct event *ev, const struct proc *p)
{
    if (!p->has_exec)
        return;
    /* the names are copied: the name caches change under them */
    const char *user = ecs_cached_name(s->users, &s->users_next, p->euid, false);
    const char *group = ecs_cached_name(s->groups, &s->groups_next, p->egid, true);
    set_u32_str(ev, s->sf[SF_USER_ID], p->euid);
    if (*user)
        event_set_cstr(ev, s->sf[SF_USER_NAME], user);
    set_u32_str(ev, s->sf[SF_GROUP_ID], p->egid);
    if (*group)
        event_set_cstr(ev, s->sf[SF_GROUP_NAME], group);
}

/*
 * process.*, process.parent.* and user.* of the process p: the larger part of every event.
 * Built once into a block per (process, parent) and appended from there while neither
 * changes (proc.version; the block references their strings, valid as long as they do).
 * comm names the process only when it has no name (then there is no block).
 */
static void put_actor(struct sensor *s, const struct proc *p, const char *comm)
{
    const struct proc *pp = proc_parent(s->procs, p);
    if (!*p->name) {
        put_process(s, &s->ev, 0, p, comm);
        put_parent(s, &s->ev, p, pp);
        put_user(s, &s->ev, p);
        return;
    }
    struct actor_block *b = NULL;
    for (int i = 0; i < ACTOR_BLOCKS && !b; i++) {
        struct actor_block *c = &s->actors[i];
        if (c->p == p && c->version == p->version && c->pp == pp &&
            c->pversion == (pp ? pp->version : 0))
            b = c;
    }
    if (!b) {
        b = &s->actors[s->actors_next];
        s->actors_next = (s->actors_next + 1) % ACTOR_BLOCKS;
        event_reset(&b->ev);
        put_process(s, &b->ev, 0, p, NULL);
        put_parent(s, &b->ev, p, pp);
        put_user(s, &b->ev, p);
        b->p = p;
        b->version = p->version;
        b->pp = pp;
        b->pversion = pp ? pp->version : 0;
    }
    event_append_ref(&s->ev, &b->ev);
}

/* The fields every event has. */
static void begin(struct sensor *s, const struct vigil_rec_hdr *h, const char *category,
                  const char *type, const char *action)
{
    struct event *ev = &s->ev;
    event_reset(ev);
    ev->ts = (int64_t)h->ktime + s->mono_to_wall;
    ev->seq = ++s->st.events;
    set_time(s, ev, s->sf[SF_TIMESTAMP], ev->ts);
    event_append_ref(ev, &s->host_ev);
    event_set_strv_ref(ev, s->sf[SF_EVENT_CATEGORY], &category, NULL, 1);
    event_set_strv_ref(ev, s->sf[SF_EVENT_TYPE], &type, NULL, 1);
    set_ref(ev, s->sf[SF_EVENT_ACTION], action);
    event_set_long(ev, s->sf[SF_EVENT_SEQUENCE], (int64_t)ev->seq);
}

/* The fields that are the same in every event, once (begin appends them). */
static void host_fields(struct sensor *s)
{
    struct event *ev = &s->host_ev;
    const struct sensor_host *host = &s->host;
    set_ref(ev, s->sf[SF_ECS_VERSION], ECS_VERSION);
    set_ref(ev, s->sf[SF_EVENT_KIND], "event");
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

/* ---- records ---- */

static int on_exec_rec(struct sensor *s, const struct vigil_rec_exec *e, size_t len)
{
    size_t tail = (size_t)e->filename_len + e->exe_len + e->cwd_len + e->argv_len + e->env_len;
    if (sizeof *e + tail > len || e->env_head > e->env_len)
        return -EINVAL;
    const char *t = (const char *)(e + 1);
    char comm[VIGIL_COMM_LEN + 1], filename[VIGIL_PATH_CAP + 1], exe[VIGIL_PATH_CAP + 64],
        cwd[VIGIL_PATH_CAP + 64];
    ecs_comm_str(e->comm, comm);
    size_t fl = strnlen(t, e->filename_len);
    memcpy(filename, t, fl);
    filename[fl] = 0;
    t += e->filename_len;

    exe[0] = 0;
    if (e->h.flags & VIGIL_F_EXE_PRESENT) {
        ecs_join_path(t, e->exe_len, e->h.flags & VIGIL_F_EXE_TRUNC, &s->text);
        ecs_copy_str(exe, sizeof exe, s->text.p);
    }
    if ((!exe[0] || (e->h.flags & VIGIL_F_EXE_TRUNC)) && filename[0] == '/')
        ecs_copy_str(exe, sizeof exe, filename);
    t += e->exe_len;
    cwd[0] = 0;
    if (e->h.flags & VIGIL_F_CWD_PRESENT) {
        ecs_join_path(t, e->cwd_len, e->h.flags & VIGIL_F_CWD_TRUNC, &s->text);
        ecs_copy_str(cwd, sizeof cwd, s->text.p);
    }
    t += e->cwd_len;

    struct proc_exec_info x = {
        .name = filename[0] ? ecs_base_name(filename) : comm,
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
        x.name = ecs_base_name(exe);
    if (!*x.name)
        x.name = comm;
    memcpy(x.std_type, e->std_type, sizeof x.std_type);
    memcpy(x.std_family, e->std_family, sizeof x.std_family);
    char envbuf[2048];
    if ((e->h.flags & VIGIL_F_ENV_PRESENT) && e->env_len) {
        const char *env = t + e->argv_len;
        bool cut = (e->h.flags & VIGIL_F_ENV_TRUNC) != 0;
        buf_reset(&s->text);
        ecs_env_filter(env, e->env_head, false, cut, &s->text);
        if (cut)
            ecs_env_filter(env + e->env_head, e->env_len - e->env_head, true, false, &s->text);
        size_t n = s->text.len < sizeof envbuf ? s->text.len : 0; /* all or nothing */
        if (n)
            memcpy(envbuf, s->text.p, n);
        x.env = envbuf;
        x.env_len = n;
    }
    struct proc *p =
        proc_exec(s->procs, e->h.tgid, e->h.start, e->ppid, e->parent_start, &x, e->h.ktime);

    begin(s, &e->h, "process", "start", "exec");
    put_actor(s, p, comm);
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
    put_actor(s, c, NULL);
    if (c->title[0])
        set_ref(&s->ev, s->sf[SF_PROCESS_TITLE], c->title);
    emit(s);
    return 0;
}

static int on_exit_rec(struct sensor *s, const struct vigil_rec_exit *x)
{
    struct proc *p = proc_exit(s->procs, x->h.tgid, x->h.start, x->exit_code, x->h.ktime);
    begin(s, &x->h, "process", "end", "end");
    put_actor(s, p, NULL);
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

static int on_connect_rec(struct sensor *s, const struct vigil_rec_connect *c)
{
    char comm[VIGIL_COMM_LEN + 1], ip[INET6_ADDRSTRLEN];
    bool v4;
    ecs_comm_str(c->comm, comm);
    bool proxy = (c->h.flags & VIGIL_F_PROXY) && c->proxy_tgid;
    /* both lookups first: proc_get may grow the table, and the event references its strings */
    struct proc *w = proxy ? proc_get(s->procs, c->proxy_tgid, c->proxy_start, c->h.ktime) : NULL;
    struct proc *p = proc_get(s->procs, c->h.tgid, c->h.start, c->h.ktime);
    if (w)
        w = proc_find(s->procs, c->proxy_tgid, c->proxy_start); /* p's lookup may have moved it */
    struct event *ev = &s->ev;

    begin(s, &c->h, "network", "start", "connection_attempted");
    put_actor(s, p, proxy ? NULL : comm); /* comm is the proxy's */
    event_set_long(ev, s->sf[SF_PROCESS_THREAD_ID], c->h.pid);
    if (p->title[0])
        set_ref(ev, s->sf[SF_PROCESS_TITLE], p->title);
    if (w) { /* wineserver made the call for p: keep who did, for forensics */
        event_set_long(ev, s->sf[SF_PROXY_PID], c->proxy_tgid);
        set_ref(ev, s->sf[SF_PROXY_ENTITY_ID], w->entity_id);
        event_set_cstr(ev, s->sf[SF_PROXY_NAME], w->name[0] ? w->name : comm);
        set_nonempty(ev, s->sf[SF_PROXY_EXECUTABLE], w->executable);
    }

    ecs_addr_text(c->family, c->daddr, ip, &v4);
    event_set_ip(ev, s->sf[SF_DST_IP], ip, strlen(ip));
    event_set_long(ev, s->sf[SF_DST_PORT], c->dport);
    set_ref(ev, s->sf[SF_NET_TYPE], v4 ? "ipv4" : "ipv6");
    set_ref(ev, s->sf[SF_NET_DIRECTION], "egress");
    const char *tr = ecs_transport_name(c->sock_type, c->protocol);
    if (tr)
        set_ref(ev, s->sf[SF_NET_TRANSPORT], tr);
    if (c->protocol)
        set_u32_str(ev, s->sf[SF_NET_IANA], c->protocol);
    if ((c->h.flags & VIGIL_F_SADDR) && c->sport) {
        bool sv4;
        ecs_addr_text(c->sfamily, c->saddr, ip, &sv4);
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
