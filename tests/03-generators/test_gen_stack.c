/* test_gen_stack.c — Lab 03: stacks, the pool and the guard page (book §3.5).
 *
 * Generators take their stacks from stack.h's kt_stack_acquire and give them
 * back with kt_stack_release; kt_stack_get_stats() lets these tests see it. */
#define _GNU_SOURCE /* sigaltstack, siginfo_t */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "kettle/stack.h"
#include "ktest.h"

#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

static kt_stack_stats stats_now(void)
{
    kt_stack_stats s;
    kt_stack_get_stats(&s);
    return s;
}

/* ---- many generators alive at once ------------------------------------------ */

/* Yields base, base+1, base+2, each from a local on its own stack. */
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

#define MANY 2000

static void thousands_alive_at_once(void **state)
{
    (void)state;
    kt_stack_stats before = stats_now();
    kt_gen **gens = calloc(MANY, sizeof *gens);
    KT_CHECK(gens != NULL, "the test itself ran out of memory");
    int made = 0;
    for (; made < MANY; made++) {
        int rc = kt_gen_new(&gens[made], counts_from, V(made * 1000L), 0);
        if (rc != 0) {
            for (int i = 0; i < made; i++)
                kt_gen_free(gens[i]);
            free(gens);
            KT_CHECK_OK(rc, "%d generators must be able to live at once, each on its own stack (book §3.5); "
                            "generator %d could not be made", MANY, made);
        }
    }
    KT_CHECK_INT(stats_now().in_use - before.in_use, MANY,
                 "each live generator holds one stack from kt_stack_acquire (book §3.5)");
    long bad = -1, got = 0, want = 0;
    /* Round-robin: every generator advances one step per round. */
    for (int round = 0; round < 4 && bad < 0; round++) {
        for (int i = 0; i < MANY; i++) {
            void *v = NULL;
            int rc = kt_gen_send(gens[i], NULL, &v);
            want = i * 1000L + round;
            if (rc != (round < 3 ? 0 : KT_ESTOP) || N(v) != want) {
                bad = i;
                got = N(v);
                break;
            }
        }
    }
    for (int i = 0; i < MANY; i++)
        kt_gen_free(gens[i]);
    free(gens);
    KT_CHECK(bad < 0,
             "with %d generators suspended at once, each must keep its own locals on its own stack and "
             "resume where it stopped (book §3.3, §3.5): generator %ld gave %ld, expected %ld",
             MANY, bad, got, want);
    KT_CHECK_INT(stats_now().in_use, before.in_use,
                 "every stack must be given back (kt_stack_release) once the generators finish and are freed "
                 "(book §3.5)");
}

/* ---- the pool ---------------------------------------------------------------- */

static int yields_once(void *arg, void **result)
{
    (void)result;
    return kt_gen_yield(arg, NULL);
}

static void stacks_are_reused_from_pool(void **state)
{
    (void)state;
    kt_stack_pool_drain();
    kt_stack_stats before = stats_now();
    for (int i = 0; i < 100; i++) {
        kt_gen *g = NULL;
        KT_CHECK_OK(kt_gen_new(&g, yields_once, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
        KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields once (book §3.6)");
        KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "then returns (book §3.6)");
        KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
    }
    kt_stack_stats after = stats_now();
    KT_CHECK_INT(after.mapped - before.mapped, 1,
                 "100 generators made and finished one after another need one fresh stack: take default-size "
                 "stacks from kt_stack_acquire(&st, 0) and give them back with kt_stack_release, so the pool "
                 "reuses them (book §3.5); this counts the fresh mmaps");
    KT_CHECK_INT(after.reused - before.reused, 99,
                 "the other 99 stacks come out of the pool (book §3.5); this counts the reuses");
}

static void finished_generator_gives_stack_back(void **state)
{
    (void)state;
    kt_stack_stats before = stats_now();
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, yields_once, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_INT(stats_now().in_use - before.in_use, 1,
                 "a new generator takes its stack at once, from kt_stack_acquire, so that running out of "
                 "memory shows at kt_gen_new (book §3.5)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields once (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "then returns (book §3.6)");
    KT_CHECK_INT(stats_now().in_use - before.in_use, 0,
                 "a generator that has finished gives its stack back at once, before kt_gen_free: finished "
                 "generators waiting to be freed must not hold stacks (book §3.5)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");

    KT_CHECK_OK(kt_gen_new(&g, yields_once, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_throw(g, KT_ECANCELLED, NULL), KT_ECANCELLED, "a throw into a just-created generator ends it (book §3.6)");
    KT_CHECK_INT(stats_now().in_use - before.in_use, 0,
                 "a generator ended before it started gives its stack back too (book §3.5)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");

    KT_CHECK_OK(kt_gen_new(&g, yields_once, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a just-created generator succeeds (book §3.6)");
    KT_CHECK_INT(stats_now().in_use - before.in_use, 0, "freeing a just-created generator gives its stack back (book §3.5)");
}

/* ---- stack sizes ---------------------------------------------------------------- */

/* Recurses `depth` times with 1 KiB frames, then returns depth. */
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
    /* 1 KiB frames, 1.5 x the default stack's bytes in all (more under
     * ASan's redzones): too deep for the default, fine in 8 x the default. */
    long depth = (long)(3 * KT_STACK_DEFAULT_SIZE / 2048);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, needs_big_stack, V(depth), 8 * KT_STACK_DEFAULT_SIZE),
                "kt_gen_new with a big stack_size must make a generator (book §3.5)");
    void *v = NULL;
    KT_CHECK_ERR(kt_gen_send(g, NULL, &v), KT_ESTOP,
                 "a body that needs more than the default stack runs when given a big enough stack_size "
                 "(pass it to kt_stack_acquire) (book §3.5)");
    KT_CHECK_INT(N(v), depth, "the deep recursion returns its depth (book §3.5)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
    /* stack_size 0 means the default, which is sized for this build (bigger
     * under ASan, whose frames carry red zones): a quarter of it in frames
     * must fit. A smaller fixed size overflows into the guard page here. */
    long quarter = (long)(KT_STACK_DEFAULT_SIZE / 4096);
    KT_CHECK_OK(kt_gen_new(&g, needs_big_stack, V(quarter), 0), "kt_gen_new with stack_size 0 must work (book §3.5)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, &v), KT_ESTOP,
                 "stack_size 0 means KT_STACK_DEFAULT_SIZE (pass 0 on to kt_stack_acquire), not a size of "
                 "your own (book §3.5)");
    KT_CHECK_INT(N(v), quarter, "the recursion returns its depth (book §3.5)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- the guard page ------------------------------------------------------------- */

/* The child records how deep it went; the fault handler compares. */
static volatile uintptr_t stack_top;     /* the body's frame address */
static volatile uintptr_t deepest_frame; /* lowest frame address reached */
static volatile long no_limit = -1;      /* keeps gcc from calling it infinite */

#define GUARD_TEST_STACK ((size_t)64 * 1024)
#define FAULT_AT_GUARD 42
#define FAULT_ELSEWHERE 43
#define NO_FAULT 44

static __attribute__((noinline)) long dive(long depth)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    /* The frame address, not &pad: under ASan's detect_stack_use_after_return
     * locals live on a "fake stack" in the heap, but frames do not. */
    deepest_frame = (uintptr_t)__builtin_frame_address(0);
    if (depth == no_limit)
        return 0;
    return dive(depth + 1) + pad[0];
}

static int overflows(void *arg, void **result)
{
    (void)arg;
    stack_top = (uintptr_t)__builtin_frame_address(0);
    *result = V(dive(0));
    return 0;
}

/* In the child, on its alternate stack: was the fault right below the
 * deepest frame, after about one whole stack was used? */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    uintptr_t addr = (uintptr_t)si->si_addr;
    uintptr_t used = stack_top - addr;
    int at_edge = addr < deepest_frame + 64 && deepest_frame - addr < 4 * 4096;
    int whole_stack = used > GUARD_TEST_STACK - 16 * 1024 && used < GUARD_TEST_STACK + 8 * 1024;
    _exit(at_edge && whole_stack ? FAULT_AT_GUARD : FAULT_ELSEWHERE);
}

static void overflow_child(kt_gen *g)
{
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0)
        _exit(2);
    alarm(10); /* a hang is a failure, not a stuck grader */
    kt_gen_send(g, NULL, NULL);
    _exit(NO_FAULT);
}

static void stack_overflow_hits_guard_page(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, overflows, NULL, GUARD_TEST_STACK), "kt_gen_new must make a generator (book §3.6)");
    int errpipe[2];
    KT_CHECK(pipe(errpipe) == 0, "the test itself could not make a pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        kt_gen_free(g);
        KT_FAIL("the test itself could not fork");
    }
    if (pid == 0) {
        close(errpipe[0]);
        dup2(errpipe[1], 2); /* a sanitizer report goes to the parent */
        overflow_child(g);
    }
    close(errpipe[1]);
    /* Keep the start of what the child prints, and drain the rest so that
     * a long report never blocks the child. */
    char report[8192] = "", scrap[4096];
    size_t len = 0;
    ssize_t n;
    for (;;) {
        size_t room = sizeof report - 1 - len;
        n = room > 0 ? read(errpipe[0], report + len, room) : read(errpipe[0], scrap, sizeof scrap);
        if (n <= 0)
            break;
        if (room > 0)
            len += (size_t)n;
    }
    report[len] = '\0';
    close(errpipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a just-created generator succeeds (book §3.6)");

    /* ASan may catch the fault first when run with its own handler on:
     * its report names a stack overflow. */
    if (strstr(report, "stack-overflow") != NULL)
        return;
    KT_CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == NO_FAULT),
             "a body that recurses without end must die by a fault at the guard page below its stack "
             "(book §3.5); instead the send returned: the body did not run on the stack you were given?");
    KT_CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == FAULT_ELSEWHERE),
             "a body that overflows its stack must fault right at the guard page, just below its stack "
             "(book §3.5); it faulted somewhere else: is the body really running on a %zu-byte stack with "
             "a guard page below (kt_stack_acquire with the stack_size given to kt_gen_new)?",
             GUARD_TEST_STACK);
    KT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == FAULT_AT_GUARD,
             "a body that overflows its stack must die by a clean fault at the guard page (book §3.5); the "
             "child ended with %s %d%s%.400s",
             WIFSIGNALED(status) ? "signal" : "exit status", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
             len > 0 ? "; it printed:\n" : "", report);
}

static const kt_test_case tests[] = {
    /* a few hundred ms alone, but some seconds on a loaded machine (thousands of mmaps under ASan) */
    KT_TEST_TIMEOUT(thousands_alive_at_once, 3, 30,
                    "thousands of generators live at once, each on its own stack (book §3.5)"),
    KT_TEST(stacks_are_reused_from_pool, 3, "finished generators' stacks are reused from the pool (book §3.5)"),
    KT_TEST(finished_generator_gives_stack_back, 2, "a generator gives its stack back as soon as it finishes (book §3.5)"),
    KT_TEST(stack_size_is_honoured, 1, "kt_gen_new's stack_size is the size of the body's stack (book §3.5)"),
    KT_TEST(stack_overflow_hits_guard_page, 3, "a stack overflow is a clean fault at the guard page (book §3.5)"),
};

KT_MAIN("Lab 03 — generators: stacks", tests)
