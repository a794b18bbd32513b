/*
 * alert.c — write an alert as a Kibana-shaped ECS document (layout in alert.h).
 *
 * The source event's fields go through a scratch event (so they nest exactly as the event
 * writer nests them); vigil's own keys are appended after its closing brace. Keys of the source
 * that vigil sets itself (@timestamp, event.kind, kibana.*, vigil.*, tags) are left out of the
 * copy so no key appears twice.
 */
#include <stdio.h>
#include <string.h>

#include "out/alert.h"

static bool reserved(const char *name)
{
    return !strcmp(name, "@timestamp") || !strcmp(name, "event.kind") ||
           !strcmp(name, "tags") || str_has_prefix(name, "kibana.") ||
           str_has_prefix(name, "vigil.") || !strcmp(name, "kibana") || !strcmp(name, "vigil");
}

static bool val_equal(const struct val *a, const struct val *b)
{
    if (a->type != b->type || a->n != b->n)
        return false;
    switch (a->type) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return a->b == b->b;
    case VAL_LONG:
        return a->i == b->i;
    case VAL_DOUBLE:
        return a->d == b->d;
    case VAL_STR:
    case VAL_IP:
        return !memcmp(a->s, b->s, a->n);
    case VAL_ARRAY:
        for (uint32_t i = 0; i < a->n; i++)
            if (!val_equal(&a->items[i], &b->items[i]))
                return false;
        return true;
    default:
        return false;
    }
}

/* Is field id present with the same value in every event? */
static bool shared(const struct alert *a, uint32_t id, const struct val *v)
{
    for (uint32_t k = 1; k < a->n; k++) {
        const struct val *o = event_get(a->events[k], id);
        if (!o || !val_equal(o, v))
            return false;
    }
    return true;
}

static void kv_str(struct buf *b, bool *first, const char *key, const char *s)
{
    if (!s)
        return;
    buf_puts(b, *first ? "" : ",");
    *first = false;
    buf_json_str(b, key, strlen(key));
    buf_putc(b, ':');
    buf_json_str(b, s, strlen(s));
}

static void write_technique(struct buf *b, const struct rule_technique *t)
{
    bool first = true;
    buf_putc(b, '{');
    kv_str(b, &first, "id", t->id);
    kv_str(b, &first, "name", t->name);
    kv_str(b, &first, "reference", t->reference);
    if (t->nsub) {
        buf_puts(b, first ? "\"subtechnique\":[" : ",\"subtechnique\":[");
        for (size_t i = 0; i < t->nsub; i++) {
            if (i)
                buf_putc(b, ',');
            write_technique(b, &t->sub[i]);
        }
        buf_putc(b, ']');
    }
    buf_putc(b, '}');
}

static void write_threat(struct buf *b, const struct rule *r)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < r->nthreat; i++) {
        const struct rule_threat *t = &r->threat[i];
        bool first = true;
        if (i)
            buf_putc(b, ',');
        buf_putc(b, '{');
        kv_str(b, &first, "framework", t->framework);
        if (t->tactic_id || t->tactic_name || t->tactic_reference) {
            bool f2 = true;
            buf_puts(b, first ? "\"tactic\":{" : ",\"tactic\":{");
            first = false;
            kv_str(b, &f2, "id", t->tactic_id);
            kv_str(b, &f2, "name", t->tactic_name);
            kv_str(b, &f2, "reference", t->tactic_reference);
            buf_putc(b, '}');
        }
        buf_puts(b, first ? "\"technique\":[" : ",\"technique\":[");
        for (size_t j = 0; j < t->ntechniques; j++) {
            if (j)
                buf_putc(b, ',');
            write_technique(b, &t->techniques[j]);
        }
        buf_puts(b, "]}");
    }
    buf_putc(b, ']');
}

static void write_strv(struct buf *b, char *const *v, size_t n)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        buf_json_str(b, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
    }
    buf_putc(b, ']');
}

/* Kibana's reason text: "process event with process bash, parent process sshd, by root on
 * web-1 created high alert Some Rule." (the parts the event has) */
static void write_reason(struct buf *b, const struct alert *a)
{
    const struct event *ev = a->events[a->n - 1];
    struct buf t = {0};
    const struct val *cat = event_get_name(ev, "event.category");
    const char *c = NULL;
    if (cat && cat->type == VAL_STR)
        c = cat->s;
    else if (cat && cat->type == VAL_ARRAY && cat->n && cat->items[0].type == VAL_STR)
        c = cat->items[0].s;
    buf_printf(&t, "%s event", a->sequence ? "sequence" : c ? c : "an");
    const char *p = event_get_str(ev, "process.name");
    const char *pp = event_get_str(ev, "process.parent.name");
    const char *u = event_get_str(ev, "user.name");
    const char *h = event_get_str(ev, "host.name");
    bool with = false;
    if (p) {
        buf_printf(&t, " with process %s", p);
        with = true;
    }
    if (pp)
        buf_printf(&t, "%s parent process %s", with ? "," : " with", pp);
    if (u)
        buf_printf(&t, ", by %s", u);
    if (h)
        buf_printf(&t, " on %s", h);
    buf_printf(&t, " created %s alert %s.", a->rule->severity ? a->rule->severity : "an",
               a->rule->name ? a->rule->name : "");
    buf_json_str(b, t.p, t.len);
    buf_clear(&t);
}

/* kibana.alert.original_event: the source's event.* fields (dotted below event.) */
static void write_original_event(struct buf *b, const struct event *ev)
{
    bool first = true;
    buf_putc(b, '{');
    for (uint32_t i = 0; i < ev->n; i++) {
        const char *name = fieldtab_name(ev->ft, ev->f[i].id);
        if (!name || !str_has_prefix(name, "event."))
            continue;
        if (!first)
            buf_putc(b, ',');
        first = false;
        buf_json_str(b, name + 6, strlen(name + 6));
        buf_putc(b, ':');
        val_write_json(&ev->f[i].v, b);
    }
    buf_putc(b, '}');
}

void alert_write_json(struct buf *out, const struct alert *a)
{
    const struct rule *r = a->rule;
    const struct event *first = a->events[0], *last = a->events[a->n - 1];
    struct fieldtab *ft = first->ft;
    struct event tmp;
    event_init(&tmp, ft);

    for (uint32_t i = 0; i < first->n; i++) {
        const struct event_field *f = &first->f[i];
        const char *name = fieldtab_name(ft, f->id);
        if (!name || reserved(name))
            continue;
        if (a->sequence && (str_has_prefix(name, "event.") || !shared(a, f->id, &f->v)))
            continue;
        event_set(&tmp, f->id, &f->v);
    }
    char ts[40];
    if (last->ts) {
        time_format_iso8601(last->ts, ts);
        event_set_cstr(&tmp, fieldtab_intern(ft, "@timestamp", 10), ts);
    }
    event_set_cstr(&tmp, fieldtab_intern(ft, "event.kind", 10), "alert");
    event_seal(&tmp);

    event_write_json(&tmp, out);
    event_clear(&tmp);
    out->len--; /* reopen the object: drop its closing brace */

    /* an id that is stable across replays: rule id + the events' positions and times */
    uint64_t h = hash_bytes(r->rule_id ? r->rule_id : "", r->rule_id ? strlen(r->rule_id) : 0);
    for (uint32_t k = 0; k < a->n; k++) {
        uint64_t x[2] = {a->events[k]->seq, (uint64_t)a->events[k]->ts};
        h ^= hash_bytes(x, sizeof x) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    }
    uint64_t h2 = hash_bytes(&h, sizeof h) ^ hash_bytes(a->view, strlen(a->view));

    bool f = true;
    buf_puts(out, ",\"kibana\":{\"alert\":{\"rule\":{");
    kv_str(out, &f, "name", r->name);
    kv_str(out, &f, "rule_id", r->rule_id);
    kv_str(out, &f, "type", r->type);
    kv_str(out, &f, "language", r->language);
    kv_str(out, &f, "severity", r->severity);
    buf_printf(out, "%s\"risk_score\":%d", f ? "" : ",", r->risk_score);
    f = false;
    kv_str(out, &f, "description", r->description);
    kv_str(out, &f, "version", r->version);
    buf_puts(out, ",\"tags\":");
    write_strv(out, r->tags, r->ntags);
    buf_puts(out, ",\"threat\":");
    write_threat(out, r);
    buf_puts(out, "},");
    f = true;
    kv_str(out, &f, "severity", r->severity);
    buf_printf(out, "%s\"risk_score\":%d,\"reason\":", f ? "" : ",", r->risk_score);
    write_reason(out, a);
    if (first->ts) {
        time_format_iso8601(first->ts, ts);
        buf_printf(out, ",\"original_time\":\"%s\"", ts);
    }
    buf_puts(out, ",\"original_event\":");
    write_original_event(out, a->sequence ? last : first);
    buf_printf(out, ",\"uuid\":\"%016llx%016llx\",\"status\":\"active\","
               "\"workflow_status\":\"open\"}}",
               (unsigned long long)h, (unsigned long long)h2);
    buf_puts(out, ",\"tags\":");
    write_strv(out, r->tags, r->ntags);
    buf_puts(out, ",\"vigil\":{\"view\":");
    buf_json_str(out, a->view, strlen(a->view));
    if (!a->sequence) /* what the view says of itself (vigil.host_adapter …), dotted keys */
        for (uint32_t i = 0; i < first->n; i++) {
            const char *name = fieldtab_name(ft, first->f[i].id);
            if (!name || !str_has_prefix(name, "vigil.") || !strcmp(name, "vigil.view") ||
                str_has_prefix(name, "vigil.sequence"))
                continue;
            buf_putc(out, ',');
            buf_json_str(out, name + 6, strlen(name + 6));
            buf_putc(out, ':');
            val_write_json(&first->f[i].v, out);
        }
    if (a->sequence) {
        buf_puts(out, ",\"sequence\":{\"events\":[");
        for (uint32_t k = 0; k < a->n; k++) {
            if (k)
                buf_putc(out, ',');
            event_write_json(a->events[k], out);
        }
        buf_puts(out, "]}");
    }
    buf_puts(out, "}}\n");
}
