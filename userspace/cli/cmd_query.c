/*
 * cmd_query.c — `vigil query [--language eql|kuery] [--dump-ir] QUERY TRACE...`: one ad-hoc
 * query over NDJSON traces. Prints each matching event as one NDJSON line (for a sequence or
 * a sample, the events of each match in order). Exit status like grep: 0 when something
 * matched, 1 when nothing did, 2 for a usage or query error, 3 when a trace cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "eval/eval.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vigil query [--language eql|kuery] [--dump-ir] QUERY TRACE...\n\n"
            "Run one KQL or EQL query over NDJSON traces (\"-\" is stdin, .gz is read too) and\n"
            "print each matching event as NDJSON; for a sequence, the events of each match in\n"
            "order. Traces are read one after the other, each in its own order.\n\n"
            "  -l, --language LANG  eql (default) or kuery\n"
            "      --dump-ir        print the compiled query to stderr\n"
            "  -h, --help           this help\n\n"
            "exit status: 0 something matched, 1 nothing matched, 2 usage or query error,\n"
            "3 a trace could not be read\n");
}

struct out {
    struct buf line;
    uint64_t matches;
    bool write_failed;
};

static void print_match(void *ud, const struct eval_match *m)
{
    struct out *o = ud;
    o->matches++;
    for (uint32_t i = 0; i < m->n; i++) {
        buf_reset(&o->line);
        event_write_json(m->events[i], &o->line);
        buf_putc(&o->line, '\n');
        if (fwrite(o->line.p, 1, o->line.len, stdout) != o->line.len)
            o->write_failed = true;
    }
}

/* "query:1:COL: message", then the query line and a caret under the column. */
static void report_error(const char *text, const struct lang_error *err)
{
    size_t len = strlen(text);
    int line = err->line, col = err->col;
    if (line <= 0 || col <= 0)
        text_line_col(text, len, err->off <= len ? err->off : len, &line, &col);
    fprintf(stderr, "query:%d:%d: %s\n", line, col, err->msg);
    const char *p = text;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return;
    size_t n = strcspn(p, "\n");
    fprintf(stderr, "  %.*s\n  ", (int)n, p);
    for (int i = 1; i < col && (size_t)(i - 1) < n; i++)
        fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
    fprintf(stderr, "^\n");
}

int cmd_query(int argc, char **argv)
{
    enum lang_kind lang = LANG_EQL;
    bool dump = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--dump-ir")) {
            dump = true;
        } else if (!strcmp(a, "-l") || !strcmp(a, "--language") ||
                   !strncmp(a, "--language=", 11)) {
            const char *v = !strncmp(a, "--language=", 11) ? a + 11
                            : i + 1 < argc            ? argv[++i]
                                                      : NULL;
            int l = v ? lang_from_name(v) : -1;
            if (l < 0) {
                fprintf(stderr, "vigil query: --language wants eql or kuery%s%s\n",
                        v ? ", not " : "", v ? v : "");
                return EXIT_USAGE;
            }
            lang = (enum lang_kind)l;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "vigil query: unknown option %s; see 'vigil query --help'\n", a);
            return EXIT_USAGE;
        } else {
            break;
        }
    }
    if (argc - i < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *text = argv[i++];

    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = lang_compile(lang, text, strlen(text), ft, &err);
    if (q && eval_prepare(q, &err)) {
        ir_query_free(q);
        q = NULL;
    }
    if (!q) {
        report_error(text, &err);
        fieldtab_free(ft);
        return EXIT_USAGE;
    }
    if (dump) {
        struct buf b = {0};
        ir_dump(q, &b);
        fputs(b.p ? b.p : "", stderr);
        buf_clear(&b);
    }

    int status = 0;
    struct out o = {0};
    struct eval_run *run = eval_run_new(q, NULL);
    struct event ev;
    event_init(&ev, ft);
    for (; i < argc; i++) {
        struct ndjson_reader *rd = ndjson_open(argv[i], ft);
        if (!rd) {
            fprintf(stderr, "vigil query: %s: %s\n", argv[i], strerror(errno));
            status = EXIT_RUNTIME;
            continue;
        }
        int rc;
        while ((rc = ndjson_next(rd, &ev)) == 1)
            eval_run_feed(run, &ev, print_match, &o);
        if (rc < 0) {
            fprintf(stderr, "vigil query: %s: read error: %s\n", argv[i], strerror(errno));
            status = EXIT_RUNTIME;
        }
        ndjson_close(rd);
    }
    eval_run_finish(run, print_match, &o);
    struct eval_stats st;
    eval_run_stats(run, &st);
    if (st.evicted)
        fprintf(stderr, "vigil query: %llu partial sequences evicted (memory bound)\n",
                (unsigned long long)st.evicted);
    if (fflush(stdout) || o.write_failed) {
        fprintf(stderr, "vigil query: writing output: %s\n", strerror(errno));
        status = EXIT_RUNTIME;
    }
    eval_run_free(run);
    event_clear(&ev);
    buf_clear(&o.line);
    ir_query_free(q);
    fieldtab_free(ft);
    if (status)
        return status;
    return o.matches ? 0 : EXIT_FINDINGS;
}
