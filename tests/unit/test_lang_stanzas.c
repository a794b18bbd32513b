/*
 * The runner of the tests/lang stanza files (format in tests/lang/README): one test per file, named
 * lang_<file>, whose body runs every stanza of the file and reports each failing one as
 * file:line with what was expected and what came out.
 */
#include "t.h"

#include <dirent.h>
#include <errno.h>

#include "eval/eval.h"

#define MAX_FILES 64

static char *files[MAX_FILES];
static int nfiles;

struct stanza {
    int line; /* of its first line */
    enum lang_kind lang;
    struct buf query;
    struct buf expect;
    bool has_expect, has_error;
    struct buf error;
    char **events;
    size_t nevents, evcap;
};

static void stanza_clear(struct stanza *s)
{
    buf_clear(&s->query);
    buf_clear(&s->expect);
    buf_clear(&s->error);
    for (size_t i = 0; i < s->nevents; i++)
        free(s->events[i]);
    free(s->events);
    memset(s, 0, sizeof *s);
}

static void collect(void *ud, const struct eval_match *m)
{
    struct buf *out = ud;
    if (out->len)
        buf_putc(out, ' ');
    for (uint32_t i = 0; i < m->n; i++)
        buf_printf(out, "%s%llu", i ? "," : "", (unsigned long long)m->events[i]->seq);
}

/* Collapse runs of blanks; "none" means no match. */
static void normalize(const char *in, struct buf *out)
{
    buf_reset(out);
    buf_puts(out, "");
    for (const char *p = in; *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            while (*p == ' ' || *p == '\t' || *p == '\n')
                p++;
            if (out->len && *p)
                buf_putc(out, ' ');
            continue;
        }
        buf_putc(out, *p++);
    }
    if (!strcmp(out->p, "none"))
        buf_reset(out), buf_puts(out, "");
}

static void run_stanza(const char *file, struct stanza *s)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = lang_compile(s->lang, s->query.p, s->query.len, ft, &err);
    if (q && eval_prepare(q, &err)) {
        ir_query_free(q);
        q = NULL;
    }
    if (s->has_error) {
        if (q)
            t_fail_at(file, s->line, "expected an error containing \"%s\", but it compiled",
                      s->error.p);
        else if (!strstr(err.msg, s->error.p))
            t_fail_at(file, s->line, "expected an error containing \"%s\", got \"%s\"",
                      s->error.p, err.msg);
        ir_query_free(q);
        fieldtab_free(ft);
        return;
    }
    if (!q) {
        t_fail_at(file, s->line, "query does not compile: %d:%d: %s", err.line, err.col,
                  err.msg);
        fieldtab_free(ft);
        return;
    }
    struct eval_run *r = eval_run_new(q, NULL);
    struct buf got = {0}, want = {0};
    buf_puts(&got, "");
    struct event ev;
    event_init(&ev, ft);
    bool bad = false;
    for (size_t i = 0; i < s->nevents; i++) {
        char msg[256];
        if (event_from_json(&ev, s->events[i], strlen(s->events[i]), msg, sizeof msg)) {
            t_fail_at(file, s->line, "event %zu: %s", i + 1, msg);
            bad = true;
            break;
        }
        ev.seq = i + 1;
        eval_run_feed(r, &ev, collect, &got);
    }
    eval_run_finish(r, collect, &got);
    normalize(s->expect.p ? s->expect.p : "", &want);
    if (!bad && !s->has_expect)
        t_fail_at(file, s->line, "stanza has no expect: line");
    else if (!bad && strcmp(got.p, want.p))
        t_fail_at(file, s->line, "expected \"%s\", got \"%s\" for: %s", want.p, got.p,
                  s->query.p);
    event_clear(&ev);
    eval_run_free(r);
    ir_query_free(q);
    buf_clear(&got);
    buf_clear(&want);
    fieldtab_free(ft);
}

static bool key_is(const char *line, const char *key, const char **val)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) || line[n] != ':')
        return false;
    *val = line + n + 1;
    while (**val == ' ')
        (*val)++;
    return true;
}

static void run_file(const char *full, const char *path)
{
    size_t len;
    char *text = file_read_all(full, &len);
    if (!text) {
        t_fail_at(path, 0, "cannot read: %s", strerror(errno));
        return;
    }
    struct stanza s = {0};
    struct buf *last = NULL;
    bool open = false;
    int lineno = 0, nstanzas = 0;
    char *p = text;
    while (p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        char *line = p;
        p = nl ? nl + 1 : NULL;
        lineno++;
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[--ll] = 0;
        bool blank = true;
        for (char *c = line; *c; c++)
            if (*c != ' ' && *c != '\t')
                blank = false;
        if (blank) {
            if (open) {
                run_stanza(path, &s);
                nstanzas++;
            }
            stanza_clear(&s);
            open = false;
            last = NULL;
            continue;
        }
        if (line[0] == '#')
            continue;
        const char *val;
        if (line[0] == ' ' && line[1] == ' ' && last) {
            buf_putc(last, '\n');
            buf_puts(last, line + 2);
            continue;
        }
        if (!open) {
            open = true;
            s.line = lineno;
        }
        if (key_is(line, "eql", &val) || key_is(line, "kuery", &val)) {
            s.lang = line[0] == 'e' ? LANG_EQL : LANG_KUERY;
            buf_reset(&s.query);
            buf_puts(&s.query, val);
            last = &s.query;
        } else if (key_is(line, "event", &val)) {
            s.events = xgrow(s.events, &s.evcap, s.nevents + 1, sizeof *s.events);
            s.events[s.nevents++] = xstrdup(val);
            last = NULL;
        } else if (key_is(line, "expect", &val)) {
            buf_reset(&s.expect);
            buf_puts(&s.expect, val);
            s.has_expect = true;
            last = &s.expect;
        } else if (key_is(line, "error", &val)) {
            buf_reset(&s.error);
            buf_puts(&s.error, val);
            s.has_error = true;
            last = NULL;
        } else if (key_is(line, "notes", &val)) {
            last = NULL;
        } else {
            t_fail_at(path, lineno, "unknown stanza line: %s", line);
        }
    }
    if (open) {
        run_stanza(path, &s);
        nstanzas++;
    }
    stanza_clear(&s);
    free(text);
    if (nstanzas == 0)
        t_fail_at(path, 1, "no stanzas");
}

/* One test function per file slot (t.h tests take no argument): slot_A_B runs file 8*A+B. */
#define SLOT(a, b)                                                                         \
    static void slot_##a##_##b(void)                                                       \
    {                                                                                      \
        run_slot(8 * (a) + (b));                                                           \
    }
#define SLOTS8(a) SLOT(a, 0) SLOT(a, 1) SLOT(a, 2) SLOT(a, 3) SLOT(a, 4) SLOT(a, 5) SLOT(a, 6) SLOT(a, 7)
#define REF8(a) slot_##a##_0, slot_##a##_1, slot_##a##_2, slot_##a##_3, slot_##a##_4,         \
                slot_##a##_5, slot_##a##_6, slot_##a##_7

static void run_slot(int i)
{
    run_file(files[i], files[i] + strlen(t_srcdir()) + 1);
}

SLOTS8(0)
SLOTS8(1)
SLOTS8(2)
SLOTS8(3)
SLOTS8(4)
SLOTS8(5)
SLOTS8(6)
SLOTS8(7)
static const t_fn slots[MAX_FILES] = {REF8(0), REF8(1), REF8(2), REF8(3),
                                      REF8(4), REF8(5), REF8(6), REF8(7)};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((constructor)) static void register_stanza_files(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/lang", t_srcdir());
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && nfiles < MAX_FILES) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".test"))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        files[nfiles++] = xstrdup(path);
    }
    closedir(d);
    qsort(files, (size_t)nfiles, sizeof *files, cmp_str);
    for (int i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/') + 1;
        char name[300];
        snprintf(name, sizeof name, "lang_%.*s", (int)(strlen(base) - 5), base);
        t_register(xstrdup(name), slots[i]);
    }
}
