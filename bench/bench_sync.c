/* bench_sync.c — Kettle's side of Lab 07's rows in bench/run.sh.
 *
 *     bench_sync WORKLOAD N     prints the best of 3 runs, in seconds
 *
 * Workloads (bench/bench_sync.py runs the same ones on CPython asyncio):
 *   queue_pingpong  two tasks and two unbounded queues: ping puts into one
 *                   and gets from the other, pong the reverse; N round trips
 *   lock_contended  1,000 tasks share one lock; each takes it, yields once
 *                   while holding it (so every other task queues), and lets
 *                   it go, N / 1000 times: N hand-offs through the waiter FIFO.
 *                   Timed from the moment all 1,000 tasks have started (they
 *                   wait on an Event) to the last one's end, so the figure is
 *                   the hand-offs, not making 1,000 tasks and their stacks
 *                   (the `tasks` row above measures that)
 *
 * Built at -O2 without sanitizers against the solutions (bench/run.sh).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kettle/kettle.h"
#include "bench_util.h"

static long N;

/* ------------------------------------------------------------ queue ping-pong */

typedef struct pair {
    kt_queue *there, *back;
} pair;

static int ping(void *arg, void **result)
{
    (void)result;
    pair *p = arg;
    for (long i = 0; i < N; i++) {
        void *v;
        int rc = kt_queue_put(p->there, &N);
        if (rc == 0)
            rc = kt_queue_get(p->back, &v);
        if (rc < 0)
            die("ping", rc);
    }
    return 0;
}

static int pong(void *arg, void **result)
{
    (void)result;
    pair *p = arg;
    for (long i = 0; i < N; i++) {
        void *v;
        int rc = kt_queue_get(p->there, &v);
        if (rc == 0)
            rc = kt_queue_put(p->back, v);
        if (rc < 0)
            die("pong", rc);
    }
    return 0;
}

static int pingpong_main(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    pair p;
    kt_queue_new(loop, 0, &p.there);
    kt_queue_new(loop, 0, &p.back);
    kt_task *a, *b;
    kt_create_task(loop, pong, &p, &b);
    kt_create_task(loop, ping, &p, &a);
    kt_await_task(a, NULL);
    kt_await_task(b, NULL);
    kt_task_release(a);
    kt_task_release(b);
    kt_queue_free(p.there);
    kt_queue_free(p.back);
    return 0;
}

/* ------------------------------------------------------------ contended lock */

enum { CONTENDERS = 1000 };
static long handoffs;
static kt_event *go;
static double timed; /* what the workload measured itself, or 0: the whole kt_run */

static int contender(void *arg, void **result)
{
    (void)result;
    kt_lock *lock = arg;
    kt_event_wait(go);
    for (long i = 0; i < N / CONTENDERS; i++) {
        int rc = kt_lock_acquire(lock);
        if (rc < 0)
            die("acquire", rc);
        kt_sleep(0); /* hold it across a yield: everyone else queues */
        handoffs++;
        kt_lock_release(lock);
    }
    return 0;
}

static int lock_main(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_lock *lock;
    kt_lock_new(loop, &lock);
    kt_event_new(loop, &go);
    kt_task *t[CONTENDERS];
    for (int i = 0; i < CONTENDERS; i++)
        kt_create_task(loop, contender, lock, &t[i]);
    kt_sleep(0); /* every contender starts and waits on `go` */
    double t0 = now();
    kt_event_set(go);
    for (int i = 0; i < CONTENDERS; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    timed = now() - t0;
    kt_lock_free(lock);
    kt_event_free(go);
    return 0;
}

static double run_in_loop(kt_coro_fn fn)
{
    kt_run_options opts = {KT_CLOCK_REAL, NULL, NULL};
    double t = now();
    timed = 0;
    int rc = kt_run(fn, NULL, NULL, &opts);
    t = timed > 0 ? timed : now() - t;
    if (rc < 0)
        die("kt_run", rc);
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_sync WORKLOAD N\n");
        return 2;
    }
    N = atol(argv[2]);
    kt_coro_fn fn;
    if (strcmp(argv[1], "queue_pingpong") == 0)
        fn = pingpong_main;
    else if (strcmp(argv[1], "lock_contended") == 0)
        fn = lock_main;
    else {
        fprintf(stderr, "bench_sync: unknown workload %s\n", argv[1]);
        return 2;
    }
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double t = run_in_loop(fn);
        if (t < best)
            best = t;
    }
    printf("%.6f\n", best);
    return 0;
}
