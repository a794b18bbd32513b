/*
 * sensor_latency.c — alert latency for the sensor benchmarks (tests/bench/sensor.sh).
 *
 *   vigil run --rules rules/ --ready-file F | sensor_latency -f F -r RATE -t SECS PROG
 *
 * Waits for F (vigil writes its pid there once its probes are attached), then execs PROG as
 * "sh -c : /dev/tcp/vigil-bench-<pid>-<i>" RATE times a second for SECS seconds: PROG is a
 * copy of a trivial program named sh, so the bundled rule for shells given /dev/tcp arguments
 * fires and nothing connects anywhere. Reads vigil's output on stdin meanwhile; for each line
 * that carries the marker, latency = the time the line is read (CLOCK_REALTIME) minus its
 * "@timestamp" (the kernel event's time). Lines with event.kind "alert" are alerts; before
 * the engine is wired into `vigil run`, the exec events themselves are measured instead.
 * After the triggers, a grace period, then SIGINT to vigil (its pid from F), and reads to EOF.
 *
 * Prints BENCH sensor_alert_latency_{p50,p99,max}_ms and sensor_alert_latency_seen (or the
 * same with "event" for events when no alert came).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sensor_clock.h"

#define MAX_SAMPLES 100000


/* "@timestamp":"2026-11-23T02:57:18.123456789Z" -> seconds since the epoch */
static int parse_ts(const char *line, double *out)
{
    const char *p = strstr(line, "\"@timestamp\":\"");
    if (!p)
        return -1;
    p += 14;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char frac[16] = "0";
    if (sscanf(p, "%4d-%2d-%2dT%2d:%2d:%2d.%15[0-9]", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (double)timegm(&tm);
    char f[20] = "0.";
    strncat(f, frac, sizeof f - 3);
    *out += atof(f);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, size_t n, unsigned long sent)
{
    printf("BENCH sensor_%s_latency_seen %zu of_%lu\n", what, n, sent);
    if (!n)
        return;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i99 = n * 99 / 100;
    if (i99 >= n)
        i99 = n - 1;
    printf("BENCH sensor_%s_latency_p50 %.2f ms\n", what, v[n / 2] * 1e3);
    printf("BENCH sensor_%s_latency_p99 %.2f ms\n", what, v[i99] * 1e3);
    printf("BENCH sensor_%s_latency_max %.2f ms\n", what, v[n - 1] * 1e3);
}

static pid_t triggers(const char *prog, double rate, double secs)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    double end = clock_s(CLOCK_MONOTONIC) + secs;
    long period = (long)(1e9 / rate);
    for (unsigned long i = 0; clock_s(CLOCK_MONOTONIC) < end; i++) {
        char arg[64];
        snprintf(arg, sizeof arg, "/dev/tcp/vigil-bench-%d-%lu", (int)getppid(), i);
        char *argv[] = {"sh", "-c", ":", arg, NULL};
        pid_t c = fork();
        if (c == 0) {
            execv(prog, argv);
            _exit(127);
        }
        if (c > 0)
            waitpid(c, NULL, 0);
        next.tv_nsec += period;
        next.tv_sec += next.tv_nsec / 1000000000;
        next.tv_nsec %= 1000000000;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    const char *ready = NULL;
    double rate = 100, secs = 5;
    int c;
    while ((c = getopt(argc, argv, "f:r:t:")) != -1) {
        switch (c) {
        case 'f':
            ready = optarg;
            break;
        case 'r':
            rate = atof(optarg);
            break;
        case 't':
            secs = atof(optarg);
            break;
        default:
            goto usage;
        }
    }
    if (!ready || optind != argc - 1 || rate <= 0 || secs <= 0 || secs > 60)
        goto usage;

    /* vigil's pid, once it is attached (at most 60 s) */
    int vpid = 0;
    for (int i = 0; i < 6000 && vpid <= 0; i++) {
        FILE *f = fopen(ready, "r");
        if (f) {
            if (fscanf(f, "%d", &vpid) != 1)
                vpid = 0;
            fclose(f);
        }
        if (vpid <= 0)
            usleep(10000);
    }
    if (vpid <= 0) {
        fprintf(stderr, "sensor_latency: no pid in %s\n", ready);
        return 2;
    }
    char marker[48];
    snprintf(marker, sizeof marker, "vigil-bench-%d-", (int)getpid());
    unsigned long sent = (unsigned long)(rate * secs);
    pid_t trig = triggers(argv[optind], rate, secs);
    if (trig < 0) {
        perror("sensor_latency: fork");
        return 2;
    }

    static double alert_lat[MAX_SAMPLES], event_lat[MAX_SAMPLES];
    size_t na = 0, ne = 0;
    char *line = NULL;
    size_t cap = 0, used = 0;
    char buf[1 << 16];
    double stop_at = 0, give_up = clock_s(CLOCK_MONOTONIC) + secs + 30;
    bool signalled = false;
    for (;;) {
        double t = clock_s(CLOCK_MONOTONIC);
        if (!stop_at && trig > 0 && waitpid(trig, NULL, WNOHANG) == trig) {
            trig = 0;
            stop_at = t + 1.0; /* grace for the last alerts */
        }
        if (stop_at && t >= stop_at && !signalled) {
            kill(vpid, SIGINT);
            signalled = true;
        }
        if (t > give_up)
            break;
        struct pollfd p = {.fd = 0, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        ssize_t r = read(0, buf, sizeof buf);
        if (r <= 0)
            break;
        double got = clock_s(CLOCK_REALTIME);
        for (ssize_t i = 0; i < r; i++) {
            if (used + 1 >= cap) {
                cap = cap ? cap * 2 : 1 << 16;
                line = realloc(line, cap);
                if (!line)
                    return 2;
            }
            if (buf[i] != '\n') {
                line[used++] = buf[i];
                continue;
            }
            line[used] = 0;
            used = 0;
            double ts;
            if (!strstr(line, marker) || parse_ts(line, &ts) < 0)
                continue;
            if (strstr(line, "\"kind\":\"alert\"")) {
                if (na < MAX_SAMPLES)
                    alert_lat[na++] = got - ts;
            } else if (strstr(line, "\"action\":\"exec\"")) {
                if (ne < MAX_SAMPLES)
                    event_lat[ne++] = got - ts;
            }
        }
    }
    if (!signalled)
        kill(vpid, SIGINT);
    if (trig > 0) {
        kill(trig, SIGKILL);
        waitpid(trig, NULL, 0);
    }
    if (na || !ne)
        report("alert", alert_lat, na, sent);
    report("event", event_lat, ne, sent);
    free(line);
    return 0;
usage:
    fprintf(stderr, "usage: sensor_latency -f READY_FILE [-r RATE] [-t SECS] PROG\n");
    return 2;
}
