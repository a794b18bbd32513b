/*
 * toml_scalar.c — the TOML scalars: strings (four kinds, escapes), integers, floats and
 * date/times. Called by the parser in toml.c with P->i at the value's first byte; each leaves
 * P->i after the value or fails with the exact position. See toml.h.
 */
#include "toml/toml_int.h"

#include <stdlib.h>
#include <string.h>


/* ---- strings ---- */

/* One escape at P->i (the backslash), appended to out. */
static bool parse_escape(struct parser *P, struct buf *out)
{
    size_t at = P->i;
    int c = peek(P, 1);
    char ch;
    switch (c) {
    case 'b':
        ch = '\b';
        break;
    case 't':
        ch = '\t';
        break;
    case 'n':
        ch = '\n';
        break;
    case 'f':
        ch = '\f';
        break;
    case 'r':
        ch = '\r';
        break;
    case '"':
        ch = '"';
        break;
    case '\\':
        ch = '\\';
        break;
    case 'u':
    case 'U': {
        int nd = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int k = 0; k < nd; k++) {
            int h = hex_digit(peek(P, 2 + k));
            if (h < 0)
                return toml_fail(P, at, "\\%c escape needs %d hex digits", c, nd);
            cp = cp << 4 | (uint32_t)h;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return toml_fail(P, at, "escape \\%c%.*s is not a Unicode scalar value", c, nd,
                             P->s + at + 2);
        char u[4];
        buf_append(out, u, utf8_encode(cp, u));
        P->i += 2 + nd;
        return true;
    }
    default:
        if (c < 0)
            return toml_fail(P, at, "unterminated escape sequence");
        if (c < 0x20 || c >= 0x7f)
            return toml_fail(P, at, "invalid escape sequence");
        return toml_fail(P, at, "invalid escape sequence \\%c", c);
    }
    buf_putc(out, ch);
    P->i += 2;
    return true;
}

/* Copy a run of plain bytes starting at P->i that need no attention. */
static void copy_run(struct parser *P, struct buf *out, int quote)
{
    size_t j = P->i;
    while (j < P->n) {
        unsigned char c = P->s[j];
        if (c == quote || c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f)
            break;
        j++;
    }
    if (j > P->i)
        buf_append(out, P->s + P->i, j - P->i);
    P->i = j;
}

/*
 * basic-string = '"' *basic-char '"'
 * ml-basic-string = '"""' [newline] ml-basic-body '"""'  (1-2 extra quotes may end the body)
 * literal-string = "'" *literal-char "'" ; ml-literal-string = "'''" [newline] body "'''"
 * P->i at the opening quote; the decoded text is left in out.
 */
bool toml_parse_string(struct parser *P, struct buf *out, bool allow_ml)
{
    size_t start = P->i;
    int q = peek(P, 0);
    bool basic = q == '"';
    bool ml = allow_ml && peek(P, 1) == q && peek(P, 2) == q;
    buf_reset(out);
    if (!ml) {
        P->i++;
        for (;;) {
            copy_run(P, out, basic ? '"' : '\'');
            int c = peek(P, 0);
            if (c < 0 || c == '\n' || (c == '\r' && peek(P, 1) == '\n'))
                return toml_fail(P, start, "unterminated string");
            if (c == q) {
                P->i++;
                return true;
            }
            if (c == '\\' && basic) {
                if (!parse_escape(P, out))
                    return false;
                continue;
            }
            if (c == '\\') {
                buf_putc(out, '\\');
                P->i++;
                continue;
            }
            return toml_fail(P, P->i, "control character U+%04X in string", c);
        }
    }
    P->i += 3;
    bool ok = true;
    toml_eat_newline(P, &ok); /* a newline right after the delimiter is trimmed */
    if (!ok)
        return false;
    for (;;) {
        copy_run(P, out, basic ? '"' : '\'');
        int c = peek(P, 0);
        if (c < 0)
            return toml_fail(P, start, "unterminated string");
        if (c == q) {
            size_t nq = 0;
            while (peek(P, nq) == q)
                nq++;
            if (nq >= 3) {
                size_t extra = nq - 3 > 2 ? 2 : nq - 3;
                for (size_t k = 0; k < extra; k++)
                    buf_putc(out, (char)q);
                P->i += 3 + extra;
                return true;
            }
            buf_append(out, P->s + P->i, nq);
            P->i += nq;
            continue;
        }
        if (c == '\n') {
            buf_putc(out, '\n');
            P->i++;
            continue;
        }
        if (c == '\r') {
            if (peek(P, 1) != '\n')
                return toml_fail(P, P->i, "carriage return not followed by newline");
            buf_append(out, "\r\n", 2);
            P->i += 2;
            continue;
        }
        if (c == '\\' && basic) {
            /* line-ending backslash: drops the newline and following whitespace */
            size_t k = 1;
            while (peek(P, k) == ' ' || peek(P, k) == '\t')
                k++;
            if (peek(P, k) == '\n' || (peek(P, k) == '\r' && peek(P, k + 1) == '\n')) {
                P->i += k;
                for (;;) {
                    int d = peek(P, 0);
                    if (d == ' ' || d == '\t' || d == '\n')
                        P->i++;
                    else if (d == '\r' && peek(P, 1) == '\n')
                        P->i += 2;
                    else
                        break;
                }
                continue;
            }
            if (!parse_escape(P, out))
                return false;
            continue;
        }
        if (c == '\\') {
            buf_putc(out, '\\');
            P->i++;
            continue;
        }
        if (c == '\t') {
            buf_putc(out, '\t');
            P->i++;
            continue;
        }
        return toml_fail(P, P->i, "control character U+%04X in string", c);
    }
}

/* ---- numbers and dates ---- */

/* digits with single underscores between them, at least one digit; returns end */
static bool scan_digits(struct parser *P, size_t j, size_t end, int base, size_t *out)
{
    size_t start = j;
    for (; j < end; j++) {
        int c = (unsigned char)P->s[j];
        int d = hex_digit(c);
        if (c == '_') {
            if (j == start || j + 1 >= end || hex_digit((unsigned char)P->s[j + 1]) < 0 ||
                hex_digit((unsigned char)P->s[j + 1]) >= base)
                return toml_fail(P, j, "underscore must be between digits");
            continue;
        }
        if (d < 0 || d >= base)
            break;
    }
    if (j == start)
        return toml_fail(P, j, "expected a digit");
    *out = j;
    return true;
}

/*
 * integer = dec-int / hex-int / oct-int / bin-int   (dec-int = [+-] 0 / 1-9 *(DIGIT / _ DIGIT))
 * float   = dec-int ( exp / frac [ exp ] ) / [+-] ( inf / nan )
 * The token is every byte that can belong to a number; whatever of it the grammar does not
 * take is an error at that byte.
 */
bool toml_parse_number(struct parser *P, struct toml_value *v)
{
    size_t st = P->i, end = P->i;
    while (end < P->n) {
        int c = (unsigned char)P->s[end];
        if (!(is_bare(c) || c == '+' || c == '.'))
            break;
        end++;
    }
    const char *s = P->s;
    char sb[16];
    size_t j = st;
    bool neg = false, sign = false;
    if (s[j] == '+' || s[j] == '-') {
        neg = s[j] == '-';
        sign = true;
        j++;
    }
    if (end - j == 3 && (memcmp(s + j, "inf", 3) == 0 || memcmp(s + j, "nan", 3) == 0)) {
        v->type = TOML_FLOAT;
        if (s[j] == 'i')
            v->u.f = neg ? -__builtin_inf() : __builtin_inf();
        else
            v->u.f = neg ? -__builtin_nan("") : __builtin_nan("");
        P->i = end;
        return true;
    }
    if (j + 1 < end && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'o' || s[j + 1] == 'b')) {
        int base = s[j + 1] == 'x' ? 16 : s[j + 1] == 'o' ? 8 : 2;
        if (sign)
            return toml_fail(P, st, "sign not allowed on a %s integer",
                             base == 16  ? "hexadecimal"
                             : base == 8 ? "octal"
                                         : "binary");
        size_t e;
        if (!scan_digits(P, j + 2, end, base, &e))
            return false;
        if (e != end)
            return toml_fail(P, e, "invalid character %s in number",
                             toml_show((unsigned char)s[e], sb));
        uint64_t x = 0;
        for (size_t k = j + 2; k < e; k++) {
            if (s[k] == '_')
                continue;
            uint64_t d = (uint64_t)hex_digit((unsigned char)s[k]);
            if (x > (UINT64_MAX - d) / (uint64_t)base || x * base + d > INT64_MAX)
                return toml_fail(P, st, "integer out of range");
            x = x * base + d;
        }
        v->type = TOML_INTEGER;
        v->u.i = (int64_t)x;
        P->i = end;
        return true;
    }
    if (j >= end || !is_digit((unsigned char)s[j]))
        return toml_fail(P, st, "expected a value, found %s", toml_show((unsigned char)s[st], sb));
    size_t e;
    if (!scan_digits(P, j, end, 10, &e))
        return false;
    if (s[j] == '0' && e - j > 1)
        return toml_fail(P, j, "leading zeros are not allowed");
    bool is_float = false;
    if (e < end && s[e] == '.') {
        is_float = true;
        if (!scan_digits(P, e + 1, end, 10, &e))
            return false;
    }
    if (e < end && (s[e] == 'e' || s[e] == 'E')) {
        is_float = true;
        e++;
        if (e < end && (s[e] == '+' || s[e] == '-'))
            e++;
        if (!scan_digits(P, e, end, 10, &e))
            return false;
    }
    if (e != end)
        return toml_fail(P, e, "invalid character %s in number",
                         toml_show((unsigned char)s[e], sb));
    P->i = end;
    if (is_float) {
        struct buf *b = &P->scratch;
        buf_reset(b);
        for (size_t k = st; k < end; k++)
            if (s[k] != '_')
                buf_putc(b, s[k]);
        v->type = TOML_FLOAT;
        v->u.f = strtod(b->p, NULL);
        return true;
    }
    uint64_t x = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t k = j; k < e; k++) {
        if (s[k] == '_')
            continue;
        uint64_t d = (uint64_t)(s[k] - '0');
        if (x > (lim - d) / 10)
            return toml_fail(P, st, "integer out of range");
        x = x * 10 + d;
    }
    v->type = TOML_INTEGER;
    v->u.i = neg ? (int64_t)(0 - x) : (int64_t)x;
    return true;
}

/* exactly n digits at P->i into *out */
static bool fixed_digits(struct parser *P, int n, int *out, const char *what)
{
    int x = 0;
    for (int k = 0; k < n; k++) {
        int c = peek(P, k);
        if (!is_digit(c))
            return toml_fail(P, P->i + k, "expected %d-digit %s", n, what);
        x = x * 10 + (c - '0');
    }
    *out = x;
    P->i += n;
    return true;
}

static bool expect_char(struct parser *P, int ch, const char *what)
{
    if (peek(P, 0) != ch)
        return toml_fail(P, P->i, "expected '%c' in %s", ch, what);
    P->i++;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* partial-time = time-hour ":" time-minute ":" time-second [ time-secfrac ] */
static bool parse_time(struct parser *P, struct toml_datetime *dt)
{
    size_t at = P->i;
    if (!fixed_digits(P, 2, &dt->hour, "hour") || !expect_char(P, ':', "time"))
        return false;
    size_t mat = P->i;
    if (!fixed_digits(P, 2, &dt->minute, "minute") || !expect_char(P, ':', "time"))
        return false;
    size_t sat = P->i;
    if (!fixed_digits(P, 2, &dt->second, "second"))
        return false;
    if (dt->hour > 23)
        return toml_fail(P, at, "hour %02d out of range", dt->hour);
    if (dt->minute > 59)
        return toml_fail(P, mat, "minute %02d out of range", dt->minute);
    if (dt->second > 60)
        return toml_fail(P, sat, "second %02d out of range", dt->second);
    if (peek(P, 0) == '.') {
        P->i++;
        if (!is_digit(peek(P, 0)))
            return toml_fail(P, P->i, "expected a digit after '.' in time");
        int ns = 0, nd = 0;
        while (is_digit(peek(P, 0))) {
            if (nd < 9) {
                ns = ns * 10 + (peek(P, 0) - '0');
                nd++;
            }
            P->i++;
        }
        dt->frac_digits = nd;
        for (int k = nd; k < 9; k++)
            ns *= 10;
        dt->nanosecond = ns;
    }
    return true;
}

/*
 * date-time = offset-date-time / local-date-time / local-date / local-time
 * full-date = YYYY "-" MM "-" DD ; time-delim = "T" / "t" / " " ; offset = "Z" / ("+"/"-") HH:MM
 */
bool toml_parse_datetime(struct parser *P, struct toml_value *v)
{
    struct toml_datetime *dt = &v->u.dt;
    if (peek(P, 2) == ':') {
        v->type = TOML_TIME_LOCAL;
        return parse_time(P, dt);
    }
    size_t at = P->i;
    if (!fixed_digits(P, 4, &dt->year, "year") || !expect_char(P, '-', "date"))
        return false;
    size_t mat = P->i;
    if (!fixed_digits(P, 2, &dt->month, "month") || !expect_char(P, '-', "date"))
        return false;
    size_t dat = P->i;
    if (!fixed_digits(P, 2, &dt->day, "day"))
        return false;
    (void)at;
    if (dt->month < 1 || dt->month > 12)
        return toml_fail(P, mat, "month %02d out of range", dt->month);
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
        return toml_fail(P, dat, "day %02d out of range for %04d-%02d", dt->day, dt->year,
                         dt->month);
    v->type = TOML_DATE_LOCAL;
    int c = peek(P, 0);
    if (!(c == 'T' || c == 't' ||
          (c == ' ' && is_digit(peek(P, 1)) && is_digit(peek(P, 2)) && peek(P, 3) == ':')))
        return true;
    P->i++;
    if (!parse_time(P, dt))
        return false;
    v->type = TOML_DATETIME_LOCAL;
    c = peek(P, 0);
    if (c == 'Z' || c == 'z') {
        P->i++;
        v->type = TOML_DATETIME;
        dt->offset_z = true;
    } else if (c == '+' || c == '-') {
        P->i++;
        int oh, om;
        size_t hat = P->i;
        if (!fixed_digits(P, 2, &oh, "offset hour") || !expect_char(P, ':', "offset"))
            return false;
        size_t oat = P->i;
        if (!fixed_digits(P, 2, &om, "offset minute"))
            return false;
        if (oh > 23)
            return toml_fail(P, hat, "offset hour %02d out of range", oh);
        if (om > 59)
            return toml_fail(P, oat, "offset minute %02d out of range", om);
        dt->offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
        v->type = TOML_DATETIME;
    }
    return true;
}
