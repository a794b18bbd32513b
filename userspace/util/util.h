/*
 * util.h — small building blocks every stage uses: a growable byte buffer, a bump arena,
 * checked allocation, and source positions.
 *
 * Ownership: a struct buf / struct arena is owned by whoever declared it; _clear frees what it
 * holds and leaves it ready for reuse (both start zeroed: `struct buf b = {0};`).
 * Allocation failure in xmalloc & co. prints one line and exits: vigil cannot do useful work
 * without memory, and checking every small allocation would bury the code (as git and Redis).
 */
#ifndef VIGIL_UTIL_H
#define VIGIL_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *items (of *cap elements of size sz) to hold at least `need`; doubles. */
void *xgrow(void *items, size_t *cap, size_t need, size_t sz);

/* ---- growable byte buffer; p is always NUL-terminated once anything was appended ---- */
struct buf {
    char *p;
    size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
void buf_json_str(struct buf *b, const char *s, size_t n);
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_clear(struct buf *b); /* frees */
/* Hand the NUL-terminated contents to the caller (never NULL); b is left empty. */
char *buf_steal(struct buf *b);

/* ---- bump arena: many small allocations freed at once ---- */
struct arena_chunk;
struct arena {
    struct arena_chunk *head;
    size_t used; /* in head */
};
void *arena_alloc(struct arena *a, size_t n); /* 8-aligned, never NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n); /* NUL-terminated copy */
void arena_reset(struct arena *a); /* forget everything, keep the largest chunk */
void arena_clear(struct arena *a); /* free everything */

/* ---- source positions: store byte offsets, turn them into line:column only to print ---- */
/* 1-based line and column (column counts bytes) of byte offset `off` in text[0..len). */
void text_line_col(const char *text, size_t len, size_t off, int *line, int *col);

/* ---- strings ---- */
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* ASCII-case-insensitive equality of two byte ranges. */
bool mem_eq_nocase(const char *a, size_t an, const char *b, size_t bn);
/* Read a whole file; NULL with errno set on failure. *len excludes the added NUL. */
char *file_read_all(const char *path, size_t *len);

/* ---- characters (shared by the TOML, KQL and EQL lexers and the JSON writer) ---- */
/* Value of a hex digit, or -1. */
int hex_digit(int c);
/* Length (1..4) of the valid UTF-8 sequence at s[0..n), or 0 if it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t utf8_valid_len(const unsigned char *s, size_t n);
/* Offset of the first byte that is not part of valid UTF-8 in s[0..n), or n. */
size_t utf8_valid_prefix(const unsigned char *s, size_t n);
/* Encode code point cp (<= 0x10FFFF) as UTF-8 into out; returns the length (1..4). */
size_t utf8_encode(uint32_t cp, char out[4]);
void buf_put_utf8(struct buf *b, uint32_t cp);

/* FNV-1a, for hash tables */
uint64_t hash_bytes(const void *p, size_t n);
/* A hash of n bytes taken eight at a time, for hot lookups of long texts; seed picks one of
 * a family (a field id, say). Not stable across versions: for tables only. */
uint64_t hash_words(const void *p, size_t n, uint64_t seed);

#endif
