/*
 * alert.h — an alert as one line of NDJSON: an ECS document shaped like a Kibana security
 * alert. The whole interface of userspace/out/.
 *
 * Layout of one alert (keys of the source event are kept; the ones below are vigil's):
 *   @timestamp                  event time of the match (the last event of a sequence), so a
 *                               replay writes the same alerts every time
 *   event.kind                  "alert" (the source's event.* fields stay beside it)
 *   <the event's own fields>    event rules: every field of the matching event, at top level
 *                               sequences/samples: the fields all events share (same value)
 *   kibana.alert.rule.{name, rule_id, type, language, severity, risk_score, description,
 *                      version, tags, threat}   threat as Kibana has it:
 *                      [{framework, tactic:{id,name,reference},
 *                        technique:[{id,name,reference,subtechnique:[...]}]}]
 *   kibana.alert.{severity, risk_score, reason, original_time, original_event, uuid,
 *                 status, workflow_status}
 *   tags                        the rule's tags
 *   vigil.view                  the view that matched: "linux", "windows", "macos"; beside it
 *                               the view's own vigil.* fields (host_adapter, alias, …)
 *   vigil.sequence.events       sequences and samples only: every event of the match, in
 *                               order, each a complete ECS document
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "event/event.h"
#include "rules/rules.h"
#include "util/util.h"

struct alert {
    const struct rule *rule;
    const char *view;                  /* "linux", "windows" … */
    bool sequence;                     /* a sequence or sample: events under vigil.sequence */
    const struct event *const *events; /* n >= 1, in order */
    uint32_t n;
};

/* Append one alert as a JSON object followed by a newline. Allocates (not a hot path). */
void alert_write_json(struct buf *out, const struct alert *a);

#endif
