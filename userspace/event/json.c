/*
 * json.c — events from and to JSON, and NDJSON traces. Reading goes through cJSON and
 * flattens objects into dotted names; writing is our own (no tree is built) and nests
 * dotted names back into objects.
 */
#include "event/event.h"
#include "event/event_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define JSON_MAX_DEPTH 64

/* ---- reading ---- */

/*
 * cJSON allocates every node with malloc; a line's tree lives only while it is flattened.
 * While event_from_json parses, cJSON's allocations come from a bump arena instead (free is
 * then a no-op, and the tree is dropped with one arena_reset): a quarter of the reader's time
 * was malloc and free. Outside a parse the hooks are plain malloc and free. The arena is the
 * one piece of global state here: cJSON's hooks are global themselves.
 */
static __thread struct arena *parse_arena;
static __thread struct arena parse_arena_mem;

static void *json_malloc(size_t n)
{
    return parse_arena ? arena_alloc(parse_arena, n) : malloc(n);
}

static void json_free(void *p)
{
    if (!parse_arena)
        free(p);
}

/* Parse text with the tree in parse_arena_mem (valid until the next call). */
static cJSON *parse_in_arena(const char *text, size_t len, const char **end)
{
    static bool hooked;
    if (!hooked) {
        cJSON_Hooks h = {.malloc_fn = json_malloc, .free_fn = json_free};
        cJSON_InitHooks(&h);
        hooked = true;
    }
    arena_reset(&parse_arena_mem);
    parse_arena = &parse_arena_mem;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, end, false);
    parse_arena = NULL;
    return root;
}

struct flatten {
    struct event *ev;
    const char *scan, *end; /* the source text, to read number tokens exactly (see below) */
    struct buf path;
    char *err;
    size_t errlen;
};

/*
 * cJSON keeps numbers only as doubles, which would turn 2.0 into 2 and lose digits of large
 * integers. Flattening visits values in document order, so the n-th number cJSON gives us is
 * the n-th number token in the text: find that token and read it exactly.
 */
static struct val number_val(struct flatten *fl, double d)
{
    const char *p = fl->scan, *end = fl->end;
    while (p < end) {
        if (*p == '"') { /* skip a string: to the first quote after an even run of '\\' */
            for (;;) {
                const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
                if (!q) {
                    p = end;
                    break;
                }
                const char *b = q;
                while (b > p + 1 && b[-1] == '\\')
                    b--;
                p = q;
                if ((q - b) % 2 == 0)
                    break;
            }
            p++;
            continue;
        }
        if (*p == '-' || (*p >= '0' && *p <= '9'))
            break;
        p++;
    }
    const char *tok = p;
    bool is_float = false;
    while (p < end && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9'))) {
        if (*p == '.' || *p == 'e' || *p == 'E')
            is_float = true;
        p++;
    }
    fl->scan = p;
    if (!is_float && p > tok && p - tok < 24) {
        char tmp[24];
        memcpy(tmp, tok, (size_t)(p - tok));
        tmp[p - tok] = 0;
        errno = 0;
        char *e;
        long long i = strtoll(tmp, &e, 10);
        if (!errno && !*e)
            return (struct val){.type = VAL_LONG, .i = i};
    }
    return (struct val){.type = VAL_DOUBLE, .d = d};
}

static bool scalar_val(struct flatten *fl, const cJSON *j, bool ip, struct val *out)
{
    struct arena *a = &fl->ev->arena;
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        size_t n = strlen(s);
        uint8_t addr[16];
        *out = (struct val){.type = VAL_STR, .n = (uint32_t)n};
        out->s = arena_strndup(a, s, n);
        if (ip && ip_parse(s, n, addr)) {
            uint8_t *p = arena_alloc(a, 16);
            memcpy(p, addr, 16);
            out->type = VAL_IP;
            out->ip = p;
        }
    } else if (cJSON_IsNumber(j)) {
        *out = number_val(fl, j->valuedouble);
    } else if (cJSON_IsBool(j)) {
        *out = (struct val){.type = VAL_BOOL, .b = cJSON_IsTrue(j)};
    } else if (cJSON_IsNull(j)) {
        *out = (struct val){.type = VAL_NULL};
    } else {
        return false;
    }
    return true;
}

static int flatten_value(struct flatten *fl, const cJSON *j, int depth);

/* Collect the scalars of a (possibly nested) array into items; objects inside are flattened
 * under the same path (Elasticsearch's object arrays). */
static int array_scalars(struct flatten *fl, const cJSON *arr, bool ip, struct val *items,
                         uint32_t *n, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        snprintf(fl->err, fl->errlen, "nesting deeper than %d", JSON_MAX_DEPTH);
        return -1;
    }
    for (const cJSON *c = arr->child; c; c = c->next) {
        if (cJSON_IsArray(c)) {
            if (array_scalars(fl, c, ip, items, n, depth + 1) < 0)
                return -1;
        } else if (cJSON_IsObject(c)) {
            if (flatten_value(fl, c, depth + 1) < 0)
                return -1;
        } else if (items) {
            scalar_val(fl, c, ip, &items[(*n)++]);
        } else {
            (*n)++;
        }
    }
    return 0;
}

static uint32_t count_scalars(const cJSON *arr)
{
    uint32_t n = 0;
    for (const cJSON *c = arr->child; c; c = c->next)
        if (cJSON_IsArray(c))
            n += count_scalars(c);
        else if (!cJSON_IsObject(c))
            n++;
    return n;
}

static bool has_objects(const cJSON *arr)
{
    for (const cJSON *c = arr->child; c; c = c->next)
        if (cJSON_IsObject(c) || (cJSON_IsArray(c) && has_objects(c)))
            return true;
    return false;
}

static int flatten_value(struct flatten *fl, const cJSON *j, int depth)
{
    struct event *ev = fl->ev;
    if (depth > JSON_MAX_DEPTH) {
        snprintf(fl->err, fl->errlen, "nesting deeper than %d", JSON_MAX_DEPTH);
        return -1;
    }
    if (cJSON_IsObject(j)) {
        size_t base = fl->path.len;
        for (const cJSON *c = j->child; c; c = c->next) {
            fl->path.len = base;
            if (base)
                buf_putc(&fl->path, '.');
            buf_puts(&fl->path, c->string);
            if (flatten_value(fl, c, depth + 1) < 0)
                return -1;
        }
        fl->path.len = base;
        if (fl->path.p)
            fl->path.p[base] = 0;
        return 0;
    }
    if (fl->path.len == 0) {
        snprintf(fl->err, fl->errlen, "expected a JSON object");
        return -1;
    }
    uint32_t id = fieldtab_intern(ev->ft, fl->path.p, fl->path.len);
    bool ip = field_is_ip(fl->path.p);
    if (cJSON_IsArray(j)) {
        uint32_t n = count_scalars(j);
        if (n == 0 && has_objects(j)) /* only objects: their leaves carry the values */
            return array_scalars(fl, j, ip, NULL, &n, depth + 1);
        struct val *items = arena_alloc(&ev->arena, sizeof *items * (n ? n : 1));
        uint32_t k = 0;
        if (array_scalars(fl, j, ip, items, &k, depth + 1) < 0)
            return -1;
        event_push(ev, id, (struct val){.type = VAL_ARRAY, .n = k, .items = items});
        return 0;
    }
    struct val v;
    if (!scalar_val(fl, j, ip, &v)) {
        snprintf(fl->err, fl->errlen, "unsupported JSON value");
        return -1;
    }
    event_push(ev, id, v); /* scalar_val built v in ev's arena */
    return 0;
}

static void event_take_timestamp(struct event *ev)
{
    const struct val *v = event_get_name(ev, "@timestamp");
    if (!v)
        return;
    if (v->type == VAL_STR)
        time_parse_iso8601(v->s, v->n, &ev->ts);
    else if (v->type == VAL_LONG) /* epoch milliseconds */
        ev->ts = v->i * 1000000LL;
    else if (v->type == VAL_DOUBLE)
        ev->ts = (int64_t)(v->d * 1e6);
}

int event_from_json(struct event *ev, const char *text, size_t len, char *err, size_t errlen)
{
    event_reset(ev);
    const char *end = NULL;
    cJSON *root = parse_in_arena(text, len, &end);
    if (!root) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        const char *at = cJSON_GetErrorPtr();
        if (at && at >= text && at <= text + len)
            off = (size_t)(at - text);
        snprintf(err, errlen, "invalid JSON at column %zu", off + 1);
        return -1;
    }
    /* trailing garbage after the object */
    if (end) {
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (end < text + len) {
            snprintf(err, errlen, "unexpected text after the JSON value at column %zu",
                     (size_t)(end - text) + 1);
            return -1;
        }
    }
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "expected a JSON object");
        return -1;
    }
    struct flatten fl = {.ev = ev, .scan = text, .end = text + len, .err = err, .errlen = errlen};
    int rc = flatten_value(&fl, root, 0);
    buf_clear(&fl.path); /* the tree goes with the next parse_in_arena */
    if (rc < 0)
        return -1;
    event_seal(ev);
    event_take_timestamp(ev);
    return 0;
}

/* ---- writing ---- */

void val_write_json(const struct val *v, struct buf *out)
{
    char tmp[40];
    switch (v->type) {
    case VAL_NULL:
        buf_puts(out, "null");
        break;
    case VAL_BOOL:
        buf_puts(out, v->b ? "true" : "false");
        break;
    case VAL_LONG:
        buf_printf(out, "%lld", (long long)v->i);
        break;
    case VAL_DOUBLE:
        if (!isfinite(v->d)) {
            buf_puts(out, "null");
            break;
        }
        snprintf(tmp, sizeof tmp, "%.17g", v->d);
        buf_puts(out, tmp);
        if (!strpbrk(tmp, ".eE")) /* keep it a float when read back */
            buf_puts(out, ".0");
        break;
    case VAL_STR:
    case VAL_IP:
        buf_json_str(out, v->s, v->n);
        break;
    case VAL_ARRAY:
        buf_putc(out, '[');
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                buf_putc(out, ',');
            val_write_json(&v->items[i], out);
        }
        buf_putc(out, ']');
        break;
    default:
        buf_puts(out, "null");
        break;
    }
}

struct named {
    const char *name;
    uint32_t at;  /* its index in ev->f */
    size_t flat; /* name[0..flat) nests as objects; the rest is one (maybe dotted) key */
};

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Length of the shortest proper component prefix of name that is itself a field of ev, or 0.
 * Such a prefix cannot also be an object, so nesting stops above it ("a.b" and "a.b.c" are
 * written as {"a":{"b":..,"b.c":..}}). */
static size_t leaf_prefix(const struct event *ev, const char *name)
{
    for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
        uint32_t id = fieldtab_find(ev->ft, name, (size_t)(dot - name));
        if (id != FIELD_NONE && event_get(ev, id))
            return (size_t)(dot - name);
    }
    return 0;
}

/* Close the innermost open object of path cur[0..curlen); returns the new path length. */
static size_t close_object(struct buf *out, const char *cur, size_t curlen)
{
    buf_putc(out, '}');
    while (curlen > 0 && cur[curlen - 1] != '.')
        curlen--;
    return curlen ? curlen - 1 : 0;
}

/*
 * The JSON of ev with every value left out: out gets the text, cut[i] the offset where the
 * i-th value (ev->f[at[i]]) goes, cut[n] the end. A pure function of ev's ids in order.
 */
static void write_layout(const struct event *ev, struct buf *out, uint32_t *at, uint32_t *cut)
{
    struct named stackbuf[128];
    struct named *f = ev->n <= 128 ? stackbuf : xmalloc(sizeof *f * ev->n);
    for (uint32_t i = 0; i < ev->n; i++) {
        f[i].name = fieldtab_name(ev->ft, ev->f[i].id);
        f[i].at = i;
    }
    qsort(f, ev->n, sizeof *f, cmp_named);
    for (uint32_t i = 0; i < ev->n; i++) {
        /* nest only through components that are not themselves fields */
        size_t lp = leaf_prefix(ev, f[i].name);
        const char *last = strrchr(f[i].name, '.');
        size_t nest = last ? (size_t)(last - f[i].name) : 0;
        if (lp) { /* stop nesting before the component that is a leaf */
            const char *p = f[i].name + lp;
            while (p > f[i].name && p[-1] != '.')
                p--;
            nest = p > f[i].name ? (size_t)(p - f[i].name) - 1 : 0;
        }
        const char *nm = f[i].name;
        if (nm[0] == '.' || strstr(nm, "..") || (nm[0] && nm[strlen(nm) - 1] == '.'))
            nest = 0; /* empty components cannot nest: keep the name as one key */
        size_t depth = 0;
        for (size_t k = 0; k < nest; k++)
            depth += nm[k] == '.';
        if (depth >= JSON_MAX_DEPTH / 2)
            nest = 0; /* so deep that reading it back would hit the depth limit */
        f[i].flat = nest;
    }

    /* the open objects are the components of cur[0..curlen) */
    const char *cur = "";
    size_t curlen = 0;
    bool first = true;
    buf_putc(out, '{');
    for (uint32_t i = 0; i < ev->n; i++) {
        const char *name = f[i].name;
        size_t nest = f[i].flat;
        /* close objects until cur is a component prefix of name[0..nest) */
        while (curlen > 0 &&
               !(curlen <= nest && memcmp(cur, name, curlen) == 0 &&
                 (curlen == nest || name[curlen] == '.'))) {
            curlen = close_object(out, cur, curlen);
            first = false;
        }
        /* open objects for the components of name[curlen..nest) */
        while (curlen < nest) {
            size_t start = curlen ? curlen + 1 : 0;
            const char *dot = memchr(name + start, '.', nest - start);
            size_t end = dot ? (size_t)(dot - name) : nest;
            if (!first)
                buf_putc(out, ',');
            buf_json_str(out, name + start, end - start);
            buf_puts(out, ":{");
            first = true;
            cur = name;
            curlen = end;
        }
        cur = name;
        if (!first)
            buf_putc(out, ',');
        size_t kstart = nest ? nest + 1 : 0;
        buf_json_str(out, name + kstart, strlen(name) - kstart);
        buf_putc(out, ':');
        at[i] = f[i].at;
        cut[i] = (uint32_t)out->len;
        first = false;
    }
    while (curlen > 0)
        curlen = close_object(out, cur, curlen);
    buf_putc(out, '}');
    cut[ev->n] = (uint32_t)out->len;
    if (f != stackbuf)
        free(f);
}

/*
 * The layouts of the last few id sequences written (kept with the field table, where the
 * names are): a producer writes events of a few shapes over and over, and then the JSON of
 * an event is its layout's text with the values in between. Name sorting and nesting were
 * four fifths of the writer's time.
 */
enum { LAYOUTS = 8 };
struct json_layouts {
    struct json_layout {
        uint32_t n;
        uint32_t *ids, *at, *cut; /* n, n and n + 1 entries, one allocation */
        struct buf text;
    } slot[LAYOUTS];
    uint32_t next;
};

void json_layouts_free(struct json_layouts *ls)
{
    if (!ls)
        return;
    for (int i = 0; i < LAYOUTS; i++) {
        free(ls->slot[i].ids);
        buf_clear(&ls->slot[i].text);
    }
    free(ls);
}

static const struct json_layout *layout_of(const struct event *ev)
{
    struct json_layouts **lsp = fieldtab_layouts(ev->ft);
    if (!*lsp)
        *lsp = xcalloc(1, sizeof **lsp);
    struct json_layouts *ls = *lsp;
    for (int k = 0; k < LAYOUTS; k++) {
        const struct json_layout *l = &ls->slot[k];
        if (l->n != ev->n || !l->ids)
            continue;
        uint32_t i = 0;
        while (i < ev->n && l->ids[i] == ev->f[i].id)
            i++;
        if (i == ev->n)
            return l;
    }
    struct json_layout *l = &ls->slot[ls->next];
    ls->next = (ls->next + 1) % LAYOUTS;
    free(l->ids);
    l->n = ev->n;
    l->ids = xmalloc(sizeof *l->ids * (3 * (size_t)ev->n + 1));
    l->at = l->ids + ev->n;
    l->cut = l->at + ev->n;
    for (uint32_t i = 0; i < ev->n; i++)
        l->ids[i] = ev->f[i].id;
    buf_reset(&l->text);
    write_layout(ev, &l->text, l->at, l->cut);
    return l;
}

void event_write_json(const struct event *ev, struct buf *out)
{
    const struct json_layout *l = layout_of(ev);
    uint32_t from = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        buf_append(out, l->text.p + from, l->cut[i] - from);
        val_write_json(&ev->f[l->at[i]].v, out);
        from = l->cut[i];
    }
    buf_append(out, l->text.p + from, l->cut[l->n] - from);
}

/* ---- NDJSON reader ---- */

struct ndjson_reader {
    gzFile gz;
    char *path;
    struct buf line;
    uint64_t lineno, bad;
    bool quiet;
    char rbuf[1 << 16];
    size_t rpos, rlen;
    bool eof;
};

struct ndjson_reader *ndjson_open(const char *path, struct fieldtab *ft)
{
    (void)ft;
    gzFile gz = strcmp(path, "-") == 0 ? gzdopen(dup(0), "rb") : gzopen(path, "rb");
    if (!gz) {
        if (!errno)
            errno = ENOMEM;
        return NULL;
    }
    gzbuffer(gz, 1 << 17);
    struct ndjson_reader *r = xcalloc(1, sizeof *r);
    r->gz = gz;
    r->path = xstrdup(path);
    return r;
}

/* Read one line into r->line (without the newline). 1 ok, 0 eof, -1 error. */
static int read_line(struct ndjson_reader *r)
{
    buf_reset(&r->line);
    for (;;) {
        if (r->rpos == r->rlen) {
            if (r->eof)
                return r->line.len ? 1 : 0;
            int n = gzread(r->gz, r->rbuf, sizeof r->rbuf);
            if (n < 0)
                return -1;
            if (n == 0) {
                r->eof = true;
                continue;
            }
            r->rpos = 0;
            r->rlen = (size_t)n;
        }
        char *start = r->rbuf + r->rpos;
        char *nl = memchr(start, '\n', r->rlen - r->rpos);
        if (nl) {
            buf_append(&r->line, start, (size_t)(nl - start));
            r->rpos += (size_t)(nl - start) + 1;
            return 1;
        }
        buf_append(&r->line, start, r->rlen - r->rpos);
        r->rpos = r->rlen;
    }
}

int ndjson_next(struct ndjson_reader *r, struct event *ev)
{
    char err[200];
    for (;;) {
        int rc = read_line(r);
        if (rc <= 0) {
            if (rc < 0 && !r->quiet)
                fprintf(stderr, "%s: read error\n", r->path);
            return rc;
        }
        r->lineno++;
        size_t n = r->line.len;
        if (n && r->line.p[n - 1] == '\r')
            n--;
        size_t i = 0;
        while (i < n && (r->line.p[i] == ' ' || r->line.p[i] == '\t'))
            i++;
        if (i == n)
            continue;
        if (event_from_json(ev, r->line.p, n, err, sizeof err) < 0) {
            r->bad++;
            if (!r->quiet)
                fprintf(stderr, "%s:%llu: %s\n", r->path, (unsigned long long)r->lineno, err);
            continue;
        }
        ev->seq = r->lineno;
        return 1;
    }
}

uint64_t ndjson_bad_lines(const struct ndjson_reader *r)
{
    return r->bad;
}

uint64_t ndjson_line(const struct ndjson_reader *r)
{
    return r->lineno;
}

const char *ndjson_path(const struct ndjson_reader *r)
{
    return r->path;
}

void ndjson_set_quiet(struct ndjson_reader *r, bool quiet)
{
    r->quiet = quiet;
}

void ndjson_close(struct ndjson_reader *r)
{
    if (!r)
        return;
    gzclose(r->gz);
    buf_clear(&r->line);
    free(r->path);
    free(r);
}
