/*
 * engine_index.c — the rule index of one view: atoms (exact values, prefixes, suffixes,
 * infixes, field presence) -> entries, looked up with an event's own values. Keys are ASCII
 * lowercase (see engine_cond.c); numbers and booleans are looked up by their canonical text.
 * An entry can need several conditions at once (planes, see engine_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

/* ---- the index ---- */

#define FNV_OFF 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* ASCII lowercase by table: the lookup's inner loops run it for every byte */
static const unsigned char lower_tab[256] = {
#define L4(i) L1(i), L1(i + 1), L1(i + 2), L1(i + 3)
#define L1(i) ((i) >= 'A' && (i) <= 'Z' ? ((i) + 32) & 0xff : (i)) /* & 0xff: clang checks the arm not taken */
#define L16(i) L4(i), L4(i + 4), L4(i + 8), L4(i + 12)
#define L64(i) L16(i), L16(i + 16), L16(i + 32), L16(i + 48)
    L64(0), L64(64), L64(128), L64(192)
#undef L64
#undef L16
#undef L1
#undef L4
};

static inline unsigned char lower(unsigned char c)
{
    return lower_tab[c];
}

static inline uint64_t hstep(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static inline uint64_t hfinal(uint64_t h, uint32_t field, uint8_t kind)
{
    h ^= ((uint64_t)field << 8 | kind) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* Hash of an atom's literal: forward for exact and prefix, backward for suffix. */
static uint64_t atom_hash(uint32_t field, uint8_t kind, const char *s, uint32_t len)
{
    uint64_t h = FNV_OFF;
    if (kind == ATOM_SUFFIX)
        for (uint32_t i = len; i-- > 0;)
            h = hstep(h, (unsigned char)s[i]);
    else
        for (uint32_t i = 0; i < len; i++)
            h = hstep(h, (unsigned char)s[i]);
    return hfinal(h, field, kind);
}

void index_init(struct index *ix, uint32_t nentries, uint32_t nplanes)
{
    memset(ix, 0, sizeof *ix);
    ix->nwords = (nentries + 63) / 64;
    if (!ix->nwords)
        ix->nwords = 1;
    ix->nplanes = nplanes ? nplanes : 1;
    ix->fallback = xcalloc((size_t)ix->nwords * ix->nplanes, sizeof(uint64_t));
    ix->cand = xcalloc((size_t)ix->nwords * ix->nplanes, sizeof(uint64_t));
}

void index_clear(struct index *ix)
{
    for (size_t i = 0; i < ix->cap; i++) {
        free(ix->slots[i].s);
        free(ix->slots[i].post);
        free(ix->slots[i].wm);
    }
    free(ix->slots);
    for (uint32_t i = 0; i < ix->nfields; i++) {
        free(ix->fields[i].pre);
        free(ix->fields[i].suf);
        free(ix->fields[i].exists);
        free(ix->fields[i].wild);
        free(ix->fields[i].wm_exists);
        free(ix->fields[i].wm_wild);
        for (uint32_t k = 0; k < ix->fields[i].ninf; k++) {
            free(ix->fields[i].inf[k].s);
            free(ix->fields[i].inf[k].post);
            free(ix->fields[i].inf[k].wm);
        }
        free(ix->fields[i].inf);
        free(ix->fields[i].inf_tab);
        free(ix->fields[i].bloom);
    }
    for (size_t i = 0; ix->memo && i < (size_t)MEMO_SETS * 2; i++)
        if (ix->memo[i].cap)
            free(ix->memo[i].t.s);
    free(ix->memo);
    free(ix->memo_mru);
    free(ix->fields);
    free(ix->used);
    free(ix->fallback);
    free(ix->cand);
    memset(ix, 0, sizeof *ix);
}

static struct index_slot *slot_find(struct index *ix, uint64_t h, uint32_t field, uint8_t kind,
                                    const char *s, uint32_t len)
{
    if (!ix->cap)
        return NULL;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct index_slot *sl = &ix->slots[i];
        if (!sl->hash)
            return sl;
        if (sl->hash == h && sl->field == field && sl->kind == kind && sl->len == len &&
            !memcmp(sl->s, s, len))
            return sl;
    }
}

static void slots_grow(struct index *ix)
{
    size_t ncap = ix->cap ? ix->cap * 2 : 256;
    struct index_slot *old = ix->slots;
    size_t ocap = ix->cap;
    ix->slots = xcalloc(ncap, sizeof *ix->slots);
    ix->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].hash)
            continue;
        size_t mask = ncap - 1;
        size_t j = old[i].hash & mask;
        while (ix->slots[j].hash)
            j = (j + 1) & mask;
        ix->slots[j] = old[i];
    }
    free(old);
}

static void lens_add(uint16_t **v, uint32_t *n, uint32_t *cap, uint16_t len)
{
    uint32_t i = 0;
    while (i < *n && (*v)[i] < len)
        i++;
    if (i < *n && (*v)[i] == len)
        return;
    size_t c = *cap;
    *v = xgrow(*v, &c, *n + 1, sizeof **v);
    *cap = (uint32_t)c;
    memmove(*v + i + 1, *v + i, (*n - i) * sizeof **v);
    (*v)[i] = len;
    (*n)++;
}

/* Append entry to a posting list (entries arrive in ascending order: skip repeats). */
static void post_add(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t entry)
{
    if (*n && (*v)[*n - 1] == entry)
        return;
    size_t c = *cap;
    *v = xgrow(*v, &c, *n + 1, sizeof **v);
    *cap = (uint32_t)c;
    (*v)[(*n)++] = entry;
}

static inline uint32_t gram_of(const char *s)
{
    return (uint32_t)(unsigned char)s[0] << 24 | (uint32_t)(unsigned char)s[1] << 16 |
           (uint32_t)(unsigned char)s[2] << 8 | (unsigned char)s[3];
}

static inline uint32_t gram_hash(uint32_t g)
{
    return (g * 0x9E3779B1u) >> 16;
}

static void infix_add(struct index_field *f, const struct atom *a, uint32_t entry)
{
    struct index_infix *x = NULL;
    for (uint32_t k = 0; k < f->ninf && !x; k++)
        if (f->inf[k].len == a->len && !memcmp(f->inf[k].s, a->s, a->len))
            x = &f->inf[k];
    if (!x) {
        size_t cap = f->capinf;
        f->inf = xgrow(f->inf, &cap, f->ninf + 1, sizeof *f->inf);
        f->capinf = (uint32_t)cap;
        x = &f->inf[f->ninf++];
        memset(x, 0, sizeof *x);
        x->s = xstrndup(a->s, a->len);
        x->len = a->len;
        x->gram = gram_of(x->s);
    }
    post_add(&x->post, &x->npost, &x->cap, entry);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Turn a posting list into bitmap words (sorting it). */
static void to_wm(uint32_t *ids, uint32_t n, struct wmask **out, uint32_t *nout)
{
    free(*out);
    *out = NULL;
    *nout = 0;
    if (!n)
        return;
    qsort(ids, n, sizeof *ids, cmp_u32);
    *out = xcalloc(n, sizeof **out);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = ids[i] / 64;
        if (!k || (*out)[k - 1].w != w)
            (*out)[k++] = (struct wmask){w, 0};
        (*out)[k - 1].m |= 1ULL << (ids[i] % 64);
    }
    *nout = k;
}

void index_finish(struct index *ix)
{
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slots[i].hash)
            to_wm(ix->slots[i].post, ix->slots[i].npost, &ix->slots[i].wm, &ix->slots[i].nwm);
    for (uint32_t i = 0; i < ix->nfields; i++) {
        struct index_field *f = &ix->fields[i];
        to_wm(f->exists, f->nexists, &f->wm_exists, &f->nwm_exists);
        to_wm(f->wild, f->nwild, &f->wm_wild, &f->nwm_wild);
        for (uint32_t k = 0; k < f->ninf; k++)
            to_wm(f->inf[k].post, f->inf[k].npost, &f->inf[k].wm, &f->inf[k].nwm);
    }
    free(ix->used);
    ix->used = xcalloc(ix->nfields ? ix->nfields : 1, 1);
    for (uint32_t i = 0; i < ix->nfields; i++) {
        struct index_field *f = &ix->fields[i];
        ix->used[i] = f->used;
    }
    if (!ix->memo) {
        size_t bytes = (size_t)MEMO_SETS * 2 * sizeof *ix->memo;
        if (posix_memalign((void **)&ix->memo, 64, bytes))
            ix->memo = xmalloc(bytes); /* only alignment is lost */
        memset(ix->memo, 0, bytes);
        ix->memo_mru = xcalloc(MEMO_SETS, 1);
    }
    for (uint32_t i = 0; i < ix->nfields; i++) {
        struct index_field *f = &ix->fields[i];
        if (!f->ninf)
            continue;
        uint32_t cap = 16;
        while (cap < f->ninf * 2)
            cap *= 2;
        free(f->inf_tab);
        f->inf_tab = xcalloc(cap, sizeof *f->inf_tab);
        f->inf_mask = cap - 1;
        free(f->bloom);
        f->bloom = xcalloc(65536 / 64, sizeof *f->bloom);
        for (uint32_t k = 0; k < f->ninf; k++) {
            uint32_t h = gram_hash(f->inf[k].gram);
            f->bloom[h / 64] |= 1ULL << (h % 64);
            uint32_t j = h & f->inf_mask;
            while (f->inf_tab[j])
                j = (j + 1) & f->inf_mask;
            f->inf_tab[j] = k + 1;
        }
    }
}

void index_add(struct index *ix, uint32_t entry, const struct cond *c)
{
    if (c->any) {
        ix->fallback[entry / 64] |= 1ULL << (entry % 64);
        return;
    }
    for (uint32_t i = 0; i < c->n; i++) {
        const struct atom *a = &c->atoms[i];
        if (a->field >= ix->nfields) {
            uint32_t nf = a->field + 1;
            ix->fields = xrealloc(ix->fields, nf * sizeof *ix->fields);
            memset(ix->fields + ix->nfields, 0, (nf - ix->nfields) * sizeof *ix->fields);
            ix->nfields = nf;
        }
        struct index_field *f = &ix->fields[a->field];
        f->used = true;
        if (a->kind == ATOM_EXISTS) {
            post_add(&f->exists, &f->nexists, &f->capexists, entry);
            continue;
        }
        if (a->kind == ATOM_INFIX) {
            infix_add(f, a, entry);
            post_add(&f->wild, &f->nwild, &f->capwild, entry);
            continue;
        }
        if (a->kind == ATOM_EXACT) {
            f->exact = true;
            if (a->len < 256)
                f->exact_len[a->len / 64] |= 1ULL << (a->len % 64);
            else
                f->exact_long = true;
        } else {
            if (a->kind == ATOM_PREFIX)
                lens_add(&f->pre, &f->npre, &f->cappre, (uint16_t)a->len);
            else
                lens_add(&f->suf, &f->nsuf, &f->capsuf, (uint16_t)a->len);
            post_add(&f->wild, &f->nwild, &f->capwild, entry);
        }
        if ((ix->n + 1) * 2 > ix->cap)
            slots_grow(ix);
        uint64_t h = atom_hash(a->field, a->kind, a->s, a->len);
        struct index_slot *sl = slot_find(ix, h, a->field, a->kind, a->s, a->len);
        if (!sl->hash) {
            sl->hash = h;
            sl->field = a->field;
            sl->kind = a->kind;
            sl->len = a->len;
            sl->s = xstrndup(a->s, a->len);
            ix->n++;
            ix->hbloom[(h >> 48) / 64] |= 1ULL << ((h >> 48) % 64);
        }
        post_add(&sl->post, &sl->npost, &sl->cap, entry);
    }
}

static inline void mark(struct index *ix, const struct wmask *wm, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        ix->cand[wm[k].w] |= wm[k].m;
}

/* mark, recorded into ix->rec (lookup_str's marks: a pure function of field and text) */
static inline void mark_rec(struct index *ix, const struct wmask *wm, uint32_t n)
{
    mark(ix, wm, n);
    struct index_memo *m = ix->rec;
    if (m && n > UINT16_MAX)
        m->nm = MEMO_MARKS; /* too many words to note: the next mark makes it too many */
    if (m && m->nm < MEMO_MARKS) {
        m->wm[m->nm] = wm;
        m->nwm[m->nm] = (uint16_t)n;
    }
    if (m && m->nm <= MEMO_MARKS)
        m->nm++;
}

static inline void probe(struct index *ix, uint64_t h, uint32_t field, uint8_t kind,
                         const char *v, uint32_t off, uint32_t len)
{
    if (!(ix->hbloom[(h >> 48) / 64] >> ((h >> 48) % 64) & 1))
        return;
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const struct index_slot *sl = &ix->slots[i];
        if (!sl->hash)
            return;
        if (sl->hash != h || sl->field != field || sl->kind != kind || sl->len != len)
            continue;
        bool eq = true;
        for (uint32_t k = 0; k < len && eq; k++)
            eq = lower((unsigned char)v[off + k]) == (unsigned char)sl->s[k];
        if (!eq)
            continue;
        mark_rec(ix, sl->wm, sl->nwm);
        return;
    }
}

/* Every infix literal of f that s contains. */
static void lookup_infix(struct index *ix, const struct index_field *f, const char *s,
                         uint32_t n)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < n; i++) {
        w = w << 8 | lower((unsigned char)s[i]);
        if (i < 3)
            continue;
        uint32_t h = gram_hash(w);
        if (!(f->bloom[h / 64] >> (h % 64) & 1))
            continue;
        uint32_t at = i - 3;
        for (uint32_t j = h & f->inf_mask; f->inf_tab[j]; j = (j + 1) & f->inf_mask) {
            const struct index_infix *x = &f->inf[f->inf_tab[j] - 1];
            if (x->gram != w || at + x->len > n)
                continue;
            bool eq = true;
            for (uint32_t k = 4; k < x->len && eq; k++)
                eq = lower((unsigned char)s[at + k]) == (unsigned char)x->s[k];
            if (eq)
                mark_rec(ix, x->wm, x->nwm);
        }
    }
}

static void lookup_str_raw(struct index *ix, const struct index_field *f, uint32_t field,
                           const char *s, uint32_t n);

/* Hash of a field's text for the memo (the index's own hash goes byte by byte, lowercasing) */
static inline uint64_t memo_hash(uint32_t field, const char *s, uint32_t n)
{
    uint64_t h = hash_words(s, n, field);
    return h ? h : 1;
}

/* lookup_str_raw through the memo: a value seen recently replays its marks. */
static void lookup_str(struct index *ix, const struct index_field *f, uint32_t field,
                       const char *s, uint32_t n)
{
    if (!ix->memo || n > MEMO_MAXLEN) {
        lookup_str_raw(ix, f, field, s, n);
        return;
    }
    uint64_t h = memo_hash(field, s, n);
    uint32_t set = (uint32_t)(h >> 40) & (MEMO_SETS - 1);
    struct index_memo *e = &ix->memo[(size_t)set * 2];
    for (uint32_t w = 0; w < 2; w++) {
        const struct index_memo *m = &e[w];
        if (m->h == h && m->field == field && m->len == n &&
            !memcmp(n <= MEMO_INLINE ? m->t.in : m->t.s, s, n)) {
            ix->memo_mru[set] = (uint8_t)w;
            for (uint32_t k = 0; k < m->nm; k++)
                mark(ix, m->wm[k], m->nwm[k]);
            return;
        }
    }
    uint32_t w = ix->memo_mru[set] ^ 1u;
    struct index_memo *m = &e[w];
    m->h = 0; /* empty until recorded */
    m->nm = 0;
    ix->rec = m;
    lookup_str_raw(ix, f, field, s, n);
    ix->rec = NULL;
    if (m->nm > MEMO_MARKS) {
        m->nm = 0;
        return;
    }
    if (n <= MEMO_INLINE) {
        if (m->cap)
            free(m->t.s);
        m->cap = 0;
        memcpy(m->t.in, s, n);
    } else {
        if (m->cap < n) {
            if (m->cap)
                free(m->t.s);
            m->cap = n < 128 ? 128 : n;
            m->t.s = xmalloc(m->cap);
        }
        memcpy(m->t.s, s, n);
    }
    m->len = n;
    m->field = field;
    m->h = h;
    ix->memo_mru[set] = (uint8_t)w;
}

static void lookup_str_raw(struct index *ix, const struct index_field *f, uint32_t field,
                           const char *s, uint32_t n)
{
    if (f->ninf && f->bloom)
        lookup_infix(ix, f, s, n);
    uint64_t h = FNV_OFF;
    uint32_t j = 0;
    bool exact = n < 256 ? (f->exact_len[n / 64] >> (n % 64)) & 1 : f->exact_long;
    uint32_t maxpre = f->npre ? f->pre[f->npre - 1] : 0;
    uint32_t end = exact ? n : (maxpre < n ? maxpre : n);
    for (uint32_t i = 0; i < end; i++) {
        h = hstep(h, lower((unsigned char)s[i]));
        if (j < f->npre && f->pre[j] == i + 1) {
            probe(ix, hfinal(h, field, ATOM_PREFIX), field, ATOM_PREFIX, s, 0, i + 1);
            j++;
        }
    }
    if (exact)
        probe(ix, hfinal(h, field, ATOM_EXACT), field, ATOM_EXACT, s, 0, n);
    if (f->nsuf) {
        h = FNV_OFF;
        j = 0;
        for (uint32_t i = 0; i < n && j < f->nsuf; i++) {
            h = hstep(h, lower((unsigned char)s[n - 1 - i]));
            if (f->suf[j] == i + 1) {
                probe(ix, hfinal(h, field, ATOM_SUFFIX), field, ATOM_SUFFIX, s, n - 1 - i,
                      i + 1);
                j++;
            }
        }
    }
}

/* A number or boolean: its canonical text against the exact atoms. True if it was one. */
static bool lookup_scalar(struct index *ix, const struct index_field *f, uint32_t field,
                          const struct val *x)
{
    char t[48];
    size_t n;
    if (x->type == VAL_LONG) {
        /* by hand: snprintf would cost more than the whole lookup */
        char r[24];
        uint64_t u = x->i < 0 ? 0 - (uint64_t)x->i : (uint64_t)x->i;
        size_t k = 0;
        do
            r[k++] = (char)('0' + u % 10);
        while ((u /= 10));
        n = 0;
        if (x->i < 0)
            t[n++] = '-';
        while (k)
            t[n++] = r[--k];
        t[n] = 0;
    } else if (x->type == VAL_DOUBLE)
        n = num_text(x->d, t);
    else if (x->type == VAL_BOOL)
        n = (size_t)snprintf(t, sizeof t, "%s", x->b ? "true" : "false");
    else
        return false;
    if (n < 256 && (f->exact_len[n / 64] >> (n % 64)) & 1) {
        uint64_t h = FNV_OFF;
        for (size_t i = 0; i < n; i++)
            h = hstep(h, (unsigned char)t[i]);
        probe(ix, hfinal(h, field, ATOM_EXACT), field, ATOM_EXACT, t, 0, (uint32_t)n);
    }
    return true;
}

static void lookup_val(struct index *ix, const struct index_field *f, uint32_t field,
                       const struct val *v)
{
    bool other = false; /* a number or boolean: wildcards match its text too */
    if (v->type == VAL_STR || v->type == VAL_IP) {
        if (v->s)
            lookup_str(ix, f, field, v->s, v->n);
    } else if (v->type == VAL_ARRAY) {
        for (uint32_t i = 0; i < v->n; i++) {
            const struct val *x = &v->items[i];
            if ((x->type == VAL_STR || x->type == VAL_IP) && x->s)
                lookup_str(ix, f, field, x->s, x->n);
            else
                other |= lookup_scalar(ix, f, field, x);
        }
    } else {
        other = lookup_scalar(ix, f, field, v);
    }
    if (other)
        mark(ix, f->wm_wild, f->nwm_wild);
    mark(ix, f->wm_exists, f->nwm_exists);
}

void index_lookup(struct index *ix, const struct event *ev)
{
    /* the event is usually cold: ask for all of its fields at once rather than one miss
     * after the other (and for what follows them: a clone keeps its strings there) */
    const char *fp = (const char *)ev->f;
    size_t fbytes = (size_t)ev->n * sizeof *ev->f;
    for (size_t off = 0; off < fbytes + 1024; off += 64)
        __builtin_prefetch(fp + off);
    size_t total = (size_t)ix->nwords * ix->nplanes;
    memcpy(ix->cand, ix->fallback, total * sizeof(uint64_t));
    for (uint32_t i = 0; i < ev->n; i++) {
        uint32_t id = ev->f[i].id;
        if (id >= ix->nfields || !(ix->used ? ix->used[id] : ix->fields[id].used))
            continue;
        lookup_val(ix, &ix->fields[id], id, &ev->f[i].v);
    }
    for (uint32_t p = 1; p < ix->nplanes; p++)
        for (uint32_t w = 0; w < ix->nwords; w++)
            ix->cand[w] &= ix->cand[(size_t)p * ix->nwords + w];
}
