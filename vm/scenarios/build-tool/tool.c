/*
 * tool — a stand-in for a build tool or compiler (make, gcc, cc1...). It takes the name it
 * was run under (basename of argv[0]), runs the command listed in /scenario/spawn/<name> (one
 * argument per line) as a child, waits for it and exits with its status, the way make runs a
 * recipe or gcc runs cc1. Without a spawn file it does nothing and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char path[256], line[1024];
    char *args[64];
    int n = 0;
    snprintf(path, sizeof path, "/scenario/spawn/%s", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (n < 63 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        args[n++] = strdup(line);
    }
    fclose(f);
    args[n] = NULL;
    if (n == 0)
        return 0;
    alarm(30);
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
