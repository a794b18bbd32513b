/*
 * cli_int.h — helpers shared by the subcommands (private to userspace/cli/).
 */
#ifndef VIGIL_CLI_INT_H
#define VIGIL_CLI_INT_H

#include <stddef.h>

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

#endif
