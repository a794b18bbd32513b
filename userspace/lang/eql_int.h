/*
 * eql_int.h — private to the EQL compiler: eql_lex.c (tokens), eql_expr.c (conditions and
 * values), eql_lower.c (their IR), eql.c (queries, sequences, samples, pipes; eql_compile).
 *
 * The lexer turns the whole query into an array of tokens first (bounded by EQL_MAX_TOKENS),
 * so the parser can look ahead freely. Decoded string literals and identifiers live in the
 * compiler's scratch arena, freed when eql_compile returns: nothing of it reaches the IR
 * without being copied by the IR builders.
 *
 * Token set and spelling follow Elasticsearch's EqlBase.g4: keywords are lowercase and
 * case-sensitive, `in~` `like~` `regex~` are single tokens, `![` opens a missing-event stage,
 * `?` marks an optional field.
 */
#ifndef VIGIL_EQL_INT_H
#define VIGIL_EQL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "lang/lang.h"
#include "util/util.h"

#define EQL_MAX_TEXT (1u << 20) /* bytes of query text */
#define EQL_MAX_TOKENS 65536u   /* tokens in one query */
#define EQL_MAX_DEPTH 100       /* nesting of parentheses, not, unary minus, calls */
#define EQL_MAX_LIST 4096u      /* items in one list, keys, stages */

/* ORDER TOK: tok_names in eql_lex.c */
enum tok_kind {
    T_EOF = 0,
    T_IDENT,       /* process, @timestamp, _x */
    T_QIDENT,      /* `weird field` (s: decoded, `` -> `) */
    T_TILDE_IDENT, /* startsWith~ (s: the name without ~) */
    T_STRING,      /* "..." or """...""" (s: decoded) */
    T_INT,         /* i */
    T_DEC,         /* d */
    /* keywords */
    T_AND,
    T_ANY,
    T_BY,
    T_FALSE,
    T_IN,
    T_IN_CI,
    T_JOIN,
    T_LIKE,
    T_LIKE_CI,
    T_MAXSPAN,
    T_NOT,
    T_NULL,
    T_OF,
    T_OR,
    T_REGEX,
    T_REGEX_CI,
    T_SAMPLE,
    T_SEQUENCE,
    T_TRUE,
    T_UNTIL,
    T_WHERE,
    T_WITH,
    /* punctuation */
    T_SEQ,  /* :  */
    T_ASGN, /* =  */
    T_EQ,   /* == */
    T_NEQ,  /* != */
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_PERCENT,
    T_DOT,
    T_COMMA,
    T_LB,
    T_RB,
    T_LP,
    T_RP,
    T_PIPE,
    T_OPT,     /* ?  */
    T_MISSING, /* ![ */
    T_KIND_COUNT
};

struct tok {
    uint8_t kind;  /* enum tok_kind */
    uint32_t off;  /* byte offset of the first character */
    uint32_t len;  /* bytes of source text */
    const char *s; /* T_IDENT/T_QIDENT/T_TILDE_IDENT/T_STRING: decoded text, NUL-terminated */
    uint32_t n;    /* its length (may contain NUL bytes from \u{0}) */
    int64_t i;     /* T_INT */
    double d;      /* T_DEC */
};

/* The compiler's working state, shared by lexer and parser. */
struct eql {
    const char *text;
    size_t len;
    struct arena scratch; /* decoded strings; freed at the end */
    struct tok *toks;
    uint32_t ntoks, pos;
    int depth;
    struct ir_query *q;
    struct lang_error *err;
    bool failed;
};

/* ---- tokens (eql_lex.c) ---- */

/* Tokenize e->text into e->toks (always ends with T_EOF). Returns false with e->err set. */
bool eql_lex(struct eql *e);
/* Record the first error (printf-style), at byte offset off. Always returns false. */
bool eql_fail(struct eql *e, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "'where'", "a string", "end of query": how a token kind is named in messages. */
const char *eql_tok_name(enum tok_kind k);

static inline const struct tok *eql_peek(const struct eql *e)
{
    return &e->toks[e->pos];
}

/* The token after the next one (T_EOF at the end). */
static inline const struct tok *eql_peek2(const struct eql *e)
{
    return &e->toks[e->pos + 1 < e->ntoks ? e->pos + 1 : e->ntoks - 1];
}

/* Consume and return the next token (T_EOF stays put). */
static inline const struct tok *eql_next(struct eql *e)
{
    const struct tok *t = &e->toks[e->pos];
    if (t->kind != T_EOF)
        e->pos++;
    return t;
}

/* Consume the next token if it is of kind k. */
static inline bool eql_accept(struct eql *e, enum tok_kind k)
{
    if (e->toks[e->pos].kind != k)
        return false;
    e->pos++;
    return true;
}

/* Consume a token of kind k or fail with "expected K WHERE, found X". */
bool eql_expect(struct eql *e, enum tok_kind k, const char *where);
/* Fail at token t with "expected WHAT, found X". Returns false. */
bool eql_fail_expected(struct eql *e, const struct tok *t, const char *what);
/* Describe token t for a message: 'text' (shortened) or "end of query". */
const char *eql_tok_desc(const struct eql *e, const struct tok *t, char *out, size_t outlen);

/* ---- parsed pieces and their lowering (eql_lower.c) ---- */

/* What a parsed piece is: a condition, or a value (field, constant, function, arithmetic). */
enum ex_kind { E_PRED, E_FIELD, E_CONST, E_VALUE };

struct ex {
    uint8_t k;       /* enum ex_kind */
    int fn;          /* E_VALUE made by a function: enum ir_fn; -1 otherwise */
    uint32_t node;   /* IR node; IR_NONE for a constant not yet materialized */
    uint32_t off;    /* where it starts, for messages */
    struct val v;    /* E_CONST (string text in the scratch arena) */
    const char *num; /* E_CONST from a decimal literal: its spelling (for patterns) */
    uint32_t numlen;
    bool neg; /* ... negated by unary minus */
};

/* What each function accepts (ES eql-function-ref): arity, a ~ form, a boolean result. */
struct eql_fn_info {
    uint8_t min;
    uint16_t max;
    bool has_ci;
    bool boolean;
};
extern const struct eql_fn_info eql_fn_info[IR_FN_COUNT];

/* Make x a condition / a constant (not yet an IR node). */
void eql_ex_pred(struct ex *x, uint32_t node, uint32_t off);
void eql_ex_const(struct ex *x, const struct val *v, uint32_t off);
/* The IR node of a value; materializes a constant. */
uint32_t eql_val_node(struct eql *e, struct ex *x);
/* x where a value is needed (fails on a condition). */
bool eql_as_value(struct eql *e, struct ex *x, uint32_t *out);
/* x where a condition is needed (true/false, a boolean field or function). */
bool eql_as_pred(struct eql *e, struct ex *x, uint32_t *out);
/* Text of a constant used as a match pattern (in the scratch arena or static). */
const char *eql_const_text(struct eql *e, const struct ex *c, size_t *n);
/* l OP r (OP a comparison token) into l, lowered. */
bool eql_lower_cmp(struct eql *e, enum tok_kind op, struct ex *l, struct ex *r);
/* l OP r (OP + - * / %) into l. */
bool eql_lower_arith(struct eql *e, enum tok_kind op, struct ex *l, struct ex *r);
/* Fail unless x may be an operand of arithmetic (a constant must be a number or null). */
bool eql_check_numeric(struct eql *e, const struct ex *x, const char *op);

/* ---- conditions and values (eql_expr.c) ---- */

/* expression : booleanExpression — a condition; *out is a predicate node. */
bool eql_parse_condition(struct eql *e, uint32_t *out);
/* A join key or other value expression; *out is a value node. */
bool eql_parse_value(struct eql *e, uint32_t *out);

#endif
