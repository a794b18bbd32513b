/* t_event.c — see t_event.h. */
#include "t_event.h"

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
