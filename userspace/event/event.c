/* event.c — field names, events and their values. See event.h. */
#include "event/event.h"
#include "event/event_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- fieldtab: open-addressing hash of interned names ---- */

struct fieldtab {
    char **names;      /* by id */
    uint32_t *lens;
    uint32_t n;
    size_t names_cap;
    uint32_t *slots;   /* id + 1, 0 = empty */
    uint32_t nslots;   /* power of two */
    struct arena arena;
    struct json_layouts *layouts; /* json.c */
};

struct fieldtab *fieldtab_new(void)
{
    struct fieldtab *ft = xcalloc(1, sizeof *ft);
    ft->nslots = 256;
    ft->slots = xcalloc(ft->nslots, sizeof *ft->slots);
    return ft;
}

void fieldtab_free(struct fieldtab *ft)
{
    if (!ft)
        return;
    free(ft->names);
    free(ft->lens);
    free(ft->slots);
    arena_clear(&ft->arena);
    json_layouts_free(ft->layouts);
    free(ft);
}

struct json_layouts **fieldtab_layouts(struct fieldtab *ft)
{
    return &ft->layouts;
}

static uint32_t *slot_for(const struct fieldtab *ft, const char *name, size_t len)
{
    uint32_t mask = ft->nslots - 1;
    uint32_t i = (uint32_t)hash_words(name, len, 0) & mask;
    for (;;) {
        uint32_t *s = &ft->slots[i];
        if (*s == 0)
            return s;
        uint32_t id = *s - 1;
        if (ft->lens[id] == len && memcmp(ft->names[id], name, len) == 0)
            return s;
        i = (i + 1) & mask;
    }
}

static void rehash(struct fieldtab *ft)
{
    free(ft->slots);
    ft->nslots *= 2;
    ft->slots = xcalloc(ft->nslots, sizeof *ft->slots);
    for (uint32_t id = 0; id < ft->n; id++)
        *slot_for(ft, ft->names[id], ft->lens[id]) = id + 1;
}

uint32_t fieldtab_intern(struct fieldtab *ft, const char *name, size_t len)
{
    uint32_t *s = slot_for(ft, name, len);
    if (*s)
        return *s - 1;
    size_t cap = ft->names_cap;
    ft->names = xgrow(ft->names, &ft->names_cap, ft->n + 1, sizeof *ft->names);
    ft->lens = xgrow(ft->lens, &cap, ft->n + 1, sizeof *ft->lens);
    uint32_t id = ft->n++;
    ft->names[id] = arena_strndup(&ft->arena, name, len);
    ft->lens[id] = (uint32_t)len;
    *s = id + 1;
    if (ft->n * 2 > ft->nslots)
        rehash(ft);
    return id;
}

uint32_t fieldtab_find(const struct fieldtab *ft, const char *name, size_t len)
{
    uint32_t s = *slot_for(ft, name, len);
    return s ? s - 1 : FIELD_NONE;
}

const char *fieldtab_name(const struct fieldtab *ft, uint32_t id)
{
    return id < ft->n ? ft->names[id] : "?";
}

uint32_t fieldtab_count(const struct fieldtab *ft)
{
    return ft->n;
}

/* ---- events ---- */

static void orders_free(struct event_orders *o);

void event_init(struct event *ev, struct fieldtab *ft)
{
    memset(ev, 0, sizeof *ev);
    ev->ft = ft;
}

void event_reset(struct event *ev)
{
    ev->n = 0;
    ev->ts = 0;
    ev->seq = 0;
    ev->sealed = false;
    arena_reset(&ev->arena);
}

void event_clear(struct event *ev)
{
    free(ev->f);
    ev->f = NULL;
    ev->n = ev->cap = 0;
    orders_free(ev->orders);
    ev->orders = NULL;
    arena_clear(&ev->arena);
}

struct val val_copy(struct arena *a, const struct val *v)
{
    struct val c = *v;
    switch (v->type) {
    case VAL_STR:
        c.s = arena_strndup(a, v->s, v->n);
        break;
    case VAL_IP: {
        c.s = arena_strndup(a, v->s, v->n);
        uint8_t *ip = arena_alloc(a, 16);
        memcpy(ip, v->ip, 16);
        c.ip = ip;
        break;
    }
    case VAL_ARRAY: {
        struct val *items = arena_alloc(a, sizeof *items * (v->n ? v->n : 1));
        for (uint32_t i = 0; i < v->n; i++)
            items[i] = val_copy(a, &v->items[i]);
        c.items = items;
        break;
    }
    default:
        break;
    }
    return c;
}

/* A new zeroed value for field id at the end of ev->f. Setters fill it in place: building a
 * struct val on the stack and copying it costs store-forwarding stalls on the hot path. */
static inline struct val *slot(struct event *ev, uint32_t id)
{
    if (ev->n == ev->cap) {
        size_t cap = ev->cap;
        ev->f = xgrow(ev->f, &cap, ev->n + 1, sizeof *ev->f);
        ev->cap = (uint32_t)cap;
    }
    struct event_field *f = &ev->f[ev->n++];
    ev->sealed = false;
    f->id = id;
    memset(&f->v, 0, sizeof f->v);
    return &f->v;
}

void event_push(struct event *ev, uint32_t id, struct val v)
{
    *slot(ev, id) = v;
}

void event_set(struct event *ev, uint32_t id, const struct val *v)
{
    event_push(ev, id, val_copy(&ev->arena, v));
}

void event_set_str(struct event *ev, uint32_t id, const char *s, size_t n)
{
    const char *copy = arena_strndup(&ev->arena, s, n);
    struct val *v = slot(ev, id);
    v->type = VAL_STR;
    v->n = (uint32_t)n;
    v->s = copy;
}

void event_set_cstr(struct event *ev, uint32_t id, const char *s)
{
    event_set_str(ev, id, s, strlen(s));
}

void event_set_str_ref(struct event *ev, uint32_t id, const char *s, size_t n)
{
    struct val *v = slot(ev, id);
    v->type = VAL_STR;
    v->n = (uint32_t)n;
    v->s = s;
}

void event_set_long(struct event *ev, uint32_t id, int64_t i)
{
    struct val *v = slot(ev, id);
    v->type = VAL_LONG;
    v->i = i;
}

void event_set_bool(struct event *ev, uint32_t id, bool b)
{
    struct val *v = slot(ev, id);
    v->type = VAL_BOOL;
    v->b = b;
}

/* An IP value (or a plain string when s is not an address), in arena a. */
static struct val ip_val(struct arena *a, const char *s, size_t n)
{
    uint8_t addr[16];
    struct val v = {.type = VAL_STR, .n = (uint32_t)n};
    v.s = arena_strndup(a, s, n);
    if (ip_parse(s, n, addr)) {
        uint8_t *ip = arena_alloc(a, 16);
        memcpy(ip, addr, 16);
        v.type = VAL_IP;
        v.ip = ip;
    }
    return v;
}

void event_set_ip(struct event *ev, uint32_t id, const char *s, size_t n)
{
    event_push(ev, id, ip_val(&ev->arena, s, n));
}

void event_set_strv(struct event *ev, uint32_t id, const char *const *s, const size_t *lens,
                    uint32_t n)
{
    struct val *items = arena_alloc(&ev->arena, sizeof *items * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        size_t len = lens ? lens[i] : strlen(s[i]);
        items[i] = (struct val){.type = VAL_STR, .n = (uint32_t)len};
        items[i].s = arena_strndup(&ev->arena, s[i], len);
    }
    struct val v = {.type = VAL_ARRAY, .n = n, .items = items};
    event_push(ev, id, v);
}

void event_set_strv_ref(struct event *ev, uint32_t id, const char *const *s, const size_t *lens,
                        uint32_t n)
{
    struct val *items = arena_alloc(&ev->arena, sizeof *items * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++)
        items[i] = (struct val){.type = VAL_STR, .n = (uint32_t)(lens ? lens[i] : strlen(s[i])),
                                .s = s[i]};
    struct val *v = slot(ev, id);
    v->type = VAL_ARRAY;
    v->n = n;
    v->items = items;
}

void event_append_ref(struct event *ev, const struct event *src)
{
    if (!src->n)
        return;
    if (ev->n + src->n > ev->cap) {
        size_t cap = ev->cap;
        ev->f = xgrow(ev->f, &cap, (size_t)ev->n + src->n, sizeof *ev->f);
        ev->cap = (uint32_t)cap;
    }
    memcpy(ev->f + ev->n, src->f, src->n * sizeof *ev->f);
    ev->n += src->n;
    ev->sealed = false;
}

void event_set_name_str(struct event *ev, const char *name, const char *s)
{
    event_set_cstr(ev, fieldtab_intern(ev->ft, name, strlen(name)), s);
}

void event_set_name_long(struct event *ev, const char *name, int64_t i)
{
    event_set_long(ev, fieldtab_intern(ev->ft, name, strlen(name)), i);
}

/* Merge a run of values of one field into one array value (arrays are spliced). */
static struct val merge_run(struct arena *a, const struct event_field *run, uint32_t n)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += run[i].v.type == VAL_ARRAY ? run[i].v.n : 1;
    struct val *items = arena_alloc(a, sizeof *items * (total ? total : 1));
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (run[i].v.type == VAL_ARRAY) {
            memcpy(items + k, run[i].v.items, run[i].v.n * sizeof *items);
            k += run[i].v.n;
        } else {
            items[k++] = run[i].v;
        }
    }
    return (struct val){.type = VAL_ARRAY, .n = k, .items = items};
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Sort fields by id, stably (duplicates keep their insertion order, merge_run relies on it),
 * through 8-byte (id, position) keys and one gather: cheaper than sorting 40-byte fields.
 * The permutations of the last ORDERS orders are remembered with the ids they sorted: the
 * same ids in the same order skip the sort.
 */
enum { ORDERS = 4 };
struct event_orders {
    struct {
        uint32_t n, cap;
        uint32_t *ids; /* the ids as set, then the sorting permutation: 2 * n entries */
        bool dups;     /* some id is set more than once: runs to merge */
    } slot[ORDERS];
    uint32_t next; /* the slot replaced next */
};

static void orders_free(struct event_orders *o)
{
    if (!o)
        return;
    for (int i = 0; i < ORDERS; i++)
        free(o->slot[i].ids);
    free(o);
}

/* The remembered permutation for the ids of f, or NULL; *dups as remembered. */
static const uint32_t *orders_find(const struct event_orders *o, const struct event_field *f,
                                   uint32_t n, bool *dups)
{
    for (int k = 0; k < ORDERS; k++) {
        if (o->slot[k].n != n || !n)
            continue;
        const uint32_t *ids = o->slot[k].ids;
        uint32_t i = 0;
        while (i < n && ids[i] == f[i].id)
            i++;
        if (i == n) {
            *dups = o->slot[k].dups;
            return ids + n;
        }
    }
    return NULL;
}

/* Sort the ids of f into a new remembered permutation, replacing the oldest. */
static const uint32_t *orders_add(struct event_orders *o, const struct event_field *f,
                                  uint32_t n, bool *dups)
{
    enum { SMALL = 256 };
    uint64_t small_key[SMALL];
    uint64_t *key = n <= SMALL ? small_key : xmalloc(sizeof *key * n);
    if (n <= SMALL) {
        for (uint32_t i = 0; i < n; i++) {
            /* keys are distinct and grow with i: binary search, then one memmove */
            uint64_t k = (uint64_t)f[i].id << 32 | i;
            uint32_t lo = 0, hi = i;
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (key[mid] < k)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            memmove(key + lo + 1, key + lo, (i - lo) * sizeof *key);
            key[lo] = k;
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            key[i] = (uint64_t)f[i].id << 32 | i;
        qsort(key, n, sizeof *key, cmp_u64);
    }
    uint32_t k = o->next;
    o->next = (k + 1) % ORDERS;
    if (o->slot[k].cap < 2 * n) {
        size_t cap = o->slot[k].cap;
        o->slot[k].ids = xgrow(o->slot[k].ids, &cap, 2 * (size_t)n, sizeof *o->slot[k].ids);
        o->slot[k].cap = (uint32_t)cap;
    }
    uint32_t *ids = o->slot[k].ids;
    for (uint32_t i = 0; i < n; i++) {
        ids[i] = f[i].id;
        ids[n + i] = (uint32_t)key[i];
    }
    o->slot[k].n = n;
    *dups = false;
    for (uint32_t i = 1; i < n && !*dups; i++)
        *dups = key[i - 1] >> 32 == key[i] >> 32;
    o->slot[k].dups = *dups;
    if (key != small_key)
        free(key);
    return ids + n;
}

/* Sort ev->f; true when some id occurs more than once (runs to merge). */
static bool sort_fields(struct event *ev)
{
    enum { SMALL = 256 };
    struct event_field *f = ev->f;
    uint32_t n = ev->n;
    if (!ev->orders)
        ev->orders = xcalloc(1, sizeof *ev->orders);
    bool dups;
    const uint32_t *perm = orders_find(ev->orders, f, n, &dups);
    if (!perm)
        perm = orders_add(ev->orders, f, n, &dups);
    struct event_field small_tmp[SMALL];
    struct event_field *tmp = n <= SMALL ? small_tmp : xmalloc(sizeof *tmp * n);
    for (uint32_t i = 0; i < n; i++) {
        tmp[i] = f[perm[i]];
        tmp[i].v.pad[0] = 0;
    }
    memcpy(f, tmp, n * sizeof *f);
    if (tmp != small_tmp)
        free(tmp);
    return dups;
}

void event_seal(struct event *ev)
{
    if (ev->sealed)
        return;
    bool sorted = true;
    for (uint32_t i = 1; i < ev->n; i++)
        if (ev->f[i - 1].id >= ev->f[i].id) {
            sorted = false;
            break;
        }
    if (!sorted && sort_fields(ev)) {
        uint32_t out = 0;
        for (uint32_t i = 0; i < ev->n;) {
            uint32_t j = i + 1;
            while (j < ev->n && ev->f[j].id == ev->f[i].id)
                j++;
            if (j - i > 1) {
                struct event_field f = ev->f[i];
                f.v = merge_run(&ev->arena, ev->f + i, j - i);
                ev->f[out] = f;
            } else if (out != i) {
                ev->f[out] = ev->f[i];
            }
            ev->f[out++].v.pad[0] = 0;
            i = j;
        }
        ev->n = out;
    }
    ev->sealed = true;
}

const struct val *event_get(const struct event *ev, uint32_t id)
{
    /* branch-free binary search (rules look fields up all the time; ids are unique once
     * sealed): the last field whose id is <= id, then one compare */
    const struct event_field *base = ev->f;
    uint32_t n = ev->n;
    if (!n)
        return NULL;
    while (n > 1) {
        uint32_t half = n / 2;
        base = base[half].id <= id ? base + half : base;
        n -= half;
    }
    return base->id == id ? &base->v : NULL;
}

const struct val *event_get_name(const struct event *ev, const char *name)
{
    uint32_t id = fieldtab_find(ev->ft, name, strlen(name));
    return id == FIELD_NONE ? NULL : event_get(ev, id);
}

const char *event_get_str(const struct event *ev, const char *name)
{
    const struct val *v = event_get_name(ev, name);
    if (v && v->type == VAL_ARRAY && v->n > 0)
        v = &v->items[0];
    return v && (v->type == VAL_STR || v->type == VAL_IP) ? v->s : NULL;
}

/* Bytes a deep copy of v needs beyond the struct itself (8-aligned pieces). */
static size_t val_extra(const struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        return (v->n + 1 + 7) & ~(size_t)7;
    case VAL_IP:
        return ((v->n + 1 + 7) & ~(size_t)7) + 16;
    case VAL_ARRAY: {
        size_t s = sizeof(struct val) * v->n;
        for (uint32_t i = 0; i < v->n; i++)
            s += val_extra(&v->items[i]);
        return s;
    }
    default:
        return 0;
    }
}

/* Deep-copy v into the bump region at *p. */
static struct val val_place(const struct val *v, char **p)
{
    struct val c = *v;
    switch (v->type) {
    case VAL_STR:
    case VAL_IP:
        memcpy(*p, v->s, v->n);
        (*p)[v->n] = 0;
        c.s = *p;
        *p += (v->n + 1 + 7) & ~(size_t)7;
        if (v->type == VAL_IP) {
            memcpy(*p, v->ip, 16);
            c.ip = (const uint8_t *)*p;
            *p += 16;
        }
        break;
    case VAL_ARRAY: {
        struct val *items = (struct val *)*p;
        *p += sizeof(struct val) * v->n;
        for (uint32_t i = 0; i < v->n; i++)
            items[i] = val_place(&v->items[i], p);
        c.items = items;
        break;
    }
    default:
        break;
    }
    return c;
}

struct event *event_clone(const struct event *src)
{
    return event_clone_extra(src, 0, NULL);
}

struct event *event_clone_extra(const struct event *src, size_t more, void **extra_mem)
{
    size_t extra = 0;
    for (uint32_t i = 0; i < src->n; i++)
        extra += val_extra(&src->f[i].v);
    size_t head = (sizeof(struct event) + 7) & ~(size_t)7;
    size_t fields = sizeof(struct event_field) * src->n;
    more = (more + 7) & ~(size_t)7;
    char *mem = xmalloc(head + fields + extra + more);
    if (extra_mem)
        *extra_mem = more ? mem + head + fields + extra : NULL;
    struct event *ev = (struct event *)mem;
    memset(ev, 0, sizeof *ev);
    ev->ft = src->ft;
    ev->ts = src->ts;
    ev->seq = src->seq;
    ev->n = ev->cap = src->n;
    ev->f = (struct event_field *)(mem + head);
    char *p = mem + head + fields;
    for (uint32_t i = 0; i < src->n; i++) {
        ev->f[i].id = src->f[i].id;
        ev->f[i].v = val_place(&src->f[i].v, &p);
    }
    ev->sealed = true;
    if (!src->sealed) /* a clone of an unsealed event is sealed on the copy */
        event_seal(ev);
    return ev;
}

void event_free(struct event *ev)
{
    if (!ev)
        return;
    /* a clone sealed from an unsealed source may have used its arena for merged arrays */
    arena_clear(&ev->arena);
    orders_free(ev->orders);
    free(ev);
}
