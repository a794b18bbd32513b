/*
 * t.h — the unit-test harness: a table of named tests, each run in a forked child.
 *
 *   TEST(toml_inline_table) { CHECK(x == 1); CHECK_STR(got, "want"); }
 *   SKIP("no wine: %s", why);      inside a test: counts as skipped, not passed
 *
 * The binary runs every test, or those whose names contain argv[1..]. It prints one line per
 * test (PASS/FAIL/SKIP name) and a closing "N passed, N failed, N skipped" line that
 * tests/run.sh adds up. A failed CHECK prints file:line and the expression and keeps going.
 */
#ifndef T_H
#define T_H
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdint.h>

typedef void (*t_fn)(void);
void t_register(const char *name, t_fn fn);
void t_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *t_srcdir(void); /* the repository root (tests run from it) */

#define TEST(name)                                                                         \
    static void test_##name(void);                                                         \
    __attribute__((constructor)) static void reg_##name(void)                              \
    {                                                                                      \
        t_register(#name, test_##name);                                                    \
    }                                                                                      \
    static void test_##name(void)

#define CHECK(c)                                                                           \
    do {                                                                                   \
        if (!(c))                                                                          \
            t_fail_at(__FILE__, __LINE__, "CHECK(%s)", #c);                                \
    } while (0)

#define CHECK_INT(got, want)                                                               \
    do {                                                                                   \
        long long g_ = (long long)(got), w_ = (long long)(want);                           \
        if (g_ != w_)                                                                      \
            t_fail_at(__FILE__, __LINE__, "%s == %lld, want %lld", #got, g_, w_);          \
    } while (0)

#define CHECK_STR(got, want)                                                               \
    do {                                                                                   \
        const char *g_ = (got), *w_ = (want);                                              \
        if (!g_ || !w_ || strcmp(g_, w_) != 0)                                             \
            t_fail_at(__FILE__, __LINE__, "%s == \"%s\", want \"%s\"", #got,               \
                      g_ ? g_ : "(null)", w_ ? w_ : "(null)");                             \
    } while (0)

#define SKIP(...) t_skip(__VA_ARGS__)

#endif
