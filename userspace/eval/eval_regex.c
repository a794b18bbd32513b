/*
 * eval_regex.c — Lucene regular expressions (what Elasticsearch's regexp query and EQL
 * `regex` accept), matched against the whole string. Parsed into a small tree, compiled to a
 * Pike-VM program, and run as an NFA simulation: linear in the input, no backtracking, no
 * allocation while matching (the state lists live on the stack; the program size is capped).
 *
 * Grammar (Lucene RegExp, with the operators the rule corpus uses):
 *   union   := concat ('|' concat)*
 *   concat  := repeat*
 *   repeat  := atom ('*' | '+' | '?' | '{' n (',' m?)? '}')*
 *   atom    := '.' | '@' (any string) | '#' (nothing) | '"' chars '"' | '(' union? ')'
 *            | '[' '^'? items ']' | '\' char | char
 *   \d \D \s \S \w \W are the usual shorthands. '^' and '$' are ordinary characters.
 *   The complement '~', intersection '&' and interval '<n-m>' operators are rejected.
 * Matching works on code points (UTF-8); `ci` folds case on both sides.
 */
#include "eval/eval_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RX_MAX_PROG 4000
#define RX_MAX_NODES 4000
#define RX_MAX_DEPTH 100
#define RX_MAX_REPEAT 1000

enum { OP_CHAR, OP_ANY, OP_CLASS, OP_SPLIT, OP_JMP, OP_MATCH, OP_FAIL };
struct rinst {
    uint8_t op;
    uint32_t c;    /* OP_CHAR: code point (folded if ci); OP_CLASS: class index */
    uint32_t x, y; /* OP_SPLIT: both targets; OP_JMP: x */
};

struct rrange {
    uint32_t lo, hi;
};
struct rclass {
    bool neg;
    uint32_t start, n; /* run of rx->ranges */
};

struct dfa;
static void dfa_free(struct dfa *d);

struct rx {
    uint32_t magic;
    bool ci;
    struct rinst *prog;
    uint32_t nprog;
    struct rclass *classes;
    uint32_t nclasses;
    struct rrange *ranges;
    uint32_t nranges;
    /* small programs: for each pc, the consuming states (and MATCH) it reaches by jumps */
    uint64_t *closure;
    uint32_t words;
    struct dfa *dfa; /* lazily built transition cache (small programs) */
};

#define RX_BITSET_MAX 512

/* ---- parse tree ---- */
enum { N_CHAR, N_ANY, N_CLASS, N_CAT, N_ALT, N_REP, N_EMPTY, N_NONE };
struct rnode {
    uint8_t kind;
    uint32_t c;   /* N_CHAR code point, N_CLASS class index */
    int a, b;     /* children */
    int min, max; /* N_REP; max -1 = unbounded */
};

struct rparse {
    const char *s;
    size_t n, i;
    struct rx *rx;
    struct rnode *nodes;
    int nnodes;
    size_t ranges_cap, classes_cap;
    char *err;
    size_t errlen;
    bool failed;
};

static void perr(struct rparse *p, const char *what)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "invalid regular expression at offset %zu: %s", p->i, what);
    p->failed = true;
}

static int node(struct rparse *p, uint8_t kind, int a, int b)
{
    if (p->nnodes >= RX_MAX_NODES) {
        perr(p, "too complex");
        return -1;
    }
    struct rnode *n = &p->nodes[p->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->a = a;
    n->b = b;
    return p->nnodes++;
}

static void add_range(struct rparse *p, uint32_t lo, uint32_t hi)
{
    struct rx *rx = p->rx;
    rx->ranges = xgrow(rx->ranges, &p->ranges_cap, rx->nranges + 1, sizeof *rx->ranges);
    rx->ranges[rx->nranges].lo = lo;
    rx->ranges[rx->nranges].hi = hi;
    rx->nranges++;
}

static uint32_t new_class(struct rparse *p, bool neg)
{
    struct rx *rx = p->rx;
    rx->classes = xgrow(rx->classes, &p->classes_cap, rx->nclasses + 1, sizeof *rx->classes);
    rx->classes[rx->nclasses].neg = neg;
    rx->classes[rx->nclasses].start = rx->nranges;
    rx->classes[rx->nclasses].n = 0;
    return rx->nclasses++;
}

/* Add the ranges of a shorthand (d s w, upper case negated) to the class being built. */
static void add_shorthand(struct rparse *p, char k)
{
    static const struct rrange d[] = {{'0', '9'}};
    static const struct rrange s[] = {{'\t', '\r'}, {' ', ' '}};
    static const struct rrange w[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    const struct rrange *r;
    size_t nr;
    switch (k | 0x20) {
    case 'd': r = d; nr = 1; break;
    case 's': r = s; nr = 2; break;
    default: r = w; nr = 4; break;
    }
    if (!(k >= 'A' && k <= 'Z')) {
        for (size_t i = 0; i < nr; i++)
            add_range(p, r[i].lo, r[i].hi);
        return;
    }
    uint32_t lo = 0; /* the complement, as ranges */
    for (size_t i = 0; i < nr; i++) {
        if (r[i].lo > lo)
            add_range(p, lo, r[i].lo - 1);
        lo = r[i].hi + 1;
    }
    add_range(p, lo, 0x10ffff);
}

static bool is_shorthand(char c)
{
    return c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W';
}

static uint32_t next_cp(struct rparse *p)
{
    return u8_next(p->s, p->n, &p->i);
}

static int parse_union(struct rparse *p, int depth);

static int parse_class(struct rparse *p)
{
    p->i++; /* [ */
    bool neg = false;
    if (p->i < p->n && p->s[p->i] == '^') {
        neg = true;
        p->i++;
    }
    uint32_t k = new_class(p, neg);
    bool first = true;
    for (;;) {
        if (p->i >= p->n) {
            perr(p, "missing ]");
            return -1;
        }
        char ch = p->s[p->i];
        if (ch == ']' && !first)
            break;
        first = false;
        uint32_t lo;
        if (ch == '\\' && p->i + 1 < p->n) {
            p->i++;
            if (is_shorthand(p->s[p->i])) {
                add_shorthand(p, p->s[p->i]);
                p->i++;
                continue;
            }
            lo = next_cp(p);
        } else {
            lo = next_cp(p);
        }
        uint32_t hi = lo;
        if (p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
            p->i++;
            if (p->s[p->i] == '\\' && p->i + 1 < p->n)
                p->i++;
            hi = next_cp(p);
            if (hi < lo) {
                perr(p, "bad character range");
                return -1;
            }
        }
        add_range(p, lo, hi);
    }
    p->i++; /* ] */
    p->rx->classes[k].n = p->rx->nranges - p->rx->classes[k].start;
    int nd = node(p, N_CLASS, -1, -1);
    if (nd >= 0)
        p->nodes[nd].c = k;
    return nd;
}

static int char_node(struct rparse *p, uint32_t c)
{
    int nd = node(p, N_CHAR, -1, -1);
    if (nd >= 0)
        p->nodes[nd].c = c;
    return nd;
}

static int parse_atom(struct rparse *p, int depth)
{
    char ch = p->s[p->i];
    switch (ch) {
    case '.':
        p->i++;
        return node(p, N_ANY, -1, -1);
    case '@': {
        p->i++;
        int any = node(p, N_ANY, -1, -1);
        int r = node(p, N_REP, any, -1);
        if (r >= 0) {
            p->nodes[r].min = 0;
            p->nodes[r].max = -1;
        }
        return r;
    }
    case '#':
        p->i++;
        return node(p, N_NONE, -1, -1);
    case '~':
    case '&':
        perr(p, "the complement (~) and intersection (&) operators are not supported");
        return -1;
    case '<':
        perr(p, "numeric intervals (<n-m>) are not supported");
        return -1;
    case '"': {
        p->i++;
        int acc = node(p, N_EMPTY, -1, -1);
        while (p->i < p->n && p->s[p->i] != '"')
            acc = node(p, N_CAT, acc, char_node(p, next_cp(p)));
        if (p->i >= p->n) {
            perr(p, "missing closing \"");
            return -1;
        }
        p->i++;
        return acc;
    }
    case '(': {
        p->i++;
        int inner;
        if (p->i < p->n && p->s[p->i] == ')')
            inner = node(p, N_EMPTY, -1, -1);
        else
            inner = parse_union(p, depth + 1);
        if (p->failed)
            return -1;
        if (p->i >= p->n || p->s[p->i] != ')') {
            perr(p, "missing )");
            return -1;
        }
        p->i++;
        return inner;
    }
    case '[':
        return parse_class(p);
    case '\\':
        p->i++;
        if (p->i >= p->n) {
            perr(p, "trailing backslash");
            return -1;
        }
        if (is_shorthand(p->s[p->i])) {
            uint32_t k = new_class(p, false);
            add_shorthand(p, p->s[p->i]);
            p->i++;
            p->rx->classes[k].n = p->rx->nranges - p->rx->classes[k].start;
            int nd = node(p, N_CLASS, -1, -1);
            if (nd >= 0)
                p->nodes[nd].c = k;
            return nd;
        }
        return char_node(p, next_cp(p));
    case ')':
    case '|':
        perr(p, "unexpected character");
        return -1;
    case '*':
    case '+':
    case '?':
    case '{':
        perr(p, "repetition of nothing");
        return -1;
    default:
        return char_node(p, next_cp(p));
    }
}

static bool parse_int(struct rparse *p, int *out)
{
    size_t st = p->i;
    long v = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        v = v * 10 + (p->s[p->i] - '0');
        if (v > RX_MAX_REPEAT) {
            perr(p, "repetition count too large");
            return false;
        }
        p->i++;
    }
    *out = (int)v;
    return p->i > st;
}

static int parse_repeat(struct rparse *p, int depth)
{
    int a = parse_atom(p, depth);
    while (!p->failed && p->i < p->n) {
        char ch = p->s[p->i];
        int min, max;
        if (ch == '*') {
            min = 0, max = -1;
        } else if (ch == '+') {
            min = 1, max = -1;
        } else if (ch == '?') {
            min = 0, max = 1;
        } else if (ch == '{') {
            p->i++;
            if (!parse_int(p, &min)) {
                perr(p, "expected a number after {");
                return -1;
            }
            max = min;
            if (p->i < p->n && p->s[p->i] == ',') {
                p->i++;
                if (p->i < p->n && p->s[p->i] == '}')
                    max = -1;
                else if (!parse_int(p, &max) || max < min) {
                    perr(p, "bad repetition bounds");
                    return -1;
                }
            }
            if (p->i >= p->n || p->s[p->i] != '}') {
                perr(p, "missing }");
                return -1;
            }
        } else {
            break;
        }
        p->i++;
        a = node(p, N_REP, a, -1);
        if (a < 0)
            return -1;
        p->nodes[a].min = min;
        p->nodes[a].max = max;
    }
    return a;
}

static int parse_concat(struct rparse *p, int depth)
{
    int acc = -1;
    while (!p->failed && p->i < p->n && p->s[p->i] != '|' && p->s[p->i] != ')') {
        int r = parse_repeat(p, depth);
        if (r < 0)
            return -1;
        acc = acc < 0 ? r : node(p, N_CAT, acc, r);
    }
    return acc < 0 ? node(p, N_EMPTY, -1, -1) : acc;
}

static int parse_union(struct rparse *p, int depth)
{
    if (depth > RX_MAX_DEPTH) {
        perr(p, "nested too deeply");
        return -1;
    }
    int a = parse_concat(p, depth);
    while (!p->failed && p->i < p->n && p->s[p->i] == '|') {
        p->i++;
        int b = parse_concat(p, depth);
        a = node(p, N_ALT, a, b);
    }
    return p->failed ? -1 : a;
}

/* ---- compile ---- */

static uint32_t emit(struct rparse *p, uint8_t op, uint32_t c, uint32_t x, uint32_t y)
{
    struct rx *rx = p->rx;
    if (rx->nprog >= RX_MAX_PROG) {
        perr(p, "too complex (program too large)");
        return 0;
    }
    rx->prog[rx->nprog] = (struct rinst){.op = op, .c = c, .x = x, .y = y};
    return rx->nprog++;
}

static void gen(struct rparse *p, int id, int depth)
{
    if (p->failed)
        return;
    if (depth > RX_MAX_DEPTH * 4) {
        perr(p, "nested too deeply");
        return;
    }
    struct rx *rx = p->rx;
    const struct rnode *n = &p->nodes[id];
    switch (n->kind) {
    case N_CHAR:
        emit(p, OP_CHAR, rx->ci ? cp_fold(n->c) : n->c, 0, 0);
        break;
    case N_ANY:
        emit(p, OP_ANY, 0, 0, 0);
        break;
    case N_CLASS:
        emit(p, OP_CLASS, n->c, 0, 0);
        break;
    case N_EMPTY:
        break;
    case N_NONE:
        emit(p, OP_FAIL, 0, 0, 0);
        break;
    case N_CAT:
        gen(p, n->a, depth + 1);
        gen(p, n->b, depth + 1);
        break;
    case N_ALT: {
        uint32_t split = emit(p, OP_SPLIT, 0, 0, 0);
        gen(p, n->a, depth + 1);
        uint32_t jmp = emit(p, OP_JMP, 0, 0, 0);
        uint32_t l2 = rx->nprog;
        gen(p, n->b, depth + 1);
        if (p->failed)
            return;
        rx->prog[split].x = split + 1;
        rx->prog[split].y = l2;
        rx->prog[jmp].x = rx->nprog;
        break;
    }
    case N_REP: {
        for (int k = 0; k < n->min; k++)
            gen(p, n->a, depth + 1);
        if (n->max < 0) {
            uint32_t split = emit(p, OP_SPLIT, 0, 0, 0);
            gen(p, n->a, depth + 1);
            emit(p, OP_JMP, 0, split, 0);
            if (p->failed)
                return;
            rx->prog[split].x = split + 1;
            rx->prog[split].y = rx->nprog;
        } else {
            uint32_t *splits = xmalloc(sizeof *splits * (size_t)(n->max - n->min + 1));
            int ns = 0;
            for (int k = n->min; k < n->max && !p->failed; k++) {
                splits[ns++] = emit(p, OP_SPLIT, 0, 0, 0);
                gen(p, n->a, depth + 1);
            }
            for (int k = 0; k < ns && !p->failed; k++) {
                rx->prog[splits[k]].x = splits[k] + 1;
                rx->prog[splits[k]].y = rx->nprog;
            }
            free(splits);
        }
        break;
    }
    }
}

static void add_thread(const struct rx *rx, uint32_t *list, uint32_t *nlist, uint64_t *seen,
                       uint32_t *stack, uint32_t pc);

/* Precompute jump closures so matching is a few word operations per character. */
static void build_closures(struct rx *rx)
{
    uint32_t np = rx->nprog;
    if (np > RX_BITSET_MAX)
        return;
    uint32_t w = (np + 63) / 64;
    rx->words = w;
    rx->closure = xcalloc((size_t)np + 1, w * sizeof(uint64_t));
    uint32_t *list = xmalloc(sizeof *list * np), *stack = xmalloc(sizeof *stack * (2 * np + 2));
    uint64_t *seen = xmalloc(w * sizeof *seen);
    for (uint32_t pc = 0; pc < np; pc++) {
        uint32_t nl = 0;
        memset(seen, 0, w * sizeof *seen);
        add_thread(rx, list, &nl, seen, stack, pc);
        uint64_t *c = rx->closure + (size_t)pc * w;
        for (uint32_t i = 0; i < nl; i++)
            c[list[i] >> 6] |= 1ull << (list[i] & 63);
    }
    free(list);
    free(stack);
    free(seen);
}

struct rx *rx_compile(const char *s, size_t n, bool ci, char *err, size_t errlen)
{
    struct rx *rx = xcalloc(1, sizeof *rx);
    rx->magic = RX_MAGIC;
    rx->ci = ci;
    struct rparse p = {.s = s, .n = n, .rx = rx, .err = err, .errlen = errlen};
    p.nodes = xmalloc(sizeof *p.nodes * RX_MAX_NODES);
    int root = n ? parse_union(&p, 0) : node(&p, N_EMPTY, -1, -1);
    if (!p.failed && p.i < n)
        perr(&p, "unexpected )");
    if (!p.failed) {
        rx->prog = xmalloc(sizeof *rx->prog * RX_MAX_PROG);
        gen(&p, root, 0);
        emit(&p, OP_MATCH, 0, 0, 0);
    }
    free(p.nodes);
    if (p.failed) {
        rx_free(rx);
        return NULL;
    }
    build_closures(rx);
    return rx;
}

void rx_free(struct rx *rx)
{
    if (!rx)
        return;
    free(rx->closure);
    dfa_free(rx->dfa);
    free(rx->prog);
    free(rx->classes);
    free(rx->ranges);
    free(rx);
}

/* ---- match ---- */

static bool in_class(const struct rx *rx, const struct rclass *k, uint32_t c)
{
    const struct rrange *r = rx->ranges + k->start;
    for (uint32_t i = 0; i < k->n; i++)
        if (c >= r[i].lo && c <= r[i].hi)
            return true;
    return false;
}

/* The other case of c, if it has one (inverse of cp_fold for the ranges it covers). */
static uint32_t cp_unfold(uint32_t c)
{
    static const uint32_t deltas[] = {32, 1, 0x50};
    for (size_t i = 0; i < ARRAY_LEN(deltas); i++)
        if (c >= deltas[i] && cp_fold(c - deltas[i]) == c)
            return c - deltas[i];
    if (c == 0xff)
        return 0x178;
    return c;
}

static bool class_match(const struct rx *rx, uint32_t k, uint32_t c)
{
    const struct rclass *cl = &rx->classes[k];
    bool in = in_class(rx, cl, c);
    if (!in && rx->ci) {
        uint32_t f = cp_fold(c);
        in = (f != c && in_class(rx, cl, f));
        if (!in) {
            uint32_t u = cp_unfold(f);
            in = u != f && in_class(rx, cl, u);
        }
    }
    return in != cl->neg;
}

/* Add pc and what it reaches through jumps/splits to list (visited bits guard loops). */
static void add_thread(const struct rx *rx, uint32_t *list, uint32_t *nlist, uint64_t *seen,
                       uint32_t *stack, uint32_t pc)
{
    uint32_t sp = 0;
    stack[sp++] = pc;
    while (sp) {
        pc = stack[--sp];
        if (seen[pc >> 6] & (1ull << (pc & 63)))
            continue;
        seen[pc >> 6] |= 1ull << (pc & 63);
        const struct rinst *in = &rx->prog[pc];
        if (in->op == OP_JMP) {
            stack[sp++] = in->x;
        } else if (in->op == OP_SPLIT) {
            stack[sp++] = in->y; /* x first: pushed last */
            stack[sp++] = in->x;
        } else {
            list[(*nlist)++] = pc;
        }
    }
}

/* One step of the bitset NFA: the states reached from cur on character c. */
static bool bits_step(const struct rx *rx, const uint64_t *cur, uint32_t c, uint64_t *nxt)
{
    uint32_t w = rx->words;
    uint32_t fc = rx->ci ? cp_fold(c) : c;
    bool any = false;
    memset(nxt, 0, w * sizeof *nxt);
    for (uint32_t k = 0; k < w; k++) {
        uint64_t bits = cur[k];
        while (bits) {
            uint32_t pc = k * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            const struct rinst *in = &rx->prog[pc];
            bool ok;
            switch (in->op) {
            case OP_CHAR: ok = in->c == fc; break;
            case OP_ANY: ok = true; break;
            case OP_CLASS: ok = class_match(rx, in->c, c); break;
            default: ok = false; break;
            }
            if (ok) {
                const uint64_t *cl = rx->closure + (size_t)(pc + 1) * w;
                for (uint32_t j = 0; j < w; j++)
                    nxt[j] |= cl[j];
                any = true;
            }
        }
    }
    return any;
}

static bool bits_accepts(const struct rx *rx, const uint64_t *set)
{
    uint32_t m = rx->nprog - 1; /* the final MATCH */
    return (set[m >> 6] >> (m & 63)) & 1;
}

/* Run the bitset NFA from `set` over s[i..n). */
static bool rx_match_bits_from(const struct rx *rx, const uint64_t *set, const char *s, size_t n,
                               size_t i)
{
    uint32_t w = rx->words;
    uint64_t a[RX_BITSET_MAX / 64], b[RX_BITSET_MAX / 64];
    uint64_t *cur = a, *nxt = b;
    memcpy(cur, set, w * sizeof *cur);
    while (i < n) {
        uint32_t c = u8_next(s, n, &i);
        if (!bits_step(rx, cur, c, nxt))
            return false;
        uint64_t *t = cur;
        cur = nxt;
        nxt = t;
    }
    return bits_accepts(rx, cur);
}

/*
 * A lazily built DFA over the bitset NFA: each distinct state set gets an id, ASCII
 * transitions are cached in a table. Bounded (DFA_MAX states); when full, matching goes on
 * with the NFA. The cache is the only state mutated while matching (single-threaded use).
 */
#define DFA_MAX 256
struct dfa {
    uint32_t n, w;
    uint64_t *sets;   /* n * w words */
    int16_t *next;    /* n * 128: ASCII transitions, -1 unknown */
    uint8_t *accept;  /* per state */
    uint8_t *dead;    /* per state: the empty set */
    int16_t hidx[DFA_MAX * 2];
};

static uint32_t set_hash(const uint64_t *set, uint32_t w)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < w; i++)
        h = (h ^ set[i]) * 1099511628211ull;
    return (uint32_t)(h ^ (h >> 29));
}

/* Id of state set `set`, adding it; -1 when the DFA is full. */
static int dfa_state(const struct rx *rx, struct dfa *d, const uint64_t *set)
{
    uint32_t h = set_hash(set, d->w) % (DFA_MAX * 2);
    while (d->hidx[h] >= 0) {
        if (!memcmp(d->sets + (size_t)d->hidx[h] * d->w, set, d->w * sizeof *set))
            return d->hidx[h];
        h = (h + 1) % (DFA_MAX * 2);
    }
    if (d->n >= DFA_MAX)
        return -1;
    uint32_t id = d->n++;
    memcpy(d->sets + (size_t)id * d->w, set, d->w * sizeof *set);
    memset(d->next + (size_t)id * 128, 0xff, 128 * sizeof *d->next);
    d->accept[id] = bits_accepts(rx, set);
    bool empty = true;
    for (uint32_t i = 0; i < d->w; i++)
        empty &= set[i] == 0;
    d->dead[id] = empty;
    d->hidx[h] = (int16_t)id;
    return (int)id;
}

static struct dfa *dfa_new(const struct rx *rx)
{
    struct dfa *d = xcalloc(1, sizeof *d);
    d->w = rx->words;
    d->sets = xmalloc(sizeof *d->sets * DFA_MAX * d->w);
    d->next = xmalloc(sizeof *d->next * DFA_MAX * 128);
    d->accept = xmalloc(DFA_MAX);
    d->dead = xmalloc(DFA_MAX);
    memset(d->hidx, 0xff, sizeof d->hidx);
    dfa_state(rx, d, rx->closure); /* state 0: the start */
    return d;
}

static void dfa_free(struct dfa *d)
{
    if (!d)
        return;
    free(d->sets);
    free(d->next);
    free(d->accept);
    free(d->dead);
    free(d);
}

static bool rx_match_dfa(const struct rx *rx, const char *s, size_t n)
{
    struct dfa *d = rx->dfa;
    uint64_t tmp[RX_BITSET_MAX / 64];
    int st = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        int nx;
        if (b < 0x80 && (nx = d->next[(size_t)st * 128 + b]) >= 0) {
            i++;
        } else {
            uint32_t c = u8_next(s, n, &i);
            bits_step(rx, d->sets + (size_t)st * d->w, c, tmp);
            nx = dfa_state(rx, d, tmp);
            if (nx < 0) /* full: finish with the NFA */
                return rx_match_bits_from(rx, tmp, s, n, i);
            if (c < 0x80)
                d->next[(size_t)st * 128 + c] = (int16_t)nx;
        }
        st = nx;
        if (d->dead[st])
            return false;
    }
    return d->accept[st];
}

bool rx_match(const struct rx *rx, const char *s, size_t n)
{
    if (rx->closure) {
        if (!rx->dfa)
            ((struct rx *)rx)->dfa = dfa_new(rx); /* the lazily built cache */
        return rx_match_dfa(rx, s, n);
    }
    uint32_t np = rx->nprog;
    uint32_t words = (np + 63) / 64;
    uint32_t clist_[np], nlist_[np], stack[np * 2 + 2];
    uint64_t seen[words];
    uint32_t *cl = clist_, *nl = nlist_, ncl = 0, nnl = 0;

    memset(seen, 0, sizeof seen);
    add_thread(rx, cl, &ncl, seen, stack, 0);
    size_t i = 0;
    while (i < n && ncl) {
        uint32_t c = u8_next(s, n, &i);
        uint32_t fc = rx->ci ? cp_fold(c) : c;
        memset(seen, 0, sizeof seen);
        nnl = 0;
        for (uint32_t t = 0; t < ncl; t++) {
            const struct rinst *in = &rx->prog[cl[t]];
            bool ok;
            switch (in->op) {
            case OP_CHAR: ok = in->c == fc; break;
            case OP_ANY: ok = true; break;
            case OP_CLASS: ok = class_match(rx, in->c, c); break;
            default: ok = false; break;
            }
            if (ok)
                add_thread(rx, nl, &nnl, seen, stack, cl[t] + 1);
        }
        uint32_t *tmp = cl;
        cl = nl;
        nl = tmp;
        ncl = nnl;
    }
    if (i < n)
        return false;
    for (uint32_t t = 0; t < ncl; t++)
        if (rx->prog[cl[t]].op == OP_MATCH)
            return true;
    return false;
}
