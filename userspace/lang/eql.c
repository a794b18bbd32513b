/*
 * eql.c — the EQL compiler's entry point and query level: event queries, sequences, samples
 * and pipes (Elasticsearch EQL; see shared/notes/rule-languages.md). Tokens come from
 * eql_lex.c, conditions and values from eql_expr.c.
 *
 *   statement : query pipe* EOF
 *   query     : sequence | sample | eventQuery          (join: rejected, as ES does)
 *
 * Lowering: `cat where c` -> AND(MATCH(event.category, exact "cat"), c); `any where c` -> c.
 * Sequences and samples fill q->stages; the query-level `by` keys come first in each stage's
 * keys (the same nodes are shared), maxspan is in nanoseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/eql_int.h"

#define EQL_MAX_RUNS 100

/* A parsed `by` list: node ids in the scratch arena. */
struct keys {
    uint32_t *v;
    uint32_t n;
    uint32_t off; /* the `by` token, for messages */
};

/* eventFilter : (ANY | eventValue) WHERE expression ;  eventValue : IDENTIFIER | STRING */
static bool parse_event_filter(struct eql *e, uint32_t *out)
{
    const struct tok *cat = eql_peek(e);
    uint32_t cond = IR_NONE;

    if (cat->kind != T_ANY && cat->kind != T_IDENT && cat->kind != T_STRING) {
        if (cat->kind == T_QIDENT)
            return eql_fail(e, cat->off,
                            "an event category is quoted with double quotes, not backticks");
        if (cat->kind == T_JOIN)
            return eql_fail(e, cat->off, "join is not supported by Elasticsearch EQL");
        if (cat->kind == T_LB || cat->kind == T_MISSING)
            return eql_fail(e, cat->off,
                            "a query in brackets needs 'sequence' or 'sample' before it");
        return eql_fail_expected(e, cat, "an event category (a name, a quoted string or 'any')");
    }
    eql_next(e);
    if (!eql_expect(e, T_WHERE, "after the event category") || !eql_parse_condition(e, &cond))
        return false;
    if (cat->kind != T_ANY) {
        static const char field[] = "event.category";
        uint32_t f = ir_field(e->q, field, sizeof field - 1, 0);
        uint32_t m = ir_match1(e->q, f, PAT_EXACT, false, cat->s, cat->n);
        cond = e->q->nodes[cond].op == IR_TRUE ? m : ir_and(e->q, m, cond);
    }
    *out = cond;
    return true;
}

/* joinKeys : BY expression (',' expression)*   (absent: no keys) */
static bool parse_keys(struct eql *e, struct keys *k)
{
    uint32_t cap = 0;

    memset(k, 0, sizeof *k);
    k->off = eql_peek(e)->off;
    if (!eql_accept(e, T_BY))
        return true;
    do {
        uint32_t id = IR_NONE, off = eql_peek(e)->off;
        if (!eql_parse_value(e, &id))
            return false;
        if (k->n >= EQL_MAX_LIST)
            return eql_fail(e, off, "too many join keys (limit %u)", EQL_MAX_LIST);
        if (k->n == cap) {
            uint32_t *v = arena_alloc(&e->scratch, (cap = cap ? cap * 2 : 4) * sizeof *v);
            if (k->n)
                memcpy(v, k->v, k->n * sizeof *v);
            k->v = v;
        }
        k->v[k->n++] = id;
    } while (eql_accept(e, T_COMMA));
    return true;
}

/* A stage's keys: the query-level keys, then its own. */
static uint32_t stage_keys(struct eql *e, const struct keys *top, const struct keys *own)
{
    uint32_t n = top->n + own->n;
    uint32_t *v = arena_alloc(&e->scratch, (n ? n : 1) * sizeof *v);
    if (top->n)
        memcpy(v, top->v, top->n * sizeof *v);
    if (own->n)
        memcpy(v + top->n, own->v, own->n * sizeof *v);
    return ir_list_add(e->q, v, n);
}

/* timeUnit : number IDENTIFIER   (ms s m h d) — the value of `with maxspan=` */
static bool parse_time(struct eql *e, int64_t *ns)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"ms", 1000000LL},
                 {"s", 1000000000LL},
                 {"m", 60000000000LL},
                 {"h", 3600000000000LL},
                 {"d", 86400000000000LL}};
    const struct tok *n = eql_peek(e), *u;

    if (n->kind == T_DEC)
        return eql_fail(e, n->off,
                        "maxspan must be a whole number with a unit (ms, s, m, h, d), found '%.*s'",
                        (int)n->len, e->text + n->off);
    if (n->kind == T_MINUS)
        return eql_fail(e, n->off, "maxspan must be positive");
    if (n->kind != T_INT)
        return eql_fail_expected(e, n, "a time span after 'maxspan=' (such as 30s)");
    eql_next(e);
    if (n->i <= 0)
        return eql_fail(e, n->off, "maxspan must be positive, found %lld", (long long)n->i);
    u = eql_peek(e);
    if (u->kind != T_IDENT)
        return eql_fail(e, u->off,
                        "expected a time unit after %lld (ms, s, m, h or d; for example %llds)",
                        (long long)n->i, (long long)n->i);
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        if (!strcmp(u->s, units[i].unit)) {
            if (n->i > INT64_MAX / units[i].ns)
                return eql_fail(e, n->off, "maxspan too large");
            *ns = n->i * units[i].ns;
            eql_next(e);
            return true;
        }
    }
    return eql_fail(e, u->off, "unknown time unit '%s' (use ms, s, m, h or d)", u->s);
}

/* Append a stage to q->stages (ir_query_free frees the array). */
static struct ir_stage *add_stage(struct eql *e, size_t *cap)
{
    struct ir_query *q = e->q;
    q->stages = xgrow(q->stages, cap, q->nstages + 1, sizeof *q->stages);
    struct ir_stage *s = &q->stages[q->nstages++];
    memset(s, 0, sizeof *s);
    s->runs = 1;
    return s;
}

/* Every stage must end up with the same number of keys (ES: "inconsistent join keys"). */
static bool check_key_count(struct eql *e, uint32_t *want, const struct keys *top,
                            const struct keys *own, uint32_t stage_off)
{
    uint32_t n = top->n + own->n;
    if (*want == UINT32_MAX) {
        *want = n;
        return true;
    }
    if (n == *want)
        return true;
    return eql_fail(e, own->n ? own->off : stage_off,
                    "inconsistent number of join keys: expected %u but found %u", *want - top->n,
                    own->n);
}

/*
 * sequenceTerm : ('[' | '![') eventFilter ']' joinKeys? (WITH IDENTIFIER '=' number)?
 * joinTerm     : '[' eventFilter ']' joinKeys?          (sample)
 * what: "sequence", "sample" or "until".
 */
static bool parse_term(struct eql *e, const char *what, struct ir_stage *s, struct keys *own,
                       const struct keys *top)
{
    const struct tok *open = eql_peek(e);

    if (open->kind == T_MISSING) {
        if (strcmp(what, "sequence") != 0)
            return eql_fail(e, open->off, "a missing event ('![...]') is not allowed in %s",
                            strcmp(what, "until") ? "a sample" : "'until'");
        s->missing = true;
    } else if (open->kind != T_LB) {
        return eql_fail_expected(e, open, "'[' to start a query in brackets");
    }
    eql_next(e);
    if (!parse_event_filter(e, &s->cond) || !eql_expect(e, T_RB, "to close the bracketed query"))
        return false;
    if (!parse_keys(e, own))
        return false;
    s->by = stage_keys(e, top, own);
    s->nby = top->n + own->n;
    if (eql_peek(e)->kind != T_WITH)
        return true;
    const struct tok *w = eql_next(e), *key = eql_peek(e);
    if (strcmp(what, "sequence") != 0)
        return eql_fail(e, w->off, "'with' is not allowed in %s",
                        strcmp(what, "until") ? "a sample" : "'until'");
    if (key->kind == T_MAXSPAN)
        return eql_fail(e, key->off,
                        "maxspan goes after 'sequence' (and its 'by'), not after a query");
    if (key->kind != T_IDENT || strcmp(key->s, "runs") != 0)
        return eql_fail_expected(e, key, "'runs' after 'with'");
    eql_next(e);
    if (!eql_expect(e, T_ASGN, "after 'runs'"))
        return false;
    const struct tok *n = eql_peek(e);
    if (n->kind != T_INT && n->kind != T_DEC && n->kind != T_MINUS)
        return eql_fail_expected(e, n, "a number after 'runs='");
    if (n->kind != T_INT || n->i < 1 || n->i > EQL_MAX_RUNS)
        return eql_fail(e, n->off, "runs must be a whole number from 1 to %d", EQL_MAX_RUNS);
    s->runs = (uint32_t)n->i;
    eql_next(e);
    return true;
}

/*
 * sequence : SEQUENCE (joinKeys sequenceParams? | sequenceParams)?
 *            sequenceTerm+ (UNTIL sequenceTerm)?
 * sequenceParams : WITH MAXSPAN '=' timeUnit
 */
static bool parse_sequence(struct eql *e)
{
    struct ir_query *q = e->q;
    const struct tok *start = eql_next(e);
    struct keys top, own;
    size_t cap = 0;
    uint32_t want = UINT32_MAX, total = 0, positive = 0, first_missing = UINT32_MAX;

    q->kind = IRQ_SEQUENCE;
    if (!parse_keys(e, &top))
        return false;
    if (eql_peek(e)->kind == T_WITH) {
        eql_next(e);
        if (!eql_expect(e, T_MAXSPAN, "after 'with' (sequence with maxspan=...)") ||
            !eql_expect(e, T_ASGN, "after 'maxspan'") || !parse_time(e, &q->maxspan_ns))
            return false;
        if (eql_peek(e)->kind == T_BY)
            return eql_fail(e, eql_peek(e)->off, "put 'by' before 'with maxspan' in a sequence");
    }
    while (eql_peek(e)->kind == T_LB || eql_peek(e)->kind == T_MISSING) {
        uint32_t off = eql_peek(e)->off;
        if (q->nstages >= EQL_MAX_LIST)
            return eql_fail(e, off, "too many queries in the sequence (limit %u)", EQL_MAX_LIST);
        struct ir_stage *s = add_stage(e, &cap);
        if (!parse_term(e, "sequence", s, &own, &top) ||
            !check_key_count(e, &want, &top, &own, off))
            return false;
        s = &q->stages[q->nstages - 1];
        total += s->runs;
        if (s->missing && first_missing == UINT32_MAX)
            first_missing = off;
        if (!s->missing)
            positive++;
    }
    if (q->nstages == 0)
        return eql_fail_expected(e, eql_peek(e), "'[' to start the first query of the sequence");
    if (eql_peek(e)->kind == T_UNTIL) {
        uint32_t off = eql_next(e)->off;
        memset(&q->until, 0, sizeof q->until);
        q->until.runs = 1;
        q->has_until = true;
        if (!parse_term(e, "until", &q->until, &own, &top) ||
            !check_key_count(e, &want, &top, &own, off))
            return false;
    }
    if (total < 2)
        return eql_fail(e, start->off, "a sequence needs at least 2 queries, found %u", total);
    if (positive == 0)
        return eql_fail(e, start->off,
                        "a sequence needs at least one query that is not a missing event");
    if (first_missing != UINT32_MAX && q->maxspan_ns == 0)
        return eql_fail(e, first_missing,
                        "missing events ('![...]') need 'with maxspan=...' on the sequence");
    return true;
}

/* sample : SAMPLE joinKeys? joinTerm+ */
static bool parse_sample(struct eql *e)
{
    struct ir_query *q = e->q;
    const struct tok *start = eql_next(e);
    struct keys top, own;
    size_t cap = 0;
    uint32_t want = UINT32_MAX;

    q->kind = IRQ_SAMPLE;
    if (!parse_keys(e, &top))
        return false;
    if (eql_peek(e)->kind == T_WITH)
        return eql_fail(e, eql_peek(e)->off, "a sample does not take 'with' (no maxspan or runs)");
    while (eql_peek(e)->kind == T_LB || eql_peek(e)->kind == T_MISSING) {
        uint32_t off = eql_peek(e)->off;
        if (q->nstages >= EQL_MAX_LIST)
            return eql_fail(e, off, "too many queries in the sample (limit %u)", EQL_MAX_LIST);
        struct ir_stage *s = add_stage(e, &cap);
        if (!parse_term(e, "sample", s, &own, &top) || !check_key_count(e, &want, &top, &own, off))
            return false;
    }
    if (eql_peek(e)->kind == T_UNTIL)
        return eql_fail(e, eql_peek(e)->off, "a sample does not take 'until'");
    if (q->nstages < 2) {
        if (q->nstages == 0)
            return eql_fail_expected(e, eql_peek(e), "'[' to start the first query of the sample");
        return eql_fail(e, start->off, "a sample needs at least 2 queries, found %u", q->nstages);
    }
    return true;
}

/* pipe : '|' IDENTIFIER (expression (',' expression)*)?   — only head N and tail N */
static bool parse_pipe(struct eql *e, size_t *cap)
{
    struct ir_query *q = e->q;
    const struct tok *bar = eql_next(e), *name = eql_peek(e), *n;

    if (name->kind != T_IDENT)
        return eql_fail_expected(e, name, "a pipe name after '|' (head or tail)");
    if (strcmp(name->s, "head") != 0 && strcmp(name->s, "tail") != 0)
        return eql_fail(e, name->off,
                        "unsupported pipe '%s' (Elasticsearch EQL has only 'head' and 'tail')",
                        name->s);
    eql_next(e);
    n = eql_peek(e);
    if (n->kind != T_INT || n->i <= 0) {
        if (n->kind == T_EOF || n->kind == T_PIPE)
            return eql_fail(e, n->off, "pipe '%s' needs a count, such as '| %s 10'", name->s,
                            name->s);
        return eql_fail(e, n->off, "pipe '%s' needs a positive whole number", name->s);
    }
    eql_next(e);
    if (q->npipes >= 64)
        return eql_fail(e, bar->off, "too many pipes");
    q->pipes = xgrow(q->pipes, cap, q->npipes + 1, sizeof *q->pipes);
    q->pipes[q->npipes].kind = name->s[0] == 'h' ? IR_PIPE_HEAD : IR_PIPE_TAIL;
    q->pipes[q->npipes].n = n->i;
    q->npipes++;
    if (eql_peek(e)->kind == T_COMMA)
        return eql_fail(e, eql_peek(e)->off, "pipe '%s' takes exactly one argument", name->s);
    return true;
}

/* statement : query pipe* EOF */
static bool parse_statement(struct eql *e)
{
    struct ir_query *q = e->q;
    const struct tok *t = eql_peek(e);
    size_t cap = 0;

    switch (t->kind) {
    case T_SEQUENCE:
        if (!parse_sequence(e))
            return false;
        break;
    case T_SAMPLE:
        if (!parse_sample(e))
            return false;
        break;
    case T_JOIN:
        return eql_fail(e, t->off, "join is not supported by Elasticsearch EQL");
    case T_EOF:
        return eql_fail(e, t->off,
                        "empty query: expected an event query such as 'process where true'");
    default: {
        size_t scap = 0;
        struct ir_stage *s = add_stage(e, &scap);
        q->kind = IRQ_EVENT;
        if (!parse_event_filter(e, &s->cond))
            return false;
        break;
    }
    }
    while (eql_peek(e)->kind == T_PIPE)
        if (!parse_pipe(e, &cap))
            return false;
    t = eql_peek(e);
    if (t->kind != T_EOF) {
        if (t->kind == T_LB || t->kind == T_MISSING)
            return eql_fail(e, t->off,
                            "a bracketed query here needs 'sequence' or 'sample' at the start");
        if (t->kind == T_UNTIL)
            return eql_fail(e, t->off, "'until' belongs to a sequence");
        return eql_fail_expected(e, t, "'and', 'or', a pipe or the end of the query");
    }
    return true;
}

struct ir_query *eql_compile(const char *text, size_t len, struct fieldtab *ft,
                             struct lang_error *err)
{
    struct eql e;

    memset(err, 0, sizeof *err);
    memset(&e, 0, sizeof e);
    e.text = text ? text : "";
    e.len = text ? len : 0;
    e.err = err;
    e.q = ir_query_new(ft);
    bool ok = eql_lex(&e) && parse_statement(&e);
    free(e.toks);
    arena_clear(&e.scratch);
    if (!ok) {
        ir_query_free(e.q);
        return NULL;
    }
    return e.q;
}
