/*
 * event.h — the one event representation, shared by the live sensor and trace replay.
 *
 * An event is a flat set of fields. Each field has a dotted name ("process.parent.name") and a
 * typed value. Nested JSON objects and dotted keys are the same thing: the reader flattens
 * {"process":{"name":"x"}} into process.name, and the writer nests them back.
 * Arrays of objects flatten the way Elasticsearch indexes non-nested objects: each leaf becomes
 * a multi-valued field ([{"a":1},{"a":2}] under x gives x.a = [1, 2]).
 *
 * Field names are interned in a struct fieldtab: a name maps to a small integer id, so rule
 * compilers resolve names once and the engine looks fields up by id (binary search over the
 * event's sorted fields, no string compare, no allocation).
 *
 * Ownership: every string and array a value points to lives in the event's arena, freed by
 * event_reset()/event_clear(). event_clone() makes an independent copy in one allocation, for
 * holders that outlive the source event (sequence state, alerts). The fieldtab must outlive
 * every event that uses it.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

/* ---- field names ---- */

#define FIELD_NONE UINT32_MAX

struct fieldtab;
struct fieldtab *fieldtab_new(void);
void fieldtab_free(struct fieldtab *ft);
/* Id of `name` (len bytes), adding it if new. Ids are dense, from 0. */
uint32_t fieldtab_intern(struct fieldtab *ft, const char *name, size_t len);
/* Id of `name` or FIELD_NONE when no event or rule ever used it. */
uint32_t fieldtab_find(const struct fieldtab *ft, const char *name, size_t len);
const char *fieldtab_name(const struct fieldtab *ft, uint32_t id);
uint32_t fieldtab_count(const struct fieldtab *ft);

/* ---- values ---- */

enum val_type {
    VAL_NULL = 0, /* JSON null; also what event_get's caller sees as "missing" (NULL pointer) */
    VAL_BOOL,
    VAL_LONG,
    VAL_DOUBLE,
    VAL_STR, /* keyword */
    VAL_IP,  /* an address: text as given plus 16 bytes (IPv4 as ::ffff:a.b.c.d) */
    VAL_ARRAY,
    VAL_TYPE_COUNT /* must be last */
};

struct val {
    uint8_t type; /* enum val_type */
    uint8_t pad[3];
    uint32_t n; /* VAL_STR/VAL_IP: text length; VAL_ARRAY: item count */
    union {
        int64_t i;              /* VAL_LONG */
        double d;               /* VAL_DOUBLE */
        bool b;                 /* VAL_BOOL */
        const char *s;          /* VAL_STR, VAL_IP: NUL-terminated text */
        const struct val *items; /* VAL_ARRAY: scalars only, never nested arrays */
    };
    const uint8_t *ip; /* VAL_IP: 16 bytes */
};

/* A deep copy of v whose strings and items live in arena a. */
struct val val_copy(struct arena *a, const struct val *v);

/* Parse an IPv4 or IPv6 address (no prefix) into 16 bytes (IPv4 mapped into ::ffff:0:0/96). */
bool ip_parse(const char *s, size_t n, uint8_t out[16]);
/* Parse "addr" or "addr/prefix"; *bits is the prefix length in the 128-bit space. */
bool cidr_parse(const char *s, size_t n, uint8_t addr[16], int *bits);
bool ip_in_cidr(const uint8_t ip[16], const uint8_t net[16], int bits);
/* Is this field name one whose strings are IP addresses (ECS *.ip and *.ips fields)? */
bool field_is_ip(const char *name);

/* ---- events ---- */

struct event_field {
    uint32_t id;
    struct val v;
};

struct event {
    struct fieldtab *ft;
    struct event_field *f; /* sorted by id after event_seal() */
    uint32_t n, cap;
    int64_t ts;    /* @timestamp in ns since the epoch, 0 when unknown */
    uint64_t seq;  /* position in its source (line number, or arrival order live) */
    bool sealed;
    struct arena arena;
    /* event_seal's memory of the last few orders it sorted (event.c): a producer that sets
     * the same fields in the same order for each kind of event (the sensor, the NDJSON reader
     * on uniform lines) sorts each kind once */
    struct event_orders *orders;
};

void event_init(struct event *ev, struct fieldtab *ft);
void event_reset(struct event *ev); /* empty it for reuse; keeps its memory */
void event_clear(struct event *ev); /* free what it holds */

/*
 * Setters copy strings into the event's arena. Setting a field twice makes it multi-valued
 * (the values are concatenated at event_seal), as Elasticsearch does for a repeated key.
 * Call event_seal() once all fields are set and before any lookup.
 */
void event_set(struct event *ev, uint32_t id, const struct val *v); /* deep-copies v */
void event_set_str(struct event *ev, uint32_t id, const char *s, size_t n);
void event_set_cstr(struct event *ev, uint32_t id, const char *s);
void event_set_long(struct event *ev, uint32_t id, int64_t i);
void event_set_bool(struct event *ev, uint32_t id, bool b);
/* An address given as text; stored as VAL_IP when it parses, else as VAL_STR. */
void event_set_ip(struct event *ev, uint32_t id, const char *s, size_t n);
/* An array of n strings (n may be 0: an empty array). */
void event_set_strv(struct event *ev, uint32_t id, const char *const *s, const size_t *lens,
                    uint32_t n);
/*
 * No-copy setters for the producer's hot path: the value points at s itself, which must be
 * NUL-terminated at n and stay valid and unchanged until the event is reset or cleared
 * (string literals, tables that outlive the event). Clones copy it like any other value.
 */
void event_set_str_ref(struct event *ev, uint32_t id, const char *s, size_t n);
void event_set_strv_ref(struct event *ev, uint32_t id, const char *const *s, const size_t *lens,
                        uint32_t n);
/* Append every field of src as it is: no string is copied (the same contract as above). */
void event_append_ref(struct event *ev, const struct event *src);
/* The same, by field name. */
void event_set_name_str(struct event *ev, const char *name, const char *s);
void event_set_name_long(struct event *ev, const char *name, int64_t i);
void event_seal(struct event *ev);

/* The value of field `id`, or NULL when the event has no such field. */
const struct val *event_get(const struct event *ev, uint32_t id);
const struct val *event_get_name(const struct event *ev, const char *name);
/* Convenience: the string value of a field (first element of an array), or NULL. */
const char *event_get_str(const struct event *ev, const char *name);

/* An independent sealed copy in a single allocation; free it with event_free(). */
struct event *event_clone(const struct event *ev);
/*
 * event_clone with `extra` more bytes (8-byte aligned, uninitialized) in the same allocation,
 * for a holder's own bookkeeping: *extra_mem points to them. event_free frees both.
 */
struct event *event_clone_extra(const struct event *ev, size_t extra, void **extra_mem);
void event_free(struct event *ev);

/* Parse "2024-01-02T03:04:05.123456789Z" (or with an offset) into ns since the epoch. */
bool time_parse_iso8601(const char *s, size_t n, int64_t *ns);
/* Format ns since the epoch as "2024-01-02T03:04:05.123456789Z" into out[40]. */
void time_format_iso8601(int64_t ns, char out[40]);

/* ---- JSON ---- */

/*
 * Fill ev (reset first) from one JSON object. Returns 0, or -1 with a reason in err
 * ("expected a JSON object", cJSON's position…). ev->ts comes from "@timestamp" (ISO 8601
 * string or epoch milliseconds). Strings of IP fields (field_is_ip) become VAL_IP.
 */
int event_from_json(struct event *ev, const char *text, size_t len, char *err, size_t errlen);

/* Append ev as one JSON object (nested objects, no newline) to out. */
void event_write_json(const struct event *ev, struct buf *out);
/* Append one value as JSON. */
void val_write_json(const struct val *v, struct buf *out);

/* ---- NDJSON traces ---- */

struct ndjson_reader;
/* Open a trace ("-" is stdin; a .gz file is decompressed). NULL with errno on failure. */
struct ndjson_reader *ndjson_open(const char *path, struct fieldtab *ft);
/*
 * Read the next event into ev. Returns 1 for an event, 0 at the end, -1 on a read error.
 * A malformed line is reported on stderr as "file:line: reason", counted, and skipped.
 * Blank lines are skipped silently. ev->seq is the line number.
 */
int ndjson_next(struct ndjson_reader *r, struct event *ev);
uint64_t ndjson_bad_lines(const struct ndjson_reader *r);
uint64_t ndjson_line(const struct ndjson_reader *r);
const char *ndjson_path(const struct ndjson_reader *r);
/* Silence the per-line error messages (the count still grows). */
void ndjson_set_quiet(struct ndjson_reader *r, bool quiet);
void ndjson_close(struct ndjson_reader *r);

#endif
