/*
 * view_maps.c — load mappings/{windows-hosts,aliases,ecs-synonyms}.toml into struct view_maps.
 * The schema is strict: every key documented in the files is required, unknown keys and wrong
 * types are errors with file:line:col, so a typo cannot silently switch a mapping off.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/view_int.h"

/* A reader over one document: the first error wins. */
struct rd {
    struct view_maps *m;
    struct toml_doc *doc;
    char *err;
    size_t errlen;
    bool failed;
};

static void fail_at(struct rd *r, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(struct rd *r, size_t off, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    size_t len = 0;
    const char *text = toml_doc_text(r->doc, &len);
    int line, col;
    text_line_col(text, len, off, &line, &col);
    int n = snprintf(r->err, r->errlen, "%s:%d:%d: ", toml_doc_name(r->doc), line, col);
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Every key of table `tab` must be in allowed[] (NULL-terminated). */
static void check_keys(struct rd *r, const struct toml_value *tab, const char *const *allowed)
{
    for (size_t i = 0; i < toml_table_len(tab); i++) {
        const struct toml_kv *kv = toml_table_at(tab, i);
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, kv->key) == 0;
        if (!ok)
            fail_at(r, kv->key_off, "unknown key \"%s\"", kv->key);
    }
}

static const struct toml_value *need(struct rd *r, const struct toml_value *tab, const char *key,
                                     enum toml_type type)
{
    const struct toml_value *v = toml_get(tab, key);
    if (!v) {
        fail_at(r, tab->src_off, "missing key \"%s\"", key);
        return NULL;
    }
    if (v->type != type) {
        fail_at(r, v->src_off, "\"%s\" must be of type %s, not %s", key, toml_type_name(type),
                toml_type_name(v->type));
        return NULL;
    }
    return v;
}

static const char *need_str(struct rd *r, const struct toml_value *tab, const char *key)
{
    const struct toml_value *v = need(r, tab, key, TOML_STRING);
    return v ? v->u.str.s : "";
}

static bool need_bool(struct rd *r, const struct toml_value *tab, const char *key)
{
    const struct toml_value *v = need(r, tab, key, TOML_BOOL);
    return v ? v->u.b : false;
}

static void strlist_from(struct rd *r, const struct toml_value *arr, const char *key,
                         struct strlist *out)
{
    out->n = 0;
    out->s = arena_alloc(&r->m->arena, sizeof *out->s * (toml_array_len(arr) + 1));
    out->len = arena_alloc(&r->m->arena, sizeof *out->len * (toml_array_len(arr) + 1));
    for (size_t i = 0; i < toml_array_len(arr); i++) {
        const struct toml_value *e = toml_array_at(arr, i);
        if (e->type != TOML_STRING || e->u.str.len == 0) {
            fail_at(r, e->src_off, "\"%s\" must hold non-empty strings", key);
            return;
        }
        out->len[out->n] = (uint32_t)e->u.str.len;
        out->s[out->n++] = e->u.str.s;
    }
}

static void need_list(struct rd *r, const struct toml_value *tab, const char *key,
                      struct strlist *out)
{
    const struct toml_value *v = need(r, tab, key, TOML_ARRAY);
    out->n = 0;
    if (v)
        strlist_from(r, v, key, out);
}

static const struct toml_value *need_table(struct rd *r, const struct toml_value *tab,
                                           const char *key)
{
    return need(r, tab, key, TOML_TABLE);
}

/* An inline table of field = string pairs. */
static struct view_fv *fv_table(struct rd *r, const struct toml_value *tab, uint32_t *n)
{
    size_t len = toml_table_len(tab);
    struct view_fv *fv = arena_alloc(&r->m->arena, sizeof *fv * (len + 1));
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        const struct toml_kv *kv = toml_table_at(tab, i);
        if (kv->val->type != TOML_STRING) {
            fail_at(r, kv->val->src_off, "\"%s\" must be a string", kv->key);
            return fv;
        }
        fv[(*n)++] = (struct view_fv){.field = kv->key, .val = kv->val->u.str.s, .id = FIELD_NONE};
    }
    return fv;
}

/* ---- windows-hosts.toml ---- */

static void load_hosts(struct rd *r)
{
    struct view_maps *m = r->m;
    const struct toml_value *root = toml_root(r->doc);
    static const char *const top[] = {"view", "wine", "mono", "binfmt", NULL};
    check_keys(r, root, top);

    const struct toml_value *v = need_table(r, root, "view");
    if (v) {
        static const char *const keys[] = {"skip_actions", "skip_forked_end", "set", NULL};
        check_keys(r, v, keys);
        need_list(r, v, "skip_actions", &m->skip_actions);
        m->skip_forked_end = need_bool(r, v, "skip_forked_end");
        const struct toml_value *set = need_table(r, v, "set");
        if (set)
            m->set = fv_table(r, set, &m->nset);
    }

    const struct toml_value *w = need_table(r, root, "wine");
    if (w) {
        static const char *const keys[] = {
            "loaders",      "loader_dirs",         "wrapper_scripts",
            "preloaders",   "script_interpreters", "reexec_unless_env",
            "child_env",    "option_prefix",       "prefix_env",
            "home_env",     "default_prefix",      "root_home",
            "system_drive", "unix_drive",          "system_dir",
            "builtins",     "use_title",           NULL};
        check_keys(r, w, keys);
        need_list(r, w, "loaders", &m->wine.loaders);
        need_list(r, w, "loader_dirs", &m->wine.dirs);
        need_list(r, w, "preloaders", &m->wine.preloaders);
        need_list(r, w, "wrapper_scripts", &m->wine.wrappers);
        need_list(r, w, "script_interpreters", &m->wine.interps);
        need_list(r, w, "builtins", &m->wine.builtins);
        m->wine.reexec_env = need_str(r, w, "reexec_unless_env");
        m->wine.child_env = need_str(r, w, "child_env");
        m->wine.option_prefix = need_str(r, w, "option_prefix");
        m->wine.prefix_env = need_str(r, w, "prefix_env");
        m->wine.home_env = need_str(r, w, "home_env");
        m->wine.default_prefix = need_str(r, w, "default_prefix");
        m->wine.root_home = need_str(r, w, "root_home");
        m->wine.system_drive = need_str(r, w, "system_drive");
        m->wine.unix_drive = need_str(r, w, "unix_drive");
        m->wine.system_dir = need_str(r, w, "system_dir");
        m->wine.use_title = need_bool(r, w, "use_title");
    }

    const struct toml_value *mo = need_table(r, root, "mono");
    if (mo) {
        static const char *const keys[] = {"hosts",           "options_with_value",
                                           "skip_words",      "assembly_suffixes",
                                           "dll_name_suffix", NULL};
        check_keys(r, mo, keys);
        need_list(r, mo, "hosts", &m->mono.hosts);
        need_list(r, mo, "options_with_value", &m->mono.opts_with_value);
        need_list(r, mo, "skip_words", &m->mono.skip_words);
        need_list(r, mo, "assembly_suffixes", &m->mono.suffixes);
        m->mono.dll_name_suffix = need_str(r, mo, "dll_name_suffix");
    }

    const struct toml_value *b = need_table(r, root, "binfmt");
    if (b) {
        static const char *const keys[] = {"suffixes", NULL};
        check_keys(r, b, keys);
        need_list(r, b, "suffixes", &m->binfmt.suffixes);
    }
}

/* ---- aliases.toml ---- */

static void load_aliases(struct rd *r)
{
    struct view_maps *m = r->m;
    const struct toml_value *root = toml_root(r->doc);
    static const char *const top[] = {"alias", NULL};
    check_keys(r, root, top);
    const struct toml_value *arr = need(r, root, "alias", TOML_ARRAY);
    if (!arr)
        return;
    size_t n = toml_array_len(arr);
    m->alias = arena_alloc(&m->arena, sizeof *m->alias * (n + 1));
    for (size_t i = 0; i < n && !r->failed; i++) {
        const struct toml_value *t = toml_array_at(arr, i);
        if (t->type != TOML_TABLE) {
            fail_at(r, t->src_off, "\"alias\" must be an array of tables");
            return;
        }
        static const char *const keys[] = {"id",          "windows_name", "windows_executable",
                                           "linux_names", "hosted_names", "subcommands",
                                           "transient",   "arg_map",      NULL};
        check_keys(r, t, keys);
        struct view_alias *a = &m->alias[m->nalias++];
        memset(a, 0, sizeof *a);
        a->id = need_str(r, t, "id");
        a->win_name = need_str(r, t, "windows_name");
        a->win_exe = need_str(r, t, "windows_executable");
        need_list(r, t, "linux_names", &a->linux_names);
        need_list(r, t, "hosted_names", &a->hosted_names);
        need_list(r, t, "subcommands", &a->subcommands);
        a->transient = need_bool(r, t, "transient");
        const struct toml_value *map = need_table(r, t, "arg_map");
        if (map)
            a->map = fv_table(r, map, &a->nmap);
        if (!r->failed && a->linux_names.n == 0 && a->hosted_names.n == 0)
            fail_at(r, t->src_off, "alias \"%s\" has neither linux_names nor hosted_names", a->id);
        if (!r->failed && (!*a->win_name || !*a->win_exe))
            fail_at(r, t->src_off, "alias \"%s\" needs windows_name and windows_executable", a->id);
    }
}

/* ---- ecs-synonyms.toml ---- */

static void load_synonyms(struct rd *r)
{
    struct view_maps *m = r->m;
    const struct toml_value *root = toml_root(r->doc);
    static const char *const top[] = {"synonym", NULL};
    check_keys(r, root, top);
    const struct toml_value *arr = need(r, root, "synonym", TOML_ARRAY);
    if (!arr)
        return;
    size_t n = toml_array_len(arr);
    m->syn = arena_alloc(&m->arena, sizeof *m->syn * (n + 1));
    for (size_t i = 0; i < n && !r->failed; i++) {
        const struct toml_value *t = toml_array_at(arr, i);
        if (t->type != TOML_TABLE) {
            fail_at(r, t->src_off, "\"synonym\" must be an array of tables");
            return;
        }
        static const char *const keys[] = {"when", "add", NULL};
        check_keys(r, t, keys);
        struct view_syn *s = &m->syn[m->nsyn++];
        memset(s, 0, sizeof *s);
        const struct toml_value *when = need_table(r, t, "when");
        const struct toml_value *add = need_table(r, t, "add");
        if (!when || !add)
            return;
        s->when = fv_table(r, when, &s->nwhen);
        if (!r->failed && s->nwhen == 0)
            fail_at(r, when->src_off, "\"when\" needs at least one field");
        size_t na = toml_table_len(add);
        s->add = arena_alloc(&m->arena, sizeof *s->add * (na + 1));
        for (size_t k = 0; k < na && !r->failed; k++) {
            const struct toml_kv *kv = toml_table_at(add, k);
            if (kv->val->type != TOML_ARRAY) {
                fail_at(r, kv->val->src_off, "\"%s\" must be an array of strings", kv->key);
                return;
            }
            struct view_add *ad = &s->add[s->nadd++];
            ad->field = kv->key;
            ad->id = FIELD_NONE;
            strlist_from(r, kv->val, kv->key, &ad->vals);
        }
    }
}

/* ---- entry points ---- */

static void watch_add(struct view_maps *m, const struct strlist *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        m->watch.s[m->watch.n] = l->s[i];
        m->watch.len[m->watch.n++] = l->len[i];
    }
}

static void build_watch(struct view_maps *m)
{
    uint32_t n = m->wine.loaders.n + m->wine.interps.n + m->mono.hosts.n;
    for (uint32_t i = 0; i < m->nalias; i++)
        n += m->alias[i].linux_names.n;
    m->watch.s = arena_alloc(&m->arena, sizeof *m->watch.s * (n + 1));
    m->watch.len = arena_alloc(&m->arena, sizeof *m->watch.len * (n + 1));
    watch_add(m, &m->wine.loaders);
    watch_add(m, &m->wine.interps);
    watch_add(m, &m->mono.hosts);
    for (uint32_t i = 0; i < m->nalias; i++)
        watch_add(m, &m->alias[i].linux_names);
    uint32_t cap = 16;
    while (cap < 4 * m->watch.n)
        cap *= 2;
    m->watch_mask = cap - 1;
    m->watch_slot = arena_alloc(&m->arena, sizeof *m->watch_slot * cap);
    memset(m->watch_slot, 0, sizeof *m->watch_slot * cap);
    for (uint32_t i = 0; i < m->watch.n; i++) {
        uint32_t h = (uint32_t)hash_bytes(m->watch.s[i], m->watch.len[i]) & m->watch_mask;
        while (m->watch_slot[h])
            h = (h + 1) & m->watch_mask;
        m->watch_slot[h] = i + 1;
    }
}

static bool load_one(struct view_maps *m, int slot, const char *dir, const char *file,
                     void (*fn)(struct rd *), char *err, size_t errlen)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return false;
    }
    m->doc[slot] = toml_parse_file(path, err, errlen);
    if (!m->doc[slot])
        return false;
    struct rd r = {.m = m, .doc = m->doc[slot], .err = err, .errlen = errlen};
    fn(&r);
    return !r.failed;
}

struct view_maps *view_maps_load(const char *dir, char *err, size_t errlen)
{
    struct view_maps *m = xcalloc(1, sizeof *m);
    m->ids = xcalloc(1, sizeof *m->ids);
    if (!load_one(m, 0, dir, "windows-hosts.toml", load_hosts, err, errlen) ||
        !load_one(m, 1, dir, "aliases.toml", load_aliases, err, errlen) ||
        !load_one(m, 2, dir, "ecs-synonyms.toml", load_synonyms, err, errlen)) {
        view_maps_free(m);
        return NULL;
    }
    build_watch(m);
    return m;
}

void view_maps_free(struct view_maps *m)
{
    if (!m)
        return;
    for (int i = 0; i < 3; i++)
        toml_free(m->doc[i]);
    arena_clear(&m->arena);
    free(m->ids);
    free(m);
}
