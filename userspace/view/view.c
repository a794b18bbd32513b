/*
 * view.c — the Windows view of one event (see view.h; the mapping data and why it is so are in
 * the files of mappings/). Per event: classify the process (and its parent) with the host adapters
 * (wine, mono, binfmt) and the aliases, then copy the Linux fields the view does not replace
 * and add the Windows ones. Working strings live in the out event's arena.
 */
#include <string.h>

#include "view/view_int.h"

/* ORDER VP */
static const char *const vp_names[VP_COUNT] = {
    "name",         "executable", "args",     "args_count",
    "command_line", "title",      "env_vars", "working_directory",
};

static uint32_t intern(struct fieldtab *ft, const char *name)
{
    return fieldtab_intern(ft, name, strlen(name));
}

/* The ids for ft, resolved once per fieldtab. */
static const struct view_ids *bind(const struct view_maps *m, struct fieldtab *ft)
{
    struct view_ids *c = m->ids;
    if (c->ft == ft)
        return c;
    c->ft = ft;
    c->action = intern(ft, "event.action");
    c->user_id = intern(ft, "user.id");
    char name[64];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < VP_COUNT; i++) {
            snprintf(name, sizeof name, "%s%s", k ? "process.parent." : "process.", vp_names[i]);
            c->p[k][i] = intern(ft, name);
        }
    c->linux_name = intern(ft, "vigil.linux.process.name");
    c->linux_exe = intern(ft, "vigil.linux.process.executable");
    c->adapter = intern(ft, "vigil.host_adapter");
    c->alias = intern(ft, "vigil.alias");
    for (uint32_t i = 0; i < m->nset; i++)
        m->set[i].id = intern(ft, m->set[i].field);
    for (uint32_t i = 0; i < m->nsyn; i++) {
        for (uint32_t k = 0; k < m->syn[i].nwhen; k++)
            m->syn[i].when[k].id = intern(ft, m->syn[i].when[k].field);
        for (uint32_t k = 0; k < m->syn[i].nadd; k++)
            m->syn[i].add[k].id = intern(ft, m->syn[i].add[k].field);
    }
    return c;
}

/* ---- reading one process's fields ---- */

/* What the view reads of one process (k = 0: process.*, 1: process.parent.*). */
struct pin {
    struct str name, exe, title, cwd;
    const struct val *args, *env;
    uint32_t nargs;
};

static void read_pin(const struct view_ids *ids, const struct event *ev, int k, struct pin *p)
{
    const uint32_t *f = ids->p[k];
    p->name = view_val_str(event_get(ev, f[VP_NAME]));
    p->exe = view_val_str(event_get(ev, f[VP_EXE]));
    p->title = view_val_str(event_get(ev, f[VP_TITLE]));
    p->cwd = view_val_str(event_get(ev, f[VP_CWD]));
    p->args = event_get(ev, f[VP_ARGS]);
    p->env = event_get(ev, f[VP_ENV]);
    if (p->args && p->args->type == VAL_ARRAY)
        p->nargs = p->args->n;
    else
        p->nargs = p->args && p->args->type == VAL_STR ? 1 : 0;
    if (p->env && p->env->type != VAL_ARRAY && p->env->type != VAL_STR)
        p->env = NULL;
}

static struct str arg(const struct pin *p, uint32_t i)
{
    if (i >= p->nargs)
        return (struct str){NULL, 0};
    if (p->args->type == VAL_STR)
        return (struct str){p->args->s, p->args->n};
    return view_val_str(&p->args->items[i]);
}

/* ---- classification ---- */

/* What the Windows view says of one process. */
struct pres {
    const char *adapter; /* NULL: not a Windows process */
    const struct view_alias *alias;
    bool transient;         /* an exec that always execs again: no Windows "start" */
    const char *name, *exe; /* exe NULL: keep the Linux value */
    const char **argv;
    size_t *argl;
    uint32_t argc;
    bool quote0; /* quote argv[0] always (Wine's rebuilt command line) */
};

static void set_args(struct arena *a, struct pres *r, const char *first, const struct pin *p,
                     uint32_t from, uint32_t skip)
{
    uint32_t n = 1 + (from < p->nargs ? p->nargs - from : 0);
    r->argv = arena_alloc(a, sizeof *r->argv * n);
    r->argl = arena_alloc(a, sizeof *r->argl * n);
    r->argc = 0;
    r->argv[r->argc] = first;
    r->argl[r->argc++] = strlen(first);
    for (uint32_t i = from; i < p->nargs; i++) {
        if (i == skip)
            continue;
        struct str s = arg(p, i);
        r->argv[r->argc] = s.s ? s.s : "";
        r->argl[r->argc++] = s.n;
    }
}

/* Is s a Wine loader (basename listed, in a listed directory; bare names when allow_bare)? */
static bool wine_loader(const struct view_maps *m, struct str s, bool allow_bare)
{
    if (!s.s)
        return false;
    struct str b = view_base(s, false);
    if (!view_in_list(&m->wine.loaders, b, false))
        return false;
    if (b.s == s.s)
        return allow_bare;
    struct str dir = {s.s, (size_t)(b.s - s.s)};
    while (dir.n > 1 && dir.s[dir.n - 1] == '/')
        dir.n--;
    return view_in_list(&m->wine.dirs, dir, false);
}

/* Is s one of Wine's wrapper scripts, in a Wine directory? */
static bool wine_helper(const struct view_maps *m, struct str s)
{
    struct str b = view_base(s, false);
    if (!s.s || b.s == s.s || !view_in_list(&m->wine.wrappers, b, false))
        return false;
    struct str dir = {s.s, (size_t)(b.s - s.s)};
    while (dir.n > 1 && dir.s[dir.n - 1] == '/')
        dir.n--;
    return view_in_list(&m->wine.dirs, dir, false);
}

static bool wine_classify(const struct view_maps *m, struct arena *a, const struct pin *p,
                          const struct val *penv, struct str uid, struct pres *r)
{
    struct str a0 = arg(p, 0);
    uint32_t idx;
    bool transient = false;
    if (a0.s && view_in_list(&m->wine.interps, view_base(a0, false), false)) {
        /* a #! script: [interpreter, options..., script, args...] */
        uint32_t k = 1;
        while (k < p->nargs && arg(p, k).n && arg(p, k).s[0] == '-')
            k++;
        if (wine_helper(m, arg(p, k))) {
            r->adapter = "wine"; /* Wine's own wrapper: no view, and no alias either */
            r->transient = true;
            return true;
        }
        if (!wine_loader(m, arg(p, k), false))
            return false;
        idx = k + 1;
        transient = true;
    } else if (wine_loader(m, a0, true)) {
        idx = 1;
        bool pre = view_in_list(&m->wine.preloaders, view_base(a0, false), false);
        if (pre && wine_loader(m, arg(p, 1), true))
            idx = 2;
        transient = !pre && p->env && !view_env_get(p->env, m->wine.reexec_env).s;
    } else if (wine_loader(m, p->exe, false)) {
        idx = 0; /* argv already rewritten by Wine (argv[0] dropped): seen after the fact */
    } else {
        return false;
    }
    size_t opl = strlen(m->wine.option_prefix);
    while (opl && idx < p->nargs && arg(p, idx).n >= opl &&
           memcmp(arg(p, idx).s, m->wine.option_prefix, opl) == 0)
        idx++;

    r->adapter = "wine";
    r->transient = transient;
    struct str pe = arg(p, idx);
    if (pe.s && pe.n) {
        struct view_prefix pfx;
        view_find_prefix(m, a, penv, uid, &pfx);
        r->exe = view_dos_path(m, a, pe, p->cwd, &pfx, true);
        struct str b = view_base(mk(r->exe), true);
        r->name = view_cat(a, b, mk(""), mk(""));
        bool child = view_env_get(p->env, m->wine.child_env).s != NULL;
        /* a CreateProcess child sees its parent's command line; a top-level program the one
         * Wine rebuilds: its full DOS path, quoted */
        set_args(a, r, child ? view_cat(a, pe, mk(""), mk("")) : r->exe, p, idx + 1, UINT32_MAX);
        r->quote0 = !child;
    } else if (!(m->wine.use_title && p->title.n)) {
        r->adapter = NULL; /* a Wine loader with nothing to say what it runs */
        return false;
    }
    if (m->wine.use_title && p->title.n)
        r->name = view_cat(a, p->title, mk(""), mk(""));
    return true;
}

static bool mono_classify(const struct view_maps *m, struct arena *a, const struct pin *p,
                          struct pres *r)
{
    struct str a0 = arg(p, 0);
    if (!(a0.s && view_in_list(&m->mono.hosts, view_base(a0, false), false)) &&
        !(p->exe.s && view_in_list(&m->mono.hosts, view_base(p->exe, false), false)))
        return false;
    uint32_t k = 1;
    while (k < p->nargs) {
        struct str s = arg(p, k);
        if (s.n && s.s[0] == '-')
            k += view_in_list(&m->mono.opts_with_value, s, false) ? 2 : 1;
        else if (view_in_list(&m->mono.skip_words, s, false))
            k++;
        else
            break;
    }
    struct str pe = arg(p, k);
    bool ok = false;
    for (uint32_t i = 0; i < m->mono.suffixes.n && !ok; i++)
        ok = ends_nocase(pe, m->mono.suffixes.s[i]) && pe.n > strlen(m->mono.suffixes.s[i]);
    if (!ok)
        return false;
    r->adapter = "mono";
    r->exe = view_dos_path(m, a, pe, p->cwd, NULL, false);
    struct str b = view_base(pe, false);
    if (ends_nocase(b, ".dll"))
        r->name = view_cat(a, (struct str){b.s, b.n - 4}, mk(m->mono.dll_name_suffix), mk(""));
    else
        r->name = view_cat(a, b, mk(""), mk(""));
    set_args(a, r, r->exe, p, k + 1, UINT32_MAX);
    return true;
}

static bool binfmt_classify(const struct view_maps *m, struct arena *a, const struct pin *p,
                            const struct val *penv, struct str uid, struct pres *r)
{
    bool ok = false;
    for (uint32_t i = 0; i < m->binfmt.suffixes.n && !ok; i++)
        ok = ends_nocase(p->name, m->binfmt.suffixes.s[i]);
    /* the image run is an interpreter, not the .exe itself */
    if (!ok || !p->exe.s ||
        mem_eq_nocase(view_base(p->exe, false).s, view_base(p->exe, false).n, p->name.s, p->name.n))
        return false;
    uint32_t k = UINT32_MAX;
    for (uint32_t i = 0; i < p->nargs && k == UINT32_MAX; i++) {
        struct str b = view_base(arg(p, i), false);
        if (b.s && (mem_eq_nocase(b.s, b.n, p->name.s, p->name.n) ||
                    /* a comm-truncated name (15 characters) */
                    (p->name.n == 15 && b.n > 15 && mem_eq_nocase(b.s, 15, p->name.s, 15))))
            k = i;
    }
    struct str pe = k == UINT32_MAX ? p->name : arg(p, k);
    struct view_prefix pfx;
    view_find_prefix(m, a, penv, uid, &pfx);
    r->adapter = "binfmt";
    r->exe = view_dos_path(m, a, pe, p->cwd, &pfx, false);
    r->name = view_cat(a, view_base(pe, false), mk(""), mk(""));
    set_args(a, r, r->exe, p, k == UINT32_MAX ? p->nargs : k + 1, UINT32_MAX);
    return true;
}

/* The index of the first argument after argv[0] that is not an option, or nargs. */
static uint32_t first_word(const struct pin *p)
{
    uint32_t k = 1;
    while (k < p->nargs && arg(p, k).n && arg(p, k).s[0] == '-')
        k++;
    return k;
}

static bool alias_linux_match(const struct view_alias *al, const struct pin *p)
{
    const struct strlist *l = &al->linux_names;
    if (!l->n)
        return false;
    if (!(view_in_list(l, p->name, false) ||
          (p->exe.s && view_in_list(l, view_base(p->exe, false), false)) ||
          (p->nargs && view_in_list(l, view_base(arg(p, 0), false), false))))
        return false;
    return !al->subcommands.n || view_in_list(&al->subcommands, arg(p, first_word(p)), false);
}

/* A Linux tool standing for a Windows one: [win_exe, args after argv[0] (minus the subcommand),
 * arg_map applied to the leading options]. */
static void alias_linux(struct arena *a, const struct view_alias *al, const struct pin *p,
                        struct pres *r)
{
    uint32_t w = first_word(p);
    set_args(a, r, al->win_exe, p, 1, al->subcommands.n ? w : UINT32_MAX);
    for (uint32_t i = 1; i < r->argc && i < w; i++)
        for (uint32_t k = 0; k < al->nmap; k++)
            if (eq((struct str){r->argv[i], r->argl[i]}, al->map[k].field)) {
                r->argv[i] = al->map[k].val;
                r->argl[i] = strlen(al->map[k].val);
                break;
            }
    r->adapter = "alias";
    r->transient = al->transient;
}

/*
 * penv: the environment the Wine prefix is read from (the process's own, or for a parent whose
 * environment is unknown, the child's); decisions about the exec itself use only p->env.
 */
static void classify(const struct view_maps *m, struct arena *a, const struct pin *p,
                     const struct val *penv, struct str uid, struct pres *r)
{
    memset(r, 0, sizeof *r);
    if (!wine_classify(m, a, p, penv, uid, r) && !mono_classify(m, a, p, r) &&
        !binfmt_classify(m, a, p, penv, uid, r)) {
        for (uint32_t i = 0; i < m->nalias; i++)
            if (alias_linux_match(&m->alias[i], p)) {
                r->alias = &m->alias[i];
                r->name = r->alias->win_name;
                r->exe = r->alias->win_exe;
                alias_linux(a, r->alias, p, r);
                return;
            }
        return;
    }
    /* a hosted program may itself stand for another Windows tool (xbuild.exe -> MSBuild.exe) */
    for (uint32_t i = 0; r->name && i < m->nalias; i++)
        if (view_in_list(&m->alias[i].hosted_names, mk(r->name), true)) {
            r->alias = &m->alias[i];
            r->name = r->alias->win_name;
            r->exe = r->alias->win_exe;
            if (r->argc)
                r->argv[0] = r->exe, r->argl[0] = strlen(r->exe), r->quote0 = false;
            break;
        }
}

/* ---- output ---- */

/* Quote one argument so that CommandLineToArgvW reads it back (backslashes double before a
 * quote); p has room for 2n + 3 bytes. Returns the bytes written. */
static size_t win_quote(char *p, const char *s, size_t n, bool force)
{
    bool need = force || n == 0;
    for (size_t i = 0; i < n && !need; i++)
        need = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '"';
    if (!need) {
        memcpy(p, s, n);
        return n;
    }
    size_t o = 0, bs = 0;
    p[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            bs++;
            continue;
        }
        size_t reps = s[i] == '"' ? 2 * bs + 1 : bs;
        memset(p + o, '\\', reps);
        o += reps;
        bs = 0;
        p[o++] = s[i];
    }
    memset(p + o, '\\', 2 * bs);
    o += 2 * bs;
    p[o++] = '"';
    return o;
}

/*
 * The view's own values, collected before anything is written so that the out event can be
 * filled in field-id order (event_seal then has nothing to sort). REPLACE values stand instead
 * of the Linux field; ADD values (synonyms) are appended to it.
 */
enum { OP_REPLACE, OP_ADD };
#define MAX_OPS 96

struct op {
    uint32_t id;
    uint8_t kind;
    struct val v;
};

struct ops {
    struct op op[MAX_OPS];
    uint32_t n;
};

static void op_add(struct ops *o, uint32_t id, int kind, struct val v)
{
    if (o->n < MAX_OPS) {
        o->op[o->n].id = id;
        o->op[o->n].kind = (uint8_t)kind;
        o->op[o->n++].v = v;
    }
}

static struct val sval(const char *s, size_t n)
{
    return (struct val){.type = VAL_STR, .n = (uint32_t)n, .s = s};
}

static void op_str(struct ops *o, uint32_t id, int kind, const char *s)
{
    op_add(o, id, kind, sval(s, strlen(s)));
}

static void put_process(struct arena *a, struct ops *o, const uint32_t *f, const struct pres *r)
{
    op_str(o, f[VP_NAME], OP_REPLACE, r->name);
    if (r->exe)
        op_str(o, f[VP_EXE], OP_REPLACE, r->exe);
    if (!r->argc)
        return;
    struct val *items = arena_alloc(a, sizeof *items * r->argc);
    for (uint32_t i = 0; i < r->argc; i++)
        items[i] = sval(r->argv[i], r->argl[i]);
    op_add(o, f[VP_ARGS], OP_REPLACE,
           (struct val){.type = VAL_ARRAY, .n = r->argc, .items = items});
    op_add(o, f[VP_ARGS_COUNT], OP_REPLACE, (struct val){.type = VAL_LONG, .i = r->argc});
    size_t cap = 1;
    for (uint32_t i = 0; i < r->argc; i++)
        cap += 2 * r->argl[i] + 4;
    char *line = arena_alloc(a, cap);
    size_t k = 0;
    for (uint32_t i = 0; i < r->argc; i++) {
        if (i)
            line[k++] = ' ';
        k += win_quote(line + k, r->argv[i], r->argl[i], i == 0 && r->quote0);
    }
    line[k] = 0;
    op_add(o, f[VP_CMDLINE], OP_REPLACE, sval(line, k));
}

static bool has_value(const struct val *v, const char *s)
{
    if (!v)
        return false;
    uint32_t n = v->type == VAL_ARRAY ? v->n : 1;
    for (uint32_t i = 0; i < n; i++)
        if (eq(view_val_str(v->type == VAL_ARRAY ? &v->items[i] : v), s))
            return true;
    return false;
}

static bool val_equal(const struct val *a, const struct val *b)
{
    if (!a || !b || a->type != b->type)
        return false;
    if (a->type == VAL_ARRAY) {
        if (a->n != b->n)
            return false;
        for (uint32_t i = 0; i < a->n; i++)
            if (!val_equal(&a->items[i], &b->items[i]))
                return false;
        return true;
    }
    if (a->type == VAL_STR || a->type == VAL_IP)
        return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
    return a->type == VAL_LONG ? a->i == b->i : false;
}

/* A process that never exec'd after its fork: the parent's executable and argv. */
static bool forked_copy(const struct view_ids *ids, const struct event *ev)
{
    return val_equal(event_get(ev, ids->p[0][VP_EXE]), event_get(ev, ids->p[1][VP_EXE])) &&
           val_equal(event_get(ev, ids->p[0][VP_ARGS]), event_get(ev, ids->p[1][VP_ARGS]));
}

/* Is s one of the Linux basenames some adapter or alias looks for? */
static bool watched(const struct view_maps *m, struct str s)
{
    if (!s.s)
        return false;
    uint32_t h = (uint32_t)hash_bytes(s.s, s.n) & m->watch_mask;
    for (uint32_t k; (k = m->watch_slot[h]) != 0; h = (h + 1) & m->watch_mask)
        if (m->watch.len[k - 1] == s.n && memcmp(m->watch.s[k - 1], s.s, s.n) == 0)
            return true;
    return false;
}

/* Stable insertion sort of the ops by field id (a few dozen at most). */
static void ops_sort(struct ops *o)
{
    for (uint32_t i = 1; i < o->n; i++) {
        struct op x = o->op[i];
        uint32_t j = i;
        while (j > 0 && o->op[j - 1].id > x.id) {
            o->op[j] = o->op[j - 1];
            j--;
        }
        o->op[j] = x;
    }
}

static uint32_t val_count(const struct val *v)
{
    return v->type == VAL_ARRAY ? v->n : 1;
}

static void val_append(struct val *items, uint32_t *k, const struct val *v)
{
    if (v->type == VAL_ARRAY) {
        memcpy(items + *k, v->items, sizeof *items * v->n);
        *k += v->n;
    } else {
        items[(*k)++] = *v;
    }
}

/*
 * Write field `id` of out: the Linux value lin (may be NULL) combined with the ops o[0..n) of
 * that id. One value is set as it is; several become one array.
 */
static void emit_field(struct event *out, uint32_t id, const struct val *lin, const struct op *o,
                       uint32_t n)
{
    bool repl = false;
    for (uint32_t i = 0; i < n; i++)
        repl |= o[i].kind == OP_REPLACE;
    const struct val *one = NULL;
    uint32_t total = 0, parts = 0;
    if (lin && !repl) {
        total += val_count(lin);
        parts++;
        one = lin;
    }
    for (uint32_t i = 0; i < n; i++)
        if (!repl || o[i].kind == OP_REPLACE) {
            total += val_count(&o[i].v);
            parts++;
            one = &o[i].v;
        }
    if (parts == 1) {
        event_set(out, id, one);
        return;
    }
    struct val *items = arena_alloc(&out->arena, sizeof *items * (total ? total : 1));
    uint32_t k = 0;
    if (lin && !repl)
        val_append(items, &k, lin);
    for (uint32_t i = 0; i < n; i++)
        if (!repl || o[i].kind == OP_REPLACE)
            val_append(items, &k, &o[i].v);
    struct val arr = {.type = VAL_ARRAY, .n = k, .items = items};
    event_set(out, id, &arr);
}

int view_windows(const struct view_maps *m, const struct event *ev, struct event *out)
{
    event_reset(out);
    const struct view_ids *ids = bind(m, ev->ft);
    const struct val *action = event_get(ev, ids->action);
    for (uint32_t i = 0; i < m->skip_actions.n; i++)
        if (has_value(action, m->skip_actions.s[i]))
            return 0;

    /* the fast way out: no name any adapter or alias looks for */
    struct str name = view_val_str(event_get(ev, ids->p[0][VP_NAME]));
    bool suffix = false;
    for (uint32_t i = 0; i < m->binfmt.suffixes.n && !suffix; i++)
        suffix = ends_nocase(name, m->binfmt.suffixes.s[i]);
    if (!suffix && !watched(m, name) &&
        !watched(m, view_base(view_val_str(event_get(ev, ids->p[0][VP_EXE])), false)) &&
        !watched(m, view_base(view_val_str(event_get(ev, ids->p[0][VP_ARGS])), false)))
        return 0;

    struct pin p, pp;
    read_pin(ids, ev, 0, &p);

    struct str uid = view_val_str(event_get(ev, ids->user_id));
    struct pres r, pr;
    classify(m, &out->arena, &p, p.env, uid, &r);
    if (!r.adapter || !r.name || (r.transient && has_value(action, "exec"))) {
        event_reset(out);
        return 0;
    }
    if (m->skip_forked_end && has_value(action, "end") && forked_copy(ids, ev)) {
        event_reset(out);
        return 0;
    }
    read_pin(ids, ev, 1, &pp);
    /* unknown parent environment or directory: the child's (Wine children inherit both) */
    if (!pp.cwd.s)
        pp.cwd = p.cwd;
    classify(m, &out->arena, &pp, pp.env ? pp.env : p.env, uid, &pr);

    struct ops *o = arena_alloc(&out->arena, sizeof *o);
    o->n = 0;
    put_process(&out->arena, o, ids->p[0], &r);
    if (pr.adapter && pr.name) /* (a Wine wrapper script has no Windows identity) */
        put_process(&out->arena, o, ids->p[1], &pr);
    for (uint32_t i = 0; i < m->nset; i++)
        op_str(o, m->set[i].id, OP_REPLACE, m->set[i].val);
    if (p.name.s)
        op_add(o, ids->linux_name, OP_REPLACE, sval(p.name.s, p.name.n));
    if (p.exe.s && r.exe)
        op_add(o, ids->linux_exe, OP_REPLACE, sval(p.exe.s, p.exe.n));
    op_str(o, ids->adapter, OP_REPLACE, r.adapter);
    if (r.alias)
        op_str(o, ids->alias, OP_REPLACE, r.alias->id);
    for (uint32_t i = 0; i < m->nsyn; i++) {
        const struct view_syn *s = &m->syn[i];
        bool hit = true;
        for (uint32_t k = 0; k < s->nwhen && hit; k++)
            hit = has_value(event_get(ev, s->when[k].id), s->when[k].val);
        for (uint32_t k = 0; hit && k < s->nadd; k++) {
            const struct val *cur = event_get(ev, s->add[k].id);
            for (uint32_t j = 0; j < s->add[k].vals.n; j++) {
                bool dup = has_value(cur, s->add[k].vals.s[j]);
                for (uint32_t q = 0; q < o->n && !dup; q++)
                    dup = o->op[q].id == s->add[k].id &&
                          eq(view_val_str(&o->op[q].v), s->add[k].vals.s[j]);
                if (!dup)
                    op_str(o, s->add[k].id, OP_ADD, s->add[k].vals.s[j]);
            }
        }
    }
    ops_sort(o);

    /* merge the Linux fields (sorted: ev is sealed) with the ops, in id order */
    uint32_t i = 0, j = 0;
    while (i < ev->n || j < o->n) {
        uint32_t li = i < ev->n ? ev->f[i].id : UINT32_MAX;
        uint32_t oi = j < o->n ? o->op[j].id : UINT32_MAX;
        if (li < oi) {
            event_set(out, li, &ev->f[i++].v);
            continue;
        }
        uint32_t k = j;
        while (k < o->n && o->op[k].id == oi)
            k++;
        emit_field(out, oi, li == oi ? &ev->f[i].v : NULL, &o->op[j], k - j);
        if (li == oi)
            i++;
        j = k;
    }
    out->ts = ev->ts;
    out->seq = ev->seq;
    event_seal(out);
    return 1;
}
