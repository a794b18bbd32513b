/*
 * eql_lex.c — the EQL lexer: query text to an array of tokens.
 *
 * Lexical rules are Elasticsearch's (EqlBase.g4): keywords lowercase and case-sensitive;
 * identifiers [A-Za-z_@][A-Za-z0-9_]*; `name~` is one token (case-insensitive function);
 * strings "..." with escapes \b \t \n \f \r \" \' \\ \u{hex 2-8} and no raw line breaks;
 * raw strings """...""" on one line, no escapes (up to two more quotes right after the closing
 * """ belong to the string, as in ES); backticked field names with `` for a backtick;
 * comments // to end of line and slash-star ... star-slash (nested); single-quoted and ?"..."
 * strings are errors with a hint.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/eql_int.h"

static const char *const tok_names[T_KIND_COUNT] = {
    [T_EOF] = "end of query",
    [T_IDENT] = "a name",
    [T_QIDENT] = "a quoted field name",
    [T_TILDE_IDENT] = "a function name",
    [T_STRING] = "a string",
    [T_INT] = "an integer",
    [T_DEC] = "a number",
    [T_AND] = "'and'",
    [T_ANY] = "'any'",
    [T_BY] = "'by'",
    [T_FALSE] = "'false'",
    [T_IN] = "'in'",
    [T_IN_CI] = "'in~'",
    [T_JOIN] = "'join'",
    [T_LIKE] = "'like'",
    [T_LIKE_CI] = "'like~'",
    [T_MAXSPAN] = "'maxspan'",
    [T_NOT] = "'not'",
    [T_NULL] = "'null'",
    [T_OF] = "'of'",
    [T_OR] = "'or'",
    [T_REGEX] = "'regex'",
    [T_REGEX_CI] = "'regex~'",
    [T_SAMPLE] = "'sample'",
    [T_SEQUENCE] = "'sequence'",
    [T_TRUE] = "'true'",
    [T_UNTIL] = "'until'",
    [T_WHERE] = "'where'",
    [T_WITH] = "'with'",
    [T_SEQ] = "':'",
    [T_ASGN] = "'='",
    [T_EQ] = "'=='",
    [T_NEQ] = "'!='",
    [T_LT] = "'<'",
    [T_LE] = "'<='",
    [T_GT] = "'>'",
    [T_GE] = "'>='",
    [T_PLUS] = "'+'",
    [T_MINUS] = "'-'",
    [T_STAR] = "'*'",
    [T_SLASH] = "'/'",
    [T_PERCENT] = "'%'",
    [T_DOT] = "'.'",
    [T_COMMA] = "','",
    [T_LB] = "'['",
    [T_RB] = "']'",
    [T_LP] = "'('",
    [T_RP] = "')'",
    [T_PIPE] = "'|'",
    [T_OPT] = "'?'",
    [T_MISSING] = "'!['",
};

const char *eql_tok_name(enum tok_kind k)
{
    return k < T_KIND_COUNT && tok_names[k] ? tok_names[k] : "?";
}

static const struct {
    const char *word;
    uint8_t kind;
} keywords[] = {
    {"and", T_AND},     {"any", T_ANY},         {"by", T_BY},
    {"false", T_FALSE}, {"in", T_IN},           {"join", T_JOIN},
    {"like", T_LIKE},   {"maxspan", T_MAXSPAN}, {"not", T_NOT},
    {"null", T_NULL},   {"of", T_OF},           {"or", T_OR},
    {"regex", T_REGEX}, {"sample", T_SAMPLE},   {"sequence", T_SEQUENCE},
    {"true", T_TRUE},   {"until", T_UNTIL},     {"where", T_WHERE},
    {"with", T_WITH},
};

static void vfail(struct eql *e, size_t off, const char *fmt, va_list ap)
{
    if (e->failed)
        return;
    e->failed = true;
    if (off > e->len)
        off = e->len;
    e->err->off = off;
    text_line_col(e->text, e->len, off, &e->err->line, &e->err->col);
    vsnprintf(e->err->msg, sizeof e->err->msg, fmt, ap);
}

bool eql_fail(struct eql *e, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(e, off, fmt, ap);
    va_end(ap);
    return false;
}

/* eql_fail for the lexer's functions, which return the next offset: 0 on error. */
static size_t __attribute__((format(printf, 3, 4)))
lfail(struct eql *e, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(e, off, fmt, ap);
    va_end(ap);
    return 0;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}


/* Keep decoded text in the scratch arena. */
static void tok_set_text(struct eql *e, struct tok *t, const char *s, size_t n)
{
    t->s = arena_strndup(&e->scratch, s, n);
    t->n = (uint32_t)n;
}

/* The escapes of ES's STRING_ESCAPE: \b \t \n \f \r \" \' \\ */
static const char esc_from[] = "btnfr\"'\\";
static const char esc_to[] = "\b\t\n\f\r\"'\\";

/*
 * STRING : '"' ( '\\' [btnfr"'\\] | '\\u{' HEX+ '}' | ~[\r\n"\\] )* '"'
 * Returns the offset after the closing quote, or 0 on error.
 */
static size_t lex_string(struct eql *e, size_t i, struct tok *t, struct buf *b)
{
    const char *s = e->text;
    size_t start = i++;

    buf_reset(b);
    for (;;) {
        if (i >= e->len || s[i] == '\n' || s[i] == '\r')
            return lfail(e, start, "unterminated string (a string ends at the line's end)");
        if (s[i] == '"')
            break;
        if (s[i] != '\\') {
            buf_putc(b, s[i++]);
            continue;
        }
        if (i + 1 >= e->len)
            return lfail(e, start, "unterminated string");
        const char *esc = s[i + 1] ? strchr(esc_from, s[i + 1]) : NULL;
        if (esc) {
            buf_putc(b, esc_to[esc - esc_from]);
            i += 2;
            continue;
        }
        if (s[i + 1] != 'u') {
            if ((unsigned char)s[i + 1] < 0x20 || (unsigned char)s[i + 1] >= 0x7f)
                return lfail(e, i, "invalid escape sequence in string");
            return lfail(e, i,
                         "invalid escape sequence '\\%c' in string (use '\\\\' for a backslash)",
                         s[i + 1]);
        }
        /* '\\u{' HEX+ '}' with 2 to 8 digits, a Unicode scalar value */
        size_t j = i + 2, nd = 0;
        uint32_t cp = 0;
        if (j >= e->len || s[j] != '{')
            return lfail(e, i, "expected '{' after \\u (unicode escapes are \\u{XXXX})");
        for (j++; j < e->len && hex_digit(s[j]) >= 0; j++, nd++)
            if (nd < 8)
                cp = cp * 16 + (uint32_t)hex_digit(s[j]);
        if (j >= e->len || s[j] != '}')
            return lfail(e, i, "expected hex digits and '}' in unicode escape");
        if (nd < 2 || nd > 8)
            return lfail(e, i, "unicode escape needs 2 to 8 hex digits, found %zu", nd);
        if (cp >= 0xd800 && cp <= 0xdfff)
            return lfail(e, i, "invalid unicode escape: U+%04X is a surrogate", cp);
        if (cp > 0x10ffff)
            return lfail(e, i, "invalid unicode escape: %X is beyond U+10FFFF", cp);
        buf_put_utf8(b, cp);
        i = j + 1;
    }
    tok_set_text(e, t, b->p ? b->p : "", b->len);
    return i + 1;
}

/* STRING : '"""' (~[\r\n])*? '"""' '"'? '"'?   (the extra quotes are part of the text) */
static size_t lex_raw_string(struct eql *e, size_t i, struct tok *t)
{
    const char *s = e->text;
    size_t start = i, j = i + 3, end;

    for (;; j++) {
        if (j >= e->len || s[j] == '\n' || s[j] == '\r')
            return lfail(e, start, "unterminated raw string (\"\"\" ends at the line's end)");
        if (j + 2 < e->len && s[j] == '"' && s[j + 1] == '"' && s[j + 2] == '"')
            break;
    }
    end = j + 3;
    if (end < e->len && s[end] == '"')
        end++;
    if (end < e->len && s[end] == '"')
        end++;
    tok_set_text(e, t, s + start + 3, end - 3 - (start + 3));
    return end;
}

/* QUOTED_IDENTIFIER : '`' ( ~'`' | '``' )* '`' */
static size_t lex_quoted_ident(struct eql *e, size_t i, struct tok *t, struct buf *b)
{
    const char *s = e->text;
    size_t start = i++;

    buf_reset(b);
    for (;;) {
        if (i >= e->len)
            return lfail(e, start, "unterminated quoted field name (missing '`')");
        if (s[i] == '`') {
            if (i + 1 < e->len && s[i + 1] == '`') {
                buf_putc(b, '`');
                i += 2;
                continue;
            }
            break;
        }
        buf_putc(b, s[i++]);
    }
    if (b->len == 0)
        return lfail(e, start, "empty quoted field name");
    tok_set_text(e, t, b->p, b->len);
    return i + 1;
}

/*
 * INTEGER_VALUE : DIGIT+
 * DECIMAL_VALUE : DIGIT+ '.' DIGIT* EXPONENT? | '.' DIGIT+ EXPONENT? | DIGIT+ EXPONENT
 */
static size_t lex_number(struct eql *e, size_t i, struct tok *t)
{
    const char *s = e->text;
    size_t start = i;
    bool dec = false;
    char tmp[128];

    while (i < e->len && is_digit(s[i]))
        i++;
    if (i < e->len && s[i] == '.') {
        dec = true;
        for (i++; i < e->len && is_digit(s[i]); i++)
            ;
    }
    if (i < e->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < e->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < e->len && is_digit(s[j])) {
            dec = true;
            for (i = j; i < e->len && is_digit(s[i]); i++)
                ;
        }
    }
    if (i - start >= sizeof tmp)
        return lfail(e, start, "number too long");
    memcpy(tmp, s + start, i - start);
    tmp[i - start] = 0;
    errno = 0;
    if (dec) {
        t->kind = T_DEC;
        t->d = strtod(tmp, NULL);
        if (errno == ERANGE)
            return lfail(e, start, "number out of range");
    } else {
        unsigned long long v = strtoull(tmp, NULL, 10);
        if (errno == ERANGE || v > INT64_MAX)
            return lfail(e, start, "integer too large (the limit is %lld)", (long long)INT64_MAX);
        t->kind = T_INT;
        t->i = (int64_t)v;
    }
    return i;
}

/* Names and keywords: [A-Za-z_@][A-Za-z0-9_]* , optionally followed by '~'. */
static size_t lex_word(struct eql *e, size_t i, struct tok *t)
{
    const char *s = e->text;
    size_t start = i, n;

    for (i++; i < e->len && (is_letter(s[i]) || is_digit(s[i]) || s[i] == '_'); i++)
        ;
    n = i - start;
    t->kind = T_IDENT;
    for (size_t k = 0; k < ARRAY_LEN(keywords); k++) {
        if (strlen(keywords[k].word) == n && memcmp(keywords[k].word, s + start, n) == 0) {
            t->kind = keywords[k].kind;
            break;
        }
    }
    if (i < e->len && s[i] == '~' && is_letter(s[start])) {
        switch (t->kind) {
        case T_IN:
            t->kind = T_IN_CI;
            break;
        case T_LIKE:
            t->kind = T_LIKE_CI;
            break;
        case T_REGEX:
            t->kind = T_REGEX_CI;
            break;
        default:
            t->kind = T_TILDE_IDENT;
            break;
        }
        i++;
    }
    if (t->kind == T_IDENT || t->kind == T_TILDE_IDENT)
        tok_set_text(e, t, s + start, n);
    return i;
}

/* Skip blanks and comments; returns the next offset, or 0 on an unterminated comment. */
static size_t skip_space(struct eql *e, size_t i)
{
    const char *s = e->text;

    while (i < e->len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
        } else if (c == '/' && i + 1 < e->len && s[i + 1] == '/') {
            while (i < e->len && s[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < e->len && s[i + 1] == '*') {
            /* BRACKETED_COMMENT: slash-star (BRACKETED_COMMENT | .)*? star-slash; comments nest */
            size_t start = i;
            int level = 0;
            do {
                if (i + 1 < e->len && s[i] == '/' && s[i + 1] == '*') {
                    level++;
                    i += 2;
                } else if (i + 1 < e->len && s[i] == '*' && s[i + 1] == '/') {
                    level--;
                    i += 2;
                } else {
                    i++;
                }
                if (level > 0 && i >= e->len) {
                    eql_fail(e, start, "unterminated comment (missing '*/')");
                    return 0;
                }
            } while (level > 0);
        } else {
            break;
        }
    }
    return i;
}

/* The longest punctuation token at s[i]; kind 0 if none. */
static size_t lex_punct(struct eql *e, size_t i, struct tok *t)
{
    const char *s = e->text;
    char c = s[i], d = i + 1 < e->len ? s[i + 1] : 0;

    switch (c) {
    case ':':
        t->kind = T_SEQ;
        return i + 1;
    case '=':
        t->kind = d == '=' ? T_EQ : T_ASGN;
        return i + (d == '=' ? 2 : 1);
    case '!':
        if (d == '=') {
            t->kind = T_NEQ;
            return i + 2;
        }
        if (d == '[') {
            t->kind = T_MISSING;
            return i + 2;
        }
        return i;
    case '<':
        t->kind = d == '=' ? T_LE : T_LT;
        return i + (d == '=' ? 2 : 1);
    case '>':
        t->kind = d == '=' ? T_GE : T_GT;
        return i + (d == '=' ? 2 : 1);
    case '+':
        t->kind = T_PLUS;
        return i + 1;
    case '-':
        t->kind = T_MINUS;
        return i + 1;
    case '*':
        t->kind = T_STAR;
        return i + 1;
    case '/':
        t->kind = T_SLASH;
        return i + 1;
    case '%':
        t->kind = T_PERCENT;
        return i + 1;
    case '.':
        t->kind = T_DOT;
        return i + 1;
    case ',':
        t->kind = T_COMMA;
        return i + 1;
    case '[':
        t->kind = T_LB;
        return i + 1;
    case ']':
        t->kind = T_RB;
        return i + 1;
    case '(':
        t->kind = T_LP;
        return i + 1;
    case ')':
        t->kind = T_RP;
        return i + 1;
    case '|':
        t->kind = T_PIPE;
        return i + 1;
    case '?':
        t->kind = T_OPT;
        return i + 1;
    default:
        return i;
    }
}

/* One token starting at s[i] (not a blank). Returns the offset after it, 0 on error. */
static size_t lex_one(struct eql *e, size_t i, struct tok *t, struct buf *b)
{
    const char *s = e->text;
    char c = s[i];
    size_t next;

    if (is_letter(c) || c == '_' || c == '@')
        return lex_word(e, i, t);
    if (is_digit(c) || (c == '.' && i + 1 < e->len && is_digit(s[i + 1])))
        return lex_number(e, i, t);
    if (c == '"') {
        t->kind = T_STRING;
        if (i + 2 < e->len && s[i + 1] == '"' && s[i + 2] == '"')
            return lex_raw_string(e, i, t);
        return lex_string(e, i, t, b);
    }
    if (c == '`') {
        t->kind = T_QIDENT;
        return lex_quoted_ident(e, i, t, b);
    }
    if (c == '\'')
        return lfail(e, i, "single-quoted strings are not supported; use double quotes (\")");
    if (c == '?' && i + 1 < e->len && (s[i + 1] == '"' || s[i + 1] == '\''))
        return lfail(
            e, i, "?\" raw strings are not supported; use triple double quotes (\"\"\"...\"\"\")");
    next = lex_punct(e, i, t);
    if (next > i)
        return next;
    if (c == '!')
        return lfail(e, i, "unexpected '!' (use 'not', '!=' or '![' for a missing event)");
    if (c == '~')
        return lfail(
            e, i,
            "unexpected '~' (it must follow a function name or in/like/regex without a space)");
    if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
        return lfail(e, i, "unexpected character '%c'", c);
    return lfail(e, i, "unexpected byte 0x%02x (quote odd field names with backticks)",
                 (unsigned char)c);
}

bool eql_lex(struct eql *e)
{
    struct buf b = {0};
    size_t cap = 0, i = 0;
    bool ok = true;

    if (e->len > EQL_MAX_TEXT)
        return eql_fail(e, 0, "query too long (%zu bytes; the limit is %u)", e->len, EQL_MAX_TEXT);
    for (;;) {
        struct tok t = {0};
        if (!(i = skip_space(e, i)) && e->failed) {
            ok = false;
            break;
        }
        if (e->ntoks + 1 >= EQL_MAX_TOKENS) {
            ok = eql_fail(e, i, "query too long (more than %u tokens)", EQL_MAX_TOKENS);
            break;
        }
        e->toks = xgrow(e->toks, &cap, e->ntoks + 1, sizeof *e->toks);
        t.off = (uint32_t)i;
        if (i >= e->len) {
            t.kind = T_EOF;
            e->toks[e->ntoks++] = t;
            break;
        }
        size_t next = lex_one(e, i, &t, &b);
        if (!next) {
            ok = false;
            break;
        }
        t.len = (uint32_t)(next - i);
        e->toks[e->ntoks++] = t;
        i = next;
    }
    buf_clear(&b);
    return ok;
}

const char *eql_tok_desc(const struct eql *e, const struct tok *t, char *out, size_t outlen)
{
    if (t->kind == T_EOF) {
        snprintf(out, outlen, "end of query");
        return out;
    }
    size_t n = t->len;
    const char *s = e->text + t->off;
    bool cut = n > 40;
    if (cut)
        n = 37;
    snprintf(out, outlen, "'%.*s%s'", (int)n, s, cut ? "..." : "");
    return out;
}

bool eql_fail_expected(struct eql *e, const struct tok *t, const char *what)
{
    char d[64];
    const char *hint = "";

    /* AND, Where, ...: ES keywords are lowercase only */
    if (t->kind == T_IDENT)
        for (size_t k = 0; k < ARRAY_LEN(keywords); k++)
            if (mem_eq_nocase(t->s, t->n, keywords[k].word, strlen(keywords[k].word)))
                hint = " (EQL keywords are lowercase)";
    return eql_fail(e, t->off, "expected %s, found %s%s", what, eql_tok_desc(e, t, d, sizeof d),
                    hint);
}

bool eql_expect(struct eql *e, enum tok_kind k, const char *where)
{
    char what[160];
    if (eql_accept(e, k))
        return true;
    snprintf(what, sizeof what, "%s%s%s", eql_tok_name(k), where && *where ? " " : "",
             where ? where : "");
    return eql_fail_expected(e, eql_peek(e), what);
}
