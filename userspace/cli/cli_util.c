/* cli_util.c — helpers shared by the subcommands (see cli_int.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_int.h"

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $env, else <dir of the binary>/../<name>, <bin>/../share/vigil/<name>, /usr/share/vigil/<name> */
static const char *bundled(const char *env_name, const char *name, char *buf, size_t n)
{
    const char *env = getenv(env_name);
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return buf;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            static const char *const rel[] = {"/../", "/../share/vigil/"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(buf, n, "%s%s%s", exe, rel[i], name);
                if (is_dir(buf))
                    return buf;
            }
        }
    }
    snprintf(buf, n, "/usr/share/vigil/%s", name);
    return is_dir(buf) ? buf : NULL;
}

const char *cli_bundled_rules(char *buf, size_t n)
{
    return bundled("VIGIL_RULES", "rules", buf, n);
}

const char *cli_bundled_mappings(char *buf, size_t n)
{
    return bundled("VIGIL_MAPPINGS", "mappings", buf, n);
}
