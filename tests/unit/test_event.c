/* Unit tests of the event model: values, JSON in and out, NDJSON traces. */
#include "t.h"

#include "event/event.h"

#include <unistd.h>

/* Parse one JSON object into ev (sealed); CHECK-fails on error. */
static int parse(struct event *ev, const char *json)
{
    char err[200];
    int rc = event_from_json(ev, json, strlen(json), err, sizeof err);
    if (rc < 0)
        t_fail_at(__FILE__, __LINE__, "parse %s: %s", json, err);
    return rc;
}

static char *to_json(const struct event *ev)
{
    struct buf b = {0};
    event_write_json(ev, &b);
    return buf_steal(&b);
}

TEST(event_dotted_and_nested_are_the_same_field)
{
    struct fieldtab *ft = fieldtab_new();
    struct event a, b;
    event_init(&a, ft);
    event_init(&b, ft);
    parse(&a, "{\"process\":{\"name\":\"sh\",\"parent\":{\"pid\":1}}}");
    parse(&b, "{\"process.name\":\"sh\",\"process.parent.pid\":1}");
    CHECK_STR(event_get_str(&a, "process.name"), "sh");
    CHECK_STR(event_get_str(&b, "process.name"), "sh");
    CHECK_INT(event_get_name(&a, "process.parent.pid")->i, 1);
    CHECK_INT(event_get_name(&b, "process.parent.pid")->type, VAL_LONG);
    char *ja = to_json(&a), *jb = to_json(&b);
    CHECK_STR(ja, jb);
    CHECK_STR(ja, "{\"process\":{\"name\":\"sh\",\"parent\":{\"pid\":1}}}");
    free(ja);
    free(jb);
    event_clear(&a);
    event_clear(&b);
    fieldtab_free(ft);
}

TEST(event_round_trip_keeps_types)
{
    const char *in = "{\"@timestamp\":\"2024-05-06T07:08:09.123456789Z\","
                     "\"a\":{\"b\":true,\"d\":1.5,\"l\":-42,\"n\":null,\"s\":\"x\\ny\"},"
                     "\"destination\":{\"ip\":\"::1\",\"port\":443},"
                     "\"event\":{\"category\":[\"process\"],\"type\":[]},"
                     "\"f\":2.0,\"big\":9007199254740993,\"neg\":-1e3}";
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    parse(&ev, in);
    CHECK_INT(event_get_name(&ev, "a.b")->type, VAL_BOOL);
    CHECK_INT(event_get_name(&ev, "a.d")->type, VAL_DOUBLE);
    CHECK_INT(event_get_name(&ev, "a.l")->i, -42);
    CHECK_INT(event_get_name(&ev, "a.n")->type, VAL_NULL);
    CHECK_INT(event_get_name(&ev, "destination.ip")->type, VAL_IP);
    CHECK_INT(event_get_name(&ev, "event.category")->type, VAL_ARRAY);
    CHECK_INT(event_get_name(&ev, "event.type")->n, 0);
    CHECK_INT(ev.ts, 1714979289123456789LL);
    CHECK_INT(event_get_name(&ev, "big")->i, 9007199254740993LL); /* beyond a double */
    CHECK_INT(event_get_name(&ev, "neg")->type, VAL_DOUBLE);
    char *out = to_json(&ev);
    /* 2.0 must stay a float: written as 2.0 */
    CHECK(strstr(out, "\"f\":2.0") != NULL);
    struct event ev2;
    event_init(&ev2, ft);
    parse(&ev2, out);
    char *out2 = to_json(&ev2);
    CHECK_STR(out2, out);
    CHECK_INT(ev2.ts, ev.ts);
    free(out);
    free(out2);
    event_clear(&ev);
    event_clear(&ev2);
    fieldtab_free(ft);
}

TEST(event_leaf_and_object_with_same_prefix)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    parse(&ev, "{\"a\":1,\"a.b\":2,\"x\":{\"y\":3,\"y.z\":4}}");
    char *out = to_json(&ev);
    CHECK_STR(out, "{\"a\":1,\"a.b\":2,\"x\":{\"y\":3,\"y.z\":4}}");
    struct event ev2;
    event_init(&ev2, ft);
    parse(&ev2, out);
    CHECK_INT(event_get_name(&ev2, "x.y.z")->i, 4);
    free(out);
    event_clear(&ev);
    event_clear(&ev2);
    fieldtab_free(ft);
}

TEST(event_object_arrays_flatten_like_elasticsearch)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    parse(&ev, "{\"t\":[{\"a\":1},{\"a\":2,\"b\":\"x\"}],\"m\":[[1,2],[3]]}");
    const struct val *a = event_get_name(&ev, "t.a");
    CHECK(a && a->type == VAL_ARRAY && a->n == 2 && a->items[1].i == 2);
    CHECK_STR(event_get_str(&ev, "t.b"), "x");
    const struct val *m = event_get_name(&ev, "m");
    CHECK(m && m->type == VAL_ARRAY && m->n == 3 && m->items[2].i == 3);
    event_clear(&ev);
    fieldtab_free(ft);
}

TEST(event_duplicate_keys_become_multi_valued)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    parse(&ev, "{\"a.b\":\"x\",\"a\":{\"b\":[\"y\",\"z\"]}}");
    const struct val *v = event_get_name(&ev, "a.b");
    CHECK(v && v->type == VAL_ARRAY && v->n == 3);
    if (v && v->n == 3) {
        CHECK_STR(v->items[0].s, "x");
        CHECK_STR(v->items[2].s, "z");
    }
    event_clear(&ev);
    fieldtab_free(ft);
}

TEST(event_bad_json_is_an_error)
{
    const char *bad[] = {"", "[1]", "\"s\"", "{\"a\":", "{\"a\":1} x", "{a:1}", "nul"};
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    char err[200];
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = 0;
        if (event_from_json(&ev, bad[i], strlen(bad[i]), err, sizeof err) == 0)
            t_fail_at(__FILE__, __LINE__, "accepted bad JSON: %s", bad[i]);
        CHECK(err[0] != 0);
    }
    event_clear(&ev);
    fieldtab_free(ft);
}

TEST(event_clone_is_independent)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    parse(&ev, "{\"p\":{\"args\":[\"a\",\"b\"],\"ip\":\"10.1.2.3\"},\"s\":\"hello\"}");
    struct event *c = event_clone(&ev);
    event_reset(&ev);
    parse(&ev, "{\"s\":\"other\"}");
    CHECK_STR(event_get_str(c, "s"), "hello");
    CHECK_STR(event_get_name(c, "p.args")->items[1].s, "b");
    CHECK_INT(event_get_name(c, "p.ip")->type, VAL_IP);
    char *j = to_json(c);
    CHECK_STR(j, "{\"p\":{\"args\":[\"a\",\"b\"],\"ip\":\"10.1.2.3\"},\"s\":\"hello\"}");
    free(j);
    event_free(c);
    event_clear(&ev);
    fieldtab_free(ft);
}

TEST(event_setters_and_strings_needing_escapes)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    const char *args[] = {"a b", "q\"u\\o", "nl\nx", "bad\xff\xfe", "tab\t\x01"};
    event_set_strv(&ev, fieldtab_intern(ft, "process.args", 12), args, NULL, 5);
    event_set_ip(&ev, fieldtab_intern(ft, "destination.ip", 14), "2001:db8::1", 11);
    event_set_name_long(&ev, "destination.port", 80);
    event_seal(&ev);
    char *j = to_json(&ev);
    CHECK_STR(j, "{\"destination\":{\"ip\":\"2001:db8::1\",\"port\":80},\"process\":{\"args\":"
                 "[\"a b\",\"q\\\"u\\\\o\",\"nl\\nx\",\"bad\xef\xbf\xbd\xef\xbf\xbd\","
                 "\"tab\\t\\u0001\"]}}");
    struct event back;
    event_init(&back, ft);
    CHECK(parse(&back, j) == 0);
    CHECK_STR(event_get_name(&back, "process.args")->items[2].s, "nl\nx");
    free(j);
    event_clear(&back);
    event_clear(&ev);
    fieldtab_free(ft);
}

TEST(ip_and_cidr)
{
    uint8_t ip[16], net[16];
    int bits;
    CHECK(ip_parse("127.0.0.1", 9, ip));
    CHECK(cidr_parse("127.0.0.0/8", 11, net, &bits));
    CHECK_INT(bits, 104);
    CHECK(ip_in_cidr(ip, net, bits));
    CHECK(cidr_parse("10.0.0.0/8", 10, net, &bits));
    CHECK(!ip_in_cidr(ip, net, bits));
    /* IPv4-mapped IPv6 is the same address */
    CHECK(ip_parse("::ffff:127.0.0.1", 16, ip));
    CHECK(cidr_parse("127.0.0.1", 9, net, &bits));
    CHECK(ip_in_cidr(ip, net, bits));
    CHECK(ip_parse("0:0:0:0:0:0:0:1", 15, ip));
    CHECK(cidr_parse("::1", 3, net, &bits));
    CHECK(ip_in_cidr(ip, net, bits));
    CHECK(cidr_parse("fe80::/10", 9, net, &bits));
    CHECK(ip_parse("fe80::1%eth0", 12, ip));
    CHECK(ip_in_cidr(ip, net, bits));
    CHECK(!ip_parse("300.1.1.1", 9, ip));
    CHECK(!cidr_parse("10.0.0.0/33", 11, net, &bits));
    CHECK(!cidr_parse("10.0.0.0/", 9, net, &bits));
    CHECK(field_is_ip("destination.ip"));
    CHECK(field_is_ip("ip"));
    CHECK(field_is_ip("host.ips"));
    CHECK(!field_is_ip("process.zip"));
}

TEST(time_iso8601)
{
    int64_t ns;
    CHECK(time_parse_iso8601("1970-01-01T00:00:00Z", 20, &ns));
    CHECK_INT(ns, 0);
    CHECK(time_parse_iso8601("2020-02-29T12:00:00.5+01:00", 27, &ns));
    CHECK_INT(ns, 1582974000500000000LL);
    CHECK(time_parse_iso8601("2020-02-29", 10, &ns));
    CHECK(!time_parse_iso8601("2020-13-01T00:00:00Z", 20, &ns));
    CHECK(!time_parse_iso8601("yesterday", 9, &ns));
    CHECK(!time_parse_iso8601("4000-01-01T00:00:00Z", 20, &ns)); /* past int64 ns */
    CHECK(time_parse_iso8601("2262-01-01T00:00:00Z", 20, &ns));
    char out[40];
    time_format_iso8601(1582974000500000000LL, out);
    CHECK_STR(out, "2020-02-29T11:00:00.500000000Z");
}

TEST(ndjson_bad_lines_are_reported_and_skipped)
{
    char path[] = "/tmp/vigil-test-ndjson.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char *text = "{\"a\":1}\n"
                       "\n"
                       "{\"a\":\n"
                       "not json\n"
                       "{\"a\":2}\r\n"
                       "{\"a\":3}"; /* no final newline */
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    struct fieldtab *ft = fieldtab_new();
    struct ndjson_reader *r = ndjson_open(path, ft);
    CHECK(r != NULL);
    ndjson_set_quiet(r, true);
    struct event ev;
    event_init(&ev, ft);
    int64_t got[3] = {0};
    uint64_t lines[3] = {0};
    int n = 0;
    while (ndjson_next(r, &ev) == 1 && n < 3) {
        got[n] = event_get_name(&ev, "a")->i;
        lines[n++] = ev.seq;
    }
    CHECK_INT(n, 3);
    CHECK_INT(got[0], 1);
    CHECK_INT(got[1], 2);
    CHECK_INT(got[2], 3);
    CHECK_INT(lines[1], 5);
    CHECK_INT(ndjson_bad_lines(r), 2);
    ndjson_close(r);
    event_clear(&ev);
    fieldtab_free(ft);
    unlink(path);
}

TEST(fieldtab_interns_many_names)
{
    struct fieldtab *ft = fieldtab_new();
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "f.%d", i);
        CHECK_INT(fieldtab_intern(ft, name, strlen(name)), i);
    }
    for (int i = 0; i < 5000; i += 7) {
        snprintf(name, sizeof name, "f.%d", i);
        CHECK_INT(fieldtab_find(ft, name, strlen(name)), i);
    }
    CHECK_INT(fieldtab_find(ft, "nope", 4), FIELD_NONE);
    CHECK_STR(fieldtab_name(ft, 42), "f.42");
    fieldtab_free(ft);
}

TEST(event_seal_sorts_many_fields_stably)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    char name[32];
    uint32_t ids[300];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "f%03d", i);
        ids[i] = fieldtab_intern(ft, name, strlen(name));
    }
    /* more than the small-sort bound, added in reverse, with duplicates of one field */
    for (int i = 299; i >= 0; i--)
        event_set_long(&ev, ids[i], i);
    event_set_long(&ev, ids[7], 1000);
    event_set_long(&ev, ids[7], 1001);
    event_seal(&ev);
    CHECK_INT(ev.n, 300);
    for (uint32_t i = 1; i < ev.n; i++)
        CHECK(ev.f[i - 1].id < ev.f[i].id);
    const struct val *v = event_get(&ev, ids[7]);
    CHECK(v && v->type == VAL_ARRAY && v->n == 3);
    if (v && v->n == 3) { /* insertion order kept */
        CHECK_INT(v->items[0].i, 7);
        CHECK_INT(v->items[1].i, 1000);
        CHECK_INT(v->items[2].i, 1001);
    }
    CHECK_INT(event_get(&ev, ids[299])->i, 299);
    event_clear(&ev);
    fieldtab_free(ft);
}

/* event_seal remembers the last orders it sorted: a repeat reuses one, any other order (same
 * length, a swapped pair, a duplicate) must still come out sorted with the right values. */
TEST(event_seal_order_memory_sees_every_change)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    uint32_t a = fieldtab_intern(ft, "a", 1), b = fieldtab_intern(ft, "b", 1),
             c = fieldtab_intern(ft, "c", 1);
    /* more distinct orders than it remembers, so that some are forgotten and come back */
    static const int orders[][3] = {{2, 0, 1}, {2, 0, 1}, {2, 1, 0}, {0, 2, 1}, {1, 1, 0},
                                    {2, 0, 1}, {1, 0, 2}, {1, 2, 0}, {2, 1, 0}, {1, 1, 0},
                                    {0, 2, 1}, {2, 0, 1}, {1, 0, 2}};
    const uint32_t id[3] = {a, b, c};
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        event_reset(&ev);
        for (int i = 0; i < 3; i++)
            event_set_long(&ev, id[orders[k][i]], orders[k][i] * 10 + i);
        event_seal(&ev);
        for (uint32_t i = 1; i < ev.n; i++)
            CHECK(ev.f[i - 1].id < ev.f[i].id);
        for (int i = 0; i < 3; i++) {
            const struct val *v = event_get(&ev, id[orders[k][i]]);
            CHECK(v != NULL);
            if (v && v->type == VAL_LONG)
                CHECK_INT(v->i, orders[k][i] * 10 + i);
            else if (v) /* the duplicate of {1, 1, 0}: both values, in order */
                CHECK(v->type == VAL_ARRAY && v->n == 2 && v->items[0].i == 10 &&
                      v->items[1].i == 11);
        }
    }
    event_clear(&ev);
    fieldtab_free(ft);
}

/* The no-copy setters point at the caller's strings; a clone copies them. */
TEST(event_ref_setters_do_not_copy_and_clones_do)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    char text[] = "hello";
    const char *argv[2] = {"x", "yz"};
    uint32_t s = fieldtab_intern(ft, "s", 1), v = fieldtab_intern(ft, "v", 1);
    event_set_str_ref(&ev, s, text, 5);
    event_set_strv_ref(&ev, v, argv, NULL, 2);
    event_seal(&ev);
    CHECK(event_get(&ev, s)->s == text);
    CHECK(event_get(&ev, v)->items[1].s == argv[1]);
    CHECK_INT(event_get(&ev, v)->items[1].n, 2);
    struct event *cl = event_clone(&ev);
    text[0] = 'j';
    CHECK_STR(event_get_str(&ev, "s"), "jello");
    CHECK_STR(event_get_str(cl, "s"), "hello");
    CHECK_STR(event_get(cl, v)->items[1].s, "yz");
    event_free(cl);
    event_clear(&ev);
    fieldtab_free(ft);
}

/* The writer reuses the layout of a field set it saw before: values must still be the
 * event's own, and more shapes than it remembers must each come out right. */
TEST(event_write_json_layouts_reused_and_forgotten)
{
    struct fieldtab *ft = fieldtab_new();
    struct event ev;
    event_init(&ev, ft);
    char name[32], want[128];
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < 12; k++) {
            event_reset(&ev);
            snprintf(name, sizeof name, "s.k%d", k);
            event_set_name_long(&ev, "x", round * 100 + k);
            event_set_name_str(&ev, name, round ? "w" : "v");
            if (k % 3 == 0)
                event_set_name_str(&ev, "s.a", "z");
            event_seal(&ev);
            char *j = to_json(&ev);
            snprintf(want, sizeof want, "{\"s\":{%s\"k%d\":\"%s\"},\"x\":%d}",
                     k % 3 == 0 ? "\"a\":\"z\"," : "", k, round ? "w" : "v", round * 100 + k);
            CHECK_STR(j, want);
            free(j);
        }
    event_clear(&ev);
    fieldtab_free(ft);
}
