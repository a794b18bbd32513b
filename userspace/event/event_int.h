/*
 * event_int.h — shared inside the event module only (event.c, json.c).
 */
#ifndef VIGIL_EVENT_INT_H
#define VIGIL_EVENT_INT_H

#include "event/event.h"

/* Append field id with value v as it is: v's strings and items must already live in ev's
 * arena (or outlive ev). The public setters copy; the JSON reader builds values in place. */
void event_push(struct event *ev, uint32_t id, struct val v);

/* json.c's cache of JSON layouts, kept with the field table (fieldtab_free frees it). */
struct json_layouts;
struct json_layouts **fieldtab_layouts(struct fieldtab *ft);
void json_layouts_free(struct json_layouts *ls);

#endif
