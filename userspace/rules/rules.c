/*
 * rules.c — load Elastic detection-rule TOML files into struct rule. See rules.h.
 *
 * Schema checked here: [rule] must have name, rule_id and type (strings); query rules of every
 * type but machine_learning must have a query. Fields vigil reads are type-checked wherever
 * they appear; everything else stays in r->doc untouched.
 */
#include "rules/rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RULE_DEFAULT_FROM "now-6m"
#define RULE_DEFAULT_INTERVAL "5m"
#define RULE_DEFAULT_MAX_SIGNALS 100

struct loader {
    struct toml_doc *doc;
    char *err;
    size_t errlen;
};

static bool lfail(struct loader *L, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool lfail(struct loader *L, size_t off, const char *fmt, ...)
{
    if (!L->err || !L->errlen)
        return false;
    size_t len;
    const char *text = toml_doc_text(L->doc, &len);
    int line, col;
    text_line_col(text, len, off, &line, &col);
    int k = snprintf(L->err, L->errlen, "%s:%d:%d: ", toml_doc_name(L->doc), line, col);
    if (k >= 0 && (size_t)k < L->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(L->err + k, L->errlen - k, fmt, ap);
        va_end(ap);
    }
    return false;
}

/*
 * Optional string field `key` of table tab (named `where` in messages): *out is a copy, or
 * stays NULL when absent. A value of another type is an error at the value.
 */
static bool get_str(struct loader *L, const struct toml_value *tab, const char *where,
                    const char *key, bool required, char **out)
{
    const struct toml_value *v = toml_get(tab, key);
    if (!v) {
        if (required)
            return lfail(L, tab->src_off, "missing required key `%s.%s`", where, key);
        return true;
    }
    size_t n;
    const char *s = toml_as_str(v, &n);
    if (!s)
        return lfail(L, v->src_off, "`%s.%s` must be a string, not %s", where, key,
                     toml_type_name(v->type));
    *out = xstrndup(s, n);
    return true;
}

static bool get_int(struct loader *L, const struct toml_value *tab, const char *where,
                    const char *key, int lo, int hi, int *out)
{
    const struct toml_value *v = toml_get(tab, key);
    if (!v)
        return true;
    int64_t x;
    if (!toml_as_int(v, &x))
        return lfail(L, v->src_off, "`%s.%s` must be an integer, not %s", where, key,
                     toml_type_name(v->type));
    if (x < lo || x > hi)
        return lfail(L, v->src_off, "`%s.%s` must be between %d and %d, not %lld", where, key, lo,
                     hi, (long long)x);
    *out = (int)x;
    return true;
}

/* array of strings -> fresh char*[]; absent leaves *out NULL, *n 0 */
static bool get_str_array(struct loader *L, const struct toml_value *tab, const char *where,
                          const char *key, char ***out, size_t *n)
{
    const struct toml_value *v = toml_get(tab, key);
    if (!v)
        return true;
    if (v->type != TOML_ARRAY)
        return lfail(L, v->src_off, "`%s.%s` must be an array of strings, not %s", where, key,
                     toml_type_name(v->type));
    size_t len = toml_array_len(v);
    for (size_t i = 0; i < len; i++) {
        const struct toml_value *e = toml_array_at(v, i);
        if (e->type != TOML_STRING)
            return lfail(L, e->src_off, "`%s.%s` must be an array of strings, not contain %s",
                         where, key, toml_type_name(e->type));
    }
    *out = xcalloc(len ? len : 1, sizeof **out);
    for (size_t i = 0; i < len; i++) {
        const struct toml_value *e = toml_array_at(v, i);
        (*out)[i] = xstrndup(e->u.str.s, e->u.str.len);
    }
    *n = len;
    return true;
}

/* an optional array of tables; NULL when absent */
static bool get_table_array(struct loader *L, const struct toml_value *tab, const char *where,
                            const char *key, const struct toml_value **out)
{
    const struct toml_value *v = toml_get(tab, key);
    *out = NULL;
    if (!v)
        return true;
    if (v->type != TOML_ARRAY)
        return lfail(L, v->src_off, "`%s.%s` must be an array of tables, not %s", where, key,
                     toml_type_name(v->type));
    for (size_t i = 0; i < toml_array_len(v); i++) {
        const struct toml_value *e = toml_array_at(v, i);
        if (e->type != TOML_TABLE)
            return lfail(L, e->src_off, "`%s.%s` must be an array of tables, not contain %s", where,
                         key, toml_type_name(e->type));
    }
    *out = v;
    return true;
}

static void technique_clear(struct rule_technique *t)
{
    free(t->id);
    free(t->name);
    free(t->reference);
    for (size_t i = 0; i < t->nsub; i++)
        technique_clear(&t->sub[i]);
    free(t->sub);
}

/* [[rule.threat.technique]] id, name, reference, [[...subtechnique]] (one level) */
static bool load_techniques(struct loader *L, const struct toml_value *tab, const char *where,
                            const char *key, bool allow_sub, struct rule_technique **out,
                            size_t *nout)
{
    const struct toml_value *arr;
    if (!get_table_array(L, tab, where, key, &arr))
        return false;
    size_t n = toml_array_len(arr);
    if (!n)
        return true;
    char sub_where[64];
    snprintf(sub_where, sizeof sub_where, "%s.%s", where, key);
    *out = xcalloc(n, sizeof **out);
    *nout = n;
    for (size_t i = 0; i < n; i++) {
        const struct toml_value *t = toml_array_at(arr, i);
        struct rule_technique *rt = &(*out)[i];
        if (!get_str(L, t, sub_where, "id", false, &rt->id) ||
            !get_str(L, t, sub_where, "name", false, &rt->name) ||
            !get_str(L, t, sub_where, "reference", false, &rt->reference))
            return false;
        if (allow_sub &&
            !load_techniques(L, t, sub_where, "subtechnique", false, &rt->sub, &rt->nsub))
            return false;
    }
    return true;
}

static bool load_threat(struct loader *L, struct rule *r, const struct toml_value *rule_tab)
{
    const struct toml_value *arr;
    if (!get_table_array(L, rule_tab, "rule", "threat", &arr))
        return false;
    size_t n = toml_array_len(arr);
    if (!n)
        return true;
    r->threat = xcalloc(n, sizeof *r->threat);
    r->nthreat = n;
    for (size_t i = 0; i < n; i++) {
        const struct toml_value *t = toml_array_at(arr, i);
        struct rule_threat *th = &r->threat[i];
        if (!get_str(L, t, "rule.threat", "framework", false, &th->framework))
            return false;
        const struct toml_value *tac = toml_get(t, "tactic");
        if (tac) {
            if (tac->type != TOML_TABLE)
                return lfail(L, tac->src_off, "`rule.threat.tactic` must be a table, not %s",
                             toml_type_name(tac->type));
            if (!get_str(L, tac, "rule.threat.tactic", "id", false, &th->tactic_id) ||
                !get_str(L, tac, "rule.threat.tactic", "name", false, &th->tactic_name) ||
                !get_str(L, tac, "rule.threat.tactic", "reference", false, &th->tactic_reference))
                return false;
        }
        if (!load_techniques(L, t, "rule.threat", "technique", true, &th->techniques,
                             &th->ntechniques))
            return false;
    }
    return true;
}

static bool needs_query(const char *type)
{
    return strcmp(type, "machine_learning") != 0;
}

static bool load_rule(struct loader *L, struct rule *r)
{
    const struct toml_value *root = toml_root(L->doc);
    const struct toml_value *md = toml_get(root, "metadata");
    if (md) {
        if (md->type != TOML_TABLE)
            return lfail(L, md->src_off, "`metadata` must be a table, not %s",
                         toml_type_name(md->type));
        if (!get_str(L, md, "metadata", "maturity", false, &r->maturity))
            return false;
    }
    const struct toml_value *rt = toml_get(root, "rule");
    if (!rt)
        return lfail(L, 0, "missing required table [rule]");
    if (rt->type != TOML_TABLE)
        return lfail(L, rt->src_off, "`rule` must be a table, not %s", toml_type_name(rt->type));
    if (!get_str(L, rt, "rule", "name", true, &r->name) ||
        !get_str(L, rt, "rule", "rule_id", true, &r->rule_id) ||
        !get_str(L, rt, "rule", "type", true, &r->type) ||
        !get_str(L, rt, "rule", "description", false, &r->description) ||
        !get_str(L, rt, "rule", "language", false, &r->language) ||
        !get_str(L, rt, "rule", "query", false, &r->query) ||
        !get_str(L, rt, "rule", "severity", false, &r->severity) ||
        !get_str(L, rt, "rule", "from", false, &r->from) ||
        !get_str(L, rt, "rule", "interval", false, &r->interval))
        return false;
    if (!get_int(L, rt, "rule", "risk_score", 0, 100, &r->risk_score) ||
        !get_int(L, rt, "rule", "max_signals", 1, 1000000000, &r->max_signals))
        return false;
    if (!get_str_array(L, rt, "rule", "index", &r->index, &r->nindex) ||
        !get_str_array(L, rt, "rule", "tags", &r->tags, &r->ntags))
        return false;
    if (!load_threat(L, r, rt))
        return false;

    const struct toml_value *ver = toml_get(rt, "version");
    if (ver) {
        int64_t x;
        if (toml_as_int(ver, &x)) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%lld", (long long)x);
            r->version = xstrdup(tmp);
        } else if (ver->type == TOML_STRING) {
            r->version = xstrndup(ver->u.str.s, ver->u.str.len);
        } else {
            return lfail(L, ver->src_off, "`rule.version` must be an integer or a string, not %s",
                         toml_type_name(ver->type));
        }
    }
    if (r->severity && strcmp(r->severity, "low") != 0 && strcmp(r->severity, "medium") != 0 &&
        strcmp(r->severity, "high") != 0 && strcmp(r->severity, "critical") != 0)
        return lfail(L, toml_get(rt, "severity")->src_off,
                     "`rule.severity` must be low, medium, high or critical, not \"%s\"",
                     r->severity);
    if (!r->query && needs_query(r->type))
        return lfail(L, rt->src_off, "missing required key `rule.query` (rule type %s)", r->type);
    if (r->query)
        r->query_value = toml_get(rt, "query");
    /* Elastic's defaults when the file says nothing */
    if (!r->language && r->query)
        r->language = xstrdup(strcmp(r->type, "eql") == 0 ? "eql" : "kuery");
    if (!r->from)
        r->from = xstrdup(RULE_DEFAULT_FROM);
    if (!r->interval)
        r->interval = xstrdup(RULE_DEFAULT_INTERVAL);
    if (!r->max_signals)
        r->max_signals = RULE_DEFAULT_MAX_SIGNALS;
    return true;
}

/* A rule from a parsed document (taken over: freed on failure too). */
static struct rule *rule_from_doc(const char *path, struct toml_doc *doc, char *err,
                                  size_t errlen)
{
    if (!doc)
        return NULL;
    struct rule *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path ? path : "<rule>");
    r->doc = doc;
    struct loader L = {.doc = doc, .err = err, .errlen = errlen};
    if (!load_rule(&L, r)) {
        rule_free(r);
        return NULL;
    }
    return r;
}

struct rule *rule_load_text(const char *path, const char *text, size_t len, char *err,
                            size_t errlen)
{
    return rule_from_doc(path, toml_parse(path, text, len, err, errlen), err, errlen);
}

struct rule *rule_load_file(const char *path, char *err, size_t errlen)
{
    return rule_from_doc(path, toml_parse_file(path, err, errlen), err, errlen);
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void rule_free(struct rule *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->rule_id);
    free(r->name);
    free(r->description);
    free(r->type);
    free(r->language);
    free(r->query);
    free(r->severity);
    free_strv(r->index, r->nindex);
    free_strv(r->tags, r->ntags);
    free(r->from);
    free(r->interval);
    for (size_t i = 0; i < r->nthreat; i++) {
        struct rule_threat *t = &r->threat[i];
        free(t->framework);
        free(t->tactic_id);
        free(t->tactic_name);
        free(t->tactic_reference);
        for (size_t j = 0; j < t->ntechniques; j++)
            technique_clear(&t->techniques[j]);
        free(t->techniques);
    }
    free(r->threat);
    free(r->maturity);
    free(r->version);
    toml_free(r->doc);
    free(r);
}

bool rule_query_position(const struct rule *r, size_t query_off, int *line, int *col)
{
    if (!r || !r->query_value || !r->doc)
        return false;
    size_t off = toml_str_src_offset(r->doc, r->query_value, query_off);
    size_t len;
    const char *text = toml_doc_text(r->doc, &len);
    text_line_col(text, len, off, line, col);
    return true;
}

bool rule_has_tag(const struct rule *r, const char *tag)
{
    if (!r || !tag)
        return false;
    for (size_t i = 0; i < r->ntags; i++)
        if (strcmp(r->tags[i], tag) == 0)
            return true;
    return false;
}

/* ---- finding files ---- */

struct pathlist {
    char **v;
    size_t n, cap;
};

static void pl_push(struct pathlist *pl, char *p)
{
    pl->v = xgrow(pl->v, &pl->cap, pl->n + 1, sizeof *pl->v);
    pl->v[pl->n++] = p;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

#define RULE_WALK_MAX_DEPTH 32

static int walk(const char *dir, struct pathlist *pl, int depth, char *err, size_t errlen)
{
    if (depth > RULE_WALK_MAX_DEPTH) {
        snprintf(err, errlen, "%s: directories nested too deep", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue; /* ., .., hidden files and dirs */
        struct buf p = {0};
        buf_printf(&p, "%s%s%s", dir, str_has_suffix(dir, "/") ? "" : "/", de->d_name);
        struct stat st;
        if (stat(p.p, &st) != 0) {
            /* a dangling symlink is not a rule file; anything else is an error */
            if (errno == ENOENT) {
                buf_clear(&p);
                continue;
            }
            snprintf(err, errlen, "%s: %s", p.p, strerror(errno));
            buf_clear(&p);
            rc = -1;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk(p.p, pl, depth + 1, err, errlen);
            buf_clear(&p);
            if (rc < 0)
                break;
        } else if (S_ISREG(st.st_mode) && str_has_suffix(de->d_name, ".toml")) {
            pl_push(pl, buf_steal(&p));
        } else {
            buf_clear(&p);
        }
    }
    closedir(d);
    return rc;
}

int rule_find_files(const char *path, char ***paths, size_t *npaths, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct pathlist pl = {0};
    if (S_ISDIR(st.st_mode)) {
        if (walk(path, &pl, 0, err, errlen) < 0) {
            free_strv(pl.v, pl.n);
            return -1;
        }
        qsort(pl.v, pl.n, sizeof *pl.v, cmp_str);
    } else {
        pl_push(&pl, xstrdup(path));
    }
    *paths = xrealloc(*paths, (*npaths + pl.n) * sizeof **paths);
    memcpy(*paths + *npaths, pl.v, pl.n * sizeof *pl.v);
    *npaths += pl.n;
    free(pl.v);
    return (int)pl.n;
}
