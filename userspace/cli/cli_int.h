/*
 * cli_int.h — helpers shared by the subcommands (private to userspace/cli/).
 */
#ifndef VIGIL_CLI_INT_H
#define VIGIL_CLI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/engine.h"
#include "event/event.h"

/*
 * Where the bundled rule pack is: $VIGIL_RULES if set; else the first existing of
 * <dir of the binary>/../rules (the source tree: build/vigil -> rules/),
 * <dir of the binary>/../share/vigil/rules (installed), /usr/share/vigil/rules.
 * Returns buf, or NULL when none exists.
 */
const char *cli_bundled_rules(char *buf, size_t n);

/* The same for the mappings/ directory (Windows views): $VIGIL_MAPPINGS, <bin>/../mappings,
 * <bin>/../share/vigil/mappings, /usr/share/vigil/mappings. */
const char *cli_bundled_mappings(char *buf, size_t n);

/*
 * The detection pipeline shared by `run` and `replay`: each event becomes its views (Linux,
 * and Windows when userspace/view/ gives one), the engine evaluates the rules on them, and
 * alerts go out as NDJSON lines (out/alert.h).
 */
struct cli_detect;
struct cli_detect_opts {
    const char *who;          /* "vigil run", for messages */
    const char *const *rules; /* rule paths; none: the bundled rules */
    size_t nrules;
    const char *mappings;     /* NULL: the bundled mappings/, if found */
    FILE *out;                /* alerts */
    bool flush_each;          /* flush after every alert (live: latency matters) */
};
/* Load rules and mappings, reporting problems on stderr. NULL if no rule path can be read. */
struct cli_detect *cli_detect_new(struct fieldtab *ft, const struct cli_detect_opts *o);
void cli_detect_event(struct cli_detect *d, struct event *ev);
void cli_detect_finish(struct cli_detect *d);
struct engine *cli_detect_engine(struct cli_detect *d);
uint64_t cli_detect_alerts(const struct cli_detect *d);
void cli_detect_free(struct cli_detect *d);

#endif
