/* toml_int.h — what toml.c (the parser) and toml_value.c (access, JSON) share. Private. */
#ifndef VIGIL_TOML_INT_H
#define VIGIL_TOML_INT_H

#include "toml/toml.h"

/* toml_value.flags */
enum {
    TF_DEFINED = 1,  /* table: defined by a [header] (or the root) */
    TF_IMPLICIT = 2, /* table: created as a parent by a [a.b] header, may be defined later */
    TF_DOTTED = 4,   /* table: created by a dotted key (a.b = 1) */
    TF_INLINE = 8,   /* table: inline { }, sealed; array: inline [ ], cannot take [[ ]] */
    TF_AOT = 16,     /* array: array of tables ([[a]]) */
};

struct toml_doc {
    struct arena arena;
    struct toml_value root;
    char *text; /* copy of the source, NUL-terminated */
    size_t len;
    char *name;
};

/* Encode code point cp as UTF-8 into out (4 bytes room); returns the length. */
/* Hex digit value or -1. */

/* ---- parser state, shared by toml.c (structure) and toml_scalar.c (scalars) ---- */
struct parser {
    struct toml_doc *doc;
    const char *s;
    size_t n, i;
    char *err;
    size_t errlen;
    struct toml_value *cur; /* table that key/values go to */
    struct buf scratch;
};

struct keyseg {
    const char *s;
    size_t len, off;
};

static inline int peek(const struct parser *P, size_t k)
{
    return P->i + k < P->n ? (unsigned char)P->s[P->i + k] : -1;
}

static inline bool is_ctrl(int c) /* not allowed in strings and comments (tab is) */
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static inline bool is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static inline bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Record "name:line:col: reason" for byte off; returns false. */
bool toml_fail(struct parser *P, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* c for a message: 'x' when printable, else U+XXXX / byte 0xXX (out: 16 bytes) */
const char *toml_show(int c, char out[16]);
/* Consume a newline (LF or CRLF) if there is one: 1, else 0; a lone CR sets *ok = false. */
int toml_eat_newline(struct parser *P, bool *ok);

/* P->i at the opening quote; decoded text into out. allow_ml: the triple-quoted forms too. */
bool toml_parse_string(struct parser *P, struct buf *out, bool allow_ml);
/* integer or float (incl. inf, nan, hex/oct/bin) at P->i into v */
bool toml_parse_number(struct parser *P, struct toml_value *v);
/* date, time, local or offset date-time at P->i into v */
bool toml_parse_datetime(struct parser *P, struct toml_value *v);

#endif
