/* view_int.h — the loaded mapping tables, shared by view_maps.c (loading) and view.c (use). */
#ifndef VIGIL_VIEW_INT_H
#define VIGIL_VIEW_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "event/event.h"
#include "toml/toml.h"
#include "util/util.h"
#include "view/view.h"

/* Strings point into the TOML documents the maps keep. */
struct strlist {
    const char **s;
    uint32_t *len;
    uint32_t n;
};

/* One field (by name, id resolved per fieldtab) and a value. */
struct view_fv {
    const char *field;
    const char *val;
    uint32_t id;
};

struct view_add {
    const char *field;
    struct strlist vals;
    uint32_t id;
};

struct view_syn {
    struct view_fv *when;
    uint32_t nwhen;
    struct view_add *add;
    uint32_t nadd;
};

struct view_alias {
    const char *id, *win_name, *win_exe;
    struct strlist linux_names, hosted_names, subcommands;
    bool transient;
    struct view_fv *map; /* arg_map: field = from, val = to */
    uint32_t nmap;
};

/* process.* field slots; ORDER VP: vp_names in view.c */
enum view_pf {
    VP_NAME,
    VP_EXE,
    VP_ARGS,
    VP_ARGS_COUNT,
    VP_CMDLINE,
    VP_TITLE,
    VP_ENV,
    VP_CWD,
    VP_COUNT
};

/* Field ids for one fieldtab, resolved on first use with it. */
struct view_ids {
    const struct fieldtab *ft;
    uint32_t action, user_id;
    uint32_t p[2][VP_COUNT]; /* process., process.parent. */
    uint32_t linux_name, linux_exe, adapter, alias;
};

struct view_maps {
    struct toml_doc *doc[3];
    struct arena arena; /* the arrays below */

    struct strlist skip_actions;
    bool skip_forked_end;
    struct view_fv *set;
    uint32_t nset;

    struct {
        struct strlist loaders, dirs, preloaders, interps, builtins, wrappers;
        const char *reexec_env, *child_env, *option_prefix, *prefix_env, *home_env;
        const char *default_prefix, *root_home, *system_drive, *unix_drive, *system_dir;
        bool use_title;
    } wine;
    struct {
        struct strlist hosts, opts_with_value, skip_words, suffixes;
        const char *dll_name_suffix;
    } mono;
    struct {
        struct strlist suffixes;
    } binfmt;

    struct view_alias *alias;
    uint32_t nalias;
    struct view_syn *syn;
    uint32_t nsyn;

    /* every Linux basename some adapter or alias looks for: anything else has no view unless
     * its name has a binfmt suffix (the fast way out for ordinary events) */
    struct strlist watch;
    uint32_t *watch_slot; /* open addressing over hash_bytes: index + 1, 0 = empty */
    uint32_t watch_mask;

    struct view_ids *ids; /* mutable cache behind the const maps view_windows gets */
};

/* ---- view_path.c: string helpers (byte ranges; strings from events are NUL-terminated) ---- */

struct str {
    const char *s; /* NULL: absent */
    size_t n;
};

static inline struct str mk(const char *s)
{
    return (struct str){s, s ? strlen(s) : 0};
}

static inline bool eq(struct str a, const char *b)
{
    return a.s && strlen(b) == a.n && memcmp(a.s, b, a.n) == 0;
}

static inline bool ends_nocase(struct str a, const char *suf)
{
    size_t k = strlen(suf);
    return a.s && a.n >= k && mem_eq_nocase(a.s + a.n - k, k, suf, k);
}

static inline bool has_slash(struct str s)
{
    return s.s && memchr(s.s, '/', s.n) != NULL;
}

/* The string of a value (first element of an array); .s NULL for other types. */
struct str view_val_str(const struct val *v);
/* The value of KEY in an env_vars array ("KEY=VALUE"); .s NULL when absent. */
struct str view_env_get(const struct val *env, const char *key);
/* Is s in l (exact, or ASCII-case-insensitive)? */
bool view_in_list(const struct strlist *l, struct str s, bool nocase);
/* The part after the last '/' (and, with dos, after the last '\\'). */
struct str view_base(struct str p, bool dos);
/* x y z concatenated, NUL-terminated, in arena a. */
char *view_cat(struct arena *a, struct str x, struct str y, struct str z);

struct view_prefix {
    struct str dir; /* the Wine prefix without trailing '/', .s NULL when unknown */
};
/* The Wine prefix of a process: $WINEPREFIX, else $HOME/.wine, else /root/.wine for uid 0. */
void view_find_prefix(const struct view_maps *m, struct arena *a, const struct val *env,
                      struct str uid, struct view_prefix *pfx);
/*
 * The DOS path Windows sees for a program path `pe` as given on the Linux command line (in a).
 * wine: built-in lookup, prefix drive mapping and ".exe" appending apply; otherwise (mono,
 * binfmt) absolute paths are on the Unix drive unless pfx maps them.
 */
char *view_dos_path(const struct view_maps *m, struct arena *a, struct str pe, struct str cwd,
                    const struct view_prefix *pfx, bool wine);

#endif
