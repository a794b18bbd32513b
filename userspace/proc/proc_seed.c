/*
 * proc_seed.c — the process table from procfs: seeding at start-up and sweeping for missed
 * exits. Never on the per-event path.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc_int.h"
#include "util/util.h"

#define SEED_ARGV_MAX 32768

/* Read up to cap-1 bytes of a small file into buf (NUL-terminated). Returns bytes or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    return (ssize_t)n;
}

struct stat_line {
    char comm[32];
    uint32_t ppid;
    uint64_t start_ticks;
};

/* /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ..." — comm may hold ") ". */
static bool read_stat(const char *procfs, uint32_t pid, struct stat_line *st)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "%s/%u/stat", procfs, pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return false;
    char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
    if (!lp || !rp || rp < lp)
        return false;
    size_t cn = (size_t)(rp - lp - 1);
    if (cn >= sizeof st->comm)
        cn = sizeof st->comm - 1;
    memcpy(st->comm, lp + 1, cn);
    st->comm[cn] = 0;
    /* fields after the comm, counted from 3 (state) */
    char *save = NULL, *tok = strtok_r(rp + 1, " ", &save);
    for (int field = 3; tok; field++, tok = strtok_r(NULL, " ", &save)) {
        if (field == 4)
            st->ppid = (uint32_t)strtoul(tok, NULL, 10);
        else if (field == 22) {
            st->start_ticks = strtoull(tok, NULL, 10);
            return true;
        }
    }
    return false;
}

static void read_ids(const char *procfs, uint32_t pid, struct proc_exec_info *x)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "%s/%u/status", procfs, pid);
    if (read_small(path, buf, sizeof buf) <= 0)
        return;
    char *u = strstr(buf, "\nUid:"), *g = strstr(buf, "\nGid:");
    if (u) {
        unsigned a = 0, b = 0;
        sscanf(u + 5, "%u %u", &a, &b);
        x->uid = a;
        x->euid = b;
    }
    if (g) {
        unsigned a = 0, b = 0;
        sscanf(g + 5, "%u %u", &a, &b);
        x->gid = a;
        x->egid = b;
    }
}

static const char *base_name(const char *s)
{
    const char *b = strrchr(s, '/');
    return b ? b + 1 : s;
}

static void seed_one(struct proc_table *t, const char *procfs, uint32_t pid,
                     const struct stat_line *st, char *argv, uint64_t now)
{
    char path[64], exe[PATH_MAX], cwd[PATH_MAX];
    struct proc_exec_info x = {0};
    struct proc *p = proc_get(t, pid, st->start_ticks * t->tick_ns, now);

    snprintf(path, sizeof path, "%s/%u/exe", procfs, pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    snprintf(path, sizeof path, "%s/%u/cwd", procfs, pid);
    n = readlink(path, cwd, sizeof cwd - 1);
    cwd[n > 0 ? n : 0] = 0;
    snprintf(path, sizeof path, "%s/%u/cmdline", procfs, pid);
    ssize_t an = read_small(path, argv, SEED_ARGV_MAX);
    x.argv = argv;
    x.argv_len = an > 0 ? (size_t)an : 0;
    x.args_truncated = an >= SEED_ARGV_MAX - 1;
    read_ids(procfs, pid, &x);

    /* comm is cut at 15 bytes: prefer the longer exe or argv[0] basename it is a prefix of */
    x.name = st->comm;
    const char *cands[2] = {exe[0] ? base_name(exe) : NULL, x.argv_len ? base_name(argv) : NULL};
    if (strlen(st->comm) == 15)
        for (int k = 0; k < 2; k++)
            if (cands[k] && str_has_prefix(cands[k], st->comm)) {
                x.name = cands[k];
                break;
            }
    x.executable = exe[0] ? exe : NULL;
    x.cwd = cwd[0] ? cwd : NULL;
    proc_set_exec(t, p, &x);
}

int proc_seed(struct proc_table *t, const char *procfs, uint64_t now)
{
    DIR *d = opendir(procfs);
    if (!d)
        return -1;
    char *argv = xmalloc(SEED_ARGV_MAX);
    uint32_t *pids = NULL, *ppids = NULL;
    size_t npids = 0, cap = 0, cap2 = 0;
    int added = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        uint32_t pid = (uint32_t)strtoul(de->d_name, NULL, 10);
        struct stat_line st = {0};
        if (!read_stat(procfs, pid, &st))
            continue; /* exited meanwhile */
        if (proc_find(t, pid, st.start_ticks * t->tick_ns))
            continue;
        seed_one(t, procfs, pid, &st, argv, now);
        pids = xgrow(pids, &cap, npids + 1, sizeof *pids);
        ppids = xgrow(ppids, &cap2, npids + 1, sizeof *ppids);
        pids[npids] = pid;
        ppids[npids++] = st.ppid;
        added++;
    }
    closedir(d);
    /* parents once every process is in: the newest entry of the ppid is the parent */
    for (size_t i = 0; i < npids; i++) {
        struct proc *p = proc_find(t, pids[i], 0);
        struct proc *pp = ppids[i] ? proc_find(t, ppids[i], 0) : NULL;
        if (!p || p->ppid)
            continue;
        p->version = ++t->versions;
        p->ppid = ppids[i];
        if (pp) {
            p->pstart = pp->start;
            memcpy(p->parent_entity_id, pp->entity_id, sizeof p->parent_entity_id);
            pp->nchildren++;
            p->holds_ref = true;
        }
    }
    free(pids);
    free(ppids);
    free(argv);
    return added;
}

size_t proc_sweep(struct proc_table *t, const char *procfs, uint64_t now)
{
    size_t gone = 0;
    for (uint32_t i = 0; i < t->npool; i++) {
        struct proc *p = &t->pool[i];
        if (!p->used || p->exited)
            continue;
        struct stat_line st = {0};
        if (!read_stat(procfs, p->pid, &st) || st.start_ticks != p->start / t->tick_ns) {
            proc_mark_gone(t, p, now);
            gone++;
        }
    }
    return gone;
}
