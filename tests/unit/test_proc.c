/* Unit tests of the process table (userspace/proc): identity, lineage, pid reuse, exits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/proc.h"
#include "t.h"

static const uint8_t host[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#define TICK (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK))
#define SEC 1000000000ull

static struct proc_exec_info info(const char *name, const char *exe, const char *argv, size_t n)
{
    struct proc_exec_info x = {
        .name = name,
        .executable = exe,
        .cwd = "/tmp",
        .argv = argv,
        .argv_len = n,
        .uid = 1000,
        .gid = 1000,
        .euid = 0,
        .egid = 0,
    };
    return x;
}

TEST(proc_entity_id_vector)
{
    char id[PROC_ENTITY_ID_LEN + 1];
    /* base64(host || be32(1234) || be64(567 ticks)) */
    proc_entity_id(host, 1234, 567 * TICK, id);
    CHECK_STR(id, "AAECAwQFBgcICQoLDA0ODwAABNIAAAAAAAACNw==");
    CHECK_INT(strlen(id), PROC_ENTITY_ID_LEN);
}

TEST(proc_entity_id_stable_within_tick)
{
    char a[PROC_ENTITY_ID_LEN + 1], b[PROC_ENTITY_ID_LEN + 1], c[PROC_ENTITY_ID_LEN + 1],
        d[PROC_ENTITY_ID_LEN + 1];
    proc_entity_id(host, 42, 100 * TICK + 1, a);
    proc_entity_id(host, 42, 100 * TICK + TICK - 1, b); /* same tick: /proc's precision */
    proc_entity_id(host, 42, 101 * TICK, c);            /* next tick: another process */
    proc_entity_id(host, 43, 100 * TICK, d);
    CHECK_STR(a, b);
    CHECK(strcmp(a, c) != 0);
    CHECK(strcmp(a, d) != 0);
    uint8_t other[16];
    memcpy(other, host, 16);
    other[0] = 0xff;
    proc_entity_id(other, 42, 100 * TICK + 1, b);
    CHECK(strcmp(a, b) != 0);
}

TEST(proc_host_id_parse)
{
    uint8_t b[16];
    CHECK(proc_host_id_parse("000102030405060708090a0b0c0d0e0f\n", 33, b));
    CHECK(memcmp(b, host, 16) == 0);
    CHECK(!proc_host_id_parse("0001", 4, b));
    CHECK(!proc_host_id_parse("zz0102030405060708090a0b0c0d0e0f", 32, b));
}

TEST(proc_lineage_fork_exec)
{
    struct proc_table *t = proc_table_new(host, NULL);
    struct proc_exec_info x = info("bash", "/usr/bin/bash", "bash\0-c\0true", 13);
    struct proc *p = proc_exec(t, 100, 10 * TICK, 1, 0, &x, 1);
    char pid_eid[PROC_ENTITY_ID_LEN + 1];
    strcpy(pid_eid, p->entity_id);
    CHECK_INT(p->argc, 3);

    /* fork: the child inherits the parent's image and links to it */
    struct proc *c = proc_fork(t, 100, 10 * TICK, 101, 20 * TICK, 2);
    CHECK_STR(c->parent_entity_id, pid_eid);
    CHECK_STR(c->name, "bash");
    CHECK_INT(c->argc, 3);
    CHECK(strcmp(c->entity_id, pid_eid) != 0);

    /* exec: new image, same identity and parent */
    char ceid[PROC_ENTITY_ID_LEN + 1];
    strcpy(ceid, c->entity_id);
    struct proc_exec_info y = info("true", "/usr/bin/true", "/bin/true", 10);
    c = proc_exec(t, 101, 20 * TICK, 100, 10 * TICK, &y, 3);
    CHECK_STR(c->entity_id, ceid);
    CHECK_STR(c->name, "true");
    CHECK_STR(c->executable, "/usr/bin/true");
    CHECK_INT(c->argc, 1);
    struct proc *pp = proc_parent(t, c);
    CHECK(pp != NULL);
    if (pp)
        CHECK_STR(pp->name, "bash");
    proc_table_free(t);
}

TEST(proc_pid_reuse)
{
    struct proc_table *t = proc_table_new(host, NULL);
    struct proc_exec_info x = info("old", "/bin/old", "old", 4);
    struct proc *p = proc_exec(t, 500, 10 * TICK, 1, 0, &x, 1);
    char old[PROC_ENTITY_ID_LEN + 1];
    strcpy(old, p->entity_id);
    /* the same pid, started later, without an exit seen in between */
    struct proc_exec_info y = info("new", "/bin/new", "new", 4);
    struct proc *q = proc_exec(t, 500, 99 * TICK, 1, 0, &y, 2);
    CHECK(strcmp(q->entity_id, old) != 0);
    CHECK_STR(q->name, "new");
    struct proc *o = proc_find(t, 500, 10 * TICK);
    CHECK(o != NULL);
    if (o) {
        CHECK(o->exited); /* taken as exited unseen */
        CHECK_STR(o->name, "old");
    }
    struct proc *n = proc_find(t, 500, 0); /* newest */
    CHECK(n != NULL);
    if (n)
        CHECK_STR(n->name, "new");
    size_t live, exited;
    proc_counts(t, &live, &exited);
    CHECK_INT(live, 1);
    CHECK_INT(exited, 1);
    proc_table_free(t);
}

TEST(proc_exited_attribution_and_expiry)
{
    struct proc_limits lim = {.linger_ns = 10 * SEC, .max_exited = 100};
    struct proc_table *t = proc_table_new(host, &lim);
    struct proc_exec_info x = info("sh", "/usr/bin/dash", "sh\0-c\0x", 8);
    proc_exec(t, 10, 1 * TICK, 1, 0, &x, 0);
    proc_fork(t, 10, 1 * TICK, 11, 2 * TICK, 0);
    struct proc_exec_info y = info("curl", "/usr/bin/curl", "curl\0x", 7);
    proc_exec(t, 11, 2 * TICK, 10, 1 * TICK, &y, 0);

    /* the parent exits first; the child still names it */
    proc_exit(t, 10, 1 * TICK, 0, 1 * SEC);
    /* a late event of the exited parent is still attributed */
    struct proc *p = proc_get(t, 10, 1 * TICK, 2 * SEC);
    CHECK(p->exited);
    CHECK_STR(p->name, "sh");
    CHECK_STR(p->executable, "/usr/bin/dash");

    /* past the linger time the parent stays while its child lives */
    CHECK_INT(proc_expire(t, 100 * SEC), 0);
    struct proc *c = proc_find(t, 11, 2 * TICK);
    CHECK(c && proc_parent(t, c) != NULL);

    /* the child exits: both go after their linger time, not before */
    proc_exit(t, 11, 2 * TICK, 0, 101 * SEC);
    CHECK_INT(proc_expire(t, 105 * SEC), 1); /* the parent (exited at 1 s) */
    CHECK(proc_find(t, 11, 2 * TICK) != NULL);
    CHECK_INT(proc_expire(t, 112 * SEC), 1);
    CHECK(proc_find(t, 11, 2 * TICK) == NULL);
    size_t live, exited;
    proc_counts(t, &live, &exited);
    CHECK_INT(live, 0);
    CHECK_INT(exited, 0);
    proc_table_free(t);
}

TEST(proc_max_exited_bound)
{
    struct proc_limits lim = {.linger_ns = 1000 * SEC, .max_exited = 10};
    struct proc_table *t = proc_table_new(host, &lim);
    for (uint32_t i = 0; i < 50; i++) {
        struct proc_exec_info x = info("p", "/bin/p", "p", 2);
        proc_exec(t, 1000 + i, (i + 1) * TICK, 1, 0, &x, i);
        proc_exit(t, 1000 + i, (i + 1) * TICK, 0, i);
    }
    CHECK_INT(proc_expire(t, 60), 40);
    size_t exited;
    proc_counts(t, NULL, &exited);
    CHECK_INT(exited, 10);
    CHECK(proc_find(t, 1000, TICK) == NULL);      /* the oldest went */
    CHECK(proc_find(t, 1049, 50 * TICK) != NULL); /* the newest stayed */
    /* slots are reused: many more processes, bounded memory */
    for (uint32_t i = 0; i < 1000; i++) {
        struct proc_exec_info x = info("q", "/bin/q", "q", 2);
        proc_exec(t, 5000 + i, (i + 1) * TICK, 1, 0, &x, 100 + i);
        proc_exit(t, 5000 + i, (i + 1) * TICK, 0, 100 + i);
        proc_expire(t, 100 + i);
    }
    proc_counts(t, NULL, &exited);
    CHECK_INT(exited, 10);
    proc_table_free(t);
}

TEST(proc_title_and_truncated_argv)
{
    struct proc_table *t = proc_table_new(host, NULL);
    /* argv cut in the middle of its last argument */
    struct proc_exec_info x = info("wine64", "/usr/lib/wine/wine64", "wine64\0./MSBu", 13);
    x.args_truncated = true;
    proc_exec(t, 7, TICK, 1, 0, &x, 0);
    proc_set_title(t, 7, TICK, "MSBuild.exe-with-a-name-longer-than-fifteen");
    struct proc *p = proc_find(t, 7, TICK);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->argc, 2);
        CHECK(p->args_truncated);
        CHECK_STR(p->title, "MSBuild.exe-with-a-name-longer-than-fifteen");
    }
    proc_table_free(t);
}

/* a fake procfs with one process and its parent */
static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static void fake_proc(const char *root, unsigned pid, unsigned ppid, unsigned long long start,
                      const char *comm, const char *cmdline, size_t cn, const char *exe)
{
    char d[512], p[600], buf[512];
    snprintf(d, sizeof d, "%s/%u", root, pid);
    mkdir(d, 0755);
    snprintf(p, sizeof p, "%s/stat", d);
    int n = snprintf(buf, sizeof buf,
                     "%u (%s) S %u 1 1 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 100\n",
                     pid, comm, ppid, start);
    write_file(p, buf, (size_t)n);
    snprintf(p, sizeof p, "%s/cmdline", d);
    write_file(p, cmdline, cn);
    snprintf(p, sizeof p, "%s/status", d);
    n = snprintf(buf, sizeof buf, "Name:\t%s\nUid:\t1000\t0\t0\t0\nGid:\t100\t50\t50\t50\n", comm);
    write_file(p, buf, (size_t)n);
    snprintf(p, sizeof p, "%s/exe", d);
    if (symlink(exe, p)) {
    }
    snprintf(p, sizeof p, "%s/cwd", d);
    if (symlink("/srv", p)) {
    }
}

TEST(proc_seed_from_procfs)
{
    char root[] = "/tmp/vigil-procfs.XXXXXX";
    if (!mkdtemp(root))
        SKIP("mkdtemp failed");
    fake_proc(root, 300, 1, 5000, "a) b", "a\0b c\0", 6, "/usr/bin/python3.11");
    /* a 15-byte comm: the longer exe basename wins */
    fake_proc(root, 301, 300, 6000, "very-long-name-", "x\0", 2, "/opt/very-long-name-tool");
    struct proc_table *t = proc_table_new(host, NULL);
    CHECK_INT(proc_seed(t, root, 0), 2);
    struct proc *p = proc_find(t, 300, 5000 * TICK);
    struct proc *c = proc_find(t, 301, 6000 * TICK + 1);
    CHECK(p && c);
    if (p && c) {
        CHECK_STR(p->name, "a) b"); /* a comm with ") " parses */
        CHECK_INT(p->argc, 2);
        CHECK_STR(p->executable, "/usr/bin/python3.11");
        CHECK_STR(p->cwd, "/srv");
        CHECK_INT(p->uid, 1000);
        CHECK_INT(p->euid, 0);
        CHECK_INT(p->gid, 100);
        CHECK_INT(p->egid, 50);
        CHECK_STR(c->name, "very-long-name-tool");
        CHECK_STR(c->parent_entity_id, p->entity_id);
        /* the same process seen live later (ns precision) is the same entry */
        char eid[PROC_ENTITY_ID_LEN + 1];
        proc_entity_id(host, 301, 6000 * TICK + TICK / 2, eid);
        CHECK_STR(c->entity_id, eid);
    }
    /* seeding again adds nothing; sweep finds the one that went away */
    CHECK_INT(proc_seed(t, root, 0), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s/301", root);
    CHECK(system(cmd) == 0);
    CHECK_INT(proc_sweep(t, root, 1), 1);
    c = proc_find(t, 301, 6000 * TICK);
    CHECK(c && c->exited);
    proc_table_free(t);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
}
