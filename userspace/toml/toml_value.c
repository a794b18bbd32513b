/* toml_value.c — access to a parsed TOML tree, positions, JSON export. See toml.h. */
#include "toml/toml_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct toml_value *toml_root(const struct toml_doc *doc)
{
    return doc ? &doc->root : NULL;
}

const char *toml_doc_text(const struct toml_doc *doc, size_t *len)
{
    if (len)
        *len = doc ? doc->len : 0;
    return doc ? doc->text : NULL;
}

const char *toml_doc_name(const struct toml_doc *doc)
{
    return doc ? doc->name : NULL;
}

const char *toml_type_name(enum toml_type t)
{
    switch (t) {
    case TOML_STRING:
        return "string";
    case TOML_INTEGER:
        return "integer";
    case TOML_FLOAT:
        return "float";
    case TOML_BOOL:
        return "boolean";
    case TOML_DATETIME:
        return "offset date-time";
    case TOML_DATETIME_LOCAL:
        return "local date-time";
    case TOML_DATE_LOCAL:
        return "local date";
    case TOML_TIME_LOCAL:
        return "local time";
    case TOML_ARRAY:
        return "array";
    case TOML_TABLE:
        return "table";
    }
    return "?";
}

static const struct toml_value *get_n(const struct toml_value *tab, const char *key, size_t n)
{
    if (!tab || tab->type != TOML_TABLE)
        return NULL;
    const struct toml_table *t = &tab->u.tab;
    if (t->hidx) {
        size_t mask = t->hcap - 1;
        for (size_t h = hash_bytes(key, n) & mask;; h = (h + 1) & mask) {
            uint32_t ix = t->hidx[h];
            if (!ix)
                return NULL;
            const struct toml_kv *kv = &t->items[ix - 1];
            if (kv->key_len == n && memcmp(kv->key, key, n) == 0)
                return kv->val;
        }
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i].key_len == n && memcmp(t->items[i].key, key, n) == 0)
            return t->items[i].val;
    return NULL;
}

const struct toml_value *toml_get(const struct toml_value *tab, const char *key)
{
    return key ? get_n(tab, key, strlen(key)) : NULL;
}

const struct toml_value *toml_get_path(const struct toml_value *tab, const char *path)
{
    if (!path)
        return NULL;
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        tab = get_n(tab, path, n);
        if (!tab || !dot)
            return tab;
        path = dot + 1;
    }
}

size_t toml_table_len(const struct toml_value *tab)
{
    return tab && tab->type == TOML_TABLE ? tab->u.tab.n : 0;
}

const struct toml_kv *toml_table_at(const struct toml_value *tab, size_t i)
{
    return i < toml_table_len(tab) ? &tab->u.tab.items[i] : NULL;
}

size_t toml_array_len(const struct toml_value *arr)
{
    return arr && arr->type == TOML_ARRAY ? arr->u.arr.n : 0;
}

const struct toml_value *toml_array_at(const struct toml_value *arr, size_t i)
{
    return i < toml_array_len(arr) ? arr->u.arr.items[i] : NULL;
}

const char *toml_as_str(const struct toml_value *v, size_t *len)
{
    if (!v || v->type != TOML_STRING)
        return NULL;
    if (len)
        *len = v->u.str.len;
    return v->u.str.s;
}

bool toml_as_int(const struct toml_value *v, int64_t *out)
{
    if (!v || v->type != TOML_INTEGER)
        return false;
    *out = v->u.i;
    return true;
}

bool toml_as_float(const struct toml_value *v, double *out)
{
    if (v && v->type == TOML_FLOAT) {
        *out = v->u.f;
        return true;
    }
    if (v && v->type == TOML_INTEGER) {
        *out = (double)v->u.i;
        return true;
    }
    return false;
}

bool toml_as_bool(const struct toml_value *v, bool *out)
{
    if (!v || v->type != TOML_BOOL)
        return false;
    *out = v->u.b;
    return true;
}

void toml_value_pos(const struct toml_doc *doc, const struct toml_value *v, int *line, int *col)
{
    text_line_col(doc->text, doc->len, v ? v->src_off : 0, line, col);
}

/* ---- decoded offset -> source offset ---- */

static bool nl_at(const char *s, size_t i, size_t end)
{
    return i < end && (s[i] == '\n' || (s[i] == '\r' && i + 1 < end && s[i + 1] == '\n'));
}

/*
 * Re-walk the raw text of a (valid) string exactly as the parser decoded it, counting output
 * bytes, and stop at the source byte that produced decoded byte `want`.
 */
size_t toml_str_src_offset(const struct toml_doc *doc, const struct toml_value *v, size_t want)
{
    if (!doc || !v)
        return 0;
    if (v->type != TOML_STRING || v->src_len < 2)
        return v->src_off;
    const char *s = doc->text;
    size_t i = v->src_off, end = v->src_off + v->src_len;
    char q = s[i];
    bool ml = v->src_len >= 6 && s[i + 1] == q && s[i + 2] == q;
    size_t close = end - (ml ? 3 : 1); /* where the closing delimiter starts */
    if (ml) {
        /* up to two quotes glued to the closing delimiter belong to the body */
        i += 3;
        if (i < end && s[i] == '\n')
            i++;
        else if (i + 1 < end && s[i] == '\r' && s[i + 1] == '\n')
            i += 2;
    } else {
        i++;
    }
    size_t d = 0;
    while (i < close) {
        if (q == '"' && s[i] == '\\') {
            size_t k = i + 1;
            if (ml) {
                while (k < close && (s[k] == ' ' || s[k] == '\t'))
                    k++;
                if (nl_at(s, k, close)) {
                    /* line-ending backslash: produces nothing */
                    i = k;
                    while (i < close && (s[i] == ' ' || s[i] == '\t' || nl_at(s, i, close)))
                        i += s[i] == '\r' ? 2 : 1;
                    continue;
                }
            }
            size_t raw = 2, out = 1;
            if (s[i + 1] == 'u' || s[i + 1] == 'U') {
                int nd = s[i + 1] == 'u' ? 4 : 8;
                uint32_t cp = 0;
                for (int j = 0; j < nd && i + 2 + j < close; j++)
                    cp = cp << 4 | (uint32_t)hex_digit((unsigned char)s[i + 2 + j]);
                char u[4];
                out = utf8_encode(cp, u);
                raw = 2 + nd;
            }
            if (want < d + out)
                return i;
            d += out;
            i += raw;
            continue;
        }
        if (d == want)
            return i;
        d++;
        i++;
    }
    return close;
}

/* ---- JSON ---- */

static void json_datetime(struct buf *b, const struct toml_value *v)
{
    const struct toml_datetime *dt = &v->u.dt;
    char tmp[64];
    size_t n = 0;
    if (v->type != TOML_TIME_LOCAL)
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%04d-%02d-%02d", dt->year, dt->month,
                              dt->day);
    if (v->type != TOML_DATE_LOCAL) {
        if (n)
            tmp[n++] = 'T';
        n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%02d:%02d:%02d", dt->hour, dt->minute,
                              dt->second);
        if (dt->frac_digits) {
            int ns = dt->nanosecond;
            for (int k = dt->frac_digits; k < 9; k++)
                ns /= 10;
            n += (size_t)snprintf(tmp + n, sizeof tmp - n, ".%0*d", dt->frac_digits, ns);
        }
    }
    if (v->type == TOML_DATETIME) {
        if (dt->offset_z) {
            tmp[n++] = 'Z';
        } else {
            int off = dt->offset_minutes;
            char sign = off < 0 ? '-' : '+';
            if (off < 0)
                off = -off;
            n += (size_t)snprintf(tmp + n, sizeof tmp - n, "%c%02d:%02d", sign, off / 60, off % 60);
        }
    }
    buf_json_str(b, tmp, n);
}

void toml_to_json(struct buf *b, const struct toml_value *v)
{
    if (!v) {
        buf_puts(b, "null");
        return;
    }
    switch (v->type) {
    case TOML_STRING:
        buf_json_str(b, v->u.str.s, v->u.str.len);
        break;
    case TOML_INTEGER:
        buf_printf(b, "%lld", (long long)v->u.i);
        break;
    case TOML_FLOAT:
        if (isfinite(v->u.f)) {
            /* shortest form that reads back as the same double */
            char tmp[32];
            for (int prec = 15; prec <= 17; prec++) {
                snprintf(tmp, sizeof tmp, "%.*g", prec, v->u.f);
                if (strtod(tmp, NULL) == v->u.f)
                    break;
            }
            buf_puts(b, tmp);
            if (!strpbrk(tmp, ".eE"))
                buf_puts(b, ".0"); /* stays a float for readers that care */
        } else
            buf_puts(b, "null");
        break;
    case TOML_BOOL:
        buf_puts(b, v->u.b ? "true" : "false");
        break;
    case TOML_DATETIME:
    case TOML_DATETIME_LOCAL:
    case TOML_DATE_LOCAL:
    case TOML_TIME_LOCAL:
        json_datetime(b, v);
        break;
    case TOML_ARRAY:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.arr.n; i++) {
            if (i)
                buf_putc(b, ',');
            toml_to_json(b, v->u.arr.items[i]);
        }
        buf_putc(b, ']');
        break;
    case TOML_TABLE:
        buf_putc(b, '{');
        for (size_t i = 0; i < v->u.tab.n; i++) {
            const struct toml_kv *kv = &v->u.tab.items[i];
            if (i)
                buf_putc(b, ',');
            buf_json_str(b, kv->key, kv->key_len);
            buf_putc(b, ':');
            toml_to_json(b, kv->val);
        }
        buf_putc(b, '}');
        break;
    }
}
