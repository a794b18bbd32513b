/*
 * eval_fn.c — EQL functions and arithmetic with Elasticsearch's semantics: null in gives null
 * out; string positions count characters (UTF-16 units, as Java does); the `~` forms compare
 * case-insensitively; integer division truncates. What Elasticsearch rejects with an error
 * at run time (a bad number, division by zero, overflow) gives null here.
 * Strings built here (concat, string of a number) live in the context's scratch buffer.
 */
#include "eval/eval_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct xv null_xv(void)
{
    struct xv x;
    memset(&x, 0, sizeof x);
    return x;
}

static struct xv long_xv(int64_t i)
{
    struct xv x = null_xv();
    x.type = VAL_LONG;
    x.i = i;
    return x;
}

static struct xv double_xv(double d)
{
    struct xv x = null_xv();
    x.type = VAL_DOUBLE;
    x.d = d;
    return x;
}

static struct xv bool_xv(bool b)
{
    struct xv x = null_xv();
    x.type = VAL_BOOL;
    x.b = b;
    return x;
}

static struct xv str_xv(const char *s, size_t n)
{
    struct xv x = null_xv();
    x.type = VAL_STR;
    x.s = s;
    x.n = (uint32_t)n;
    return x;
}

static struct xv arg(struct ectx *c, const struct ir_node *n, uint32_t i, int depth)
{
    if (i >= n->nlist)
        return null_xv();
    return eval_expr(c, c->q->lists[n->list + i], depth + 1);
}

static bool arg_text(struct ectx *c, const struct ir_node *n, uint32_t i, int depth,
                     const char **s, size_t *len)
{
    struct xv v = arg(c, n, i, depth);
    return xv_text(c, &v, s, len);
}

static bool as_long(const struct xv *v, int64_t *out)
{
    if (v->type == VAL_LONG) {
        *out = v->i;
        return true;
    }
    if (v->type == VAL_DOUBLE && isfinite(v->d) && fabs(v->d) < 9.2e18) {
        *out = (int64_t)v->d;
        return true;
    }
    return false;
}

/* Character (UTF-16 unit) count of s[0..n). */
static int64_t u16_len(const char *s, size_t n)
{
    int64_t len = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = u8_next(s, n, &i);
        len += cp >= 0x10000 ? 2 : 1;
    }
    return len;
}

/* Byte offset of character index k (clamped to n). */
static size_t u16_to_byte(const char *s, size_t n, int64_t k)
{
    size_t i = 0;
    int64_t pos = 0;
    while (i < n && pos < k) {
        uint32_t cp = u8_next(s, n, &i);
        pos += cp >= 0x10000 ? 2 : 1;
    }
    return i;
}

static struct xv fn_between(struct ectx *c, const struct ir_node *n, int depth, bool ci)
{
    const char *s, *l, *r;
    size_t sn, ln, rn;
    if (!arg_text(c, n, 0, depth, &s, &sn) || !arg_text(c, n, 1, depth, &l, &ln) ||
        !arg_text(c, n, 2, depth, &r, &rn))
        return null_xv();
    bool greedy = false;
    if (n->nlist > 3) {
        struct xv g = arg(c, n, 3, depth);
        if (g.type != VAL_BOOL)
            return null_xv();
        greedy = g.b;
    }
    long st = str_find(s, sn, l, ln, 0, ci);
    if (st < 0)
        return str_xv("", 0);
    size_t start = (size_t)st + ln;
    long end = greedy ? str_rfind(s, sn, r, rn, ci) : str_find(s, sn, r, rn, start, ci);
    if (end < 0 || (size_t)end < start)
        return str_xv("", 0);
    return str_xv(s + start, (size_t)end - start);
}

static struct xv fn_cidrmatch(struct ectx *c, const struct ir_node *n, int depth)
{
    struct xv v = arg(c, n, 0, depth);
    uint8_t ip[16];
    if (v.type == VAL_IP && v.ip)
        memcpy(ip, v.ip, 16);
    else if (v.type == VAL_STR) {
        if (!ip_parse(v.s, v.n, ip))
            return null_xv();
    } else {
        return null_xv();
    }
    for (uint32_t i = 1; i < n->nlist; i++) {
        const struct ir_node *k = &c->q->nodes[c->q->lists[n->list + i]];
        if (k->op == IR_CONST && k->pad >= PAD_CIDR_BASE && k->k.ip) {
            if (ip_in_cidr(ip, k->k.ip, k->pad - PAD_CIDR_BASE))
                return bool_xv(true);
            continue;
        }
        struct xv a = arg(c, n, i, depth);
        uint8_t net[16];
        int bits;
        if ((a.type == VAL_STR || a.type == VAL_IP) && cidr_parse(a.s, a.n, net, &bits) &&
            ip_in_cidr(ip, net, bits))
            return bool_xv(true);
    }
    return bool_xv(false);
}

static struct xv fn_concat(struct ectx *c, const struct ir_node *n, int depth)
{
    const char *parts[64];
    size_t lens[64], total = 0;
    if (n->nlist > 64)
        return null_xv();
    for (uint32_t i = 0; i < n->nlist; i++) {
        if (!arg_text(c, n, i, depth, &parts[i], &lens[i]))
            return null_xv();
        total += lens[i];
    }
    char *out = scratch_alloc(c, total + 1);
    if (!out)
        return null_xv();
    size_t k = 0;
    for (uint32_t i = 0; i < n->nlist; i++) {
        memcpy(out + k, parts[i], lens[i]);
        k += lens[i];
    }
    out[k] = 0;
    return str_xv(out, total);
}

static struct xv fn_indexof(struct ectx *c, const struct ir_node *n, int depth, bool ci)
{
    const char *s, *sub;
    size_t sn, subn;
    if (!arg_text(c, n, 0, depth, &s, &sn) || !arg_text(c, n, 1, depth, &sub, &subn))
        return null_xv();
    int64_t start = 0;
    if (n->nlist > 2) {
        struct xv st = arg(c, n, 2, depth);
        if (st.type != VAL_NULL && !as_long(&st, &start))
            return null_xv();
    }
    if (start < 0)
        start = 0;
    if (start > u16_len(s, sn))
        return null_xv();
    long at = str_find(s, sn, sub, subn, u16_to_byte(s, sn, start), ci);
    if (at < 0)
        return null_xv();
    return long_xv(u16_len(s, (size_t)at));
}

/* number(s[, base]): Java DecimalFormat in base 10 (long when integral), parseInt otherwise. */
static struct xv fn_number(struct ectx *c, const struct ir_node *n, int depth)
{
    struct xv v = arg(c, n, 0, depth);
    if (v.type != VAL_STR)
        return v.type == VAL_LONG || v.type == VAL_DOUBLE ? v : null_xv();
    const char *s = v.s;
    size_t sn = v.n;
    bool hex = sn >= 2 && s[0] == '0' && s[1] == 'x';
    int64_t base = hex ? 16 : 10;
    if (n->nlist > 1) {
        struct xv b = arg(c, n, 1, depth);
        if (b.type == VAL_NULL)
            base = hex ? 16 : 10;
        else if (b.type != VAL_LONG)
            return null_xv();
        else
            base = b.i;
    }
    if (hex && base == 16) {
        s += 2;
        sn -= 2;
    }
    char tmp[80];
    if (sn == 0 || sn >= sizeof tmp)
        return null_xv();
    memcpy(tmp, s, sn);
    tmp[sn] = 0;
    if (base == 10) {
        /* -?digits(.digits)?(E-?digits)? */
        size_t i = 0;
        if (tmp[i] == '-')
            i++;
        size_t d0 = i;
        while (isdigit((unsigned char)tmp[i]))
            i++;
        if (tmp[i] == '.') {
            i++;
            while (isdigit((unsigned char)tmp[i]))
                i++;
        }
        if (i == d0 || (i == d0 + 1 && tmp[d0] == '.'))
            return null_xv();
        if (tmp[i] == 'E') {
            i++;
            if (tmp[i] == '-')
                i++;
            if (!isdigit((unsigned char)tmp[i]))
                return null_xv();
            while (isdigit((unsigned char)tmp[i]))
                i++;
        }
        if (tmp[i])
            return null_xv();
        errno = 0;
        double d = strtod(tmp, NULL);
        if (d == floor(d) && fabs(d) < 9.2e18 && !(d == 0 && tmp[0] == '-' && strpbrk(tmp, ".E")))
            return long_xv((int64_t)d);
        return double_xv(d);
    }
    if (base < 2 || base > 36)
        return null_xv();
    char *end;
    errno = 0;
    long long r = strtoll(tmp, &end, (int)base);
    if (*end || errno || r > INT32_MAX || r < INT32_MIN || isspace((unsigned char)tmp[0]))
        return null_xv();
    return long_xv(r);
}

static struct xv fn_substring(struct ectx *c, const struct ir_node *n, int depth)
{
    const char *s;
    size_t sn;
    if (!arg_text(c, n, 0, depth, &s, &sn))
        return null_xv();
    struct xv a = arg(c, n, 1, depth);
    if (a.type == VAL_NULL)
        return str_xv(s, sn);
    int64_t start, end, len = u16_len(s, sn);
    if (!as_long(&a, &start))
        return null_xv();
    end = len;
    if (n->nlist > 2) {
        struct xv b = arg(c, n, 2, depth);
        if (b.type != VAL_NULL && !as_long(&b, &end))
            return null_xv();
    }
    if (len == 0)
        return str_xv(s, 0);
    if (start < 0)
        start += len;
    if (start < 0)
        start = 0;
    if (end < 0)
        end += len;
    if (end < 0)
        end = 0;
    else if (end > len)
        end = len;
    if (start >= end)
        return str_xv("", 0);
    size_t b0 = u16_to_byte(s, sn, start), b1 = u16_to_byte(s, sn, end);
    return str_xv(s + b0, b1 - b0);
}

static struct xv arith(uint8_t op, const struct xv *a, const struct xv *b)
{
    bool an = a->type == VAL_LONG || a->type == VAL_DOUBLE;
    bool bn = b->type == VAL_LONG || b->type == VAL_DOUBLE;
    if (!an || (op != IR_NEG && !bn))
        return null_xv();
    if (op == IR_NEG) {
        if (a->type == VAL_DOUBLE)
            return double_xv(-a->d);
        return a->i == INT64_MIN ? null_xv() : long_xv(-a->i);
    }
    if (a->type == VAL_LONG && b->type == VAL_LONG) {
        int64_t r;
        switch (op) {
        case IR_ADD:
            return __builtin_add_overflow(a->i, b->i, &r) ? null_xv() : long_xv(r);
        case IR_SUB:
            return __builtin_sub_overflow(a->i, b->i, &r) ? null_xv() : long_xv(r);
        case IR_MUL:
            return __builtin_mul_overflow(a->i, b->i, &r) ? null_xv() : long_xv(r);
        case IR_DIV:
            if (b->i == 0 || (a->i == INT64_MIN && b->i == -1))
                return null_xv();
            return long_xv(a->i / b->i);
        case IR_MOD:
            if (b->i == 0 || (a->i == INT64_MIN && b->i == -1))
                return null_xv();
            return long_xv(a->i % b->i);
        default:
            return null_xv();
        }
    }
    double x = a->type == VAL_LONG ? (double)a->i : a->d;
    double y = b->type == VAL_LONG ? (double)b->i : b->d;
    double r;
    switch (op) {
    case IR_ADD: r = x + y; break;
    case IR_SUB: r = x - y; break;
    case IR_MUL: r = x * y; break;
    case IR_DIV:
        if (y == 0)
            return null_xv();
        r = x / y;
        break;
    case IR_MOD:
        if (y == 0)
            return null_xv();
        r = fmod(x, y);
        break;
    default: return null_xv();
    }
    return isfinite(r) ? double_xv(r) : null_xv();
}

struct xv eval_arith(struct ectx *c, const struct ir_node *n, int depth)
{
    struct xv a = eval_expr(c, n->a, depth + 1);
    if (a.type == VAL_NULL)
        return null_xv();
    if (n->sub == IR_NEG)
        return arith(IR_NEG, &a, &a);
    struct xv b = eval_expr(c, n->b, depth + 1);
    if (b.type == VAL_NULL)
        return null_xv();
    return arith(n->sub, &a, &b);
}

static struct xv fn_arith(struct ectx *c, const struct ir_node *n, int depth, uint8_t op)
{
    struct xv a = arg(c, n, 0, depth), b = arg(c, n, 1, depth);
    if (a.type == VAL_NULL || b.type == VAL_NULL)
        return null_xv();
    return arith(op, &a, &b);
}

struct xv eval_func(struct ectx *c, const struct ir_node *n, int depth)
{
    bool ci = n->flags & IR_F_CI;
    const char *s, *t;
    size_t sn, tn;
    switch (n->sub) {
    case IR_FN_ADD: return fn_arith(c, n, depth, IR_ADD);
    case IR_FN_SUBTRACT: return fn_arith(c, n, depth, IR_SUB);
    case IR_FN_MULTIPLY: return fn_arith(c, n, depth, IR_MUL);
    case IR_FN_DIVIDE: return fn_arith(c, n, depth, IR_DIV);
    case IR_FN_MODULO: return fn_arith(c, n, depth, IR_MOD);
    case IR_FN_BETWEEN: return fn_between(c, n, depth, ci);
    case IR_FN_CIDRMATCH: return fn_cidrmatch(c, n, depth);
    case IR_FN_CONCAT: return fn_concat(c, n, depth);
    case IR_FN_INDEXOF: return fn_indexof(c, n, depth, ci);
    case IR_FN_NUMBER: return fn_number(c, n, depth);
    case IR_FN_SUBSTRING: return fn_substring(c, n, depth);
    case IR_FN_LENGTH:
        if (!arg_text(c, n, 0, depth, &s, &sn))
            return null_xv();
        return long_xv(u16_len(s, sn));
    case IR_FN_STRING:
        if (!arg_text(c, n, 0, depth, &s, &sn))
            return null_xv();
        return str_xv(s, sn);
    case IR_FN_STARTSWITH:
    case IR_FN_ENDSWITH:
    case IR_FN_STRINGCONTAINS:
        if (!arg_text(c, n, 0, depth, &s, &sn) || !arg_text(c, n, 1, depth, &t, &tn))
            return null_xv();
        if (n->sub == IR_FN_STARTSWITH)
            return bool_xv(str_prefix(s, sn, t, tn, ci));
        if (n->sub == IR_FN_ENDSWITH)
            return bool_xv(str_suffix(s, sn, t, tn, ci));
        return bool_xv(str_find(s, sn, t, tn, 0, ci) >= 0);
    default:
        return null_xv();
    }
}
