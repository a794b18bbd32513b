/*
 * eql_lower.c — lowering of parsed EQL pieces to IR (lang.h): conditions vs values,
 * comparisons (null tests, exact matches, must_not negation), arithmetic, and the boolean
 * functions that Elasticsearch runs as Lucene queries. The parser is eql_expr.c.
 */
#include <stdio.h>
#include <string.h>

#include "lang/eql_int.h"

/* What each function accepts (ES eql-function-ref): arity, a ~ form, boolean result. */
const struct eql_fn_info eql_fn_info[IR_FN_COUNT] = {
    [IR_FN_ADD] = {2, 2, false, false},
    [IR_FN_BETWEEN] = {3, 4, true, false},
    [IR_FN_CIDRMATCH] = {2, EQL_MAX_LIST, false, true},
    [IR_FN_CONCAT] = {1, EQL_MAX_LIST, false, false},
    [IR_FN_DIVIDE] = {2, 2, false, false},
    [IR_FN_ENDSWITH] = {2, 2, true, true},
    [IR_FN_INDEXOF] = {2, 3, true, false},
    [IR_FN_LENGTH] = {1, 1, false, false},
    [IR_FN_MODULO] = {2, 2, false, false},
    [IR_FN_MULTIPLY] = {2, 2, false, false},
    [IR_FN_NUMBER] = {1, 2, false, false},
    [IR_FN_STARTSWITH] = {2, 2, true, true},
    [IR_FN_STRING] = {1, 1, false, false},
    [IR_FN_STRINGCONTAINS] = {2, 2, true, true},
    [IR_FN_SUBSTRING] = {2, 3, false, false},
    [IR_FN_SUBTRACT] = {2, 2, false, false},
};

static const char *const val_kind_names[VAL_TYPE_COUNT] = {
    [VAL_NULL] = "null",       [VAL_BOOL] = "a boolean", [VAL_LONG] = "a number",
    [VAL_DOUBLE] = "a number", [VAL_STR] = "a string",   [VAL_IP] = "an address",
    [VAL_ARRAY] = "a list",
};

void eql_ex_pred(struct ex *x, uint32_t node, uint32_t off)
{
    memset(x, 0, sizeof *x);
    x->k = E_PRED;
    x->fn = -1;
    x->node = node;
    x->off = off;
}

void eql_ex_const(struct ex *x, const struct val *v, uint32_t off)
{
    memset(x, 0, sizeof *x);
    x->k = E_CONST;
    x->fn = -1;
    x->node = IR_NONE;
    x->off = off;
    x->v = *v;
}

static uint32_t ir_false(struct ir_query *q)
{
    struct ir_node n;
    memset(&n, 0, sizeof n);
    n.op = IR_FALSE;
    n.a = n.b = IR_NONE;
    n.field = FIELD_NONE;
    return ir_node_add(q, &n);
}

/* The IR node of a value (materializes constants). */
uint32_t eql_val_node(struct eql *e, struct ex *x)
{
    if (x->k == E_CONST && x->node == IR_NONE)
        x->node = ir_const(e->q, &x->v);
    return x->node;
}

/* Append s to b as a Lucene regular expression matching s literally. */
static void regex_literal(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 &&
            !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            buf_putc(b, '\\');
        buf_putc(b, (char)c);
    }
}

/* Append a Lucene wildcard (* ? and \ escapes) to b as a Lucene regular expression. */
static void regex_from_lucene_wildcard(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*')
            buf_puts(b, ".*");
        else if (s[i] == '?')
            buf_putc(b, '.');
        else if (s[i] == '\\' && i + 1 < n)
            regex_literal(b, s + ++i, 1);
        else
            regex_literal(b, s + i, 1);
    }
}

/*
 * A boolean function as a condition, the way Elasticsearch runs it: with a field and constant
 * strings it becomes a Lucene query, so it matches any element of a multi-valued field and
 * its negation holds when the field is missing. cidrMatch -> terms query: here
 * AND(EXISTS f, the call), so that `not` holds for a missing field while the call still
 * reads addresses held as text; startsWith -> prefix; endsWith / stringContains ->
 * wildcard "*s" / "*s*", where ES does not escape s, so * ? and \ keep their Lucene wildcard
 * meaning. Such a pattern becomes PAT_WILDCARD when it has no metacharacter beyond the added
 * stars, else an equivalent PAT_REGEX. Other calls stay IR_FUNC (an ES script: null stays
 * null).
 */
static uint32_t pushdown(struct eql *e, uint32_t fnode)
{
    struct ir_query *q = e->q;
    struct ir_node f = q->nodes[fnode];
    uint32_t pat, m;

    if (f.nlist < 2 || q->nodes[q->lists[f.list]].op != IR_FIELD)
        return fnode;
    for (uint32_t i = 1; i < f.nlist; i++) {
        const struct ir_node *a = &q->nodes[q->lists[f.list + i]];
        if (a->op != IR_CONST || a->k.type != VAL_STR)
            return fnode;
    }
    bool ci = f.flags & IR_F_CI;
    uint32_t operand = q->lists[f.list];
    if (f.sub == IR_FN_CIDRMATCH) /* the call parses text addresses too; exists: must_not */
        return ir_and(q, ir_exists(q, operand), fnode);
    const struct val *k = &q->nodes[q->lists[f.list + 1]].k;
    bool lead = f.sub != IR_FN_STARTSWITH, trail = f.sub != IR_FN_ENDSWITH;
    const char *meta = f.sub == IR_FN_STARTSWITH ? "*?" : "*?\\";
    struct buf b = {0};
    enum ir_pat_kind kind = PAT_WILDCARD;
    if (strpbrk(k->s, meta) == NULL && memchr(k->s, 0, k->n) == NULL) {
        buf_printf(&b, "%s%s%s", lead ? "*" : "", k->s, trail ? "*" : "");
    } else {
        kind = PAT_REGEX;
        buf_puts(&b, lead ? ".*" : "");
        if (f.sub == IR_FN_STARTSWITH)
            regex_literal(&b, k->s, k->n); /* a prefix query has no metacharacters */
        else
            regex_from_lucene_wildcard(&b, k->s, k->n);
        buf_puts(&b, trail ? ".*" : "");
    }
    pat = ir_pattern_add(q, kind, ci, b.p, b.len);
    buf_clear(&b);
    m = ir_match(q, operand, &pat, 1);
    if (ci)
        q->nodes[m].flags |= IR_F_CI;
    return m;
}

/* x used where a value is needed. */
bool eql_as_value(struct eql *e, struct ex *x, uint32_t *out)
{
    if (x->k == E_PRED)
        return eql_fail(e, x->off, "expected a value here, found a condition");
    *out = eql_val_node(e, x);
    return true;
}

/*
 * x used where a condition is needed: true/false become IR_TRUE/IR_FALSE, a field is tested
 * for the value true, a boolean function is used as is (the engine reads its value as the
 * truth: null stays null), null stays a null constant.
 */
bool eql_as_pred(struct eql *e, struct ex *x, uint32_t *out)
{
    switch (x->k) {
    case E_PRED:
        *out = x->node;
        return true;
    case E_FIELD: {
        struct val t = {.type = VAL_BOOL, .b = true};
        *out = ir_cmp(e->q, IR_EQ, x->node, ir_const(e->q, &t));
        return true;
    }
    case E_CONST:
        if (x->v.type == VAL_BOOL) {
            *out = x->v.b ? ir_true(e->q) : ir_false(e->q);
            return true;
        }
        if (x->v.type == VAL_NULL) {
            *out = eql_val_node(e, x);
            return true;
        }
        return eql_fail(e, x->off, "expected a condition, found %s", val_kind_names[x->v.type]);
    default:
        if (x->fn >= 0 && eql_fn_info[x->fn].boolean) {
            *out = pushdown(e, x->node);
            return true;
        }
        if (x->fn >= 0)
            return eql_fail(e, x->off,
                            "expected a condition, found function '%s' (it does not return a "
                            "boolean; compare its result)",
                            ir_fn_name(x->fn));
        return eql_fail(e, x->off, "expected a condition, found an arithmetic expression");
    }
}

/* ---- constants and patterns ---- */

/* Text of a constant used as a match pattern (numbers by their spelling). */
const char *eql_const_text(struct eql *e, const struct ex *c, size_t *n)
{
    char tmp[40];
    switch (c->v.type) {
    case VAL_STR:
        *n = c->v.n;
        return c->v.s;
    case VAL_BOOL:
        *n = c->v.b ? 4 : 5;
        return c->v.b ? "true" : "false";
    case VAL_LONG:
        *n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)c->v.i);
        return arena_strndup(&e->scratch, tmp, *n);
    default: { /* VAL_DOUBLE: keep the literal's spelling */
        char *s = arena_alloc(&e->scratch, c->numlen + 2);
        *n =
            (size_t)snprintf(s, c->numlen + 2, "%s%.*s", c->neg ? "-" : "", (int)c->numlen, c->num);
        return s;
    }
    }
}

/* ---- comparisons ---- */

static enum ir_cmp cmp_of(enum tok_kind k)
{
    switch (k) {
    case T_EQ:
        return IR_EQ;
    case T_NEQ:
        return IR_NE;
    case T_LT:
        return IR_LT;
    case T_LE:
        return IR_LE;
    case T_GT:
        return IR_GT;
    default:
        return IR_GE;
    }
}

/* a OP b  ==  b FLIP(OP) a */
static enum ir_cmp cmp_flip(enum ir_cmp c)
{
    switch (c) {
    case IR_LT:
        return IR_GT;
    case IR_LE:
        return IR_GE;
    case IR_GT:
        return IR_LT;
    case IR_GE:
        return IR_LE;
    default:
        return c;
    }
}

/* Is value node v null? NOT(EXISTS v); constants are decided now (IR_NONE: never null). */
static uint32_t isnull_val(struct eql *e, uint32_t v)
{
    const struct ir_node *n = &e->q->nodes[v];
    if (n->op == IR_CONST)
        return n->k.type == VAL_NULL ? ir_true(e->q) : IR_NONE;
    return ir_not(e->q, ir_exists(e->q, v));
}

static uint32_t or_maybe(struct eql *e, uint32_t a, uint32_t b)
{
    if (a == IR_NONE)
        return b;
    if (b == IR_NONE)
        return a;
    return ir_or(e->q, a, b);
}

/*
 * When is predicate p null in ES's script evaluation (`null == (x > 1)`)? When a value it
 * tests is null. Returns IR_NONE for "never"; fails for and/or, whose null logic the IR
 * cannot express.
 */
static bool isnull_pred(struct eql *e, uint32_t p, uint32_t off, uint32_t *out)
{
    struct ir_node n = e->q->nodes[p];
    switch (n.op) {
    case IR_CMP:
        *out = or_maybe(e, isnull_val(e, n.a), isnull_val(e, n.b));
        return true;
    case IR_MATCH:
        *out = isnull_val(e, n.a);
        return true;
    case IR_NOT:
        return isnull_pred(e, n.a, off, out);
    case IR_EXISTS:
    case IR_TRUE:
    case IR_FALSE:
        *out = IR_NONE;
        return true;
    case IR_AND:
    case IR_OR:
        return eql_fail(e, off, "comparing a combined condition (and/or) is not supported");
    default: /* a boolean function, field or constant used as a condition */
        *out = isnull_val(e, p);
        return true;
    }
}

/*
 * A condition compared with a value: `P == null` is true when P is null (ES: comparisons
 * with a null are null); `P == true` is P; `P == false` is "P is false, not null".
 */
static bool lower_cmp_pred(struct eql *e, enum ir_cmp c, struct ex *l, struct ex *r)
{
    struct ex *p = l->k == E_PRED ? l : r, *v = l->k == E_PRED ? r : l;
    uint32_t off = l->off < r->off ? l->off : r->off, pn = IR_NONE, isnull, n;

    if ((c != IR_EQ && c != IR_NE) || v->k != E_CONST ||
        (v->v.type != VAL_NULL && v->v.type != VAL_BOOL) || !eql_as_pred(e, p, &pn))
        return e->failed
                   ? false
                   : eql_fail(
                         e, off,
                         "a condition can only be compared with == or != to true, false or null");
    if (!isnull_pred(e, pn, off, &isnull))
        return false;
    if (v->v.type == VAL_NULL) {
        n = isnull == IR_NONE ? ir_false(e->q) : isnull;
        eql_ex_pred(l, c == IR_EQ ? n : ir_not(e->q, n), off);
        return true;
    }
    if (v->v.b == (c == IR_EQ)) { /* == true, != false */
        eql_ex_pred(l, pn, off);
        return true;
    }
    n = ir_not(e->q, pn);
    if (isnull != IR_NONE)
        n = ir_and(e->q, n, ir_not(e->q, isnull));
    eql_ex_pred(l, n, off);
    return true;
}

/*
 * l OP r, lowered (lang.h): f == null -> NOT(EXISTS f); f != null -> EXISTS f;
 * f == "s" -> MATCH exact; anything != -> NOT(the == test), true when f is missing;
 * other comparisons -> CMP. A constant on the left is moved to the right. Two non-constant
 * sides (ES allows this only when optional fields resolve to null) are also equal when both
 * are null.
 */
bool eql_lower_cmp(struct eql *e, enum tok_kind op, struct ex *l, struct ex *r)
{
    enum ir_cmp c = cmp_of(op);
    struct ir_query *q = e->q;
    uint32_t a, b, n = IR_NONE;

    if (l->k == E_PRED || r->k == E_PRED)
        return lower_cmp_pred(e, c, l, r);
    if (l->k == E_CONST && r->k != E_CONST) {
        struct ex t = *l;
        *l = *r;
        *r = t;
        c = cmp_flip(c);
    }
    uint32_t off = l->off < r->off ? l->off : r->off;
    a = eql_val_node(e, l);
    if (r->k == E_CONST && r->v.type == VAL_NULL && (c == IR_EQ || c == IR_NE)) {
        n = ir_exists(q, a);
        eql_ex_pred(l, c == IR_EQ ? ir_not(q, n) : n, off);
        return true;
    }
    if (r->k == E_CONST && r->v.type == VAL_STR && (c == IR_EQ || c == IR_NE)) {
        n = ir_match1(q, a, PAT_EXACT, false, r->v.s, r->v.n);
    } else {
        b = eql_val_node(e, r);
        n = ir_cmp(q, c == IR_NE ? IR_EQ : c, a, b);
        if ((c == IR_EQ || c == IR_NE) && r->k != E_CONST && l->k != E_CONST)
            n = ir_or(q, n, ir_and(q, isnull_val(e, a), isnull_val(e, b)));
    }
    eql_ex_pred(l, c == IR_NE ? ir_not(q, n) : n, off);
    return true;
}

/* ---- arithmetic ---- */

bool eql_check_numeric(struct eql *e, const struct ex *x, const char *op)
{
    if (x->k == E_CONST && x->v.type != VAL_LONG && x->v.type != VAL_DOUBLE &&
        x->v.type != VAL_NULL)
        return eql_fail(e, x->off, "'%s' needs numbers, found %s", op, val_kind_names[x->v.type]);
    return true;
}

bool eql_lower_arith(struct eql *e, enum tok_kind op, struct ex *l, struct ex *r)
{
    static const char *const names[] = {
        [T_PLUS] = "+", [T_MINUS] = "-", [T_STAR] = "*", [T_SLASH] = "/", [T_PERCENT] = "%"};
    enum ir_arith a = op == T_PLUS    ? IR_ADD
                      : op == T_MINUS ? IR_SUB
                      : op == T_STAR  ? IR_MUL
                      : op == T_SLASH ? IR_DIV
                                      : IR_MOD;
    uint32_t ln = IR_NONE, rn = IR_NONE;

    if (!eql_as_value(e, l, &ln) || !eql_as_value(e, r, &rn) ||
        !eql_check_numeric(e, l, names[op]) || !eql_check_numeric(e, r, names[op]))
        return false;
    uint32_t off = l->off;
    memset(l, 0, sizeof *l);
    l->k = E_VALUE;
    l->fn = -1;
    l->off = off;
    l->node = ir_arith(e->q, a, ln, rn);
    return true;
}
