/*
 * test_engine.c — the rule engine: the index reaches a rule iff it could match (indexed run ==
 * brute-force run, alert for alert, over the whole corpus and thousands of generated events),
 * platform views from rule metadata, unsupported types and errors, and the alert document.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "out/alert.h"
#include "t.h"

/* ---- helpers ---- */

/* Alerts recorded as text lines: "rule_id view seq,seq,...". */
struct rec {
    struct buf lines;
    uint32_t n;
};

static void on_alert(void *ud, const struct engine_alert *a)
{
    struct rec *r = ud;
    buf_printf(&r->lines, "%s %s", a->rule->rule_id, engine_view_name(a->view));
    for (uint32_t i = 0; i < a->n; i++)
        buf_printf(&r->lines, "%c%llu", i ? ',' : ' ', (unsigned long long)a->events[i]->seq);
    buf_putc(&r->lines, '\n');
    r->n++;
}

static struct rule *rule_text(const char *toml)
{
    char err[512];
    struct rule *r = rule_load_text("t.toml", toml, strlen(toml), err, sizeof err);
    if (!r)
        t_fail_at(__FILE__, __LINE__, "rule does not load: %s", err);
    return r;
}

/* A rule file around a query. extra: more [rule] keys (tags, index …). */
static char *mkrule(const char *id, const char *type, const char *lang, const char *query,
                    const char *extra)
{
    struct buf b = {0};
    buf_printf(&b,
               "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"rule %s\"\n"
               "rule_id = \"%s\"\ndescription = \"d\"\nrisk_score = 47\nseverity = \"medium\"\n"
               "type = \"%s\"\n",
               id, id, type);
    if (lang)
        buf_printf(&b, "language = \"%s\"\n", lang);
    if (query)
        buf_printf(&b, "query = '''\n%s\n'''\n", query);
    if (extra)
        buf_printf(&b, "%s\n", extra);
    return buf_steal(&b);
}

static enum engine_status add(struct engine *e, const char *id, const char *type,
                              const char *lang, const char *query, const char *extra,
                              struct engine_rule_status *st)
{
    char *t = mkrule(id, type, lang, query, extra);
    struct rule *r = rule_text(t);
    free(t);
    if (!r)
        return ENGINE_RULE_ERROR;
    return engine_add_rule(e, r, st);
}

static void ev_json(struct event *ev, const char *json, uint64_t seq)
{
    char err[200];
    if (event_from_json(ev, json, strlen(json), err, sizeof err) < 0)
        t_fail_at(__FILE__, __LINE__, "bad event JSON: %s", err);
    ev->seq = seq;
}

/* ---- views from metadata ---- */

TEST(engine_views_from_metadata)
{
    struct fieldtab *ft = fieldtab_new();
    struct engine *e = engine_new(ft, NULL);
    struct engine_rule_status st;
    const unsigned L = 1u << ENGINE_VIEW_LINUX, W = 1u << ENGINE_VIEW_WINDOWS,
                   M = 1u << ENGINE_VIEW_MACOS;

    add(e, "v1", "query", "kuery", "process.name : x", "tags = [\"OS: Windows\"]", &st);
    CHECK_INT(st.status, ENGINE_RULE_OK);
    CHECK_INT(st.views, W);
    add(e, "v2", "query", "kuery", "process.name : x", "tags = [\"Windows\"]", &st);
    CHECK_INT(st.views, W);
    add(e, "v3", "query", "kuery", "process.name : x", "index = [\"winlogbeat-*\"]", &st);
    CHECK_INT(st.views, W);
    add(e, "v4", "query", "kuery", "process.name : x",
        "index = [\"logs-endpoint.events.*\"]", &st);
    CHECK_INT(st.views, L | W | M); /* platform-neutral index, no tag: every view */
    add(e, "v5", "eql", "eql", "process where host.os.type == \"linux\" and process.name == \"x\"",
        "tags = [\"OS: Windows\"]", &st);
    CHECK_INT(st.views, L); /* the query's host.os.type wins over the tags */
    add(e, "v6", "query", "kuery", "process.name : x", "tags = [\"OS: Linux\", \"OS: macOS\"]",
        &st);
    CHECK_INT(st.views, L | M);
    add(e, "v7", "query", "kuery", "host.os.type:(linux or macos) and process.name : x", NULL,
        &st);
    CHECK_INT(st.views, L | M);
    add(e, "v8", "query", "kuery", "process.name : x", "index = [\"logs-auditd_manager.auditd-*\"]",
        &st);
    CHECK_INT(st.views, L);
    add(e, "v9", "query", "kuery", "process.name : x", NULL, &st);
    CHECK_INT(st.views, L | W | M);
    engine_free(e);
    fieldtab_free(ft);
}

TEST(engine_views_alert_once_and_say_which)
{
    struct fieldtab *ft = fieldtab_new();
    struct rec rec = {0};
    struct engine_config cfg = {.on_alert = on_alert, .ud = &rec};
    struct engine *e = engine_new(ft, &cfg);
    struct engine_rule_status st;
    /* every view; matches both the Linux and the Windows view of the event */
    add(e, "any", "eql", "eql", "process where process.pid == 42", NULL, &st);
    /* Windows only: the Windows view's name */
    add(e, "win", "eql", "eql", "process where process.name : \"msbuild.exe\"",
        "tags = [\"OS: Windows\"]", &st);
    /* Linux only: would match the Windows view's name too, but does not watch it */
    add(e, "lin", "query", "kuery", "process.name : (make or MSBuild.exe)",
        "tags = [\"OS: Linux\"]", &st);
    struct event lx, win;
    event_init(&lx, ft);
    event_init(&win, ft);
    ev_json(&lx,
            "{\"event\":{\"category\":\"process\"},\"process\":{\"pid\":42,\"name\":\"make\"}}",
            1);
    ev_json(&win, "{\"event\":{\"category\":\"process\"},\"process\":{\"pid\":42,"
                  "\"name\":\"MSBuild.exe\"}}",
            1);
    const struct event *views[ENGINE_VIEW_COUNT] = {&lx, &win, NULL};
    engine_process(e, views);
    CHECK_STR(rec.lines.p, "any linux 1\nlin linux 1\nwin windows 1\n");
    struct engine_stats s;
    engine_get_stats(e, &s);
    CHECK_INT(s.duplicates, 1);
    CHECK_INT(s.alerts, 3);
    event_clear(&lx);
    event_clear(&win);
    engine_free(e);
    fieldtab_free(ft);
    buf_clear(&rec.lines);
}

/* ---- classification ---- */

TEST(engine_unsupported_types_have_reasons)
{
    struct fieldtab *ft = fieldtab_new();
    struct engine *e = engine_new(ft, NULL);
    struct engine_rule_status st;
    static const char *const types[] = {"new_terms", "threshold", "threat_match"};
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        char id[32];
        snprintf(id, sizeof id, "u%zu", i);
        CHECK_INT(add(e, id, types[i], "kuery", "process.name : x", NULL, &st),
                  ENGINE_RULE_UNSUPPORTED);
        CHECK(strstr(st.reason, types[i]) != NULL);
        CHECK(strstr(st.reason, "not supported") != NULL);
    }
    CHECK_INT(add(e, "es", "esql", "esql", "from logs-* | limit 1", NULL, &st),
              ENGINE_RULE_UNSUPPORTED);
    CHECK(strstr(st.reason, "esql") != NULL);
    CHECK_INT(add(e, "ml", "machine_learning", NULL, NULL,
                  "anomaly_threshold = 50\nmachine_learning_job_id = \"j\"", &st),
              ENGINE_RULE_UNSUPPORTED);
    CHECK(strstr(st.reason, "machine_learning") != NULL);
    CHECK_INT(add(e, "lu", "query", "lucene", "process.name:x", NULL, &st),
              ENGINE_RULE_UNSUPPORTED);
    CHECK(strstr(st.reason, "lucene") != NULL);
    /* the KQL of an unsupported type is still compiled: its error shows, with a position */
    CHECK_INT(add(e, "nt", "new_terms", "kuery", "process.name : (a or", NULL, &st),
              ENGINE_RULE_ERROR);
    CHECK(str_has_prefix(st.reason, "t.toml:"));
    /* a query rule with a bad EQL query: file:line:col in the rule file (query on line 13) */
    CHECK_INT(add(e, "bad", "eql", "eql", "process where process.name = \"x\"", NULL, &st),
              ENGINE_RULE_ERROR);
    int line = 0, col = 0;
    CHECK(sscanf(st.reason, "t.toml:%d:%d:", &line, &col) == 2);
    CHECK_INT(line, 13);
    CHECK(col > 1);
    /* the same rule_id twice */
    CHECK_INT(add(e, "dup", "query", "kuery", "a:b", NULL, &st), ENGINE_RULE_OK);
    CHECK_INT(add(e, "dup", "query", "kuery", "a:b", NULL, &st), ENGINE_RULE_ERROR);
    CHECK(strstr(st.reason, "already loaded") != NULL);
    CHECK_INT(engine_rule_count(e), 1);
    engine_free(e);
    fieldtab_free(ft);
}

/* ---- the index against brute force ---- */

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng >> 33) % n);
}

/* Text standing in for a pattern's wildcards, so the event can satisfy it. */
static void fill_pattern(struct buf *b, const struct ir_pattern *p)
{
    buf_reset(b);
    static const char *const junk[] = {"", "x", "/tmp/", "Ab", "1"};
    for (uint32_t i = 0; i < p->n; i++) {
        char c = p->s[i];
        if ((c == '*' && p->kind != PAT_EXACT && p->kind != PAT_REGEX))
            buf_puts(b, junk[rnd(ARRAY_LEN(junk))]);
        else if (c == '?' && p->kind == PAT_WILDCARD)
            buf_putc(b, 'q');
        else
            buf_putc(b, rnd(4) == 0 && c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
    }
    if (!b->p)
        buf_puts(b, "");
}

/* Literal values harvested from the rules' IR: (field, pattern) pairs. */
struct lit {
    const struct ir_query *q;
    uint32_t field, pat;
};

static void harvest(const struct ir_query *q, struct lit **v, size_t *n, size_t *cap)
{
    for (uint32_t i = 0; i < q->nnodes; i++) {
        const struct ir_node *m = &q->nodes[i];
        if (m->op != IR_MATCH || m->a >= q->nnodes || q->nodes[m->a].op != IR_FIELD ||
            (q->nodes[m->a].flags & IR_F_FIELD_GLOB))
            continue;
        for (uint32_t k = 0; k < m->nlist; k++) {
            *v = xgrow(*v, cap, *n + 1, sizeof **v);
            (*v)[(*n)++] = (struct lit){q, q->nodes[m->a].field, q->lists[m->list + k]};
        }
    }
}

static const char *const names[] = {"bash", "sh", "curl", "wget", "nc", "python3", "gcc",
                                    "whoami", "base64", "socat", "crontab", "cat", "sudo",
                                    "ssh", "chmod", "perl", "node", "systemctl", "tar"};
static const char *const args[] = {"-c", "-e", "/bin/sh", "-i", "/dev/tcp/192.0.2.1/4444",
                                   "/etc/shadow", "+x", "/tmp/x", "-d", "http://198.51.100.2/a",
                                   "stop", "auditd", "-o", "import pty", "|", "bash"};

/* Set fields of ev so that it satisfies the positive tests of predicate `node` (an OR takes
 * one random branch; NOT and the rest are left to chance). */
static void satisfy(struct event *ev, const struct ir_query *q, uint32_t node, int depth,
                    struct buf *tmp)
{
    if (node >= q->nnodes || depth > 30)
        return;
    const struct ir_node *n = &q->nodes[node];
    if (n->op == IR_AND) {
        for (uint32_t i = 0; i < n->nlist; i++)
            satisfy(ev, q, q->lists[n->list + i], depth + 1, tmp);
    } else if (n->op == IR_OR && n->nlist) {
        satisfy(ev, q, q->lists[n->list + rnd(n->nlist)], depth + 1, tmp);
    } else if (n->op == IR_MATCH && n->nlist && n->a < q->nnodes &&
               q->nodes[n->a].op == IR_FIELD && !(q->nodes[n->a].flags & IR_F_FIELD_GLOB)) {
        const struct ir_pattern *p = &q->pats[q->lists[n->list + rnd(n->nlist)]];
        uint32_t field = q->nodes[n->a].field;
        if (p->kind == PAT_REGEX || (p->is_cidr && !strchr(p->s, '/')))
            return;
        if (p->is_cidr)
            return;
        fill_pattern(tmp, p);
        if (p->is_num && rnd(2))
            event_set_long(ev, field, (int64_t)p->num);
        else
            event_set_str(ev, field, tmp->p, tmp->len);
    } else if (n->op == IR_EXISTS && n->a < q->nnodes && q->nodes[n->a].op == IR_FIELD &&
               !(q->nodes[n->a].flags & IR_F_FIELD_GLOB)) {
        event_set_str(ev, q->nodes[n->a].field, "present", 7);
    }
}

/* One generated event: a base process or network event plus literals of random rules. */
static void gen_event(struct event *ev, const struct lit *lits, size_t nlits,
                      struct ir_query *const *qs, size_t nqs, uint64_t seq, struct buf *tmp)
{
    struct fieldtab *ft = ev->ft;
    event_reset(ev);
    bool net = rnd(4) == 0;
    const char *cat = net ? "network" : "process";
    event_set_strv(ev, fieldtab_intern(ft, "event.category", 14), &cat, (size_t[]){strlen(cat)},
                   1);
    const char *type = net ? "start" : rnd(5) ? "start" : "end";
    event_set_strv(ev, fieldtab_intern(ft, "event.type", 10), &type, (size_t[]){strlen(type)},
                   1);
    event_set_name_str(ev, "event.action",
                       net ? "connection_attempted" : strcmp(type, "end") ? "exec" : "end");
    event_set_name_str(ev, "host.os.type", "linux");
    event_set_name_str(ev, "host.id", rnd(2) ? "h1" : "h2");
    const char *name = names[rnd(ARRAY_LEN(names))];
    event_set_name_str(ev, "process.name", name);
    char exe[64];
    snprintf(exe, sizeof exe, "%s/%s", rnd(3) ? "/usr/bin" : "/tmp", name);
    event_set_name_str(ev, "process.executable", exe);
    event_set_name_str(ev, "process.parent.name", names[rnd(ARRAY_LEN(names))]);
    char eid[32];
    snprintf(eid, sizeof eid, "e%u", rnd(40));
    event_set_name_str(ev, "process.entity_id", eid);
    event_set_name_str(ev, "process.parent.entity_id", eid + 1);
    event_set_name_str(ev, "user.id", rnd(3) ? "1000" : "0");
    uint32_t na = rnd(4);
    const char *av[5] = {name};
    size_t al[5] = {strlen(name)};
    for (uint32_t i = 0; i < na; i++) {
        av[i + 1] = args[rnd(ARRAY_LEN(args))];
        al[i + 1] = strlen(av[i + 1]);
    }
    event_set_strv(ev, fieldtab_intern(ft, "process.args", 12), av, al, na + 1);
    event_set_long(ev, fieldtab_intern(ft, "process.args_count", 18), na + 1);
    if (net) {
        event_set_ip(ev, fieldtab_intern(ft, "destination.ip", 14), "203.0.113.9", 11);
        event_set_long(ev, fieldtab_intern(ft, "destination.port", 16), rnd(2) ? 4444 : 443);
    }
    /* half the time, try to satisfy a whole stage of a random rule */
    const struct ir_query *q = nqs ? qs[rnd((uint32_t)nqs)] : NULL;
    if (q && q->nstages && rnd(2))
        satisfy(ev, q, q->stages[rnd(q->nstages)].cond, 0, tmp);
    /* literals from random rules: the event now satisfies some of their tests */
    uint32_t nl = rnd(4);
    for (uint32_t i = 0; i < nl && nlits; i++) {
        const struct lit *l = &lits[rnd((uint32_t)nlits)];
        const struct ir_pattern *p = &l->q->pats[l->pat];
        if (p->kind == PAT_REGEX || p->is_cidr)
            continue;
        const char *fname = fieldtab_name(ft, l->field);
        if (!strcmp(fname, "event.category") || !strcmp(fname, "host.os.type"))
            continue;
        fill_pattern(tmp, p);
        if (p->is_num && rnd(2))
            event_set_long(ev, l->field, (int64_t)p->num);
        else
            event_set_str(ev, l->field, tmp->p, tmp->len);
    }
    event_seal(ev);
    ev->ts = 1700000000000000000LL + (int64_t)seq * 1000000LL;
    ev->seq = seq;
}

static struct engine *load_corpus(struct fieldtab *ft, bool brute, struct rec *rec)
{
    struct engine_config cfg = {.on_alert = on_alert, .ud = rec, .brute_force = brute};
    struct engine *e = engine_new(ft, &cfg);
    char dir[4096], err[512];
    snprintf(dir, sizeof dir, "%s/../shared/corpus/detection-rules/rules", t_srcdir());
    struct engine_load_counts lc = {0};
    if (engine_load_path(e, dir, NULL, NULL, &lc, err, sizeof err) < 0) {
        engine_free(e);
        return NULL;
    }
    return e;
}

TEST(engine_index_equals_brute_force_on_corpus)
{
    struct fieldtab *ft = fieldtab_new();
    struct rec ri = {0}, rb = {0};
    struct engine *ei = load_corpus(ft, false, &ri);
    if (!ei) {
        fieldtab_free(ft);
        SKIP("corpus not found beside the project (../shared/corpus/detection-rules)");
    }
    struct engine *eb = load_corpus(ft, true, &rb);
    CHECK(engine_rule_count(ei) > 1400);
    CHECK_INT(engine_rule_count(ei), engine_rule_count(eb));

    struct lit *lits = NULL;
    size_t nlits = 0, cap = 0;
    /* the IR of each loaded rule: compile again (the engine keeps its own privately) */
    struct ir_query **qs = xcalloc(engine_rule_count(ei), sizeof *qs);
    for (size_t i = 0; i < engine_rule_count(ei); i++) {
        const struct rule *r = engine_rule_at(ei, i);
        struct lang_error le;
        int lk = lang_from_name(r->language);
        qs[i] = lk > 0 ? lang_compile(lk, r->query, strlen(r->query), ft, &le) : NULL;
        if (qs[i] && eval_prepare(qs[i], &le) < 0) { /* eval_prepare marks @timestamp fields */
            ir_query_free(qs[i]);
            qs[i] = NULL;
        }
        if (qs[i])
            harvest(qs[i], &lits, &nlits, &cap);
    }
    CHECK(nlits > 10000);

    rng = 12345;
    struct event ev;
    event_init(&ev, ft);
    struct buf tmp = {0};
    for (uint64_t i = 1; i <= 4000; i++) {
        gen_event(&ev, lits, nlits, qs, engine_rule_count(ei), i, &tmp);
        engine_process_linux(ei, &ev);
        engine_process_linux(eb, &ev);
    }
    engine_finish(ei);
    engine_finish(eb);
    struct engine_stats si, sb;
    engine_get_stats(ei, &si);
    engine_get_stats(eb, &sb);
    /* the same alerts, in the same order */
    CHECK(ri.n > 50);
    CHECK_INT(ri.n, rb.n);
    CHECK(ri.lines.p && rb.lines.p && !strcmp(ri.lines.p, rb.lines.p));
    if (ri.lines.p && rb.lines.p && strcmp(ri.lines.p, rb.lines.p)) {
        /* show the first difference */
        const char *a = ri.lines.p, *b = rb.lines.p;
        while (*a && *a == *b)
            a++, b++;
        while (a > ri.lines.p && a[-1] != '\n')
            a--, b--;
        printf("    indexed: %.120s\n    brute:   %.120s\n", a, b);
    }
    /* and the index spared most evaluations */
    CHECK(si.evaluated * 10 < sb.evaluated);
    printf("    %u alerts; %.1f rules evaluated per event with the index, %.1f without\n",
           ri.n, (double)si.evaluated / 4000, (double)sb.evaluated / 4000);
    for (size_t i = 0; i < engine_rule_count(ei); i++)
        ir_query_free(qs[i]);
    free(qs);
    free(lits);
    buf_clear(&tmp);
    event_clear(&ev);
    engine_free(ei);
    engine_free(eb);
    fieldtab_free(ft);
    buf_clear(&ri.lines);
    buf_clear(&rb.lines);
}

/* Each kind of index key: the rule fires exactly on the events it should, indexed or not. */
TEST(engine_index_key_kinds)
{
    static const char *const rules[][3] = {
        {"pre", "eql", "process where process.executable : \"/TMP/*\""},
        {"suf", "eql", "process where process.executable like~ \"*.SH\""},
        {"inf", "eql", "process where process.args : \"*meta-data/iam*\""},
        {"rx", "eql", "process where process.executable regex~ \"/var/run/[a-z]+\\\\.pid\""},
        {"num", "eql", "network where destination.port == 4444"},
        {"numk", "kuery", "destination.port:4444 and event.category:network"},
        {"fn", "eql", "process where startsWith~(process.name, \"PY\") and "
                      "stringContains(process.command_line, \"pty.spawn\")"},
        {"ex", "kuery", "url.path:* and not url.path:/"},
        {"cmp", "eql", "process where process.args_count > 3"},
        {"neg", "eql", "process where process.name != \"bash\""},
        {"star", "kuery", "process.name:*sh"},
        {"seq", "eql", "sequence by host.id [process where process.name == \"curl\"] "
                       "[network where destination.port == 4444]"},
    };
    static const char *const events[] = {
        /* 1 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"executable\":\"/tmp/x\","
                "\"name\":\"x\"}}",
        /* 2 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"executable\":\"/opt/A.Sh\","
                "\"name\":\"bash\"}}",
        /* 3 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"args\":[\"curl\","
                "\"http://169.254.169.254/latest/META-DATA/iam/x\"],\"name\":\"curl\","
                "\"args_count\":2},\"host\":{\"id\":\"h\"}}",
        /* 4 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"executable\":"
                "\"/var/run/crond.pid\"}}",
        /* 5 */ "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":4444},"
                "\"host\":{\"id\":\"h\"}}",
        /* 6 */ "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":\"4444\"}}",
        /* 7 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"python3\","
                "\"command_line\":\"python3 -c import pty;pty.spawn('/bin/sh')\"}}",
        /* 8 */ "{\"url\":{\"path\":\"/x\"}}",
        /* 9 */ "{\"event\":{\"category\":\"process\"},\"process\":{\"args_count\":5,"
                "\"name\":\"dash\"}}",
        /* 10 */ "{\"event\":{\"category\":\"network\"},\"destination\":{\"port\":443}}",
    };
    struct fieldtab *ft = fieldtab_new();
    struct rec rec[2];
    memset(rec, 0, sizeof rec);
    struct engine *e[2];
    for (int b = 0; b < 2; b++) {
        struct engine_config cfg = {.on_alert = on_alert, .ud = &rec[b], .brute_force = b};
        e[b] = engine_new(ft, &cfg);
        for (size_t i = 0; i < ARRAY_LEN(rules); i++) {
            struct engine_rule_status st;
            bool kql = !strcmp(rules[i][1], "kuery");
            CHECK_INT(add(e[b], rules[i][0], kql ? "query" : "eql", rules[i][1], rules[i][2],
                          NULL, &st),
                      ENGINE_RULE_OK);
            if (st.status)
                printf("    %s: %s\n", rules[i][0], st.reason);
        }
    }
    struct event ev;
    event_init(&ev, ft);
    for (size_t i = 0; i < ARRAY_LEN(events); i++) {
        ev_json(&ev, events[i], i + 1);
        ev.ts = (int64_t)(i + 1) * 1000000;
        engine_process_linux(e[0], &ev);
        engine_process_linux(e[1], &ev);
    }
    CHECK_STR(rec[0].lines.p, rec[1].lines.p);
    CHECK_STR(rec[0].lines.p, "pre linux 1\nneg linux 1\n"
                              "suf linux 2\nstar linux 2\n"
                              "inf linux 3\nneg linux 3\n"
                              "rx linux 4\nneg linux 4\n"
                              "num linux 5\nnumk linux 5\nseq linux 3,5\n"
                              "num linux 6\nnumk linux 6\n"
                              "fn linux 7\nneg linux 7\n"
                              "ex linux 8\n"
                              "cmp linux 9\nneg linux 9\nstar linux 9\n");
    struct engine_stats s0, s1;
    engine_get_stats(e[0], &s0);
    engine_get_stats(e[1], &s1);
    CHECK(s0.evaluated < s1.evaluated / 2);
    event_clear(&ev);
    for (int b = 0; b < 2; b++) {
        engine_free(e[b]);
        buf_clear(&rec[b].lines);
    }
    fieldtab_free(ft);
}

/* ---- alerts ---- */

static struct buf alert_buf;

static void on_alert_json(void *ud, const struct engine_alert *a)
{
    (void)ud;
    struct alert al = {.rule = a->rule, .view = engine_view_name(a->view),
                       .sequence = a->kind != IRQ_EVENT, .events = a->events, .n = a->n};
    alert_write_json(&alert_buf, &al);
}

static const cJSON *jpath(const cJSON *o, const char *path)
{
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *k = strtok(tmp, "."); k && o; k = strtok(NULL, "."))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    return o;
}

TEST(engine_alert_document)
{
    struct fieldtab *ft = fieldtab_new();
    struct engine_config cfg = {.on_alert = on_alert_json};
    struct engine *e = engine_new(ft, &cfg);
    struct engine_rule_status st;
    add(e, "r1", "eql", "eql", "process where process.name == \"nc\"",
        "tags = [\"OS: Linux\", \"Tactic: Execution\"]\n"
        "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n"
        "[[rule.threat.technique]]\nid = \"T1059\"\nname = \"Command\"\n"
        "reference = \"https://attack.mitre.org/techniques/T1059/\"\n"
        "[[rule.threat.technique.subtechnique]]\nid = \"T1059.004\"\nname = \"Unix Shell\"\n"
        "reference = \"https://attack.mitre.org/techniques/T1059/004/\"\n"
        "[rule.threat.tactic]\nid = \"TA0002\"\nname = \"Execution\"\n"
        "reference = \"https://attack.mitre.org/tactics/TA0002/\"\n",
        &st);
    CHECK_INT(st.status, ENGINE_RULE_OK);
    add(e, "s1", "eql", "eql",
        "sequence by host.id [process where process.name == \"curl\"] "
        "[network where destination.port == 4444]",
        NULL, &st);
    CHECK_INT(st.status, ENGINE_RULE_OK);
    struct event ev;
    event_init(&ev, ft);
    ev_json(&ev, "{\"@timestamp\":\"2026-01-02T03:04:05Z\",\"event\":{\"kind\":\"event\","
                 "\"category\":[\"process\"],\"action\":\"exec\"},\"host\":{\"id\":\"h1\","
                 "\"name\":\"build-1\"},\"process\":{\"name\":\"nc\"},\"user\":{\"name\":\"ci\"},"
                 "\"tags\":[\"x\"]}",
            7);
    engine_process_linux(e, &ev);
    CHECK(alert_buf.len > 0 && alert_buf.p[alert_buf.len - 1] == '\n');
    CHECK(memchr(alert_buf.p, '\n', alert_buf.len) == alert_buf.p + alert_buf.len - 1);
    cJSON *j = cJSON_Parse(alert_buf.p);
    CHECK(j != NULL);
    CHECK_STR(cJSON_GetStringValue(jpath(j, "event.kind")), "alert");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "event.action")), "exec");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "process.name")), "nc");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "@timestamp")), "2026-01-02T03:04:05.000000000Z");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.rule.name")), "rule r1");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.rule.rule_id")), "r1");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.rule.type")), "eql");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.severity")), "medium");
    CHECK_INT(cJSON_GetNumberValue(jpath(j, "kibana.alert.risk_score")), 47);
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.original_event.kind")), "event");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "vigil.view")), "linux");
    const cJSON *th = cJSON_GetArrayItem(jpath(j, "kibana.alert.rule.threat"), 0);
    CHECK_STR(cJSON_GetStringValue(jpath(th, "tactic.id")), "TA0002");
    const cJSON *tq = cJSON_GetArrayItem(jpath(th, "technique"), 0);
    CHECK_STR(cJSON_GetStringValue(jpath(tq, "id")), "T1059");
    CHECK_STR(cJSON_GetStringValue(jpath(cJSON_GetArrayItem(jpath(tq, "subtechnique"), 0), "id")),
              "T1059.004");
    /* the rule's tags replace the event's */
    CHECK_INT(cJSON_GetArraySize(jpath(j, "tags")), 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(jpath(j, "tags"), 1)), "Tactic: Execution");
    CHECK(strstr(cJSON_GetStringValue(jpath(j, "kibana.alert.reason")), "process nc") != NULL);
    cJSON_Delete(j);

    /* a sequence: the events in order under vigil.sequence.events, shared fields on top */
    buf_reset(&alert_buf);
    ev_json(&ev, "{\"@timestamp\":\"2026-01-02T03:04:06Z\",\"event\":{\"category\":\"process\"},"
                 "\"host\":{\"id\":\"h1\"},\"process\":{\"name\":\"curl\"}}",
            8);
    engine_process_linux(e, &ev);
    ev_json(&ev, "{\"@timestamp\":\"2026-01-02T03:04:07Z\",\"event\":{\"category\":\"network\"},"
                 "\"host\":{\"id\":\"h1\"},\"destination\":{\"port\":4444}}",
            9);
    engine_process_linux(e, &ev);
    j = cJSON_Parse(alert_buf.p ? alert_buf.p : "");
    CHECK(j != NULL);
    CHECK_STR(cJSON_GetStringValue(jpath(j, "kibana.alert.rule.rule_id")), "s1");
    CHECK_STR(cJSON_GetStringValue(jpath(j, "host.id")), "h1");
    CHECK(jpath(j, "process.name") == NULL); /* not shared by both events */
    const cJSON *evs = jpath(j, "vigil.sequence.events");
    CHECK_INT(cJSON_GetArraySize(evs), 2);
    CHECK_STR(cJSON_GetStringValue(jpath(cJSON_GetArrayItem(evs, 0), "process.name")), "curl");
    CHECK_INT(cJSON_GetNumberValue(jpath(cJSON_GetArrayItem(evs, 1), "destination.port")), 4444);
    CHECK_STR(cJSON_GetStringValue(jpath(j, "@timestamp")), "2026-01-02T03:04:07.000000000Z");
    cJSON_Delete(j);
    buf_clear(&alert_buf);
    event_clear(&ev);
    engine_free(e);
    fieldtab_free(ft);
}

/* Sequence state stays under max_pending; evictions are counted. */
TEST(engine_sequence_memory_bound)
{
    struct fieldtab *ft = fieldtab_new();
    struct engine_config cfg = {.max_pending = 16};
    struct engine *e = engine_new(ft, &cfg);
    struct engine_rule_status st;
    add(e, "s", "eql", "eql",
        "sequence by process.entity_id [process where process.name == \"a\"] "
        "[process where process.name == \"b\"]",
        NULL, &st);
    CHECK_INT(st.status, ENGINE_RULE_OK);
    struct event ev;
    event_init(&ev, ft);
    for (int i = 0; i < 100; i++) {
        char j[200];
        snprintf(j, sizeof j, "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"a\","
                              "\"entity_id\":\"p%d\"}}", i);
        ev_json(&ev, j, (uint64_t)i + 1);
        ev.ts = (i + 1) * 1000LL;
        engine_process_linux(e, &ev);
    }
    struct engine_stats s;
    engine_get_stats(e, &s);
    CHECK(s.seq_pending <= 16);
    CHECK_INT(s.seq_pending + s.seq_evicted, 100);
    event_clear(&ev);
    engine_free(e);
    fieldtab_free(ft);
}

/* Samples run in bounded windows: a sample completes within a window, not across. */
TEST(engine_sample_windows)
{
    struct fieldtab *ft = fieldtab_new();
    struct rec rec = {0};
    struct engine_config cfg = {.on_alert = on_alert, .ud = &rec, .sample_window_events = 4};
    struct engine *e = engine_new(ft, &cfg);
    struct engine_rule_status st;
    add(e, "smp", "eql", "eql",
        "sample by host.id [process where process.name == \"a\"] "
        "[process where process.name == \"b\"]",
        NULL, &st);
    CHECK_INT(st.status, ENGINE_RULE_OK);
    /* window 1: a(h1) b(h1) a(h2) a(h3); window 2: b(h2) — too late for h2's a */
    static const char *const evs[][2] = {{"a", "h1"}, {"b", "h1"}, {"a", "h2"}, {"a", "h3"},
                                         {"b", "h2"}};
    struct event ev;
    event_init(&ev, ft);
    for (size_t i = 0; i < ARRAY_LEN(evs); i++) {
        char j[200];
        snprintf(j, sizeof j, "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"%s\"},"
                              "\"host\":{\"id\":\"%s\"}}", evs[i][0], evs[i][1]);
        ev_json(&ev, j, i + 1);
        ev.ts = (int64_t)(i + 1) * 1000;
        engine_process_linux(e, &ev);
    }
    engine_finish(e);
    CHECK_STR(rec.lines.p, "smp linux 1,2\n");
    struct engine_stats s;
    engine_get_stats(e, &s);
    CHECK_INT(s.sample_windows, 1);
    event_clear(&ev);
    engine_free(e);
    fieldtab_free(ft);
    buf_clear(&rec.lines);
}
