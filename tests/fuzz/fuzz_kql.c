/* libFuzzer target: arbitrary bytes through the KQL compiler. A success must give a
 * well-formed IR (every index in range) that ir_dump can print; a failure must give a
 * position inside the text and a message. Nothing may leak either way. */
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
    if (n->op == IR_MATCH)
        for (uint32_t i = 0; i < n->nlist; i++)
            if (q->lists[n->list + i] >= q->npats)
                abort();
    if (n->op == IR_AND || n->op == IR_OR)
        for (uint32_t i = 0; i < n->nlist; i++)
            if (q->lists[n->list + i] >= id) /* children are built first: no cycles */
                abort();
    if (n->a != IR_NONE && n->a >= id)
        abort();
    if (n->b != IR_NONE && n->b >= id)
        abort();
    if (n->op == IR_FIELD && n->field >= fieldtab_count(q->ft))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile((const char *)data, size, ft, &err);
    if (q) {
        if (q->kind != IRQ_EVENT || q->nstages != 1 || q->stages[0].cond >= q->nnodes)
            abort();
        for (uint32_t i = 0; i < q->nnodes; i++)
            check_node(q, i);
        struct buf b = {0};
        ir_dump(q, &b);
        buf_clear(&b);
        ir_query_free(q);
    } else if (err.off > size || err.line < 1 || err.col < 1 || !err.msg[0]) {
        abort();
    }
    fieldtab_free(ft);
    return 0;
}
