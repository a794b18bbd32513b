/*
 * cli.h — the subcommands of the vigil binary. Each takes the arguments after its name
 * (argv[0] is the subcommand name) and returns the process exit status:
 *   0 success, 1 "found something" / test failures / rule errors, 2 usage error,
 *   3 runtime failure (cannot load BPF, cannot read a file, ...).
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

int cmd_run(int argc, char **argv);    /* cmd_live.c */
int cmd_record(int argc, char **argv); /* cmd_live.c */
int cmd_replay(int argc, char **argv); /* cmd_replay.c */
int cmd_query(int argc, char **argv);  /* cmd_query.c */
int cmd_rules(int argc, char **argv);  /* cmd_rules.c */
int cmd_test(int argc, char **argv);   /* cmd_test.c */
int cmd_normalize(int argc, char **argv); /* cmd_normalize.c */

#endif
