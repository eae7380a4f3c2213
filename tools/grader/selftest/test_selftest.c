/* test_selftest.c — tests that go wrong on purpose, one way each, so the
 * grader's self-test (run.sh) can check that every kind of failure gets the
 * right verdict and a readable reason. Only the first one passes. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktest.h"

/* Keep the compiler from proving the bugs below away. */
static volatile int zero = 0;

static void passes(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_log_add(&log, "a%d", 1);
    kt_log_add(&log, "b");
    KT_CHECK_STR(log.buf, "a1 b", "the log joins words with spaces (selftest §1)");
    KT_CHECK_INT(1 + 1, 2, "arithmetic still works (selftest §1)");
    KT_CHECK_OK(0, "zero is success (selftest §1)");
    /* The grader gives every test a clean environment... */
    KT_CHECK_STR(getenv("KT_SELFTEST_LEAK"), NULL, "the grader's environment must not reach a test");
    /* ...plus the variables of its variant (run.sh checks both). */
    const char *want = getenv("KT_SELFTEST_EXPECT");
    if (want != NULL)
        KT_CHECK_STR(getenv("KT_SELFTEST_VAR"), want, "a variant's variables reach the test");
}

static void fails_check_str(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_log_add(&log, "a");
    kt_log_add(&log, "late");
    kt_log_add(&log, "b");
    KT_CHECK_STR(log.buf, "a b late",
                 "callbacks scheduled while the loop runs must wait for the next iteration (selftest §2)");
}

static void segfaults(void **state)
{
    (void)state;
    /* Near NULL but not NULL, so UBSan's null check lets the store through
     * and the hardware catches it. */
    int *volatile p = (int *)(uintptr_t)(16 + zero);
    *p = 42;
}

static void aborts(void **state)
{
    (void)state;
    abort();
}

static void loops_forever(void **state)
{
    (void)state;
    volatile unsigned long n = 0;
    for (;;)
        n++;
}

static int recurse(int depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth < 0) /* never true; it only keeps the compiler from warning */
        return 0;
    return recurse(depth + 1) + pad[0];
}

static void overflows_stack(void **state)
{
    (void)state;
    KT_CHECK_INT(recurse(zero), 0, "not reached");
}

static void uses_after_free(void **state)
{
    (void)state;
    char *volatile p = malloc(16);
    p[0] = 'x';
    free(p);
    KT_CHECK_INT(p[zero], 'x', "not reached");
}

/* Out of line, so no copy of the pointer stays in this frame. */
__attribute__((noinline)) static void leak_48_bytes(void)
{
    char *volatile p = malloc(48);
    p[0] = 1;
    p = NULL;
}

static void leaks(void **state)
{
    (void)state;
    leak_48_bytes();
}

static void overflows_int(void **state)
{
    (void)state;
    volatile int big = INT_MAX;
    int sum = big + 1 + zero;
    KT_CHECK_INT(sum, 0, "not reached");
}

static void exits_early(void **state)
{
    (void)state;
    exit(0);
}

static void forges_pass(void **state)
{
    (void)state;
    printf("PASS\n");
    fflush(stdout);
    fprintf(stderr, "PASS\n");
    KT_CHECK_INT(zero, 1, "printing PASS does not pass a test (selftest §3)");
}

static void leaves_child(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    KT_CHECK(pid > 0, "fork failed");
}

static const kt_test_case tests[] = {
    KT_TEST(passes, 1, "the one test that passes"),
    KT_TEST(fails_check_str, 3, "callbacks scheduled while the loop runs wait (selftest §2)"),
    KT_TEST(segfaults, 1, "a NULL pointer is never written (selftest §4)"),
    KT_TEST(aborts, 1, "abort() is never called (selftest §4)"),
    KT_TEST_TIMEOUT(loops_forever, 1, 1, "the loop stops when nothing is left to do (selftest §5)"),
    KT_TEST(overflows_stack, 1, "recursion is bounded (selftest §6)"),
    KT_TEST(uses_after_free, 1, "freed memory is never read (selftest §7)"),
    KT_TEST(leaks, 1, "everything allocated is freed (selftest §7)"),
    KT_TEST(overflows_int, 1, "no signed overflow (selftest §8)"),
    KT_TEST(exits_early, 1, "the code under test never calls exit() (selftest §9)"),
    KT_TEST(forges_pass, 1, "output cannot forge a verdict (selftest §3)"),
    KT_TEST(leaves_child, 1, "every child process is reaped (selftest §10)"),
};

KT_MAIN("Grader self-test", tests)
