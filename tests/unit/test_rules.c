/* test_rules.c — loading Elastic rule files: real corpus rules, schema errors, file discovery. */
#include "t.h"
#include "rules/rules.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *corpus_path(const char *rel)
{
    struct buf b = {0};
    buf_printf(&b, "%s/../shared/corpus/detection-rules%s%s", t_srcdir(), *rel ? "/" : "", rel);
    return buf_steal(&b);
}

static struct rule *load_corpus(const char *rel)
{
    char *p = corpus_path(rel);
    if (access(p, R_OK) != 0) {
        free(p);
        SKIP("rule corpus not found at ../shared/corpus");
    }
    char err[512] = "";
    struct rule *r = rule_load_file(p, err, sizeof err);
    if (!r)
        t_fail_at(__FILE__, __LINE__, "%s", err);
    free(p);
    return r;
}

TEST(rules_load_corpus_eql_rule)
{
    struct rule *r = load_corpus("rules/linux/discovery_dynamic_linker_via_od.toml");
    if (!r)
        return;
    CHECK_STR(r->name, "Suspicious Dynamic Linker Discovery via od");
    CHECK_STR(r->rule_id, "0369e8a6-0fa7-4e7a-961a-53180a4c966e");
    CHECK_STR(r->type, "eql");
    CHECK_STR(r->language, "eql");
    CHECK_STR(r->severity, "high");
    CHECK_INT(r->risk_score, 73);
    CHECK_STR(r->from, "now-9m");
    CHECK_STR(r->interval, "5m"); /* Elastic's default, the file has none */
    CHECK_INT(r->max_signals, 100);
    CHECK_STR(r->maturity, "production");
    CHECK(r->query && str_has_prefix(r->query, "process where host.os.type == \"linux\""));
    CHECK(r->nindex > 0 && r->ntags > 0);
    CHECK(rule_has_tag(r, "OS: Linux"));
    CHECK(!rule_has_tag(r, "OS: Windows"));
    CHECK(!rule_has_tag(r, "OS: Linu"));
    CHECK_INT(r->nthreat, 2);
    if (r->nthreat == 2) {
        CHECK_STR(r->threat[0].framework, "MITRE ATT&CK");
        CHECK_STR(r->threat[0].tactic_id, "TA0007");
        CHECK_STR(r->threat[0].tactic_name, "Discovery");
        CHECK_INT(r->threat[0].ntechniques, 2);
        CHECK_STR(r->threat[0].techniques[1].id, "T1083");
        CHECK_STR(r->threat[1].tactic_reference, "https://attack.mitre.org/tactics/TA0005/");
        CHECK_INT(r->threat[1].ntechniques, 1);
        CHECK_STR(r->threat[1].techniques[0].name, "Hijack Execution Flow");
        CHECK_INT(r->threat[1].techniques[0].nsub, 1);
        if (r->threat[1].techniques[0].nsub == 1)
            CHECK_STR(r->threat[1].techniques[0].sub[0].id, "T1574.006");
    }
    /* the query starts on line 105 (after the trimmed newline of '''); process.name on 106 */
    int line = 0, col = 0;
    CHECK(rule_query_position(r, 0, &line, &col));
    CHECK_INT(line, 105);
    CHECK_INT(col, 1);
    const char *pn = strstr(r->query, "process.name");
    CHECK(pn != NULL);
    CHECK(rule_query_position(r, (size_t)(pn - r->query), &line, &col));
    CHECK_INT(line, 106);
    CHECK_INT(col, 6);
    /* the rest of the file is still there, and the threat mapping exports as JSON */
    const struct toml_value *root = toml_root(r->doc);
    CHECK_STR(toml_as_str(toml_get_path(root, "metadata.creation_date"), NULL), "2024/02/01");
    struct buf b = {0};
    toml_to_json(&b, toml_get_path(root, "rule.threat"));
    CHECK(b.p && str_has_prefix(b.p, "[{\"framework\":\"MITRE ATT&CK\",\"technique\":[{"));
    CHECK(b.p && strstr(b.p, "\"subtechnique\":[{\"id\":\"T1574.006\""));
    buf_clear(&b);
    rule_free(r);
}

TEST(rules_load_corpus_ml_rule)
{
    struct rule *r = load_corpus("rules/integrations/gcp/ml_gcp_rare_method_by_city.toml");
    if (!r)
        return;
    CHECK_STR(r->name, "Unusual City For a GCP Event");
    CHECK_STR(r->type, "machine_learning");
    CHECK(r->query == NULL);
    CHECK(r->language == NULL);
    CHECK(r->query_value == NULL);
    CHECK_INT(r->risk_score, 21);
    int line, col;
    CHECK(!rule_query_position(r, 0, &line, &col));
    rule_free(r);
}

TEST(rules_load_whole_corpus)
{
    char *dir = corpus_path("");
    if (access(dir, R_OK) != 0) {
        free(dir);
        SKIP("rule corpus not found at ../shared/corpus");
    }
    char **paths = NULL, err[512] = "";
    size_t n = 0;
    int got = rule_find_files(dir, &paths, &n, err, sizeof err);
    CHECK_INT(got, 2192);
    CHECK_INT(n, 2192);
    for (size_t i = 1; i < n; i++)
        CHECK(strcmp(paths[i - 1], paths[i]) < 0);
    size_t failed = 0, with_query = 0, eql = 0, kuery = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < n; i++) {
        struct rule *r = rule_load_file(paths[i], err, sizeof err);
        if (!r) {
            if (failed++ < 5)
                t_fail_at(__FILE__, __LINE__, "%s", err);
            continue;
        }
        with_query += r->query != NULL;
        eql += r->language && strcmp(r->language, "eql") == 0;
        kuery += r->language && strcmp(r->language, "kuery") == 0;
        rule_free(r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_INT(failed, 0);
    /* counts of the corpus as shipped (2,086 with a query: all but the 106 ML rules) */
    CHECK_INT(with_query, 2086);
    CHECK_INT(eql, 1081);
    CHECK_INT(kuery, 792);
    printf("    loaded %zu rule files in %.0f ms\n", n - failed,
           (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(dir);
}

#define RULE_HEAD "[metadata]\nmaturity = \"production\"\n\n[rule]\n"

static const struct {
    const char *text, *err;
} bad_rules[] = {
    {"[metadata]\nmaturity = 'x'\n", "x.toml:1:1: missing required table [rule]"},
    {RULE_HEAD "rule_id = 'a'\ntype = 'query'\nquery = 'x:1'\n",
     "x.toml:4:1: missing required key `rule.name`"},
    {RULE_HEAD "name = 'n'\ntype = 'query'\nquery = 'x:1'\n",
     "x.toml:4:1: missing required key `rule.rule_id`"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\n",
     "x.toml:4:1: missing required key `rule.query` (rule type query)"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\nrisk_score = '21'\n",
     "x.toml:9:14: `rule.risk_score` must be an integer, not string"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\nrisk_score = 101\n",
     "x.toml:9:14: `rule.risk_score` must be between 0 and 100, not 101"},
    {RULE_HEAD "name = 42\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\n",
     "x.toml:5:8: `rule.name` must be a string, not integer"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\n"
               "tags = ['a',\n  'b', 3]\n",
     "x.toml:10:8: `rule.tags` must be an array of strings, not contain integer"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\nindex = 'logs-*'\n",
     "x.toml:9:9: `rule.index` must be an array of strings, not string"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\nseverity = 'urgent'\n",
     "x.toml:9:12: `rule.severity` must be low, medium, high or critical, not \"urgent\""},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\n"
               "[[rule.threat]]\nframework = 'MITRE ATT&CK'\n[rule.threat.tactic]\nid = 7\n",
     "x.toml:12:6: `rule.threat.tactic.id` must be a string, not integer"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\n"
               "[[rule.threat]]\n[[rule.threat.technique]]\nid = 'T1'\n"
               "[[rule.threat.technique.subtechnique]]\nname = false\n",
     "x.toml:13:8: `rule.threat.technique.subtechnique.name` must be a string, not boolean"},
    {RULE_HEAD "name = 'n'\nrule_id = 'a'\ntype = 'query'\nquery = 'x:1'\nthreat = 'x'\n",
     "x.toml:9:10: `rule.threat` must be an array of tables, not string"},
    {RULE_HEAD "name = 'n'\nname = 'm'\n", "x.toml:6:1: duplicate key `name`"},
    {RULE_HEAD "name = \"n\\x\"\n", "x.toml:5:10: invalid escape sequence \\x"},
    {"rule = 1\n", "x.toml:1:8: `rule` must be a table, not integer"},
};

TEST(rules_schema_errors)
{
    for (size_t i = 0; i < ARRAY_LEN(bad_rules); i++) {
        char err[512] = "";
        struct rule *r =
            rule_load_text("x.toml", bad_rules[i].text, strlen(bad_rules[i].text), err, sizeof err);
        CHECK(r == NULL);
        rule_free(r);
        if (strcmp(err, bad_rules[i].err) != 0)
            t_fail_at(__FILE__, __LINE__, "case %zu: got \"%s\"\n      want \"%s\"", i, err,
                      bad_rules[i].err);
    }
}

TEST(rules_minimal_and_defaults)
{
    const char *text = "[rule]\nname = 'n'\nrule_id = 'id'\ntype = 'query'\nquery = 'a:b'\n"
                       "version = 3\nunsupported_field = { x = 1 }\n";
    char err[512] = "";
    struct rule *r = rule_load_text("m.toml", text, strlen(text), err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        printf("    %s\n", err);
        return;
    }
    CHECK_STR(r->path, "m.toml");
    CHECK_STR(r->language, "kuery"); /* Elastic's default for query rules */
    CHECK_STR(r->from, "now-6m");
    CHECK_STR(r->version, "3");
    CHECK(r->maturity == NULL && r->severity == NULL && r->nthreat == 0 && r->ntags == 0);
    CHECK(toml_get_path(toml_root(r->doc), "rule.unsupported_field.x") != NULL);
    rule_free(r);

    /* an unsupported type still loads: the engine reports it */
    text = "[rule]\nname = 'n'\nrule_id = 'id'\ntype = 'threshold'\nlanguage = 'kuery'\n"
           "query = 'a:b'\n[rule.threshold]\nfield = []\nvalue = 5\n";
    r = rule_load_text("t.toml", text, strlen(text), err, sizeof err);
    CHECK(r != NULL);
    if (r)
        CHECK_STR(r->type, "threshold");
    rule_free(r);
}

TEST(rules_query_position_with_escapes)
{
    /* basic string: escapes shift the source columns */
    const char *text = "[rule]\nname = 'n'\nrule_id = 'i'\ntype = 'query'\n"
                       "query = \"a:\\\"b\\\" and c:\\\\d and e\"\n";
    char err[512] = "";
    struct rule *r = rule_load_text("q.toml", text, strlen(text), err, sizeof err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(r->query, "a:\"b\" and c:\\d and e");
    int line, col;
    /* 'c' is decoded offset 10; in the file -> column 22 */
    CHECK(rule_query_position(r, 10, &line, &col));
    CHECK(line == 5 && col == 22);
    /* 'e' at decoded 19: the \\ before it took two source bytes -> column 32 */
    CHECK(rule_query_position(r, 19, &line, &col));
    CHECK(line == 5 && col == 32);
    rule_free(r);

    /* multi-line basic string with a line-ending backslash */
    text = "[rule]\nname = 'n'\nrule_id = 'i'\ntype = 'eql'\n"
           "query = \"\"\"\nprocess where \\\n    true and\n  x\"\"\"\n";
    r = rule_load_text("q.toml", text, strlen(text), err, sizeof err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(r->query, "process where true and\n  x");
    CHECK(rule_query_position(r, 0, &line, &col));
    CHECK(line == 6 && col == 1);
    CHECK(rule_query_position(r, strlen("process where "), &line, &col));
    CHECK(line == 7 && col == 5);
    CHECK(rule_query_position(r, strlen("process where true and\n  "), &line, &col));
    CHECK(line == 8 && col == 3);
    rule_free(r);
}

static void touch(const char *dir, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    if (f)
        fclose(f);
}

TEST(rules_find_files)
{
    char dir[] = "/tmp/vigil-rules-test.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[512];
    const char *dirs[] = {"b", "b/deep", ".hidden", "a"};
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, dirs[i]);
        mkdir(p, 0700);
    }
    touch(dir, "z.toml");
    touch(dir, "b/deep/y.toml");
    touch(dir, "b/readme.md");
    touch(dir, "b/x.toml");
    touch(dir, ".hidden/h.toml");
    touch(dir, "a/notes.toml.bak");

    char **paths = NULL, err[512] = "";
    size_t n = 0;
    /* one path given as a file, kept as is, then the directory appended after it */
    snprintf(p, sizeof p, "%s/b/readme.md", dir);
    CHECK_INT(rule_find_files(p, &paths, &n, err, sizeof err), 1);
    CHECK_INT(rule_find_files(dir, &paths, &n, err, sizeof err), 3);
    CHECK_INT(n, 4);
    if (n == 4) {
        CHECK_STR(paths[0], p);
        snprintf(p, sizeof p, "%s/b/deep/y.toml", dir);
        CHECK_STR(paths[1], p);
        snprintf(p, sizeof p, "%s/b/x.toml", dir);
        CHECK_STR(paths[2], p);
        snprintf(p, sizeof p, "%s/z.toml", dir);
        CHECK_STR(paths[3], p);
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);

    paths = NULL;
    n = 0;
    snprintf(p, sizeof p, "%s/missing", dir);
    CHECK_INT(rule_find_files(p, &paths, &n, err, sizeof err), -1);
    CHECK(strstr(err, "/missing: No such file or directory") != NULL);
    CHECK(n == 0);
    free(paths);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

TEST(rules_load_file_missing)
{
    char err[512] = "";
    CHECK(rule_load_file("/nonexistent/r.toml", err, sizeof err) == NULL);
    CHECK_STR(err, "/nonexistent/r.toml: No such file or directory");
    rule_free(NULL);
    CHECK(!rule_has_tag(NULL, "x"));
}
