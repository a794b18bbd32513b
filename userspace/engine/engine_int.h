/*
 * engine_int.h — private to userspace/engine/: the rule index (engine_index.c) and the
 * necessary-condition extraction it is built from.
 */
#ifndef VIGIL_ENGINE_INT_H
#define VIGIL_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

/* How an atom's literal is compared with an event's string value (ASCII case folded). */
enum atom_kind {
    ATOM_EXACT = 0,
    ATOM_PREFIX,
    ATOM_SUFFIX,
    ATOM_EXISTS,
    ATOM_INFIX, /* the text contains s (len >= 4) */
    ATOM_KIND_COUNT
};

/* One literal a rule needs: field `field` has a string value equal to / starting with /
 * ending with `s` (lowercase ASCII; `len` bytes), or (ATOM_EXISTS) is present at all. */
struct atom {
    uint32_t field;
    uint8_t kind;
    uint32_t len;
    char *s;
};

/* A necessary condition: the query can only be true when one of the atoms holds.
 * any: no usable condition (the rule must see every event). */
struct cond {
    bool any;
    struct atom *atoms;
    uint32_t n, cap;
    double cost; /* estimated share of events that satisfy it (lower is better) */
};

void cond_clear(struct cond *c);
/* Canonical text of a number (integers without a fraction), as index keys use it. */
size_t num_text(double d, char out[48]);
/*
 * The necessary condition of predicate `node` of q. only_field != FIELD_NONE restricts it to
 * tests of that one field (used to read host.os.type out of a query).
 */
void cond_of_node(const struct ir_query *q, uint32_t node, uint32_t only_field,
                  struct cond *out);
/*
 * The condition of a whole query: the union over its stages (and until) when it has several.
 * With first_only, of a sequence's first stage only (what can start a sequence).
 */
void cond_of_query(const struct ir_query *q, struct cond *out);
void cond_of_stages(const struct ir_query *q, uint32_t from, uint32_t to, bool until,
                    struct cond *out);
/*
 * Up to max necessary conditions of predicate `node` that must all hold (from different
 * children of a top-level AND), cheapest first; out[0] is the best single condition.
 * Returns how many (>= 1; out[0].any when there is none).
 */
uint32_t cond_planes(const struct ir_query *q, uint32_t node, struct cond *out, uint32_t max);

/*
 * The index of one view: atoms -> entries (dense ids, in rule order). An entry may need
 * several conditions at once: each is a plane (a bitmap over the entries) and an entry is a
 * candidate when its bit is set in every plane. Posting values are plane * nwords * 64 + id;
 * an entry that has no condition for a plane is on that plane's fallback.
 */
struct index_slot {
    uint64_t hash; /* 0: empty */
    uint32_t field;
    uint8_t kind;
    uint32_t len;
    char *s;
    uint32_t *post; /* entry ids */
    uint32_t npost, cap;
    struct wmask *wm; /* post as words, built by index_finish */
    uint32_t nwm;
};

/* A posting list as bitmap words: what mark() ORs into the candidates. */
struct wmask {
    uint32_t w;
    uint64_t m;
};

/* Infix literals of a field, found by their first four bytes. */
struct index_infix {
    uint32_t gram; /* first four bytes, big-endian */
    uint32_t len;
    char *s;
    uint32_t *post;
    uint32_t npost, cap;
    struct wmask *wm; /* post as words, built by index_finish */
    uint32_t nwm;
};

/*
 * A string value's lookup result, remembered: the posting words lookup_str marked for it. Most
 * values repeat (host.*, event.*, process names and paths, parents' fields), and replaying the
 * marks costs a hash and a memcmp where the lookup lowercases and probes every byte. One table
 * for all fields, 2-way set associative by a hash of field and text: a build server's working
 * set of names and paths (hundreds per field) fits, where a few ways per field thrashed.
 */
#define MEMO_SETS 2048 /* power of two; two ways each */
#define MEMO_MAXLEN 256
#define MEMO_MARKS 6
#define MEMO_INLINE 40 /* texts up to this long are kept in the entry (its first cache line) */
struct index_memo {
    uint64_t h; /* hash of field and text (never 0); 0: empty */
    uint32_t field, len;
    uint32_t nm;  /* marks recorded; > MEMO_MARKS: too many, not kept */
    uint32_t cap; /* bytes of t.s (texts longer than MEMO_INLINE) */
    union {
        char in[MEMO_INLINE];
        char *s;
    } t;
    const struct wmask *wm[MEMO_MARKS];
    uint16_t nwm[MEMO_MARKS];
} __attribute__((aligned(64)));

struct index_field {
    bool used, exact;
    bool exact_long;        /* an exact literal of 256 bytes or more */
    uint64_t exact_len[4];  /* lengths (< 256) of the exact literals: most values skip hashing */
    /* ATOM_EXISTS entries; and the entries of prefix/suffix atoms, which a number or boolean
     * value reaches too (eval matches wildcards against their text) */
    uint32_t *exists, *wild;
    uint32_t nexists, nwild, capexists, capwild;
    struct wmask *wm_exists, *wm_wild; /* the same as words, built by index_finish */
    uint32_t nwm_exists, nwm_wild;
    uint16_t *pre, *suf; /* registered prefix / suffix lengths, ascending */
    uint32_t npre, nsuf, cappre, capsuf;
    struct index_infix *inf;
    uint32_t ninf, capinf;
    uint32_t *inf_tab; /* open addressing by gram: infix index + 1; built by index_finish */
    uint32_t inf_mask;
    uint64_t *bloom;   /* 65536 bits over gram hashes: most windows stop here */
};

struct index {
    struct index_slot *slots;
    size_t cap, n;
    struct index_field *fields; /* by field id */
    uint32_t nfields;
    uint32_t nwords;   /* bitmap words for the entries, per plane */
    uint32_t nplanes;
    uint64_t hbloom[1024]; /* 65536 bits over the keys' hashes: most probes stop here */
    uint64_t *fallback; /* entries that see every event */
    uint64_t *cand;     /* scratch: candidates of the current event */
    struct index_memo *memo; /* MEMO_SETS * 2 entries, built by index_finish */
    uint8_t *memo_mru;       /* per set: the way used last (the other one is replaced) */
    struct index_memo *rec; /* while looking a string up: where its marks are recorded */
    uint8_t *used;          /* by field id: fields[id].used, compact (built by index_finish) */
};

#define INDEX_PLANES 3
void index_init(struct index *ix, uint32_t nentries, uint32_t nplanes);
void index_clear(struct index *ix);
/* Register entry (plane * nwords * 64 + id) under every atom of c, or on the fallback when
 * c->any. */
void index_add(struct index *ix, uint32_t entry, const struct cond *c);
/* Build the lookup tables once every entry was added. */
void index_finish(struct index *ix);
/* Fill ix->cand[0..nwords) with the entries ev may match (every plane; fallbacks included). */
void index_lookup(struct index *ix, const struct event *ev);

#endif
