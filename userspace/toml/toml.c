/*
 * toml.c — the TOML 1.0 parser: recursive descent over the source bytes; the structure here
 * (keys, tables, arrays, inline tables), the scalars in toml_scalar.c. Tables, keys and
 * strings live in the doc's arena. See toml.h.
 *
 *   toml       = expression *( newline expression )
 *   expression = ws [ comment ] / ws keyval ws [ comment ] / ws table ws [ comment ]
 *   keyval     = key ws "=" ws val
 *   key        = simple-key *( ws "." ws simple-key )
 *   table      = "[" ws key ws "]" / "[[" ws key ws "]]"
 *   val        = string / boolean / array / inline-table / date-time / float / integer
 */
#include "toml/toml_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool toml_fail(struct parser *P, size_t off, const char *fmt, ...)
{
    int line, col;
    text_line_col(P->s, P->n, off, &line, &col);
    if (!P->err || !P->errlen)
        return false;
    int k = snprintf(P->err, P->errlen, "%s:%d:%d: ", P->doc->name, line, col);
    if (k >= 0 && (size_t)k < P->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(P->err + k, P->errlen - k, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* c for a message: 'x' when printable, else U+XXXX / byte 0xXX */
const char *toml_show(int c, char out[16])
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else if (c < 0x80)
        snprintf(out, 16, "U+%04X", (unsigned)c);
    else
        snprintf(out, 16, "byte 0x%02X", (unsigned)c);
    return out;
}

static void skip_ws(struct parser *P)
{
    while (P->i < P->n && (P->s[P->i] == ' ' || P->s[P->i] == '\t'))
        P->i++;
}

/* comment = "#" *non-eol ; stops before the newline */
static bool skip_comment(struct parser *P)
{
    if (peek(P, 0) != '#')
        return true;
    while (P->i < P->n && P->s[P->i] != '\n') {
        int c = (unsigned char)P->s[P->i];
        if (c == '\r' && peek(P, 1) == '\n')
            break;
        if (is_ctrl(c))
            return toml_fail(P, P->i, "control character U+%04X in comment", c);
        P->i++;
    }
    return true;
}

/* Consume a newline if there is one; a lone CR is an error. Returns 1 consumed, 0 none. */
int toml_eat_newline(struct parser *P, bool *ok)
{
    int c = peek(P, 0);
    if (c == '\n') {
        P->i++;
        return 1;
    }
    if (c == '\r') {
        if (peek(P, 1) == '\n') {
            P->i += 2;
            return 1;
        }
        *ok = toml_fail(P, P->i, "carriage return not followed by newline");
    }
    return 0;
}

/* ws [comment] (newline / EOF) */
static bool expect_eol(struct parser *P)
{
    skip_ws(P);
    if (!skip_comment(P))
        return false;
    if (P->i >= P->n)
        return true;
    bool ok = true;
    if (toml_eat_newline(P, &ok))
        return true;
    if (!ok)
        return false;
    char sb[16];
    return toml_fail(P, P->i, "expected end of line, found %s", toml_show(peek(P, 0), sb));
}

/* ws-comment-newline, inside arrays */
static bool skip_wcn(struct parser *P)
{
    for (;;) {
        skip_ws(P);
        if (!skip_comment(P))
            return false;
        bool ok = true;
        if (!toml_eat_newline(P, &ok))
            return ok;
    }
}

/* ---- tables ---- */

static struct toml_value *new_value(struct parser *P, enum toml_type t, size_t off)
{
    struct toml_value *v = arena_alloc(&P->doc->arena, sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = t;
    v->src_off = off;
    return v;
}

static struct toml_kv *table_find(const struct toml_table *t, const char *k, size_t klen)
{
    if (t->hidx) {
        size_t mask = t->hcap - 1;
        for (size_t h = hash_bytes(k, klen) & mask;; h = (h + 1) & mask) {
            uint32_t ix = t->hidx[h];
            if (!ix)
                return NULL;
            struct toml_kv *kv = &t->items[ix - 1];
            if (kv->key_len == klen && memcmp(kv->key, k, klen) == 0)
                return kv;
        }
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].key_len == klen && memcmp(t->items[i].key, k, klen) == 0)
            return &t->items[i];
    return NULL;
}

static void hidx_put(struct toml_table *t, size_t ix)
{
    size_t mask = t->hcap - 1;
    size_t h = hash_bytes(t->items[ix].key, t->items[ix].key_len) & mask;
    while (t->hidx[h])
        h = (h + 1) & mask;
    t->hidx[h] = (uint32_t)(ix + 1);
}

static void table_add(struct parser *P, struct toml_value *tv, const struct keyseg *k,
                      struct toml_value *val)
{
    struct toml_table *t = &tv->u.tab;
    struct arena *a = &P->doc->arena;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        struct toml_kv *items = arena_alloc(a, cap * sizeof *items);
        if (t->n)
            memcpy(items, t->items, t->n * sizeof *items);
        t->items = items;
        t->cap = cap;
    }
    struct toml_kv *kv = &t->items[t->n++];
    kv->key = k->s;
    kv->key_len = k->len;
    kv->key_off = k->off;
    kv->val = val;
    if (t->n >= 8 && t->n * 2 > t->hcap) {
        t->hcap = t->hcap ? t->hcap * 4 : 32;
        t->hidx = arena_alloc(a, t->hcap * sizeof *t->hidx);
        memset(t->hidx, 0, t->hcap * sizeof *t->hidx);
        for (size_t i = 0; i < t->n; i++)
            hidx_put(t, i);
    } else if (t->hidx) {
        hidx_put(t, t->n - 1);
    }
}

static void array_push(struct parser *P, struct toml_value *av, struct toml_value *v)
{
    struct toml_array *arr = &av->u.arr;
    if (arr->n == arr->cap) {
        size_t cap = arr->cap ? arr->cap * 2 : 4;
        struct toml_value **items = arena_alloc(&P->doc->arena, cap * sizeof *items);
        if (arr->n)
            memcpy(items, arr->items, arr->n * sizeof *items);
        arr->items = items;
        arr->cap = cap;
    }
    arr->items[arr->n++] = v;
}

static const char *article_type(enum toml_type t)
{
    switch (t) {
    case TOML_STRING:
        return "a string";
    case TOML_INTEGER:
        return "an integer";
    case TOML_FLOAT:
        return "a float";
    case TOML_BOOL:
        return "a boolean";
    case TOML_DATETIME:
    case TOML_DATETIME_LOCAL:
        return "a date-time";
    case TOML_DATE_LOCAL:
        return "a date";
    case TOML_TIME_LOCAL:
        return "a time";
    case TOML_ARRAY:
        return "an array";
    case TOML_TABLE:
        return "a table";
    }
    return "a value";
}

/* "a.b.c" from the first n segments, for messages (truncated, printable) */
static const char *key_name(const struct keyseg *seg, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outlen; i++) {
        if (i)
            out[o++] = '.';
        for (size_t j = 0; j < seg[i].len && o + 1 < outlen; j++) {
            unsigned char c = seg[i].s[j];
            out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
    }
    out[o] = 0;
    return out;
}

static bool depth_ok(struct parser *P, int depth, size_t off)
{
    if (depth > TOML_MAX_DEPTH)
        return toml_fail(P, off, "nesting deeper than %d levels", TOML_MAX_DEPTH);
    return true;
}

/* ---- keys ---- */

/* key = simple-key *( ws "." ws simple-key ); simple-key = quoted-key / unquoted-key */
static bool parse_key(struct parser *P, struct keyseg *seg, size_t *nseg)
{
    size_t n = 0;
    for (;;) {
        if (n == TOML_MAX_DEPTH)
            return toml_fail(P, P->i, "key has more than %d parts", TOML_MAX_DEPTH);
        int c = peek(P, 0);
        seg[n].off = P->i;
        if (c == '"' || c == '\'') {
            if (!toml_parse_string(P, &P->scratch, false))
                return false;
            seg[n].len = P->scratch.len;
            seg[n].s =
                arena_strndup(&P->doc->arena, P->scratch.p ? P->scratch.p : "", P->scratch.len);
        } else if (is_bare(c)) {
            size_t j = P->i;
            while (j < P->n && is_bare((unsigned char)P->s[j]))
                j++;
            seg[n].s = arena_strndup(&P->doc->arena, P->s + P->i, j - P->i);
            seg[n].len = j - P->i;
            P->i = j;
        } else if (c < 0) {
            return toml_fail(P, P->i, "expected a key, found end of file");
        } else if (c == '\n' || c == '\r') {
            return toml_fail(P, P->i, "expected a key, found end of line");
        } else {
            char sb[16];
            return toml_fail(P, P->i, "expected a key, found %s", toml_show(c, sb));
        }
        n++;
        size_t save = P->i;
        skip_ws(P);
        if (peek(P, 0) != '.') {
            P->i = save;
            break;
        }
        P->i++;
        skip_ws(P);
    }
    *nseg = n;
    return true;
}

/* ---- values ---- */

static bool parse_value(struct parser *P, struct toml_value **out, int depth);

/* array = "[" ws-comment-newline [ values ] ws-comment-newline "]"  (trailing comma ok) */
static bool parse_array(struct parser *P, struct toml_value *v, int depth)
{
    size_t open = P->i;
    v->type = TOML_ARRAY;
    v->flags = TF_INLINE;
    P->i++;
    for (;;) {
        if (!skip_wcn(P))
            return false;
        if (P->i >= P->n)
            return toml_fail(P, open, "unterminated array");
        if (peek(P, 0) == ']')
            break;
        struct toml_value *e;
        if (!parse_value(P, &e, depth + 1))
            return false;
        array_push(P, v, e);
        if (!skip_wcn(P))
            return false;
        if (P->i >= P->n)
            return toml_fail(P, open, "unterminated array");
        int c = peek(P, 0);
        if (c == ',') {
            P->i++;
            continue;
        }
        if (c == ']')
            break;
        char sb[16];
        return toml_fail(P, P->i, "expected ',' or ']' in array, found %s", toml_show(c, sb));
    }
    P->i++;
    return true;
}

static bool keyval(struct parser *P, struct toml_value *tab);

/* inline-table = "{" ws [ keyval *( ws "," ws keyval ) ] ws "}"  (no newline, no trailing ,) */
static bool parse_inline_table(struct parser *P, struct toml_value *v)
{
    size_t open = P->i;
    v->type = TOML_TABLE;
    P->i++;
    skip_ws(P);
    if (peek(P, 0) == '}') {
        P->i++;
        v->flags = TF_INLINE;
        return true;
    }
    for (;;) {
        skip_ws(P);
        int c = peek(P, 0);
        if (c < 0)
            return toml_fail(P, open, "unterminated inline table");
        if (c == '\n' || c == '\r')
            return toml_fail(P, P->i, "newline in inline table");
        if (c == '}')
            return toml_fail(P, P->i, "trailing comma in inline table");
        if (!keyval(P, v))
            return false;
        skip_ws(P);
        c = peek(P, 0);
        if (c == ',') {
            P->i++;
            continue;
        }
        if (c == '}')
            break;
        if (c < 0)
            return toml_fail(P, open, "unterminated inline table");
        if (c == '\n' || c == '\r')
            return toml_fail(P, P->i, "newline in inline table");
        char sb[16];
        return toml_fail(P, P->i, "expected ',' or '}' in inline table, found %s",
                         toml_show(c, sb));
    }
    P->i++;
    v->flags = TF_INLINE;
    return true;
}

/*
 * val = string / boolean / array / inline-table / date-time / float / integer
 * depth is the nesting level the new value will sit at (root table = 0).
 */
static bool parse_value(struct parser *P, struct toml_value **out, int depth)
{
    size_t st = P->i;
    int c = peek(P, 0);
    struct toml_value *v = new_value(P, TOML_STRING, st);
    v->depth = (uint16_t)(depth > TOML_MAX_DEPTH + 1 ? TOML_MAX_DEPTH + 1 : depth);
    *out = v;
    if (c == '[' || c == '{') {
        if (!depth_ok(P, depth, st))
            return false;
    }
    if (c == '"' || c == '\'') {
        if (!toml_parse_string(P, &P->scratch, true))
            return false;
        v->u.str.len = P->scratch.len;
        v->u.str.s =
            arena_strndup(&P->doc->arena, P->scratch.p ? P->scratch.p : "", P->scratch.len);
    } else if (c == '[') {
        if (!parse_array(P, v, depth))
            return false;
    } else if (c == '{') {
        if (!parse_inline_table(P, v))
            return false;
    } else if (c == 't' && P->n - P->i >= 4 && memcmp(P->s + P->i, "true", 4) == 0) {
        v->type = TOML_BOOL;
        v->u.b = true;
        P->i += 4;
    } else if (c == 'f' && P->n - P->i >= 5 && memcmp(P->s + P->i, "false", 5) == 0) {
        v->type = TOML_BOOL;
        P->i += 5;
    } else if (is_digit(c) && is_digit(peek(P, 1)) &&
               ((is_digit(peek(P, 2)) && is_digit(peek(P, 3)) && peek(P, 4) == '-') ||
                peek(P, 2) == ':')) {
        if (!toml_parse_datetime(P, v))
            return false;
    } else if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
        if (!toml_parse_number(P, v))
            return false;
    } else if (c < 0 || c == '\n' || c == '\r' || c == '#') {
        return toml_fail(P, st, "expected a value");
    } else {
        char sb[16];
        return toml_fail(P, st, "expected a value, found %s", toml_show(c, sb));
    }
    v->src_len = P->i - st;
    /* something glued to a scalar ("truex", "1979-05-27Tx") is an error at that byte */
    c = peek(P, 0);
    bool scalar = v->type != TOML_STRING && v->type != TOML_ARRAY && v->type != TOML_TABLE;
    if (scalar && (is_bare(c) || c == '.' || c == ':' || c == '+')) {
        char sb[16];
        return toml_fail(P, P->i, "unexpected character %s after value", toml_show(c, sb));
    }
    return true;
}

/* A new empty table under key seg of t, made by a dotted key or a header on the way (flags);
 * NULL (the error reported) when it would nest too deep. */
static struct toml_value *sub_table(struct parser *P, struct toml_value *t,
                                    const struct keyseg *seg, uint8_t flags)
{
    if (!depth_ok(P, t->depth + 1, seg->off))
        return NULL;
    struct toml_value *nt = new_value(P, TOML_TABLE, seg->off);
    nt->flags = flags;
    nt->depth = t->depth + 1;
    table_add(P, t, seg, nt);
    return nt;
}
/* keyval = key keyval-sep val, into table tab (dotted keys create sub-tables) */
static bool keyval(struct parser *P, struct toml_value *tab)
{
    struct keyseg seg[TOML_MAX_DEPTH];
    size_t nseg;
    char name[256];
    if (!parse_key(P, seg, &nseg))
        return false;
    skip_ws(P);
    if (peek(P, 0) != '=') {
        int c = peek(P, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return toml_fail(P, P->i, "expected '=' after key `%s`",
                             key_name(seg, nseg, name, sizeof name));
        char sb[16];
        return toml_fail(P, P->i, "expected '=' after key `%s`, found %s",
                         key_name(seg, nseg, name, sizeof name), toml_show(c, sb));
    }
    P->i++;
    skip_ws(P);
    struct toml_value *t = tab;
    for (size_t k = 0; k + 1 < nseg; k++) {
        struct toml_kv *kv = table_find(&t->u.tab, seg[k].s, seg[k].len);
        if (!kv) {
            if (!(t = sub_table(P, t, &seg[k], TF_DOTTED)))
                return false;
            continue;
        }
        struct toml_value *x = kv->val;
        if (x->type != TOML_TABLE)
            return toml_fail(P, seg[k].off, "key `%s` is already %s, not a table",
                             key_name(seg, k + 1, name, sizeof name), article_type(x->type));
        if (x->flags & TF_INLINE)
            return toml_fail(P, seg[k].off, "cannot add keys to inline table `%s`",
                             key_name(seg, k + 1, name, sizeof name));
        if (!(x->flags & TF_DOTTED))
            return toml_fail(P, seg[k].off,
                             "cannot add keys to table `%s` with dotted keys: it was defined by a "
                             "[header]",
                             key_name(seg, k + 1, name, sizeof name));
        t = x;
    }
    const struct keyseg *last = &seg[nseg - 1];
    if (table_find(&t->u.tab, last->s, last->len))
        return toml_fail(P, last->off, "duplicate key `%s`",
                         key_name(seg, nseg, name, sizeof name));
    struct toml_value *v;
    if (!parse_value(P, &v, t->depth + 1))
        return false;
    table_add(P, t, last, v);
    return true;
}

/* std-table = "[" ws key ws "]" ; array-table = "[[" ws key ws "]]" */
static bool table_header(struct parser *P)
{
    struct keyseg seg[TOML_MAX_DEPTH];
    size_t nseg, open = P->i;
    char name[256];
    bool aot = peek(P, 1) == '[';
    P->i += aot ? 2 : 1;
    skip_ws(P);
    if (!parse_key(P, seg, &nseg))
        return false;
    skip_ws(P);
    if (peek(P, 0) != ']' || (aot && peek(P, 1) != ']')) {
        if (aot && peek(P, 0) == ']')
            return toml_fail(P, P->i + 1, "expected ']]' to close array-of-tables header");
        return toml_fail(P, P->i, "expected '%s' after table name", aot ? "]]" : "]");
    }
    P->i += aot ? 2 : 1;
    struct toml_value *t = &P->doc->root;
    for (size_t k = 0; k + 1 < nseg; k++) {
        struct toml_kv *kv = table_find(&t->u.tab, seg[k].s, seg[k].len);
        if (!kv) {
            if (!(t = sub_table(P, t, &seg[k], TF_IMPLICIT)))
                return false;
            continue;
        }
        struct toml_value *x = kv->val;
        if (x->type == TOML_ARRAY && (x->flags & TF_AOT)) {
            t = x->u.arr.items[x->u.arr.n - 1];
            continue;
        }
        if (x->type != TOML_TABLE)
            return toml_fail(P, seg[k].off, "key `%s` is already %s, not a table",
                             key_name(seg, k + 1, name, sizeof name), article_type(x->type));
        if (x->flags & TF_INLINE)
            return toml_fail(P, seg[k].off, "cannot extend inline table `%s`",
                             key_name(seg, k + 1, name, sizeof name));
        t = x;
    }
    const struct keyseg *last = &seg[nseg - 1];
    struct toml_kv *kv = table_find(&t->u.tab, last->s, last->len);
    key_name(seg, nseg, name, sizeof name);
    if (!aot) {
        if (kv) {
            struct toml_value *x = kv->val;
            if (x->type != TOML_TABLE)
                return toml_fail(P, last->off, "key `%s` is already %s, not a table", name,
                                 article_type(x->type));
            if (x->flags & TF_INLINE)
                return toml_fail(P, last->off, "cannot redefine inline table `%s`", name);
            if (x->flags & TF_DOTTED)
                return toml_fail(P, last->off, "table `%s` was already defined by dotted keys",
                                 name);
            if (x->flags & TF_DEFINED)
                return toml_fail(P, last->off, "table `%s` defined twice", name);
            x->flags = TF_DEFINED;
            x->src_off = open;
            x->src_len = P->i - open;
            P->cur = x;
            return true;
        }
        if (!depth_ok(P, t->depth + 1, last->off))
            return false;
        struct toml_value *nt = new_value(P, TOML_TABLE, open);
        nt->src_len = P->i - open;
        nt->flags = TF_DEFINED;
        nt->depth = t->depth + 1;
        table_add(P, t, last, nt);
        P->cur = nt;
        return true;
    }
    struct toml_value *arr;
    if (kv) {
        arr = kv->val;
        if (arr->type != TOML_ARRAY)
            return toml_fail(P, last->off, "key `%s` is already %s, not an array of tables", name,
                             article_type(arr->type));
        if (!(arr->flags & TF_AOT))
            return toml_fail(P, last->off, "cannot append to static array `%s`", name);
    } else {
        if (!depth_ok(P, t->depth + 2, last->off))
            return false;
        arr = new_value(P, TOML_ARRAY, open);
        arr->flags = TF_AOT;
        arr->depth = t->depth + 1;
        table_add(P, t, last, arr);
    }
    struct toml_value *nt = new_value(P, TOML_TABLE, open);
    nt->src_len = P->i - open;
    nt->flags = TF_DEFINED;
    nt->depth = arr->depth + 1;
    array_push(P, arr, nt);
    P->cur = nt;
    return true;
}

static bool parse_doc(struct parser *P)
{
    size_t bad = utf8_valid_prefix((const unsigned char *)P->s, P->n);
    if (bad < P->n)
        return toml_fail(P, bad, "invalid UTF-8");
    if (P->n >= 3 && memcmp(P->s, "\xef\xbb\xbf", 3) == 0)
        P->i = 3; /* byte order mark */
    while (P->i < P->n) {
        skip_ws(P);
        if (!skip_comment(P))
            return false;
        bool ok = true;
        if (toml_eat_newline(P, &ok))
            continue;
        if (!ok)
            return false;
        if (P->i >= P->n)
            break;
        if (peek(P, 0) == '[') {
            if (!table_header(P))
                return false;
        } else if (!keyval(P, P->cur)) {
            return false;
        }
        if (!expect_eol(P))
            return false;
    }
    return true;
}

struct toml_doc *toml_parse(const char *name, const char *text, size_t len, char *err,
                            size_t errlen)
{
    struct toml_doc *doc = xcalloc(1, sizeof *doc);
    doc->name = xstrdup(name ? name : "<toml>");
    doc->text = xmalloc(len + 1);
    memcpy(doc->text, text, len);
    doc->text[len] = 0;
    doc->len = len;
    doc->root.type = TOML_TABLE;
    doc->root.flags = TF_DEFINED;
    doc->root.src_len = len;
    struct parser P = {
        .doc = doc,
        .s = doc->text,
        .n = len,
        .err = err,
        .errlen = errlen,
        .cur = &doc->root,
    };
    bool ok = parse_doc(&P);
    buf_clear(&P.scratch);
    if (!ok) {
        toml_free(doc);
        return NULL;
    }
    return doc;
}

struct toml_doc *toml_parse_file(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = file_read_all(path, &len);
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct toml_doc *doc = toml_parse(path, text, len, err, errlen);
    free(text);
    return doc;
}

void toml_free(struct toml_doc *doc)
{
    if (!doc)
        return;
    arena_clear(&doc->arena);
    free(doc->text);
    free(doc->name);
    free(doc);
}
