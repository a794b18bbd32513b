/*
 * eval_pred.c — predicates and value expressions over one event, three-valued, with
 * Elasticsearch's semantics (see lang.h): a test of a missing field is false, a computed
 * null stays null, a multi-valued field satisfies a test when any element does.
 */
#include "eval/eval_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---- */

struct xv xv_of_val(const struct val *v)
{
    struct xv x;
    x.type = v->type;
    x.missing = 0;
    x.n = 0;
    x.ip = NULL;
    switch (v->type) {
    case VAL_BOOL: x.b = v->b; break;
    case VAL_LONG: x.i = v->i; break;
    case VAL_DOUBLE: x.d = v->d; break;
    case VAL_STR:
    case VAL_IP:
        x.s = v->s;
        x.n = v->n;
        x.ip = v->ip;
        break;
    default:
        x.type = VAL_NULL;
        x.i = 0;
        break;
    }
    return x;
}

static struct xv xv_null(bool missing)
{
    struct xv x;
    memset(&x, 0, sizeof x);
    x.type = VAL_NULL;
    x.missing = missing;
    return x;
}

char *scratch_alloc(struct ectx *c, size_t n)
{
    if (n > EVAL_SCRATCH - c->used)
        return NULL;
    char *p = c->scratch + c->used;
    c->used += n;
    return p;
}

/* Java-like text of a double: shortest round-trip, ".0" for integral values. */
static int fmt_double(char *out, size_t cap, double d)
{
    if (isnan(d))
        return snprintf(out, cap, "NaN");
    if (isinf(d))
        return snprintf(out, cap, d < 0 ? "-Infinity" : "Infinity");
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    if (!strpbrk(out, ".eEn") && (size_t)len + 2 < cap) {
        out[len++] = '.';
        out[len++] = '0';
        out[len] = 0;
    }
    return len;
}

bool xv_text(struct ectx *c, const struct xv *v, const char **s, size_t *n)
{
    char tmp[48];
    int len;
    switch (v->type) {
    case VAL_STR:
    case VAL_IP:
        *s = v->s;
        *n = v->n;
        return true;
    case VAL_BOOL:
        *s = v->b ? "true" : "false";
        *n = strlen(*s);
        return true;
    case VAL_LONG: len = snprintf(tmp, sizeof tmp, "%" PRId64, v->i); break;
    case VAL_DOUBLE: len = fmt_double(tmp, sizeof tmp, v->d); break;
    default: return false;
    }
    char *p = scratch_alloc(c, (size_t)len + 1);
    if (!p)
        return false;
    memcpy(p, tmp, (size_t)len + 1);
    *s = p;
    *n = (size_t)len;
    return true;
}

/* The value of a field for the current element selection. */
static struct xv field_value(struct ectx *c, const struct ir_node *n)
{
    if (n->pad == PAD_DATE) {
        if (!c->ev->ts && !ectx_field(c, n->field))
            return xv_null(true);
        struct xv x = xv_null(false);
        x.type = VAL_LONG;
        int64_t ts = c->ev->ts;
        x.i = ts >= 0 ? ts / 1000000 : -((-ts + 999999) / 1000000);
        return x;
    }
    const struct val *v = ectx_field(c, n->field);
    if (!v)
        return xv_null(true);
    if (v->type == VAL_ARRAY) {
        if (v->n == 0)
            return xv_null(true);
        if (v->n > c->maxn)
            c->maxn = v->n;
        struct xv x = xv_of_val(&v->items[c->sel < v->n ? c->sel : 0]);
        x.missing = x.type == VAL_NULL;
        return x;
    }
    struct xv x = xv_of_val(v);
    x.missing = x.type == VAL_NULL;
    return x;
}

static enum tri pred(struct ectx *c, uint32_t id, int depth);

struct xv eval_expr(struct ectx *c, uint32_t id, int depth)
{
    if (id >= c->q->nnodes || depth > EVAL_MAX_DEPTH)
        return xv_null(false);
    const struct ir_node *n = &c->q->nodes[id];
    switch (n->op) {
    case IR_FIELD:
        return field_value(c, n);
    case IR_CONST:
        if (n->k.type == VAL_ARRAY)
            return n->k.n ? xv_of_val(&n->k.items[0]) : xv_null(false);
        return xv_of_val(&n->k);
    case IR_FUNC:
        return eval_func(c, n, depth + 1);
    case IR_ARITH:
        return eval_arith(c, n, depth + 1);
    default: {
        /* a predicate used as a value: a boolean */
        enum tri t = pred(c, id, depth + 1);
        if (t == TRI_NULL)
            return xv_null(false);
        struct xv x = xv_null(false);
        x.type = VAL_BOOL;
        x.b = t == TRI_TRUE;
        return x;
    }
    }
}

/* ---- matching one scalar against one pattern ---- */

static bool num_eq(const struct xv *v, double num)
{
    if (v->type == VAL_LONG) {
        if (num == floor(num) && fabs(num) < 9.2e18)
            return v->i == (int64_t)num;
        return false;
    }
    return v->type == VAL_DOUBLE && v->d == num;
}

/* Parse a date pattern or constant: ISO 8601 text or epoch milliseconds. */
bool date_ms(const char *s, size_t n, int64_t *ms)
{
    int64_t ns;
    if (time_parse_iso8601(s, n, &ns)) {
        *ms = ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);
        return true;
    }
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end || errno)
        return false;
    *ms = v;
    return true;
}

static bool pat_match(struct ectx *c, const struct ir_pattern *p, const struct xv *v, bool date)
{
    const char *s;
    size_t n;
    if (v->type == VAL_NULL)
        return false;
    switch (p->kind) {
    case PAT_EXACT:
        if (date) {
            int64_t ms;
            return v->type == VAL_LONG && date_ms(p->s, p->n, &ms) && ms == v->i;
        }
        switch (v->type) {
        case VAL_STR:
            if (p->ci)
                return str_eq_ci(v->s, v->n, p->lower, p->n);
            return v->n == p->n && !memcmp(v->s, p->s, p->n);
        case VAL_IP:
            if (p->is_cidr)
                return v->ip && ip_in_cidr(v->ip, p->net, p->bits);
            return p->ci ? str_eq_ci(v->s, v->n, p->lower, p->n)
                         : (v->n == p->n && !memcmp(v->s, p->s, p->n));
        case VAL_LONG:
        case VAL_DOUBLE:
            return p->is_num && num_eq(v, p->num);
        case VAL_BOOL:
            return (p->n == 4 && mem_eq_nocase(p->s, 4, "true", 4) && v->b) ||
                   (p->n == 5 && mem_eq_nocase(p->s, 5, "false", 5) && !v->b);
        default:
            return false;
        }
    case PAT_WILDCARD:
    case PAT_WILDCARD_STAR:
        if (v->type == VAL_IP && p->is_cidr && v->ip)
            return ip_in_cidr(v->ip, p->net, p->bits);
        if (!xv_text(c, v, &s, &n))
            return false;
        return wpat_match(p, s, n);
    case PAT_REGEX:
        if (!p->compiled || !xv_text(c, v, &s, &n))
            return false;
        return rx_match(p->compiled, s, n);
    default:
        return false;
    }
}

/* A keyword against exact and wildcard patterns: the hot path, without detours. */
static inline bool str_pat(const struct ir_pattern *p, const char *s, size_t n)
{
    if (p->kind == PAT_EXACT)
        return p->ci ? str_eq_ci(s, n, p->lower, p->n)
                     : (n == p->n && (n == 0 || (s[0] == p->s[0] && !memcmp(s, p->s, n))));
    return wpat_match(p, s, n);
}

static bool match_any(struct ectx *c, const struct ir_node *n, const struct xv *v, bool date);

/* A keyword value against the node's patterns: no conversion, no scratch. */
static bool match_str(const struct ir_query *q, const struct ir_node *n, const char *s, size_t len)
{
    const uint32_t *l = q->lists + n->list;
    uint32_t cnt = n->nlist;
    if (n->pad == PAD_SET) {
        const struct pset *ps = pset_of(&q->pats[l[0]]);
        if (ps && ps->node == (uint32_t)(n - q->nodes)) {
            if (pset_has(ps, s, len))
                return true;
            l = ps->rest;
            cnt = ps->nrest;
        }
    }
    for (uint32_t i = 0; i < cnt; i++) {
        const struct ir_pattern *p = &q->pats[l[i]];
        if (p->kind != PAT_REGEX ? str_pat(p, s, len) : (p->compiled && rx_match(p->compiled, s, len)))
            return true;
    }
    return false;
}

/* An integer value against a node whose list has a set: by number, then the non-exact rest. */
static bool match_long(struct ectx *c, const struct pset *ps, const struct xv *x)
{
    if (pset_has_long(ps, x->i))
        return true;
    for (uint32_t i = 0; i < ps->nlrest; i++)
        if (pat_match(c, &c->q->pats[ps->lrest[i]], x, false))
            return true;
    return false;
}

/* A field value (one element) against the node's patterns. */
static inline bool match_val(struct ectx *c, const struct ir_node *n, const struct val *v)
{
    if (v->type == VAL_STR)
        return match_str(c->q, n, v->s, v->n);
    struct xv x = xv_of_val(v);
    size_t used = c->used;
    bool m;
    const struct pset *ps = NULL;
    if (v->type == VAL_LONG && n->pad == PAD_SET) {
        ps = pset_of(&c->q->pats[c->q->lists[n->list]]);
        if (ps && ps->node != (uint32_t)(n - c->q->nodes))
            ps = NULL;
    }
    m = ps ? match_long(c, ps, &x) : match_any(c, n, &x, false);
    c->used = used;
    return m;
}

static bool match_any(struct ectx *c, const struct ir_node *n, const struct xv *v, bool date)
{
    const uint32_t *l = c->q->lists + n->list;
    const struct ir_pattern *pats = c->q->pats;
    if (v->type == VAL_STR && !date) {
        for (uint32_t i = 0; i < n->nlist; i++) {
            const struct ir_pattern *p = &pats[l[i]];
            if (p->kind != PAT_REGEX ? str_pat(p, v->s, v->n) : pat_match(c, p, v, false))
                return true;
        }
        return false;
    }
    for (uint32_t i = 0; i < n->nlist; i++)
        if (pat_match(c, &pats[l[i]], v, date))
            return true;
    return false;
}

/* ---- comparisons ---- */

static bool parse_num(const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    errno = 0;
    *out = strtod(tmp, &end);
    return !*end && !errno;
}

static int ord3(double a, double b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Compare two non-null scalars; false when they cannot be compared. *r gets -1/0/1. */
static bool xv_order(const struct xv *a, const struct xv *b, int *r)
{
    bool an = a->type == VAL_LONG || a->type == VAL_DOUBLE;
    bool bn = b->type == VAL_LONG || b->type == VAL_DOUBLE;
    if (an && bn) {
        if (a->type == VAL_LONG && b->type == VAL_LONG)
            *r = a->i < b->i ? -1 : a->i > b->i;
        else
            *r = ord3(a->type == VAL_LONG ? (double)a->i : a->d,
                      b->type == VAL_LONG ? (double)b->i : b->d);
        return !(a->type == VAL_DOUBLE && isnan(a->d)) && !(b->type == VAL_DOUBLE && isnan(b->d));
    }
    bool as = a->type == VAL_STR || a->type == VAL_IP;
    bool bs = b->type == VAL_STR || b->type == VAL_IP;
    if (as && bs) {
        uint8_t ipb[16];
        if (a->type == VAL_IP && a->ip &&
            (b->type == VAL_IP ? b->ip != NULL : ip_parse(b->s, b->n, ipb))) {
            *r = memcmp(a->ip, b->type == VAL_IP ? b->ip : ipb, 16);
            *r = *r < 0 ? -1 : *r > 0;
            return true;
        }
        if (b->type == VAL_IP && b->ip && ip_parse(a->s, a->n, ipb)) {
            *r = memcmp(ipb, b->ip, 16);
            *r = *r < 0 ? -1 : *r > 0;
            return true;
        }
        size_t m = a->n < b->n ? a->n : b->n;
        int k = memcmp(a->s, b->s, m);
        *r = k ? (k < 0 ? -1 : 1) : (a->n < b->n ? -1 : a->n > b->n);
        return true;
    }
    if (a->type == VAL_BOOL && b->type == VAL_BOOL) {
        *r = (int)a->b - (int)b->b;
        return true;
    }
    /* a number against text: compare as numbers when the text is one */
    double d;
    if (an && bs && parse_num(b->s, b->n, &d)) {
        *r = ord3(a->type == VAL_LONG ? (double)a->i : a->d, d);
        return true;
    }
    if (as && bn && parse_num(a->s, a->n, &d)) {
        *r = ord3(d, b->type == VAL_LONG ? (double)b->i : b->d);
        return true;
    }
    return false;
}

static enum tri cmp_one(uint8_t op, const struct xv *a, const struct xv *b)
{
    if (a->missing || b->missing)
        return TRI_FALSE;
    if (a->type == VAL_NULL || b->type == VAL_NULL)
        return TRI_NULL;
    int r;
    if (!xv_order(a, b, &r))
        return op == IR_NE ? TRI_TRUE : TRI_FALSE;
    switch (op) {
    case IR_EQ: return r == 0 ? TRI_TRUE : TRI_FALSE;
    case IR_NE: return r != 0 ? TRI_TRUE : TRI_FALSE;
    case IR_LT: return r < 0 ? TRI_TRUE : TRI_FALSE;
    case IR_LE: return r <= 0 ? TRI_TRUE : TRI_FALSE;
    case IR_GT: return r > 0 ? TRI_TRUE : TRI_FALSE;
    case IR_GE: return r >= 0 ? TRI_TRUE : TRI_FALSE;
    default: return TRI_FALSE;
    }
}

static enum tri to_tri(const struct xv *x)
{
    if (x->type == VAL_NULL)
        return x->missing ? TRI_FALSE : TRI_NULL;
    if (x->type == VAL_BOOL)
        return x->b ? TRI_TRUE : TRI_FALSE;
    return TRI_FALSE;
}

/*
 * Evaluate a test over every element of the multi-valued fields it reads: element 0 first;
 * if some field had more, the others (all multi-valued fields advance together).
 */
static enum tri elem_test(struct ectx *c, const struct ir_node *n, int depth)
{
    enum tri res = TRI_FALSE;
    bool any_null = false;
    uint32_t save_sel = c->sel, save_max = c->maxn;
    c->maxn = 0;
    for (uint32_t sel = 0;; sel++) {
        c->sel = sel;
        size_t used = c->used;
        enum tri t;
        switch (n->op) {
        case IR_MATCH: {
            struct xv v = eval_expr(c, n->a, depth + 1);
            bool date = c->q->nodes[n->a].op == IR_FIELD && c->q->nodes[n->a].pad == PAD_DATE;
            t = v.type == VAL_NULL ? (v.missing ? TRI_FALSE : TRI_NULL)
                                   : (match_any(c, n, &v, date) ? TRI_TRUE : TRI_FALSE);
            break;
        }
        case IR_CMP: {
            struct xv a = eval_expr(c, n->a, depth + 1);
            struct xv b = eval_expr(c, n->b, depth + 1);
            t = cmp_one(n->sub, &a, &b);
            break;
        }
        default: {
            struct xv v = eval_expr(c, (uint32_t)(n - c->q->nodes), depth + 1);
            t = to_tri(&v);
            break;
        }
        }
        c->used = used;
        if (t == TRI_TRUE) {
            res = TRI_TRUE;
            break;
        }
        if (t == TRI_NULL)
            any_null = true;
        if (sel + 1 >= c->maxn)
            break;
    }
    if (res != TRI_TRUE && any_null)
        res = TRI_NULL;
    c->sel = save_sel;
    c->maxn = save_max > c->maxn ? save_max : c->maxn;
    return res;
}

/* Does event field `id` belong to the glob field node f (KQL `a.*.b`, or `*`)? */
static bool glob_has(const struct ir_query *q, const struct ir_node *f, uint32_t id)
{
    const char *pat = fieldtab_name(q->ft, f->field);
    if (!pat || (pat[0] == '*' && pat[1] == 0))
        return true;
    const char *name = fieldtab_name(q->ft, id);
    if (!name)
        return false;
    /* `*` matches any run (dots included); NUL-terminated, so no strlen per field */
    const char *star_p = NULL, *star_s = NULL;
    while (*name) {
        if (*pat == '*') {
            star_p = ++pat;
            star_s = name;
        } else if (*pat && *pat == *name) {
            pat++;
            name++;
        } else if (star_p) {
            pat = star_p;
            name = ++star_s;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == 0;
}

/* A test over every value of every field a glob names: true if any holds. */
static enum tri glob_test(struct ectx *c, const struct ir_node *n, const struct ir_node *f)
{
    const struct event *ev = c->ev;
    struct xv b;
    if (n->op == IR_CMP)
        b = eval_expr(c, n->b, 1);
    for (uint32_t i = 0; i < ev->n; i++) {
        const struct val *v = &ev->f[i].v;
        if (!glob_has(c->q, f, ev->f[i].id))
            continue;
        uint32_t cnt = v->type == VAL_ARRAY ? v->n : 1;
        for (uint32_t k = 0; k < cnt; k++) {
            const struct val *e = v->type == VAL_ARRAY ? &v->items[k] : v;
            if (e->type == VAL_NULL)
                continue;
            if (n->op == IR_EXISTS)
                return TRI_TRUE;
            struct xv x = xv_of_val(e);
            size_t used = c->used;
            bool hit = n->op == IR_MATCH ? match_any(c, n, &x, false)
                                         : cmp_one(n->sub, &x, &b) == TRI_TRUE;
            c->used = used;
            if (hit)
                return TRI_TRUE;
        }
    }
    return TRI_FALSE;
}

static enum tri pred(struct ectx *c, uint32_t id, int depth)
{
    const struct ir_query *q = c->q;
    if (id >= q->nnodes || depth > EVAL_MAX_DEPTH)
        return TRI_NULL;
    const struct ir_node *n = &q->nodes[id];
    switch (n->op) {
    case IR_TRUE:
        return TRI_TRUE;
    case IR_FALSE:
        return TRI_FALSE;
    case IR_AND:
    case IR_OR: {
        /* and stops at the first false, or at the first true; a null child makes the
         * result null unless something stops it */
        enum tri stop = n->op == IR_AND ? TRI_FALSE : TRI_TRUE;
        enum tri r = n->op == IR_AND ? TRI_TRUE : TRI_FALSE;
        for (uint32_t i = 0; i < n->nlist; i++) {
            enum tri t = pred(c, q->lists[n->list + i], depth + 1);
            if (t == stop)
                return stop;
            if (t == TRI_NULL)
                r = TRI_NULL;
        }
        return r;
    }
    case IR_NOT: {
        enum tri t = pred(c, n->a, depth + 1);
        return t == TRI_NULL ? TRI_NULL : t == TRI_TRUE ? TRI_FALSE : TRI_TRUE;
    }
    case IR_EXISTS: {
        if (n->a >= q->nnodes)
            return TRI_NULL;
        const struct ir_node *f = &q->nodes[n->a];
        if (f->op == IR_FIELD && (f->flags & IR_F_FIELD_GLOB))
            return glob_test(c, n, f);
        if (f->op != IR_FIELD) {
            struct xv v = eval_expr(c, n->a, depth + 1);
            return v.type != VAL_NULL ? TRI_TRUE : TRI_FALSE;
        }
        const struct val *v = ectx_field(c, f->field);
        if (!v || v->type == VAL_NULL)
            return (f->pad == PAD_DATE && c->ev->ts) ? TRI_TRUE : TRI_FALSE;
        if (v->type == VAL_ARRAY) {
            for (uint32_t i = 0; i < v->n; i++)
                if (v->items[i].type != VAL_NULL)
                    return TRI_TRUE;
            return TRI_FALSE;
        }
        return TRI_TRUE;
    }
    case IR_MATCH: {
        const struct ir_node *a = n->a < q->nnodes ? &q->nodes[n->a] : NULL;
        if (a && a->op == IR_FIELD && (a->flags & IR_F_FIELD_GLOB))
            return glob_test(c, n, a);
        if (a && a->op == IR_FIELD && a->pad != PAD_DATE) {
            /* the common case, kept tight: a field against patterns */
            const struct val *v = ectx_field(c, a->field);
            if (!v)
                return TRI_FALSE;
            if (v->type == VAL_ARRAY) {
                for (uint32_t i = 0; i < v->n; i++)
                    if (match_val(c, n, &v->items[i]))
                        return TRI_TRUE;
                return TRI_FALSE;
            }
            return match_val(c, n, v) ? TRI_TRUE : TRI_FALSE;
        }
        return elem_test(c, n, depth);
    }
    case IR_CMP:
        if (n->a < q->nnodes && q->nodes[n->a].op == IR_FIELD &&
            (q->nodes[n->a].flags & IR_F_FIELD_GLOB))
            return glob_test(c, n, &q->nodes[n->a]);
        return elem_test(c, n, depth);
    case IR_FUNC:
    case IR_ARITH:
    case IR_FIELD:
    case IR_CONST:
        return elem_test(c, n, depth);
    default:
        return TRI_NULL;
    }
}

enum tri eval_pred(const struct ir_query *q, uint32_t node, const struct event *ev)
{
    return eval_pred_dir(q, node, ev, NULL);
}

enum tri eval_pred_dir(const struct ir_query *q, uint32_t node, const struct event *ev,
                       const struct eval_dir *d)
{
    struct ectx c;
    c.q = q;
    c.ev = ev;
    c.byid = d ? d->byid : NULL;
    c.nbyid = d ? d->n : 0;
    c.sel = 0;
    c.maxn = 0;
    c.used = 0;
    return pred(&c, node, 0);
}

/* ---- field directories ---- */

void eval_dir_init(struct eval_dir *d, uint32_t nids)
{
    d->byid = xcalloc(nids ? nids : 1, sizeof *d->byid);
    d->n = nids;
}

void eval_dir_clear(struct eval_dir *d)
{
    free(d->byid);
    d->byid = NULL;
    d->n = 0;
}

void eval_dir_fill(struct eval_dir *d, const struct event *ev)
{
    for (uint32_t i = 0; i < ev->n; i++)
        if (ev->f[i].id < d->n)
            d->byid[ev->f[i].id] = &ev->f[i].v;
}

void eval_dir_unfill(struct eval_dir *d, const struct event *ev)
{
    for (uint32_t i = 0; i < ev->n; i++)
        if (ev->f[i].id < d->n)
            d->byid[ev->f[i].id] = NULL;
}
