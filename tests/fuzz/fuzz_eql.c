/* libFuzzer target: arbitrary bytes through the EQL compiler. A success must give a
 * well-formed IR (every index in range, children built before parents, stages and pipes
 * consistent) that ir_dump can print; a failure must give a position inside the text and a
 * message. Nothing may leak either way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_node(const struct ir_query *q, uint32_t id)
{
    if (id >= q->nnodes)
        abort();
    const struct ir_node *n = &q->nodes[id];
    if (n->op == IR_INVALID || n->op >= IR_OP_COUNT)
        abort();
    if ((size_t)n->list + n->nlist > q->nlists)
        abort();
    if (n->op == IR_MATCH) {
        if (n->nlist == 0)
            abort();
        for (uint32_t i = 0; i < n->nlist; i++)
            if (q->lists[n->list + i] >= q->npats)
                abort();
    }
    if (n->op == IR_AND || n->op == IR_OR || n->op == IR_FUNC)
        for (uint32_t i = 0; i < n->nlist; i++)
            if (q->lists[n->list + i] >= id) /* children are built first: no cycles */
                abort();
    if (n->op == IR_FUNC && n->sub >= IR_FN_COUNT)
        abort();
    if (n->op == IR_CMP && n->sub >= IR_CMP_COUNT)
        abort();
    if (n->op == IR_ARITH && (n->sub >= IR_ARITH_COUNT || (n->sub != IR_NEG && n->b == IR_NONE)))
        abort();
    if ((n->op == IR_NOT || n->op == IR_EXISTS || n->op == IR_MATCH || n->op == IR_CMP) &&
        n->a == IR_NONE)
        abort();
    if (n->a != IR_NONE && n->a >= id)
        abort();
    if (n->b != IR_NONE && n->b >= id)
        abort();
    if (n->op == IR_FIELD && n->field >= fieldtab_count(q->ft))
        abort();
}

static void check_stage(const struct ir_query *q, const struct ir_stage *s, uint32_t nby)
{
    if (s->cond >= q->nnodes || s->runs < 1 || s->runs > 100 || s->nby != nby)
        abort();
    if ((size_t)s->by + s->nby > q->nlists)
        abort();
    for (uint32_t i = 0; i < s->nby; i++)
        if (q->lists[s->by + i] >= q->nnodes)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = eql_compile((const char *)data, size, ft, &err);
    if (q) {
        if (q->nstages == 0 || (q->kind == IRQ_EVENT && (q->nstages != 1 || q->has_until)))
            abort();
        if (q->kind != IRQ_SEQUENCE && (q->maxspan_ns || q->has_until))
            abort();
        if (q->maxspan_ns < 0)
            abort();
        for (uint32_t i = 0; i < q->nnodes; i++)
            check_node(q, i);
        for (uint32_t i = 0; i < q->nstages; i++) {
            check_stage(q, &q->stages[i], q->stages[0].nby);
            if (q->stages[i].missing && !q->maxspan_ns)
                abort();
        }
        if (q->has_until)
            check_stage(q, &q->until, q->stages[0].nby);
        for (uint32_t i = 0; i < q->npipes; i++)
            if ((q->pipes[i].kind != IR_PIPE_HEAD && q->pipes[i].kind != IR_PIPE_TAIL) ||
                q->pipes[i].n <= 0)
                abort();
        struct buf b = {0};
        ir_dump(q, &b);
        buf_clear(&b);
        ir_query_free(q);
    } else if (err.off > size || err.line < 1 || err.col < 1 || !err.msg[0] ||
               !memchr(err.msg, 0, sizeof err.msg)) {
        abort();
    }
    fieldtab_free(ft);
    return 0;
}
