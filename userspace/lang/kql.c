/*
 * kql.c — KQL (Kibana Query Language, `language = "kuery"`) to IR.
 *
 * A hand-written recursive-descent parser that follows Kibana's PEG grammar
 * (kbn-es-query src/kuery/grammar/grammar.peggy) rule for rule, including its quirks:
 *   - `or`/`and` need whitespace on both sides, `not` needs whitespace after it;
 *   - an unquoted literal runs over spaces until a special character or a keyword
 *     (`message: hello world` is one value; `x: cannot y` stops at "can", as in Kibana);
 *   - unquoted literals are trimmed; `*` in them is a wildcard unless escaped;
 *   - a quoted string keeps unknown escapes (`"C:\Windows"`) as written.
 * Every grammar rule is quoted above the function that implements it.
 *
 * Lowering (see lang.h):
 *   f:v, f:"v"           IR_MATCH PAT_EXACT (numbers, addresses, CIDRs, booleans are matched
 *                        by value by the engine; ir_pattern_add derives them)
 *   f:v*                 IR_MATCH PAT_WILDCARD_STAR
 *   f:(a or b or c*)     one IR_MATCH with three patterns; and/not inside lists as IR_AND/IR_NOT
 *   f:*                  IR_EXISTS
 *   f < v ...            IR_CMP against a number, an address (IP fields) or a string
 *   p:{ a:1 and b:2 }    the dotted fields p.a, p.b: vigil flattens arrays of objects the way
 *                        Elasticsearch indexes non-nested objects, so "same element" cannot be
 *                        enforced; this is what Elasticsearch does for a non-nested mapping.
 *   f.*:v, "v" alone     IR_FIELD with IR_F_FIELD_GLOB ("*" for a value with no field)
 *   *:*, * alone         IR_TRUE (match_all), empty query too
 */
#include "lang/kql_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KQL_MAX_DEPTH 64       /* parentheses and nested groups */
#define KQL_MAX_LEN (1u << 20) /* query text */

struct u32vec {
    uint32_t *v;
    size_t n, cap;
};

static void vec_push(struct u32vec *v, uint32_t x)
{
    v->v = xgrow(v->v, &v->cap, v->n + 1, sizeof *v->v);
    v->v[v->n++] = x;
}

/* A field operand being tested: built once per `field:` and shared by its values. */
struct kfield {
    uint32_t node; /* IR_FIELD node; IR_NONE for every field until needed */
    bool all;      /* every field (`*` or no field): `*` as a value is then match_all */
    bool is_ip;    /* an IP field (range bounds parse as addresses) */
};

/* What one value in a list produced: a pattern (to merge into one IR_MATCH) or a node. */
struct vres {
    bool is_pat;
    uint32_t idx;
};

static uint32_t parse_or(struct kp *p);

/* ---- fields and values ---- */

static bool all_stars(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '*')
            return false;
    return true;
}

/* Field "fieldName" = Literal, with the enclosing nested groups' path in front. */
static bool make_field(struct kp *p, const struct lit *L, struct kfield *f)
{
    memset(f, 0, sizeof *f);
    bool glob = L->wild || p->prefix_glob;
    if (glob && (L->esc_star || p->prefix_esc)) {
        kql_fail_at(p, L->start,
                    "a field name mixing wildcards with an escaped '\\*' is not "
                    "supported");
        return false;
    }
    if (L->len == 0) {
        kql_fail_at(p, L->start, "empty field name");
        return false;
    }
    buf_reset(&p->name);
    if (p->prefix.len)
        buf_append(&p->name, p->prefix.p, p->prefix.len);
    buf_append(&p->name, p->lit.p, L->len);
    f->all = glob && all_stars(p->name.p, p->name.len);
    f->is_ip = !glob && field_is_ip(p->name.p);
    f->node = f->all ? IR_NONE : ir_field(p->q, p->name.p, p->name.len, glob ? IR_F_FIELD_GLOB : 0);
    return true;
}

/* The operand node of f, made on first use for "every field" (often not needed: `*:*`). */
static uint32_t field_node(struct kp *p, struct kfield *f)
{
    if (f->node == IR_NONE)
        f->node = ir_field(p->q, "*", 1, IR_F_FIELD_GLOB);
    return f->node;
}

/*
 * What the literal in p->lit means as a value of f: `*` alone tests existence (everything for
 * every field), other unquoted values with `*` are wildcards, the rest exact.
 */
static bool value_of(struct kp *p, struct kfield *f, const struct lit *L, struct vres *r)
{
    const char *s = p->lit.p;
    size_t n = L->len;
    if (!L->quoted && L->wild) {
        if (n == 1) {
            r->is_pat = false;
            r->idx = f->all ? ir_true(p->q) : ir_exists(p->q, field_node(p, f));
            return true;
        }
        if (L->esc_star) {
            kql_fail_at(p, L->start,
                        "a value mixing wildcards with an escaped '\\*' is not "
                        "supported");
            return false;
        }
        r->is_pat = true;
        r->idx = ir_pattern_add(p->q, PAT_WILDCARD_STAR, false, s, n);
        return true;
    }
    if (!L->quoted && n == 4 && memcmp(s, "null", 4) == 0) {
        /* Kibana sends a null match query, which Elasticsearch rejects */
        kql_fail_at(p, L->start, "unquoted null is not a value (write \"null\" for the text)");
        return false;
    }
    r->is_pat = true;
    r->idx = ir_pattern_add(p->q, PAT_EXACT, false, s, n);
    return true;
}

static uint32_t vres_node(struct kp *p, struct kfield *f, const struct vres *r)
{
    if (!r->is_pat)
        return r->idx;
    return ir_match(p->q, field_node(p, f), &r->idx, 1);
}

/* Is node a an IR_MATCH of a field that b also tests (same field id and flags)? */
static bool same_match_field(const struct ir_query *q, uint32_t a, uint32_t b)
{
    const struct ir_node *na = &q->nodes[a], *nb = &q->nodes[b];
    if (na->op != IR_MATCH || nb->op != IR_MATCH)
        return false;
    const struct ir_node *fa = &q->nodes[na->a], *fb = &q->nodes[nb->a];
    return fa->op == IR_FIELD && fb->op == IR_FIELD && fa->field == fb->field &&
           fa->flags == fb->flags;
}

/*
 * OR of kids. Consecutive IR_MATCHes of the same field become one IR_MATCH with all their
 * patterns (`f:a or f:b` is f:(a or b)): one field lookup instead of several. The merged
 * single matches stay in the node pool unreferenced.
 */
static uint32_t build_or(struct kp *p, const uint32_t *kids, size_t n)
{
    struct ir_query *q = p->q;
    struct u32vec out = {0}, pats = {0};
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_match_field(q, kids[i], kids[j]))
            j++;
        if (j == i + 1) {
            vec_push(&out, kids[i]);
        } else {
            pats.n = 0;
            for (size_t k = i; k < j; k++) {
                const struct ir_node *m = &q->nodes[kids[k]];
                for (uint32_t x = 0; x < m->nlist; x++)
                    vec_push(&pats, q->lists[m->list + x]);
            }
            vec_push(&out, ir_match(q, q->nodes[kids[i]].a, pats.v, (uint32_t)pats.n));
        }
        i = j;
    }
    uint32_t r = ir_logic(q, IR_OR, out.v, (uint32_t)out.n);
    free(out.v);
    free(pats.v);
    return r;
}

static bool parse_list(struct kp *p, struct kfield *f, struct vres *r);

/* NotListOfValues = Not ListOfValues / ListOfValues */
static bool parse_list_not(struct kp *p, struct kfield *f, struct vres *r)
{
    size_t e = kql_not_at(p, p->pos);
    if (!e)
        return parse_list(p, f, r);
    p->pos = e;
    struct vres x;
    if (!parse_list(p, f, &x))
        return false;
    r->is_pat = false;
    r->idx = ir_not(p->q, vres_node(p, f, &x));
    return true;
}

/* AndListOfValues = NotListOfValues (And NotListOfValues)* */
static bool parse_list_and(struct kp *p, struct kfield *f, struct vres *r)
{
    struct vres first;
    if (!parse_list_not(p, f, &first))
        return false;
    size_t e = kql_binop_at(p, p->pos, "and");
    if (!e) {
        *r = first;
        return true;
    }
    struct u32vec kids = {0};
    vec_push(&kids, vres_node(p, f, &first));
    while (e) {
        p->pos = e;
        struct vres x;
        if (!parse_list_not(p, f, &x)) {
            free(kids.v);
            return false;
        }
        vec_push(&kids, vres_node(p, f, &x));
        e = kql_binop_at(p, p->pos, "and");
    }
    r->is_pat = false;
    r->idx = ir_logic(p->q, IR_AND, kids.v, (uint32_t)kids.n);
    free(kids.v);
    return true;
}

/* OrListOfValues = AndListOfValues (Or AndListOfValues)* — plain values become one IR_MATCH */
static bool parse_list_or(struct kp *p, struct kfield *f, struct vres *r)
{
    struct u32vec pats = {0}, nodes = {0};
    size_t first_pat = SIZE_MAX; /* where in nodes the merged match goes */
    for (;;) {
        struct vres x;
        if (!parse_list_and(p, f, &x)) {
            free(pats.v);
            free(nodes.v);
            return false;
        }
        if (x.is_pat) {
            if (first_pat == SIZE_MAX) {
                first_pat = nodes.n;
                vec_push(&nodes, IR_NONE);
            }
            vec_push(&pats, x.idx);
        } else {
            vec_push(&nodes, x.idx);
        }
        size_t e = kql_binop_at(p, p->pos, "or");
        if (!e)
            break;
        p->pos = e;
    }
    if (nodes.n == 1 && pats.n == 1) {
        r->is_pat = true;
        r->idx = pats.v[0];
    } else {
        if (first_pat != SIZE_MAX)
            nodes.v[first_pat] = ir_match(p->q, field_node(p, f), pats.v, (uint32_t)pats.n);
        r->is_pat = false;
        r->idx = build_or(p, nodes.v, nodes.n);
    }
    free(pats.v);
    free(nodes.v);
    return true;
}

/* Value "value" = QuotedString / UnquotedLiteral */
static bool parse_value(struct kp *p, struct kfield *f, struct vres *r)
{
    struct lit L;
    if (!kql_lex_literal(p, &L)) {
        char tmp[16];
        kql_fail_at(p, p->pos, "expected a value, found %s", kql_found_at(p, p->pos, tmp));
        return false;
    }
    return value_of(p, f, &L, r);
}

static bool enter(struct kp *p, size_t at)
{
    if (++p->depth > KQL_MAX_DEPTH) {
        kql_fail_at(p, at, "nesting deeper than %d levels", KQL_MAX_DEPTH);
        return false;
    }
    return true;
}

/* Expect the closing character `c` of the group opened at `open`. */
static bool expect_close(struct kp *p, char c, size_t open, const char *what)
{
    kql_skip_spaces(p);
    if (p->pos < p->n && p->s[p->pos] == c) {
        p->pos++;
        p->depth--;
        return true;
    }
    int line, col;
    char tmp[16];
    text_line_col(p->s, p->n, open, &line, &col);
    kql_fail_at(p, p->pos, "expected %s'%c' to close the '%c' at %d:%d, found %s", what, c,
                c == ')' ? '(' : '{', line, col, kql_found_at(p, p->pos, tmp));
    return false;
}

/* ListOfValues = '(' Space* OrListOfValues OptionalSpace ')' / Value */
static bool parse_list(struct kp *p, struct kfield *f, struct vres *r)
{
    if (p->pos >= p->n || p->s[p->pos] != '(')
        return parse_value(p, f, r);
    size_t open = p->pos;
    if (!enter(p, open))
        return false;
    p->pos++;
    kql_skip_spaces(p);
    return parse_list_or(p, f, r) && expect_close(p, ')', open, "'or', 'and' or ");
}

/* ---- queries ---- */

/* Is s[0..n) a decimal number as Elasticsearch parses one (no hex, inf or nan)? */
static bool is_decimal(const char *s, size_t n, bool *integral)
{
    size_t i = 0, digits = 0;
    *integral = true;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        *integral = false;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    }
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *integral = false;
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (!ed)
            return false;
    }
    return i == n;
}

/*
 * The bound of a range: a number when the text is one, an address on an IP field, else a
 * string (Elasticsearch parses the bound by the field's type; the event's value stands in for
 * the mapping).
 */
static uint32_t range_bound(struct kp *p, const struct kfield *f, const char *s, size_t n)
{
    bool integral;
    if (is_decimal(s, n, &integral)) {
        char *end;
        if (integral) {
            errno = 0;
            long long v = strtoll(s, &end, 10);
            if (!errno && end == s + n)
                return ir_const_long(p->q, v);
        }
        double d = strtod(s, &end);
        if (end == s + n && isfinite(d)) {
            struct val v = {.type = VAL_DOUBLE, .d = d};
            return ir_const(p->q, &v);
        }
    }
    uint8_t ip[16];
    if (f->is_ip && ip_parse(s, n, ip)) {
        struct val v = {.type = VAL_IP, .n = (uint32_t)n, .s = s, .ip = ip};
        return ir_const(p->q, &v);
    }
    return ir_const_str(p->q, s, n);
}

/*
 * FieldRangeExpression = Field Space* RangeOperator Space* Literal
 * RangeOperator = '<=' / '>=' / '<' / '>'
 */
static uint32_t parse_range(struct kp *p, const struct lit *F, size_t op_at)
{
    struct kfield f;
    if (!make_field(p, F, &f))
        return IR_NONE;
    bool eq = op_at + 1 < p->n && p->s[op_at + 1] == '=';
    enum ir_cmp op = p->s[op_at] == '<' ? (eq ? IR_LE : IR_LT) : (eq ? IR_GE : IR_GT);
    const char *opname = op == IR_LE ? "<=" : op == IR_LT ? "<" : op == IR_GE ? ">=" : ">";
    p->pos = kql_spaces_end(p, op_at + (eq ? 2 : 1));
    struct lit V;
    if (!kql_lex_literal(p, &V)) {
        char tmp[16];
        if (!p->failed)
            kql_fail_at(p, p->pos, "expected a value after '%s', found %s", opname,
                        kql_found_at(p, p->pos, tmp));
        return IR_NONE;
    }
    if (V.wild) {
        kql_fail_at(p, V.start, "a range bound cannot contain a wildcard '*'");
        return IR_NONE;
    }
    uint32_t k = range_bound(p, &f, p->lit.p, V.len);
    return ir_cmp(p->q, op, field_node(p, &f), k);
}

/* NestedQuery = Field Space* ':' Space* '{' Space* OrQuery OptionalSpace '}' (at the '{') */
static uint32_t parse_nested(struct kp *p, const struct lit *F)
{
    bool glob = F->wild || p->prefix_glob, esc = F->esc_star || p->prefix_esc;
    if (glob && esc) {
        kql_fail_at(p, F->start,
                    "a field name mixing wildcards with an escaped '\\*' is not "
                    "supported");
        return IR_NONE;
    }
    if (F->len == 0) {
        kql_fail_at(p, F->start, "empty field name");
        return IR_NONE;
    }
    size_t open = p->pos;
    if (!enter(p, open))
        return IR_NONE;
    size_t old_len = p->prefix.len;
    bool old_glob = p->prefix_glob, old_esc = p->prefix_esc;
    buf_append(&p->prefix, p->lit.p, F->len);
    buf_putc(&p->prefix, '.');
    p->prefix_glob = glob;
    p->prefix_esc = esc;
    p->pos++;
    kql_skip_spaces(p);
    uint32_t k = parse_or(p);
    if (k != IR_NONE && !expect_close(p, '}', open, "'or', 'and' or "))
        k = IR_NONE;
    p->prefix.len = old_len;
    p->prefix.p[old_len] = '\0';
    p->prefix_glob = old_glob;
    p->prefix_esc = old_esc;
    return k;
}

/*
 * NestedQuery = Field Space* ':' Space* '{' … / Expression
 * Expression = FieldRangeExpression / FieldValueExpression / ValueExpression
 * FieldValueExpression = Field Space* ':' Space* ListOfValues
 * ValueExpression = Value
 * All start with a literal; what follows it decides which.
 */
static uint32_t parse_expr(struct kp *p)
{
    struct lit F;
    if (!kql_lex_literal(p, &F)) {
        char tmp[16];
        if (!p->failed)
            kql_fail_at(p, p->pos, "expected a field name, a value, '(' or 'not', found %s",
                        kql_found_at(p, p->pos, tmp));
        return IR_NONE;
    }
    size_t after = p->pos;
    size_t e = kql_spaces_end(p, after);
    char c = e < p->n ? p->s[e] : '\0';
    if (c == ':') {
        p->pos = kql_spaces_end(p, e + 1);
        if (p->pos < p->n && p->s[p->pos] == '{')
            return parse_nested(p, &F);
        struct kfield f;
        struct vres r;
        if (!make_field(p, &F, &f) || !parse_list(p, &f, &r))
            return IR_NONE;
        return vres_node(p, &f, &r);
    }
    if (c == '<' || c == '>')
        return parse_range(p, &F, e);
    /* a value with no field: every field */
    p->pos = after;
    if (p->prefix.len) {
        kql_fail_at(p, F.start, "a value without a field is not supported inside a nested group");
        return IR_NONE;
    }
    struct kfield f = {.node = IR_NONE, .all = true};
    struct vres r;
    if (!value_of(p, &f, &F, &r))
        return IR_NONE;
    return vres_node(p, &f, &r);
}

/* SubQuery = '(' Space* OrQuery OptionalSpace ')' / NestedQuery */
static uint32_t parse_sub(struct kp *p)
{
    if (p->pos >= p->n || p->s[p->pos] != '(')
        return parse_expr(p);
    size_t open = p->pos;
    if (!enter(p, open))
        return IR_NONE;
    p->pos++;
    kql_skip_spaces(p);
    uint32_t k = parse_or(p);
    if (k == IR_NONE || !expect_close(p, ')', open, "'or', 'and' or "))
        return IR_NONE;
    return k;
}

/* NotQuery = Not SubQuery / SubQuery */
static uint32_t parse_not(struct kp *p)
{
    size_t e = kql_not_at(p, p->pos);
    if (!e)
        return parse_sub(p);
    p->pos = e;
    uint32_t k = parse_sub(p);
    return k == IR_NONE ? IR_NONE : ir_not(p->q, k);
}

/* AndQuery = NotQuery (And NotQuery)* */
static uint32_t parse_and(struct kp *p)
{
    struct u32vec kids = {0};
    for (;;) {
        uint32_t k = parse_not(p);
        if (k == IR_NONE) {
            free(kids.v);
            return IR_NONE;
        }
        vec_push(&kids, k);
        size_t e = kql_binop_at(p, p->pos, "and");
        if (!e)
            break;
        p->pos = e;
    }
    uint32_t r = ir_logic(p->q, IR_AND, kids.v, (uint32_t)kids.n);
    free(kids.v);
    return r;
}

/* OrQuery = AndQuery (Or AndQuery)* */
static uint32_t parse_or(struct kp *p)
{
    struct u32vec kids = {0};
    for (;;) {
        uint32_t k = parse_and(p);
        if (k == IR_NONE) {
            free(kids.v);
            return IR_NONE;
        }
        vec_push(&kids, k);
        size_t e = kql_binop_at(p, p->pos, "or");
        if (!e)
            break;
        p->pos = e;
    }
    uint32_t r = build_or(p, kids.v, kids.n);
    free(kids.v);
    return r;
}

/* start = Space* OrQuery? OptionalSpace */
struct ir_query *kql_compile(const char *text, size_t len, struct fieldtab *ft,
                             struct lang_error *err)
{
    memset(err, 0, sizeof *err);
    struct kp p = {.s = text, .n = len, .err = err};
    if (len > KQL_MAX_LEN) {
        kql_fail_at(&p, 0, "query longer than %u bytes", KQL_MAX_LEN);
        return NULL;
    }
    p.q = ir_query_new(ft);
    kql_skip_spaces(&p);
    uint32_t cond = p.pos == len ? ir_true(p.q) : parse_or(&p);
    if (!p.failed) {
        kql_skip_spaces(&p);
        if (p.pos < len) {
            char tmp[16];
            const char *hint = "";
            if (kql_is_special(text[p.pos]))
                hint = " (escape \\():<>\"*{} with a backslash in unquoted values, or quote "
                       "the value)";
            else if (kql_not_at(&p, p.pos))
                hint = " (an unquoted value ends before the word 'not': quote the value)";
            kql_fail_at(&p, p.pos, "expected 'and', 'or' or the end of the query, found %s%s",
                        kql_found_at(&p, p.pos, tmp), hint);
        }
    }
    buf_clear(&p.lit);
    buf_clear(&p.prefix);
    buf_clear(&p.name);
    if (p.failed) {
        ir_query_free(p.q);
        return NULL;
    }
    struct ir_query *q = p.q;
    q->kind = IRQ_EVENT;
    q->stages = xcalloc(1, sizeof *q->stages);
    q->nstages = 1;
    q->stages[0].cond = cond;
    q->stages[0].runs = 1;
    return q;
}
