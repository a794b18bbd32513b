/* test_toml.c — the TOML 1.0 parser: valid documents, rejected ones (exact positions), offsets. */
#include "t.h"
#include "toml/toml.h"

#include <math.h>

static struct toml_doc *parse_ok(const char *text, int line)
{
    char err[256] = "";
    struct toml_doc *d = toml_parse("t.toml", text, strlen(text), err, sizeof err);
    if (!d)
        t_fail_at(__FILE__, line, "parse failed: %s", err);
    return d;
}
#define PARSE(text) parse_ok(text, __LINE__)

/* the JSON form of a document, for compact assertions */
static char *json_of(const char *text, int line)
{
    struct toml_doc *d = parse_ok(text, line);
    if (!d)
        return xstrdup("(parse failed)");
    struct buf b = {0};
    toml_to_json(&b, toml_root(d));
    toml_free(d);
    return buf_steal(&b);
}

static const struct {
    const char *text, *json;
} good[] = {
    {"", "{}"},
    {"# only a comment\n\n   \t\n", "{}"},
    {"\xef\xbb\xbf"
     "a = 1",
     "{\"a\":1}"},
    {"a = 1\r\nb = 'x'\r\n", "{\"a\":1,\"b\":\"x\"}"},
    {"a = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "{\"a\":\"\\b\\t\\n\\f\\r\\\"\\\\\"}"},
    {"a = \"\\u00e9\\U0001F600\"", "{\"a\":\"\xc3\xa9\xf0\x9f\x98\x80\"}"},
    {"a = 'C:\\Users\\x'", "{\"a\":\"C:\\\\Users\\\\x\"}"},
    {"a = \"\"\"\nThe quick \\\n   brown \\\n\n  fox.\"\"\"", "{\"a\":\"The quick brown fox.\"}"},
    {"a = \"\"\"\r\none\r\ntwo\"\"\"", "{\"a\":\"one\\r\\ntwo\"}"},
    {"a = \"\"\"ab\"\"\"\"", "{\"a\":\"ab\\\"\"}"},
    {"a = \"\"\"ab\"\"\"\"\"", "{\"a\":\"ab\\\"\\\"\"}"},
    {"a = \"\"\"\"\"\"", "{\"a\":\"\"}"},
    {"a = \"\"\"x \"\" y\"\"\"", "{\"a\":\"x \\\"\\\" y\"}"},
    {"a = '''\nx\\y\n'''", "{\"a\":\"x\\\\y\\n\"}"},
    {"a = '''it's''''", "{\"a\":\"it's'\"}"},
    {"a = '\tx'", "{\"a\":\"\\tx\"}"},
    {"a = 0xDEAD_beef\nb = 0o755\nc = 0b1101\nd = 1_000\ne = -17\nf = +5\ng = 0\nh = -0",
     "{\"a\":3735928559,\"b\":493,\"c\":13,\"d\":1000,\"e\":-17,\"f\":5,\"g\":0,\"h\":0}"},
    {"a = 9223372036854775807\nb = -9223372036854775808",
     "{\"a\":9223372036854775807,\"b\":-9223372036854775808}"},
    {"a = 3.14\nb = -0.01\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 224_617.445_991\ng = 0.0",
     "{\"a\":3.14,\"b\":-0.01,\"c\":5e+22,\"d\":1000000.0,\"e\":-0.02,\"f\":224617.445991,"
     "\"g\":0.0}"},
    {"a = inf\nb = -inf\nc = nan\nd = +nan", "{\"a\":null,\"b\":null,\"c\":null,\"d\":null}"},
    {"t = true\nf = false", "{\"t\":true,\"f\":false}"},
    {"a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.999999-07:00\n"
     "c = 1979-05-27 07:32:00\nd = 1979-05-27\ne = 00:32:00.5\nf = 2000-02-29t23:59:60+05:30",
     "{\"a\":\"1979-05-27T07:32:00Z\",\"b\":\"1979-05-27T00:32:00.999999-07:00\","
     "\"c\":\"1979-05-27T07:32:00\",\"d\":\"1979-05-27\",\"e\":\"00:32:00.5\","
     "\"f\":\"2000-02-29T23:59:60+05:30\"}"},
    {"a = [\n  1, # one\n  2,\n\n  # comment\n  3,\n]\nb = []\nc = [ [1], ['x', 2.5] ]",
     "{\"a\":[1,2,3],\"b\":[],\"c\":[[1],[\"x\",2.5]]}"},
    {"[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n[[fruit.variety]]\n"
     "name = 'red delicious'\n[[fruit.variety]]\nname = 'granny smith'\n[[fruit]]\n"
     "name = 'banana'\n[[fruit.variety]]\nname = 'plantain'",
     "{\"fruit\":[{\"name\":\"apple\",\"physical\":{\"color\":\"red\"},\"variety\":[{\"name\":"
     "\"red delicious\"},{\"name\":\"granny smith\"}]},{\"name\":\"banana\",\"variety\":[{"
     "\"name\":\"plantain\"}]}]}"},
    {"p = { x = 1, y = 2 }\nq = {}\nr = { a.b = 1, a.c = { d = 'e' } }",
     "{\"p\":{\"x\":1,\"y\":2},\"q\":{},\"r\":{\"a\":{\"b\":1,\"c\":{\"d\":\"e\"}}}}"},
    {"a.b.c = 1\na . \"b\" . d = 2\n\"x.y\" = 3\n'q' = 4\n\"\" = 5",
     "{\"a\":{\"b\":{\"c\":1,\"d\":2}},\"x.y\":3,\"q\":4,\"\":5}"},
    {"[a.b]\nx = 1\n[a]\ny = 2", "{\"a\":{\"b\":{\"x\":1},\"y\":2}}"},
    {"[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true",
     "{\"fruit\":{\"apple\":{\"color\":\"red\",\"texture\":{\"smooth\":true}}}}"},
    {"[ a . b ]  # c\n[[ c ]]\n", "{\"a\":{\"b\":{}},\"c\":[{}]}"},
    {"1234 = 'bare digits'\n-_ = 1\n3.14 = 2",
     "{\"1234\":\"bare digits\",\"-_\":1,\"3\":{\"14\":2}}"},
    {"a = \"#not a comment\" # comment", "{\"a\":\"#not a comment\"}"},
    {"a = [{x = 1}, {x = 2}]", "{\"a\":[{\"x\":1},{\"x\":2}]}"},
};

TEST(toml_parse_valid)
{
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        char *j = json_of(good[i].text, __LINE__);
        if (strcmp(j, good[i].json) != 0)
            t_fail_at(__FILE__, __LINE__, "case %zu: got %s\n      want %s", i, j, good[i].json);
        free(j);
    }
}

static const struct {
    const char *text;
    int line, col;
    const char *reason;
} bad[] = {
    {"a = 1\na = 2\n", 2, 1, "duplicate key `a`"},
    {"a.b = 1\na.b = 2", 2, 3, "duplicate key `a.b`"},
    {"[a]\n[a]\n", 2, 2, "table `a` defined twice"},
    {"[a]\nb = 1\n[x]\n[ a ]", 4, 3, "table `a` defined twice"},
    {"a.b = 1\n[a]\n", 2, 2, "already defined by dotted keys"},
    {"[a]\nb.c = 1\n[a.b]", 3, 4, "already defined by dotted keys"},
    {"a = {b = 1}\na.c = 2\n", 2, 1, "inline table `a`"},
    {"a = {b = 1}\n[a]", 2, 2, "inline table `a`"},
    {"a = {b = 1}\n[a.c]", 2, 2, "inline table `a`"},
    {"a = [1]\n[[a]]\n", 2, 3, "static array `a`"},
    {"[[a]]\n[a]", 2, 2, "already an array, not a table"},
    {"a = 1\n[a.b]", 2, 2, "already an integer, not a table"},
    {"[a.b]\nc=1\n[a]\nb.d = 2", 4, 1, "defined by a [header]"},
    {"a = {x = 1, x = 2}", 1, 13, "duplicate key `x`"},
    {"a = \"\\q\"", 1, 6, "invalid escape sequence \\q"},
    {"a = \"\\u00G1\"", 1, 6, "needs 4 hex digits"},
    {"a = \"\\uD800\"", 1, 6, "not a Unicode scalar value"},
    {"a = \"\\U00110000\"", 1, 6, "not a Unicode scalar value"},
    {"a = \"\\e\"", 1, 6, "invalid escape"},
    {"a = \"abc", 1, 5, "unterminated string"},
    {"a = \"abc\nb = 1", 1, 5, "unterminated string"},
    {"a = 'abc", 1, 5, "unterminated string"},
    {"x = 1\na = \"\"\"abc\n\n", 2, 5, "unterminated string"},
    {"a = '''x\ny", 1, 5, "unterminated string"},
    {"a = \"x\x01\"", 1, 7, "control character U+0001 in string"},
    {"a = 'x\x7f'", 1, 7, "control character U+007F"},
    {"a = \"\"\"x\ry\"\"\"", 1, 9, "carriage return"},
    {"# comment \x7f", 1, 11, "control character U+007F in comment"},
    {"a = 1\r", 1, 6, "carriage return not followed by newline"},
    {"a = \"\xff\"", 1, 6, "invalid UTF-8"},
    {"a = 1\n# \xc3\x28", 2, 3, "invalid UTF-8"},
    {"a = \"\xed\xa0\x80\"", 1, 6, "invalid UTF-8"}, /* encoded surrogate */
    {"a = 01", 1, 5, "leading zeros"},
    {"a = 1__0", 1, 6, "underscore must be between digits"},
    {"a = 1_", 1, 6, "underscore must be between digits"},
    {"a = _1", 1, 5, "expected a value"},
    {"a = 0x", 1, 7, "expected a digit"},
    {"a = 0xG", 1, 7, "expected a digit"},
    {"a = +0x10", 1, 5, "sign not allowed"},
    {"a = 0b102", 1, 9, "invalid character '2' in number"},
    {"a = 1.", 1, 7, "expected a digit"},
    {"a = 1e", 1, 7, "expected a digit"},
    {"a = 1.2.3", 1, 8, "invalid character '.'"},
    {"a = 9223372036854775808", 1, 5, "integer out of range"},
    {"a = -9223372036854775809", 1, 5, "integer out of range"},
    {"a = 0x8000000000000000", 1, 5, "integer out of range"},
    {"a = 1979-13-01", 1, 10, "month 13 out of range"},
    {"a = 1979-02-29", 1, 13, "day 29 out of range"},
    {"a = 1979-05-27T24:00:00", 1, 16, "hour 24 out of range"},
    {"a = 07:60:00", 1, 8, "minute 60 out of range"},
    {"a = 1979-05-27T07:32", 1, 21, "expected ':' in time"},
    {"a = 1979-05-27T07:32:00+25:00", 1, 25, "offset hour 25"},
    {"a = 07:32:00Z", 1, 13, "unexpected character 'Z' after value"},
    {"a = 1979-05-27T07:32:00.", 1, 25, "expected a digit after '.'"},
    {"a = truex", 1, 9, "unexpected character 'x' after value"},
    {"a = True", 1, 5, "expected a value, found 'T'"},
    {"a = yes", 1, 5, "expected a value, found 'y'"},
    {"a = [1, 2", 1, 5, "unterminated array"},
    {"a = [1 2]", 1, 8, "expected ',' or ']' in array"},
    {"a = [,]", 1, 6, "expected a value"},
    {"a = {b = 1,}", 1, 12, "trailing comma in inline table"},
    {"a = {b = 1\n}", 1, 11, "newline in inline table"},
    {"a = {b = 1", 1, 5, "unterminated inline table"},
    {"a = 1 b = 2", 1, 7, "expected end of line, found 'b'"},
    {"= 1", 1, 1, "expected a key, found '='"},
    {"a 1", 1, 3, "expected '=' after key `a`"},
    {"a =", 1, 4, "expected a value"},
    {"a = # c", 1, 5, "expected a value"},
    {"a.= 1", 1, 3, "expected a key"},
    {"[a\n", 1, 3, "expected ']' after table name"},
    {"[[a]\n", 1, 5, "expected ']]'"},
    {"[]", 1, 2, "expected a key"},
    {"x = 1\n  [ a ] b", 2, 9, "expected end of line"},
    {"\"a\nb\" = 1", 1, 1, "unterminated string"},
    {"\xc3\xa9 = 1", 1, 1, "expected a key, found byte 0xC3"},
};

TEST(toml_parse_invalid)
{
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char err[256] = "", want[64];
        struct toml_doc *d =
            toml_parse("t.toml", bad[i].text, strlen(bad[i].text), err, sizeof err);
        if (d) {
            t_fail_at(__FILE__, __LINE__, "case %zu parsed, want error %d:%d %s", i, bad[i].line,
                      bad[i].col, bad[i].reason);
            toml_free(d);
            continue;
        }
        snprintf(want, sizeof want, "t.toml:%d:%d: ", bad[i].line, bad[i].col);
        if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, bad[i].reason))
            t_fail_at(__FILE__, __LINE__, "case %zu: got \"%s\", want \"%s%s\"", i, err, want,
                      bad[i].reason);
    }
}

TEST(toml_nul_byte_is_rejected)
{
    const char text[] = "a = \"x\0y\"";
    char err[256] = "";
    CHECK(!toml_parse("t.toml", text, sizeof text - 1, err, sizeof err));
    CHECK_STR(err, "t.toml:1:7: control character U+0000 in string");
    /* but an escaped NUL decodes, and the length keeps it */
    struct toml_doc *d = PARSE("a = \"x\\u0000y\"");
    size_t n = 0;
    const char *s = toml_as_str(toml_get(toml_root(d), "a"), &n);
    CHECK(s && n == 3 && memcmp(s, "x\0y", 3) == 0);
    toml_free(d);
}

TEST(toml_depth_limit)
{
    struct buf b = {0};
    buf_puts(&b, "a = ");
    for (int i = 0; i < TOML_MAX_DEPTH; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < TOML_MAX_DEPTH; i++)
        buf_putc(&b, ']');
    char err[256] = "";
    struct toml_doc *d = toml_parse("t.toml", b.p, b.len, err, sizeof err);
    CHECK(d != NULL); /* 64 levels is fine */
    toml_free(d);

    buf_reset(&b);
    buf_puts(&b, "a = ");
    for (int i = 0; i < 100000; i++) /* would overflow the stack without the limit */
        buf_puts(&b, i % 2 ? "[" : "{b = ");
    d = toml_parse("t.toml", b.p, b.len, err, sizeof err);
    CHECK(d == NULL);
    CHECK(strstr(err, "nesting deeper than 64 levels") != NULL);

    /* a header 64 levels deep, then a dotted key one deeper */
    buf_reset(&b);
    buf_putc(&b, '[');
    for (int i = 0; i < TOML_MAX_DEPTH; i++)
        buf_puts(&b, i ? ".k" : "k");
    buf_puts(&b, "]\nx = 1\ny.z = 2\n");
    d = toml_parse("t.toml", b.p, b.len, err, sizeof err);
    CHECK(d == NULL);
    CHECK_STR(err, "t.toml:3:1: nesting deeper than 64 levels");
    buf_clear(&b);
}

TEST(toml_many_keys_order_and_lookup)
{
    struct buf b = {0};
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "k%d = %d\n", (i * 7919) % 2000, i);
    struct toml_doc *d = PARSE(b.p);
    const struct toml_value *root = toml_root(d);
    CHECK_INT(toml_table_len(root), 2000);
    for (int i = 0; i < 2000; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", (i * 7919) % 2000);
        int64_t x = -1;
        CHECK(toml_as_int(toml_get(root, key), &x) && x == i);
        const struct toml_kv *kv = toml_table_at(root, i);
        CHECK(kv && strcmp(kv->key, key) == 0);
    }
    buf_puts(&b, "k1999 = 0\n");
    char err[256] = "";
    CHECK(!toml_parse("t.toml", b.p, b.len, err, sizeof err));
    CHECK_STR(err, "t.toml:2001:1: duplicate key `k1999`");
    toml_free(d);
    buf_clear(&b);
}

TEST(toml_accessors)
{
    struct toml_doc *d = PARSE("[rule]\nname = 'x'\nscore = 21\nf = 1.5\nb = true\n"
                               "[rule.sub]\n\"dot.ted\" = 'q'\n");
    const struct toml_value *root = toml_root(d);
    CHECK_STR(toml_as_str(toml_get_path(root, "rule.name"), NULL), "x");
    int64_t i = 0;
    CHECK(toml_as_int(toml_get_path(root, "rule.score"), &i) && i == 21);
    double f = 0;
    CHECK(toml_as_float(toml_get_path(root, "rule.f"), &f) && f == 1.5);
    CHECK(toml_as_float(toml_get_path(root, "rule.score"), &f) && f == 21.0);
    bool bv = false;
    CHECK(toml_as_bool(toml_get_path(root, "rule.b"), &bv) && bv);
    CHECK(!toml_as_int(toml_get_path(root, "rule.name"), &i));
    CHECK(toml_as_str(toml_get_path(root, "rule.score"), NULL) == NULL);
    CHECK(toml_get_path(root, "rule.nope") == NULL);
    CHECK(toml_get_path(root, "rule.name.x") == NULL);
    CHECK_STR(toml_as_str(toml_get(toml_get_path(root, "rule.sub"), "dot.ted"), NULL), "q");
    CHECK(toml_get(NULL, "x") == NULL);
    CHECK_STR(toml_type_name(toml_get_path(root, "rule.sub")->type), "table");
    /* positions: a header table points at its '[', a value at its first byte */
    int line, col;
    toml_value_pos(d, toml_get(root, "rule"), &line, &col);
    CHECK(line == 1 && col == 1);
    toml_value_pos(d, toml_get_path(root, "rule.score"), &line, &col);
    CHECK(line == 3 && col == 9);
    toml_value_pos(d, toml_get_path(root, "rule.sub"), &line, &col);
    CHECK(line == 6 && col == 1);
    toml_free(d);
}

/* The source offset of every decoded byte of key `a` must hold what produced that byte. */
static void check_offsets(const char *text, const size_t *want, size_t nwant, int line)
{
    struct toml_doc *d = parse_ok(text, line);
    if (!d)
        return;
    const struct toml_value *v = toml_get(toml_root(d), "a");
    size_t n = 0;
    toml_as_str(v, &n);
    if (n + 1 != nwant)
        t_fail_at(__FILE__, line, "decoded length %zu, want %zu", n, nwant - 1);
    for (size_t k = 0; k < nwant && k <= n; k++) {
        size_t got = toml_str_src_offset(d, v, k);
        if (got != want[k])
            t_fail_at(__FILE__, line, "decoded offset %zu -> %zu, want %zu", k, got, want[k]);
    }
    toml_free(d);
}

TEST(toml_str_src_offset)
{
    /*           0123456 7 8901 2 34567890 */
    const char *basic = "a = \"x\\ty\\u00e9z\"";
    /* x@5 \t@6 y@8 é(2 bytes)@9 z@15 end(closing quote)@16 */
    const size_t w1[] = {5, 6, 8, 9, 9, 15, 16};
    check_offsets(basic, w1, ARRAY_LEN(w1), __LINE__);

    const char *lit = "a = 'ab\\c'";
    const size_t w2[] = {5, 6, 7, 8, 9};
    check_offsets(lit, w2, ARRAY_LEN(w2), __LINE__);

    /* """ + trimmed newline, then "ab", line-ending backslash, "  cd" on the next line */
    const char *ml = "a = \"\"\"\nab \\\n   cd\n\"\"\"";
    /* offsets: '"""'@4..6, '\n'@7 (trimmed), a@8 b@9 ' '@10 '\\'@11 '\n'@12,
       spaces@13..15, c@16 d@17 '\n'@18, closing @19 */
    const size_t w3[] = {8, 9, 10, 16, 17, 18, 19};
    check_offsets(ml, w3, ARRAY_LEN(w3), __LINE__);

    const char *mlcrlf = "a = '''\r\nx\r\ny'''";
    /* trimmed CRLF @7,8; x@9 \r@10 \n@11 y@12 closing@13 */
    const size_t w4[] = {9, 10, 11, 12, 13};
    check_offsets(mlcrlf, w4, ARRAY_LEN(w4), __LINE__);

    const char *mlq = "a = \"\"\"q\\\"\"\"\"\"";
    /* q@7 \"@8 then one glued quote @10 in the body, delimiter @11 */
    const size_t w5[] = {7, 8, 10, 11};
    check_offsets(mlq, w5, ARRAY_LEN(w5), __LINE__);

    const char *astral = "a = \"\\U0001F600!\"";
    const size_t w6[] = {5, 5, 5, 5, 15, 16};
    check_offsets(astral, w6, ARRAY_LEN(w6), __LINE__);
}

TEST(toml_parse_file_errors)
{
    char err[256] = "";
    CHECK(toml_parse_file("/nonexistent/x.toml", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/x.toml: No such file") == err);
    /* NULL err buffer is allowed */
    CHECK(toml_parse("t", "a = ", 4, NULL, 0) == NULL);
    toml_free(NULL);
}
