/*
 * Unit tests of the KQL compiler (userspace/lang/kql.c): what compiles to which IR, what
 * fails where and why, and every KQL query of the Elastic detection-rules corpus.
 * Query semantics over events are in tests/lang/kql_*.test.
 */
#include "t.h"
#include "t_corpus.h"

#include "lang/lang.h"
#include "rules/rules.h"

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define HAVE_LSAN 1
#endif

/*
 * The IR of a query as ir_dump prints it, without the "event\nstage\n" header, or
 * "ERROR line:col: message". Caller frees.
 */
static char *kql(const char *text)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile(text, strlen(text), ft, &err);
    struct buf b = {0};
    if (!q) {
        buf_printf(&b, "ERROR %d:%d: %s", err.line, err.col, err.msg);
    } else {
        struct buf d = {0};
        ir_dump(q, &d);
        const char *body = d.p;
        if (strncmp(body, "event\nstage\n", 12) == 0)
            body += 12;
        buf_puts(&b, body);
        buf_clear(&d);
    }
    ir_query_free(q);
    fieldtab_free(ft);
    return buf_steal(&b);
}

#define CHECK_KQL(text, want)                                                                      \
    do {                                                                                           \
        char *got_ = kql(text);                                                                    \
        if (strcmp(got_, want) != 0)                                                               \
            t_fail_at(__FILE__, __LINE__, "kql(%s):\n%s\nwant:\n%s", text, got_, want);            \
        free(got_);                                                                                \
    } while (0)

/* ---- golden IR ---- */

TEST(kql_field_value_exact)
{
    CHECK_KQL("process.name:bash", "  match\n    field process.name\n    exact \"bash\"\n");
    CHECK_KQL("process.name : \"bash\"", "  match\n    field process.name\n    exact \"bash\"\n");
    /* unquoted literals run over spaces and are trimmed */
    CHECK_KQL("message: hello world  ", "  match\n    field message\n    exact \"hello world\"\n");
    CHECK_KQL("  f:a  ", "  match\n    field f\n    exact \"a\"\n");
    /* numbers, addresses and CIDRs stay text patterns: the engine matches them by value */
    CHECK_KQL("destination.port:53", "  match\n    field destination.port\n    exact \"53\"\n");
    CHECK_KQL("destination.ip:10.0.0.0/8",
              "  match\n    field destination.ip\n    exact \"10.0.0.0/8\"\n");
    CHECK_KQL("f:true", "  match\n    field f\n    exact \"true\"\n");
}

TEST(kql_wildcards)
{
    CHECK_KQL("f:*.exe", "  match\n    field f\n    wildcard* \"*.exe\"\n");
    /* ? is not a wildcard in KQL */
    CHECK_KQL("f:a?c", "  match\n    field f\n    exact \"a?c\"\n");
    /* quoted: * is a literal star */
    CHECK_KQL("f:\"a*\"", "  match\n    field f\n    exact \"a*\"\n");
    /* escaped star: literal */
    CHECK_KQL("f:a\\*", "  match\n    field f\n    exact \"a*\"\n");
    CHECK_KQL("f:\\u002a", "  match\n    field f\n    exact \"*\"\n");
    /* a wildcard value may contain spaces */
    CHECK_KQL("f:(* curl* or */bin/curl*)",
              "  match\n    field f\n    wildcard* \"* curl*\"\n    wildcard* \"*/bin/curl*\"\n");
    /* `*` alone: exists */
    CHECK_KQL("f:*", "  exists\n    field f\n");
    CHECK_KQL("f: *  ", "  exists\n    field f\n");
    CHECK_KQL("f:\"*\"", "  match\n    field f\n    exact \"*\"\n");
}

TEST(kql_precedence)
{
    CHECK_KQL("a:1 or b:2 and not c:3",
              "  or\n    match\n      field a\n      exact \"1\"\n"
              "    and\n      match\n        field b\n        exact \"2\"\n"
              "      not\n        match\n          field c\n          exact \"3\"\n");
    CHECK_KQL("(a:1 or b:2) and c:3",
              "  and\n    or\n      match\n        field a\n        exact \"1\"\n"
              "      match\n        field b\n        exact \"2\"\n"
              "    match\n      field c\n      exact \"3\"\n");
    /* keywords are case-insensitive */
    CHECK_KQL("a:1 OR b:2 AnD NOT c:3",
              "  or\n    match\n      field a\n      exact \"1\"\n"
              "    and\n      match\n        field b\n        exact \"2\"\n"
              "      not\n        match\n          field c\n          exact \"3\"\n");
    /* and/or need spaces around them; `not` needs one after */
    CHECK_KQL("f:a\n\tand\ng:b", "  and\n    match\n      field f\n      exact \"a\"\n"
                                 "    match\n      field g\n      exact \"b\"\n");
}

TEST(kql_value_lists)
{
    /* one IR_MATCH with all the plain values */
    CHECK_KQL("event.category:(network or network_traffic or \"x y\")",
              "  match\n    field event.category\n    exact \"network\"\n"
              "    exact \"network_traffic\"\n    exact \"x y\"\n");
    /* same precedence inside a list */
    CHECK_KQL("f:(a or b and not c)",
              "  or\n    match\n      field f\n      exact \"a\"\n"
              "    and\n      match\n        field f\n        exact \"b\"\n"
              "      not\n        match\n          field f\n          exact \"c\"\n");
    CHECK_KQL("f:(a or (b or c))",
              "  match\n    field f\n    exact \"a\"\n    exact \"b\"\n    exact \"c\"\n");
    CHECK_KQL("f:(* and not x*)",
              "  and\n    exists\n      field f\n"
              "    not\n      match\n        field f\n        wildcard* \"x*\"\n");
    CHECK_KQL("f:((a))", "  match\n    field f\n    exact \"a\"\n");
    CHECK_KQL("f:(not a)", "  not\n    match\n      field f\n      exact \"a\"\n");
    /* consecutive tests of one field in an or merge too */
    CHECK_KQL("f:a or f:b or g:c",
              "  or\n    match\n      field f\n      exact \"a\"\n      exact \"b\"\n"
              "    match\n      field g\n      exact \"c\"\n");
}

TEST(kql_escapes)
{
    /* unquoted: \ ( ) : < > " * { } escaped; \t \r \n; \uXXXX; \or \and \not */
    CHECK_KQL("f:C\\:\\\\Windows\\\\*",
              "  match\n    field f\n    wildcard* \"C:\\\\Windows\\\\*\"\n");
    CHECK_KQL("f:\\(\\)\\<\\>\\\"\\{\\}", "  match\n    field f\n    exact \"()<>\\\"{}\"\n");
    CHECK_KQL("f:a\\tb\\u00e9", "  match\n    field f\n    exact \"a\\tb\xc3\xa9\"\n");
    CHECK_KQL("f:x \\or y", "  match\n    field f\n    exact \"x or y\"\n");
    /* quoted: \" \\ \t \r \n \uXXXX; another backslash stays */
    CHECK_KQL("f:\"a\\\"b\\\\c\\nd\\u0041\"",
              "  match\n    field f\n    exact \"a\\\"b\\\\c\\ndA\"\n");
    CHECK_KQL("f:\"C:\\Windows\\*\"", "  match\n    field f\n    exact \"C:\\\\Windows\\\\*\"\n");
    /* a surrogate pair written as two escapes is one character */
    CHECK_KQL("f:\"\\ud83d\\ude00\"", "  match\n    field f\n    exact \"\xf0\x9f\x98\x80\"\n");
}

TEST(kql_ranges)
{
    CHECK_KQL("f > 5", "  cmp >\n    field f\n    const 5\n");
    CHECK_KQL("f>=5", "  cmp >=\n    field f\n    const 5\n");
    CHECK_KQL("f < -1.5", "  cmp <\n    field f\n    const -1.5\n");
    CHECK_KQL("f <= \"10\"", "  cmp <=\n    field f\n    const 10\n");
    CHECK_KQL("f < abc", "  cmp <\n    field f\n    const \"abc\"\n");
    CHECK_KQL("f < 0x10", "  cmp <\n    field f\n    const \"0x10\"\n");
}

TEST(kql_range_bound_on_ip_field_is_an_address)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile("source.ip >= 10.0.0.1", 21, ft, &err);
    CHECK(q != NULL);
    if (q) {
        const struct ir_node *c = &q->nodes[q->stages[0].cond];
        CHECK_INT(c->op, IR_CMP);
        CHECK_INT(q->nodes[c->b].k.type, VAL_IP);
    }
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(kql_match_all)
{
    CHECK_KQL("", "  true\n");
    CHECK_KQL(" \n\t", "  true\n");
    CHECK_KQL("*:*", "  true\n");
    CHECK_KQL("*", "  true\n");
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile(NULL, 0, ft, &err); /* no text at all */
    CHECK(q && q->nodes[q->stages[0].cond].op == IR_TRUE);
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(kql_nested_lowers_to_dotted_fields)
{
    CHECK_KQL("p:{ a:1 and b:(x or y) }",
              "  and\n    match\n      field p.a\n      exact \"1\"\n"
              "    match\n      field p.b\n      exact \"x\"\n      exact \"y\"\n");
    CHECK_KQL("p:{q:{a:1}} and a:2", "  and\n    match\n      field p.q.a\n      exact \"1\"\n"
                                     "    match\n      field a\n      exact \"2\"\n");
    CHECK_KQL("p:{ a > 1 }", "  cmp >\n    field p.a\n    const 1\n");
}

TEST(kql_field_names)
{
    CHECK_KQL("\"odd field:name\":x", "  match\n    field odd field:name\n    exact \"x\"\n");
    CHECK_KQL("a\\:b:x", "  match\n    field a:b\n    exact \"x\"\n");
    CHECK_KQL("gcp.audit.labels.command.gke.io/command:x",
              "  match\n    field gcp.audit.labels.command.gke.io/command\n    exact \"x\"\n");
}

/* The IR_FIELD operand of the stage's condition (through one NOT/MATCH/EXISTS/CMP). */
static const struct ir_node *cond_field(const struct ir_query *q)
{
    const struct ir_node *n = &q->nodes[q->stages[0].cond];
    if (n->op == IR_NOT)
        n = &q->nodes[n->a];
    return &q->nodes[n->a];
}

TEST(kql_glob_fields)
{
    static const struct {
        const char *text, *field;
        uint8_t flags;
    } cases[] = {
        {"file.hash.*:*", "file.hash.*", IR_F_FIELD_GLOB},
        {"a.*.b:x", "a.*.b", IR_F_FIELD_GLOB},
        {"x", "*", IR_F_FIELD_GLOB}, /* a value with no field: every field */
        {"\"a b\"", "*", IR_F_FIELD_GLOB},
        {"*:x", "*", IR_F_FIELD_GLOB},
        {"a*:{b:1}", "a*.b", IR_F_FIELD_GLOB}, /* a nested group under a glob */
        {"\"a*\":x", "a*", 0},                 /* quoted: a literal star */
        {"a\\*:x", "a*", 0},
        {"not f:x", "f", 0},
        {"a.* > 3", "a.*", IR_F_FIELD_GLOB},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct fieldtab *ft = fieldtab_new();
        struct lang_error err;
        struct ir_query *q = kql_compile(cases[i].text, strlen(cases[i].text), ft, &err);
        if (!q) {
            t_fail_at(__FILE__, __LINE__, "%s: %s", cases[i].text, err.msg);
            fieldtab_free(ft);
            continue;
        }
        const struct ir_node *f = cond_field(q);
        CHECK_INT(f->op, IR_FIELD);
        CHECK_STR(fieldtab_name(ft, f->field), cases[i].field);
        if (f->flags != cases[i].flags)
            t_fail_at(__FILE__, __LINE__, "%s: flags %d, want %d", cases[i].text, f->flags,
                      cases[i].flags);
        ir_query_free(q);
        fieldtab_free(ft);
    }
}

TEST(kql_quirks_follow_kibana)
{
    /* `or` without a space after it is part of the value */
    CHECK_KQL("f:a or", "  match\n    field f\n    exact \"a or\"\n");
    CHECK_KQL("f:a orb", "  match\n    field f\n    exact \"a orb\"\n");
    CHECK_KQL("f:notepad", "  match\n    field f\n    exact \"notepad\"\n");
    /* a value with no field may contain spaces too */
    CHECK_KQL("hello world", "  match\n    field * (glob)\n    exact \"hello world\"\n");
}

/* ---- errors ---- */

TEST(kql_errors)
{
    static const struct {
        const char *text;
        const char *want; /* "line:col: message start" */
    } cases[] = {
        {"f:", "1:3: expected a value, found end of query"},
        {"f:(a", "1:5: expected 'or', 'and' or ')' to close the '(' at 1:3, found end of query"},
        {"(f:a", "1:5: expected 'or', 'and' or ')' to close the '(' at 1:1"},
        {"f:a)", "1:4: expected 'and', 'or' or the end of the query, found ')'"},
        {"f:\"abc", "1:3: unterminated quoted string"},
        {"f:C:\\Windows", "1:4: expected 'and', 'or' or the end of the query, found ':' (escape"},
        {"a:1 and\n  ", "2:3: expected a field name, a value, '(' or 'not', found end of query"},
        {"a:1 and ", "1:9: expected a field name, a value, '(' or 'not', found end of query"},
        {"a:1 or\n\n  )", "3:3: expected a field name, a value, '(' or 'not', found ')'"},
        {"not not a:1", "1:5: expected a field name, a value, '(' or 'not', found 'n'"},
        {"x: cannot y", "1:7: expected 'and', 'or' or the end of the query, found 'n' (an unquoted "
                        "value ends before the word 'not': quote the value)"},
        {"f:(a or )", "1:9: expected a value, found ')'"},
        {"()", "1:2: expected a field name, a value, '(' or 'not', found ')'"},
        {"f:{}", "1:4: expected a field name, a value, '(' or 'not', found '}'"},
        {"f:{a:1", "1:7: expected 'or', 'and' or '}' to close the '{' at 1:3"},
        {"p:{ x }", "1:5: a value without a field is not supported inside a nested group"},
        {"f:null", "1:3: unquoted null is not a value"},
        {"f:a\\*b*", "1:3: a value mixing wildcards with an escaped '\\*' is not supported"},
        {"f:a\\u002ab*", "1:3: a value mixing wildcards with an escaped '\\*' is not supported"},
        {"a\\*b*:x", "1:1: a field name mixing wildcards"},
        {"a\\*:{b*:x}", "1:6: a field name mixing wildcards"},
        {"a*:{b\\*:x}", "1:5: a field name mixing wildcards"},
        {"a*:{b\\*:{c:x}}", "1:5: a field name mixing wildcards"},
        {"\"\":x", "1:1: empty field name"},
        {"f > ", "1:5: expected a value after '>', found end of query"},
        {"f >= a*", "1:6: a range bound cannot contain a wildcard '*'"},
        {"a:1\nand b:2 c:3", "2:10: expected 'and', 'or' or the end of the query, found ':'"},
        {"f:a\\", "1:4: expected 'and', 'or' or the end of the query, found '\\'"},
        {"f:\\u12", "1:3: expected a value, found '\\'"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = kql(cases[i].text);
        char want[300];
        snprintf(want, sizeof want, "ERROR %s", cases[i].want);
        if (strncmp(got, want, strlen(want)) != 0)
            t_fail_at(__FILE__, __LINE__, "kql(%s):\n  got  %s\n  want %s...", cases[i].text, got,
                      want);
        free(got);
    }
}

/* Error paths free what they built (the harness's children _exit, so check here). */
TEST(kql_errors_do_not_leak)
{
#ifdef HAVE_LSAN
    static const char *const bad[] = {
        "a:1 and b:(c or d and not (e or",
        "p:{ q:{ a:(1 or 2) and b > 3 or x",
        "f:(a or b or c or \"d",
        "a:1 or b:2 or c:3 )",
        "x.*:(a or b) and y:{ z:1 and not",
        "f:a\\*b*",
    };
    struct fieldtab *ft = fieldtab_new();
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct lang_error err;
        CHECK(kql_compile(bad[i], strlen(bad[i]), ft, &err) == NULL);
    }
    fieldtab_free(ft);
    CHECK_INT(__lsan_do_recoverable_leak_check(), 0);
#else
    SKIP("not an AddressSanitizer build");
#endif
}

TEST(kql_error_fills_offset)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    const char *text = "a:1 and\n b:(c";
    CHECK(kql_compile(text, strlen(text), ft, &err) == NULL);
    CHECK_INT(err.off, strlen(text));
    CHECK_INT(err.line, 2);
    CHECK_INT(err.col, 6);
    fieldtab_free(ft);
}

TEST(kql_text_need_not_be_nul_terminated)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    const char text[] = {'f', ':', 'a', 'b', 'c', ')', ')'};
    struct ir_query *q = kql_compile(text, 5, ft, &err);
    CHECK(q != NULL);
    if (q)
        CHECK_STR(q->pats[0].s, "abc");
    ir_query_free(q);
    fieldtab_free(ft);
}

TEST(kql_depth_and_size_are_bounded)
{
    struct buf b = {0};
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, '(');
    char *got = kql(b.p);
    CHECK(strstr(got, "nesting deeper than") != NULL);
    free(got);
    buf_reset(&b);
    buf_puts(&b, "f:");
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, '(');
    got = kql(b.p);
    CHECK(strstr(got, "nesting deeper than") != NULL);
    free(got);
    /* 63 levels are fine */
    buf_reset(&b);
    for (int i = 0; i < 63; i++)
        buf_putc(&b, '(');
    buf_puts(&b, "a:1");
    for (int i = 0; i < 63; i++)
        buf_putc(&b, ')');
    got = kql(b.p);
    CHECK_STR(got, "  match\n    field a\n    exact \"1\"\n");
    free(got);
    /* long flat lists and long runs of spaces are fine (and linear) */
    buf_reset(&b);
    buf_puts(&b, "f:(");
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "%sv%d", i ? " or " : "", i);
    buf_puts(&b, ")");
    for (int i = 0; i < 200000; i++)
        buf_putc(&b, ' ');
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile(b.p, b.len, ft, &err);
    CHECK(q != NULL);
    if (q)
        CHECK_INT(q->nodes[q->stages[0].cond].nlist, 20000);
    ir_query_free(q);
    /* over the size limit */
    buf_reset(&b);
    for (int i = 0; i < (1 << 20) + 1; i++)
        buf_putc(&b, ' ');
    CHECK(kql_compile(b.p, b.len, ft, &err) == NULL);
    CHECK(strstr(err.msg, "longer than") != NULL);
    fieldtab_free(ft);
    buf_clear(&b);
}

TEST(kql_query_shape)
{
    struct fieldtab *ft = fieldtab_new();
    struct lang_error err;
    struct ir_query *q = kql_compile("f:x", 3, ft, &err);
    CHECK(q != NULL);
    if (q) {
        CHECK_INT(q->kind, IRQ_EVENT);
        CHECK_INT(q->nstages, 1);
        CHECK_INT(q->stages[0].runs, 1);
        CHECK(fieldtab_find(ft, "f", 1) != FIELD_NONE); /* field names are interned */
    }
    ir_query_free(q);
    q = lang_compile(LANG_KUERY, "f:x", 3, ft, &err);
    CHECK(q != NULL);
    ir_query_free(q);
    fieldtab_free(ft);
}

/* ---- the corpus ---- */

TEST(kql_compiles_every_corpus_query)
{
    char **paths, err[512];
    size_t npaths;
    t_corpus_files(&paths, &npaths);
    if (!npaths)
        return;
    struct fieldtab *ft = fieldtab_new();
    size_t total = 0, live = 0, ok = 0, load_errors = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct rule *r = rule_load_file(paths[i], err, sizeof err);
        if (!r) {
            load_errors++;
            printf("  load error: %s\n", err);
        } else if (r->language && !strcmp(r->language, "kuery") && r->query) {
            total++;
            if (!strstr(paths[i], "/_deprecated/"))
                live++;
            struct lang_error le;
            struct ir_query *q = kql_compile(r->query, strlen(r->query), ft, &le);
            if (q) {
                ok++;
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
    printf("  kql corpus: %zu of %zu queries compile (%zu live rules, %zu under _deprecated)\n", ok,
           total, live, total - live);
    CHECK_INT(load_errors, 0);
    CHECK_INT(live, 729); /* the corpus as pinned in shared/corpus/detection-rules/SOURCE.md */
    CHECK_INT(ok, total);
}
