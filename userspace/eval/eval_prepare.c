/*
 * eval_prepare.c — what is done once per query (eval_prepare: compiled patterns, date and
 * CIDR annotations) and the serialization of join keys for sequences and samples.
 */
#include "eval/eval_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- join keys ---- */

static void key_put(struct buf *out, const struct val *v)
{
    double d;
    switch (v->type) {
    case VAL_LONG:
        buf_putc(out, 'L');
        buf_append(out, &v->i, sizeof v->i);
        break;
    case VAL_DOUBLE:
        d = v->d;
        if (d == floor(d) && fabs(d) < 9.2e18) { /* 1.0 joins 1 */
            int64_t i = (int64_t)d;
            buf_putc(out, 'L');
            buf_append(out, &i, sizeof i);
        } else {
            buf_putc(out, 'D');
            buf_append(out, &d, sizeof d);
        }
        break;
    case VAL_BOOL:
        buf_putc(out, v->b ? 'T' : 'F');
        break;
    case VAL_STR:
    case VAL_IP:
        buf_putc(out, 'S');
        buf_append(out, &v->n, sizeof v->n);
        buf_append(out, v->s, v->n);
        break;
    case VAL_ARRAY:
        buf_putc(out, 'A');
        buf_append(out, &v->n, sizeof v->n);
        for (uint32_t i = 0; i < v->n; i++)
            key_put(out, &v->items[i]);
        break;
    default:
        buf_putc(out, 'N');
        break;
    }
}

#define KEY_MAX_PARTS 16
#define KEY_MAX_ELEMS 16

uint32_t eval_keys(const struct ir_query *q, uint32_t by, uint32_t nby, const struct event *ev,
                   struct buf *out, uint32_t *offs, uint32_t max)
{
    static const struct val null_val = {.type = VAL_NULL};
    const struct val *elems[KEY_MAX_PARTS][KEY_MAX_ELEMS];
    struct val computed[KEY_MAX_PARTS];
    uint32_t nel[KEY_MAX_PARTS], idx[KEY_MAX_PARTS];
    struct ectx c;
    c.q = q;
    c.ev = ev;
    c.byid = NULL;
    c.nbyid = 0;
    c.sel = 0;
    c.maxn = 0;
    c.used = 0;
    if (nby > KEY_MAX_PARTS || max == 0)
        return 0;
    buf_reset(out);
    for (uint32_t k = 0; k < nby; k++) {
        uint32_t id = q->lists[by + k];
        const struct ir_node *n = &q->nodes[id];
        bool optional = n->op == IR_FIELD && (n->flags & IR_F_OPTIONAL);
        nel[k] = 0;
        idx[k] = 0;
        if (n->op == IR_FIELD && n->pad != PAD_DATE) {
            /* a multi-valued key joins on each of its values */
            const struct val *v = event_get(ev, n->field);
            if (v && v->type == VAL_ARRAY) {
                for (uint32_t i = 0; i < v->n && nel[k] < KEY_MAX_ELEMS; i++)
                    if (v->items[i].type != VAL_NULL)
                        elems[k][nel[k]++] = &v->items[i];
            } else if (v && v->type != VAL_NULL) {
                elems[k][nel[k]++] = v;
            }
        } else {
            struct xv x = eval_expr(&c, id, 0);
            if (x.type != VAL_NULL) {
                struct val *v = &computed[k];
                memset(v, 0, sizeof *v);
                v->type = x.type;
                v->n = x.n;
                if (x.type == VAL_LONG)
                    v->i = x.i;
                else if (x.type == VAL_DOUBLE)
                    v->d = x.d;
                else if (x.type == VAL_BOOL)
                    v->b = x.b;
                else
                    v->s = x.s;
                elems[k][nel[k]++] = v;
            }
        }
        if (nel[k] == 0) {
            if (!optional)
                return 0; /* a null key never joins */
            elems[k][nel[k]++] = &null_val;
        }
    }
    uint32_t count = 0;
    for (;;) {
        offs[count] = (uint32_t)out->len;
        buf_putc(out, 'K');
        for (uint32_t k = 0; k < nby; k++)
            key_put(out, elems[k][idx[k]]);
        count++;
        if (count == max)
            break;
        uint32_t k = nby;
        while (k-- > 0) { /* next combination */
            if (++idx[k] < nel[k])
                break;
            idx[k] = 0;
        }
        if (k == UINT32_MAX)
            break;
    }
    offs[count] = (uint32_t)out->len;
    return count;
}

/* ---- prepare ---- */

static void free_compiled(void *p)
{
    if (!p)
        return;
    if (*(uint32_t *)p == RX_MAGIC) {
        rx_free(p);
        return;
    }
    if (*(uint32_t *)p == WPAT_MAGIC)
        free(((struct wpat *)p)->set);
    free(p);
}

/* Shape of a wildcard pattern: literal, prefix*, *suffix, *infix* or generic. */
static struct wpat *wpat_new(const struct ir_pattern *p)
{
    const char *s = p->ci ? p->lower : p->s;
    size_t n = p->n, stars = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '?' && p->kind == PAT_WILDCARD)
            return NULL;
        stars += s[i] == '*';
    }
    struct wpat *w = xcalloc(1, sizeof *w);
    w->magic = WPAT_MAGIC;
    bool lead = n && s[0] == '*', trail = n > 1 && s[n - 1] == '*';
    size_t inner_stars = stars - lead - trail;
    if (n == 1 && lead) {
        w->shape = WS_ANY;
        return w;
    }
    if (inner_stars) {
        w->shape = WS_GENERIC;
        return w;
    }
    w->lit = s + lead;
    w->litn = (uint32_t)(n - lead - trail);
    w->shape = lead && trail ? WS_CONTAINS : lead ? WS_SUFFIX : trail ? WS_PREFIX : WS_EXACT;
    if (w->litn == 0)
        w->shape = WS_ANY;
    return w;
}

/* ---- hash sets of exact patterns ---- */

static inline unsigned char alow(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static inline uint64_t pset_mix(uint64_t h, bool ci)
{
    h ^= ci ? 0x9E3779B97F4A7C15ULL : 0;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    return h ? h : 1;
}

/* The literal of pattern p when a set can hold it: exact (or a wildcard without wildcards). */
static bool pset_lit(const struct ir_pattern *p, const char **s, uint32_t *n)
{
    if (p->kind == PAT_EXACT) {
        *s = p->ci ? p->lower : p->s;
        *n = p->n;
    } else if (p->kind == PAT_WILDCARD || p->kind == PAT_WILDCARD_STAR) {
        const struct wpat *w = p->compiled;
        if (!w || w->shape != WS_EXACT)
            return false;
        *s = w->lit;
        *n = w->litn;
    } else {
        return false;
    }
    if (p->ci)
        for (uint32_t i = 0; i < *n; i++)
            if ((unsigned char)(*s)[i] >= 0x80)
                return false;
    return true;
}

static uint64_t pset_hash(const char *s, uint32_t n, bool ci)
{
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (ci ? alow((unsigned char)s[i]) : (unsigned char)s[i])) * 1099511628211ULL;
    return pset_mix(h, ci);
}

static bool pset_eq(const struct pset_ent *e, const char *s, size_t n)
{
    if (e->n != n)
        return false;
    if (!e->ci)
        return !memcmp(e->s, s, n);
    for (size_t i = 0; i < n; i++)
        if (alow((unsigned char)e->s[i]) != alow((unsigned char)s[i]))
            return false;
    return true;
}

static bool pset_find(const struct pset *ps, uint64_t h, bool ci, const char *s, size_t n)
{
    for (uint32_t i = (uint32_t)h & ps->mask;; i = (i + 1) & ps->mask) {
        const struct pset_ent *e = &ps->tab[i];
        if (!e->h)
            return false;
        if (e->h == h && e->ci == ci && pset_eq(e, s, n))
            return true;
    }
}

bool pset_has(const struct pset *ps, const char *s, size_t n)
{
    uint64_t hc = 1469598103934665603ULL, hl = hc;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        hc = (hc ^ c) * 1099511628211ULL;
        hl = (hl ^ alow(c)) * 1099511628211ULL;
        ascii &= c < 0x80;
    }
    if (pset_find(ps, pset_mix(hc, false), false, s, n))
        return true;
    return ps->has_ci && ascii && pset_find(ps, pset_mix(hl, true), true, s, n);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

bool pset_has_long(const struct pset *ps, int64_t i)
{
    uint32_t lo = 0, hi = ps->nnums;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ps->nums[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ps->nnums && ps->nums[lo] == i;
}

/* A set for IR_MATCH node `id` when its list is long enough and starts with an exact pattern
 * (which carries the set in its `compiled`). */
static void pset_build(struct ir_query *q, uint32_t id)
{
    struct ir_node *nd = &q->nodes[id];
    if (nd->op != IR_MATCH || nd->pad || nd->nlist < PSET_MIN || nd->list >= q->nlists ||
        q->nlists - nd->list < nd->nlist)
        return;
    const uint32_t *l = q->lists + nd->list;
    for (uint32_t i = 0; i < nd->nlist; i++)
        if (l[i] >= q->npats)
            return;
    struct ir_pattern *carrier = &q->pats[l[0]];
    struct wpat *cw = NULL;
    if (carrier->kind == PAT_WILDCARD || carrier->kind == PAT_WILDCARD_STAR) {
        cw = carrier->compiled;
        if (!cw || cw->magic != WPAT_MAGIC || cw->set)
            return;
    } else if (carrier->kind != PAT_EXACT || carrier->compiled) {
        return;
    }
    uint32_t nset = 0;
    const char *s;
    uint32_t n;
    for (uint32_t i = 0; i < nd->nlist; i++)
        nset += pset_lit(&q->pats[l[i]], &s, &n);
    if (nset < PSET_MIN)
        return;
    uint32_t cap = 16;
    while (cap < nset * 2)
        cap *= 2;
    size_t head = (sizeof(struct pset) + 7) & ~(size_t)7;
    struct pset *ps = xcalloc(1, head + cap * sizeof *ps->tab + nd->nlist * sizeof *ps->nums +
                                     2 * nd->nlist * sizeof *ps->rest);
    ps->magic = PSET_MAGIC;
    ps->node = id;
    ps->mask = cap - 1;
    ps->tab = (struct pset_ent *)((char *)ps + head);
    ps->nums = (int64_t *)(ps->tab + cap);
    ps->rest = (uint32_t *)(ps->nums + nd->nlist);
    ps->lrest = ps->rest + nd->nlist;
    for (uint32_t i = 0; i < nd->nlist; i++) {
        const struct ir_pattern *p = &q->pats[l[i]];
        /* an integer value matches an exact pattern only by number (see pat_match, num_eq) */
        if (p->kind != PAT_EXACT)
            ps->lrest[ps->nlrest++] = l[i];
        else if (p->is_num && p->num == floor(p->num) && fabs(p->num) < 9.2e18)
            ps->nums[ps->nnums++] = (int64_t)p->num;
        if (!pset_lit(p, &s, &n)) {
            ps->rest[ps->nrest++] = l[i];
            continue;
        }
        bool ci = p->ci;
        uint64_t h = pset_hash(s, n, ci);
        if (pset_find(ps, h, ci, s, n))
            continue; /* a repeated literal */
        uint32_t j = (uint32_t)h & ps->mask;
        while (ps->tab[j].h)
            j = (j + 1) & ps->mask;
        ps->tab[j] = (struct pset_ent){h, s, n, ci};
        ps->has_ci |= ci;
    }
    qsort(ps->nums, ps->nnums, sizeof *ps->nums, cmp_i64);
    if (cw)
        cw->set = ps;
    else
        carrier->compiled = ps;
    nd->pad = PAD_SET;
}

static bool is_date_field(const struct ir_query *q, uint32_t field)
{
    const char *name = fieldtab_name(q->ft, field);
    return name && !strcmp(name, "@timestamp");
}

int eval_prepare(struct ir_query *q, struct lang_error *err)
{
    memset(err, 0, sizeof *err);
    q->free_compiled = free_compiled;
    for (uint32_t i = 0; i < q->npats; i++) {
        struct ir_pattern *p = &q->pats[i];
        if (p->compiled)
            continue;
        if (p->kind == PAT_REGEX) {
            char msg[150];
            p->compiled = rx_compile(p->s, p->n, p->ci, msg, sizeof msg);
            if (!p->compiled) {
                snprintf(err->msg, sizeof err->msg, "%s in \"%.60s\"", msg, p->s);
                err->line = err->col = 1;
                return -1;
            }
        } else if (p->kind == PAT_WILDCARD || p->kind == PAT_WILDCARD_STAR) {
            struct wpat *w = wpat_new(p);
            p->compiled = w;
            /* `ip : "2001:DB8::1"` without wildcards compares addresses by value */
            if (w && w->shape == WS_EXACT)
                p->is_cidr = cidr_parse(p->s, p->n, p->net, &p->bits);
        }
    }
    for (uint32_t i = 0; i < q->nnodes; i++) {
        struct ir_node *n = &q->nodes[i];
        if (n->op == IR_FIELD && is_date_field(q, n->field))
            n->pad = PAD_DATE;
    }
    for (uint32_t i = 0; i < q->nnodes; i++)
        pset_build(q, i);
    for (uint32_t i = 0; i < q->nnodes; i++) {
        struct ir_node *n = &q->nodes[i];
        if (n->op == IR_CMP && n->a < q->nnodes && n->b < q->nnodes) {
            /* a date field against a constant: the constant becomes epoch ms */
            struct ir_node *a = &q->nodes[n->a], *b = &q->nodes[n->b];
            struct ir_node *k = a->op == IR_FIELD && a->pad == PAD_DATE ? b
                                : b->op == IR_FIELD && b->pad == PAD_DATE ? a
                                                                          : NULL;
            if (k && k->op == IR_CONST) {
                int64_t ms;
                if (k->k.type == VAL_STR && date_ms(k->k.s, k->k.n, &ms)) {
                    memset(&k->k, 0, sizeof k->k);
                    k->k.type = VAL_LONG;
                    k->k.i = ms;
                } else if (k->k.type == VAL_DOUBLE) {
                    k->k.i = (int64_t)k->k.d;
                    k->k.type = VAL_LONG;
                }
            }
        }
        if (n->op == IR_FUNC && n->sub == IR_FN_CIDRMATCH) {
            for (uint32_t j = 1; j < n->nlist; j++) {
                uint32_t a = q->lists[n->list + j];
                struct ir_node *k = a < q->nnodes ? &q->nodes[a] : NULL;
                uint8_t net[16];
                int bits;
                if (k && k->op == IR_CONST && k->k.type == VAL_STR && !k->pad &&
                    cidr_parse(k->k.s, k->k.n, net, &bits)) {
                    uint8_t *m = arena_alloc(&q->arena, 16);
                    memcpy(m, net, 16);
                    k->k.ip = m;
                    k->pad = (uint8_t)(PAD_CIDR_BASE + bits);
                }
            }
        }
    }
    return 0;
}
