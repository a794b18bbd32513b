/*
 * rules.h — Elastic detection rules as read from their TOML files. The whole interface of
 * userspace/rules/ (the TOML parser itself is userspace/toml/).
 *
 * Loading reads and validates the schema; it does not compile queries (the engine does, with
 * userspace/lang/). Every field Elastic ships is kept: what vigil does not use is still in
 * `doc`, for output.
 *
 * Ownership: rule_load_file returns a rule owned by the caller (rule_free). A ruleset owns its
 * rules. Strings are owned by the rule.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toml/toml.h"
#include "util/util.h"

struct rule_technique {
    char *id, *name, *reference;
    struct rule_technique *sub; /* subtechnique array */
    size_t nsub;
};

struct rule_threat {
    char *framework;                     /* "MITRE ATT&CK" */
    char *tactic_id, *tactic_name, *tactic_reference;
    struct rule_technique *techniques;
    size_t ntechniques;
};

struct rule {
    char *path;     /* the file it came from */
    char *rule_id;
    char *name;
    char *description;
    char *type;     /* "query", "eql", "threshold", "new_terms", ... */
    char *language; /* "kuery", "eql", "esql", "lucene", NULL for machine_learning;
                       a rule with a query but no language gets "eql" (type eql) or "kuery" */
    char *query;    /* NULL when the rule has none */
    char *severity;
    int risk_score;
    char **index;
    size_t nindex;
    char **tags;
    size_t ntags;
    char *from, *interval; /* Elastic's defaults "now-6m", "5m" when the file has none */
    int max_signals;       /* 100 when the file has none */
    struct rule_threat *threat;
    size_t nthreat;
    char *maturity; /* [metadata] maturity: "production", "deprecated", "development" */
    char *version;  /* [rule] version if any */
    struct toml_doc *doc; /* the whole file, parsed */
    /* where the query text starts in the file, to turn a query offset into file:line:col */
    const struct toml_value *query_value;
};

/*
 * Load one rule file. On failure returns NULL and writes "file:line:col: reason" into err.
 * A file that parses as TOML but is not a rule (no [rule] table, missing name/type…) is an
 * error too.
 */
struct rule *rule_load_file(const char *path, char *err, size_t errlen);
/* The same from text in memory (path is used in messages only). */
struct rule *rule_load_text(const char *path, const char *text, size_t len, char *err,
                            size_t errlen);
void rule_free(struct rule *r);

/*
 * Turn a byte offset into the (decoded) query string into a file position, for error
 * messages that point into the rule file. Returns false if unknown.
 */
bool rule_query_position(const struct rule *r, size_t query_off, int *line, int *col);

/* Does the rule carry this tag (exact)? */
bool rule_has_tag(const struct rule *r, const char *tag);

/*
 * Find rule files: a path that is a file is taken as is; a directory is walked recursively
 * for *.toml files, in sorted order. Returns the number of paths appended to *paths (caller
 * frees each and the array) or -1 with a message in err if a path cannot be read.
 */
int rule_find_files(const char *path, char ***paths, size_t *npaths, char *err, size_t errlen);

#endif
