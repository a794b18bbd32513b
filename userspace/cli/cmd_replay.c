/*
 * cmd_replay.c — `vigil replay [--rules PATH]... [-o FILE] [--stats] TRACE...`: run rules over
 * recorded NDJSON traces and write alerts as NDJSON (see out/alert.h).
 *
 * The traces are read one after the other as one stream (as `cat` would join them), so
 * their events should be in @timestamp order. A bad trace line is reported on stderr
 * ("file:line: reason") and skipped. Rules that fail to load are reported and skipped; the
 * counts of loaded, unsupported and failed rules go to stderr. Each event is evaluated as its
 * Linux view and, when userspace/view/ gives it one (Wine, Mono, aliased tools; mappings from
 * --mappings DIR or the bundled mappings/), its Windows view: the pipeline is cli_detect
 * (cli_int.h), the same as `vigil run`.
 * Exit status: 0 (alerts or not), 2 usage, 3 a trace or rule path cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "engine/engine.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil replay [--rules PATH]... [-o FILE] [--stats] TRACE...\n\n"
               "Evaluate detection rules over recorded NDJSON traces (ECS events, one per line;\n"
               "'-' is stdin, .gz is decompressed) and write one NDJSON alert per match.\n\n"
               "  --rules PATH   rule file or directory (repeatable; default: the bundled rules,\n"
               "                 $VIGIL_RULES or rules/ beside the binary)\n"
               "  -o FILE        write alerts to FILE instead of stdout\n"
               "  --mappings DIR the view mappings (default: the bundled mappings/ or\n"
               "                 $VIGIL_MAPPINGS); without them, Linux views only\n"
               "  --stats        print event, rule and alert counts and timing to stderr\n"
               "  -h, --help     this help\n\n"
               "Rules that fail to load are reported and skipped; so are bad trace lines.\n"
               "Exit status: 0, 2 usage, 3 a trace or rule path cannot be read.\n");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i. NULL when a is not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int cmd_replay(int argc, char **argv)
{
    const char **rules = xcalloc((size_t)argc + 1, sizeof *rules);
    const char **traces = xcalloc((size_t)argc + 1, sizeof *traces);
    size_t nrules = 0, ntraces = 0;
    const char *outpath = NULL, *mappings = NULL;
    bool stats = false, opts = true;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing = false;
        if (opts && !strcmp(a, "--")) {
            opts = false;
        } else if (opts && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            usage(stdout);
            goto out;
        } else if (opts && (v = opt_value(argc, argv, &i, "--rules", &missing))) {
            rules[nrules++] = v;
        } else if (opts && ((v = opt_value(argc, argv, &i, "-o", &missing)) ||
                            (v = opt_value(argc, argv, &i, "--output", &missing)))) {
            outpath = v;
        } else if (opts && (v = opt_value(argc, argv, &i, "--mappings", &missing))) {
            mappings = v;
        } else if (opts && !strcmp(a, "--stats")) {
            stats = true;
        } else if (missing) {
            fprintf(stderr, "vigil replay: option '%s' needs a value\n", a);
            rc = EXIT_USAGE;
            goto out;
        } else if (opts && a[0] == '-' && a[1]) {
            fprintf(stderr, "vigil replay: unknown option '%s'\n", a);
            usage(stderr);
            rc = EXIT_USAGE;
            goto out;
        } else {
            traces[ntraces++] = a;
        }
    }
    if (!ntraces) {
        fprintf(stderr, "vigil replay: no trace given\n");
        usage(stderr);
        rc = EXIT_USAGE;
        goto out;
    }

    FILE *out = stdout;
    bool flush_each = false; /* streaming from stdin: do not sit on alerts */
    for (size_t i = 0; i < ntraces; i++)
        if (!strcmp(traces[i], "-"))
            flush_each = true;
    if (outpath) {
        out = fopen(outpath, "w");
        if (!out) {
            fprintf(stderr, "vigil replay: %s: %s\n", outpath, strerror(errno));
            rc = EXIT_RUNTIME;
            goto out;
        }
    }

    double t0 = now_s();
    struct fieldtab *ft = fieldtab_new();
    struct cli_detect_opts dopts = {
        .who = "vigil replay", .rules = rules, .nrules = nrules, .mappings = mappings,
        .out = out, .flush_each = flush_each,
    };
    struct cli_detect *d = cli_detect_new(ft, &dopts);
    if (!d) {
        if (out != stdout)
            fclose(out);
        fieldtab_free(ft);
        rc = EXIT_RUNTIME;
        goto out;
    }
    struct engine *e = cli_detect_engine(d);
    double t1 = now_s();

    struct event ev;
    event_init(&ev, ft);
    uint64_t nevents = 0, bad = 0;
    for (size_t i = 0; i < ntraces; i++) {
        struct ndjson_reader *r = ndjson_open(traces[i], ft);
        if (!r) {
            fprintf(stderr, "vigil replay: %s: %s\n", traces[i], strerror(errno));
            rc = EXIT_RUNTIME;
            continue;
        }
        int k;
        while ((k = ndjson_next(r, &ev)) > 0) {
            nevents++;
            cli_detect_event(d, &ev);
        }
        if (k < 0) {
            fprintf(stderr, "vigil replay: %s: read error after line %llu\n", traces[i],
                    (unsigned long long)ndjson_line(r));
            rc = EXIT_RUNTIME;
        }
        uint64_t b = ndjson_bad_lines(r);
        if (b)
            fprintf(stderr, "vigil replay: %s: %llu bad line%s skipped\n", traces[i],
                    (unsigned long long)b, b == 1 ? "" : "s");
        bad += b;
        ndjson_close(r);
    }
    cli_detect_finish(d);
    double t2 = now_s();
    if (stats) {
        struct engine_stats st;
        engine_get_stats(e, &st);
        double secs = t2 - t1;
        fprintf(stderr,
                "stats: rules %u (entries %u, fallback %u, index keys %u), load %.3f s\n"
                "stats: events %llu (bad lines %llu) in %.3f s, %.0f events/s\n"
                "stats: rule evaluations %llu (%.1f per event), alerts %llu, "
                "duplicate-view matches %llu\n"
                "stats: sequences pending %llu, evicted %llu; sample windows %llu\n",
                st.rules, st.entries, st.fallback, st.atoms, t1 - t0,
                (unsigned long long)nevents, (unsigned long long)bad, secs,
                secs > 0 ? (double)nevents / secs : 0.0, (unsigned long long)st.evaluated,
                nevents ? (double)st.evaluated / (double)nevents : 0.0,
                (unsigned long long)st.alerts, (unsigned long long)st.duplicates,
                (unsigned long long)st.seq_pending, (unsigned long long)st.seq_evicted,
                (unsigned long long)st.sample_windows);
    }
    event_clear(&ev);
    cli_detect_free(d);
    fieldtab_free(ft);
    if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "vigil replay: writing alerts: %s\n", strerror(errno));
        rc = EXIT_RUNTIME;
    }
out:
    free(rules);
    free(traces);
    return rc;
}
