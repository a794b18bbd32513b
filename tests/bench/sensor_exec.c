/*
 * sensor_exec.c — exec driver for the sensor benchmarks (tests/bench/sensor.sh).
 *
 *   sensor_exec [-n N] [-j J] PROG [ARG...]
 *       N fork+exec+wait of PROG by J workers, as fast as they go
 *   sensor_exec -r RATE -t SECS [-j J] PROG [ARG...]
 *       RATE execs/s in total for SECS seconds
 *
 * Prints one line: "execs E fails F wall SECONDS rate EXECS_PER_S cpu SECONDS". E counts the
 * children that exited 0 (so every counted one really exec'd PROG), F the others. Exit status 0
 * when F == 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sensor_clock.h"

struct counts {
    uint64_t ok, fail;
    char pad[48]; /* one cache line per worker */
};


static void one_exec(char **argv, struct counts *c)
{
    pid_t pid = fork();
    if (pid < 0) {
        c->fail++;
        return;
    }
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        c->ok++;
    else
        c->fail++;
}

static void add_ns(struct timespec *t, uint64_t ns)
{
    t->tv_nsec += (long)(ns % 1000000000ull);
    t->tv_sec += (time_t)(ns / 1000000000ull) + t->tv_nsec / 1000000000;
    t->tv_nsec %= 1000000000;
}

static void worker(char **argv, struct counts *c, uint64_t n, double rate, double secs)
{
    if (rate <= 0) {
        for (uint64_t i = 0; i < n; i++)
            one_exec(argv, c);
        return;
    }
    /* paced: absolute deadlines, so a late exec does not slow the schedule down */
    uint64_t period = (uint64_t)(1e9 / rate);
    struct timespec next, end;
    clock_gettime(CLOCK_MONOTONIC, &next);
    end = next;
    add_ns(&end, (uint64_t)(secs * 1e9));
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
            break;
        one_exec(argv, c);
        add_ns(&next, period);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}

int main(int argc, char **argv)
{
    uint64_t n = 1000;
    int jobs = 1, c;
    double rate = 0, secs = 0;
    while ((c = getopt(argc, argv, "+n:j:r:t:")) != -1) {
        switch (c) {
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 'j':
            jobs = atoi(optarg);
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
    if (optind >= argc || jobs < 1 || jobs > 256 || (rate > 0) != (secs > 0) || secs > 600)
        goto usage;
    char **cmd = argv + optind;
    struct counts *cs = mmap(NULL, sizeof *cs * (size_t)jobs, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (cs == MAP_FAILED) {
        perror("sensor_exec: mmap");
        return 2;
    }
    memset(cs, 0, sizeof *cs * (size_t)jobs);
    double t0 = now_s();
    pid_t pids[256];
    for (int j = 0; j < jobs; j++) {
        pids[j] = fork();
        if (pids[j] < 0) {
            perror("sensor_exec: fork");
            return 2;
        }
        if (pids[j] == 0) {
            uint64_t share = n / (uint64_t)jobs + ((uint64_t)j < n % (uint64_t)jobs);
            worker(cmd, &cs[j], share, rate / jobs, secs);
            _exit(0);
        }
    }
    for (int j = 0; j < jobs; j++)
        waitpid(pids[j], NULL, 0);
    double wall = now_s() - t0;
    uint64_t ok = 0, fail = 0;
    for (int j = 0; j < jobs; j++) {
        ok += cs[j].ok;
        fail += cs[j].fail;
    }
    printf("execs %llu fails %llu wall %.6f rate %.1f cpu %.6f\n", (unsigned long long)ok,
           (unsigned long long)fail, wall, wall > 0 ? (double)ok / wall : 0.0, cpu_s());
    return fail ? 1 : 0;
usage:
    fprintf(stderr, "usage: sensor_exec [-n N] [-j J] [-r RATE -t SECS] PROG [ARG...]\n");
    return 2;
}
