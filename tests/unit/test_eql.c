/*
 * Unit tests of the EQL compiler (userspace/lang/eql*.c): what compiles to which IR, what
 * fails where and why, limits, and every EQL query of the Elastic detection-rules corpus and
 * of the Elasticsearch EQL conformance suite. Query semantics over events are in
 * tests/lang/eql_*.test.
 */
#include "t.h"
#include "t_corpus.h"

#include "lang/lang.h"
#include "rules/rules.h"
#include "toml/toml.h"

#include <unistd.h>

/* ir_dump of a query, or "ERROR line:col: message". Caller frees. */
static char *eql(const char *text)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = eql_compile(text, strlen(text), ft, &err);
    struct buf b = {0};
    if (!q) {
        buf_printf(&b, "ERROR %d:%d: %s", err.line, err.col, err.msg);
    } else {
        ir_dump(q, &b);
        if (!b.p)
            buf_puts(&b, "");
    }
    ir_query_free(q);
    fieldtab_free(ft);
    return buf_steal(&b);
}

#define CHECK_EQL(text, want)                                                                      \
    do {                                                                                           \
        char *got_ = eql(text);                                                                    \
        if (strcmp(got_, want) != 0)                                                               \
            t_fail_at(__FILE__, __LINE__, "eql(%s):\n%s\nwant:\n%s", text, got_, want);            \
        free(got_);                                                                                \
    } while (0)

/* ---- golden IR ---- */

TEST(eql_golden_event_query)
{
    /* the category is an exact, case-sensitive test of event.category, and-ed first */
    CHECK_EQL("process where process.name == \"bash\"",
              "event\nstage\n  and\n    match\n      field event.category\n"
              "      exact \"process\"\n    match\n      field process.name\n"
              "      exact \"bash\"\n");
    /* `where true` leaves the category test alone; any where c is c */
    CHECK_EQL("file where true",
              "event\nstage\n  match\n    field event.category\n    exact \"file\"\n");
    CHECK_EQL("any where true", "event\nstage\n  true\n");
    CHECK_EQL("any where false", "event\nstage\n  false\n");
    /* quoted categories */
    CHECK_EQL("\"my-cat\" where true",
              "event\nstage\n  match\n    field event.category\n    exact \"my-cat\"\n");
    CHECK_EQL("\"\"\"my cat\"\"\" where true",
              "event\nstage\n  match\n    field event.category\n    exact \"my cat\"\n");
}

TEST(eql_golden_operators)
{
    /* : is case-insensitive wildcard; lists are one match; like~ / regex forms */
    CHECK_EQL("any where f : \"a*\" and g : (\"x\", \"y?\")",
              "event\nstage\n  and\n    match\n      field f\n      wildcard~ \"a*\"\n"
              "    match\n      field g\n      wildcard~ \"x\"\n      wildcard~ \"y?\"\n");
    CHECK_EQL("any where f like \"A*\" or f like~ (\"b*\") or f regex \"a.+\" or f regex~ \"b\"",
              "event\nstage\n  or\n    match\n      field f\n      wildcard \"A*\"\n"
              "    match\n      field f\n      wildcard~ \"b*\"\n"
              "    match\n      field f\n      regex \"a.+\"\n"
              "    match\n      field f\n      regex~ \"b\"\n");
    /* in / in~ / not in: exact patterns; numbers stay text (matched by value) */
    CHECK_EQL("any where f in (\"a\", 2) and g in~ (\"B\") and h not in (\"c\")",
              "event\nstage\n  and\n    match\n      field f\n      exact \"a\"\n"
              "      exact \"2\"\n    match\n      field g\n      exact~ \"B\"\n"
              "    not\n      match\n        field h\n        exact \"c\"\n");
    /* == string: exact match; != : not over it; numbers: cmp; constant moved right */
    CHECK_EQL("any where f != \"x\" and 5 < n and n != 5 and n <= 2.5",
              "event\nstage\n  and\n    not\n      match\n        field f\n"
              "        exact \"x\"\n    cmp >\n      field n\n      const 5\n"
              "    not\n      cmp ==\n        field n\n        const 5\n"
              "    cmp <=\n      field n\n      const 2.5\n");
    /* null tests */
    CHECK_EQL("any where f == null and ?g != null and null == h",
              "event\nstage\n  and\n    not\n      exists\n        field f\n"
              "    exists\n      field ?g\n    not\n      exists\n        field h\n");
    /* a wildcard pattern keeps its backslashes */
    CHECK_EQL("any where f : \"C:\\\\Windows\\\\*\" and g : \"\"\"C:\\Temp\\*\"\"\"",
              "event\nstage\n  and\n    match\n      field f\n"
              "      wildcard~ \"C:\\\\Windows\\\\*\"\n"
              "    match\n      field g\n      wildcard~ \"C:\\\\Temp\\\\*\"\n");
}

TEST(eql_golden_precedence)
{
    /* not > and > or; not binds a whole comparison */
    CHECK_EQL("any where not a == 1 and b == 2 or c == 3",
              "event\nstage\n  or\n    and\n      not\n        cmp ==\n          field a\n"
              "          const 1\n      cmp ==\n        field b\n        const 2\n"
              "    cmp ==\n      field c\n      const 3\n");
    /* * / % over + -, unary minus tightest, left-associative */
    CHECK_EQL("any where a - b - c * -d % 2 > 0",
              "event\nstage\n  cmp >\n    arith -\n      arith -\n        field a\n"
              "        field b\n      arith %\n        arith *\n          field c\n"
              "          arith neg\n            field d\n        const 2\n    const 0\n");
    /* parentheses; negative literals fold */
    CHECK_EQL("any where (a + 1) * 2 == -3",
              "event\nstage\n  cmp ==\n    arith *\n      arith +\n        field a\n"
              "        const 1\n      const 2\n    const -3\n");
}

TEST(eql_golden_functions)
{
    /* names are case-insensitive; ~ marks the case-insensitive form */
    CHECK_EQL("any where length(h) > 3 and number(s, 16) == 255",
              "event\nstage\n  and\n    cmp >\n      func length\n        field h\n"
              "      const 3\n    cmp ==\n      func number\n        field s\n"
              "        const 16\n      const 255\n");
    /* a function of a function, or of a field and a field, stays a call (an ES script) */
    CHECK_EQL("any where startsWith~(string(f), \"x\") and not STRINGCONTAINS(g, h)",
              "event\nstage\n  and\n    func startswith~\n      func string\n"
              "        field f\n      const \"x\"\n"
              "    not\n      func stringcontains\n        field g\n        field h\n");
    CHECK_EQL("any where indexOf(f, \"x\") == null",
              "event\nstage\n  not\n    exists\n      func indexof\n        field f\n"
              "        const \"x\"\n");
    CHECK_EQL("any where 5 == length(concat(a, \"b\", 1))",
              "event\nstage\n  cmp ==\n    func length\n      func concat\n        field a\n"
              "        const \"b\"\n        const 1\n    const 5\n");
}

/* Boolean functions of a field and constants run as ES runs them: as Lucene queries. */
TEST(eql_golden_function_pushdown)
{
    /* cidrMatch: a terms query; `not` of it holds when the field is missing */
    CHECK_EQL("any where not cidrMatch(ip, \"10.0.0.0/8\", \"::1\")",
              "event\nstage\n  not\n    and\n      exists\n        field ip\n"
              "      func cidrmatch\n        field ip\n        const \"10.0.0.0/8\"\n"
              "        const \"::1\"\n");
    /* startsWith: prefix; endsWith / stringContains: wildcard; ~ is case-insensitive */
    CHECK_EQL("any where startsWith(f, \"a\\\\b\") and endsWith~(f, \"x\") and "
              "stringContains(f, \"y\")",
              "event\nstage\n  and\n    match\n      field f\n      wildcard \"a\\\\b*\"\n"
              "    match\n      field f\n      wildcard~ \"*x\"\n"
              "    match\n      field f\n      wildcard \"*y*\"\n");
    /* ES does not escape the string: * ? and \\ act as Lucene wildcard syntax -> regex */
    CHECK_EQL("any where stringContains(f, \"P=\\\\*\") and endsWith(f, \"a?.b\") and "
              "startsWith(f, \"*.\")",
              "event\nstage\n  and\n    match\n      field f\n      regex \".*P\\\\=\\\\*.*\"\n"
              "    match\n      field f\n      regex \".*a.\\\\.b\"\n"
              "    match\n      field f\n      regex \"\\\\*\\\\..*\"\n");
    /* compared or given a non-constant, it stays a call */
    CHECK_EQL("any where startsWith(f, \"a\") == true",
              "event\nstage\n  cmp ==\n    func startswith\n      field f\n      const \"a\"\n"
              "    const true\n");
}

TEST(eql_golden_sequence)
{
    /* query-level keys come first in every stage; maxspan in ns; runs; missing; until */
    CHECK_EQL("sequence by h with maxspan=2s\n"
              "  [process where true] by p\n"
              " ![file where true] by q with runs=2\n"
              "  [any where x == 1] by r\n"
              "until [any where true] by s\n"
              "| head 3 | tail 1",
              "sequence maxspan=2000000000ns\n"
              "stage\n  by\n    field h\n  by\n    field p\n"
              "  match\n    field event.category\n    exact \"process\"\n"
              "stage missing runs=2\n  by\n    field h\n  by\n    field q\n"
              "  match\n    field event.category\n    exact \"file\"\n"
              "stage\n  by\n    field h\n  by\n    field r\n"
              "  cmp ==\n    field x\n    const 1\n"
              "until\n  by\n    field h\n  by\n    field s\n  true\n"
              "| head 3\n| tail 1\n");
    /* optional join keys */
    CHECK_EQL("sequence by ?a [x where true] [y where true]",
              "sequence\nstage\n  by\n    field ?a\n"
              "  match\n    field event.category\n    exact \"x\"\n"
              "stage\n  by\n    field ?a\n  match\n    field event.category\n    exact \"y\"\n");
    /* one stage with runs=2 is a sequence of two */
    CHECK_EQL("sequence [x where true] with runs=2",
              "sequence\nstage runs=2\n  match\n    field event.category\n    exact \"x\"\n");
}

TEST(eql_golden_sample)
{
    CHECK_EQL("sample by h [x where true] by a [y where true] by b",
              "sample\nstage\n  by\n    field h\n  by\n    field a\n"
              "  match\n    field event.category\n    exact \"x\"\n"
              "stage\n  by\n    field h\n  by\n    field b\n"
              "  match\n    field event.category\n    exact \"y\"\n");
}

TEST(eql_golden_strings_and_fields)
{
    /* escapes; \u{..} to UTF-8; backticked names; keywords after a dot; @timestamp */
    CHECK_EQL("any where f == \"\\t\\n\\r\\\\\\\"\\'\\u{41}\\u{e9}\\u{1F600}\"",
              "event\nstage\n  match\n    field f\n"
              "    exact \"\\t\\n\\r\\\\\\\"'A\xc3\xa9\xf0\x9f\x98\x80\"\n");
    CHECK_EQL("any where `my field`.`a``b` == \"x\" and a.any == 1 and @timestamp > 0",
              "event\nstage\n  and\n    match\n      field my field.a`b\n      exact \"x\"\n"
              "    cmp ==\n      field a.any\n      const 1\n"
              "    cmp >\n      field @timestamp\n      const 0\n");
    /* raw strings: no escapes, up to two trailing quotes belong to the text */
    CHECK_EQL("any where f == \"\"\"a\\n\"b\"\"\"\"",
              "event\nstage\n  match\n    field f\n    exact \"a\\\\n\\\"b\\\"\"\n");
    /* comments, nested */
    CHECK_EQL("any /* a /* b */ c */ where // x\n true", "event\nstage\n  true\n");
}

TEST(eql_golden_conditions_compared)
{
    /* ES: comparisons with null are null, so `null == (x > 1)` holds when x is null */
    CHECK_EQL("any where null == (x > -1)", "event\nstage\n  not\n    exists\n      field x\n");
    CHECK_EQL("any where (x > 1) == false",
              "event\nstage\n  and\n    not\n      cmp >\n        field x\n        const 1\n"
              "    not\n      not\n        exists\n          field x\n");
    /* two fields: equal also when both are null (optional fields resolve to null in ES) */
    CHECK_EQL("any where ?x == ?y",
              "event\nstage\n  or\n    cmp ==\n      field ?x\n      field ?y\n"
              "    and\n      not\n        exists\n          field ?x\n"
              "      not\n        exists\n          field ?y\n");
    /* a bare field as a condition tests for true */
    CHECK_EQL("any where f", "event\nstage\n  cmp ==\n    field f\n    const true\n");
}

/* ---- what compiles ---- */

TEST(eql_must_compile)
{
    static const char *const ok[] = {
        "process where true",
        "any where true | head 1",
        "process where @timestamp > 0",
        "process where a:\"x\"and b:\"y\"",
        "process where a in~ (\"A\") and a not in~ (\"B\") and not a in (\"c\")",
        "process where STARTSWITH(a, \"b\") and stringcontains~(a, \"b\") and EndsWith~(a, \"c\")",
        "process where a == \"\\b\\f\\r\\n\\t\\\"\\'\\\\\"",
        "process where a == \"\\u{00000041}\" and a == \"\\u{10FFFF}\"",
        "sequence by a, b with maxspan=5m [x where true] by c [y where true] by d "
        "until [z where true] by e",
        "sequence with maxspan=1d [x where true] [y where true]",
        "sequence by a with maxspan=500ms [x where true] [y where true] | tail 2",
        "sequence with maxspan=1h [x where true] ![y where true]",
        "sequence with maxspan=1h ![x where true] [y where true] with runs=100",
        "sample [x where true] by a [y where true] by b",
        "sample by a [x where true] [y where true] [z where true]",
        "process where 1 == 1 and null == null and \"a\" == \"a\"",
        "process where -(-x) > 1 and +x > 1 and - 1 < x",
        "process where ?a.b == null and ?`c d` != null",
        "process where a % 2 == 0 and a / 2 == 1 and a * 2 == 2",
        "process where process.args_count > .5e1 and x > 1. and y < 2E-3",
        "process where a == 1 | head 10 | tail 5",
        "process where add(a, 1) == 2 and between~(a, \"x\", \"y\", true) == \"z\" and "
        "indexOf(a, \"b\", 1) == 0 and number(\"10\", 16) == 16 and substring(a, 1, 2) == "
        "\"x\" and subtract(a, 1) == 0 and multiply(a, 2) == 2 and divide(a, 2) == 1 and "
        "modulo(a, 2) == 0 and string(a) == \"1\" and concat(a, \"b\", 1) == \"x\" and "
        "between(a, \"x\", \"y\") == \"\" and indexOf~(a, \"b\") == 1",
        "process where endswith(string(source.ip), string(host.ip))",
        "process where a : 5 and b like (1, \"x\") and c : true",
        "process where (((((a == 1)))))",
        "process where not not not a == 1",
        "process where a < b and length(a) > length(b)",
        "\r\n\tprocess\twhere\r\n\ttrue\r\n",
        "process where true // comment at the end",
        "process where true /* comment at the end */",
        "process where cidrMatch(ip, null)",
        "process where a == -9223372036854775807",
        "process where startsWith~ (a, \"b\")",
    };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        char *got = eql(ok[i]);
        if (strncmp(got, "ERROR", 5) == 0)
            t_fail_at(__FILE__, __LINE__, "eql(%s): %s", ok[i], got);
        free(got);
    }
}

/* ---- what fails, where and why ---- */

TEST(eql_must_fail)
{
    static const struct {
        const char *q, *pos, *msg;
    } bad[] = {
        {"", "1:1", "empty query"},
        {"process", "1:8", "expected 'where' after the event category, found end of query"},
        {"process where", "1:14", "expected a condition or value"},
        {"process where foo(1)", "1:15", "unknown function 'foo'"},
        {"process where a == \"abc", "1:20", "unterminated string"},
        {"process where a == \"ab\nc\"", "1:20", "unterminated string"},
        {"process where a == 'abc'", "1:20", "single-quoted strings are not supported"},
        {"process where a = 1", "1:17", "'=' is not a comparison; use '=='"},
        {"process where length(a, b) > 1", "1:15", "function 'length' takes 1 argument, found 2"},
        {"process where between(a, \"x\")", "1:15", "takes 3 to 4 arguments, found 2"},
        {"process where concat()", "1:15", "takes at least 1 arguments, found 0"},
        {"process where length~(a) > 1", "1:15", "no case-insensitive (~) form"},
        {"process where a < b < c", "1:21", "comparisons cannot be chained"},
        {"process where a : b", "1:19", "expected a pattern string, found 'b'"},
        {"process where a in (b)", "1:21", "must be constants"},
        {"process where a == \"\\q\"", "1:21", "invalid escape sequence '\\q'"},
        {"process where a == \"\\u{1}\"", "1:21", "2 to 8 hex digits"},
        {"process where a == \"\\u41\"", "1:21", "expected '{' after \\u"},
        {"process where a == \"\\u{D800}\"", "1:21", "surrogate"},
        {"process where a == \"\\u{110000}\"", "1:21", "beyond U+10FFFF"},
        {"process where a == \"\"\"x", "1:20", "unterminated raw string"},
        {"process where /* x /* y */", "1:15", "unterminated comment"},
        {"process where a == 1 | count", "1:24", "unsupported pipe 'count'"},
        {"process where a == 1 | head", "1:28", "needs a count"},
        {"process where a == 1 | head -1", "1:29", "positive whole number"},
        {"process where a == 1 | head 5, 6", "1:30", "exactly one argument"},
        {"sequence [process where true]", "1:1", "at least 2 queries, found 1"},
        {"sequence with maxspan=1.5s [a where true] [b where true]", "1:23", "whole number"},
        {"sequence with maxspan=30 [a where true] [b where true]", "1:26",
         "expected a time unit after 30"},
        {"sequence with maxspan=30y [a where true] [b where true]", "1:25",
         "unknown time unit 'y'"},
        {"sequence with maxspan=0s [a where true] [b where true]", "1:23", "must be positive"},
        {"sequence with maxspan=1s by a [x where true] [y where true]", "1:26",
         "put 'by' before 'with maxspan'"},
        {"sequence [a where true] ![b where true]", "1:25", "need 'with maxspan"},
        {"sequence with maxspan=1s ![a where true] ![b where true]", "1:1",
         "at least one query that is not a missing event"},
        {"sequence by a [x where true] by b [y where true]", "1:35",
         "inconsistent number of join keys: expected 1 but found 0"},
        {"sequence [x where true] by a, b [y where true] by c", "1:48",
         "inconsistent number of join keys: expected 2 but found 1"},
        {"sequence [a where true] with runs=0 [b where true]", "1:35", "runs must be"},
        {"sequence [a where true] with runs=101 [b where true]", "1:35", "runs must be"},
        {"sequence [a where true] with foo=1 [b where true]", "1:30",
         "expected 'runs' after 'with'"},
        {"sequence [a where true] [b where true] until ![c where true]", "1:46",
         "not allowed in 'until'"},
        {"sequence until [a where true]", "1:10", "expected '[' to start the first query"},
        {"sample by a [x where true]", "1:1", "at least 2 queries, found 1"},
        {"sample by a [x where true] ![y where true]", "1:28", "not allowed in a sample"},
        {"sample by a [x where true] [y where true] until [z where true]", "1:43",
         "does not take 'until'"},
        {"sample by a [x where true] with runs=2 [y where true]", "1:28",
         "'with' is not allowed in a sample"},
        {"join [a where true] [b where true]", "1:1", "join is not supported"},
        {"process where descendant of [x where true]", "1:15", "process lineage"},
        {"process where a.b[0] == 1", "1:18", "array indexes are not supported"},
        {"process where a == ?\"raw\"", "1:20", "use triple double quotes"},
        {"process where a == 1 AND b == 2", "1:22", "EQL keywords are lowercase"},
        {"process where\n  a == 1 and\n  b ==", "3:7", "expected a condition or value"},
        {"process where a == 99999999999999999999", "1:20", "integer too large"},
        {"process where not", "1:18", "expected a condition or value"},
        {"process where a == not b", "1:20", "'not' cannot start a value here"},
        {"process where a + \"x\" > 1", "1:19", "'+' needs numbers, found a string"},
        {"process where length(a)", "1:15", "found function 'length'"},
        {"process where \"abc\"", "1:15", "expected a condition, found a string"},
        {"process where a : null", "1:19", "null cannot be matched"},
        {"process where (a == 1) < 2", "1:15", "a condition can only be compared"},
        {"process where cidrMatch(ip, \"10.0.0.0/33\")", "1:29", "invalid CIDR block"},
        {"process where `abc", "1:15", "unterminated quoted field name"},
        {"process where `` == 1", "1:15", "empty quoted field name"},
        {"[process where true]", "1:1", "needs 'sequence' or 'sample' before it"},
        {"process where true ]", "1:20", "expected 'and', 'or', a pipe or the end"},
        {"process where true [x where true]", "1:20", "needs 'sequence' or 'sample'"},
        {"process where a ~ b", "1:17", "unexpected '~'"},
        {"process where a ! b", "1:17", "unexpected '!'"},
        {"process where a == \x01", "1:20", "unexpected byte 0x01"},
        {"process where a == 1 #", "1:22", "unexpected character '#'"},
        {"`process` where true", "1:1", "quoted with double quotes, not backticks"},
        {"process where ?", "1:16", "expected a field name after '?'"},
        {"process where a. == 1", "1:18", "expected a field name after '.'"},
        {"process where startsWith~ a", "1:27", "'(' after the function name"},
        {"process where (a == 1", "1:22", "expected ')' to close '('"},
        {"process where f(", "1:15", "unknown function 'f'"},
        {"process where length(a", "1:23", "expected ')' to close the function's arguments"},
        {"process where a in \"x\"", "1:20", "expected '(' after 'in'"},
        {"process where a : (\"x\"", "1:23", "expected ')' to close the list"},
        {"sequence with [a where true] [b where true]", "1:15", "expected 'maxspan' after"},
        {"sequence [a where true] with maxspan=1s [b where true]", "1:30",
         "maxspan goes after 'sequence'"},
        {"until where true", "1:1", "expected an event category"},
        {"process where f not like~ \"x\"", "1:17", "write 'not f like~ ...'"},
        {"process where f not : \"x\"", "1:17", "write 'not f : ...'"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *got = eql(bad[i].q);
        char want[64];
        snprintf(want, sizeof want, "ERROR %s: ", bad[i].pos);
        if (strncmp(got, want, strlen(want)) != 0 || !strstr(got, bad[i].msg))
            t_fail_at(__FILE__, __LINE__, "eql(%s):\n  got  %s\n  want %s...%s", bad[i].q, got,
                      want, bad[i].msg);
        free(got);
    }
}

TEST(eql_error_fills_offset)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    const char *text = "process where\n  a == 'x'";
    CHECK(eql_compile(text, strlen(text), ft, &err) == NULL);
    CHECK_INT(err.off, 21);
    CHECK_INT(err.line, 2);
    CHECK_INT(err.col, 8);
    fieldtab_free(ft);
}

TEST(eql_text_need_not_be_nul_terminated)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    const char text[] = "any where f == \"abc\"\"\"";
    struct ir_query *q = eql_compile(text, 20, ft, &err);
    CHECK(q != NULL);
    if (q)
        CHECK_STR(q->pats[0].s, "abc");
    ir_query_free(q);
    /* a string cut by the length is unterminated even if the bytes after it close it */
    CHECK(eql_compile(text, 18, ft, &err) == NULL);
    CHECK(strstr(err.msg, "unterminated string") != NULL);
    CHECK(eql_compile(NULL, 0, ft, &err) == NULL);
    fieldtab_free(ft);
}

TEST(eql_depth_and_size_are_bounded)
{
    struct buf b = {0};
    char *got;

    buf_puts(&b, "any where ");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, '(');
    got = eql(b.p);
    CHECK(strstr(got, "nested too deeply") != NULL);
    free(got);
    /* far more: the token limit comes first */
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, '(');
    got = eql(b.p);
    CHECK(strstr(got, "more than 65536 tokens") != NULL);
    free(got);
    static const char *const prefixes[] = {"not ", "-", "length(", "f in (", "f : ("};
    for (size_t k = 0; k < ARRAY_LEN(prefixes); k++) {
        buf_reset(&b);
        buf_puts(&b, "any where ");
        for (int i = 0; i < 10000; i++)
            buf_puts(&b, prefixes[k]);
        got = eql(b.p);
        CHECK(strncmp(got, "ERROR", 5) == 0);
        free(got);
    }
    /* 90 levels are fine */
    buf_reset(&b);
    buf_puts(&b, "any where ");
    for (int i = 0; i < 90; i++)
        buf_putc(&b, '(');
    buf_puts(&b, "a == 1");
    for (int i = 0; i < 90; i++)
        buf_putc(&b, ')');
    got = eql(b.p);
    CHECK_STR(got, "event\nstage\n  cmp ==\n    field a\n    const 1\n");
    free(got);
    /* long flat lists are fine */
    buf_reset(&b);
    buf_puts(&b, "any where f : (");
    for (int i = 0; i < 4000; i++)
        buf_printf(&b, "%s\"v%d\"", i ? ", " : "", i);
    buf_puts(&b, ")");
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = eql_compile(b.p, b.len, ft, &err);
    CHECK(q != NULL);
    if (q)
        CHECK_INT(q->nodes[q->stages[0].cond].nlist, 4000);
    ir_query_free(q);
    /* too many tokens */
    buf_reset(&b);
    buf_puts(&b, "any where ");
    for (int i = 0; i < 40000; i++)
        buf_puts(&b, "a or ");
    buf_puts(&b, "a");
    CHECK(eql_compile(b.p, b.len, ft, &err) == NULL);
    CHECK(strstr(err.msg, "more than") != NULL);
    /* over the size limit */
    buf_reset(&b);
    for (int i = 0; i < (1 << 20) + 1; i++)
        buf_putc(&b, ' ');
    CHECK(eql_compile(b.p, b.len, ft, &err) == NULL);
    CHECK(strstr(err.msg, "query too long") != NULL);
    fieldtab_free(ft);
    buf_clear(&b);
}

TEST(eql_query_shape)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    const char *text = "sequence by a with maxspan=3m [x where true] [y where true] with runs=3";
    struct ir_query *q = eql_compile(text, strlen(text), ft, &err);
    CHECK(q != NULL);
    if (q) {
        CHECK_INT(q->kind, IRQ_SEQUENCE);
        CHECK_INT(q->nstages, 2);
        CHECK_INT(q->maxspan_ns, 180LL * 1000000000LL);
        CHECK_INT(q->stages[0].runs, 1);
        CHECK_INT(q->stages[1].runs, 3);
        CHECK_INT(q->stages[0].nby, 1);
        CHECK(!q->has_until);
        /* the query-level key is one node shared by every stage */
        CHECK_INT(q->lists[q->stages[0].by], q->lists[q->stages[1].by]);
        CHECK(fieldtab_find(ft, "a", 1) != FIELD_NONE); /* field names are interned */
        CHECK(fieldtab_find(ft, "event.category", 14) != FIELD_NONE);
    }
    ir_query_free(q);
    q = lang_compile(LANG_EQL, "any where true | tail 4", 23, ft, &err);
    CHECK(q != NULL);
    if (q) {
        CHECK_INT(q->kind, IRQ_EVENT);
        CHECK_INT(q->nstages, 1);
        CHECK_INT(q->npipes, 1);
        CHECK_INT(q->pipes[0].kind, IR_PIPE_TAIL);
        CHECK_INT(q->pipes[0].n, 4);
    }
    ir_query_free(q);
    /* : sets IR_F_CI on the match node as well as on its patterns */
    q = eql_compile("any where f : \"x\"", 17, ft, &err);
    CHECK(q != NULL);
    if (q) {
        const struct ir_node *m = &q->nodes[q->stages[0].cond];
        CHECK_INT(m->op, IR_MATCH);
        CHECK(m->flags & IR_F_CI);
        CHECK(q->pats[q->lists[m->list]].ci);
        CHECK_STR(q->pats[q->lists[m->list]].lower, "x");
    }
    ir_query_free(q);
    fieldtab_free(ft);
}

/* ---- the corpus ---- */

TEST(eql_compiles_every_corpus_query)
{
    char **paths, err[512];
    size_t npaths;
    t_corpus_files(&paths, &npaths);
    if (!npaths)
        return;
    struct fieldtab *ft = fieldtab_new();
    size_t total = 0, live = 0, ok = 0, load_errors = 0, seqs = 0, samples = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct rule *r = rule_load_file(paths[i], err, sizeof err);
        if (!r) {
            load_errors++;
            printf("  load error: %s\n", err);
        } else if (r->language && !strcmp(r->language, "eql") && r->query) {
            total++;
            if (!strstr(paths[i], "/_deprecated/"))
                live++;
            struct lang_error le;
            struct ir_query *q = eql_compile(r->query, strlen(r->query), ft, &le);
            if (q) {
                ok++;
                seqs += q->kind == IRQ_SEQUENCE;
                samples += q->kind == IRQ_SAMPLE;
            } else {
                int line = le.line, col = le.col;
                rule_query_position(r, le.off, &line, &col);
                t_fail_at(__FILE__, __LINE__, "%s:%d:%d: %s", paths[i], line, col, le.msg);
            }
            ir_query_free(q);
        }
        rule_free(r);
        free(paths[i]);
    }
    free(paths);
    fieldtab_free(ft);
    printf("  eql corpus: %zu of %zu queries compile (%zu live rules, %zu under _deprecated; "
           "%zu sequences, %zu samples)\n",
           ok, total, live, total - live, seqs, samples);
    CHECK_INT(load_errors, 0);
    CHECK_INT(live, 1024); /* the corpus as pinned in shared/corpus/detection-rules/SOURCE.md */
    CHECK_INT(ok, total);
}

/* Every [[queries]] query of the ES EQL QA files must compile (their semantics are run by
 * test_eql_conformance.c). test_extra.toml is not valid TOML (see SOURCE.md): skipped. */
TEST(eql_compiles_every_conformance_query)
{
    static const char *const files[] = {
        "test_queries.toml",      "additional_test_queries.toml",
        "test_queries_date.toml", "test_missing_events.toml",
        "test_sample.toml",       "test_sample_multi.toml",
    };
    char path[4096];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/../shared/conformance/eql", t_srcdir());
    if (access(path, R_OK) != 0)
        SKIP("no conformance suite at %s", path);
    struct fieldtab *ft = fieldtab_new();
    for (size_t f = 0; f < ARRAY_LEN(files); f++) {
        snprintf(path, sizeof path, "%s/../shared/conformance/eql/%s", t_srcdir(), files[f]);
        char err[512];
        struct toml_doc *doc = toml_parse_file(path, err, sizeof err);
        if (!doc) {
            t_fail_at(__FILE__, __LINE__, "%s", err);
            continue;
        }
        const struct toml_value *qs = toml_get(toml_root(doc), "queries");
        for (size_t i = 0; qs && i < toml_array_len(qs); i++) {
            const struct toml_value *item = toml_array_at(qs, i);
            size_t tlen = 0;
            const char *text = toml_as_str(toml_get(item, "query"), &tlen);
            if (!text)
                continue;
            struct lang_error le;
            struct ir_query *q = eql_compile(text, tlen, ft, &le);
            if (!q)
                t_fail_at(__FILE__, __LINE__, "%s query %zu: %d:%d: %s\n%s", files[f], i, le.line,
                          le.col, le.msg, text);
            n += q != NULL;
            ir_query_free(q);
        }
        toml_free(doc);
    }
    fieldtab_free(ft);
    printf("  eql conformance queries compiled: %zu\n", n);
    CHECK(n >= 250);
}
