/*
 * bench_view.c — cost of the Windows view per event (userspace/view/): an ordinary Linux event
 * (no view: the fast way out) and a Wine network event (a full Windows view, ~35 fields).
 * Prints "BENCH <name> <value> <unit>". Usage: bench_view [MAPPINGS_DIR] (default mappings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view/view.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const cases[][2] = {
    {"view_linux_only",
     "{\"@timestamp\":\"2026-01-01T00:00:01Z\",\"event\":{\"category\":[\"process\"],\"type\":"
     "[\"start\"],\"action\":\"exec\"},\"host\":{\"os\":{\"type\":\"linux\",\"name\":\"Linux\"},"
     "\"name\":\"h\",\"id\":\"abc\"},\"user\":{\"id\":\"0\",\"name\":\"root\"},\"process\":{"
     "\"entity_id\":\"E9\",\"pid\":9,\"name\":\"gcc\",\"executable\":\"/usr/bin/gcc-12\","
     "\"working_directory\":\"/src\",\"args\":[\"gcc\",\"-c\",\"a.c\",\"-o\",\"a.o\"],"
     "\"parent\":{\"name\":\"make\",\"args\":[\"make\"],\"pid\":3}}}"},
    {"view_wine_network",
     "{\"@timestamp\":\"2026-01-01T00:00:01Z\",\"event\":{\"category\":[\"network\"],\"type\":"
     "[\"start\"],\"action\":\"connection_attempted\"},\"host\":{\"os\":{\"type\":\"linux\","
     "\"name\":\"Linux\"},\"name\":\"h\",\"id\":\"abc\"},\"user\":{\"id\":\"0\",\"name\":\"root\"},"
     "\"process\":{\"entity_id\":\"E9\",\"pid\":9,\"name\":\"wine64\",\"title\":\"MSBuild.exe\","
     "\"executable\":\"/usr/lib/wine/wine64\",\"working_directory\":\"/tmp/w\",\"args\":["
     "\"/usr/lib/wine/wine64\",\"./MSBuild.exe\",\"203.0.113.7\",\"80\"],\"env_vars\":["
     "\"WINEPREFIX=/tmp/w/pfx\",\"HOME=/root\",\"WINELOADERNOEXEC=1\"],\"parent\":{\"name\":"
     "\"bash\",\"args\":[\"bash\"],\"pid\":3}},\"destination\":{\"ip\":\"203.0.113.7\","
     "\"port\":80},\"network\":{\"direction\":\"egress\",\"transport\":\"tcp\"}}"},
};

int main(int argc, char **argv)
{
    char err[512];
    struct view_maps *m = view_maps_load(argc > 1 ? argv[1] : "mappings", err, sizeof err);
    if (!m) {
        fprintf(stderr, "bench_view: %s\n", err);
        return 1;
    }
    struct fieldtab *ft = fieldtab_new();
    struct event in, out;
    event_init(&in, ft);
    event_init(&out, ft);
    const int n = 1000000;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (event_from_json(&in, cases[k][1], strlen(cases[k][1]), err, sizeof err) < 0) {
            fprintf(stderr, "bench_view: %s\n", err);
            return 1;
        }
        int views = 0;
        double t = now();
        for (int i = 0; i < n; i++)
            views += view_windows(m, &in, &out);
        t = now() - t;
        printf("BENCH %s %.0f ns/event\n", cases[k][0], t / n * 1e9);
        if (views != (k ? n : 0)) {
            fprintf(stderr, "bench_view: %s: %d views\n", cases[k][0], views);
            return 1;
        }
    }
    event_clear(&in);
    event_clear(&out);
    fieldtab_free(ft);
    view_maps_free(m);
    return 0;
}
