/*
 * cmd_replay.c — `vigil replay [--rules PATH]... [-o FILE] [--stats] TRACE...`: run rules over
 * recorded NDJSON traces and write alerts as NDJSON (see out/alert.h).
 *
 * The traces are read one after the other as one stream (as `cat` would join them), so
 * their events should be in @timestamp order. A bad trace line is reported on stderr
 * ("file:line: reason") and skipped. Rules that fail to load are reported and skipped; the
 * counts of loaded, unsupported and failed rules go to stderr. Each event is evaluated as its
 * Linux view and, when userspace/view/ gives it one (Wine, Mono, aliased tools; mappings from
 * --mappings DIR or the bundled mappings/), its Windows view.
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
#include "out/alert.h"
#include "view/view.h"

struct replay {
    FILE *out;
    struct buf line;
    bool flush_each; /* streaming from stdin: do not sit on alerts */
    uint32_t load_errors;
};

static void on_alert(void *ud, const struct engine_alert *a)
{
    struct replay *rp = ud;
    struct alert al = {
        .rule = a->rule, .view = engine_view_name(a->view), .sequence = a->kind != IRQ_EVENT,
        .events = a->events, .n = a->n,
    };
    buf_reset(&rp->line);
    alert_write_json(&rp->line, &al);
    fwrite(rp->line.p, 1, rp->line.len, rp->out);
    if (rp->flush_each)
        fflush(rp->out);
}

static void on_rule(void *ud, const char *path, const struct rule *r,
                    const struct engine_rule_status *st)
{
    (void)path;
    (void)r;
    if (st->status == ENGINE_RULE_ERROR)
        fprintf(stderr, "%s\n", st->reason);
}

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
    char bundled[4096];
    if (!nrules) {
        if (!cli_bundled_rules(bundled, sizeof bundled)) {
            fprintf(stderr, "vigil replay: no bundled rules found (set VIGIL_RULES or use "
                            "--rules PATH)\n");
            rc = EXIT_RUNTIME;
            goto out;
        }
        rules[nrules++] = bundled;
    }

    struct replay rp = {.out = stdout};
    for (size_t i = 0; i < ntraces; i++)
        if (!strcmp(traces[i], "-"))
            rp.flush_each = true;
    if (outpath) {
        rp.out = fopen(outpath, "w");
        if (!rp.out) {
            fprintf(stderr, "vigil replay: %s: %s\n", outpath, strerror(errno));
            rc = EXIT_RUNTIME;
            goto out;
        }
    }

    double t0 = now_s();
    struct fieldtab *ft = fieldtab_new();
    struct engine_config cfg = {.on_alert = on_alert, .ud = &rp};
    struct engine *e = engine_new(ft, &cfg);
    struct engine_load_counts lc = {0};
    for (size_t i = 0; i < nrules; i++) {
        char err[512];
        if (engine_load_path(e, rules[i], on_rule, &rp, &lc, err, sizeof err) < 0) {
            fprintf(stderr, "vigil replay: %s\n", err);
            rc = EXIT_RUNTIME;
        }
    }
    fprintf(stderr, "vigil replay: %u rules loaded, %u unsupported, %u with errors%s\n", lc.ok,
            lc.unsupported, lc.errors,
            lc.unsupported || lc.errors ? " (details: vigil rules check)" : "");
    if (!lc.ok)
        fprintf(stderr, "vigil replay: warning: no rules to run\n");
    double t1 = now_s();

    char mdir[4096], merr[512];
    struct view_maps *maps = NULL;
    if (!mappings)
        mappings = cli_bundled_mappings(mdir, sizeof mdir);
    if (mappings && !(maps = view_maps_load(mappings, merr, sizeof merr)))
        fprintf(stderr, "vigil replay: %s (Windows views off)\n", merr);
    else if (!mappings)
        fprintf(stderr, "vigil replay: no mappings found (Windows views off)\n");

    struct event ev, wev;
    event_init(&ev, ft);
    event_init(&wev, ft);
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
            const struct event *views[ENGINE_VIEW_COUNT] = {0};
            views[ENGINE_VIEW_LINUX] = &ev;
            if (maps && view_windows(maps, &ev, &wev) == 1) {
                wev.ts = ev.ts;
                wev.seq = ev.seq;
                views[ENGINE_VIEW_WINDOWS] = &wev;
            }
            engine_process(e, views);
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
    engine_finish(e);
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
    event_clear(&wev);
    view_maps_free(maps);
    engine_free(e);
    fieldtab_free(ft);
    buf_clear(&rp.line);
    if (fflush(rp.out) != 0 || (rp.out != stdout && fclose(rp.out) != 0)) {
        fprintf(stderr, "vigil replay: writing alerts: %s\n", strerror(errno));
        rc = EXIT_RUNTIME;
    }
out:
    free(rules);
    free(traces);
    return rc;
}
