/*
 * cmd_live.c — the live commands: `vigil record` (events to an NDJSON trace, optionally of one
 * command's process tree) and `vigil run` (the live loop: events through the views and the rule
 * engine, alerts out). Every event goes through on_event(), the one place they are routed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "event/event.h"
#include "sensor/sensor.h"
#include "util/util.h"

/* CLI state: the signal flag and the output (the only globals, as conventions allow). */
static volatile sig_atomic_t stop_signal;
static struct {
    FILE *f;
    const char *path;
    struct buf line;
    uint64_t written;
    struct cli_detect *detect; /* run: the rules; record: NULL */
} out;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Where every live event goes: the rules (run) or one NDJSON line to the output (record). */
static void on_event(struct event *ev)
{
    if (out.detect) {
        cli_detect_event(out.detect, ev);
        return;
    }
    buf_reset(&out.line);
    event_write_json(ev, &out.line);
    buf_putc(&out.line, '\n');
    fwrite(out.line.p, 1, out.line.len, out.f);
    out.written++;
}

static void sensor_cb(struct event *ev, void *arg)
{
    (void)arg;
    on_event(ev);
}

struct live_opts {
    const char *output, *ready_file, *mappings;
    const char **rules;
    size_t nrules, rules_cap;
    bool verbose, ignore_loopback;
    uint32_t argv_max, ringbuf_mb;
    char **cmd; /* NULL-terminated, or NULL */
};

static void usage_record(FILE *f)
{
    fprintf(f,
            "usage: vigil record [-o FILE] [--ready-file F] [-v] [-- CMD ARGS...]\n\n"
            "Record process execs, forks, exits and network connects as ECS NDJSON (root).\n"
            "With a command: start it, record only its process tree, stop when it exits and\n"
            "exit with its status (a first SIGINT/SIGTERM is passed on to it, a second one\n"
            "stops recording). Without: record everything until SIGINT/SIGTERM. Drop\n"
            "counters per record kind go to stderr at the end.\n\n"
            "  -o, --output FILE     write events to FILE (default: stdout, shared with the\n"
            "                        command's own output)\n"
            "      --ready-file F    create F once the probes are attached\n"
            "      --argv-max N      argv bytes kept per exec (default %d, at most %d)\n"
            "      --ringbuf-mb N    ring buffer size in MiB, a power of two (default 16)\n"
            "      --ignore-loopback drop connects to 127.0.0.0/8 and ::1 in the kernel\n"
            "  -v, --verbose         libbpf and verifier messages on stderr\n"
            "  -h, --help            this help\n",
            VIGIL_ARGV_DEFAULT, VIGIL_ARGV_CAP);
}

static void usage_run(FILE *f)
{
    fprintf(f,
            "usage: vigil run [--rules PATH]... [--mappings DIR] [-o FILE] [--ready-file F] [-v]\n\n"
            "The live sensor with detection rules (root): every exec, fork, exit and connect\n"
            "on the machine goes through the rules, in its Linux view and, for Windows tools\n"
            "on Linux, its Windows view; each alert is one NDJSON line on stdout. Stops on\n"
            "SIGINT/SIGTERM.\n\n"
            "      --rules PATH      rule file or directory (repeatable; default: the bundled\n"
            "                        rules)\n"
            "      --mappings DIR    Windows view mappings (default: the bundled mappings/)\n"
            "  -o, --output FILE     write alerts to FILE (default: stdout)\n"
            "      --ready-file F    create F once the probes are attached\n"
            "      --argv-max N      argv bytes kept per exec (default %d, at most %d)\n"
            "      --ringbuf-mb N    ring buffer size in MiB, a power of two (default 16)\n"
            "      --ignore-loopback drop connects to 127.0.0.0/8 and ::1 in the kernel\n"
            "  -v, --verbose         libbpf and verifier messages on stderr\n"
            "  -h, --help            this help\n",
            VIGIL_ARGV_DEFAULT, VIGIL_ARGV_CAP);
}

enum { OPT_READY = 256, OPT_RULES, OPT_MAPPINGS, OPT_ARGV_MAX, OPT_RINGBUF, OPT_NO_LOOPBACK };

static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || end == s || *end || x > UINT32_MAX)
        return false;
    *v = (uint32_t)x;
    return true;
}

/* Parse the options of record (is_record) or run. Returns -1 to go on, else an exit status. */
static int parse_opts(int argc, char **argv, bool is_record, struct live_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"ready-file", required_argument, NULL, OPT_READY},
        {"rules", required_argument, NULL, OPT_RULES},
        {"mappings", required_argument, NULL, OPT_MAPPINGS},
        {"argv-max", required_argument, NULL, OPT_ARGV_MAX},
        {"ringbuf-mb", required_argument, NULL, OPT_RINGBUF},
        {"ignore-loopback", no_argument, NULL, OPT_NO_LOOPBACK},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    void (*usage)(FILE *) = is_record ? usage_record : usage_run;
    const char *name = argv[0];
    int c;
    optind = 0; /* full reset: this may not be the first getopt use in the process */
    while ((c = getopt_long(argc, argv, "+o:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_READY:
            o->ready_file = optarg;
            break;
        case OPT_RULES:
            if (is_record)
                goto bad;
            o->rules = xgrow(o->rules, &o->rules_cap, o->nrules + 1, sizeof *o->rules);
            o->rules[o->nrules++] = optarg;
            break;
        case OPT_MAPPINGS:
            if (is_record)
                goto bad;
            o->mappings = optarg;
            break;
        case OPT_ARGV_MAX:
            if (!parse_u32(optarg, &o->argv_max) || !o->argv_max || o->argv_max > VIGIL_ARGV_CAP) {
                fprintf(stderr, "vigil %s: --argv-max: expected 1..%d, got '%s'\n", name,
                        VIGIL_ARGV_CAP, optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_RINGBUF:
            if (!parse_u32(optarg, &o->ringbuf_mb) || !o->ringbuf_mb || o->ringbuf_mb > 1024 ||
                (o->ringbuf_mb & (o->ringbuf_mb - 1))) {
                fprintf(stderr,
                        "vigil %s: --ringbuf-mb: expected a power of two 1..1024, got '%s'\n", name,
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_NO_LOOPBACK:
            o->ignore_loopback = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
        bad:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        if (!is_record) {
            fprintf(stderr, "vigil %s: unexpected argument '%s'\n", name, argv[optind]);
            return EXIT_USAGE;
        }
        o->cmd = argv + optind;
    }
    return -1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the poll must return */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int write_ready_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "vigil: create ready file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char b[32];
    int n = snprintf(b, sizeof b, "%d\n", (int)getpid());
    ssize_t w = write(fd, b, (size_t)n);
    close(fd);
    return w == n ? 0 : -1;
}

/*
 * Fork the command, stopped until *release is written to: it waits on a pipe so that it is
 * tracked before it execs. Returns the pid or -1.
 */
static pid_t spawn_stopped(char **cmd, int *release)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        fprintf(stderr, "vigil: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "vigil: fork: %s\n", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        char c;
        close(p[1]);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (read(p[0], &c, 1) != 1)
            _exit(127); /* the sensor failed before release */
        execvp(cmd[0], cmd);
        fprintf(stderr, "vigil: %s: %s\n", cmd[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(p[0]);
    *release = p[1];
    return pid;
}

static void report_drops(const struct sensor *s, uint64_t t0_ns)
{
    uint64_t d[VIGIL_REC_COUNT];
    struct sensor_stats st;
    struct timespec ts;
    sensor_drops(s, d);
    sensor_stats(s, &st);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double secs = ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec - (double)t0_ns) / 1e9;
    fprintf(stderr, "vigil: drops");
    for (unsigned k = 1; k < VIGIL_REC_COUNT; k++)
        fprintf(stderr, " %s=%llu", sensor_kind_name(k), (unsigned long long)d[k]);
    fprintf(stderr, "\n");
    fprintf(stderr, "vigil: %llu events in %.1f s (%.0f/s), %llu bad records\n",
            (unsigned long long)st.events, secs, secs > 0 ? (double)st.events / secs : 0.0,
            (unsigned long long)st.bad_records);
}

static int live(int argc, char **argv, bool is_record)
{
    struct live_opts o = {0};
    int r = parse_opts(argc, argv, is_record, &o);
    if (r >= 0)
        return r;
    if (geteuid() != 0)
        fprintf(stderr, "vigil %s: not root: loading BPF will probably fail\n", argv[0]);

    int status = EXIT_RUNTIME;
    struct fieldtab *ft = fieldtab_new();
    struct sensor *s = NULL;
    pid_t child = -1;
    int release = -1;
    char err[256];

    out.path = o.output && strcmp(o.output, "-") ? o.output : "stdout";
    out.f = o.output && strcmp(o.output, "-") ? fopen(o.output, "w") : stdout;
    if (!out.f) {
        fprintf(stderr, "vigil %s: open %s: %s\n", argv[0], o.output, strerror(errno));
        goto cleanup;
    }
    setvbuf(out.f, NULL, _IOFBF, 1 << 20);
    if (!is_record) {
        struct cli_detect_opts dopts = {
            .who = "vigil run", .rules = o.rules, .nrules = o.nrules, .mappings = o.mappings,
            .out = out.f, .flush_each = true,
        };
        if (!(out.detect = cli_detect_new(ft, &dopts)))
            goto cleanup;
    }
    install_signals();

    struct sensor_opts so = {
        .ft = ft,
        .on_event = sensor_cb,
        .argv_max = o.argv_max,
        .ringbuf_mb = o.ringbuf_mb,
        .follow = o.cmd != NULL,
        .skip_loopback = o.ignore_loopback,
        .verbose = o.verbose,
    };
    s = sensor_new(&so);
    if ((r = sensor_attach(s, err, sizeof err)) < 0) {
        fprintf(stderr, "vigil %s: %s\n", argv[0], err);
        goto cleanup;
    }
    if (o.cmd) {
        if ((child = spawn_stopped(o.cmd, &release)) < 0)
            goto cleanup;
        if ((r = sensor_track(s, (uint32_t)child)) < 0) {
            fprintf(stderr, "vigil %s: track pid %d: %s\n", argv[0], (int)child, strerror(-r));
            goto cleanup;
        }
    }
    fprintf(stderr, "vigil: probes attached\n");
    if (o.ready_file && write_ready_file(o.ready_file) < 0)
        goto cleanup;
    if (release >= 0) {
        if (write(release, "x", 1) != 1) {
            fprintf(stderr, "vigil %s: start command: %s\n", argv[0], strerror(errno));
            goto cleanup;
        }
        close(release);
        release = -1;
    }

    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t t0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    int forwarded = 0, wstatus = 0;
    uint64_t flushed = 0;
    status = 0;
    for (;;) {
        if (stop_signal) {
            /* with a command: pass the first signal on and wait for it; a second one stops */
            if (child > 0 && !forwarded) {
                kill(child, stop_signal);
                forwarded = stop_signal;
                stop_signal = 0;
            } else {
                break;
            }
        }
        r = sensor_poll(s, 100);
        /* record: one write per batch, so a reader of the trace (tail -f, a pipe) is never
         * more than a batch behind; run flushes each alert itself */
        if (out.written != flushed) {
            fflush(out.f);
            flushed = out.written;
        }
        if (r < 0 && r != -EINTR) {
            fprintf(stderr, "vigil %s: poll ring buffer: %s\n", argv[0], strerror(-r));
            status = EXIT_RUNTIME;
            break;
        }
        if (child > 0 && waitpid(child, &wstatus, WNOHANG) == child) {
            child = -1;
            status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
            break;
        }
    }
    /* what the kernel wrote before we stopped */
    if ((r = sensor_drain(s)) < 0 && r != -EINTR)
        fprintf(stderr, "vigil %s: drain ring buffer: %s\n", argv[0], strerror(-r));
    if (out.detect) {
        cli_detect_finish(out.detect);
        fprintf(stderr, "vigil run: %llu alerts\n",
                (unsigned long long)cli_detect_alerts(out.detect));
    }
    report_drops(s, t0);
    if (child > 0) /* stopped by a second signal: the command is left running */
        fprintf(stderr, "vigil %s: stopped before pid %d exited\n", argv[0], (int)child);

cleanup:
    if (release >= 0)
        close(release); /* an unreleased child sees EOF and exits */
    if (out.f) {
        if (fflush(out.f) || ferror(out.f)) {
            fprintf(stderr, "vigil %s: write %s: %s\n", argv[0], out.path, strerror(errno));
            status = EXIT_RUNTIME;
        }
        if (out.f != stdout)
            fclose(out.f);
    }
    sensor_free(s);
    cli_detect_free(out.detect);
    out.detect = NULL;
    free(o.rules);
    fieldtab_free(ft);
    buf_clear(&out.line);
    return status;
}

int cmd_record(int argc, char **argv)
{
    return live(argc, argv, true);
}

int cmd_run(int argc, char **argv)
{
    return live(argc, argv, false);
}
