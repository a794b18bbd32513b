/* cmd_test.c — `vigil test`: run rule tests (see ruletest/ruletest.h for the format). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "ruletest/ruletest.h"

static const char usage[] =
    "usage: vigil test [--rules PATH]... [--mappings DIR] [-v] [TEST...]\n"
    "\n"
    "Run rule tests: each TEST is a TOML file (or a directory searched for them) naming a\n"
    "trace and the alerts it must and must not raise. Prints PASS/FAIL per test, the\n"
    "difference between expected and raised alerts for each failure, and a closing\n"
    "'N passed, N failed' line. Exit status 1 if any test failed.\n"
    "\n"
    "  --rules PATH     rules for tests that name none (repeatable; default: bundled rules)\n"
    "  --mappings DIR   Windows view mappings (default: bundled mappings/)\n"
    "  --no-views       evaluate the Linux view only\n"
    "  -v, --verbose    list the alerts raised by passing tests too\n"
    "\n"
    "Test file format: see the README (\"Rule tests\").\n";

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {{"rules", required_argument, NULL, 'r'},
                                         {"mappings", required_argument, NULL, 'm'},
                                         {"no-views", no_argument, NULL, 'n'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char **rules = NULL;
    size_t nrules = 0, rcap = 0;
    const char *mappings = NULL;
    bool no_views = false, verbose = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+r:m:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            rules = xgrow(rules, &rcap, nrules + 1, sizeof *rules);
            rules[nrules++] = optarg;
            break;
        case 'm':
            mappings = optarg;
            break;
        case 'n':
            no_views = true;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            fputs(usage, stdout);
            free(rules);
            return 0;
        default:
            fputs(usage, stderr);
            free(rules);
            return EXIT_USAGE;
        }
    }
    char bundled[PATH_MAX], maps[PATH_MAX];
    if (nrules == 0 && cli_bundled_rules(bundled, sizeof bundled)) {
        rules = xgrow(rules, &rcap, 1, sizeof *rules);
        rules[nrules++] = bundled;
    }
    if (!mappings && !no_views && cli_bundled_rules(maps, sizeof maps)) {
        /* mappings/ sits beside rules/ */
        char *slash = strrchr(maps, '/');
        if (slash) {
            snprintf(slash + 1, sizeof maps - (size_t)(slash + 1 - maps), "../mappings");
            if (is_dir(maps))
                mappings = maps;
        }
    }
    if (no_views)
        mappings = NULL;

    char **paths = NULL;
    size_t npaths = 0;
    char err[512];
    int rc = 0;
    for (int i = optind; i < argc; i++)
        if (ruletest_find(argv[i], &paths, &npaths, err, sizeof err) < 0) {
            fprintf(stderr, "vigil test: %s\n", err);
            rc = EXIT_RUNTIME;
        }
    if (optind >= argc) {
        fprintf(stderr, "vigil test: no test given\n%s", usage);
        free(rules);
        return EXIT_USAGE;
    }
    struct ruletest_opts o = {.rules = rules, .nrules = nrules, .mappings = mappings,
                              .verbose = verbose};
    size_t passed = 0, failed = 0;
    struct buf out = {0};
    for (size_t i = 0; i < npaths; i++) {
        buf_reset(&out);
        if (ruletest_run(paths[i], &o, &out) == RULETEST_PASS)
            passed++;
        else
            failed++;
        fputs(out.p, stdout);
        fflush(stdout);
        free(paths[i]);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    buf_clear(&out);
    free(paths);
    free(rules);
    if (rc)
        return rc;
    return failed ? EXIT_FINDINGS : 0;
}
