/* eval_int.h — what the files of userspace/eval/ share. Private to the module. */
#ifndef VIGIL_EVAL_INT_H
#define VIGIL_EVAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/eval.h"

/*
 * eval_prepare marks nodes through ir_node.pad (unused by the compilers):
 *   IR_FIELD: PAD_DATE — the field is @timestamp: its value is the event's time in epoch ms.
 *   IR_CONST: PAD_CIDR_BASE + bits — k.ip points to a parsed network (cidrMatch argument).
 */
#define PAD_DATE 1
#define PAD_CIDR_BASE 1
/* IR_MATCH: PAD_SET — pats[list[0]] carries a struct pset for this node's long list: as its
 * `compiled` (an exact pattern) or its wpat's `set` (a wildcard pattern); see pset_of */
#define PAD_SET 1

#define EVAL_MAX_DEPTH 200
#define EVAL_SCRATCH 4096

/* An evaluated scalar. Strings are (s, n), not necessarily NUL-terminated. */
struct xv {
    uint8_t type;    /* enum val_type, never VAL_ARRAY */
    uint8_t missing; /* VAL_NULL because a field was absent (a field test is then false) */
    uint32_t n;
    union {
        int64_t i;
        double d;
        bool b;
        const char *s;
    };
    const uint8_t *ip;
};

/* Per-evaluation context: the event, the element chosen in multi-valued fields, scratch. */
struct ectx {
    const struct ir_query *q;
    const struct event *ev;
    const struct val *const *byid; /* ev's fields by id (see struct eval_dir), for ids < nbyid */
    uint32_t nbyid;
    uint32_t sel;  /* element index used for multi-valued fields */
    uint32_t maxn; /* largest array length met while evaluating */
    size_t used;   /* bytes of scratch used */
    char scratch[EVAL_SCRATCH];
};

/* Field `id` of the event being evaluated, or NULL. */
static inline const struct val *ectx_field(const struct ectx *c, uint32_t id)
{
    return id < c->nbyid ? c->byid[id] : event_get(c->ev, id);
}

/* ---- eval_str.c: UTF-8, case folding, wildcards ---- */
/* Decode one code point at s[*i] (n bytes total); invalid bytes decode as themselves. */
static inline uint32_t u8_next(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (len == 0 || *i + (size_t)len > n) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0x3f >> (len - 1));
    for (int k = 1; k < len; k++) {
        unsigned char d = (unsigned char)s[*i + k];
        if ((d & 0xc0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (d & 0x3f);
    }
    *i += (size_t)len;
    return cp;
}
/* Simple case folding that keeps the UTF-8 length (ASCII, Latin-1, Latin Ext-A, Greek, Cyrillic). */
uint32_t cp_fold(uint32_t c);
bool str_eq_ci(const char *a, size_t an, const char *b, size_t bn);
/* Index of needle in hay at or after `from` (bytes), -1 if none. */
long str_find(const char *h, size_t hn, const char *nd, size_t nn, size_t from, bool ci);
long str_rfind(const char *h, size_t hn, const char *nd, size_t nn, bool ci);
bool str_prefix(const char *s, size_t n, const char *p, size_t pn, bool ci);
bool str_suffix(const char *s, size_t n, const char *p, size_t pn, bool ci);
/* Wildcard match of the whole s: `*` any run; `?` one character unless star_only. */
bool wild_match(const char *p, size_t pn, const char *s, size_t sn, bool ci, bool star_only);

/* A wildcard pattern's shape, computed once in eval_prepare (ir_pattern.compiled). */
enum wshape { WS_GENERIC = 0, WS_EXACT, WS_PREFIX, WS_SUFFIX, WS_CONTAINS, WS_ANY };
struct wpat {
    uint32_t magic;
    uint8_t shape;
    const char *lit; /* the literal part (points into the pattern) */
    uint32_t litn;
    struct pset *set; /* when this pattern carries its node's set (see PAD_SET); owned */
};
#define WPAT_MAGIC 0x57504154u

bool wpat_match(const struct ir_pattern *p, const char *s, size_t n);

/*
 * A long list of exact patterns (`in (...)`, `in~`, `like~` without wildcards) as a hash set,
 * for keyword values (match_str): one probe instead of one compare per pattern. Built by
 * eval_prepare; one allocation (freed by free_compiled). Case-sensitive entries are keyed on
 * the bytes; case-insensitive ones only when ASCII, keyed ASCII-lowercased (an ASCII literal
 * never equals a non-ASCII text case-insensitively: folding never maps non-ASCII to ASCII).
 * The other patterns of the list stay in rest[], tested one by one.
 */
struct pset_ent {
    uint64_t h; /* 0: empty */
    const char *s;
    uint32_t n;
    bool ci;
};
struct pset {
    uint32_t magic;
    uint32_t node; /* the IR_MATCH node it serves */
    uint32_t mask; /* tab has mask + 1 entries */
    uint32_t nrest;
    bool has_ci;
    struct pset_ent *tab;
    uint32_t *rest; /* pattern indexes */
    /* for integer values (a port against a list of numbers): the exact numeric patterns as
     * sorted integers, and the patterns that are not exact (they match the number's text) */
    int64_t *nums;
    uint32_t nnums, nlrest;
    uint32_t *lrest;
};
#define PSET_MAGIC 0x50534554u
#define PSET_MIN 8 /* patterns it takes for a set to pay */
bool pset_has(const struct pset *ps, const char *s, size_t n);
/* Is integer i one of ps->nums? */
bool pset_has_long(const struct pset *ps, int64_t i);
/* The set pattern p carries, or NULL. */
static inline const struct pset *pset_of(const struct ir_pattern *p)
{
    const uint32_t *magic = p->compiled;
    if (!magic)
        return NULL;
    if (*magic == PSET_MAGIC)
        return p->compiled;
    if (*magic == WPAT_MAGIC)
        return ((const struct wpat *)p->compiled)->set;
    return NULL;
}

/* ---- eval_regex.c: Lucene regular expressions (whole-string, NFA simulation) ---- */
struct rx;
#define RX_MAGIC 0x52584e46u
struct rx *rx_compile(const char *s, size_t n, bool ci, char *err, size_t errlen);
bool rx_match(const struct rx *rx, const char *s, size_t n);
void rx_free(struct rx *rx);

/* ---- eval_pred.c / eval_fn.c ---- */
struct xv eval_expr(struct ectx *c, uint32_t id, int depth);
struct xv eval_func(struct ectx *c, const struct ir_node *n, int depth);
struct xv eval_arith(struct ectx *c, const struct ir_node *n, int depth);
/* Text of a scalar (numbers formatted into c's scratch); false for null. */
bool xv_text(struct ectx *c, const struct xv *v, const char **s, size_t *n);
char *scratch_alloc(struct ectx *c, size_t n);
/* Parse a date constant: ISO 8601 text or epoch milliseconds, into epoch ms. */
bool date_ms(const char *s, size_t n, int64_t *ms);
/* Field value as a scalar: element c->sel of an array (c->maxn records the length). */
struct xv xv_of_val(const struct val *v);
/*
 * Join keys of an event: the values of the `by` expressions, serialized. A multi-valued key
 * gives one key per element (several keys: one per combination, at most `max`). Key i is
 * out->p[offs[i]..offs[i+1]). Returns the number of keys; 0 when a non-optional key is null.
 */
#define EVAL_MAX_KEYS 64
uint32_t eval_keys(const struct ir_query *q, uint32_t by, uint32_t nby, const struct event *ev,
                   struct buf *out, uint32_t *offs, uint32_t max);

/* ---- eval_run.c / eval_sample.c: the state of a run ---- */

struct held {
    struct event *ev;
    uint32_t refs;
};

struct xstage {
    uint32_t cond, by, nby;
    uint32_t stage; /* index in q->stages */
};

struct partial {
    struct partial *older, *newer; /* all partials, oldest first (eviction order) */
    struct keyent *key;
    uint32_t slot;                 /* last positive stage filled */
    int64_t first_ts;
    int64_t start_ts;              /* earliest event of the would-be negative sequence */
    bool leads_all;                /* every leading missing stage has an event before */
    bool lead_any;                 /* some leading missing stage has one */
    int64_t lead_max;              /* the latest of those */
    uint64_t seen;                 /* missing stages (bits) seen in their gaps */
    int64_t trail_end;             /* latest first-occurrence of the trailing ones */
    int64_t deadline;              /* awaiting trailing-missing check: emit after this */
    bool awaiting;                 /* in eval_run.awaiting (not in a slot) */
    struct held *ev[];
};

struct keyent {
    struct keyent *next;
    uint64_t hash;
    uint32_t klen;
    uint32_t users; /* partials in slots + awaiting */
    bool has_lead;
    uint64_t lead_mask; /* leading missing stages seen for this key */
    int64_t *lead_ts;   /* per missing stage: its latest leading event */
    struct partial **slots;
    struct held **sev; /* samples: per stage, up to max_samples events */
    uint32_t *scnt;
    char *key;
};

/* A result kept for tail pipes or samples. */
struct kept {
    struct held **ev;
    uint32_t n;
    char *key; /* samples: the serialized key, for ordering */
    uint32_t klen;
    uint64_t order; /* samples: generation order among equal keys */
};

struct eval_run {
    const struct ir_query *q;
    uint32_t max_pending;
    struct eval_stats st;

    /* pipes: results pass `limit` (heads before the first tail), then a ring of `tail` */
    uint64_t limit, passed;
    bool has_tail;
    uint64_t tail;
    uint32_t post_pipe; /* index of the first pipe after the first tail */
    struct kept *ring;
    uint64_t ring_head, ring_n;

    /* sequences */
    struct xstage *pos;
    uint32_t npos;
    struct xstage *miss; /* missing stages */
    uint32_t *miss_gap;  /* gap of each: 0 leading, j between pos j-1 and j, npos trailing */
    uint32_t nmiss;
    bool has_trailing, has_leading;
    uint64_t lead_bits, mid_bits, trail_bits; /* missing stages by position */
    int64_t last_ts;  /* the latest event time fed */
    bool disorder;    /* an event came with an earlier time than one before it */
    uint8_t *kn; /* the current event: per query stage (then until), its value or EVAL_UNKNOWN */
    struct keyent **tab;
    size_t tabcap, nkeys;
    struct partial *oldest, *newest;
    struct partial **awaiting; /* completed, waiting for the trailing-missing window */
    size_t nawait, awaitcap;

    /* samples */
    struct keyent **skeys; /* per key: slots hold a one-event "partial" per stage */
    struct kept *samples;
    size_t nsamples, samplecap;
    uint32_t max_samples;
    uint32_t sample_cands; /* candidates kept per stage and key: max_samples + stages - 1 */

    struct buf kbuf;
    uint32_t koffs[EVAL_MAX_KEYS + 1], nkeysev;
    struct held **cur; /* the current event's clone, made on first need (see eval_shared) */
    const struct event *cur_src;
    const struct eval_dir *cur_dir; /* cur_src's fields by id, or NULL */
};

/* The current event's clone, made on first need and shared (reference counted). */
struct held *run_hold_cur(struct eval_run *r);
void run_held_put(struct held *h);
void run_kept_clear(struct kept *k);
/* The entry of serialized key k (n bytes); created when `create`, else NULL if absent. */
struct keyent *run_key_find(struct eval_run *r, const char *k, uint32_t n, bool create);
/* Keys of ev for a `by` list into r->kbuf/r->koffs; their number (0: does not join). */
uint32_t run_stage_keys(struct eval_run *r, uint32_t by, uint32_t nby, const struct event *ev);
#define KEY_P(r, i) ((r)->kbuf.p + (r)->koffs[i])
#define KEY_N(r, i) ((r)->koffs[(i) + 1] - (r)->koffs[i])
/* One result through the pipes (single: an event query's event; else held events). */
void run_result(struct eval_run *r, const struct event *single, struct held **held, uint32_t n,
                eval_match_fn fn, void *ud);
void run_sample_feed(struct eval_run *r, const struct event *ev);
void run_sample_collect(struct eval_run *r);
int run_kept_cmp(const void *a, const void *b);

#endif
