/* The runner behind t.h: every test in a forked child, so a crash fails one test only. */
#include "t.h"
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_MAX 2048
#define EXIT_SKIP 77

static struct {
    const char *name;
    t_fn fn;
} tests[T_MAX];
static int ntests;
static int failed_checks;

void t_register(const char *name, t_fn fn)
{
    if (ntests == T_MAX) {
        fprintf(stderr, "t: more than %d tests\n", T_MAX);
        abort();
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    failed_checks++;
}

void t_skip(const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "    skip: ");
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    exit(EXIT_SKIP);
}

const char *t_srcdir(void)
{
    const char *d = getenv("VIGIL_SRCDIR");
    return d ? d : ".";
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i]))
            return 1;
    return 0;
}

static int cmp_test(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    int passed = 0, nfailed = 0, skipped = 0;

    qsort(tests, ntests, sizeof tests[0], cmp_test);
    for (int i = 0; i < ntests; i++) {
        if (!selected(tests[i].name, argc, argv))
            continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            tests[i].fn();
            fflush(stdout);
            _exit(failed_checks ? 1 : 0);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0) {
            perror("waitpid");
            return 2;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            printf("PASS %s\n", tests[i].name);
            passed++;
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SKIP) {
            printf("SKIP %s\n", tests[i].name);
            skipped++;
        } else {
            if (WIFSIGNALED(st))
                printf("    killed by signal %d\n", WTERMSIG(st));
            printf("FAIL %s\n", tests[i].name);
            nfailed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, nfailed, skipped);
    return nfailed ? 1 : 0;
}
