/*
 * Unit tests of userspace/eval/ through hand-built IR: what the stanza files (which go
 * through the compilers) cannot reach — eviction under max_pending, statistics, event
 * lifetimes, limits, regex preparation errors, and the allocation-free predicate path.
 */
#include "t.h"
#include "t_event.h"

#include "eval/eval.h"

/* sequence by k [a == 1] [b == 1], built by hand */
static struct ir_query *seq_query(struct fieldtab *ft, int64_t maxspan)
{
    struct ir_query *q = ir_query_new(ft);
    q->kind = IRQ_SEQUENCE;
    q->nstages = 2;
    q->stages = xcalloc(2, sizeof *q->stages);
    const char *names[2] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        uint32_t f = ir_field(q, names[i], 1, 0);
        q->stages[i].cond = ir_cmp(q, IR_EQ, f, ir_const_long(q, 1));
        uint32_t key = ir_field(q, "k", 1, 0);
        q->stages[i].by = ir_list_add(q, &key, 1);
        q->stages[i].nby = 1;
        q->stages[i].runs = 1;
    }
    q->maxspan_ns = maxspan;
    return q;
}

TEST(eval_sequence_eviction_counted)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = seq_query(ft, 0);
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), 0);
    struct eval_limits lim = {.max_pending = 3};
    struct eval_run *r = eval_run_new(q, &lim);
    struct got g = {{0}};
    char js[128];
    for (int i = 1; i <= 5; i++) { /* five keys start a sequence each */
        snprintf(js, sizeof js, "{\"a\":1,\"k\":%d}", i);
        struct event *ev = t_event_json(ft, js, (uint64_t)i);
        eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev); /* the run must have cloned what it keeps */
    }
    struct eval_stats st;
    eval_run_stats(r, &st);
    CHECK_INT(st.pending, 3);
    CHECK_INT(st.evicted, 2);
    /* the oldest (keys 1, 2) were evicted: only keys 3..5 can complete */
    for (int i = 1; i <= 5; i++) {
        snprintf(js, sizeof js, "{\"b\":1,\"k\":%d}", i);
        struct event *ev = t_event_json(ft, js, (uint64_t)(10 + i));
        eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev);
    }
    eval_run_finish(r, t_collect_seqs, &g);
    CHECK_STR(g.s, "3,13 4,14 5,15");
    eval_run_stats(r, &st);
    CHECK_INT(st.matches, 3);
    CHECK_INT(st.pending, 0);
    eval_run_free(r);
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(eval_sequence_maxspan_and_free_with_pending)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = seq_query(ft, 1000000000); /* 1s */
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), 0);
    struct eval_run *r = eval_run_new(q, NULL);
    struct got g = {{0}};
    const char *evs[] = {
        "{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"a\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:01Z\",\"b\":1,\"k\":\"x\"}", /* == maxspan: joins */
        "{\"@timestamp\":\"2024-01-01T00:00:02Z\",\"a\":1,\"k\":\"x\"}",
        "{\"@timestamp\":\"2024-01-01T00:00:03.001Z\",\"b\":1,\"k\":\"x\"}", /* too late */
        "{\"@timestamp\":\"2024-01-01T00:00:04Z\",\"a\":1,\"k\":\"y\"}",   /* left pending */
    };
    for (size_t i = 0; i < ARRAY_LEN(evs); i++) {
        struct event *ev = t_event_json(ft, evs[i], i + 1);
        eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev);
    }
    eval_run_finish(r, t_collect_seqs, &g);
    CHECK_STR(g.s, "1,2");
    struct eval_stats st;
    eval_run_stats(r, &st);
    CHECK_INT(st.pending, 1);
    eval_run_free(r); /* frees the pending partial (ASan checks the leak) */
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(eval_three_valued_logic)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = ir_query_new(ft);
    /* length(s) > 1: null when s is missing; x == 1: false when x is missing */
    uint32_t s = ir_field(q, "s", 1, 0);
    uint32_t len = ir_func(q, IR_FN_LENGTH, &s, 1, 0);
    uint32_t fn = ir_cmp(q, IR_GT, len, ir_const_long(q, 1));
    uint32_t fx = ir_cmp(q, IR_EQ, ir_field(q, "x", 1, 0), ir_const_long(q, 1));
    uint32_t nfn = ir_not(q, fn), nfx = ir_not(q, fx);
    uint32_t orr = ir_or(q, fn, fx), andd = ir_and(q, fn, fx);
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), 0);
    struct event *e = t_event_json(ft, "{\"x\":1}", 1);
    CHECK_INT(eval_pred(q, fn, e), TRI_NULL);
    CHECK_INT(eval_pred(q, nfn, e), TRI_NULL);
    CHECK_INT(eval_pred(q, fx, e), TRI_TRUE);
    CHECK_INT(eval_pred(q, orr, e), TRI_TRUE);
    CHECK_INT(eval_pred(q, andd, e), TRI_NULL);
    event_free(e);
    e = t_event_json(ft, "{\"s\":\"abc\"}", 2);
    CHECK_INT(eval_pred(q, fx, e), TRI_FALSE);
    CHECK_INT(eval_pred(q, nfx, e), TRI_TRUE); /* must_not: missing field */
    CHECK_INT(eval_pred(q, fn, e), TRI_TRUE);
    event_free(e);
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(eval_prepare_rejects_bad_regex)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = ir_query_new(ft);
    uint32_t f = ir_field(q, "x", 1, 0);
    ir_match1(q, f, PAT_REGEX, false, "a[b", 3);
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), -1);
    CHECK(strstr(err.msg, "missing ]") != NULL);
    ir_query_free(q);

    /* a deeply nested but valid regex compiles; one too complex is refused, not crashed */
    q = ir_query_new(ft);
    char big[400];
    memset(big, '(', 150);
    memset(big + 150, ')', 150);
    big[300] = 0;
    ir_match1(q, ir_field(q, "x", 1, 0), PAT_REGEX, false, big, strlen(big));
    CHECK_INT(eval_prepare(q, &err), -1);
    ir_query_free(q);
    q = ir_query_new(ft);
    const char *rep = "(a{1,1000}){1,1000}";
    ir_match1(q, ir_field(q, "x", 1, 0), PAT_REGEX, false, rep, strlen(rep));
    CHECK_INT(eval_prepare(q, &err), -1);
    CHECK(strstr(err.msg, "too complex") != NULL);
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(eval_concat_scratch_bound)
{
    /* strings built per event live in a bounded scratch: too long gives null, not overflow */
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = ir_query_new(ft);
    uint32_t args[3];
    for (int i = 0; i < 3; i++)
        args[i] = ir_field(q, "s", 1, 0);
    uint32_t cat = ir_func(q, IR_FN_CONCAT, args, 3, 0);
    uint32_t t = ir_cmp(q, IR_GT, ir_func(q, IR_FN_LENGTH, &cat, 1, 0), ir_const_long(q, 0));
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), 0);
    char *js = xmalloc(3000);
    snprintf(js, 3000, "{\"s\":\"%02000d\"}", 0);
    struct event *e = t_event_json(ft, js, 1);
    CHECK_INT(eval_pred(q, t, e), TRI_NULL);
    event_free(e);
    e = t_event_json(ft, "{\"s\":\"ab\"}", 2);
    CHECK_INT(eval_pred(q, t, e), TRI_TRUE);
    event_free(e);
    free(js);
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(eval_tail_keeps_clones_head_streams)
{
    struct fieldtab *ft = fieldtab_new();
    struct ir_query *q = ir_query_new(ft);
    q->nstages = 1;
    q->stages = xcalloc(1, sizeof *q->stages);
    q->stages[0].cond = ir_true(q);
    q->npipes = 1;
    q->pipes = xcalloc(1, sizeof *q->pipes);
    q->pipes[0] = (struct ir_pipe){.kind = IR_PIPE_TAIL, .n = 2};
    struct lang_error err;
    CHECK_INT(eval_prepare(q, &err), 0);
    struct eval_run *r = eval_run_new(q, NULL);
    struct got g = {{0}};
    for (int i = 1; i <= 4; i++) {
        struct event *ev = t_event_json(ft, "{\"x\":1}", (uint64_t)i);
        eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev); /* tail must hold its own copies */
    }
    CHECK_STR(g.s, "");
    eval_run_finish(r, t_collect_seqs, &g);
    CHECK_STR(g.s, "3 4");
    eval_run_free(r);

    q->pipes[0] = (struct ir_pipe){.kind = IR_PIPE_HEAD, .n = 2};
    r = eval_run_new(q, NULL);
    g.s[0] = 0;
    for (int i = 1; i <= 4; i++) {
        struct event *ev = t_event_json(ft, "{\"x\":1}", (uint64_t)i);
        eval_run_feed(r, ev, t_collect_seqs, &g);
        event_free(ev);
    }
    CHECK_STR(g.s, "1 2"); /* streamed as they came, nothing more after head */
    eval_run_free(r);
    ir_query_free(q);
    fieldtab_free(ft);
}
