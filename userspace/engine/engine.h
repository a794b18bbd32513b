/*
 * engine.h — many rules at once: compile each rule's query, decide which platform views it
 * watches, index the rules by the literal values an event must carry for them to match, run
 * them over events and report alerts. The whole interface of userspace/engine/.
 *
 * Views. An event may come as several views (the Linux view always; a Windows view for Wine,
 * Mono and aliased tools, made by userspace/view/). A rule watches the views of the platform
 * its metadata names — `host.os.type` required by its query, else its tags ("OS: Linux",
 * "Windows", …) and index patterns (winlogbeat-*, logs-windows.*, logs-auditd_manager.*, …);
 * a rule that names no platform watches every view. A rule that matches the same event in two
 * views alerts once, for the first view in enum order.
 *
 * Index. With ~1,750 rules an event must reach only the rules that could match it. From each
 * rule's IR the engine takes necessary conditions (engine_cond.c): sets of atoms — a field's
 * exact value, wildcard prefix, suffix or infix, regex prefix, or mere presence — compared
 * ASCII-case-insensitively, such that the rule can only match an event carrying one atom of
 * each set (up to three sets, from different conjuncts). Each event looks its own values up
 * (engine_index.c); a rule with no usable condition sees every event. Sequences are indexed by
 * their first stage; an event that can only play a later stage (or until) reaches a sequence
 * only while it has partial matches and an event met the stage before within maxspan.
 * The rules reached run in load order, so alerts come out exactly as a brute-force pass over
 * all rules gives them (cfg.brute_force; tests/unit/test_engine.c checks it on the corpus).
 *
 * Hot path: engine_process allocates nothing for event rules (sequence state clones events,
 * bounded by engine_config.max_pending per rule and view; evictions are counted; samples run
 * in bounded windows, see engine_config).
 *
 * Ownership: the engine borrows the fieldtab (it must outlive the engine) and owns the rules
 * added with engine_add_rule (their `doc` is freed and set NULL unless cfg.keep_doc). Alerts
 * point at engine-owned rules and at events that are only valid during the callback.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/eval.h"
#include "event/event.h"
#include "lang/lang.h"
#include "rules/rules.h"

/* ORDER ENGINE_VIEW: view_names in engine.c ("linux", "windows", "macos") */
enum engine_view { ENGINE_VIEW_LINUX, ENGINE_VIEW_WINDOWS, ENGINE_VIEW_MACOS, ENGINE_VIEW_COUNT };
#define ENGINE_VIEWS_ALL ((1u << ENGINE_VIEW_COUNT) - 1)

/* "linux", "windows", "macos" */
const char *engine_view_name(enum engine_view v);

/* One alert: a rule matched one event (event query) or several (sequence, sample, in order). */
struct engine_alert {
    const struct rule *rule;
    enum engine_view view;
    uint8_t kind; /* enum ir_query_kind of the rule's query */
    const struct event *const *events; /* valid only during the callback */
    uint32_t n;
};
typedef void (*engine_alert_fn)(void *ud, const struct engine_alert *a);

struct engine_config {
    engine_alert_fn on_alert; /* may be NULL: alerts are only counted */
    void *ud;
    /* partial sequences kept per rule and view (0: 1024); older ones are evicted and counted */
    uint32_t max_pending;
    /* samples run over tumbling windows of this much event time (0: 5 min) or this many
     * events fed (0: 4 * max_pending), whichever fills first: at the end of a window its
     * complete samples alert and its incomplete ones are dropped (memory stays bounded) */
    int64_t sample_window_ns;
    uint32_t sample_window_events;
    /* evaluate every rule on every event (the reference the index is tested against) */
    bool brute_force;
    /* keep each rule's parsed TOML (rule.doc); by default it is freed once the rule is
     * compiled (it is most of a rule's memory; alerts use only struct rule's fields) */
    bool keep_doc;
    /* time every rule evaluation, for engine_dump_rules (costs two clock reads each) */
    bool profile;
};

enum engine_status { ENGINE_RULE_OK = 0, ENGINE_RULE_UNSUPPORTED, ENGINE_RULE_ERROR };

/* What became of one rule. */
struct engine_rule_status {
    enum engine_status status;
    /* unsupported: why; error: "file:line:col: reason" pointing into the rule file */
    char reason[512];
    unsigned views;     /* bit (1 << enum engine_view) per view the rule watches */
    bool indexed;       /* ok: reached through the index (false: on the fallback list) */
};

struct engine;

/* A new engine with no rules. cfg may be NULL (defaults). */
struct engine *engine_new(struct fieldtab *ft, const struct engine_config *cfg);
void engine_free(struct engine *e);

/*
 * Compile and classify r without keeping it: type and language supported? query compiles
 * (the KQL of an unsupported type is still compiled, so that its errors show)? Which views?
 * Returns st->status. r stays the caller's.
 */
enum engine_status engine_check_rule(struct engine *e, const struct rule *r,
                                     struct engine_rule_status *st);

/*
 * engine_check_rule, then keep r when it is ok (the engine owns r from now on, in every
 * case: a rule that is not ok is freed here). A rule_id already loaded is an error. Rules
 * may be added until the first engine_process.
 */
enum engine_status engine_add_rule(struct engine *e, struct rule *r,
                                   struct engine_rule_status *st);

/* Counts over engine_load_path. */
struct engine_load_counts {
    uint32_t files, ok, unsupported, errors;
};
/* Called per rule file by engine_load_path: r is NULL when the file did not load. */
typedef void (*engine_load_fn)(void *ud, const char *path, const struct rule *r,
                               const struct engine_rule_status *st);
/*
 * Load every rule file under path (a file or a directory, see rule_find_files) and add the
 * rules. cb (may be NULL) sees each file, before an ok rule is handed to the engine. One bad
 * file never stops the others. Returns 0, or -1 with err filled if path cannot be read.
 */
int engine_load_path(struct engine *e, const char *path, engine_load_fn cb, void *ud,
                     struct engine_load_counts *counts, char *err, size_t errlen);

/*
 * Evaluate one event given as its views (views[v] NULL when the event has no view v; at least
 * the Linux view). Views must be sealed events, fed in @timestamp order. Alerts go to
 * cfg.on_alert before this returns.
 */
void engine_process(struct engine *e, const struct event *const views[ENGINE_VIEW_COUNT]);
/* Convenience: an event that has only its Linux view. */
void engine_process_linux(struct engine *e, const struct event *ev);
/* End of the stream: emit what waits for it (samples, tail pipes). */
void engine_finish(struct engine *e);

struct engine_stats {
    uint32_t rules;          /* ok rules loaded */
    uint32_t entries;        /* (rule, view) pairs */
    uint32_t fallback;       /* entries on the fallback list */
    uint32_t atoms;          /* distinct index keys */
    uint64_t events;         /* engine_process calls */
    uint64_t evaluated;      /* (rule, view) evaluations */
    uint64_t alerts;
    uint64_t duplicates;     /* matches suppressed: same rule, same event, another view */
    uint64_t seq_pending;    /* partial sequences held now, all rules */
    uint64_t seq_evicted;    /* partial sequences dropped to stay under max_pending */
    uint64_t sample_windows; /* sample windows closed (see engine_config) */
};
void engine_get_stats(const struct engine *e, struct engine_stats *st);

/*
 * For tuning: the max rules that cost most (time with cfg.profile, else evaluations), with
 * their evaluation and alert counts and the necessary condition they are indexed under.
 */
void engine_dump_rules(const struct engine *e, struct buf *out, size_t max);

/* The ok rules, in load order. */
size_t engine_rule_count(const struct engine *e);
const struct rule *engine_rule_at(const struct engine *e, size_t i);

#endif
