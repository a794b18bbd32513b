/*
 * engine_cond.c — necessary conditions of a query, which the index (engine_index.c) is built
 * from.
 *
 * A necessary condition is a disjunction of atoms that every event matching the query
 * satisfies. An atom says: field F has a string value equal to / starting with / ending with /
 * containing a literal, or F is present at all. Rules:
 *   AND: the cheapest condition of any child (cond_planes keeps the best few, all required);
 *   OR: the union of all children's (none if one child has none);
 *   MATCH of a field: one atom per pattern — exact values (numbers and booleans too: the
 *     lookup gives those in canonical text), a wildcard's literal prefix or suffix or else its
 *     longest literal run (infix), a regex's literal prefix; when a pattern has no usable
 *     literal (a CIDR, "*"), the field's presence;
 *   EXISTS, comparisons (not !=) and the boolean string functions of a field: its presence
 *     (startsWith/endsWith/stringContains with a constant: a prefix/suffix/infix atom);
 *   FALSE: the empty disjunction (never reached); anything else (NOT …): none.
 * Fields named by a pattern (KQL `process.*`) or standing for the event time give none.
 * Literals are ASCII-lowercased, so one key space serves case-sensitive and insensitive
 * tests (a case-sensitive match implies a case-insensitive one). Literals are cut at the first
 * non-ASCII byte: whatever case folding eval applies there, the ASCII part before it stays
 * necessary. Costs (guessed shares of events meeting an atom) pick among AND children.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

/* ---- conditions ---- */

void cond_clear(struct cond *c)
{
    for (uint32_t i = 0; i < c->n; i++)
        free(c->atoms[i].s);
    free(c->atoms);
    memset(c, 0, sizeof *c);
}

static void cond_push(struct cond *c, uint32_t field, uint8_t kind, const char *s, size_t n)
{
    size_t cap = c->cap;
    c->atoms = xgrow(c->atoms, &cap, c->n + 1, sizeof *c->atoms);
    c->cap = (uint32_t)cap;
    struct atom *a = &c->atoms[c->n++];
    a->field = field;
    a->kind = kind;
    a->len = (uint32_t)n;
    a->s = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        a->s[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    a->s[n] = 0;
}

/* Move src's atoms to the end of dst (src is left empty). */
static void cond_take(struct cond *dst, struct cond *src)
{
    for (uint32_t i = 0; i < src->n; i++) {
        size_t cap = dst->cap;
        dst->atoms = xgrow(dst->atoms, &cap, dst->n + 1, sizeof *dst->atoms);
        dst->cap = (uint32_t)cap;
        dst->atoms[dst->n++] = src->atoms[i];
    }
    dst->cost += src->cost;
    free(src->atoms);
    memset(src, 0, sizeof *src);
}

/* ---- cost: the share of events an atom is guessed to hold for (lower is better) ---- */

/* Values that most events of a build server carry; any other value of these fields is rare. */
static const struct {
    const char *field, *value; /* value NULL: every value of the field is common */
    double share;
} common[] = {
    {"event.category", "process", 0.9}, {"event.category", "network", 0.4},
    {"event.type", "start", 0.7},       {"event.type", "end", 0.3},
    {"event.type", "info", 0.3},        {"event.type", "connection", 0.3},
    {"event.action", "exec", 0.4},      {"event.action", "fork", 0.2},
    {"event.action", "end", 0.3},       {"event.action", "connection_attempted", 0.3},
    {"host.os.type", NULL, 1.0},        {"host.os.family", NULL, 1.0},
    {"host.os.platform", NULL, 1.0},    {"host.os.name", NULL, 1.0},
    {"event.kind", "event", 1.0},       {"event.module", "endpoint", 1.0},
    {"event.dataset", "endpoint.events.process", 0.7},
    {"event.dataset", "endpoint.events.network", 0.3},
    {"data_stream.dataset", "endpoint.events.process", 0.7},
    {"data_stream.dataset", "endpoint.events.network", 0.3},
    {"agent.type", "endpoint", 1.0},    {"agent.type", "vigil", 1.0},
    {"event.outcome", NULL, 0.5},
    {"network.direction", NULL, 0.4},   {"network.transport", NULL, 0.4},
    {"network.type", NULL, 0.4},        {"user.id", "0", 0.3},
    {"user.name", "root", 0.3},         {"process.user.name", "root", 0.3},
};

/* Fields (by prefix) that nearly every event has: poor EXISTS atoms. */
static const char *const ubiquitous[] = {"@timestamp", "event.", "host.", "agent.", "ecs.",
                                         "process.", "user.", "group."};

static double atom_cost(const char *field, uint8_t kind, const char *s, size_t len)
{
    if (!field)
        return 1.0;
    if (kind == ATOM_EXISTS) {
        for (size_t i = 0; i < ARRAY_LEN(ubiquitous); i++)
            if (str_has_prefix(field, ubiquitous[i]))
                return 1.0;
        return 0.2;
    }
    for (size_t i = 0; i < ARRAY_LEN(common); i++) {
        if (strcmp(field, common[i].field))
            continue;
        if (!common[i].value)
            return common[i].share;
        if (kind == ATOM_EXACT && strlen(common[i].value) == len &&
            !strncasecmp(common[i].value, s, len))
            return common[i].share;
        if (kind != ATOM_EXACT)
            return common[i].share;
    }
    for (size_t i = 0; i < ARRAY_LEN(common); i++)
        if (!strcmp(field, common[i].field))
            return 0.02; /* a rare value of a common field */
    if (kind == ATOM_EXACT)
        return 0.002;
    if (kind == ATOM_INFIX)
        return len < 6 ? 0.02 : 0.01;
    /* a short literal says little ("a*" reaches more than "/usr/bin/a*"); "/" says nothing */
    if (strspn(s, "/") == len)
        return 1.0;
    return len < 2 ? 0.1 : len < 4 ? 0.05 : 0.01;
}

static void cond_atom(struct cond *c, const struct fieldtab *ft, uint32_t field, uint8_t kind,
                      const char *s, size_t n)
{
    cond_push(c, field, kind, s, n);
    c->cost += atom_cost(fieldtab_name(ft, field), kind, c->atoms[c->n - 1].s, n);
}

size_t num_text(double d, char out[48])
{
    if (d == (double)(long long)d && d > -9.2e18 && d < 9.2e18)
        return (size_t)snprintf(out, 48, "%lld", (long long)d);
    return (size_t)snprintf(out, 48, "%.17g", d);
}

static bool is_bool_word(const char *s)
{
    return !strcasecmp(s, "true") || !strcasecmp(s, "false");
}

/*
 * The atom for a literal the field's text must equal (kind PAT_EXACT), or match as a
 * wildcard pattern: its literal prefix or suffix, or else its longest literal run inside
 * (an infix), cutting at special and non-ASCII bytes. prefix_only / suffix_only: the literal
 * is what a startsWith / endsWith needs; contains: what stringContains needs.
 * False when no literal long enough is left.
 */
static bool literal_atom(const struct fieldtab *ft, uint32_t field, uint8_t pkind, const char *s,
                         size_t n, int mode, struct cond *c)
{
    enum { WHOLE, PREFIX, SUFFIX, CONTAINS };
    size_t first = n, last = 0; /* first special byte; one past the last special byte */
    size_t run = 0, best = 0, best_at = 0; /* longest literal run */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool special = ch >= 0x80 || ch == 0;
        if (pkind == PAT_WILDCARD)
            special = special || ch == '*' || ch == '?';
        else if (pkind == PAT_WILDCARD_STAR)
            special = special || ch == '*' || ch == '\\';
        if (special) {
            if (first == n)
                first = i;
            last = i + 1;
            run = 0;
        } else if (++run > best) {
            best = run;
            best_at = i + 1 - run;
        }
    }
    bool special = first < n;
    if (!special && mode == WHOLE) {
        cond_atom(c, ft, field, ATOM_EXACT, s, n);
        return true;
    }
    size_t pre = 0, suf = 0;
    if (mode == WHOLE || mode == PREFIX)
        pre = special ? first : n;
    if (mode == WHOLE || mode == SUFFIX)
        suf = special ? n - last : n;
    if (pre > 0xffff || suf > 0xffff)
        return false;
    size_t ps = pre >= suf ? pre : suf;
    if (ps >= 4 || (ps > 0 && best < 4)) {
        if (pre >= suf)
            cond_atom(c, ft, field, ATOM_PREFIX, s, pre);
        else
            cond_atom(c, ft, field, ATOM_SUFFIX, s + n - suf, suf);
        return true;
    }
    if (best >= 4 && best <= 0xffff) {
        cond_atom(c, ft, field, ATOM_INFIX, s + best_at, best);
        return true;
    }
    return false;
}

/*
 * Length of the literal prefix every string a Lucene regular expression matches (whole
 * string) starts with: plain characters up to the first operator, less one if a quantifier
 * follows. 0 when a top-level alternation makes any prefix unsafe.
 */
static size_t regex_prefix(const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == '(' || s[i] == '[' || s[i] == '{')
            depth++;
        else if ((s[i] == ')' || s[i] == ']' || s[i] == '}') && depth > 0)
            depth--;
        else if (s[i] == '|' && depth == 0)
            return 0;
    }
    size_t k = 0;
    while (k < n) {
        unsigned char c = (unsigned char)s[k];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '/' || c == '_' || c == '-' || c == ':' || c == '=' || c == ',' ||
                     c == ';' || c == ' ' || c == '!' || c == '%' || c == '\'';
        if (!plain)
            break;
        k++;
    }
    if (k < n && (s[k] == '?' || s[k] == '*' || s[k] == '+' || s[k] == '{'))
        k = k ? k - 1 : 0;
    return k;
}

/* The atom for one pattern; false when the pattern cannot be indexed by its literal. */
static bool pattern_atom(const struct fieldtab *ft, const struct ir_pattern *p, uint32_t field,
                         struct cond *c)
{
    /* addresses match by containment, whatever their text */
    if (p->is_cidr || !p->s)
        return false;
    if (p->kind == PAT_EXACT && (p->is_num || is_bool_word(p->s))) {
        /* a number matches by value, a boolean its word: the lookup gives numeric and
         * boolean values in canonical text (num_text), strings as they are */
        char t[48];
        size_t tn = p->is_num ? num_text(p->num, t) : 0;
        cond_atom(c, ft, field, ATOM_EXACT, p->s, p->n);
        if (tn && (tn != p->n || memcmp(t, p->s, tn)))
            cond_atom(c, ft, field, ATOM_EXACT, t, tn);
        return true;
    }
    if (p->is_num || is_bool_word(p->s))
        return false;
    if (p->kind == PAT_REGEX) {
        size_t k = regex_prefix(p->s, p->n);
        return k > 0 && literal_atom(ft, field, PAT_EXACT, p->s, k, 1, c);
    }
    if (p->kind != PAT_EXACT && p->kind != PAT_WILDCARD && p->kind != PAT_WILDCARD_STAR)
        return false;
    return literal_atom(ft, field, p->kind, p->s, p->n, 0, c);
}

static const struct ir_node *node_at(const struct ir_query *q, uint32_t i)
{
    return i < q->nnodes ? &q->nodes[i] : NULL;
}

/* The node as a plain event field (not a name pattern, not the event time), or NULL. */
static const struct ir_node *plain_field(const struct ir_query *q, uint32_t i)
{
    const struct ir_node *n = node_at(q, i);
    if (!n || n->op != IR_FIELD || (n->flags & IR_F_FIELD_GLOB) || n->pad ||
        n->field == FIELD_NONE)
        return NULL;
    return n;
}

static void cond_any(struct cond *out)
{
    cond_clear(out);
    out->any = true;
    out->cost = 1e9;
}

static void cond_rec(const struct ir_query *q, uint32_t node, uint32_t only, int depth,
                     struct cond *out)
{
    memset(out, 0, sizeof *out);
    const struct ir_node *n = node_at(q, node);
    if (!n || depth > 200) {
        cond_any(out);
        return;
    }
    switch (n->op) {
    case IR_FALSE:
        return; /* empty disjunction: nothing can match */
    case IR_AND: {
        bool have = false;
        for (uint32_t k = 0; k < n->nlist; k++) {
            struct cond c;
            cond_rec(q, q->lists[n->list + k], only, depth + 1, &c);
            if (!c.any && (!have || c.cost < out->cost)) {
                cond_clear(out);
                *out = c;
                have = true;
            } else {
                cond_clear(&c);
            }
        }
        if (!have)
            cond_any(out);
        return;
    }
    case IR_OR:
        for (uint32_t k = 0; k < n->nlist; k++) {
            struct cond c;
            cond_rec(q, q->lists[n->list + k], only, depth + 1, &c);
            if (c.any) {
                cond_clear(&c);
                cond_any(out);
                return;
            }
            cond_take(out, &c);
        }
        return;
    case IR_MATCH: {
        const struct ir_node *a = plain_field(q, n->a);
        if (!a || (only != FIELD_NONE && a->field != only)) {
            cond_any(out);
            return;
        }
        for (uint32_t k = 0; k < n->nlist; k++) {
            uint32_t pi = q->lists[n->list + k];
            if (pi >= q->npats || !pattern_atom(q->ft, &q->pats[pi], a->field, out)) {
                /* no literal, but a match needs the field */
                cond_clear(out);
                cond_atom(out, q->ft, a->field, ATOM_EXISTS, "", 0);
                return;
            }
        }
        return;
    }
    case IR_EXISTS:
    case IR_CMP: {
        /* a comparison with a missing field is false; != is true then, so not that */
        const struct ir_node *a = plain_field(q, n->a);
        if (!a && n->op == IR_CMP)
            a = plain_field(q, n->b);
        if (!a || only != FIELD_NONE || (n->op == IR_CMP && n->sub == IR_NE)) {
            cond_any(out);
            return;
        }
        cond_atom(out, q->ft, a->field, ATOM_EXISTS, "", 0);
        return;
    }
    case IR_FUNC: {
        /* the boolean string functions are null (false) when their subject is missing */
        const struct ir_node *a = n->nlist >= 2 ? plain_field(q, q->lists[n->list]) : NULL;
        const struct ir_node *k = n->nlist >= 2 ? node_at(q, q->lists[n->list + 1]) : NULL;
        bool boolean = n->sub == IR_FN_STARTSWITH || n->sub == IR_FN_ENDSWITH ||
                       n->sub == IR_FN_STRINGCONTAINS || n->sub == IR_FN_CIDRMATCH;
        if (!a || !boolean || only != FIELD_NONE) {
            cond_any(out);
            return;
        }
        int mode = n->sub == IR_FN_STARTSWITH ? 1 : n->sub == IR_FN_ENDSWITH ? 2
                   : n->sub == IR_FN_STRINGCONTAINS ? 3 : -1;
        if (k && k->op == IR_CONST && k->k.type == VAL_STR && k->k.s && mode > 0 &&
            literal_atom(q->ft, a->field, PAT_EXACT, k->k.s, k->k.n, mode, out))
            return;
        cond_clear(out);
        cond_atom(out, q->ft, a->field, ATOM_EXISTS, "", 0);
        return;
    }
    default:
        cond_any(out);
        return;
    }
}

void cond_of_node(const struct ir_query *q, uint32_t node, uint32_t only_field,
                  struct cond *out)
{
    cond_rec(q, node, only_field, 0, out);
}

static int cmp_cost(const void *a, const void *b)
{
    const struct cond *x = a, *y = b;
    return x->cost < y->cost ? -1 : x->cost > y->cost ? 1 : 0;
}

uint32_t cond_planes(const struct ir_query *q, uint32_t node, struct cond *out, uint32_t max)
{
    const struct ir_node *n = node_at(q, node);
    if (!n || n->op != IR_AND || max < 2) {
        cond_of_node(q, node, FIELD_NONE, &out[0]);
        return 1;
    }
    struct cond *all = xcalloc(n->nlist ? n->nlist : 1, sizeof *all);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n->nlist; i++) {
        cond_rec(q, q->lists[n->list + i], FIELD_NONE, 1, &all[k]);
        if (all[k].any)
            cond_clear(&all[k]);
        else
            k++;
    }
    qsort(all, k, sizeof *all, cmp_cost);
    uint32_t np = 0;
    for (uint32_t i = 0; i < k; i++) {
        /* a condition nearly every event meets filters nothing: not worth a plane */
        if (np < max && (np == 0 || all[i].cost < 0.95))
            out[np++] = all[i];
        else
            cond_clear(&all[i]);
    }
    free(all);
    if (!np) {
        memset(&out[0], 0, sizeof out[0]);
        cond_any(&out[0]);
        np = 1;
    }
    return np;
}

void cond_of_stages(const struct ir_query *q, uint32_t from, uint32_t to, bool until,
                    struct cond *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = from; i <= to; i++) {
        const struct ir_stage *st = i < to ? &q->stages[i] : until && q->has_until ? &q->until
                                                                                  : NULL;
        if (!st)
            break;
        struct cond c;
        cond_of_node(q, st->cond, FIELD_NONE, &c);
        if (c.any) {
            cond_clear(&c);
            cond_any(out);
            return;
        }
        cond_take(out, &c);
    }
}

void cond_of_query(const struct ir_query *q, struct cond *out)
{
    if (q->nstages == 0) {
        memset(out, 0, sizeof *out);
        cond_any(out);
        return;
    }
    if (q->kind == IRQ_EVENT)
        cond_of_node(q, q->stages[0].cond, FIELD_NONE, out);
    else
        cond_of_stages(q, 0, q->nstages, true, out);
}

