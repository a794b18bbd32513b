/* main.c — the vigil binary: dispatch to a subcommand, git style. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"run", cmd_run, "live sensor with the bundled rules; alerts to stdout (root)"},
    {"record", cmd_record, "live events to an NDJSON trace [-o FILE] [-- CMD ARGS...] (root)"},
    {"replay", cmd_replay, "evaluate rules over recorded traces [--rules PATH]... TRACE..."},
    {"query", cmd_query, "one ad-hoc KQL or EQL query over traces"},
    {"rules", cmd_rules, "rules check [PATH...]: load and compile rules, report each"},
    {"test", cmd_test, "run rule tests: traces with the alerts they must and must not raise"},
    {"normalize", cmd_normalize, "rewrite a trace's pids, ids, times and host to stable values"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil <command> [options] [args]\n\n"
               "vigil watches process execs and network connects with eBPF and evaluates\n"
               "Elastic detection rules (KQL, EQL) on them, live or on recorded traces.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'vigil <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vigil 0.1\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "vigil: '%s' is not a vigil command; see 'vigil --help'\n", argv[1]);
    return EXIT_USAGE;
}
