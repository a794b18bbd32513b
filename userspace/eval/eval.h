/*
 * eval.h — run one compiled query (struct ir_query, see lang/lang.h) over a stream of events:
 * predicates with Elasticsearch semantics, sequences, samples, head/tail pipes. The whole
 * interface of userspace/eval/. It knows events and the IR; it knows nothing of rules, views
 * or alerts (that is userspace/engine/).
 *
 * Hot path: eval_pred and eval_run_feed allocate nothing per event for plain event queries;
 * sequences clone an event only when it advances a pending sequence.
 *
 * Ownership: eval_prepare fills the query's compiled forms (owned by the query). An eval_run
 * borrows its query (which must outlive it) and holds references to the event copies it
 * keeps (shared with other runs fed through one struct eval_shared).
 */
#ifndef VIGIL_EVAL_H
#define VIGIL_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "event/event.h"
#include "lang/lang.h"

enum tri { TRI_FALSE = 0, TRI_TRUE = 1, TRI_NULL = 2 };

/*
 * Make q ready to evaluate: compile regular expressions, check what can only be checked
 * against the IR as a whole. Returns 0, or -1 with err filled (err->off is 0 when no
 * position is known). Call once after compiling (calling it again is harmless).
 * It also annotates the IR in place: ir_pattern.compiled (regex programs, wildcard shapes;
 * q->free_compiled set), ir_node.pad (IR_FIELD @timestamp: compared as a date in epoch ms;
 * IR_CONST cidrMatch networks), date constants compared with @timestamp become epoch ms,
 * and wildcard patterns without wildcards get is_cidr/net/bits (`ip : "2001:DB8::1"`).
 */
int eval_prepare(struct ir_query *q, struct lang_error *err);

/* Evaluate predicate `node` of q against a sealed event. Allocation-free. */
enum tri eval_pred(const struct ir_query *q, uint32_t node, const struct event *ev);

/*
 * The fields of one sealed event by id, for the many evaluations of one event (the engine's
 * rules): byid[id] is the value of field id, or NULL when the event has none, for every
 * id < n; ids >= n are looked up in the event. One table, pointed at each event in turn.
 */
struct eval_dir {
    const struct val **byid;
    uint32_t n;
};
/* A table for ids [0, nids), every entry NULL. eval_dir_clear frees it. */
void eval_dir_init(struct eval_dir *d, uint32_t nids);
void eval_dir_clear(struct eval_dir *d);
/* Point d at ev's fields (d must be empty); eval_dir_unfill(d, ev) empties it again. */
void eval_dir_fill(struct eval_dir *d, const struct event *ev);
void eval_dir_unfill(struct eval_dir *d, const struct event *ev);
/* eval_pred with ev's fields looked up through d (filled for ev; NULL: none). */
enum tri eval_pred_dir(const struct ir_query *q, uint32_t node, const struct event *ev,
                       const struct eval_dir *d);

struct eval_limits {
    uint32_t max_pending; /* partial sequence matches kept per query (0: a default, 10000) */
    uint32_t max_samples_per_key; /* samples: results per join key (0: 1, as ES; max 64) */
};

/* One result: the event of an event query, or a sequence's/sample's events in stage order. */
struct eval_match {
    const struct event *const *events; /* valid only during the callback: clone to keep */
    uint32_t n;
};
typedef void (*eval_match_fn)(void *ud, const struct eval_match *m);

struct eval_run;
struct eval_run *eval_run_new(const struct ir_query *q, const struct eval_limits *lim);
void eval_run_free(struct eval_run *r);
/*
 * Feed one sealed event; events must arrive ordered by @timestamp (then by arrival).
 * Calls fn for each result completed by this event (after `head` is reached, none).
 */
void eval_run_feed(struct eval_run *r, const struct event *ev, eval_match_fn fn, void *ud);
/*
 * One input event fed to several runs (the engine's rules): the first run that keeps the
 * event clones it, and every other run shares that one clone (reference counted) instead
 * of making its own. Init before the first feed; release after the last feed of the event
 * (the clone then lives on only in the runs that keep it).
 */
struct held;
struct eval_shared {
    const struct event *src;
    const struct eval_dir *dir; /* src's fields by id, or NULL (eval_shared_init) */
    struct held *held;          /* private: the clone, once made */
};
void eval_shared_init(struct eval_shared *sh, const struct event *ev);
void eval_shared_release(struct eval_shared *sh);
/* eval_run_feed with the event of sh (sh->src); same contract. */
void eval_run_feed_shared(struct eval_run *r, struct eval_shared *sh, eval_match_fn fn,
                          void *ud);
/*
 * eval_run_feed_shared, given what the caller already evaluated of the event: known[k] is
 * the value (enum tri) of the predicate of query stage k, known[nstages] of `until`, or
 * EVAL_UNKNOWN. Used by sequences (known may be NULL); the predicates are not evaluated twice.
 */
#define EVAL_UNKNOWN 3
void eval_run_feed_known(struct eval_run *r, struct eval_shared *sh, const uint8_t *known,
                         eval_match_fn fn, void *ud);
/* End of the stream: emit what waits for it (tail pipes, samples). */
void eval_run_finish(struct eval_run *r, eval_match_fn fn, void *ud);

struct eval_stats {
    uint64_t matches; /* results emitted */
    uint64_t pending; /* partial sequences held now */
    uint64_t evicted; /* partial sequences dropped to stay under max_pending */
};
void eval_run_stats(const struct eval_run *r, struct eval_stats *st);

#endif
