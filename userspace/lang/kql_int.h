/* kql_int.h — what kql.c (the parser) and kql_lex.c (literals, keywords) share. */
#ifndef VIGIL_KQL_INT_H
#define VIGIL_KQL_INT_H

#include "lang/lang.h"

/* A decoded literal; its text lives in kp.lit until the next literal is read. */
struct lit {
    size_t start, end; /* source span */
    bool quoted;
    bool wild;     /* an unescaped `*` (unquoted only) */
    bool esc_star; /* an escaped `\*`: a literal star */
    size_t len;    /* of kp.lit.p, after trimming */
};

/* The parser's state: one per kql_compile call. */
struct kp {
    const char *s;
    size_t n, pos;
    struct ir_query *q;
    struct lang_error *err;
    bool failed;
    int depth;
    struct buf lit;    /* decoded text of the last literal */
    struct buf prefix; /* nested group path, "a.b." */
    bool prefix_glob;  /* a group's name had a wildcard */
    bool prefix_esc;   /* a group's name had an escaped `\*` */
    struct buf name; /* scratch for prefix + field name */
};

/* Record the first error: message at byte offset off (line:col computed here). */
void kql_fail_at(struct kp *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A short description of what is at pos ("')'", "end of query"), written into tmp. */
const char *kql_found_at(struct kp *p, size_t pos, char tmp[16]);

/* Space = [ \t\r\n\u00A0]: its length in bytes at pos, 0 if none. */
size_t kql_space_at(const struct kp *p, size_t pos);
/* The end of the run of Space* at pos. */
size_t kql_spaces_end(const struct kp *p, size_t pos);
void kql_skip_spaces(struct kp *p);
/* Or / And (w is "or" or "and": Space+ w Space+) at pos: the end of it, or 0. */
size_t kql_binop_at(const struct kp *p, size_t pos, const char *w);
/* Not ('not'i Space+) at pos: the end of it, or 0. */
size_t kql_not_at(const struct kp *p, size_t pos);
/* SpecialCharacter = [\\():<>"*{}] */
bool kql_is_special(char c);
/*
 * Literal = QuotedString / UnquotedLiteral at p->pos: decoded (and, unquoted, trimmed) into
 * p->lit, NUL-terminated. Returns false with no error when there is no literal, false with
 * an error for an unterminated quoted string.
 */
bool kql_lex_literal(struct kp *p, struct lit *L);

#endif
