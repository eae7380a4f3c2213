/* bench_switch.c — what a generator switch costs (book §3.9).
 *
 * Build and run by hand (plain C, -O2, no sanitizers: they slow every
 * switch down several times):
 *
 *     cc -std=c11 -O2 -I lib/include -o build/bench_switch \
 *        bench/bench_switch.c solutions/03-generators/gen.c lib/src/[a-z]*.c -lm -pthread
 *     build/bench_switch
 *
 * (labs/03-generators/gen.c instead of the solution measures your own.)
 * It prints one line per measurement: the best of several rounds, in
 * nanoseconds per operation, and the same as a multiple of a plain
 * function call. Each round is timed as a whole, so the clock's own cost is
 * spread over many operations.
 */
#define _GNU_SOURCE /* ucontext, sigprocmask */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "kettle/stack.h"
#include "bench_util.h"

#define ROUNDS 7

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs `op(n)` ROUNDS times; returns the best time per operation in ns. */
static double best_ns(void (*op)(long), long n)
{
    double best = 1e30;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        op(n);
        double per = (now_ns() - t0) / (double)n;
        if (per < best)
            best = per;
    }
    return best;
}

/* ---- a plain function call (not inlined: called through a volatile pointer) */

static long add_one(long x)
{
    return x + 1;
}

static long (*volatile call_me)(long) = add_one;
static volatile long sink;

static void op_call(long n)
{
    long acc = 0;
    for (long i = 0; i < n; i++)
        acc = call_me(acc);
    sink = acc;
}

/* ---- the system call inside swapcontext: read the signal mask */

static void op_sigprocmask(long n)
{
    sigset_t old;
    for (long i = 0; i < n; i++)
        sigprocmask(SIG_BLOCK, NULL, &old);
}

/* ---- two bare ucontexts switching back and forth */

static ucontext_t main_ctx, other_ctx;

static void other_side(void)
{
    for (;;)
        swapcontext(&other_ctx, &main_ctx);
}

static void op_swapcontext_pair(long n)
{
    for (long i = 0; i < n; i++)
        swapcontext(&main_ctx, &other_ctx); /* there and back: two switches */
}

/* ---- a send/yield round trip through the generator API */

static int yields_forever(void *arg, void **result)
{
    (void)arg;
    (void)result;
    void *sent = NULL;
    for (;;) {
        int rc = kt_gen_yield(sent, &sent);
        if (rc != 0)
            return rc;
    }
}

static kt_gen *ping;

static void op_send_yield(long n)
{
    void *out = NULL;
    for (long i = 0; i < n; i++) {
        int rc = kt_gen_send(ping, (void *)i, &out);
        if (rc != 0)
            die("send", rc);
    }
}

/* ---- create, run to the end, free */

static int returns_at_once(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static size_t create_stack_size; /* 0: the pool; anything else: fresh mmaps */

static void op_create_finish(long n)
{
    for (long i = 0; i < n; i++) {
        kt_gen *g = NULL;
        int rc = kt_gen_new(&g, returns_at_once, NULL, create_stack_size);
        if (rc != 0)
            die("kt_gen_new", rc);
        rc = kt_gen_send(g, NULL, NULL);
        if (rc != KT_ESTOP)
            die("send", rc);
        kt_gen_free(g);
    }
}

int main(void)
{
    static char other_stack[64 * 1024];
    getcontext(&other_ctx);
    other_ctx.uc_stack.ss_sp = other_stack;
    other_ctx.uc_stack.ss_size = sizeof other_stack;
    other_ctx.uc_link = &main_ctx;
    makecontext(&other_ctx, other_side, 0);

    int rc = kt_gen_new(&ping, yields_forever, NULL, 0);
    if (rc != 0)
        die("kt_gen_new", rc);
    if ((rc = kt_gen_send(ping, NULL, NULL)) != 0)
        die("first send", rc);

    double call = best_ns(op_call, 20000000);
    double mask = best_ns(op_sigprocmask, 1000000);
    double pair = best_ns(op_swapcontext_pair, 1000000);
    double trip = best_ns(op_send_yield, 1000000);
    create_stack_size = 0;
    double pooled = best_ns(op_create_finish, 200000);
    /* One page more than the default: the pool only keeps default-size
     * stacks, so every one of these is a fresh mmap + mprotect + munmap. */
    create_stack_size = KT_STACK_DEFAULT_SIZE + 4096;
    double fresh = best_ns(op_create_finish, 20000);

    kt_stack_stats st;
    kt_stack_get_stats(&st);
    kt_gen_free(ping);

    printf("%-46s %10s %12s\n", "operation", "ns", "x call");
    printf("%-46s %10.1f %12.0f\n", "plain function call", call, 1.0);
    printf("%-46s %10.1f %12.0f\n", "sigprocmask (the system call in a switch)", mask, mask / call);
    printf("%-46s %10.1f %12.0f\n", "swapcontext there and back (2 switches)", pair, pair / call);
    printf("%-46s %10.1f %12.0f\n", "kt_gen_send + kt_gen_yield round trip", trip, trip / call);
    printf("%-46s %10.1f %12.0f\n", "create + run + free, stack from the pool", pooled, pooled / call);
    printf("%-46s %10.1f %12.0f\n", "create + run + free, fresh mmap + guard page", fresh, fresh / call);
    printf("(stacks: %llu mmaps, %llu reuses from the pool)\n", st.mapped, st.reused);
    return 0;
}
