/*
 * sensor_connect.c — connect driver for the sensor benchmarks (tests/bench/sensor.sh).
 *
 *   sensor_connect [-n N]
 *
 * N times: a TCP socket, connect() to a closed port on 127.0.0.1 (a socket bound there and
 * never listening, so nobody else can take the port: every connect is refused), close.
 * Prints "connects N refused R wall SECONDS rate PER_S cpu SECONDS". Loopback only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sensor_clock.h"


int main(int argc, char **argv)
{
    uint64_t n = 10000;
    int c;
    while ((c = getopt(argc, argv, "n:")) != -1) {
        if (c != 'n') {
            fprintf(stderr, "usage: sensor_connect [-n N]\n");
            return 2;
        }
        n = strtoull(optarg, NULL, 10);
    }
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int hold = socket(AF_INET, SOCK_STREAM, 0);
    if (hold < 0 || bind(hold, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(hold, (struct sockaddr *)&a, &al) < 0) {
        perror("sensor_connect: bind 127.0.0.1");
        return 2;
    }
    uint64_t done = 0, refused = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            perror("sensor_connect: socket");
            return 2;
        }
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == ECONNREFUSED)
            refused++;
        close(fd);
        done++;
    }
    double wall = now_s() - t0;
    close(hold);
    printf("connects %llu refused %llu wall %.6f rate %.1f cpu %.6f\n", (unsigned long long)done,
           (unsigned long long)refused, wall, wall > 0 ? (double)done / wall : 0.0, cpu_s());
    return refused == done ? 0 : 1;
}
