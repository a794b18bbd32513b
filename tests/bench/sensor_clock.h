/* sensor_clock.h — the clocks the sensor benchmark drivers read (header-only, static). */
#ifndef SENSOR_CLOCK_H
#define SENSOR_CLOCK_H
#include <sys/resource.h>
#include <time.h>

/* CPU seconds (user + system) of this process and its waited-for descendants: what the
 * workload cost, BPF programs included (they run in its context), whatever else the machine
 * does meanwhile. */
static inline double cpu_s(void)
{
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    getrusage(RUSAGE_CHILDREN, &b);
    return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec + b.ru_stime.tv_sec) +
           (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
                    b.ru_stime.tv_usec) /
               1e6;
}

/* Seconds on clock c (CLOCK_MONOTONIC for durations, CLOCK_REALTIME against @timestamp). */
static inline double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}
#endif
