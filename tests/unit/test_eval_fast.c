/*
 * Unit tests of eval's fast paths: they must give what the plain paths give — integer values
 * against long lists (sorted numbers), field directories (eval_pred_dir), stage predicates the
 * caller already evaluated (eval_run_feed_known), and dropping sequence partials past maxspan.
 */
#include "t.h"
#include "t_event.h"

#include "eval/eval.h"

static struct ir_query *compile(struct fieldtab *ft, enum lang_kind lk, const char *text)
{
    struct lang_error err;
    memset(&err, 0, sizeof err);
    struct ir_query *q = lang_compile(lk, text, strlen(text), ft, &err);
    if (!q) {
        t_fail_at(__FILE__, __LINE__, "compile %s: %s", text, err.msg);
        return NULL;
    }
    if (eval_prepare(q, &err) < 0) {
        t_fail_at(__FILE__, __LINE__, "prepare %s: %s", text, err.msg);
        ir_query_free(q);
        return NULL;
    }
    return q;
}

/* q's first stage on the event, plain and through a filled directory (they must agree) */
static int pred_both(struct fieldtab *ft, const struct ir_query *q, const char *json)
{
    struct event *ev = t_event_json(ft, json, 1);
    if (!ev)
        return -1;
    enum tri plain = eval_pred(q, q->stages[0].cond, ev);
    struct eval_dir d;
    eval_dir_init(&d, fieldtab_count(ft));
    eval_dir_fill(&d, ev);
    enum tri dir = eval_pred_dir(q, q->stages[0].cond, ev, &d);
    eval_dir_unfill(&d, ev);
    for (uint32_t i = 0; i < d.n; i++)
        if (d.byid[i])
            t_fail_at(__FILE__, __LINE__, "field %u left in the directory", i);
    eval_dir_clear(&d);
    event_free(ev);
    if (plain != dir) {
        t_fail_at(__FILE__, __LINE__, "%s: plain %d, directory %d", json, plain, dir);
        return -1;
    }
    return (int)plain;
}

TEST(eval_integer_against_long_list)
{
    struct fieldtab *ft = fieldtab_new();
    /* ten numbers (a set) and a wildcard, which matches the number's text */
    struct ir_query *q = compile(ft, LANG_KUERY,
                                 "destination.port : (20 or 21 or 22 or 23 or 25 or 53 or 67 or "
                                 "68 or 69 or 80 or 44*)");
    if (q) {
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":53}}"), TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":80}}"), TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":54}}"), TRI_FALSE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":443}}"), TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":-53}}"), TRI_FALSE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":[1,2,21]}}"), TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"destination\":{\"port\":\"53\"}}"), TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"source\":{\"port\":53}}"), TRI_FALSE);
        ir_query_free(q);
    }
    q = compile(ft, LANG_EQL,
                "network where destination.port in (20, 21, 22, 23, 25, 53, 67, 68, 69, 80) "
                "and not source.port in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)");
    if (q) {
        CHECK_INT(pred_both(ft, q, "{\"event\":{\"category\":\"network\"},"
                                   "\"destination\":{\"port\":69},\"source\":{\"port\":11}}"),
                  TRI_TRUE);
        CHECK_INT(pred_both(ft, q, "{\"event\":{\"category\":\"network\"},"
                                   "\"destination\":{\"port\":69},\"source\":{\"port\":10}}"),
                  TRI_FALSE);
        CHECK_INT(pred_both(ft, q, "{\"event\":{\"category\":\"network\"},"
                                   "\"destination\":{\"port\":70},\"source\":{\"port\":11}}"),
                  TRI_FALSE);
        ir_query_free(q);
    }
    fieldtab_free(ft);
}

/* Partials older than maxspan are dropped as time passes; results stay the same. */
TEST(eval_sequence_drops_expired_partials)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = compile(ft, LANG_EQL,
                                 "sequence by k with maxspan=1s [any where a == 1] "
                                 "[any where b == 1]");
    if (!q) {
        fieldtab_free(ft);
        return;
    }
    struct eval_run *r = eval_run_new(q, NULL);
    struct got g = {{0}};
    const char *evs[] = {
        "{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"a\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:00.500Z\",\"a\":1,\"k\":\"y\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:01Z\",\"c\":1,\"k\":\"z\"}", /* x is at maxspan: kept */
        "{\"@timestamp\":\"2024-01-01T00:00:01Z\",\"b\":1,\"k\":\"x\"}", /* joins x */
        "{\"@timestamp\":\"2024-01-01T00:00:01.600Z\",\"c\":1,\"k\":\"z\"}", /* y expires */
        "{\"@timestamp\":\"2024-01-01T00:00:01.700Z\",\"b\":1,\"k\":\"y\"}", /* too late */
    };
    uint64_t pending[ARRAY_LEN(evs)];
    for (size_t i = 0; i < ARRAY_LEN(evs); i++) {
        struct event *ev = t_event_json(ft, evs[i], i + 1);
        if (ev)
            eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev);
        struct eval_stats st;
        eval_run_stats(r, &st);
        pending[i] = st.pending;
    }
    eval_run_finish(r, t_collect_seqs, &g);
    CHECK_STR(g.s, "1,4");
    CHECK_INT(pending[2], 2);
    CHECK_INT(pending[3], 1);
    CHECK_INT(pending[4], 0); /* y dropped before its stage could come */
    eval_run_free(r);
    ir_query_free(q);
    fieldtab_free(ft);
}

/* Stage values given by the caller are used as given (the engine passes what it computed). */
TEST(eval_feed_known_stage_values)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q =
        compile(ft, LANG_EQL, "sequence by k [any where a == 1] [any where b == 1]");
    if (!q) {
        fieldtab_free(ft);
        return;
    }
    struct eval_run *r = eval_run_new(q, NULL);
    struct got g = {{0}};
    const char *evs[] = {
        "{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"a\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:01Z\",\"b\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:02Z\",\"a\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:03Z\",\"b\":1,\"k\":\"x\"}",
    };
    /* the second b is said not to meet its stage: only the first pair joins */
    const uint8_t known[][3] = {
        {EVAL_UNKNOWN, EVAL_UNKNOWN, EVAL_UNKNOWN},
        {TRI_FALSE, TRI_TRUE, EVAL_UNKNOWN},
        {TRI_TRUE, EVAL_UNKNOWN, EVAL_UNKNOWN},
        {TRI_FALSE, TRI_FALSE, EVAL_UNKNOWN},
    };
    for (size_t i = 0; i < ARRAY_LEN(evs); i++) {
        struct event *ev = t_event_json(ft, evs[i], i + 1);
        if (!ev)
            continue;
        struct eval_shared sh;
        eval_shared_init(&sh, ev);
        eval_run_feed_known(r, &sh, known[i], t_collect_seqs, &g);
        eval_shared_release(&sh);
        event_free(ev);
    }
    eval_run_finish(r, t_collect_seqs, &g);
    CHECK_STR(g.s, "1,2");
    eval_run_free(r);
    ir_query_free(q);
    fieldtab_free(ft);
}
