/*
 * bench_engine.c — the rule engine's benchmark: every compiled rule of a rule tree (the
 * Elastic corpus) over a generated trace (tests/bench/gen.c), single thread.
 *
 *   bench_engine --rules PATH... --trace FILE [--chunk N] [--brute N] [--dump N] [--profile]
 *                [--passes N] [--inmem-only]
 *
 * Phases, each printing "BENCH <name> <value> <unit>" lines:
 *   in memory   the trace is parsed in chunks of --chunk events (untimed) and each chunk is
 *               run through the engine (timed): events/s with events already parsed. --passes
 *               (3) passes, each with a fresh engine: the median rate is the result (this
 *               shared machine moves single runs by +-10%), the others are printed beside it
 *               and every pass must raise the same alerts
 *   reader      the NDJSON reader alone over the whole trace (the end-to-end ceiling)
 *   end to end  reader + engine from the NDJSON file
 *   brute force the first --brute events in memory with the index off (every rule on every
 *               event): the baseline the index is measured against; its alerts must equal the
 *               indexed run's over the same events
 * Rates use the thread's CPU time (the machine is shared; wall time is printed beside it).
 * engine_peak_rss is getrusage's ru_maxrss after the first in-memory pass (one engine over the
 * whole trace); engine_peak_rss_process the process's peak over all passes and phases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/engine.h"

struct clock2 {
    double cpu, wall;
};

static struct clock2 now2(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (struct clock2){a.tv_sec + a.tv_nsec / 1e9, b.tv_sec + b.tv_nsec / 1e9};
}

static void acc(struct clock2 *sum, struct clock2 t0, struct clock2 t1)
{
    sum->cpu += t1.cpu - t0.cpu;
    sum->wall += t1.wall - t0.wall;
}

static double rss_mb(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * 4096.0 / (1024 * 1024);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorts a copy). */
static double median(const double *v, size_t n)
{
    double t[16];
    memcpy(t, v, n * sizeof *t);
    qsort(t, n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void bench(const char *name, double v, const char *unit)
{
    printf("BENCH %s %.*f %s\n", name, v >= 100 ? 0 : 2, v, unit);
    fflush(stdout);
}

static bool profile;
static size_t passes = 3;
static bool inmem_only; /* --inmem-only: skip the reader and end-to-end phases (profiling) */

/* Rule paths: --rules may be repeated (say rules/<dir> for each live directory). */
static const char *rule_paths[64];
static int nrule_paths;

static struct engine *load(struct fieldtab *ft, bool brute, struct engine_load_counts *lc)
{
    struct engine_config cfg = {.brute_force = brute, .profile = profile};
    struct engine *e = engine_new(ft, &cfg);
    char err[512];
    memset(lc, 0, sizeof *lc);
    for (int i = 0; i < nrule_paths; i++)
        if (engine_load_path(e, rule_paths[i], NULL, NULL, lc, err, sizeof err) < 0) {
            fprintf(stderr, "bench_engine: %s\n", err);
            exit(1);
        }
    return e;
}

/* Read up to max events into clones; returns how many. */
static size_t read_chunk(struct ndjson_reader *r, struct event *scratch, struct event **out,
                         size_t max)
{
    size_t n = 0;
    while (n < max && ndjson_next(r, scratch) > 0)
        out[n++] = event_clone(scratch);
    return n;
}

int main(int argc, char **argv)
{
    const char *trace = NULL;
    size_t chunk = 4096, brute = 30000, dump = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rules") && i + 1 < argc && nrule_paths < 64)
            rule_paths[nrule_paths++] = argv[++i];
        else if (!strcmp(argv[i], "--trace") && i + 1 < argc)
            trace = argv[++i];
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            chunk = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--brute") && i + 1 < argc)
            brute = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--profile"))
            profile = true;
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
            passes = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--inmem-only"))
            inmem_only = true;
        else {
            fprintf(stderr, "usage: bench_engine --rules PATH --trace FILE [--chunk N] "
                            "[--brute N] [--dump N]\n");
            return 2;
        }
    }
    if (!nrule_paths || !trace || !chunk || !passes || passes > 15) {
        fprintf(stderr, "bench_engine: --rules and --trace are required\n");
        return 2;
    }

    struct fieldtab *ft = fieldtab_new();
    struct engine_load_counts lc;
    struct clock2 t0 = now2();
    struct engine *e = load(ft, false, &lc);
    struct clock2 t1 = now2();
    bench("engine_rules_loaded", lc.ok, "rules");
    bench("engine_rules_unsupported", lc.unsupported, "rules");
    bench("engine_rules_error", lc.errors, "rules");
    bench("engine_load_time", t1.cpu - t0.cpu, "s");
    bench("engine_rss_after_load", rss_mb(), "MB");

    /* ---- in memory: `passes` passes, a fresh engine each (the first is the one loaded) ---- */
    struct event scratch;
    event_init(&scratch, ft);
    struct event **evs = xcalloc(chunk, sizeof *evs);
    double rates[16], wall_rates[16];
    size_t total = 0, first_alerts = 0;
    uint64_t alerts0 = 0;
    double peak1 = 0; /* peak RSS once the first pass is done: one engine over the trace */
    bool same = true;
    struct engine_stats st;
    for (size_t pass = 0; pass < passes; pass++) {
        if (pass)
            e = load(ft, false, &lc);
        struct ndjson_reader *r = ndjson_open(trace, ft);
        if (!r) {
            perror(trace);
            return 1;
        }
        struct clock2 run = {0};
        size_t n, done = 0, upto_brute = 0;
        bool brute_seen = false;
        while ((n = read_chunk(r, &scratch, evs, chunk)) > 0) {
            struct clock2 a = now2();
            for (size_t i = 0; i < n; i++) {
                engine_process_linux(e, evs[i]);
                if (done + i + 1 == brute) { /* the brute-force phase's reference */
                    engine_get_stats(e, &st);
                    upto_brute = st.alerts;
                    brute_seen = true;
                }
            }
            acc(&run, a, now2());
            for (size_t i = 0; i < n; i++)
                event_free(evs[i]);
            done += n;
        }
        ndjson_close(r);
        engine_finish(e);
        engine_get_stats(e, &st);
        rates[pass] = done / run.cpu;
        wall_rates[pass] = done / run.wall;
        if (pass == 0) {
            total = done;
            first_alerts = brute_seen ? upto_brute : st.alerts;
            bench("engine_events", (double)total, "events");
            bench("engine_rss_after_inmem", rss_mb(), "MB");
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            peak1 = ru.ru_maxrss / 1024.0;
            bench("engine_alerts", (double)st.alerts, "alerts");
            bench("engine_evals_per_event", (double)st.evaluated / (double)(total ? total : 1),
                  "rules/event");
            bench("engine_index_entries", st.entries, "entries");
            bench("engine_index_fallback", st.fallback, "entries");
            bench("engine_seq_pending", (double)st.seq_pending, "sequences");
            bench("engine_seq_evicted", (double)st.seq_evicted, "sequences");
            bench("engine_sample_windows", (double)st.sample_windows, "windows");
            if (dump) {
                struct buf b = {0};
                engine_dump_rules(e, &b, dump);
                fputs(b.p ? b.p : "", stderr);
                buf_clear(&b);
            }
            alerts0 = st.alerts;
        } else if (st.alerts != alerts0) {
            fprintf(stderr, "bench_engine: pass %zu raised %llu alerts, pass 1 %llu\n", pass + 1,
                    (unsigned long long)st.alerts, (unsigned long long)alerts0);
            same = false;
        }
        char name[64];
        snprintf(name, sizeof name, "engine_inmem_pass%zu_events_per_s", pass + 1);
        bench(name, rates[pass], "events/s");
        engine_free(e);
        e = NULL;
    }
    bench("engine_alerts_same_every_pass", same, "bool");
    double inmem_rate = median(rates, passes);
    bench("engine_inmem_events_per_s", inmem_rate, "events/s");
    bench("engine_inmem_wall_events_per_s", median(wall_rates, passes), "events/s");
    bench("engine_peak_rss", peak1, "MB");
    if (inmem_only) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        bench("engine_peak_rss_process", ru.ru_maxrss / 1024.0, "MB");
        event_clear(&scratch);
        free(evs);
        fieldtab_free(ft);
        return 0;
    }

    /* ---- the reader alone ---- */
    struct ndjson_reader *r = ndjson_open(trace, ft);
    struct clock2 a = now2();
    size_t nr = 0;
    while (ndjson_next(r, &scratch) > 0)
        nr++;
    struct clock2 b = now2();
    ndjson_close(r);
    bench("reader_events_per_s", nr / (b.cpu - a.cpu), "events/s");

    /* ---- end to end ---- */
    e = load(ft, false, &lc);
    r = ndjson_open(trace, ft);
    a = now2();
    nr = 0;
    while (ndjson_next(r, &scratch) > 0) {
        engine_process_linux(e, &scratch);
        nr++;
    }
    engine_finish(e);
    b = now2();
    ndjson_close(r);
    bench("engine_e2e_events_per_s", nr / (b.cpu - a.cpu), "events/s");
    bench("engine_e2e_wall_events_per_s", nr / (b.wall - a.wall), "events/s");
    engine_free(e);

    /* the process's peak over every engine above, reloads included (the brute-force phase
     * below holds its events in memory) */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    bench("engine_peak_rss_process", ru.ru_maxrss / 1024.0, "MB");

    /* ---- brute force over the first `brute` events, and the indexed run's same events ---- */
    if (brute) {
        struct event **bev = xcalloc(brute, sizeof *bev);
        r = ndjson_open(trace, ft);
        size_t nb = read_chunk(r, &scratch, bev, brute);
        ndjson_close(r);
        e = load(ft, true, &lc);
        a = now2();
        for (size_t i = 0; i < nb; i++)
            engine_process_linux(e, bev[i]);
        b = now2();
        engine_get_stats(e, &st);
        double brute_rate = nb / (b.cpu - a.cpu);
        bench("engine_bruteforce_events_per_s", brute_rate, "events/s");
        bench("engine_bruteforce_alerts", (double)st.alerts, "alerts");
        bench("engine_indexed_alerts_same_events", (double)first_alerts, "alerts");
        bench("engine_index_speedup", inmem_rate / brute_rate, "x");
        if (st.alerts != first_alerts)
            fprintf(stderr, "bench_engine: brute force raised %llu alerts, the index %zu\n",
                    (unsigned long long)st.alerts, first_alerts);
        engine_free(e);
        for (size_t i = 0; i < nb; i++)
            event_free(bev[i]);
        free(bev);
    }

    event_clear(&scratch);
    free(evs);
    fieldtab_free(ft);
    return 0;
}
