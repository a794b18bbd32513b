/* ir.c — building, dumping and freeing the intermediate form. See lang.h. */
#include "lang/lang.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ORDER IR_OP */
static const char *const ir_op_names[IR_OP_COUNT] = {
    "invalid", "true", "false", "and", "or", "not", "exists",
    "match",   "cmp",  "field", "const", "func", "arith",
};
/* ORDER IR_CMP */
static const char *const ir_cmp_names[IR_CMP_COUNT] = {"==", "!=", "<", "<=", ">", ">="};
/* ORDER IR_ARITH */
static const char *const ir_arith_names[IR_ARITH_COUNT] = {"+", "-", "*", "/", "%", "neg"};
/* ORDER IR_FN */
static const char *const ir_fn_names[IR_FN_COUNT] = {
    "add",       "between",    "cidrmatch", "concat", "divide",         "endswith",
    "indexof",   "length",     "modulo",    "multiply", "number",       "startswith",
    "string",    "stringcontains", "substring", "subtract",
};
static const char *const pat_kind_names[PAT_KIND_COUNT] = {"exact", "wildcard", "wildcard*",
                                                           "regex"};

struct ir_query *ir_query_new(struct fieldtab *ft)
{
    struct ir_query *q = xcalloc(1, sizeof *q);
    q->ft = ft;
    q->kind = IRQ_EVENT;
    return q;
}

void ir_query_free(struct ir_query *q)
{
    if (!q)
        return;
    if (q->free_compiled)
        for (uint32_t i = 0; i < q->npats; i++)
            if (q->pats[i].compiled)
                q->free_compiled(q->pats[i].compiled);
    free(q->stages);
    free(q->pipes);
    free(q->nodes);
    free(q->lists);
    free(q->pats);
    arena_clear(&q->arena);
    free(q);
}

uint32_t ir_node_add(struct ir_query *q, const struct ir_node *n)
{
    q->nodes = xgrow(q->nodes, &q->nodes_cap, q->nnodes + 1, sizeof *q->nodes);
    q->nodes[q->nnodes] = *n;
    return q->nnodes++;
}

static struct ir_node node_of(enum ir_op op)
{
    struct ir_node n;
    memset(&n, 0, sizeof n);
    n.op = op;
    n.a = n.b = IR_NONE;
    n.field = FIELD_NONE;
    return n;
}

uint32_t ir_list_add(struct ir_query *q, const uint32_t *items, uint32_t n)
{
    q->lists = xgrow(q->lists, &q->lists_cap, (size_t)q->nlists + n, sizeof *q->lists);
    uint32_t start = q->nlists;
    if (n)
        memcpy(q->lists + start, items, n * sizeof *items);
    q->nlists += n;
    return start;
}

uint32_t ir_field(struct ir_query *q, const char *name, size_t len, uint8_t flags)
{
    struct ir_node n = node_of(IR_FIELD);
    n.field = fieldtab_intern(q->ft, name, len);
    n.flags = flags;
    return ir_node_add(q, &n);
}

uint32_t ir_const(struct ir_query *q, const struct val *v)
{
    struct ir_node n = node_of(IR_CONST);
    n.k = val_copy(&q->arena, v);
    return ir_node_add(q, &n);
}

uint32_t ir_const_str(struct ir_query *q, const char *s, size_t len)
{
    struct val v = {.type = VAL_STR, .n = (uint32_t)len, .s = s};
    return ir_const(q, &v);
}

uint32_t ir_const_long(struct ir_query *q, int64_t i)
{
    struct val v = {.type = VAL_LONG, .i = i};
    return ir_const(q, &v);
}

uint32_t ir_true(struct ir_query *q)
{
    struct ir_node n = node_of(IR_TRUE);
    return ir_node_add(q, &n);
}

uint32_t ir_logic(struct ir_query *q, enum ir_op op, const uint32_t *kids, uint32_t n)
{
    if (n == 1)
        return kids[0];
    /* flatten children of the same op: and(and(a,b),c) -> and(a,b,c) */
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += q->nodes[kids[i]].op == op ? q->nodes[kids[i]].nlist : 1;
    uint32_t *flat = xmalloc(sizeof *flat * (total ? total : 1));
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct ir_node *c = &q->nodes[kids[i]];
        if (c->op == op) {
            memcpy(flat + k, q->lists + c->list, c->nlist * sizeof *flat);
            k += c->nlist;
        } else {
            flat[k++] = kids[i];
        }
    }
    struct ir_node node = node_of(op);
    node.list = ir_list_add(q, flat, k);
    node.nlist = k;
    free(flat);
    return ir_node_add(q, &node);
}

uint32_t ir_and(struct ir_query *q, uint32_t a, uint32_t b)
{
    uint32_t kids[2] = {a, b};
    return ir_logic(q, IR_AND, kids, 2);
}

uint32_t ir_or(struct ir_query *q, uint32_t a, uint32_t b)
{
    uint32_t kids[2] = {a, b};
    return ir_logic(q, IR_OR, kids, 2);
}

uint32_t ir_not(struct ir_query *q, uint32_t a)
{
    struct ir_node n = node_of(IR_NOT);
    n.a = a;
    return ir_node_add(q, &n);
}

uint32_t ir_exists(struct ir_query *q, uint32_t field_node)
{
    struct ir_node n = node_of(IR_EXISTS);
    n.a = field_node;
    return ir_node_add(q, &n);
}

uint32_t ir_cmp(struct ir_query *q, enum ir_cmp cmp, uint32_t a, uint32_t b)
{
    struct ir_node n = node_of(IR_CMP);
    n.sub = (uint8_t)cmp;
    n.a = a;
    n.b = b;
    return ir_node_add(q, &n);
}

uint32_t ir_func(struct ir_query *q, enum ir_fn fn, const uint32_t *args, uint32_t nargs,
                 uint8_t flags)
{
    struct ir_node n = node_of(IR_FUNC);
    n.sub = (uint8_t)fn;
    n.flags = flags;
    n.list = ir_list_add(q, args, nargs);
    n.nlist = nargs;
    return ir_node_add(q, &n);
}

uint32_t ir_arith(struct ir_query *q, enum ir_arith op, uint32_t a, uint32_t b)
{
    struct ir_node n = node_of(IR_ARITH);
    n.sub = (uint8_t)op;
    n.a = a;
    n.b = b;
    return ir_node_add(q, &n);
}

/* Is s (whole) a decimal or float number? Sets *out. */
static bool parse_number(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 63)
        return false;
    char tmp[64];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    /* decimal only: strtod alone would also take hex ("0x10"), inf and nan */
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)tmp[i]) && !strchr("+-.eE", tmp[i]))
            return false;
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end || errno || !isfinite(d))
        return false;
    *out = d;
    return true;
}

uint32_t ir_pattern_add(struct ir_query *q, enum ir_pat_kind kind, bool ci, const char *s,
                        size_t n)
{
    q->pats = xgrow(q->pats, &q->pats_cap, q->npats + 1, sizeof *q->pats);
    struct ir_pattern *p = &q->pats[q->npats];
    memset(p, 0, sizeof *p);
    p->kind = (uint8_t)kind;
    p->ci = ci;
    p->n = (uint32_t)n;
    p->s = arena_strndup(&q->arena, s, n);
    if (ci) {
        char *l = arena_strndup(&q->arena, s, n);
        for (size_t i = 0; i < n; i++)
            l[i] = (char)tolower((unsigned char)l[i]);
        p->lower = l;
    } else {
        p->lower = p->s;
    }
    if (kind == PAT_EXACT) {
        p->is_num = parse_number(s, n, &p->num);
        p->is_cidr = cidr_parse(s, n, p->net, &p->bits);
    }
    return q->npats++;
}

uint32_t ir_match(struct ir_query *q, uint32_t operand, const uint32_t *pats, uint32_t n)
{
    struct ir_node node = node_of(IR_MATCH);
    node.a = operand;
    node.list = ir_list_add(q, pats, n);
    node.nlist = n;
    return ir_node_add(q, &node);
}

uint32_t ir_match1(struct ir_query *q, uint32_t operand, enum ir_pat_kind kind, bool ci,
                   const char *s, size_t n)
{
    uint32_t p = ir_pattern_add(q, kind, ci, s, n);
    return ir_match(q, operand, &p, 1);
}

int ir_fn_lookup(const char *name, size_t n)
{
    for (int i = 0; i < IR_FN_COUNT; i++)
        if (mem_eq_nocase(name, n, ir_fn_names[i], strlen(ir_fn_names[i])))
            return i;
    return -1;
}

const char *ir_fn_name(enum ir_fn fn)
{
    return fn < IR_FN_COUNT ? ir_fn_names[fn] : "?";
}

int lang_from_name(const char *name)
{
    if (!strcmp(name, "kuery") || !strcmp(name, "kql"))
        return LANG_KUERY;
    if (!strcmp(name, "eql"))
        return LANG_EQL;
    return -1;
}

struct ir_query *lang_compile(enum lang_kind lang, const char *text, size_t len,
                              struct fieldtab *ft, struct lang_error *err)
{
    switch (lang) {
    case LANG_KUERY:
        return kql_compile(text, len, ft, err);
    case LANG_EQL:
        return eql_compile(text, len, ft, err);
    }
    memset(err, 0, sizeof *err);
    snprintf(err->msg, sizeof err->msg, "unknown query language");
    err->line = err->col = 1;
    return NULL;
}

/* ---- dump ---- */

static void indent(struct buf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_puts(out, "  ");
}

static void dump_node(const struct ir_query *q, uint32_t id, int depth, struct buf *out)
{
    indent(out, depth);
    if (id == IR_NONE || id >= q->nnodes) {
        buf_puts(out, "<none>\n");
        return;
    }
    const struct ir_node *n = &q->nodes[id];
    const char *ci = n->flags & IR_F_CI ? "~" : "";
    switch (n->op) {
    case IR_FIELD:
        buf_printf(out, "field %s%s%s\n", n->flags & IR_F_OPTIONAL ? "?" : "",
                   fieldtab_name(q->ft, n->field), n->flags & IR_F_FIELD_GLOB ? " (glob)" : "");
        return;
    case IR_CONST:
        buf_puts(out, "const ");
        val_write_json(&n->k, out);
        buf_putc(out, '\n');
        return;
    case IR_MATCH:
        buf_puts(out, "match\n");
        dump_node(q, n->a, depth + 1, out);
        for (uint32_t i = 0; i < n->nlist; i++) {
            const struct ir_pattern *p = &q->pats[q->lists[n->list + i]];
            indent(out, depth + 1);
            buf_printf(out, "%s%s ", pat_kind_names[p->kind], p->ci ? "~" : "");
            buf_json_str(out, p->s, p->n);
            buf_putc(out, '\n');
        }
        return;
    case IR_CMP:
        buf_printf(out, "cmp %s\n", ir_cmp_names[n->sub]);
        break;
    case IR_FUNC:
        buf_printf(out, "func %s%s\n", ir_fn_name(n->sub), ci);
        break;
    case IR_ARITH:
        buf_printf(out, "arith %s\n", ir_arith_names[n->sub]);
        break;
    default:
        buf_printf(out, "%s\n", n->op < IR_OP_COUNT ? ir_op_names[n->op] : "?");
        break;
    }
    if (n->a != IR_NONE)
        dump_node(q, n->a, depth + 1, out);
    if (n->b != IR_NONE)
        dump_node(q, n->b, depth + 1, out);
    if (n->op == IR_AND || n->op == IR_OR || n->op == IR_FUNC)
        for (uint32_t i = 0; i < n->nlist; i++)
            dump_node(q, q->lists[n->list + i], depth + 1, out);
}

static void dump_stage(const struct ir_query *q, const struct ir_stage *s, const char *what,
                       struct buf *out)
{
    buf_printf(out, "%s%s", what, s->missing ? " missing" : "");
    if (s->runs > 1)
        buf_printf(out, " runs=%u", s->runs);
    buf_putc(out, '\n');
    for (uint32_t i = 0; i < s->nby; i++) {
        buf_puts(out, "  by\n");
        dump_node(q, q->lists[s->by + i], 2, out);
    }
    dump_node(q, s->cond, 1, out);
}

void ir_dump(const struct ir_query *q, struct buf *out)
{
    static const char *const kinds[] = {"event", "sequence", "sample"};
    buf_printf(out, "%s", kinds[q->kind]);
    if (q->maxspan_ns)
        buf_printf(out, " maxspan=%lldns", (long long)q->maxspan_ns);
    buf_putc(out, '\n');
    for (uint32_t i = 0; i < q->nstages; i++)
        dump_stage(q, &q->stages[i], "stage", out);
    if (q->has_until)
        dump_stage(q, &q->until, "until", out);
    for (uint32_t i = 0; i < q->npipes; i++)
        buf_printf(out, "| %s %lld\n", q->pipes[i].kind == IR_PIPE_HEAD ? "head" : "tail",
                   (long long)q->pipes[i].n);
}
