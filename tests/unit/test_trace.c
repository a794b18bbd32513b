/* Unit tests of trace normalisation: stable values, relations and relative time kept. */
#include "t.h"

#include "event/event.h"
#include "trace/trace.h"

static void parse(struct event *ev, const char *json)
{
    char err[200];
    if (event_from_json(ev, json, strlen(json), err, sizeof err) < 0)
        t_fail_at(__FILE__, __LINE__, "%s", err);
}

TEST(trace_normalize_keeps_relations_and_relative_time)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev, out;
    event_init(&ev, ft);
    event_init(&out, ft);
    struct trace_norm *tn = trace_norm_new();
    struct buf b = {0};

    parse(&ev, "{\"@timestamp\":\"2026-11-23T10:00:00.000000000Z\",\"host\":{\"id\":\"abc\","
               "\"name\":\"box\"},\"process\":{\"pid\":4242,\"entity_id\":\"XyZ\","
               "\"parent\":{\"pid\":1,\"entity_id\":\"P\"}}}");
    trace_norm_event(tn, &ev, &out);
    event_write_json(&out, &b);
    CHECK_STR(b.p, "{\"@timestamp\":\"2000-01-01T00:00:00.000000000Z\",\"host\":{\"id\":"
                   "\"00000000000000000000000000000000\",\"name\":\"vigil-host\"},\"process\":"
                   "{\"entity_id\":\"entity-1\",\"parent\":{\"entity_id\":\"entity-2\",\"pid\":1},"
                   "\"pid\":1000}}");
    buf_reset(&b);
    /* 1.5 s later, the child: its parent is the first process */
    parse(&ev, "{\"@timestamp\":\"2026-11-23T10:00:01.500000000Z\",\"process\":{\"pid\":777,"
               "\"entity_id\":\"QQ\",\"parent\":{\"pid\":4242,\"entity_id\":\"XyZ\"}}}");
    trace_norm_event(tn, &ev, &out);
    CHECK_INT(event_get_name(&out, "process.parent.pid")->i, 1000);
    CHECK_STR(event_get_str(&out, "process.parent.entity_id"), "entity-1");
    CHECK_INT(event_get_name(&out, "process.pid")->i, 1001);
    CHECK_STR(event_get_str(&out, "@timestamp"), "2000-01-01T00:00:01.500000000Z");
    CHECK_INT(out.ts, 946684801500000000LL);

    buf_clear(&b);
    trace_norm_free(tn);
    event_clear(&ev);
    event_clear(&out);
    fieldtab_free(ft);
}
