/*
 * ruletest.h — rule tests: a trace and the alerts it must and must not raise. The whole
 * interface of userspace/ruletest/ (the `vigil test` command is a thin wrapper).
 *
 * A rule test is a TOML file:
 *
 *   [test]
 *   name = "make runs curl against a raw IP"      # optional (default: the file name)
 *   trace = "traces/make-curl.ndjson"             # or a list; relative to this file
 *   rules = ["../../rules/linux"]                 # optional: rule files/dirs, relative to this
 *                                                 # file; default: the rules given to `vigil test`
 *
 *   [[alert]]                                     # an alert that must be raised
 *   rule_id = "5f1e0a36-…"
 *   count = 1                                     # exactly this many (default: at least one)
 *   view = "linux"                                # optional: the view it must match in
 *   events = [ { "process.name" = "curl", "destination.ip" = "203.0.113.7" } ]
 *                                                 # optional: for each event of the match, in
 *                                                 # order, fields it must have (a subset; an
 *                                                 # array field holds when any element equals)
 *
 *   [[no_alert]]                                  # a rule that must stay quiet
 *   rule_id = "…"                                 # "*": no rule may alert except those
 *                                                 # listed under [[alert]]
 *
 * Only alerts that satisfy an [[alert]]'s view and events are counted for it. Pids, entity
 * ids and timestamps change from run to run: match events by stable fields (names, args,
 * addresses, ports, actions), or normalise the trace first (`vigil normalize`).
 *
 * Ownership: ruletest_run writes its report into the caller's buffer; nothing is kept.
 */
#ifndef VIGIL_RULETEST_H
#define VIGIL_RULETEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

struct ruletest_opts {
    const char *const *rules; /* default rule paths when a test names none */
    size_t nrules;
    const char *mappings;     /* mappings/ dir for the Windows view; NULL: Linux view only */
    bool verbose;             /* report every alert raised, also on success */
};

enum ruletest_result { RULETEST_PASS = 0, RULETEST_FAIL, RULETEST_ERROR };

/*
 * Run the test in `path`. Appends a readable report to out: one line "PASS path: name" or
 * "FAIL path: name" followed, on failure, by indented lines giving expected vs got. A test
 * file that cannot be read or is malformed is RULETEST_ERROR with "path:line:col: reason".
 */
enum ruletest_result ruletest_run(const char *path, const struct ruletest_opts *opts,
                                  struct buf *out);

/*
 * Find test files: a file is taken as is; a directory is walked recursively for *.toml files
 * that contain a [test] table (sorted). Returns 0 or -1 with a message in err.
 */
int ruletest_find(const char *path, char ***paths, size_t *npaths, char *err, size_t errlen);

#endif
