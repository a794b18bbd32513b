/* cmd_normalize.c — `vigil normalize`: make a recorded trace fit to commit (see trace.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "event/event.h"
#include "trace/trace.h"

static const char usage[] =
    "usage: vigil normalize [-o FILE] TRACE...\n"
    "\n"
    "Rewrite what changes from run to run in recorded traces -- pids, entity ids, timestamps\n"
    "(rebased to 2000-01-01, relative times kept), source ports, host id and name -- to\n"
    "stable values, keeping every relation between events. Output is NDJSON (stdout by\n"
    "default). Each TRACE is normalised on its own; use one TRACE per output for fixtures.\n"
    "\n"
    "  -o, --output FILE   write to FILE instead of stdout\n";

int cmd_normalize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "vigil normalize: no trace given\n%s", usage);
        return EXIT_USAGE;
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "vigil normalize: %s: %s\n", output, strerror(errno));
        return EXIT_RUNTIME;
    }
    int rc = 0;
    struct fieldtab *ft = fieldtab_new();
    struct event ev, norm;
    event_init(&ev, ft);
    event_init(&norm, ft);
    struct buf line = {0};
    for (int i = optind; i < argc; i++) {
        struct ndjson_reader *r = ndjson_open(argv[i], ft);
        if (!r) {
            fprintf(stderr, "vigil normalize: %s: %s\n", argv[i], strerror(errno));
            rc = EXIT_RUNTIME;
            continue;
        }
        struct trace_norm *tn = trace_norm_new();
        int got;
        while ((got = ndjson_next(r, &ev)) == 1) {
            trace_norm_event(tn, &ev, &norm);
            buf_reset(&line);
            event_write_json(&norm, &line);
            buf_putc(&line, '\n');
            fwrite(line.p, 1, line.len, out);
        }
        if (got < 0 || ndjson_bad_lines(r))
            rc = EXIT_FINDINGS;
        trace_norm_free(tn);
        ndjson_close(r);
    }
    buf_clear(&line);
    event_clear(&ev);
    event_clear(&norm);
    fieldtab_free(ft);
    if (fflush(out) != 0 || (output && fclose(out) != 0)) {
        fprintf(stderr, "vigil normalize: write error\n");
        rc = EXIT_RUNTIME;
    }
    return rc;
}
