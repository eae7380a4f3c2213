/* bench_tasks.c — Kettle's side of the benchmarks in bench/run.sh.
 *
 *     bench_tasks WORKLOAD N     prints the best of 3 runs, in seconds
 *
 * Workloads (bench/bench_asyncio.py runs the same ones on CPython asyncio):
 *   callbacks   schedule N call_soon callbacks, then run them (one iteration)
 *   tasks       one task spawns N tasks that return at once and awaits each
 *   switches    two tasks hand a counter back and forth N times through futures
 *   timers      N tasks each sleep a pseudo-random delay in [0, 1 ms), real clock
 *   swapcontext N raw swapcontext round trips between two contexts (the floor)
 *   ktswap      the same with kt_swapcontext (lib's switch without the signal
 *               mask; the fast one when lib/src/fastctx.c was built with
 *               KETTLE_FAST_SWITCH, as bench/run.sh does)
 *   gen         N kt_gen_send/kt_gen_yield round trips (Lab 03, no loop)
 *   scale       N tasks each sleep 1 s, main awaits them all; ONE run,
 *               printing "seconds peak-RSS-KiB saved-bytes" (issue 13; the
 *               last is the most stack bytes one suspended task kept, 0
 *               without copied stacks)
 *
 * Built at -O2 without sanitizers against the solutions (bench/run.sh). This
 * file itself is compiled without the fast-switch mapping, so `swapcontext`
 * here is always glibc's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "kettle/copystack.h"
#include "kettle/fastctx.h"
#include "kettle/kettle.h"
#include "bench_util.h"

static long N;

/* ------------------------------------------------------------ callbacks */

static long counter;

static void bump(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    counter++;
}

static double run_callbacks(void)
{
    kt_loop *loop;
    int rc = kt_loop_new(&loop, KT_CLOCK_REAL);
    if (rc < 0)
        die("kt_loop_new", rc);
    counter = 0;
    double t = now();
    for (long i = 0; i < N; i++)
        kt_call_soon(loop, bump, NULL, NULL);
    kt_loop_run_once(loop);
    t = now() - t;
    if (counter != N)
        die("callbacks: not all ran", KT_EINVALSTATE);
    kt_loop_close(loop);
    return t;
}

/* ------------------------------------------------------------ tasks */

static int return_at_once(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static int spawner(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_task **t = malloc((size_t)N * sizeof *t);
    for (long i = 0; i < N; i++) {
        int rc = kt_create_task(loop, return_at_once, NULL, &t[i]);
        if (rc < 0)
            die("kt_create_task", rc);
    }
    for (long i = 0; i < N; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    free(t);
    return 0;
}

static double run_in_loop(kt_coro_fn fn, void *arg)
{
    kt_run_options opts = {KT_CLOCK_REAL, NULL, NULL};
    double t = now();
    int rc = kt_run(fn, arg, NULL, &opts);
    t = now() - t;
    if (rc < 0)
        die("kt_run", rc);
    return t;
}

/* ------------------------------------------------------------ switches */

/* Two players, each waiting on its own future (its "ball"); a player who
 * gets the ball makes itself a fresh one and completes the other's. Every
 * hand-off is two switches: the thrower parks, the catcher resumes. */
typedef struct court {
    kt_future *ball[2];
    long count;
} court;

typedef struct side {
    court *c;
    int me;
} side;

static char GO, STOP;

static int player(void *arg, void **result)
{
    (void)result;
    side *s = arg;
    court *c = s->c;
    int me = s->me;
    kt_loop *loop = kt_get_running_loop();
    for (;;) {
        void *v = NULL;
        kt_await(c->ball[me], &v);
        kt_future_release(c->ball[me]);
        c->ball[me] = NULL;
        if (v == &STOP)
            return 0;
        if (++c->count >= N) {
            kt_future_set_result(c->ball[!me], &STOP);
            return 0;
        }
        kt_future_new(loop, &c->ball[me]);
        kt_future_set_result(c->ball[!me], &GO);
    }
}

static int match(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    court c = {{NULL, NULL}, 0};
    side a = {&c, 0}, b = {&c, 1};
    kt_future_new(loop, &c.ball[0]);
    kt_future_new(loop, &c.ball[1]);
    kt_task *ta, *tb;
    kt_create_task(loop, player, &a, &ta);
    kt_create_task(loop, player, &b, &tb);
    kt_future_set_result(c.ball[0], &GO); /* serve */
    kt_await_task(ta, NULL);
    kt_await_task(tb, NULL);
    kt_task_release(ta);
    kt_task_release(tb);
    return 0;
}

/* ------------------------------------------------------------ timers */

static unsigned seed;

static double next_delay(void)
{
    seed = seed * 1103515245u + 12345u;
    return (double)((seed >> 8) % 1000) * 1e-6; /* [0, 1 ms) in 1 us steps */
}

static int sleepy(void *arg, void **result)
{
    (void)result;
    double *d = arg;
    return kt_sleep(*d);
}

static int timers_main(void *arg, void **result)
{
    (void)result;
    double *delays = arg;
    kt_loop *loop = kt_get_running_loop();
    kt_task **t = malloc((size_t)N * sizeof *t);
    for (long i = 0; i < N; i++)
        kt_create_task(loop, sleepy, &delays[i], &t[i]);
    for (long i = 0; i < N; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    free(t);
    return 0;
}

static double run_timers(void)
{
    double *delays = malloc((size_t)N * sizeof *delays);
    seed = 12345;
    for (long i = 0; i < N; i++)
        delays[i] = next_delay();
    double t = run_in_loop(timers_main, delays);
    free(delays);
    return t;
}

/* ------------------------------------------------------------ scale */

/* The issue-13 program: N tasks each sleep one second, main awaits them all.
 * Run once per process (peak RSS is the process's), printing the time and
 * the peak resident set. */
static double one_second = 1.0;

static int scale_main(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_task **t = malloc((size_t)N * sizeof *t);
    if (t == NULL)
        die("scale: task array", KT_ENOMEM);
    for (long i = 0; i < N; i++) {
        int rc = kt_create_task(loop, sleepy, &one_second, &t[i]);
        if (rc < 0)
            die("kt_create_task", rc);
    }
    long failed = 0;
    for (long i = 0; i < N; i++) {
        if (kt_await_task(t[i], NULL) < 0)
            failed++;
        kt_task_release(t[i]);
    }
    free(t);
    if (failed > 0) {
        fprintf(stderr, "bench_tasks: scale: %ld of %ld tasks failed\n", failed, N);
        exit(1);
    }
    return 0;
}

/* Peak resident set of this process, in KiB (VmHWM). */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib;
}

/* ------------------------------------------------------------ the floor */

static ucontext_t main_ctx, other_ctx;
static int (*swap)(ucontext_t *from, const ucontext_t *to); /* the switch measured */

static void bouncer(void)
{
    for (;;)
        swap(&other_ctx, &main_ctx);
}

static double run_swapcontext(int (*switch_fn)(ucontext_t *, const ucontext_t *))
{
    swap = switch_fn;
    static char stack[64 * 1024];
    getcontext(&other_ctx);
    other_ctx.uc_stack.ss_sp = stack;
    other_ctx.uc_stack.ss_size = sizeof stack;
    other_ctx.uc_link = NULL;
    makecontext(&other_ctx, bouncer, 0);
    double t = now();
    for (long i = 0; i < N; i++)
        swap(&main_ctx, &other_ctx); /* there and back: two switches */
    return now() - t;
}

static int echo(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (;;)
        if (kt_gen_yield(NULL, NULL) != 0)
            return 0;
}

static double run_gen(void)
{
    kt_gen *g;
    int rc = kt_gen_new(&g, echo, NULL, 0);
    if (rc < 0)
        die("kt_gen_new", rc);
    double t = now();
    for (long i = 0; i < N; i++)
        kt_gen_send(g, NULL, NULL);
    t = now() - t;
    kt_gen_free(g);
    return t;
}

static double run_one(const char *w)
{
    if (strcmp(w, "callbacks") == 0)
        return run_callbacks();
    if (strcmp(w, "tasks") == 0)
        return run_in_loop(spawner, NULL);
    if (strcmp(w, "switches") == 0)
        return run_in_loop(match, NULL);
    if (strcmp(w, "timers") == 0)
        return run_timers();
    if (strcmp(w, "swapcontext") == 0)
        return run_swapcontext(swapcontext);
    if (strcmp(w, "ktswap") == 0)
        return run_swapcontext(kt_swapcontext);
    if (strcmp(w, "gen") == 0)
        return run_gen();
    fprintf(stderr, "bench_tasks: unknown workload %s\n", w);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_tasks WORKLOAD N\n");
        return 2;
    }
    N = atol(argv[2]);
    if (strcmp(argv[1], "scale") == 0) {
        double t = run_in_loop(scale_main, NULL);
        kt_copystack_stats cs;
        kt_copystack_get_stats(&cs);
        printf("%.6f %ld %zu\n", t, peak_rss_kib(), cs.max_saved);
        return 0;
    }
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t = run_one(argv[1]);
        if (t < best)
            best = t;
    }
    printf("%.6f\n", best);
    return 0;
}
