/*
 * eval_str.c — string tests on the hot path: case folding on the fly, substring search and
 * wildcard matching without building strings.
 */
#include "eval/eval_int.h"

#include <string.h>

uint32_t cp_fold(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c < 0xc0)
        return c;
    if (c <= 0xde)
        return c == 0xd7 ? c : c + 0x20; /* Latin-1 capitals */
    if (c < 0x100)
        return c;
    if (c < 0x180) { /* Latin Extended-A: pairs, odd/even depending on the block */
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f)
            return c;
        if (c == 0x178)
            return 0xff;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c == 0x3c2)
        return 0x3c3; /* final sigma */
    if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
        return c + 0x20; /* Greek */
    if (c >= 0x410 && c <= 0x42f)
        return c + 0x20; /* Cyrillic */
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    return c;
}

static inline unsigned char lc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Compare the character at a[*i] with b[*j] case-insensitively and advance both. */
static inline bool ci_step(const char *a, size_t an, size_t *i, const char *b, size_t bn,
                           size_t *j)
{
    unsigned char x = (unsigned char)a[*i], y = (unsigned char)b[*j];
    if (x < 0x80 && y < 0x80) {
        (*i)++;
        (*j)++;
        return lc(x) == lc(y);
    }
    return cp_fold(u8_next(a, an, i)) == cp_fold(u8_next(b, bn, j));
}

bool str_eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) /* folding keeps byte lengths */
        return false;
    size_t i = 0, j = 0;
    while (i < an && j < bn)
        if (!ci_step(a, an, &i, b, bn, &j))
            return false;
    return i == an && j == bn;
}

/* Does s[at..] start with p (ci)? */
static bool ci_at(const char *s, size_t n, size_t at, const char *p, size_t pn)
{
    if (n - at < pn)
        return false;
    size_t i = at, j = 0;
    while (j < pn) {
        if (i >= n || !ci_step(s, n, &i, p, pn, &j))
            return false;
    }
    return true;
}

long str_find(const char *h, size_t hn, const char *nd, size_t nn, size_t from, bool ci)
{
    if (from > hn || nn > hn - from)
        return -1;
    if (nn == 0)
        return (long)from;
    if (!ci) {
        const char *r = memmem(h + from, hn - from, nd, nn);
        return r ? (long)(r - h) : -1;
    }
    unsigned char f0 = (unsigned char)nd[0];
    bool ascii0 = f0 < 0x80;
    unsigned char a = lc(f0), b = (a >= 'a' && a <= 'z') ? (unsigned char)(a - 32) : a;
    for (size_t i = from; i + nn <= hn; i++) {
        if (ascii0) {
            /* skip quickly to the next candidate first byte */
            const char *pa = memchr(h + i, a, hn - nn + 1 - i);
            const char *pb = a != b ? memchr(h + i, b, hn - nn + 1 - i) : NULL;
            const char *pc = !pa ? pb : !pb ? pa : (pa < pb ? pa : pb);
            if (!pc)
                return -1;
            i = (size_t)(pc - h);
        }
        if (ci_at(h, hn, i, nd, nn))
            return (long)i;
    }
    return -1;
}

long str_rfind(const char *h, size_t hn, const char *nd, size_t nn, bool ci)
{
    if (nn > hn)
        return -1;
    for (size_t i = hn - nn + 1; i-- > 0;)
        if (ci ? ci_at(h, hn, i, nd, nn) : !memcmp(h + i, nd, nn))
            return (long)i;
    return -1;
}

bool str_prefix(const char *s, size_t n, const char *p, size_t pn, bool ci)
{
    if (pn > n)
        return false;
    return ci ? ci_at(s, n, 0, p, pn) : !memcmp(s, p, pn);
}

bool str_suffix(const char *s, size_t n, const char *p, size_t pn, bool ci)
{
    if (pn > n)
        return false;
    return ci ? ci_at(s, n, n - pn, p, pn) : !memcmp(s + n - pn, p, pn);
}

bool wild_match(const char *p, size_t pn, const char *s, size_t sn, bool ci, bool star_only)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char c = p[pi];
            if (c == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (c == '?' && !star_only) {
                pi++;
                u8_next(s, sn, &si);
                continue;
            }
            size_t pi2 = pi, si2 = si;
            bool eq;
            if (ci) {
                eq = ci_step(p, pn, &pi2, s, sn, &si2);
            } else {
                eq = p[pi] == s[si];
                pi2++;
                si2++;
            }
            if (eq) {
                pi = pi2;
                si = si2;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p;
        u8_next(s, sn, &star_s);
        si = star_s;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

bool wpat_match(const struct ir_pattern *p, const char *s, size_t n)
{
    const struct wpat *w = p->compiled;
    bool ci = p->ci;
    const char *pat = ci ? p->lower : p->s;
    if (!w)
        return wild_match(pat, p->n, s, n, ci, p->kind == PAT_WILDCARD_STAR);
    switch (w->shape) {
    case WS_ANY:
        return true;
    case WS_EXACT:
        return ci ? str_eq_ci(s, n, w->lit, w->litn) : (n == w->litn && !memcmp(s, w->lit, n));
    case WS_PREFIX:
        return str_prefix(s, n, w->lit, w->litn, ci);
    case WS_SUFFIX:
        return str_suffix(s, n, w->lit, w->litn, ci);
    case WS_CONTAINS:
        return str_find(s, n, w->lit, w->litn, 0, ci) >= 0;
    default:
        return wild_match(pat, p->n, s, n, ci, p->kind == PAT_WILDCARD_STAR);
    }
}
