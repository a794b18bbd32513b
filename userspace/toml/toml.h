/*
 * toml.h — a TOML 1.0 parser: the whole interface of userspace/toml/.
 *
 * toml_parse reads a document into a tree of struct toml_value owned by a struct toml_doc
 * (one arena; toml_free releases everything at once). The doc keeps a copy of the source
 * text, so every value knows where its raw text is (src_off, src_len) and errors can point
 * into the file. Tables keep their keys in insertion order. Strings are decoded, UTF-8,
 * NUL-terminated, and may contain NUL bytes (use the length). Newlines inside multi-line
 * strings are kept as written (CRLF stays CRLF).
 *
 * Errors: "name:line:col: reason", the position being the exact byte where the input goes
 * wrong (line and column 1-based, column counted in bytes). Nesting (tables, arrays, inline
 * tables) is limited to TOML_MAX_DEPTH levels.
 */
#ifndef VIGIL_TOML_H
#define VIGIL_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define TOML_MAX_DEPTH 64

enum toml_type {
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_DATETIME,       /* offset date-time: 1979-05-27T07:32:00Z */
    TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
    TOML_DATE_LOCAL,     /* 1979-05-27 */
    TOML_TIME_LOCAL,     /* 07:32:00 */
    TOML_ARRAY,
    TOML_TABLE,
};

struct toml_datetime {
    int year, month, day;     /* set for dates and date-times */
    int hour, minute, second; /* set for times and date-times */
    int nanosecond;           /* fraction of a second, truncated to nanoseconds */
    int frac_digits;          /* digits of fraction written (0..9 kept) */
    int offset_minutes;       /* TOML_DATETIME only: minutes east of UTC */
    bool offset_z;            /* TOML_DATETIME only: written as Z */
};

struct toml_value;

struct toml_kv {
    const char *key; /* decoded, NUL-terminated */
    size_t key_len;
    size_t key_off; /* byte offset of the key in the source (last segment of a dotted key) */
    struct toml_value *val;
};

struct toml_table {
    struct toml_kv *items;
    size_t n, cap;
    uint32_t *hidx; /* open-addressing index (item+1), built once a table grows large */
    size_t hcap;
};

struct toml_array {
    struct toml_value **items;
    size_t n, cap;
};

struct toml_value {
    enum toml_type type;
    uint8_t flags; /* parser bookkeeping (how a table was defined) */
    uint16_t depth;
    size_t src_off, src_len; /* raw text of the value; a table: its header or first key */
    union {
        struct {
            const char *s;
            size_t len;
        } str;
        int64_t i;
        double f;
        bool b;
        struct toml_datetime dt;
        struct toml_array arr;
        struct toml_table tab;
    } u;
};

struct toml_doc;

/*
 * Parse text[0..len) (need not be NUL-terminated; it is copied). `name` is used in error
 * messages. Returns the document, or NULL with "name:line:col: reason" in err.
 */
struct toml_doc *toml_parse(const char *name, const char *text, size_t len, char *err,
                            size_t errlen);
/* Read and parse a file; errors as toml_parse, or "path: strerror" if it cannot be read. */
struct toml_doc *toml_parse_file(const char *path, char *err, size_t errlen);
void toml_free(struct toml_doc *doc);

/* The root table (never NULL for a parsed doc). */
const struct toml_value *toml_root(const struct toml_doc *doc);
/* The source text (NUL-terminated copy) and its length; the name given to toml_parse. */
const char *toml_doc_text(const struct toml_doc *doc, size_t *len);
const char *toml_doc_name(const struct toml_doc *doc);

/* "string", "integer", ..., "table" */
const char *toml_type_name(enum toml_type t);

/* Value of `key` (exact, one segment) in a table; NULL if absent or tab is not a table. */
const struct toml_value *toml_get(const struct toml_value *tab, const char *key);
/* Follow a dotted path of bare segments ("rule.threat"); NULL if any step is missing. */
const struct toml_value *toml_get_path(const struct toml_value *tab, const char *path);

/* Tables: number of keys; i-th key/value in insertion order (NULL if out of range). */
size_t toml_table_len(const struct toml_value *tab);
const struct toml_kv *toml_table_at(const struct toml_value *tab, size_t i);
/* Arrays: number of elements (0 if not an array); i-th element or NULL. */
size_t toml_array_len(const struct toml_value *arr);
const struct toml_value *toml_array_at(const struct toml_value *arr, size_t i);

/* Typed access; NULL/false when v is NULL or of another type. len may be NULL. */
const char *toml_as_str(const struct toml_value *v, size_t *len);
bool toml_as_int(const struct toml_value *v, int64_t *out);
bool toml_as_float(const struct toml_value *v, double *out); /* integers convert too */
bool toml_as_bool(const struct toml_value *v, bool *out);

/* Line and column (1-based) of the start of v's raw text. */
void toml_value_pos(const struct toml_doc *doc, const struct toml_value *v, int *line, int *col);

/*
 * Map a byte offset inside a decoded string value back to the byte offset in the source
 * text where the character that produced it is written (an escape maps to its backslash).
 * decoded_off >= the decoded length maps to the closing quote. For a non-string value,
 * returns v->src_off.
 */
size_t toml_str_src_offset(const struct toml_doc *doc, const struct toml_value *str,
                           size_t decoded_off);

/*
 * Append v as JSON to b: tables as objects (insertion order), arrays, strings, numbers,
 * booleans; date/times as RFC 3339 strings; inf and nan as null (JSON has neither).
 */
void toml_to_json(struct buf *b, const struct toml_value *v);

#endif
