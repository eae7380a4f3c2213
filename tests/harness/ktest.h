/* ktest.h — Kettle's test harness: cmocka tests with points, rules and a
 * private result channel for the grader (tools/grader).
 *
 * A test file lists its tests with their points and the rule each one checks:
 *
 *     static void fifo_order(void **state) { ... KT_CHECK_STR(...); }
 *     static const kt_test_case tests[] = {
 *         KT_TEST(fifo_order, 2, "call_soon callbacks run in FIFO order (book §1.2)"),
 *     };
 *     KT_MAIN("Lab 01 — callbacks and timers", tests)
 *
 * The binary runs three ways:
 *   ./test_x                 every test under cmocka's runner (plain cmocka output)
 *   ./test_x --list          one line per test: name, points, time limit, rule
 *                            (only the names in ./test_x.only when that file
 *                            exists: tools/bugs.py runs a patched lab's tests
 *                            that way)
 *   ./test_x --run NAME      one test, outside cmocka's runner, so a crash, an
 *                            abort or a sanitizer report reaches the grader
 *                            instead of being caught by cmocka's signal handler
 *
 * With --run, the harness writes the verdict to the file descriptor named by
 * the environment variable KT_RESULT_FD (the grader's own pipe): "PASS" or
 * "FAIL file:line" followed by the message. Nothing the code under test
 * prints can change it. Without KT_RESULT_FD the verdict goes to stderr.
 *
 * Failure messages teach: say which rule was broken, where the book explains
 * it, and what was expected against what came. The KT_CHECK_* macros add the
 * "expected/got" lines; you write the rule.
 *
 * Tests run outside cmocka's runner with --run, so they use the KT_CHECK_*
 * macros (or cmocka's assert_* macros, whose text then shows only in the
 * output), never cmocka's mock()/expect_*(), which need the runner.
 */
#ifndef KETTLE_KTEST_H
#define KETTLE_KTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

typedef struct kt_test_case {
    const char *name;
    void (*fn)(void **state);
    int points;
    double timeout;   /* seconds; 0 means the grader's default */
    const char *rule; /* shown when the test crashes or times out */
} kt_test_case;

#define KT_TEST(fn, points, rule) { #fn, fn, points, 0, rule }
#define KT_TEST_TIMEOUT(fn, points, seconds, rule) { #fn, fn, points, seconds, rule }

int kt_test_main(const char *title, const kt_test_case *cases, size_t n, int argc, char **argv);

#define KT_MAIN(title, cases)                                                       \
    int main(int argc, char **argv)                                                 \
    {                                                                               \
        return kt_test_main(title, cases, sizeof(cases) / sizeof((cases)[0]), argc, argv); \
    }

/* Fail the running test with a printf-style message. Does not return. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
void kt__fail(const char *file, int line, const char *fmt, ...);

#define KT_FAIL(...) kt__fail(__FILE__, __LINE__, __VA_ARGS__)

/* KT_CHECK(cond, "rule (book §x)", ...): fail with the message unless cond. */
#define KT_CHECK(cond, ...)                            \
    do {                                               \
        if (!(cond))                                   \
            kt__fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

/* Integers: adds "expected: W / got: G" under the rule. */
#define KT_CHECK_INT(got, want, ...) \
    kt__check_int(__FILE__, __LINE__, (long long)(got), (long long)(want), #got, __VA_ARGS__)

/* Error codes: shows both codes with their kt_strerror names. */
#define KT_CHECK_ERR(got, want, ...) \
    kt__check_err(__FILE__, __LINE__, (int)(got), (int)(want), #got, __VA_ARGS__)

/* A call that must succeed (return >= 0): shows the error it returned. */
#define KT_CHECK_OK(got, ...) kt__check_ok(__FILE__, __LINE__, (long long)(got), #got, __VA_ARGS__)

/* Strings (NULL allowed): shows both, quoted. */
#define KT_CHECK_STR(got, want, ...) kt__check_str(__FILE__, __LINE__, (got), (want), #got, __VA_ARGS__)

/* Doubles within eps. */
#define KT_CHECK_DBL(got, want, eps, ...) \
    kt__check_dbl(__FILE__, __LINE__, (double)(got), (double)(want), (eps), #got, __VA_ARGS__)

void kt__check_int(const char *file, int line, long long got, long long want, const char *expr,
                   const char *fmt, ...);
void kt__check_err(const char *file, int line, int got, int want, const char *expr, const char *fmt, ...);
void kt__check_ok(const char *file, int line, long long got, const char *expr, const char *fmt, ...);
void kt__check_str(const char *file, int line, const char *got, const char *want, const char *expr,
                   const char *fmt, ...);
void kt__check_dbl(const char *file, int line, double got, double want, double eps, const char *expr,
                   const char *fmt, ...);

/* An event log for order tests: append short words, then compare the whole
 * sequence, so a failure shows the expected and the actual order.
 *
 *     kt_log log; kt_log_init(&log);
 *     kt_log_add(&log, "a%d", 1);           // "a1"
 *     KT_CHECK_STR(log.buf, "a1 b c", "...");
 */
typedef struct kt_log {
    char buf[4096];
    size_t len;
} kt_log;

void kt_log_init(kt_log *log);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void kt_log_add(kt_log *log, const char *fmt, ...);

/* How many file descriptors this process has open (from /proc/self/fd), for
 * tests that prove nothing leaked. */
int kt_open_fd_count(void);

#endif
