/*
 * lang.h — the query languages: KQL and EQL compile to one intermediate form (IR) that the
 * engine evaluates. This header is the whole interface of userspace/lang/.
 *
 * The IR of one query is a struct ir_query: a flat pool of nodes addressed by uint32_t index,
 * a pool of index lists (children, arguments, patterns), a pattern table and the query's shape
 * (one event filter, a sequence of stages, or a sample). Predicates and value expressions
 * share the node pool. Strings live in the query's arena.
 *
 * Semantics are Elasticsearch's (see shared/notes/rule-languages.md); the compilers lower the
 * surface syntax so that the engine needs no language-specific rule:
 *   - KQL f:v on a keyword       -> IR_MATCH exact, case-sensitive
 *   - KQL f:v*                   -> IR_MATCH wildcard (PAT_WILDCARD_STAR: only * is special)
 *   - EQL f : "v*"               -> IR_MATCH wildcard (* and ?), IR_F_CI
 *   - EQL f == "v" / in (...)    -> IR_MATCH exact; in~ adds IR_F_CI; like/like~ wildcard
 *   - EQL f regex "…"            -> IR_MATCH PAT_REGEX
 *   - f != v / not f:v           -> IR_NOT over the positive test (true when f is missing)
 *   - KQL f:* / EQL f != null    -> IR_EXISTS; EQL f == null -> IR_NOT(IR_EXISTS)
 *   - EQL `process where c`      -> IR_AND(IR_MATCH(event.category, "process"), c)
 * Evaluation is three-valued (true, false, null). A test of a field that is missing is
 * false (so its negation is true: Lucene must_not); a function or arithmetic over null gives
 * null, and null stays null under `not`. A multi-valued field satisfies a test when any of
 * its elements does.
 *
 * Ownership: compilers return a new struct ir_query owned by the caller (ir_query_free). The
 * fieldtab passed in must outlive it; compilers intern every field name they see.
 */
#ifndef VIGIL_LANG_H
#define VIGIL_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "util/util.h"

#define IR_NONE UINT32_MAX

/* ORDER IR_OP: ir_op_names in ir.c */
enum ir_op {
    IR_INVALID = 0,
    /* predicates */
    IR_TRUE,   /* always true (`any where true`, an empty KQL query) */
    IR_FALSE,
    IR_AND,    /* list: children, all must hold */
    IR_OR,     /* list: children, one must hold */
    IR_NOT,    /* a: child */
    IR_EXISTS, /* a: an IR_FIELD node; true when present and not null */
    IR_MATCH,  /* a: operand expression (usually IR_FIELD); list: pattern indexes; any matches */
    IR_CMP,    /* sub: enum ir_cmp; a, b: expressions; any element of a against b */
    /* value expressions */
    IR_FIELD,  /* field: field id; flags may hold IR_F_OPTIONAL */
    IR_CONST,  /* k: the value */
    IR_FUNC,   /* sub: enum ir_fn; list: argument expressions; IR_F_CI for the ~ form */
    IR_ARITH,  /* sub: enum ir_arith; a, b (IR_ARITH_NEG: a only) */
    IR_OP_COUNT /* must be last */
};

/* ORDER IR_CMP: ir_cmp_names in ir.c */
enum ir_cmp { IR_EQ, IR_NE, IR_LT, IR_LE, IR_GT, IR_GE, IR_CMP_COUNT };

/* ORDER IR_ARITH */
enum ir_arith { IR_ADD, IR_SUB, IR_MUL, IR_DIV, IR_MOD, IR_NEG, IR_ARITH_COUNT };

/* EQL functions. ORDER IR_FN: ir_fn_names in ir.c (lowercase names as EQL spells them) */
enum ir_fn {
    IR_FN_ADD,
    IR_FN_BETWEEN,
    IR_FN_CIDRMATCH,
    IR_FN_CONCAT,
    IR_FN_DIVIDE,
    IR_FN_ENDSWITH,
    IR_FN_INDEXOF,
    IR_FN_LENGTH,
    IR_FN_MODULO,
    IR_FN_MULTIPLY,
    IR_FN_NUMBER,
    IR_FN_STARTSWITH,
    IR_FN_STRING,
    IR_FN_STRINGCONTAINS,
    IR_FN_SUBSTRING,
    IR_FN_SUBTRACT,
    IR_FN_COUNT /* must be last */
};

enum ir_flags {
    IR_F_CI = 1 << 0,       /* case-insensitive (EQL `:`, `~` forms, in~, like~, regex~) */
    IR_F_OPTIONAL = 1 << 1, /* ?field: unknown field is null */
    /*
     * IR_FIELD whose name is a pattern (KQL `file.hash.*:x`, and `*` for a value with no
     * field): `*` matches any run of characters, dots included, nothing else is special. The
     * operand stands for the values of every event field whose name matches, taken together
     * (a test holds if it holds for any of them; EXISTS holds if any of them is present).
     */
    IR_F_FIELD_GLOB = 1 << 2,
};

struct ir_node {
    uint8_t op;    /* enum ir_op */
    uint8_t sub;   /* enum ir_cmp / ir_fn / ir_arith */
    uint8_t flags; /* enum ir_flags */
    uint8_t pad;
    uint32_t a, b;        /* operand nodes, IR_NONE when unused */
    uint32_t list, nlist; /* a run of q->lists: children, arguments or pattern indexes */
    uint32_t field;       /* IR_FIELD: field id */
    struct val k;         /* IR_CONST */
};

enum ir_pat_kind {
    PAT_EXACT = 0,      /* equality (numbers and addresses compare by value, see below) */
    PAT_WILDCARD,       /* EQL: * any run, ? one character; backslash is an ordinary char */
    PAT_WILDCARD_STAR,  /* KQL: only * is special */
    PAT_REGEX,          /* Lucene regular expression, whole-string */
    PAT_KIND_COUNT
};

/* One value an IR_MATCH tests against. Compilers fill kind/s/n; ir_pattern_add derives the rest. */
struct ir_pattern {
    uint8_t kind;  /* enum ir_pat_kind */
    uint8_t ci;    /* case-insensitive */
    uint8_t is_num, is_cidr;
    uint32_t n;
    const char *s; /* NUL-terminated, in the query's arena; lowercased copy in `lower` if ci */
    const char *lower;
    double num;      /* is_num: s parsed as a number (matches VAL_LONG / VAL_DOUBLE by value) */
    uint8_t net[16]; /* is_cidr: s parsed as an address or CIDR (matches VAL_IP by containment) */
    int bits;
    void *compiled;  /* PAT_REGEX: engine-owned compiled form, freed by ir_query_free's hook */
};

enum ir_query_kind { IRQ_EVENT = 0, IRQ_SEQUENCE, IRQ_SAMPLE };

struct ir_stage {
    uint32_t cond;    /* predicate node */
    uint32_t by;      /* q->lists run of key expressions; the query-level keys come first */
    uint32_t nby;
    uint32_t runs;    /* `with runs=N`; 1 by default */
    bool missing;     /* `![...]`: must not occur */
};

enum ir_pipe_kind { IR_PIPE_HEAD = 1, IR_PIPE_TAIL };
struct ir_pipe {
    uint8_t kind; /* enum ir_pipe_kind */
    int64_t n;
};

struct ir_query {
    struct fieldtab *ft;
    uint8_t kind; /* enum ir_query_kind */
    /* IRQ_EVENT: one stage (cond only). IRQ_SEQUENCE / IRQ_SAMPLE: the stages in order. */
    struct ir_stage *stages;
    uint32_t nstages;
    bool has_until;
    struct ir_stage until;
    int64_t maxspan_ns; /* 0: none */
    struct ir_pipe *pipes;
    uint32_t npipes;

    struct ir_node *nodes;
    uint32_t nnodes;
    size_t nodes_cap;
    uint32_t *lists;
    uint32_t nlists;
    size_t lists_cap;
    struct ir_pattern *pats;
    uint32_t npats;
    size_t pats_cap;
    struct arena arena;
    void (*free_compiled)(void *); /* set by whoever fills ir_pattern.compiled */
};

/* ---- building (used by the compilers and by tests) ---- */

struct ir_query *ir_query_new(struct fieldtab *ft);
void ir_query_free(struct ir_query *q);

uint32_t ir_node_add(struct ir_query *q, const struct ir_node *n);
/* Append n indexes to q->lists; returns the start of the run. */
uint32_t ir_list_add(struct ir_query *q, const uint32_t *items, uint32_t n);
uint32_t ir_field(struct ir_query *q, const char *name, size_t len, uint8_t flags);
uint32_t ir_const(struct ir_query *q, const struct val *v); /* deep-copies v */
uint32_t ir_const_str(struct ir_query *q, const char *s, size_t n);
uint32_t ir_const_long(struct ir_query *q, int64_t i);
uint32_t ir_true(struct ir_query *q);
/* n-ary AND/OR; nested nodes of the same op are flattened; n == 1 returns kids[0]. */
uint32_t ir_logic(struct ir_query *q, enum ir_op op, const uint32_t *kids, uint32_t n);
uint32_t ir_and(struct ir_query *q, uint32_t a, uint32_t b);
uint32_t ir_or(struct ir_query *q, uint32_t a, uint32_t b);
uint32_t ir_not(struct ir_query *q, uint32_t a);
uint32_t ir_exists(struct ir_query *q, uint32_t field_node);
uint32_t ir_cmp(struct ir_query *q, enum ir_cmp cmp, uint32_t a, uint32_t b);
uint32_t ir_func(struct ir_query *q, enum ir_fn fn, const uint32_t *args, uint32_t n,
                 uint8_t flags);
uint32_t ir_arith(struct ir_query *q, enum ir_arith op, uint32_t a, uint32_t b);
/* Add a pattern (copied); returns its index in q->pats. */
uint32_t ir_pattern_add(struct ir_query *q, enum ir_pat_kind kind, bool ci, const char *s,
                        size_t n);
/* IR_MATCH of operand against the patterns pats[0..n) (indexes from ir_pattern_add). */
uint32_t ir_match(struct ir_query *q, uint32_t operand, const uint32_t *pats, uint32_t n);
/* Convenience: operand matches one pattern. */
uint32_t ir_match1(struct ir_query *q, uint32_t operand, enum ir_pat_kind kind, bool ci,
                   const char *s, size_t n);
/* Look up an EQL function by name (case-insensitive, without ~); -1 if unknown. */
int ir_fn_lookup(const char *name, size_t n);
const char *ir_fn_name(enum ir_fn fn);

/* Print the IR as indented text (for --dump-ir and golden tests). */
void ir_dump(const struct ir_query *q, struct buf *out);

/* ---- compiling ---- */

/* Where and why a query failed to compile. off is a byte offset into the query text. */
struct lang_error {
    size_t off;
    int line, col; /* 1-based, filled from off by the compiler */
    char msg[240];
};

/* "kuery" or "eql" */
enum lang_kind { LANG_KUERY = 1, LANG_EQL };
int lang_from_name(const char *name); /* -1 if unknown */

/*
 * Compile query text (len bytes, need not be NUL-terminated) into a new IR. On error returns
 * NULL and fills *err; nothing is leaked. Never aborts on bad input; nesting depth and sizes
 * are bounded and reported as errors.
 */
struct ir_query *kql_compile(const char *text, size_t len, struct fieldtab *ft,
                             struct lang_error *err);
struct ir_query *eql_compile(const char *text, size_t len, struct fieldtab *ft,
                             struct lang_error *err);
struct ir_query *lang_compile(enum lang_kind lang, const char *text, size_t len,
                              struct fieldtab *ft, struct lang_error *err);

#endif
