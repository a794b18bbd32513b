/* t_event.c — see t_event.h. */
#include "t_event.h"

#include <stdio.h>
#include <string.h>

#include "t.h"

struct event *t_event_json(struct fieldtab *ft, const char *json, uint64_t seq)
{
    struct event tmp;
    event_init(&tmp, ft);
    char err[200];
    if (event_from_json(&tmp, json, strlen(json), err, sizeof err)) {
        t_fail_at(__FILE__, __LINE__, "bad event %s: %s", json, err);
        event_clear(&tmp);
        return NULL;
    }
    tmp.seq = seq;
    struct event *ev = event_clone(&tmp);
    event_clear(&tmp);
    return ev;
}

void t_collect_seqs(void *ud, const struct eval_match *m)
{
    struct got *g = ud;
    size_t n = strlen(g->s);
    snprintf(g->s + n, sizeof g->s - n, "%s", n ? " " : "");
    for (uint32_t i = 0; i < m->n; i++) {
        n = strlen(g->s);
        snprintf(g->s + n, sizeof g->s - n, "%s%llu", i ? "," : "",
                 (unsigned long long)m->events[i]->seq);
    }
}
