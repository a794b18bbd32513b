/*
 * trace.h — making recorded traces fit to commit: normalise what changes from run to run.
 * The whole interface of userspace/trace/.
 *
 * A recorded trace is the sensor's ECS NDJSON. Pids, entity ids, timestamps, ephemeral ports
 * and host identity differ on every run; rule tests must not depend on them, and a committed
 * trace should diff cleanly against a re-recording. Normalising maps each such value to a
 * stable one in order of first appearance, consistently across fields, so relations survive
 * (a parent's process.entity_id still equals its child's process.parent.entity_id; a pid seen
 * as process.pid and later as process.parent.pid maps to the same number) and relative time is
 * kept (maxspan still means the same).
 *
 * Ownership: a trace_norm is caller-owned (trace_norm_new/_free) and keeps its maps across the
 * events of one trace; use a new one per trace.
 */
#ifndef VIGIL_TRACE_H
#define VIGIL_TRACE_H

#include "event/event.h"

struct trace_norm;
struct trace_norm *trace_norm_new(void);
void trace_norm_free(struct trace_norm *n);
/* Rewrite ev's unstable fields into out (reset first; both share a fieldtab). */
void trace_norm_event(struct trace_norm *n, const struct event *ev, struct event *out);

#endif
