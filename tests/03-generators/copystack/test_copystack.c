/* test_copystack.c — gen.h on copied stacks (lib/src/copystack.c, book §3.14).
 *
 * Built only with COPYSTACK=1 (make check's copied-stack step), where lib's
 * generator replaces Lab 03's gen.c; it takes the place of test_gen_stack.c,
 * whose pool counts are gen.c's own mechanism. The other Lab 03 tests run
 * unchanged against it. */
#define _GNU_SOURCE /* sigaltstack, siginfo_t */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kettle/copystack.h"
#include "kettle/errors.h"
#include "kettle/gen.h"
#include "kettle/stack.h"
#include "ktest.h"

#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

static kt_copystack_stats stats_now(void)
{
    kt_copystack_stats s;
    kt_copystack_get_stats(&s);
    return s;
}

/* ---- more than the kernel's map limit allowed ----------------------------- */

/* Keeps a local that changes at each yield: n, n+1, n+2; returns n+3. */
static int counts_from(void *arg, void **result)
{
    long n = N(arg);
    for (int i = 0; i < 3; i++) {
        int rc = kt_gen_yield(V(n), NULL);
        if (rc != 0)
            return rc;
        n++;
    }
    *result = V(n);
    return 0;
}

/* One stack per generator (two mappings each) stopped near 32,749 of them
 * (vm.max_map_count is 65,530). */
#define BEYOND_MAP_LIMIT 33000

static void more_generators_than_the_map_limit(void **state)
{
    (void)state;
    kt_gen **g = calloc(BEYOND_MAP_LIMIT, sizeof *g);
    KT_CHECK(g != NULL, "the test itself is out of memory");
    kt_copystack_stats before = stats_now();
    long bad = 0;
    for (long i = 0; i < BEYOND_MAP_LIMIT; i++) {
        KT_CHECK_OK(kt_gen_new(&g[i], counts_from, V(i * 10), 0), "kt_gen_new must make a generator (book §3.14)");
        void *v = NULL;
        if (kt_gen_send(g[i], NULL, &v) != 0 || N(v) != i * 10)
            bad++;
    }
    /* Every one suspended at once; resume them in reverse so that each
     * resume copies another body back in. */
    for (int round = 1; round <= 3; round++)
        for (long i = BEYOND_MAP_LIMIT - 1; i >= 0; i--) {
            void *v = NULL;
            int rc = kt_gen_send(g[i], NULL, &v);
            if (rc != (round < 3 ? 0 : KT_ESTOP) || N(v) != i * 10 + round)
                bad++;
        }
    kt_copystack_stats after = stats_now();
    for (long i = 0; i < BEYOND_MAP_LIMIT; i++)
        kt_gen_free(g[i]);
    free(g);
    KT_CHECK_INT(bad, 0,
                 "%d generators suspended at once must each keep their own locals across copies "
                 "(book §3.14)",
                 BEYOND_MAP_LIMIT);
    KT_CHECK(after.shared_stacks - before.shared_stacks <= 1,
             "generators resumed from plain code share one stack per thread, not one each (book §3.14)");
    KT_CHECK(after.evictions - before.evictions >= 3 * BEYOND_MAP_LIMIT - 3,
             "resuming a body that is not on the shared stack copies the one that is out (book §3.14)");
}

/* ---- a suspended body keeps what it used, no more ------------------------- */

/* Fills a local buffer of arg bytes with a pattern, yields, then checks it. */
static int keeps_buffer(void *arg, void **result)
{
    size_t n = (size_t)N(arg);
    unsigned char buf[16384];
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 7 + n);
    int rc = kt_gen_yield(NULL, NULL);
    if (rc != 0)
        return rc;
    long wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += buf[i] != (unsigned char)(i * 7 + n);
    *result = V(wrong);
    return 0;
}

static int shallow(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return kt_gen_yield(NULL, NULL);
}

static void saved_bytes_follow_what_the_body_used(void **state)
{
    (void)state;
    /* Shallow bodies, suspended and copied out: well under a page each
     * (ASan's frames are bigger; still under 4 KiB). */
    kt_gen *a = NULL, *b = NULL;
    KT_CHECK_OK(kt_gen_new(&a, shallow, NULL, 0), "kt_gen_new must make a generator (book §3.14)");
    KT_CHECK_OK(kt_gen_new(&b, shallow, NULL, 0), "kt_gen_new must make a generator (book §3.14)");
    kt_copystack_stats s0 = stats_now();
    KT_CHECK_ERR(kt_gen_send(a, NULL, NULL), 0, "the body yields (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(b, NULL, NULL), 0, "the body yields (book §3.6)");
    kt_copystack_stats s1 = stats_now();
    KT_CHECK_INT(s1.evictions - s0.evictions, 1, "starting b copies suspended a out, once (book §3.14)");
    KT_CHECK(s1.max_saved < 4096,
             "a body suspended in a shallow call keeps well under a page (kept %zu bytes) (book §3.14)",
             s1.max_saved);
    kt_gen_free(a);
    kt_gen_free(b);

    /* Two bodies holding 12 KiB buffers: each is copied out and back whole. */
    kt_gen *c = NULL, *d = NULL;
    KT_CHECK_OK(kt_gen_new(&c, keeps_buffer, V(12000), 0), "kt_gen_new must make a generator (book §3.14)");
    KT_CHECK_OK(kt_gen_new(&d, keeps_buffer, V(12001), 0), "kt_gen_new must make a generator (book §3.14)");
    KT_CHECK_ERR(kt_gen_send(c, NULL, NULL), 0, "the body yields (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(d, NULL, NULL), 0, "the body yields (book §3.6)");
    void *wrong = V(-1);
    KT_CHECK_ERR(kt_gen_send(c, NULL, &wrong), KT_ESTOP, "the body returns (book §3.6)");
    KT_CHECK_INT(N(wrong), 0, "a body's 12 KiB of locals come back byte for byte after being copied out (book §3.14)");
    KT_CHECK_ERR(kt_gen_send(d, NULL, &wrong), KT_ESTOP, "the body returns (book §3.6)");
    KT_CHECK_INT(N(wrong), 0, "a body's 12 KiB of locals come back byte for byte after being copied out (book §3.14)");
    KT_CHECK(stats_now().max_saved >= 12000, "a body using 12 KiB of stack keeps at least that (book §3.14)");
    kt_gen_free(c);
    kt_gen_free(d);
}

/* ---- a body resumed from another body on the same shared stack ------------ */

static kt_gen *first; /* bound to the shared stack before `second` */

static int echo_twice(void *arg, void **result)
{
    (void)result;
    long local = N(arg);
    void *sent = NULL;
    for (int i = 0; i < 2; i++) {
        int rc = kt_gen_yield(V(local), &sent);
        if (rc != 0)
            return rc;
        local += N(sent);
    }
    *result = V(local);
    return 0;
}

/* Resumes `first`, whose bytes sit where this body's own frames are. */
static int drives_first(void *arg, void **result)
{
    long mine = N(arg);
    void *v = NULL;
    int rc = kt_gen_send(first, V(5), &v);
    if (rc != 0)
        return KT_EINVALSTATE;
    rc = kt_gen_yield(V(N(v) + mine), NULL);
    if (rc != 0)
        return rc;
    rc = kt_gen_send(first, V(7), &v);
    *result = V(N(v) + mine);
    return rc == KT_ESTOP ? 0 : KT_EINVALSTATE;
}

static void resume_a_body_bound_to_the_running_stack(void **state)
{
    (void)state;
    kt_gen *second = NULL;
    void *v = NULL;
    KT_CHECK_OK(kt_gen_new(&first, echo_twice, V(100), 0), "kt_gen_new must make a generator (book §3.14)");
    KT_CHECK_OK(kt_gen_new(&second, drives_first, V(1000), 0), "kt_gen_new must make a generator (book §3.14)");
    KT_CHECK_ERR(kt_gen_send(first, NULL, &v), 0, "first yields its local (book §3.6)");
    KT_CHECK_INT(N(v), 100, "first yields its local (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(second, NULL, &v), 0, "second yields what first gave it (book §3.7)");
    KT_CHECK_INT(N(v), 1105,
                 "a body may resume a generator whose bytes must go where its own frames are: the copy is "
                 "done on another stack, and both bodies keep their locals (book §3.14)");
    KT_CHECK_ERR(kt_gen_send(second, NULL, &v), KT_ESTOP, "second returns (book §3.6)");
    KT_CHECK_INT(N(v), 1112, "first's local survived both trips (book §3.14)");
    kt_gen_free(second);
    kt_gen_free(first);
    first = NULL;
}

/* ---- stack size and the guard page --------------------------------------- */

static __attribute__((noinline)) long deep(long depth)
{
    volatile char pad[1024];
    memset((char *)pad, (int)depth, sizeof pad);
    if (depth == 0)
        return pad[7];
    return deep(depth - 1) + 1 + pad[9] - pad[9];
}

static int needs_big_stack(void *arg, void **result)
{
    *result = V(deep(N(arg)));
    return 0;
}

static void stack_size_is_honoured(void **state)
{
    (void)state;
    long depth = (long)(3 * KT_STACK_DEFAULT_SIZE / 2048);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, needs_big_stack, V(depth), 8 * KT_STACK_DEFAULT_SIZE),
                "kt_gen_new with a big stack_size must make a generator (book §3.14)");
    void *v = NULL;
    KT_CHECK_ERR(kt_gen_send(g, NULL, &v), KT_ESTOP,
                 "a body given a big stack_size runs on a shared stack at least that big (book §3.14)");
    KT_CHECK_INT(N(v), depth, "the deep recursion returns its depth (book §3.14)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static volatile uintptr_t deepest_frame;
static volatile long no_limit = -1;

#define FAULT_AT_GUARD 42
#define FAULT_ELSEWHERE 43
#define NO_FAULT 44

static __attribute__((noinline)) long dive(long depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    deepest_frame = (uintptr_t)__builtin_frame_address(0);
    if (depth == no_limit)
        return 0;
    return dive(depth + 1) + pad[0];
}

static int overflows(void *arg, void **result)
{
    (void)arg;
    *result = V(dive(0));
    return 0;
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    uintptr_t addr = (uintptr_t)si->si_addr;
    int at_edge = addr < deepest_frame + 64 && deepest_frame - addr < 4 * 4096;
    _exit(at_edge ? FAULT_AT_GUARD : FAULT_ELSEWHERE);
}

static void overflow_hits_the_shared_stacks_guard_page(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, overflows, NULL, 0), "kt_gen_new must make a generator (book §3.14)");
    fflush(NULL);
    pid_t pid = fork();
    KT_CHECK(pid >= 0, "the test itself could not fork");
    if (pid == 0) {
        static char altstack[64 * 1024];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0)
            _exit(2);
        alarm(10);
        kt_gen_send(g, NULL, NULL);
        _exit(NO_FAULT);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a just-created generator succeeds (book §3.6)");
    KT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == FAULT_AT_GUARD,
             "a body that overflows its shared stack must die by a clean fault at the guard page right "
             "below its deepest frame (book §3.14); the child ended with %s %d",
             WIFSIGNALED(status) ? "signal" : "exit status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* ---- threads -------------------------------------------------------------- */

static void *interleave_in_thread(void *arg)
{
    long base = N(arg), bad = 0;
    kt_gen *g[4];
    for (int i = 0; i < 4; i++) {
        if (kt_gen_new(&g[i], counts_from, V(base + i * 100), 0) != 0)
            return V(-1);
    }
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < 4; i++) {
            void *v = NULL;
            int rc = kt_gen_send(g[i], NULL, &v);
            if (rc != (round < 3 ? 0 : KT_ESTOP) || N(v) != base + i * 100 + round)
                bad++;
        }
    for (int i = 0; i < 4; i++)
        kt_gen_free(g[i]);
    return V(bad);
}

static void each_thread_has_its_own_shared_stacks(void **state)
{
    (void)state;
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        KT_CHECK(pthread_create(&t[i], NULL, interleave_in_thread, V(i * 10000)) == 0,
                 "the test itself could not start a thread");
    long bad = 0;
    for (int i = 0; i < 3; i++) {
        void *r = NULL;
        pthread_join(t[i], &r);
        bad += N(r);
    }
    KT_CHECK_INT(bad, 0, "generators in several threads at once each keep their locals: every thread "
                         "runs bodies on shared stacks of its own (book §3.14)");
}

static const kt_test_case tests[] = {
    /* 33,000 generators under ASan: some seconds alone, near 10 on a loaded machine */
    KT_TEST_TIMEOUT(more_generators_than_the_map_limit, 3, 60,
                    "33,000 suspended generators fit; each keeps its locals (book §3.14)"),
    KT_TEST(saved_bytes_follow_what_the_body_used, 3, "a suspended body keeps the bytes it used, no more (book §3.14)"),
    KT_TEST(resume_a_body_bound_to_the_running_stack, 2, "a body can resume one bound to its own shared stack (book §3.14)"),
    KT_TEST(stack_size_is_honoured, 1, "kt_gen_new's stack_size is a minimum for the shared stack (book §3.14)"),
    KT_TEST(overflow_hits_the_shared_stacks_guard_page, 2, "an overflow faults at the shared stack's guard page (book §3.14)"),
    KT_TEST(each_thread_has_its_own_shared_stacks, 2, "shared stacks are per thread (book §3.14)"),
};

KT_MAIN("Copied stacks — the generator of the scale build", tests)
