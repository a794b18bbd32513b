/* proc.c — the process table. See proc.h. Procfs reading (seed, sweep) is in proc_seed.c. */
#include "proc/proc.h"
#include "proc/proc_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#define NIL UINT32_MAX

static const char empty[] = "";

struct proc_table *proc_table_new(const uint8_t host_id[16], const struct proc_limits *limits)
{
    struct proc_table *t = xcalloc(1, sizeof *t);
    memcpy(t->host_id, host_id, 16);
    t->linger_ns = limits && limits->linger_ns ? limits->linger_ns : 30ull * 1000000000ull;
    t->max_exited = limits && limits->max_exited ? limits->max_exited : 16384;
    long hz = sysconf(_SC_CLK_TCK);
    t->tick_ns = 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
    t->nbuckets = 4096;
    t->buckets = xmalloc(t->nbuckets * sizeof *t->buckets);
    for (uint32_t i = 0; i < t->nbuckets; i++)
        t->buckets[i] = NIL;
    t->free_head = NIL;
    return t;
}

void proc_table_free(struct proc_table *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->npool; i++)
        free(t->pool[i].store);
    free(t->pool);
    free(t->buckets);
    free(t);
}

/* ---- identity ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = 0;
}

static void entity_id_ticks(const uint8_t host_id[16], uint32_t pid, uint64_t ticks, char *out)
{
    uint8_t raw[28];
    memcpy(raw, host_id, 16);
    for (int i = 0; i < 4; i++)
        raw[16 + i] = (uint8_t)(pid >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        raw[20 + i] = (uint8_t)(ticks >> (56 - 8 * i));
    base64(raw, sizeof raw, out);
}

void proc_entity_id(const uint8_t host_id[16], uint32_t pid, uint64_t start,
                    char out[PROC_ENTITY_ID_LEN + 1])
{
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t tick = 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
    entity_id_ticks(host_id, pid, start / tick, out);
}

bool proc_host_id_parse(const char *text, size_t len, uint8_t out[16])
{
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    if (len != 32)
        return false;
    for (size_t i = 0; i < 16; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = text[2 * i + k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return false;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    return true;
}

/* ---- lookup ---- */

static uint32_t bucket_of(const struct proc_table *t, uint32_t pid)
{
    return (pid * 2654435761u) & (t->nbuckets - 1);
}

static bool same_start(const struct proc_table *t, uint64_t a, uint64_t b)
{
    return a / t->tick_ns == b / t->tick_ns;
}

static uint32_t find_idx(const struct proc_table *t, uint32_t pid, uint64_t start)
{
    for (uint32_t i = t->buckets[bucket_of(t, pid)]; i != NIL; i = t->pool[i].next) {
        const struct proc *p = &t->pool[i];
        if (p->pid == pid && (!start || same_start(t, p->start, start)))
            return i;
    }
    return NIL;
}

struct proc *proc_find(struct proc_table *t, uint32_t pid, uint64_t start)
{
    uint32_t i = find_idx(t, pid, start);
    return i == NIL ? NULL : &t->pool[i];
}

struct proc *proc_parent(struct proc_table *t, const struct proc *p)
{
    if (!p->ppid)
        return NULL;
    return proc_find(t, p->ppid, p->pstart);
}

/* ---- lifecycle of entries ---- */

static void clear_exec(struct proc *p)
{
    p->has_exec = false;
    p->name = p->executable = p->filename = p->cwd = empty;
    p->argv = empty;
    p->argv_len = 0;
    p->argc = 0;
    p->args_truncated = false;
    p->uid = p->gid = p->euid = p->egid = 0;
    p->env = empty;
    p->env_len = 0;
    memset(p->std_type, 0, sizeof p->std_type);
    memset(p->std_family, 0, sizeof p->std_family);
}

static struct proc *add(struct proc_table *t, uint32_t pid, uint64_t start)
{
    uint32_t i;
    if (t->free_head != NIL) {
        i = t->free_head;
        t->free_head = t->pool[i].next;
    } else {
        if (t->npool == t->cap) {
            size_t cap = t->cap;
            t->pool = xgrow(t->pool, &cap, t->npool + 1, sizeof *t->pool);
            t->cap = (uint32_t)cap;
        }
        i = t->npool++;
        t->pool[i].store = NULL;
        t->pool[i].store_cap = 0;
    }
    struct proc *p = &t->pool[i];
    char *store = p->store;
    size_t store_cap = p->store_cap;
    memset(p, 0, sizeof *p);
    p->store = store;
    p->store_cap = store_cap;
    p->used = true;
    p->version = ++t->versions;
    p->pid = pid;
    p->start = start;
    entity_id_ticks(t->host_id, pid, start / t->tick_ns, p->entity_id);
    clear_exec(p);
    uint32_t b = bucket_of(t, pid);
    p->next = t->buckets[b];
    t->buckets[b] = i;
    t->live++;
    return p;
}

static void release_parent(struct proc_table *t, struct proc *p)
{
    if (!p->holds_ref)
        return;
    p->holds_ref = false;
    struct proc *pp = proc_find(t, p->ppid, p->pstart);
    if (pp && pp->nchildren)
        pp->nchildren--;
}

static void set_parent(struct proc_table *t, struct proc *p, uint32_t ppid, uint64_t pstart)
{
    if (!ppid)
        return;
    if (p->ppid == ppid && p->holds_ref && same_start(t, p->pstart, pstart))
        return;
    p->version = ++t->versions;
    release_parent(t, p);
    p->ppid = ppid;
    struct proc *pp = proc_find(t, ppid, pstart);
    if (pp) {
        p->pstart = pp->start;
        memcpy(p->parent_entity_id, pp->entity_id, sizeof p->parent_entity_id);
        if (!p->exited) {
            pp->nchildren++;
            p->holds_ref = true;
        }
    } else if (pstart) {
        p->pstart = pstart;
        entity_id_ticks(t->host_id, ppid, pstart / t->tick_ns, p->parent_entity_id);
    } else {
        p->pstart = 0;
        p->parent_entity_id[0] = 0;
    }
}

static void mark_exited(struct proc_table *t, struct proc *p, uint32_t code, uint64_t now)
{
    if (p->exited)
        return;
    p->exited = true; /* no new version: the exit changes nothing an event shows of p */
    p->exit_ns = now;
    p->exit_code = code;
    release_parent(t, p);
    t->live--;
    t->exited++;
}

static void remove_idx(struct proc_table *t, uint32_t i)
{
    struct proc *p = &t->pool[i];
    uint32_t *link = &t->buckets[bucket_of(t, p->pid)];
    while (*link != i)
        link = &t->pool[*link].next;
    *link = p->next;
    if (p->exited)
        t->exited--;
    else {
        release_parent(t, p);
        t->live--;
    }
    p->used = false;
    p->next = t->free_head;
    t->free_head = i;
}

struct proc *proc_get(struct proc_table *t, uint32_t pid, uint64_t start, uint64_t now)
{
    struct proc *p = proc_find(t, pid, start);
    if (p)
        return p;
    /* a live entry with this pid but another start time has exited unseen */
    for (uint32_t i = t->buckets[bucket_of(t, pid)]; i != NIL; i = t->pool[i].next)
        if (t->pool[i].pid == pid && !t->pool[i].exited)
            mark_exited(t, &t->pool[i], 0, now);
    return add(t, pid, start);
}

/* A fork's copy of its parent's exec info, into its own store. */
static void copy_exec(struct proc_table *t, struct proc *dst, const struct proc *src)
{
    if (!src->has_exec) {
        clear_exec(dst);
        return;
    }
    struct proc_exec_info x = {
        .name = src->name,
        .executable = src->executable,
        .filename = src->filename,
        .cwd = src->cwd,
        .argv = src->argv,
        .argv_len = src->argv_len,
        .args_truncated = src->args_truncated,
        .uid = src->uid,
        .gid = src->gid,
        .euid = src->euid,
        .egid = src->egid,
        .env = src->env,
        .env_len = src->env_len,
    };
    memcpy(x.std_type, src->std_type, sizeof x.std_type);
    memcpy(x.std_family, src->std_family, sizeof x.std_family);
    proc_set_exec(t, dst, &x);
}

struct proc *proc_fork(struct proc_table *t, uint32_t ppid, uint64_t pstart, uint32_t pid,
                       uint64_t start, uint64_t now)
{
    struct proc *c = proc_get(t, pid, start, now);
    set_parent(t, c, ppid, pstart);
    struct proc *pp = proc_find(t, ppid, pstart);
    if (pp && !c->has_exec) {
        c->version = ++t->versions; /* copy_exec may find nothing to copy */
        copy_exec(t, c, pp);
        memcpy(c->title, pp->title, sizeof c->title); /* after: proc_set_exec clears it */
    }
    return c;
}

static uint32_t count_args(const char *argv, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (argv[i] == 0)
            c++;
    if (n && argv[n - 1] != 0)
        c++; /* a last argument cut by truncation */
    return c;
}

void proc_set_exec(struct proc_table *t, struct proc *p, const struct proc_exec_info *x)
{
    p->version = ++t->versions;
    const char *parts[4] = {x->name ? x->name : "", x->executable ? x->executable : "",
                            x->filename ? x->filename : "", x->cwd ? x->cwd : ""};
    size_t env_len = x->env ? x->env_len : 0;
    size_t lens[4], need = x->argv_len + 1 + env_len + 1;
    for (int k = 0; k < 4; k++)
        need += (lens[k] = strlen(parts[k])) + 1;
    if (p->store_cap < need) {
        p->store = xrealloc(p->store, need);
        p->store_cap = need;
    }
    char *w = p->store;
    const char **out[4] = {&p->name, &p->executable, &p->filename, &p->cwd};
    for (int k = 0; k < 4; k++) {
        memcpy(w, parts[k], lens[k] + 1);
        *out[k] = w;
        w += lens[k] + 1;
    }
    if (x->argv_len)
        memcpy(w, x->argv, x->argv_len);
    w[x->argv_len] = 0;
    p->argv = w;
    p->argv_len = x->argv_len;
    w += x->argv_len + 1;
    if (env_len)
        memcpy(w, x->env, env_len);
    w[env_len] = 0;
    p->env = w;
    p->env_len = env_len;
    memcpy(p->std_type, x->std_type, sizeof p->std_type);
    memcpy(p->std_family, x->std_family, sizeof p->std_family);
    p->argc = count_args(x->argv, x->argv_len);
    p->args_truncated = x->args_truncated;
    p->uid = x->uid;
    p->gid = x->gid;
    p->euid = x->euid;
    p->egid = x->egid;
    p->has_exec = true;
    p->title[0] = 0; /* a name set before exec does not survive it */
}

struct proc *proc_exec(struct proc_table *t, uint32_t pid, uint64_t start, uint32_t ppid,
                       uint64_t pstart, const struct proc_exec_info *x, uint64_t now)
{
    struct proc *p = proc_get(t, pid, start, now);
    if (ppid)
        set_parent(t, p, ppid, pstart);
    proc_set_exec(t, p, x);
    return p;
}

struct proc *proc_exit(struct proc_table *t, uint32_t pid, uint64_t start, uint32_t code,
                       uint64_t now)
{
    struct proc *p = proc_get(t, pid, start, now);
    mark_exited(t, p, code, now);
    return p;
}

void proc_set_title(struct proc_table *t, uint32_t pid, uint64_t start, const char *title)
{
    struct proc *p = proc_find(t, pid, start);
    if (!p)
        return;
    size_t n = strnlen(title, PROC_TITLE_MAX);
    p->version = ++t->versions;
    memcpy(p->title, title, n);
    p->title[n] = 0;
}

void proc_mark_gone(struct proc_table *t, struct proc *p, uint64_t now)
{
    mark_exited(t, p, 0, now);
}

static int cmp_exit(const void *a, const void *b, void *arg)
{
    const struct proc *pool = arg;
    uint64_t x = pool[*(const uint32_t *)a].exit_ns, y = pool[*(const uint32_t *)b].exit_ns;
    return x < y ? -1 : x > y;
}

size_t proc_expire(struct proc_table *t, uint64_t now)
{
    size_t removed = 0;
    for (uint32_t i = 0; i < t->npool; i++) {
        struct proc *p = &t->pool[i];
        if (p->used && p->exited && !p->nchildren && now - p->exit_ns >= t->linger_ns) {
            remove_idx(t, i);
            removed++;
        }
    }
    if (t->exited <= t->max_exited)
        return removed;
    /* over the bound: drop the oldest exited ones, parents of live processes included */
    uint32_t *idx = xmalloc(t->exited * sizeof *idx), n = 0;
    for (uint32_t i = 0; i < t->npool; i++)
        if (t->pool[i].used && t->pool[i].exited)
            idx[n++] = i;
    qsort_r(idx, n, sizeof *idx, cmp_exit, t->pool);
    for (uint32_t k = 0; k < n && t->exited > t->max_exited; k++) {
        remove_idx(t, idx[k]);
        removed++;
    }
    free(idx);
    return removed;
}

void proc_counts(const struct proc_table *t, size_t *live, size_t *exited)
{
    if (live)
        *live = t->live;
    if (exited)
        *exited = t->exited;
}
