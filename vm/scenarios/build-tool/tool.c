/*
 * tool — a stand-in for a build tool or compiler (make, gcc, cc1...). It takes the name it
 * was run under (basename of argv[0]) and, the way make runs its recipes or gcc runs cc1:
 *  - when /scenario/connect/<name> holds "ADDR PORT", first connects there itself and sends a
 *    line (a compromised compiler phoning home);
 *  - runs the commands listed in /scenario/spawn/<name> one after the other, each as a child it
 *    waits for: one argument per line, commands separated by an empty line. It stops at the
 *    first command that fails and exits with its status.
 * Without those files it does nothing and exits 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int phone_home(const char *name)
{
    char path[256], host[64];
    int port;
    snprintf(path, sizeof path, "/scenario/connect/%s", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = fscanf(f, "%63s %d", host, &port);
    fclose(f);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (n != 2 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "%s: bad %s\n", name, path);
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("connect");
        return 1;
    }
    if (write(fd, "hello\n", 6) != 6)
        perror("write");
    shutdown(fd, SHUT_WR);
    char b[256];
    while (read(fd, b, sizeof b) > 0)
        ;
    close(fd);
    return 0;
}

static int run(char **args)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        execv(args[0], args);
        perror(args[0]);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return 1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char path[256], line[1024];
    char *args[64];
    int n = 0, st = 0;
    alarm(30);
    if (phone_home(name))
        return 1;
    snprintf(path, sizeof path, "/scenario/spawn/%s", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    for (;;) {
        int eof = !fgets(line, sizeof line, f);
        if (!eof)
            line[strcspn(line, "\n")] = 0;
        if (eof || line[0] == 0) { /* end of one command */
            args[n] = NULL;
            if (n > 0)
                st = run(args);
            while (n > 0)
                free(args[--n]);
            if (eof || st != 0)
                break;
            continue;
        }
        if (n < 63)
            args[n++] = strdup(line);
    }
    fclose(f);
    return st;
}
