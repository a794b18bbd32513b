/* libFuzzer target: the evaluator. Input: one byte choosing the language (even: EQL, odd:
 * KQL), the query up to the first newline, then optionally one JSON event. The query is
 * compiled, prepared and run (predicates, sequences, samples, pipes) over fixed events and
 * the given one. Nothing may crash, hang or leak; a result must hold events it was fed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed[] = {
    "{\"@timestamp\":\"2024-01-01T00:00:01Z\",\"event\":{\"category\":\"process\",\"type\":"
    "[\"start\"]},\"process\":{\"name\":\"bash\",\"pid\":10,\"args\":[\"bash\",\"-c\",\"x\"],"
    "\"parent\":{\"name\":\"sshd\"}},\"host\":{\"id\":\"h\"},\"user\":{\"id\":0}}",
    "{\"@timestamp\":\"2024-01-01T00:00:02Z\",\"event\":{\"category\":\"network\"},\"process\":"
    "{\"pid\":10},\"destination\":{\"ip\":\"192.0.2.7\",\"port\":443},\"host\":{\"id\":\"h\"}}",
    "{\"@timestamp\":\"2024-01-01T00:00:03Z\",\"event\":{\"category\":\"file\"},\"file\":"
    "{\"path\":\"C:\\\\Windows\\\\x.exe\"},\"process\":{\"pid\":10,\"name\":\"BASH\"},"
    "\"host\":{\"id\":\"h\"},\"n\":2.5,\"b\":true,\"z\":null}",
};

struct seen {
    const struct event *fed[8];
    size_t nfed;
    uint64_t results;
};

static void on_match(void *ud, const struct eval_match *m)
{
    struct seen *s = ud;
    s->results++;
    for (uint32_t i = 0; i < m->n; i++)
        if (!m->events[i] || m->events[i]->seq == 0 || m->events[i]->seq > s->nfed)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    enum lang_kind lang = data[0] & 1 ? LANG_KUERY : LANG_EQL;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(text, '\n', n);
    size_t qlen = nl ? (size_t)(nl - text) : n;

    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = lang_compile(lang, text, qlen, ft, &err);
    if (!q || eval_prepare(q, &err)) {
        ir_query_free(q);
        fieldtab_free(ft);
        return 0;
    }
    struct eval_limits lim = {.max_pending = 2};
    struct eval_run *r = eval_run_new(q, &lim);
    struct seen s = {0};
    struct event ev;
    event_init(&ev, ft);
    char msg[128];
    for (size_t i = 0; i < 3 + (nl != NULL); i++) {
        const char *js = i < 3 ? fixed[i] : nl + 1;
        size_t jl = i < 3 ? strlen(js) : n - qlen - 1;
        if (event_from_json(&ev, js, jl, msg, sizeof msg))
            continue;
        ev.seq = ++s.nfed;
        eval_pred(q, q->nstages ? q->stages[0].cond : 0, &ev);
        eval_run_feed(r, &ev, on_match, &s);
    }
    eval_run_finish(r, on_match, &s);
    struct eval_stats st;
    eval_run_stats(r, &st);
    if (st.matches != s.results)
        abort();
    eval_run_free(r);
    event_clear(&ev);
    ir_query_free(q);
    fieldtab_free(ft);
    return 0;
}
