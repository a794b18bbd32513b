/* t_event.h — events for tests, from JSON text. */
#ifndef T_EVENT_H
#define T_EVENT_H
#include <stdint.h>

#include "eval/eval.h"
#include "event/event.h"

/* A sealed clone (free with event_free) of the event JSON describes, with seq; NULL and the
 * calling test failed when the JSON is bad. */
struct event *t_event_json(struct fieldtab *ft, const char *json, uint64_t seq);

/* Matches as text: the seq of each match's events, comma-joined, matches space-separated. */
struct got {
    char s[512];
};
/* An eval_match_fn appending m to the struct got at ud. */
void t_collect_seqs(void *ud, const struct eval_match *m);

#endif
