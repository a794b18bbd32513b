/* t_event.h — events for tests, from JSON text. */
#ifndef T_EVENT_H
#define T_EVENT_H
#include <stdint.h>

#include "event/event.h"

/* A sealed clone (free with event_free) of the event JSON describes, with seq; NULL and the
 * calling test failed when the JSON is bad. */
struct event *t_event_json(struct fieldtab *ft, const char *json, uint64_t seq);

#endif
