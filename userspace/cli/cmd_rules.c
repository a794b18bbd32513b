/*
 * cmd_rules.c — `vigil rules check [--json] [PATH...]`: load and compile rules, one report per
 * rule file, as the engine would load them (the same classification, compiler and views).
 *
 * Text output, one line per file, tab-separated:
 *   STATUS<TAB>PATH<TAB>RULE_ID<TAB>NAME<TAB>REASON
 * STATUS is ok, unsupported or error; an error's REASON is "file:line:col: reason"; unknown
 * fields are "-". The last line is the summary. With --json, one JSON object per file instead
 * (file, rule_id, name, type, language, status, reason, views) and the summary on stderr.
 * Exit status: 0, 1 if any rule has an error, 2 usage, 3 a PATH cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "engine/engine.h"

static const char *const status_names[] = {"ok", "unsupported", "error"};

struct check_ctx {
    bool json;
    struct buf line;
};

static const char *dash(const char *s)
{
    return s && *s ? s : "-";
}

/* Text fields are tab-separated: keep tabs and newlines of names out of them. */
static void put_field(struct buf *b, const char *s)
{
    s = dash(s);
    for (; *s; s++)
        buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void json_kv(struct buf *b, const char *key, const char *s, bool comma)
{
    if (comma)
        buf_putc(b, ',');
    buf_json_str(b, key, strlen(key));
    buf_putc(b, ':');
    if (s)
        buf_json_str(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

static void on_rule(void *ud, const char *path, const struct rule *r,
                    const struct engine_rule_status *st)
{
    struct check_ctx *c = ud;
    struct buf *b = &c->line;
    buf_reset(b);
    const char *status = status_names[st->status];
    if (c->json) {
        buf_putc(b, '{');
        json_kv(b, "file", path, false);
        json_kv(b, "rule_id", r ? r->rule_id : NULL, true);
        json_kv(b, "name", r ? r->name : NULL, true);
        json_kv(b, "type", r ? r->type : NULL, true);
        json_kv(b, "language", r ? r->language : NULL, true);
        json_kv(b, "status", status, true);
        json_kv(b, "reason", st->status == ENGINE_RULE_OK ? NULL : st->reason, true);
        buf_puts(b, ",\"views\":[");
        bool first = true;
        for (int v = 0; v < ENGINE_VIEW_COUNT && st->status != ENGINE_RULE_ERROR; v++) {
            if (!((st->views >> v) & 1))
                continue;
            if (!first)
                buf_putc(b, ',');
            first = false;
            buf_printf(b, "\"%s\"", engine_view_name((enum engine_view)v));
        }
        buf_puts(b, "]}\n");
    } else {
        buf_puts(b, status);
        buf_putc(b, '\t');
        put_field(b, path);
        buf_putc(b, '\t');
        put_field(b, r ? r->rule_id : NULL);
        buf_putc(b, '\t');
        put_field(b, r ? r->name : NULL);
        buf_putc(b, '\t');
        put_field(b, st->status == ENGINE_RULE_OK ? NULL : st->reason);
        buf_putc(b, '\n');
    }
    fwrite(b->p, 1, b->len, stdout);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil rules check [--json] [PATH...]\n\n"
               "Load and compile Elastic detection rules (TOML files; a directory is searched\n"
               "for *.toml) and report each: ok, unsupported (why) or error (file:line:col).\n"
               "Without PATH, the bundled rules ($VIGIL_RULES or rules/ beside the binary).\n\n"
               "Text output: one line per rule file, tab-separated:\n"
               "  STATUS  PATH  RULE_ID  NAME  REASON\n"
               "then a summary line. Exit status 1 if any rule has an error.\n\n"
               "  --json      one JSON object per rule file (file, rule_id, name, type,\n"
               "              language, status, reason, views); the summary goes to stderr\n"
               "  -h, --help  this help\n");
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "check")) {
        fprintf(stderr, "vigil rules: unknown subcommand '%s' (try 'vigil rules --help')\n",
                argv[1]);
        return EXIT_USAGE;
    }
    struct check_ctx c = {0};
    const char **paths = xcalloc((size_t)argc, sizeof *paths);
    size_t npaths = 0;
    bool opts = true;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (opts && !strcmp(a, "--")) {
            opts = false;
        } else if (opts && !strcmp(a, "--json")) {
            c.json = true;
        } else if (opts && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (opts && a[0] == '-' && a[1]) {
            fprintf(stderr, "vigil rules check: unknown option '%s'\n", a);
            usage(stderr);
            free(paths);
            return EXIT_USAGE;
        } else {
            paths[npaths++] = a;
        }
    }
    char bundled[4096];
    if (!npaths) {
        if (!cli_bundled_rules(bundled, sizeof bundled)) {
            fprintf(stderr, "vigil rules check: no bundled rules found (set VIGIL_RULES or "
                            "give a PATH)\n");
            free(paths);
            return EXIT_RUNTIME;
        }
        paths[npaths++] = bundled;
    }

    struct fieldtab *ft = fieldtab_new();
    struct engine *e = engine_new(ft, NULL);
    struct engine_load_counts n = {0};
    int rc = 0;
    for (size_t i = 0; i < npaths; i++) {
        char err[512];
        if (engine_load_path(e, paths[i], on_rule, &c, &n, err, sizeof err) < 0) {
            fflush(stdout);
            fprintf(stderr, "vigil rules check: %s\n", err);
            rc = EXIT_RUNTIME;
        }
    }
    fflush(stdout);
    FILE *sf = c.json ? stderr : stdout;
    fprintf(sf, "%u rule file%s: %u ok, %u unsupported, %u error%s\n", n.files,
            n.files == 1 ? "" : "s", n.ok, n.unsupported, n.errors, n.errors == 1 ? "" : "s");
    if (!rc && n.errors)
        rc = EXIT_FINDINGS;
    engine_free(e);
    fieldtab_free(ft);
    buf_clear(&c.line);
    free(paths);
    return rc;
}
