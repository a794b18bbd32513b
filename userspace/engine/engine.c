/*
 * engine.c — rules in, alerts out: classify and compile rules, pick their views, build one
 * index per view, and run the rules an event reaches. See engine.h for the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/engine_int.h"

static const char *const view_names[ENGINE_VIEW_COUNT] = {"linux", "windows", "macos"};

const char *engine_view_name(enum engine_view v)
{
    return (unsigned)v < ENGINE_VIEW_COUNT ? view_names[v] : "?";
}

struct eng_rule {
    struct rule *r;
    struct ir_query *q;
    unsigned views;
    bool fast;         /* plain event query: eval_pred directly, no eval_run */
    bool indexed;
    uint64_t evals, alerts, ticks; /* for engine_dump_rules */
    uint64_t last_gen; /* engine_process call that last alerted, to alert once per event */
    uint8_t last_view;
};

/* One (rule, view) pair: what an index entry id stands for. */
struct entry {
    uint32_t rule;
    struct eval_run *run; /* sequences, samples, pipes */
    /* gated sequences: per stage, when a fed event last met it (0: never; see stage_useful) */
    int64_t *seen;
    /* gated sequences: the current event's stage predicates evaluated so far (per stage, then
     * until: enum tri or EVAL_UNKNOWN), valid while known_gen is the engine's gen */
    uint8_t *known;
    uint64_t known_gen;
    uint32_t fed;         /* samples: events fed in the current window */
    int64_t win_start;    /* samples: @timestamp that opened the window */
};

struct view_state {
    struct entry *entries;
    uint32_t n;
    struct index ix;
};

struct engine {
    struct fieldtab *ft;
    struct engine_config cfg;
    struct eng_rule *rules;
    size_t nrules, cap;
    bool sealed;
    struct view_state views[ENGINE_VIEW_COUNT];
    struct engine_stats st;
    uint64_t gen;
    uint32_t f_os_type; /* field id of host.os.type */
    struct eval_dir dir; /* the current event's fields by id (every id the rules use) */
    /* the rule whose eval_run is being fed (for the match callback) */
    uint32_t cur_rule;
    uint8_t cur_view;
    bool flushing; /* results of a closing window or of the stream's end: no same-event dedupe */
};

struct engine *engine_new(struct fieldtab *ft, const struct engine_config *cfg)
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->ft = ft;
    if (cfg)
        e->cfg = *cfg;
    if (!e->cfg.max_pending)
        e->cfg.max_pending = 1024;
    if (!e->cfg.sample_window_ns)
        e->cfg.sample_window_ns = 5 * 60 * 1000000000LL;
    if (!e->cfg.sample_window_events)
        e->cfg.sample_window_events = 4 * e->cfg.max_pending;
    e->f_os_type = fieldtab_intern(ft, "host.os.type", strlen("host.os.type"));
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    for (int v = 0; v < ENGINE_VIEW_COUNT; v++) {
        struct view_state *vs = &e->views[v];
        for (uint32_t i = 0; i < vs->n; i++) {
            eval_run_free(vs->entries[i].run);
            free(vs->entries[i].seen);
            free(vs->entries[i].known);
        }
        free(vs->entries);
        index_clear(&vs->ix);
    }
    eval_dir_clear(&e->dir);
    for (size_t i = 0; i < e->nrules; i++) {
        ir_query_free(e->rules[i].q);
        rule_free(e->rules[i].r);
    }
    free(e->rules);
    free(e);
}

/* ---- classifying and compiling ---- */

static const struct {
    const char *type, *why;
} unsupported_types[] = {
    {"new_terms", "rule type new_terms is not supported: it alerts on values not seen in a "
                  "history window, which needs stored history"},
    {"threshold", "rule type threshold is not supported: it counts events over a time window "
                  "(aggregation)"},
    {"threat_match", "rule type threat_match is not supported: it joins events with a threat "
                     "indicator index"},
    {"esql", "rule type esql is not supported: ES|QL is not implemented"},
    {"machine_learning", "rule type machine_learning is not supported: it reads the results of "
                         "an Elastic ML job"},
};

/* Platforms a tag or an index pattern names. */
static unsigned tag_views(const char *t)
{
    if (!strcasecmp(t, "Windows") || !strcasecmp(t, "OS: Windows"))
        return 1u << ENGINE_VIEW_WINDOWS;
    if (!strcasecmp(t, "Linux") || !strcasecmp(t, "OS: Linux"))
        return 1u << ENGINE_VIEW_LINUX;
    if (!strcasecmp(t, "macOS") || !strcasecmp(t, "OS: macOS"))
        return 1u << ENGINE_VIEW_MACOS;
    return 0;
}

/* Index patterns that only hold one platform's data; the rest (logs-endpoint.events.*,
 * endgame-*, auditbeat-*, filebeat-*, logs-crowdstrike.*, …) are platform-neutral. */
static unsigned index_views(const char *pat)
{
    static const struct {
        const char *prefix;
        unsigned views;
    } tab[] = {
        {"winlogbeat-", 1u << ENGINE_VIEW_WINDOWS},
        {"logs-windows.", 1u << ENGINE_VIEW_WINDOWS},
        {"logs-system.security", 1u << ENGINE_VIEW_WINDOWS},
        {"logs-system.application", 1u << ENGINE_VIEW_WINDOWS},
        {"logs-system.system", 1u << ENGINE_VIEW_WINDOWS},
        {"logs-auditd_manager.", 1u << ENGINE_VIEW_LINUX},
        {"logs-auditd.", 1u << ENGINE_VIEW_LINUX},
        {"logs-system.auth", 1u << ENGINE_VIEW_LINUX},
        {"logs-system.syslog", 1u << ENGINE_VIEW_LINUX},
        {"logs-cloud_defend.", 1u << ENGINE_VIEW_LINUX},
    };
    for (size_t i = 0; i < ARRAY_LEN(tab); i++)
        if (!strncasecmp(pat, tab[i].prefix, strlen(tab[i].prefix)))
            return tab[i].views;
    return 0;
}

/* host.os.type values the query requires, as views; 0 when it requires none we know. */
static unsigned query_views(struct engine *e, const struct ir_query *q)
{
    unsigned views = 0;
    uint32_t nst = q->kind == IRQ_EVENT ? (q->nstages ? 1 : 0) : q->nstages;
    for (uint32_t i = 0; i < nst; i++) {
        struct cond c;
        cond_of_node(q, q->stages[i].cond, e->f_os_type, &c);
        unsigned sv = 0;
        bool known = !c.any && c.n > 0;
        for (uint32_t k = 0; k < c.n && known; k++) {
            const struct atom *a = &c.atoms[k];
            if (a->kind != ATOM_EXACT)
                known = false;
            else if (!strcmp(a->s, "linux"))
                sv |= 1u << ENGINE_VIEW_LINUX;
            else if (!strcmp(a->s, "windows"))
                sv |= 1u << ENGINE_VIEW_WINDOWS;
            else if (!strcmp(a->s, "macos"))
                sv |= 1u << ENGINE_VIEW_MACOS;
            else
                known = false;
        }
        cond_clear(&c);
        if (known)
            views |= sv;
    }
    return views;
}

static unsigned rule_views(struct engine *e, const struct rule *r, const struct ir_query *q)
{
    unsigned v = q ? query_views(e, q) : 0;
    if (v)
        return v;
    for (size_t i = 0; i < r->ntags; i++)
        if (r->tags[i])
            v |= tag_views(r->tags[i]);
    for (size_t i = 0; i < r->nindex; i++)
        if (r->index[i])
            v |= index_views(r->index[i]);
    return v ? v : ENGINE_VIEWS_ALL;
}

static void set_query_error(const struct rule *r, const struct lang_error *err,
                            struct engine_rule_status *st)
{
    int line = 0, col = 0;
    st->status = ENGINE_RULE_ERROR;
    if (rule_query_position(r, err->off, &line, &col))
        snprintf(st->reason, sizeof st->reason, "%s:%d:%d: %s", r->path, line, col, err->msg);
    else
        snprintf(st->reason, sizeof st->reason, "%s: query: %s", r->path, err->msg);
}

/* Classify r and compile its query; *qout gets the IR of an ok rule (caller owns it). */
static enum engine_status check(struct engine *e, const struct rule *r,
                                struct engine_rule_status *st, struct ir_query **qout)
{
    memset(st, 0, sizeof *st);
    *qout = NULL;
    const char *type = r->type ? r->type : "";
    const char *lang = r->language;
    const char *why = NULL;
    char buf[200];

    for (size_t i = 0; i < ARRAY_LEN(unsupported_types); i++)
        if (!strcmp(type, unsupported_types[i].type))
            why = unsupported_types[i].why;
    bool runnable = !strcmp(type, "query") || !strcmp(type, "eql");
    if (!why && !runnable) {
        snprintf(buf, sizeof buf, "rule type %s is not supported", *type ? type : "(none)");
        why = buf;
    }
    int lk = lang ? lang_from_name(lang) : -1;
    if (!why && lk < 0) {
        snprintf(buf, sizeof buf, "language %s is not supported (only kuery and eql are)",
                 lang ? lang : "(none)");
        why = buf;
    }
    if (lk > 0 && r->query) {
        struct lang_error err;
        memset(&err, 0, sizeof err);
        struct ir_query *q = lang_compile((enum lang_kind)lk, r->query, strlen(r->query), e->ft,
                                          &err);
        if (!q) {
            set_query_error(r, &err, st);
            return st->status;
        }
        if (!why) {
            memset(&err, 0, sizeof err);
            if (eval_prepare(q, &err) < 0) {
                ir_query_free(q);
                set_query_error(r, &err, st);
                return st->status;
            }
        }
        st->views = rule_views(e, r, q);
        if (why)
            ir_query_free(q);
        else
            *qout = q;
    } else if (!why) {
        st->status = ENGINE_RULE_ERROR;
        snprintf(st->reason, sizeof st->reason, "%s: rule of type %s has no query", r->path,
                 type);
        return st->status;
    } else {
        st->views = rule_views(e, r, NULL);
    }
    if (why) {
        st->status = ENGINE_RULE_UNSUPPORTED;
        snprintf(st->reason, sizeof st->reason, "%s", why);
    }
    return st->status;
}

enum engine_status engine_check_rule(struct engine *e, const struct rule *r,
                                     struct engine_rule_status *st)
{
    struct ir_query *q;
    check(e, r, st, &q);
    ir_query_free(q);
    return st->status;
}

static const struct eng_rule *find_rule_id(const struct engine *e, const char *id)
{
    for (size_t i = 0; id && i < e->nrules; i++)
        if (e->rules[i].r->rule_id && !strcmp(e->rules[i].r->rule_id, id))
            return &e->rules[i];
    return NULL;
}

/* check + duplicate test; keeps r and q when ok, else frees q (r stays the caller's). */
static enum engine_status add(struct engine *e, struct rule *r, struct engine_rule_status *st,
                              struct ir_query **q)
{
    if (check(e, r, st, q) != ENGINE_RULE_OK)
        return st->status;
    const struct eng_rule *dup = find_rule_id(e, r->rule_id);
    if (dup || e->sealed) {
        st->status = ENGINE_RULE_ERROR;
        if (dup)
            snprintf(st->reason, sizeof st->reason, "%s: rule_id %s is already loaded from %s",
                     r->path, r->rule_id, dup->r->path);
        else
            snprintf(st->reason, sizeof st->reason, "%s: rules cannot be added once events "
                     "were processed", r->path);
        ir_query_free(*q);
        *q = NULL;
    }
    return st->status;
}

static void keep(struct engine *e, struct rule *r, struct ir_query *q, unsigned views)
{
    e->rules = xgrow(e->rules, &e->cap, e->nrules + 1, sizeof *e->rules);
    struct eng_rule *er = &e->rules[e->nrules++];
    memset(er, 0, sizeof *er);
    if (!e->cfg.keep_doc) { /* the parsed file is most of a rule's memory; alerts need none */
        toml_free(r->doc);
        r->doc = NULL;
        r->query_value = NULL;
    }
    er->r = r;
    er->q = q;
    er->views = views;
    er->fast = q->kind == IRQ_EVENT && q->npipes == 0 && q->nstages >= 1;
}

enum engine_status engine_add_rule(struct engine *e, struct rule *r,
                                   struct engine_rule_status *st)
{
    struct ir_query *q;
    if (add(e, r, st, &q) == ENGINE_RULE_OK)
        keep(e, r, q, st->views);
    else
        rule_free(r);
    return st->status;
}

int engine_load_path(struct engine *e, const char *path, engine_load_fn cb, void *ud,
                     struct engine_load_counts *counts, char *err, size_t errlen)
{
    char **paths = NULL;
    size_t npaths = 0;
    if (rule_find_files(path, &paths, &npaths, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < npaths; i++) {
        struct engine_rule_status st;
        memset(&st, 0, sizeof st);
        struct rule *r = rule_load_file(paths[i], st.reason, sizeof st.reason);
        struct ir_query *q = NULL;
        if (!r)
            st.status = ENGINE_RULE_ERROR;
        else
            add(e, r, &st, &q);
        if (cb)
            cb(ud, paths[i], r, &st);
        if (counts) {
            counts->files++;
            if (st.status == ENGINE_RULE_OK)
                counts->ok++;
            else if (st.status == ENGINE_RULE_UNSUPPORTED)
                counts->unsupported++;
            else
                counts->errors++;
        }
        if (st.status == ENGINE_RULE_OK)
            keep(e, r, q, st.views);
        else
            rule_free(r);
        free(paths[i]);
    }
    free(paths);
    return 0;
}

/* ---- building the views' indexes ---- */

/*
 * The conditions a rule is indexed under. A sequence whose first stage is an ordinary one
 * (not `![...]`) is indexed twice: under its first stage (an event that can start it) and
 * under its other stages and until (an event that matters only while something is pending).
 */
struct rule_conds {
    struct cond first[INDEX_PLANES], rest;
    uint32_t nfirst;
    bool gated, any;
};

static void rule_conds(const struct eng_rule *er, struct rule_conds *rc)
{
    memset(rc, 0, sizeof *rc);
    const struct ir_query *q = er->q;
    rc->gated = q->kind == IRQ_SEQUENCE && q->nstages >= 2 && !q->stages[0].missing;
    if (q->nstages && (q->kind == IRQ_EVENT || rc->gated)) {
        rc->nfirst = cond_planes(q, q->stages[0].cond, rc->first, INDEX_PLANES);
        if (rc->gated)
            cond_of_stages(q, 1, q->nstages, true, &rc->rest);
    } else {
        cond_of_query(q, &rc->first[0]);
        rc->nfirst = 1;
    }
    rc->any = rc->first[0].any;
}

static void rule_conds_clear(struct rule_conds *rc)
{
    for (uint32_t p = 0; p < INDEX_PLANES; p++)
        cond_clear(&rc->first[p]);
    cond_clear(&rc->rest);
}

static void seal(struct engine *e)
{
    if (e->sealed)
        return;
    e->sealed = true;
    /* rules are compiled: every field id they use is below the count now */
    eval_dir_init(&e->dir, fieldtab_count(e->ft));
    struct eval_limits lim = {.max_pending = e->cfg.max_pending};
    struct rule_conds *conds = xcalloc(e->nrules ? e->nrules : 1, sizeof *conds);
    for (size_t i = 0; i < e->nrules; i++) {
        rule_conds(&e->rules[i], &conds[i]);
        e->rules[i].indexed = !conds[i].any && !e->cfg.brute_force;
    }
    struct cond any = {.any = true};
    for (int v = 0; v < ENGINE_VIEW_COUNT; v++) {
        struct view_state *vs = &e->views[v];
        uint32_t n = 0;
        for (size_t i = 0; i < e->nrules; i++)
            n += (e->rules[i].views >> v) & 1;
        vs->entries = xcalloc(n ? n : 1, sizeof *vs->entries);
        /* ids [0, n): the entries; from the next word boundary on, the same again: ids that
         * reach a gated sequence only while it has something pending */
        uint32_t rest = (n + 63) / 64 * 64;
        index_init(&vs->ix, rest + n, INDEX_PLANES);
        uint32_t plane = vs->ix.nwords * 64; /* id distance between planes */
        for (size_t i = 0; i < e->nrules; i++) {
            struct eng_rule *er = &e->rules[i];
            if (!((er->views >> v) & 1))
                continue;
            uint32_t id = vs->n++;
            struct entry *en = &vs->entries[id];
            en->rule = (uint32_t)i;
            if (!er->fast)
                en->run = eval_run_new(er->q, &lim);
            const struct rule_conds *rc = &conds[i];
            if (rc->gated && !e->cfg.brute_force) {
                en->seen = xcalloc(er->q->nstages, sizeof *en->seen);
                en->known = xmalloc(er->q->nstages + 1);
            }
            for (uint32_t p = 0; p < INDEX_PLANES; p++) {
                bool use = !e->cfg.brute_force && p < rc->nfirst;
                index_add(&vs->ix, p * plane + id, use ? &rc->first[p] : &any);
                /* the "while pending" id needs only its own condition, in plane 0 */
                if (rc->gated && !e->cfg.brute_force)
                    index_add(&vs->ix, p * plane + rest + id, p == 0 ? &rc->rest : &any);
            }
            e->st.entries++;
            if (!er->indexed)
                e->st.fallback++;
        }
        index_finish(&vs->ix);
        e->st.atoms += (uint32_t)vs->ix.n;
    }
    for (size_t i = 0; i < e->nrules; i++)
        rule_conds_clear(&conds[i]);
    free(conds);
    e->st.rules = (uint32_t)e->nrules;
}

/* ---- running ---- */

static void emit(struct engine *e, uint32_t rule, uint8_t view, const struct event *const *evs,
                 uint32_t n)
{
    struct eng_rule *er = &e->rules[rule];
    if (!e->flushing && er->last_gen == e->gen && er->last_view != view) {
        e->st.duplicates++;
        return;
    }
    er->last_gen = e->gen;
    er->last_view = view;
    er->alerts++;
    e->st.alerts++;
    if (e->cfg.on_alert) {
        struct engine_alert a = {
            .rule = er->r, .view = (enum engine_view)view, .kind = er->q->kind,
            .events = evs, .n = n,
        };
        e->cfg.on_alert(e->cfg.ud, &a);
    }
}

static void on_match(void *ud, const struct eval_match *m)
{
    struct engine *e = ud;
    emit(e, e->cur_rule, e->cur_view, m->events, m->n);
}

static void run_entry(struct engine *e, struct view_state *vs, uint32_t id, uint8_t view,
                      struct eval_shared *sh);

static void run_entry_profiled(struct engine *e, struct view_state *vs, uint32_t id,
                               uint8_t view, struct eval_shared *sh)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    run_entry(e, vs, id, view, sh);
    clock_gettime(CLOCK_MONOTONIC, &b);
    e->rules[vs->entries[id].rule].ticks +=
        (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
}

/* The event time, for stage bookkeeping: never 0 (0 means "never seen"). */
static int64_t seen_ts(const struct event *ev)
{
    return ev->ts ? ev->ts : 1;
}

/* The predicate of stage k of a gated sequence (nstages: until) on the current event,
 * evaluated once for stage_useful, stage_note and the run together. */
static enum tri stage_pred(struct engine *e, struct entry *en, const struct ir_query *q,
                           uint32_t k, const struct event *ev)
{
    if (en->known_gen != e->gen) {
        memset(en->known, EVAL_UNKNOWN, q->nstages + 1);
        en->known_gen = e->gen;
    }
    if (en->known[k] == EVAL_UNKNOWN) {
        uint32_t cond = k < q->nstages ? q->stages[k].cond : q->until.cond;
        en->known[k] = (uint8_t)eval_pred_dir(q, cond, ev, &e->dir);
    }
    return (enum tri)en->known[k];
}

/*
 * Note which stages of a gated sequence a fed event meets. Over-approximate on purpose (a
 * stage counted as met when it was not only makes stage_useful feed more): every fed event
 * counts for the first stage, no test needed; the middle stages are tested; the last stage
 * needs no note (seen[k] is read only for stage k + 1).
 */
static void stage_note(struct engine *e, struct entry *en, const struct ir_query *q,
                       const struct event *ev)
{
    en->seen[0] = seen_ts(ev);
    for (uint32_t k = 1; k + 1 < q->nstages; k++)
        if (stage_pred(e, en, q, k, ev) == TRI_TRUE)
            en->seen[k] = seen_ts(ev);
}

/*
 * An event that cannot start a gated sequence (it only met the index condition of its later
 * stages or until): worth feeding only if something is pending and, for some later stage k it
 * meets, an event met the positive stage before k within maxspan — a partial waiting for
 * stage k needs one. `until` and missing stages end or drop partials: fed whenever something
 * is pending.
 */
static bool stage_useful(struct engine *e, struct entry *en, const struct event *ev)
{
    struct eval_stats es;
    eval_run_stats(en->run, &es);
    if (!es.pending)
        return false;
    const struct ir_query *q = e->rules[en->rule].q;
    if (q->has_until && stage_pred(e, en, q, q->nstages, ev) == TRI_TRUE)
        return true;
    int64_t prev = 0; /* when the positive stage before k was last met */
    for (uint32_t k = 0; k < q->nstages; k++) {
        const struct ir_stage *st = &q->stages[k];
        if (k > 0 && (prev || st->missing) && stage_pred(e, en, q, k, ev) == TRI_TRUE) {
            if (st->missing)
                return true;
            if (!q->maxspan_ns || !ev->ts || ev->ts - prev <= q->maxspan_ns)
                return true;
        }
        if (!st->missing)
            prev = en->seen[k];
    }
    return false;
}

/*
 * A sample keeps every event that fills a stage for some key until the end of the stream;
 * live, that grows without end. So samples run over tumbling windows (like Kibana, which runs
 * a rule over its lookback window at each interval): when a window is full (in time or in
 * events fed), its completed samples are emitted and its partial ones dropped (counted).
 */
static void sample_window(struct engine *e, struct entry *en, uint8_t view,
                          const struct event *ev)
{
    if (en->fed && en->fed < e->cfg.sample_window_events &&
        ev->ts - en->win_start <= e->cfg.sample_window_ns)
        return;
    if (en->fed) {
        struct eval_limits lim = {.max_pending = e->cfg.max_pending};
        e->cur_rule = en->rule;
        e->cur_view = view;
        e->flushing = true;
        eval_run_finish(en->run, on_match, e);
        e->flushing = false;
        eval_run_free(en->run);
        en->run = eval_run_new(e->rules[en->rule].q, &lim);
        e->st.sample_windows++;
    }
    en->fed = 0;
    en->win_start = ev->ts;
}

/* sh: the input event, cloned at most once for all the rules that keep it */
static void run_entry(struct engine *e, struct view_state *vs, uint32_t id, uint8_t view,
                      struct eval_shared *sh)
{
    const struct event *ev = sh->src;
    struct entry *en = &vs->entries[id];
    struct eng_rule *er = &e->rules[en->rule];
    e->st.evaluated++;
    er->evals++;
    if (er->fast) {
        if (eval_pred_dir(er->q, er->q->stages[0].cond, ev, &e->dir) == TRI_TRUE)
            emit(e, en->rule, view, &ev, 1);
        return;
    }
    if (er->q->kind == IRQ_SAMPLE) {
        sample_window(e, en, view, ev);
        en->fed++;
    }
    if (en->seen)
        stage_note(e, en, er->q, ev);
    e->cur_rule = en->rule;
    e->cur_view = view;
    const uint8_t *known = en->known && en->known_gen == e->gen ? en->known : NULL;
    eval_run_feed_known(en->run, sh, known, on_match, e);
}

void engine_process(struct engine *e, const struct event *const views[ENGINE_VIEW_COUNT])
{
    seal(e);
    e->gen++;
    e->st.events++;
    for (int v = 0; v < ENGINE_VIEW_COUNT; v++) {
        const struct event *ev = views[v];
        struct view_state *vs = &e->views[v];
        if (!ev || !vs->n)
            continue;
        index_lookup(&vs->ix, ev);
        eval_dir_fill(&e->dir, ev);
        uint64_t *cand = vs->ix.cand;
        uint32_t half = (vs->n + 63) / 64; /* words of the entry ids; then the "rest" ids */
        for (uint32_t w = 0; w < half; w++) {
            /* bit of id in the second half: a sequence this event can only advance */
            uint64_t rest = cand[half + w];
            while (rest) {
                uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(rest);
                rest &= rest - 1;
                if (!(cand[w] >> (id % 64) & 1) && stage_useful(e, &vs->entries[id], ev))
                    cand[w] |= 1ULL << (id % 64);
            }
        }
        struct eval_shared sh;
        eval_shared_init(&sh, ev);
        sh.dir = &e->dir;
        for (uint32_t w = 0; w < half; w++) {
            uint64_t bits = cand[w];
            while (bits) {
                uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(bits);
                bits &= bits - 1;
                if (e->cfg.profile)
                    run_entry_profiled(e, vs, id, (uint8_t)v, &sh);
                else
                    run_entry(e, vs, id, (uint8_t)v, &sh);
            }
        }
        eval_shared_release(&sh);
        eval_dir_unfill(&e->dir, ev);
    }
}

void engine_process_linux(struct engine *e, const struct event *ev)
{
    const struct event *views[ENGINE_VIEW_COUNT] = {0};
    views[ENGINE_VIEW_LINUX] = ev;
    engine_process(e, views);
}

void engine_finish(struct engine *e)
{
    seal(e);
    e->gen++;
    e->flushing = true;
    for (int v = 0; v < ENGINE_VIEW_COUNT; v++) {
        struct view_state *vs = &e->views[v];
        for (uint32_t i = 0; i < vs->n; i++) {
            if (!vs->entries[i].run)
                continue;
            e->cur_rule = vs->entries[i].rule;
            e->cur_view = (uint8_t)v;
            eval_run_finish(vs->entries[i].run, on_match, e);
        }
    }
    e->flushing = false;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
    *st = e->st;
    st->rules = (uint32_t)e->nrules;
    st->seq_pending = st->seq_evicted = 0;
    for (int v = 0; v < ENGINE_VIEW_COUNT; v++) {
        const struct view_state *vs = &e->views[v];
        for (uint32_t i = 0; i < vs->n; i++) {
            if (!vs->entries[i].run)
                continue;
            struct eval_stats es;
            eval_run_stats(vs->entries[i].run, &es);
            st->seq_pending += es.pending;
            st->seq_evicted += es.evicted;
        }
    }
}

size_t engine_rule_count(const struct engine *e)
{
    return e->nrules;
}

const struct rule *engine_rule_at(const struct engine *e, size_t i)
{
    return i < e->nrules ? e->rules[i].r : NULL;
}

static int cmp_evals(const void *a, const void *b)
{
    const struct eng_rule *x = *(const struct eng_rule *const *)a;
    const struct eng_rule *y = *(const struct eng_rule *const *)b;
    uint64_t a1 = x->ticks ? x->ticks : x->evals, b1 = y->ticks ? y->ticks : y->evals;
    return a1 < b1 ? 1 : a1 > b1 ? -1 : 0;
}

void engine_dump_rules(const struct engine *e, struct buf *out, size_t max)
{
    static const char *const atom_op[ATOM_KIND_COUNT] = {"==", "^=", "$=", " exists", " contains "};
    const struct eng_rule **v = xcalloc(e->nrules ? e->nrules : 1, sizeof *v);
    for (size_t i = 0; i < e->nrules; i++)
        v[i] = &e->rules[i];
    qsort(v, e->nrules, sizeof *v, cmp_evals);
    for (size_t i = 0; i < e->nrules && i < max; i++) {
        const struct eng_rule *er = v[i];
        struct cond c;
        cond_of_query(er->q, &c);
        buf_printf(out, "%10llu evals %6llu alerts %6.0f ns/eval  views %x  %s%s\n    ",
                   (unsigned long long)er->evals, (unsigned long long)er->alerts,
                   er->evals ? (double)er->ticks / (double)er->evals : 0.0, er->views,
                   er->fast ? "" : "[seq] ",
                   er->r->name ? er->r->name : "?");
        if (c.any)
            buf_puts(out, "(fallback: no necessary literal)");
        for (uint32_t k = 0; k < c.n && k < 12; k++)
            buf_printf(out, "%s%s%s%s%s", k ? " | " : "", fieldtab_name(e->ft, c.atoms[k].field),
                       atom_op[c.atoms[k].kind],
                       c.atoms[k].s, "");
        if (c.n > 12)
            buf_printf(out, " | ... (%u atoms)", c.n);
        buf_putc(out, '\n');
        cond_clear(&c);
    }
    free(v);
}
