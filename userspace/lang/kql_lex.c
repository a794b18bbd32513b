/*
 * kql_lex.c — the lexical half of the KQL compiler: whitespace and keywords as Kibana's
 * grammar.peggy defines them, escapes, quoted and unquoted literals, error reporting.
 * The parser is kql.c; what they share is kql_int.h.
 */
#include "lang/kql_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- errors ---- */

void kql_fail_at(struct kp *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return; /* keep the first, innermost error */
    p->failed = true;
    p->err->off = off;
    text_line_col(p->s, p->n, off, &p->err->line, &p->err->col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
}

/* A short description of what is at pos, for "expected X, found Y". */
const char *kql_found_at(struct kp *p, size_t pos, char tmp[16])
{
    if (pos >= p->n)
        return "end of query";
    unsigned char c = (unsigned char)p->s[pos];
    if (c >= 0x21 && c < 0x7f)
        snprintf(tmp, 16, "'%c'", c);
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        snprintf(tmp, 16, "whitespace");
    else
        snprintf(tmp, 16, "byte 0x%02x", c);
    return tmp;
}

/* ---- lexical helpers ---- */

/* Space "whitespace" = [\ \t\r\n\u00A0]: its length in bytes at pos, 0 if none. */
size_t kql_space_at(const struct kp *p, size_t pos)
{
    if (pos >= p->n)
        return 0;
    char c = p->s[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return 1;
    if ((unsigned char)c == 0xc2 && pos + 1 < p->n && (unsigned char)p->s[pos + 1] == 0xa0)
        return 2;
    return 0;
}

/* The end of a run of Space* starting at pos. */
size_t kql_spaces_end(const struct kp *p, size_t pos)
{
    size_t k;
    while ((k = kql_space_at(p, pos)) > 0)
        pos += k;
    return pos;
}

void kql_skip_spaces(struct kp *p)
{
    p->pos = kql_spaces_end(p, p->pos);
}

/* 'word'i followed by at least one Space, at pos: the length of the word, else 0. */
static size_t word_then_space(const struct kp *p, size_t pos, const char *w)
{
    size_t wl = strlen(w);
    if (pos + wl > p->n || !mem_eq_nocase(p->s + pos, wl, w, wl))
        return 0;
    return kql_space_at(p, pos + wl) ? wl : 0;
}

/*
 * Or "OR" = Space+ 'or'i Space+ ; And "AND" = Space+ 'and'i Space+
 * At pos: the end of the whole keyword (both space runs), or 0 if it is not there.
 */
size_t kql_binop_at(const struct kp *p, size_t pos, const char *w)
{
    size_t e = kql_spaces_end(p, pos);
    if (e == pos)
        return 0;
    if (!word_then_space(p, e, w))
        return 0;
    return kql_spaces_end(p, e + strlen(w));
}

/* Not "NOT" = 'not'i Space+ : the end of it, or 0. */
size_t kql_not_at(const struct kp *p, size_t pos)
{
    if (!word_then_space(p, pos, "not"))
        return 0;
    return kql_spaces_end(p, pos + 3);
}

/* EscapedKeyword's word after the backslash: ('or'i / 'and'i / 'not'i), its length or 0. */
static size_t keyword_len(const struct kp *p, size_t pos)
{
    static const char *const words[] = {"or", "and", "not"};
    for (size_t i = 0; i < ARRAY_LEN(words); i++) {
        size_t wl = strlen(words[i]);
        if (pos + wl <= p->n && mem_eq_nocase(p->s + pos, wl, words[i], wl))
            return wl;
    }
    return 0;
}

/* SpecialCharacter = [\\():<>"*{}] */
bool kql_is_special(char c)
{
    return c && strchr("\\():<>\"*{}", c) != NULL;
}


/* UnicodeSequence = "u" HexDigit{4}, after the backslash at pos: the code unit, or -1. */
static long unicode_at(const struct kp *p, size_t pos)
{
    if (pos + 6 > p->n || p->s[pos + 1] != 'u')
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_digit(p->s[pos + 2 + i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}


/*
 * EscapedUnicodeSequence = '\\' UnicodeSequence, at pos (the backslash). Appends the character
 * and returns the bytes consumed, 0 if there is none. A surrogate pair written as two escapes
 * makes one character (JavaScript joins UTF-16 units); a lone surrogate becomes U+FFFD.
 */
static size_t unicode_escape(const struct kp *p, size_t pos, struct buf *out)
{
    long u = unicode_at(p, pos);
    if (u < 0)
        return 0;
    if (u >= 0xd800 && u <= 0xdbff && pos + 6 < p->n && p->s[pos + 6] == '\\') {
        long lo = unicode_at(p, pos + 6);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            buf_put_utf8(out,
                     0x10000 + (((unsigned long)u - 0xd800) << 10) + ((unsigned long)lo - 0xdc00));
            return 12;
        }
    }
    if (u >= 0xd800 && u <= 0xdfff)
        u = 0xfffd;
    buf_put_utf8(out, (unsigned long)u);
    return 6;
}

/* The length of a JavaScript whitespace character (String.prototype.trim) at s, else 0. */
static size_t js_space(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
        return 2;
    if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) /* U+1680 */
        return 3;
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3; /* U+2000..200A, U+2028, U+2029, U+202F */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) /* U+205F */
        return 3;
    if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
        return 3;
    if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) /* U+FEFF */
        return 3;
    return 0;
}

/* Does a JavaScript whitespace character end at s[n]? Its length, else 0. */
static size_t js_space_before(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (js_space(s + n - k, k) == k)
            return k;
    return 0;
}

/* chars.join('').trim() on p->lit */
static void trim_lit(struct kp *p)
{
    unsigned char *s = (unsigned char *)p->lit.p;
    size_t n = p->lit.len, a = 0, k;
    while (a < n && (k = js_space(s + a, n - a)) > 0)
        a += k;
    while (n > a && (k = js_space_before(s + a, n - a)) > 0)
        n -= k;
    if (a)
        memmove(s, s + a, n - a);
    p->lit.len = n - a;
    if (p->lit.p)
        p->lit.p[p->lit.len] = '\0';
}

/*
 * QuotedString = '"' QuotedCharacter* '"'
 * QuotedCharacter = EscapedWhitespace / EscapedUnicodeSequence / '\\' [\\"] / [^"]
 * A backslash before anything else is kept as an ordinary character.
 */
static bool lex_quoted(struct kp *p, struct lit *L)
{
    size_t open = p->pos;
    size_t i = p->pos + 1;
    while (i < p->n && p->s[i] != '"') {
        char c = p->s[i];
        if (c == '\\' && i + 1 < p->n) {
            char d = p->s[i + 1];
            size_t k;
            if (d == 't' || d == 'r' || d == 'n') {
                buf_putc(&p->lit, d == 't' ? '\t' : d == 'r' ? '\r' : '\n');
                i += 2;
                continue;
            }
            if ((k = unicode_escape(p, i, &p->lit)) > 0) {
                i += k;
                continue;
            }
            if (d == '\\' || d == '"') {
                buf_putc(&p->lit, d);
                i += 2;
                continue;
            }
        }
        buf_putc(&p->lit, c);
        i++;
    }
    if (i >= p->n) {
        kql_fail_at(p, open, "unterminated quoted string (no closing '\"')");
        return false;
    }
    L->quoted = true;
    p->pos = i + 1;
    return true;
}

/*
 * UnquotedLiteral = UnquotedCharacter+
 * UnquotedCharacter = EscapedWhitespace / EscapedSpecialCharacter / EscapedUnicodeSequence
 *                   / EscapedKeyword / Wildcard / !SpecialCharacter !Keyword char:.
 * Keyword = Or / And / Not
 * Returns false (without an error) when there is no character.
 */
static bool lex_unquoted(struct kp *p, struct lit *L)
{
    size_t i = p->pos;
    while (i < p->n) {
        char c = p->s[i];
        if (c == '\\') {
            char d = i + 1 < p->n ? p->s[i + 1] : '\0';
            size_t k;
            if (d == 't' || d == 'r' || d == 'n') { /* EscapedWhitespace */
                buf_putc(&p->lit, d == 't' ? '\t' : d == 'r' ? '\r' : '\n');
                i += 2;
            } else if (kql_is_special(d)) { /* EscapedSpecialCharacter */
                if (d == '*')
                    L->esc_star = true;
                buf_putc(&p->lit, d);
                i += 2;
            } else if ((k = unicode_escape(p, i, &p->lit)) > 0) {
                if (p->lit.p[p->lit.len - 1] == '*') /* \u002a: a literal star */
                    L->esc_star = true;
                i += k;
            } else if ((k = keyword_len(p, i + 1)) > 0) { /* EscapedKeyword */
                buf_append(&p->lit, p->s + i + 1, k);
                i += 1 + k;
            } else {
                break; /* a lone backslash is special: the literal ends */
            }
            continue;
        }
        if (c == '*') { /* Wildcard */
            L->wild = true;
            buf_putc(&p->lit, '*');
            i++;
            continue;
        }
        if (kql_is_special(c))
            break;
        size_t k = kql_space_at(p, i);
        if (k) {
            /* Or/And match from any point of a space run alike (Space+ is greedy), so
             * decide once per run: keeps long runs of spaces linear. */
            size_t e = kql_spaces_end(p, i);
            if (kql_binop_at(p, i, "or") || kql_binop_at(p, i, "and"))
                break;
            buf_append(&p->lit, p->s + i, e - i);
            i = e;
            continue;
        }
        if (kql_not_at(p, i))
            break;
        buf_putc(&p->lit, c);
        i++;
    }
    if (i == p->pos)
        return false;
    p->pos = i;
    return true;
}

/* Literal "literal" = QuotedString / UnquotedLiteral. The text is in p->lit (NUL-terminated). */
bool kql_lex_literal(struct kp *p, struct lit *L)
{
    memset(L, 0, sizeof *L);
    buf_reset(&p->lit);
    L->start = p->pos;
    bool ok = p->pos < p->n && p->s[p->pos] == '"' ? lex_quoted(p, L) : lex_unquoted(p, L);
    if (!ok)
        return false;
    buf_reserve(&p->lit, 1);
    p->lit.p[p->lit.len] = '\0';
    if (!L->quoted)
        trim_lit(p);
    L->end = p->pos;
    L->len = p->lit.len;
    return true;
}
