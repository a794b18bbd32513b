/* ruletest.c — running rule tests. See ruletest.h for the file format. */
#include "ruletest/ruletest.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "event/event.h"
#include "rules/rules.h"
#include "toml/toml.h"
#include "view/view.h"

#define MAX_SHOWN 20 /* alerts listed in a failure report */

/* An alert kept for checking after the run. */
struct got_alert {
    const struct rule *rule;
    enum engine_view view;
    struct event **events;
    uint32_t n;
};

struct run {
    struct got_alert *alerts;
    size_t n, cap;
};

static void on_alert(void *ud, const struct engine_alert *a)
{
    struct run *run = ud;
    run->alerts = xgrow(run->alerts, &run->cap, run->n + 1, sizeof *run->alerts);
    struct got_alert *g = &run->alerts[run->n++];
    g->rule = a->rule;
    g->view = a->view;
    g->n = a->n;
    g->events = xcalloc(a->n ? a->n : 1, sizeof *g->events);
    for (uint32_t i = 0; i < a->n; i++)
        g->events[i] = a->events[i] ? event_clone(a->events[i]) : NULL;
}

static void run_clear(struct run *run)
{
    for (size_t i = 0; i < run->n; i++) {
        for (uint32_t j = 0; j < run->alerts[i].n; j++)
            event_free(run->alerts[i].events[j]);
        free(run->alerts[i].events);
    }
    free(run->alerts);
}

/* "dir of file" + "/" + rel, unless rel is absolute. */
static void resolve(const char *file, const char *rel, char *out, size_t n)
{
    if (rel[0] == '/') {
        snprintf(out, n, "%s", rel);
        return;
    }
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", file);
    snprintf(out, n, "%s/%s", dirname(tmp), rel);
}

/* ---- does an event have the expected field values? ---- */

static bool scalar_equals(const struct val *v, const struct toml_value *want)
{
    char tmp[32];
    size_t wn;
    const char *ws = toml_as_str(want, &wn);
    int64_t wi;
    bool wb;
    switch (v->type) {
    case VAL_STR:
        return ws && v->n == wn && memcmp(v->s, ws, wn) == 0;
    case VAL_IP: {
        uint8_t a[16];
        return ws && ip_parse(ws, wn, a) && memcmp(a, v->ip, 16) == 0;
    }
    case VAL_LONG:
        if (toml_as_int(want, &wi))
            return wi == v->i;
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->i);
        return ws && strlen(tmp) == wn && memcmp(tmp, ws, wn) == 0;
    case VAL_BOOL:
        return toml_as_bool(want, &wb) && wb == v->b;
    case VAL_DOUBLE: {
        double d;
        return toml_as_float(want, &d) && d == v->d;
    }
    default:
        return false;
    }
}

static bool field_equals(const struct event *ev, const char *name, const struct toml_value *want)
{
    const struct val *v = event_get_name(ev, name);
    if (!v)
        return false;
    if (v->type != VAL_ARRAY)
        return scalar_equals(v, want);
    for (uint32_t i = 0; i < v->n; i++)
        if (scalar_equals(&v->items[i], want))
            return true;
    return false;
}

/* Does alert g satisfy the [[alert]] table's view and events? */
static bool alert_fits(const struct got_alert *g, const struct toml_value *exp)
{
    const char *view = toml_as_str(toml_get(exp, "view"), NULL);
    if (view && strcmp(view, engine_view_name(g->view)) != 0)
        return false;
    const struct toml_value *events = toml_get(exp, "events");
    size_t ne = toml_array_len(events);
    if (ne > g->n)
        return false;
    for (size_t i = 0; i < ne; i++) {
        const struct toml_value *want = toml_array_at(events, i);
        for (size_t k = 0; k < toml_table_len(want); k++) {
            const struct toml_kv *kv = toml_table_at(want, k);
            if (!g->events[i] || !field_equals(g->events[i], kv->key, kv->val))
                return false;
        }
    }
    return true;
}

/* ---- reporting ---- */

static void describe_event(const struct event *ev, struct buf *out)
{
    static const char *const fields[] = {"event.action", "process.name", "process.args",
                                         "process.parent.name", "destination.ip",
                                         "destination.port"};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        const struct val *v = event_get_name(ev, fields[i]);
        if (!v)
            continue;
        buf_printf(out, " %s=", fields[i]);
        val_write_json(v, out);
    }
}

static void describe_alert(const struct got_alert *g, struct buf *out)
{
    buf_printf(out, "      %s \"%s\" [%s]\n", g->rule->rule_id, g->rule->name,
               engine_view_name(g->view));
    for (uint32_t i = 0; i < g->n; i++) {
        buf_puts(out, "        event:");
        if (g->events[i])
            describe_event(g->events[i], out);
        buf_putc(out, '\n');
    }
}

static void describe_expect(const struct toml_value *exp, struct buf *out)
{
    const struct toml_value *events = toml_get(exp, "events");
    const char *view = toml_as_str(toml_get(exp, "view"), NULL);
    if (view)
        buf_printf(out, " in the %s view", view);
    for (size_t i = 0; i < toml_array_len(events); i++) {
        buf_printf(out, "\n        event %zu:", i + 1);
        const struct toml_value *want = toml_array_at(events, i);
        for (size_t k = 0; k < toml_table_len(want); k++) {
            const struct toml_kv *kv = toml_table_at(want, k);
            buf_printf(out, " %s=", kv->key);
            toml_to_json(out, kv->val);
        }
    }
}

/* ---- loading a test ---- */

struct test_file {
    struct toml_doc *doc;
    const struct toml_value *test, *alerts, *no_alerts;
    const char *name;
};

static int fail_at(const struct test_file *t, const struct toml_value *v, const char *path,
                   struct buf *out, const char *what)
{
    int line = 1, col = 1;
    if (v)
        toml_value_pos(t->doc, v, &line, &col);
    buf_printf(out, "FAIL %s\n    %s:%d:%d: %s\n", path, path, line, col, what);
    return RULETEST_ERROR;
}

/* Check the shape of the file; returns 0 or RULETEST_ERROR with the report written. */
static int validate(struct test_file *t, const char *path, struct buf *out)
{
    const struct toml_value *root = toml_root(t->doc);
    t->test = toml_get(root, "test");
    if (!t->test || t->test->type != TOML_TABLE)
        return fail_at(t, root, path, out, "expected a [test] table");
    t->name = toml_as_str(toml_get(t->test, "name"), NULL);
    const struct toml_value *trace = toml_get(t->test, "trace");
    if (!trace)
        return fail_at(t, t->test, path, out, "expected `trace` in [test]");
    if (trace->type == TOML_ARRAY) {
        for (size_t i = 0; i < toml_array_len(trace); i++)
            if (!toml_as_str(toml_array_at(trace, i), NULL))
                return fail_at(t, toml_array_at(trace, i), path, out,
                               "expected a trace file name (string)");
    } else if (!toml_as_str(trace, NULL)) {
        return fail_at(t, trace, path, out, "expected `trace` to be a string or array");
    }
    const struct toml_value *rules = toml_get(t->test, "rules");
    for (size_t i = 0; rules && i < toml_array_len(rules); i++)
        if (!toml_as_str(toml_array_at(rules, i), NULL))
            return fail_at(t, toml_array_at(rules, i), path, out, "expected a rule path");
    if (rules && rules->type != TOML_ARRAY)
        return fail_at(t, rules, path, out, "expected `rules` to be an array of paths");
    t->alerts = toml_get(root, "alert");
    t->no_alerts = toml_get(root, "no_alert");
    if (!t->alerts && !t->no_alerts)
        return fail_at(t, t->test, path, out, "expected [[alert]] or [[no_alert]] entries");
    const struct toml_value *lists[2] = {t->alerts, t->no_alerts};
    for (int l = 0; l < 2; l++) {
        if (!lists[l])
            continue;
        if (lists[l]->type != TOML_ARRAY)
            return fail_at(t, lists[l], path, out, "expected an array of tables ([[...]])");
        for (size_t i = 0; i < toml_array_len(lists[l]); i++) {
            const struct toml_value *e = toml_array_at(lists[l], i);
            int64_t count;
            if (e->type != TOML_TABLE || !toml_as_str(toml_get(e, "rule_id"), NULL))
                return fail_at(t, e, path, out, "expected `rule_id` (string)");
            const struct toml_value *c = toml_get(e, "count");
            if (c && (!toml_as_int(c, &count) || count < 0))
                return fail_at(t, c, path, out, "expected `count` to be an integer >= 0");
            const struct toml_value *ev = toml_get(e, "events");
            if (ev && ev->type != TOML_ARRAY)
                return fail_at(t, ev, path, out, "expected `events` to be an array of tables");
            for (size_t k = 0; ev && k < toml_array_len(ev); k++)
                if (toml_array_at(ev, k)->type != TOML_TABLE)
                    return fail_at(t, toml_array_at(ev, k), path, out,
                                   "expected a table of field = value");
        }
    }
    return 0;
}

struct load_report {
    struct buf *notes;
};

static void on_rule(void *ud, const char *path, const struct rule *r,
                    const struct engine_rule_status *st)
{
    struct load_report *lr = ud;
    if (st->status == ENGINE_RULE_ERROR)
        buf_printf(lr->notes, "    rule error: %s\n", st->reason);
    (void)path;
    (void)r;
}

/* ---- running ---- */

static int load_rules(struct engine *e, const struct test_file *t, const char *path,
                      const struct ruletest_opts *opts, struct buf *notes)
{
    struct load_report lr = {notes};
    char err[512], full[PATH_MAX];
    struct engine_load_counts counts = {0};
    const struct toml_value *rules = toml_get(t->test, "rules");
    size_t n = rules ? toml_array_len(rules) : opts->nrules;
    if (n == 0) {
        buf_puts(notes, "    no rules to test (give --rules or `rules` in [test])\n");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (rules)
            resolve(path, toml_as_str(toml_array_at(rules, i), NULL), full, sizeof full);
        else
            snprintf(full, sizeof full, "%s", opts->rules[i]);
        if (engine_load_path(e, full, on_rule, &lr, &counts, err, sizeof err) < 0) {
            buf_printf(notes, "    %s\n", err);
            return -1;
        }
    }
    return 0;
}

static int feed_traces(struct engine *e, struct fieldtab *ft, const struct view_maps *maps,
                       const struct test_file *t, const char *path, struct buf *notes)
{
    const struct toml_value *trace = toml_get(t->test, "trace");
    size_t n = trace->type == TOML_ARRAY ? toml_array_len(trace) : 1;
    struct event ev, win;
    event_init(&ev, ft);
    event_init(&win, ft);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct toml_value *tv = trace->type == TOML_ARRAY ? toml_array_at(trace, i) : trace;
        char full[PATH_MAX];
        resolve(path, toml_as_str(tv, NULL), full, sizeof full);
        struct ndjson_reader *r = ndjson_open(full, ft);
        if (!r) {
            buf_printf(notes, "    %s: %s\n", full, strerror(errno));
            rc = -1;
            break;
        }
        ndjson_set_quiet(r, true);
        while (ndjson_next(r, &ev) == 1) {
            const struct event *views[ENGINE_VIEW_COUNT] = {&ev};
            if (maps && view_windows(maps, &ev, &win) == 1)
                views[ENGINE_VIEW_WINDOWS] = &win;
            engine_process(e, views);
        }
        if (ndjson_bad_lines(r))
            buf_printf(notes, "    note: %s: %llu malformed line(s) skipped\n", full,
                       (unsigned long long)ndjson_bad_lines(r));
        ndjson_close(r);
    }
    engine_finish(e);
    event_clear(&ev);
    event_clear(&win);
    return rc;
}

/* Compare what was raised with what was expected; appends reasons to `why`. */
static bool check(const struct test_file *t, const struct run *run, struct buf *why)
{
    bool ok = true;
    for (size_t i = 0; i < toml_array_len(t->alerts); i++) {
        const struct toml_value *exp = toml_array_at(t->alerts, i);
        const char *id = toml_as_str(toml_get(exp, "rule_id"), NULL);
        int64_t want = -1;
        toml_as_int(toml_get(exp, "count"), &want);
        size_t got = 0;
        for (size_t k = 0; k < run->n; k++)
            if (!strcmp(run->alerts[k].rule->rule_id, id) && alert_fits(&run->alerts[k], exp))
                got++;
        if (want < 0 ? got == 0 : (int64_t)got != want) {
            ok = false;
            if (want < 0)
                buf_printf(why, "    expected: at least 1 alert of %s", id);
            else
                buf_printf(why, "    expected: %lld alert(s) of %s", (long long)want, id);
            describe_expect(exp, why);
            buf_printf(why, "\n    got:      %zu\n", got);
        }
    }
    for (size_t i = 0; i < toml_array_len(t->no_alerts); i++) {
        const char *id = toml_as_str(toml_get(toml_array_at(t->no_alerts, i), "rule_id"), NULL);
        bool any = !strcmp(id, "*");
        for (size_t k = 0; k < run->n; k++) {
            const char *rid = run->alerts[k].rule->rule_id;
            bool listed = false;
            for (size_t j = 0; any && j < toml_array_len(t->alerts); j++)
                listed |= !strcmp(rid, toml_as_str(toml_get(toml_array_at(t->alerts, j),
                                                             "rule_id"), NULL));
            if (any ? !listed : !strcmp(rid, id)) {
                ok = false;
                buf_printf(why, "    expected: no alert of %s\n    got:      %s \"%s\"\n",
                           any ? "any unlisted rule" : id, rid, run->alerts[k].rule->name);
                break;
            }
        }
    }
    return ok;
}

enum ruletest_result ruletest_run(const char *path, const struct ruletest_opts *opts,
                                  struct buf *out)
{
    char err[512];
    struct test_file t = {0};
    t.doc = toml_parse_file(path, err, sizeof err);
    if (!t.doc) {
        buf_printf(out, "FAIL %s\n    %s\n", path, err);
        return RULETEST_ERROR;
    }
    if (validate(&t, path, out) != 0) {
        toml_free(t.doc);
        return RULETEST_ERROR;
    }
    struct buf notes = {0}, why = {0};
    struct run run = {0};
    struct fieldtab *ft = fieldtab_new();
    struct engine_config cfg = {.on_alert = on_alert, .ud = &run};
    struct engine *e = engine_new(ft, &cfg);
    struct view_maps *maps = NULL;
    if (opts->mappings) {
        maps = view_maps_load(opts->mappings, err, sizeof err);
        if (!maps)
            buf_printf(&notes, "    mappings: %s\n", err);
    }
    enum ruletest_result res = RULETEST_ERROR;
    if ((!opts->mappings || maps) && load_rules(e, &t, path, opts, &notes) == 0 &&
        feed_traces(e, ft, maps, &t, path, &notes) == 0)
        res = check(&t, &run, &why) ? RULETEST_PASS : RULETEST_FAIL;

    buf_printf(out, "%s %s%s%s\n", res == RULETEST_PASS ? "PASS" : "FAIL", path,
               t.name ? ": " : "", t.name ? t.name : "");
    if (why.len)
        buf_append(out, why.p, why.len);
    if (notes.len)
        buf_append(out, notes.p, notes.len);
    if ((res != RULETEST_PASS || opts->verbose) && res != RULETEST_ERROR) {
        buf_printf(out, "    alerts raised: %zu\n", run.n);
        for (size_t i = 0; i < run.n && i < MAX_SHOWN; i++)
            describe_alert(&run.alerts[i], out);
        if (run.n > MAX_SHOWN)
            buf_printf(out, "      ... and %zu more\n", run.n - MAX_SHOWN);
    }
    buf_clear(&notes);
    buf_clear(&why);
    engine_free(e); /* after the report: alerts point at its rules */
    run_clear(&run);
    view_maps_free(maps);
    fieldtab_free(ft);
    toml_free(t.doc);
    return res;
}

/* ---- finding tests ---- */

static bool is_test_file(const char *path)
{
    char err[256];
    struct toml_doc *doc = toml_parse_file(path, err, sizeof err);
    bool yes = doc && toml_get(toml_root(doc), "test") != NULL;
    toml_free(doc);
    return yes || !doc; /* a broken file is reported by ruletest_run, not skipped */
}

int ruletest_find(const char *path, char ***paths, size_t *npaths, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t start = *npaths;
    if (rule_find_files(path, paths, npaths, err, errlen) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return 0; /* a file named is taken as is */
    /* in a tree, the TOML files that are tests (rule files live beside them) */
    size_t keep = start;
    for (size_t i = start; i < *npaths; i++) {
        if (is_test_file((*paths)[i]))
            (*paths)[keep++] = (*paths)[i];
        else
            free((*paths)[i]);
    }
    *npaths = keep;
    return 0;
}
