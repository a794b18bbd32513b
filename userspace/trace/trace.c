/* trace.c — normalising unstable fields of recorded traces. See trace.h. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

/* The time every normalised trace starts at: 2000-01-01T00:00:00Z. */
#define NORM_EPOCH_NS 946684800000000000LL

/* A small map from a value's text to its stable replacement number. */
struct stable_map {
    char **keys;
    size_t n, cap;
};

static uint32_t stable_id(struct stable_map *m, const char *key, size_t len)
{
    for (size_t i = 0; i < m->n; i++) /* traces have hundreds of ids, not millions */
        if (strlen(m->keys[i]) == len && memcmp(m->keys[i], key, len) == 0)
            return (uint32_t)i;
    m->keys = xgrow(m->keys, &m->cap, m->n + 1, sizeof *m->keys);
    m->keys[m->n] = xstrndup(key, len);
    return (uint32_t)m->n++;
}

static void stable_clear(struct stable_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
}

struct trace_norm {
    struct stable_map pids, entities, ports;
    int64_t t0;
    bool have_t0;
};

struct trace_norm *trace_norm_new(void)
{
    return xcalloc(1, sizeof(struct trace_norm));
}

void trace_norm_free(struct trace_norm *n)
{
    if (!n)
        return;
    stable_clear(&n->pids);
    stable_clear(&n->entities);
    stable_clear(&n->ports);
    free(n);
}

enum kind { K_KEEP, K_PID, K_ENTITY, K_TIME, K_PORT, K_HOST_ID, K_HOST_NAME };

static enum kind field_kind(const char *name)
{
    static const char *const pid_suffixes[] = {".pid", ".ppid", ".pgid", ".tid", "thread.id",
                                               "session_leader.pid", "group_leader.pid"};
    static const char *const time_fields[] = {"@timestamp", "event.created", "event.ingested",
                                              "event.start", "event.end"};
    for (size_t i = 0; i < ARRAY_LEN(pid_suffixes); i++)
        if (str_has_suffix(name, pid_suffixes[i]))
            return K_PID;
    if (str_has_suffix(name, "entity_id"))
        return K_ENTITY;
    for (size_t i = 0; i < ARRAY_LEN(time_fields); i++)
        if (!strcmp(name, time_fields[i]))
            return K_TIME;
    if (str_has_prefix(name, "process.") && str_has_suffix(name, ".start"))
        return K_TIME; /* process.start, process.parent.start, ... */
    if (!strcmp(name, "source.port"))
        return K_PORT;
    if (!strcmp(name, "host.id") || !strcmp(name, "agent.id"))
        return K_HOST_ID;
    if (!strcmp(name, "host.name") || !strcmp(name, "host.hostname"))
        return K_HOST_NAME;
    return K_KEEP;
}

static int64_t rebase(struct trace_norm *n, int64_t t)
{
    if (!n->have_t0) {
        n->t0 = t;
        n->have_t0 = true;
    }
    return NORM_EPOCH_NS + (t - n->t0);
}

/* Normalise one scalar; returns false to keep it as is. */
static bool norm_scalar(struct trace_norm *n, enum kind k, const struct val *v, struct val *out,
                        struct arena *a)
{
    char tmp[64];
    switch (k) {
    case K_PID:
    case K_PORT: {
        if (v->type != VAL_LONG)
            return false;
        int len = snprintf(tmp, sizeof tmp, "%lld", (long long)v->i);
        struct stable_map *m = k == K_PID ? &n->pids : &n->ports;
        if (v->i <= 1 && k == K_PID)
            return false; /* 0 and init stay what they are */
        uint32_t id = stable_id(m, tmp, (size_t)len);
        *out = (struct val){.type = VAL_LONG, .i = (k == K_PID ? 1000 : 40000) + id};
        return true;
    }
    case K_ENTITY: {
        if (v->type != VAL_STR)
            return false;
        uint32_t id = stable_id(&n->entities, v->s, v->n);
        int len = snprintf(tmp, sizeof tmp, "entity-%u", id + 1);
        *out = (struct val){.type = VAL_STR, .n = (uint32_t)len};
        out->s = arena_strndup(a, tmp, (size_t)len);
        return true;
    }
    case K_TIME: {
        int64_t t;
        if (v->type != VAL_STR || !time_parse_iso8601(v->s, v->n, &t))
            return false;
        time_format_iso8601(rebase(n, t), tmp);
        *out = (struct val){.type = VAL_STR, .n = (uint32_t)strlen(tmp)};
        out->s = arena_strndup(a, tmp, out->n);
        return true;
    }
    case K_HOST_ID:
    case K_HOST_NAME: {
        const char *s = k == K_HOST_ID ? "00000000000000000000000000000000" : "vigil-host";
        *out = (struct val){.type = VAL_STR, .n = (uint32_t)strlen(s), .s = s};
        return true;
    }
    case K_KEEP:
        break;
    }
    return false;
}

void trace_norm_event(struct trace_norm *n, const struct event *ev, struct event *out)
{
    event_reset(out);
    /* @timestamp first, so the first event's time is the trace's origin */
    uint32_t ts_id = fieldtab_find(ev->ft, "@timestamp", 10);
    const struct val *ts = ts_id == FIELD_NONE ? NULL : event_get(ev, ts_id);
    int64_t t;
    if (ts && ts->type == VAL_STR && time_parse_iso8601(ts->s, ts->n, &t))
        rebase(n, t);
    for (uint32_t i = 0; i < ev->n; i++) {
        const char *name = fieldtab_name(ev->ft, ev->f[i].id);
        const struct val *v = &ev->f[i].v;
        enum kind k = field_kind(name);
        struct val nv;
        if (k == K_KEEP) {
            event_set(out, ev->f[i].id, v);
        } else if (v->type == VAL_ARRAY) {
            struct val *items = arena_alloc(&out->arena, sizeof *items * (v->n ? v->n : 1));
            for (uint32_t j = 0; j < v->n; j++)
                if (!norm_scalar(n, k, &v->items[j], &items[j], &out->arena))
                    items[j] = v->items[j];
            struct val arr = {.type = VAL_ARRAY, .n = v->n, .items = items};
            event_set(out, ev->f[i].id, &arr);
        } else if (norm_scalar(n, k, v, &nv, &out->arena)) {
            event_set(out, ev->f[i].id, &nv);
        } else {
            event_set(out, ev->f[i].id, v);
        }
    }
    event_seal(out);
    out->seq = ev->seq;
    if (ts_id != FIELD_NONE) {
        const struct val *nts = event_get(out, ts_id);
        if (nts && nts->type == VAL_STR)
            time_parse_iso8601(nts->s, nts->n, &out->ts);
    }
}
