/* view_path.c — small string helpers and DOS paths (the Wine prefix's drive mapping); see
 * mappings/windows-hosts.toml for the rules and why. */
#include <string.h>

#include "view/view_int.h"

struct str view_val_str(const struct val *v)
{
    if (v && v->type == VAL_ARRAY)
        v = v->n ? &v->items[0] : NULL;
    if (v && (v->type == VAL_STR || v->type == VAL_IP))
        return (struct str){v->s, v->n};
    return (struct str){NULL, 0};
}

struct str view_env_get(const struct val *env, const char *key)
{
    struct str none = {NULL, 0};
    if (!env || !*key)
        return none;
    size_t k = strlen(key);
    uint32_t n = env->type == VAL_ARRAY ? env->n : 1;
    for (uint32_t i = 0; i < n; i++) {
        struct str e = view_val_str(env->type == VAL_ARRAY ? &env->items[i] : env);
        if (e.s && e.n > k && memcmp(e.s, key, k) == 0 && e.s[k] == '=')
            return (struct str){e.s + k + 1, e.n - k - 1};
    }
    return none;
}

bool view_in_list(const struct strlist *l, struct str s, bool nocase)
{
    if (!s.s)
        return false;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->len[i] == s.n &&
            (nocase ? mem_eq_nocase(s.s, s.n, l->s[i], s.n) : memcmp(s.s, l->s[i], s.n) == 0))
            return true;
    return false;
}

struct str view_base(struct str p, bool dos)
{
    if (!p.s)
        return p;
    size_t i = p.n;
    while (i > 0 && p.s[i - 1] != '/' && !(dos && p.s[i - 1] == '\\'))
        i--;
    return (struct str){p.s + i, p.n - i};
}

/* ---- building strings in the out event's arena ---- */

char *view_cat(struct arena *a, struct str x, struct str y, struct str z)
{
    char *p = arena_alloc(a, x.n + y.n + z.n + 1);
    memcpy(p, x.s, x.n);
    memcpy(p + x.n, y.s, y.n);
    memcpy(p + x.n + y.n, z.s, z.n);
    p[x.n + y.n + z.n] = 0;
    return p;
}

/* Collapse "//", "/./" and "/../" of an absolute path in place; returns the new length. */
static size_t normalize(char *p, size_t n)
{
    size_t o = 0, i = 0;
    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        size_t s = i;
        while (i < n && p[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && p[s] == '.'))
            continue;
        if (len == 2 && p[s] == '.' && p[s + 1] == '.') {
            while (o > 0 && p[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        p[o++] = '/';
        memmove(p + o, p + s, len);
        o += len;
    }
    if (o == 0)
        p[o++] = '/';
    p[o] = 0;
    return o;
}

static void slashes_to_backslashes(char *p)
{
    for (; *p; p++)
        if (*p == '/')
            *p = '\\';
}

static bool is_dos_path(struct str s)
{
    if (s.n >= 3 && ((s.s[0] | 0x20) >= 'a' && (s.s[0] | 0x20) <= 'z') && s.s[1] == ':' &&
        (s.s[2] == '\\' || s.s[2] == '/'))
        return true;
    return s.n >= 2 && s.s[0] == '\\' && s.s[1] == '\\';
}

/* Append ".exe" when the last path component has no extension (Wine's rule for `wine notepad`). */
static char *with_exe(struct arena *a, char *p)
{
    struct str b = view_base(mk(p), true);
    if (memchr(b.s, '.', b.n))
        return p;
    return view_cat(a, mk(p), mk(".exe"), mk(""));
}

char *view_dos_path(const struct view_maps *m, struct arena *a, struct str pe, struct str cwd,
                    const struct view_prefix *pfx, bool wine)
{
    if (is_dos_path(pe)) {
        char *p = view_cat(a, pe, mk(""), mk(""));
        slashes_to_backslashes(p);
        return wine ? with_exe(a, p) : p;
    }
    char *abs;
    if (!has_slash(pe) && wine) {
        struct str stem = pe;
        if (ends_nocase(stem, ".exe"))
            stem.n -= 4;
        for (uint32_t i = 0; i < m->wine.builtins.n; i++)
            if (mem_eq_nocase(stem.s, stem.n, m->wine.builtins.s[i], strlen(m->wine.builtins.s[i])))
                return with_exe(a, view_cat(a, mk(m->wine.system_dir), mk("\\"), pe));
    }
    if (pe.n && pe.s[0] == '/') {
        abs = view_cat(a, pe, mk(""), mk(""));
    } else if (cwd.n && cwd.s[0] == '/') {
        abs = view_cat(a, cwd, mk("/"), pe);
    } else { /* relative, no cwd known: the best we can say */
        char *p = view_cat(a, pe, mk(""), mk(""));
        slashes_to_backslashes(p);
        return wine ? with_exe(a, p) : p;
    }
    size_t n = normalize(abs, strlen(abs));
    char *out = NULL;
    if (pfx && pfx->dir.s) {
        const struct str d = pfx->dir;
        if (n >= d.n && memcmp(abs, d.s, d.n) == 0 && abs[d.n] == '/') {
            const char *rest = abs + d.n + 1;
            if (str_has_prefix(rest, "drive_c") && (rest[7] == '/' || rest[7] == 0)) {
                out = view_cat(a, mk(m->wine.system_drive), mk("\\"), mk(rest[7] ? rest + 8 : ""));
            } else if (str_has_prefix(rest, "dosdevices/") && rest[11] && rest[12] == ':' &&
                       (rest[13] == '/' || rest[13] == 0)) {
                char drive[3] = {(char)(rest[11] & ~0x20), ':', 0};
                out = view_cat(a, mk(drive), mk("\\"), mk(rest[13] ? rest + 14 : ""));
            }
        }
    }
    if (!out)
        out = view_cat(a, mk(m->wine.unix_drive), mk(abs), mk(""));
    slashes_to_backslashes(out);
    return wine ? with_exe(a, out) : out;
}

void view_find_prefix(const struct view_maps *m, struct arena *a, const struct val *env,
                      struct str uid, struct view_prefix *pfx)
{
    struct str d = view_env_get(env, m->wine.prefix_env);
    if (!d.s || !d.n || d.s[0] != '/') {
        struct str home = view_env_get(env, m->wine.home_env);
        if ((!home.s || home.s[0] != '/') && eq(uid, "0"))
            home = mk(m->wine.root_home);
        d = home.s && home.s[0] == '/'
                ? (struct str){view_cat(a, home, mk("/"), mk(m->wine.default_prefix)), 0}
                : (struct str){NULL, 0};
        d.n = d.s ? strlen(d.s) : 0;
    }
    if (d.s) {
        char *p = view_cat(a, d, mk(""), mk(""));
        d.n = normalize(p, d.n);
        d.s = p;
    }
    pfx->dir = d;
}
