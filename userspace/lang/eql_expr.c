/*
 * eql_expr.c — EQL conditions and value expressions: recursive descent with a precedence
 * table for the binary operators, lowered to IR as each piece is parsed (eql_lower.c; the
 * lowering rules are in lang.h).
 *
 * Grammar (Elasticsearch EqlBase.g4, left recursion resolved by precedence):
 *
 *   expression   : booleanExpression
 *   booleanExpr  : NOT booleanExpr | booleanExpr AND booleanExpr | booleanExpr OR booleanExpr
 *                | valueExpression
 *   valueExpr    : operatorExpr (comparisonOperator operatorExpr)?      (no chaining)
 *   operatorExpr : ('-' | '+') operatorExpr | operatorExpr ('*' | '/' | '%') operatorExpr
 *                | operatorExpr ('+' | '-') operatorExpr | primaryExpression predicate?
 *
 * Precedence, loosest first: or, and, not, comparisons, + -, * / %, unary - +. A predicate
 * (in, :, like, regex) binds to the primary expression before it, as in ES.
 *
 * Every parsed piece is a struct ex: a condition (E_PRED) or a value (field, constant,
 * function or arithmetic). Constants stay unmaterialized until they are needed as an IR
 * node, since most become match patterns instead.
 */
#include <stdio.h>
#include <string.h>

#include "lang/eql_int.h"

enum { P_OR = 1, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_UNARY };

/* Binding power of each binary operator token; 0: not a binary operator. */
static const uint8_t binop_prec[T_KIND_COUNT] = {
    [T_OR] = P_OR,    [T_AND] = P_AND,   [T_EQ] = P_CMP,      [T_NEQ] = P_CMP,  [T_LT] = P_CMP,
    [T_LE] = P_CMP,   [T_GT] = P_CMP,    [T_GE] = P_CMP,      [T_PLUS] = P_ADD, [T_MINUS] = P_ADD,
    [T_STAR] = P_MUL, [T_SLASH] = P_MUL, [T_PERCENT] = P_MUL,
};

static bool parse_expr(struct eql *e, int min, struct ex *x);

static bool enter(struct eql *e, uint32_t off)
{
    if (++e->depth > EQL_MAX_DEPTH)
        return eql_fail(e, off, "expression nested too deeply (limit %d)", EQL_MAX_DEPTH);
    return true;
}

static void leave(struct eql *e)
{
    e->depth--;
}

/* ---- constants ---- */

/* constant : NULL | number | booleanValue | string   (a '-' before a number is allowed) */
static bool parse_constant(struct eql *e, struct ex *x, const char *what)
{
    const struct tok *t = eql_peek(e);
    struct val v = {0};
    bool neg = false;

    if (t->kind == T_MINUS && (eql_peek2(e)->kind == T_INT || eql_peek2(e)->kind == T_DEC)) {
        neg = true;
        eql_next(e);
        t = eql_peek(e);
    }
    switch (t->kind) {
    case T_STRING:
        v.type = VAL_STR;
        v.s = t->s;
        v.n = t->n;
        break;
    case T_INT:
        v.type = VAL_LONG;
        v.i = neg ? -t->i : t->i;
        break;
    case T_DEC:
        v.type = VAL_DOUBLE;
        v.d = neg ? -t->d : t->d;
        break;
    case T_TRUE:
    case T_FALSE:
        v.type = VAL_BOOL;
        v.b = t->kind == T_TRUE;
        break;
    case T_NULL:
        v.type = VAL_NULL;
        break;
    default:
        return eql_fail_expected(e, t, what);
    }
    eql_ex_const(x, &v, t->off);
    if (t->kind == T_DEC) {
        x->num = e->text + t->off;
        x->numlen = t->len;
        x->neg = neg;
    }
    eql_next(e);
    return true;
}

/* ---- primary expressions ---- */

/* Growable list of node ids in the scratch arena. */
struct ids {
    uint32_t *v;
    uint32_t n, cap;
};

static bool ids_push(struct eql *e, struct ids *l, uint32_t id, uint32_t off)
{
    if (l->n >= EQL_MAX_LIST)
        return eql_fail(e, off, "list too long (limit %u items)", EQL_MAX_LIST);
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        uint32_t *v = arena_alloc(&e->scratch, cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = id;
    return true;
}

/* qualifiedName : '?'? identifier ('.' identifier | '[' INTEGER_VALUE+ ']')* */
static bool parse_field(struct eql *e, struct ex *x)
{
    const struct tok *t = eql_peek(e);
    uint32_t off = t->off;
    uint8_t flags = 0;
    struct buf name = {0};

    if (eql_accept(e, T_OPT)) {
        flags |= IR_F_OPTIONAL;
        t = eql_peek(e);
    }
    if (t->kind != T_IDENT && t->kind != T_QIDENT)
        return eql_fail_expected(e, t, flags ? "a field name after '?'" : "a field name");
    buf_append(&name, t->s, t->n);
    eql_next(e);
    for (;;) {
        t = eql_peek(e);
        if (t->kind == T_DOT) {
            const struct tok *s = eql_peek2(e);
            /* keywords are fine after a dot: `x.any` can only be a field */
            bool word = s->kind >= T_AND && s->kind <= T_WITH;
            if (s->kind != T_IDENT && s->kind != T_QIDENT && !word) {
                buf_clear(&name);
                return eql_fail_expected(e, s, "a field name after '.'");
            }
            buf_putc(&name, '.');
            if (word)
                buf_append(&name, e->text + s->off, s->len);
            else
                buf_append(&name, s->s, s->n);
            eql_next(e);
            eql_next(e);
        } else if (t->kind == T_LB && eql_peek2(e)->kind == T_INT) {
            buf_clear(&name);
            return eql_fail(e, t->off, "array indexes are not supported");
        } else {
            break;
        }
    }
    memset(x, 0, sizeof *x);
    x->k = E_FIELD;
    x->fn = -1;
    x->off = off;
    x->node = ir_field(e->q, name.p, name.len, flags);
    buf_clear(&name);
    return true;
}

/* functionExpression : functionName '(' (expression (',' expression)*)? ')' */
static bool parse_call(struct eql *e, struct ex *x)
{
    const struct tok *name = eql_next(e);
    bool ci = name->kind == T_TILDE_IDENT;
    int fn = ir_fn_lookup(name->s, name->n);
    struct ids args = {0};

    if (fn < 0)
        return eql_fail(e, name->off, "unknown function '%s'", name->s);
    if (ci && !eql_fn_info[fn].has_ci)
        return eql_fail(e, name->off, "function '%s' has no case-insensitive (~) form", name->s);
    if (!eql_expect(e, T_LP, "after the function name") || !enter(e, name->off))
        return false;
    if (eql_peek(e)->kind != T_RP) {
        do {
            struct ex a;
            uint32_t id = IR_NONE, off = eql_peek(e)->off;
            if (!parse_expr(e, P_OR, &a) || !eql_as_value(e, &a, &id))
                return false;
            if (fn == IR_FN_CIDRMATCH && args.n > 0 && a.k == E_CONST) {
                uint8_t net[16];
                int bits;
                if (a.v.type == VAL_STR && !cidr_parse(a.v.s, a.v.n, net, &bits))
                    return eql_fail(e, off, "invalid CIDR block \"%s\" in cidrMatch", a.v.s);
                if (a.v.type != VAL_STR && a.v.type != VAL_NULL)
                    return eql_fail(e, off, "cidrMatch needs CIDR blocks as strings");
            }
            if (!ids_push(e, &args, id, off))
                return false;
        } while (eql_accept(e, T_COMMA));
    }
    if (!eql_expect(e, T_RP, "to close the function's arguments"))
        return false;
    leave(e);
    if (args.n < eql_fn_info[fn].min || args.n > eql_fn_info[fn].max) {
        if (eql_fn_info[fn].min == eql_fn_info[fn].max)
            return eql_fail(e, name->off, "function '%s' takes %u argument%s, found %u", name->s,
                            eql_fn_info[fn].min, eql_fn_info[fn].min == 1 ? "" : "s", args.n);
        if (eql_fn_info[fn].max == EQL_MAX_LIST)
            return eql_fail(e, name->off, "function '%s' takes at least %u arguments, found %u",
                            name->s, eql_fn_info[fn].min, args.n);
        return eql_fail(e, name->off, "function '%s' takes %u to %u arguments, found %u", name->s,
                        eql_fn_info[fn].min, eql_fn_info[fn].max, args.n);
    }
    memset(x, 0, sizeof *x);
    x->k = E_VALUE;
    x->fn = fn;
    x->off = name->off;
    x->node = ir_func(e->q, (enum ir_fn)fn, args.v, args.n, ci ? IR_F_CI : 0);
    return true;
}

/* primaryExpression : constant | functionExpression | qualifiedName | '(' expression ')' */
static bool parse_primary(struct eql *e, struct ex *x)
{
    const struct tok *t = eql_peek(e), *t2 = eql_peek2(e);

    switch (t->kind) {
    case T_STRING:
    case T_INT:
    case T_DEC:
    case T_TRUE:
    case T_FALSE:
    case T_NULL:
        return parse_constant(e, x, "a value");
    case T_TILDE_IDENT:
        if (t2->kind != T_LP)
            return eql_fail_expected(e, t2, "'(' after the function name");
        return parse_call(e, x);
    case T_IDENT:
        if (t2->kind == T_LP)
            return parse_call(e, x);
        if (t2->kind == T_OF)
            return eql_fail(
                e, t->off, "'%s of' (process lineage) is not supported by Elasticsearch EQL", t->s);
        return parse_field(e, x);
    case T_QIDENT:
    case T_OPT:
        return parse_field(e, x);
    case T_LP: {
        uint32_t off = t->off;
        if (!enter(e, off))
            return false;
        eql_next(e);
        if (!parse_expr(e, P_OR, x) || !eql_expect(e, T_RP, "to close '('"))
            return false;
        leave(e);
        x->off = off;
        return true;
    }
    case T_ASGN:
    case T_EQ:
    case T_NEQ:
        return eql_fail_expected(e, t, "a field or value before the comparison");
    default:
        return eql_fail_expected(
            e, t, "a condition or value (a field, string, number, function call or '(')");
    }
}

/*
 * predicate : NOT? (IN | IN_INSENSITIVE) '(' expression (',' expression)* ')'
 *           | (':' | LIKE | LIKE_INSENSITIVE | REGEX | REGEX_INSENSITIVE) constant
 *           | (':' | LIKE | LIKE_INSENSITIVE | REGEX | REGEX_INSENSITIVE)
 *             '(' constant (',' constant)* ')'
 */
static bool parse_predicate(struct eql *e, struct ex *x)
{
    const struct tok *t = eql_peek(e);
    bool negate = false, ci, list;
    enum tok_kind op;
    enum ir_pat_kind kind;
    struct ids pats = {0};
    uint32_t operand = IR_NONE, m;

    if (t->kind == T_NOT) {
        negate = true;
        eql_next(e);
        t = eql_peek(e);
    }
    op = t->kind;
    if (!eql_as_value(e, x, &operand))
        return false;
    eql_next(e);
    ci = op == T_IN_CI || op == T_SEQ || op == T_LIKE_CI || op == T_REGEX_CI;
    kind = op == T_REGEX || op == T_REGEX_CI ? PAT_REGEX
           : op == T_IN || op == T_IN_CI     ? PAT_EXACT
                                             : PAT_WILDCARD;
    list = eql_peek(e)->kind == T_LP;
    if (op == T_IN || op == T_IN_CI) {
        if (!eql_expect(e, T_LP, op == T_IN ? "after 'in'" : "after 'in~'"))
            return false;
    } else {
        eql_accept(e, T_LP);
    }
    if (list && !enter(e, t->off))
        return false;
    do {
        struct ex c;
        const struct tok *ct = eql_peek(e);
        if (kind == PAT_EXACT) {
            /* in (...) takes expressions in the grammar; ES allows only constants */
            if (!parse_expr(e, P_OR, &c))
                return false;
            if (c.k != E_CONST)
                return eql_fail(e, c.off,
                                "the values in an 'in' list must be constants (comparing with a "
                                "field is not supported)");
        } else if (!parse_constant(e, &c,
                                   kind == PAT_REGEX ? "a regular expression string"
                                                     : "a pattern string")) {
            return false;
        }
        if (c.v.type == VAL_NULL)
            return eql_fail(e, ct->off, "null cannot be matched against; use '== null'");
        size_t n;
        const char *s = eql_const_text(e, &c, &n);
        /* numbers and booleans hold no wildcard: match them by value */
        enum ir_pat_kind pk = c.v.type == VAL_STR || kind == PAT_REGEX ? kind : PAT_EXACT;
        if (!ids_push(e, &pats, ir_pattern_add(e->q, pk, ci, s, n), ct->off))
            return false;
    } while (list && eql_accept(e, T_COMMA));
    if (list) {
        if (!eql_expect(e, T_RP, "to close the list"))
            return false;
        leave(e);
    }
    m = ir_match(e->q, operand, pats.v, pats.n);
    if (ci)
        e->q->nodes[m].flags |= IR_F_CI;
    eql_ex_pred(x, negate ? ir_not(e->q, m) : m, x->off);
    return true;
}

static bool is_predicate_start(const struct eql *e)
{
    switch (eql_peek(e)->kind) {
    case T_IN:
    case T_IN_CI:
    case T_SEQ:
    case T_LIKE:
    case T_LIKE_CI:
    case T_REGEX:
    case T_REGEX_CI:
        return true;
    case T_NOT:
        return eql_peek2(e)->kind == T_IN || eql_peek2(e)->kind == T_IN_CI;
    default:
        return false;
    }
}

/*
 * unary : NOT booleanExpression    (only where a condition may start)
 *       | ('-' | '+') unary
 *       | primaryExpression predicate?
 */
static bool parse_unary(struct eql *e, int min, struct ex *x)
{
    const struct tok *t = eql_peek(e);
    uint32_t off = t->off, n = IR_NONE;

    if (t->kind == T_NOT) {
        if (min > P_NOT)
            return eql_fail(e, off,
                            "'not' cannot start a value here; put the condition in parentheses");
        if (!enter(e, off))
            return false;
        eql_next(e);
        if (!parse_expr(e, P_NOT, x) || !eql_as_pred(e, x, &n))
            return false;
        leave(e);
        eql_ex_pred(x, ir_not(e->q, n), off);
        return true;
    }
    if (t->kind == T_MINUS || t->kind == T_PLUS) {
        bool minus = t->kind == T_MINUS;
        if (!enter(e, off))
            return false;
        eql_next(e);
        if (!parse_unary(e, P_UNARY, x) || !eql_check_numeric(e, x, minus ? "-" : "+"))
            return false;
        leave(e);
        if (!minus) {
            if (x->k == E_PRED)
                return eql_fail(e, x->off, "expected a number after '+', found a condition");
        } else if (x->k == E_CONST && x->v.type == VAL_LONG) {
            x->v.i = -x->v.i;
            x->node = IR_NONE;
        } else if (x->k == E_CONST && x->v.type == VAL_DOUBLE) {
            x->v.d = -x->v.d;
            x->neg = !x->neg;
            x->node = IR_NONE;
        } else {
            if (!eql_as_value(e, x, &n))
                return false;
            memset(x, 0, sizeof *x);
            x->k = E_VALUE;
            x->fn = -1;
            x->node = ir_arith(e->q, IR_NEG, n, IR_NONE);
        }
        x->off = off;
        return true;
    }
    if (!parse_primary(e, x))
        return false;
    if (is_predicate_start(e))
        return parse_predicate(e, x);
    const struct tok *t2 = eql_peek2(e);
    if (eql_peek(e)->kind == T_NOT &&
        (t2->kind == T_SEQ || t2->kind == T_LIKE || t2->kind == T_LIKE_CI || t2->kind == T_REGEX ||
         t2->kind == T_REGEX_CI))
        return eql_fail(e, eql_peek(e)->off,
                        "'not' goes before the whole test: write 'not f %.*s ...' (only 'in' takes "
                        "'not' after the field)",
                        (int)t2->len, e->text + t2->off);
    return true;
}

/* Binary operators by precedence climbing (left-associative); min: loosest allowed. */
static bool parse_expr(struct eql *e, int min, struct ex *x)
{
    if (!parse_unary(e, min, x))
        return false;
    for (;;) {
        const struct tok *t = eql_peek(e);
        enum tok_kind op = t->kind;
        int prec = binop_prec[op];
        uint32_t opoff = t->off, a = IR_NONE, b = IR_NONE;
        struct ex r;

        if (op == T_ASGN)
            return eql_fail(
                e, opoff,
                "'=' is not a comparison; use '==' (case-sensitive) or ':' (case-insensitive)");
        if (!prec || prec < min)
            return true;
        eql_next(e);
        if (!parse_expr(e, prec + 1, &r))
            return false;
        if (prec == P_CMP) {
            if (!eql_lower_cmp(e, op, x, &r))
                return false;
            if (binop_prec[eql_peek(e)->kind] == P_CMP)
                return eql_fail(e, eql_peek(e)->off,
                                "comparisons cannot be chained; join them with 'and'");
        } else if (prec == P_AND || prec == P_OR) {
            if (!eql_as_pred(e, x, &a) || !eql_as_pred(e, &r, &b))
                return false;
            eql_ex_pred(x, op == T_AND ? ir_and(e->q, a, b) : ir_or(e->q, a, b), x->off);
        } else if (!eql_lower_arith(e, op, x, &r)) {
            return false;
        }
    }
}

bool eql_parse_condition(struct eql *e, uint32_t *out)
{
    struct ex x;
    return parse_expr(e, P_OR, &x) && eql_as_pred(e, &x, out);
}

bool eql_parse_value(struct eql *e, uint32_t *out)
{
    struct ex x;
    return parse_expr(e, P_OR, &x) && eql_as_value(e, &x, out);
}
