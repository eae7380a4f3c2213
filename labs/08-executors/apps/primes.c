/* primes.c — Lab 08's demo: count the primes below N, five ways.
 *
 *   make run LAB=08 APP=primes [ARGS=N]      (N defaults to 2000000)
 *
 *   inline            one thread, no loop
 *   2 threads         a kt_thread_pool of 2, each half of the range
 *   2 processes       a kt_process_pool of 2, the same halves as named jobs
 *   on the loop       inline inside a loop callback while a 10 ms timer ticks:
 *                     the timer starves for as long as the count runs
 *   loop + executor   the same, with the halves sent through kt_run_in_executor
 *                     to a pool of 2: the timer keeps ticking
 *
 * Its Python twin is bench/primes.py (book §8.5 prints both tables). In C
 * the two threads really run at once; in CPython the GIL lets one thread run
 * Python code at a time, so only the processes help there.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kettle/kettle.h"

typedef struct range {
    uint64_t lo, hi; /* [lo, hi) */
} range;

static bool is_prime(uint64_t n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    for (uint64_t d = 3; d * d <= n; d += 2)
        if (n % d == 0)
            return false;
    return true;
}

static uint64_t count_range(range r)
{
    uint64_t count = 0;
    for (uint64_t n = r.lo; n < r.hi; n++)
        count += is_prime(n);
    return count;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The two halves do about the same work: the larger numbers cost more, so
 * the split point sits above N/2. */
static void halves(uint64_t n, range out[2])
{
    uint64_t mid = (uint64_t)((double)n * 0.55);
    out[0] = (range){0, mid};
    out[1] = (range){mid, n};
}

/* ---- threads ------------------------------------------------------------- */

static int work_count(void *arg, void **result)
{
    range *r = arg;
    *result = (void *)(uintptr_t)count_range(*r);
    return 0;
}

static int with_threads(uint64_t n, uint64_t *count)
{
    kt_thread_pool *pool = NULL;
    int rc = kt_thread_pool_new(2, &pool);
    if (rc < 0)
        return rc;
    range r[2];
    halves(n, r);
    kt_cfuture *f[2] = {NULL, NULL};
    *count = 0;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = kt_thread_pool_submit(pool, work_count, &r[i], &f[i]);
    for (int i = 0; i < 2; i++) {
        void *v = NULL;
        if (f[i] != NULL && kt_cfuture_result(f[i], -1, &v) == 0)
            *count += (uintptr_t)v;
        kt_cfuture_release(f[i]);
    }
    kt_thread_pool_free(pool);
    return rc;
}

/* ---- processes ----------------------------------------------------------- */

static int job_count(const void *arg, size_t len, void **result, size_t *rlen)
{
    if (len != sizeof(range))
        return KT_EINVAL;
    range r;
    memcpy(&r, arg, sizeof r);
    uint64_t *c = malloc(sizeof *c);
    if (c == NULL)
        return KT_ENOMEM;
    *c = count_range(r);
    *result = c;
    *rlen = sizeof *c;
    return 0;
}

static const kt_job JOBS[] = {{"count", job_count}};

static int with_processes(uint64_t n, uint64_t *count)
{
    kt_process_pool *pool = NULL;
    int rc = kt_process_pool_new(JOBS, 1, 2, &pool);
    if (rc < 0)
        return rc;
    range r[2];
    halves(n, r);
    kt_cfuture *f[2] = {NULL, NULL};
    *count = 0;
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = kt_process_pool_submit(pool, "count", &r[i], sizeof r[i], &f[i]);
    for (int i = 0; i < 2; i++) {
        const kt_bytes *b = NULL;
        if (f[i] != NULL && kt_cfuture_result(f[i], -1, (void **)&b) == 0 && b->len == sizeof(uint64_t)) {
            uint64_t c;
            memcpy(&c, b->data, sizeof c);
            *count += c;
        }
        kt_cfuture_release(f[i]);
    }
    kt_process_pool_free(pool);
    return rc;
}

/* ---- on the loop, with a ticking timer ----------------------------------- */

typedef struct ticker {
    double last, worst; /* when the timer last ran; the longest gap seen */
    int ticks;
    bool done;      /* the count is over */
    bool stop_loop; /* then stop the loop at the next tick */
} ticker;

static void tick(kt_loop *loop, void *arg)
{
    ticker *t = arg;
    double at = now();
    if (at - t->last > t->worst)
        t->worst = at - t->last;
    t->last = at;
    t->ticks++;
    if (t->done && t->stop_loop)
        kt_loop_stop(loop); /* this late tick measured the starvation */
    else if (!t->done)
        kt_call_later(loop, 0.010, tick, t, NULL);
}

typedef struct loop_job {
    uint64_t n, count;
    ticker *t;
} loop_job;

static void count_inline(kt_loop *loop, void *arg)
{
    loop_job *j = arg;
    (void)loop;
    j->count = count_range((range){0, j->n}); /* the loop waits for this */
    j->t->done = true;
}

static int on_loop_inline(uint64_t n, uint64_t *count, ticker *t)
{
    kt_loop *loop = NULL;
    int rc = kt_loop_new(&loop, KT_CLOCK_REAL);
    if (rc < 0)
        return rc;
    loop_job j = {n, 0, t};
    t->last = now();
    kt_call_later(loop, 0.010, tick, t, NULL);
    kt_call_later(loop, 0.025, count_inline, &j, NULL); /* after two ticks */
    rc = kt_run_forever(loop);
    *count = j.count;
    kt_loop_close(loop);
    return rc;
}

static int main_with_executor(void *arg, void **result)
{
    (void)result;
    loop_job *j = arg;
    kt_loop *loop = kt_get_running_loop();
    kt_thread_pool *pool = NULL;
    int rc = kt_thread_pool_new(2, &pool);
    if (rc < 0)
        return rc;
    j->t->last = now();
    kt_call_later(loop, 0.010, tick, j->t, NULL);
    range r[2];
    halves(j->n, r);
    kt_future *f[2] = {NULL, NULL};
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = kt_run_in_executor(loop, pool, work_count, &r[i], &f[i]);
    for (int i = 0; i < 2; i++) {
        void *v = NULL;
        if (f[i] != NULL && kt_await(f[i], &v) == 0)
            j->count += (uintptr_t)v;
        kt_future_release(f[i]);
    }
    j->t->done = true;
    kt_thread_pool_free(pool);
    return rc;
}

/* ---- the table ------------------------------------------------------------ */

static void row(const char *way, double secs, uint64_t count, const ticker *t)
{
    if (t == NULL)
        printf("%-18s %9.3f s %10llu\n", way, secs, (unsigned long long)count);
    else
        printf("%-18s %9.3f s %10llu   timer: %d ticks, longest gap %.0f ms\n", way, secs,
               (unsigned long long)count, t->ticks, t->worst * 1e3);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    printf("primes below %llu, counted five ways (C, %s)\n\n", (unsigned long long)n,
           "kettle Lab 08");
    printf("%-18s %11s %10s\n", "way", "time", "primes");

    double t0 = now();
    uint64_t c = count_range((range){0, n});
    row("inline", now() - t0, c, NULL);

    t0 = now();
    if (with_threads(n, &c) < 0)
        return 1;
    row("2 threads", now() - t0, c, NULL);

    t0 = now();
    if (with_processes(n, &c) < 0)
        return 1;
    row("2 processes", now() - t0, c, NULL);

    ticker t = {0, 0, 0, false, true};
    t0 = now();
    if (on_loop_inline(n, &c, &t) < 0)
        return 1;
    row("on the loop", now() - t0, c, &t);

    ticker t2 = {0, 0, 0, false, false};
    loop_job j = {n, 0, &t2};
    t0 = now();
    if (kt_run(main_with_executor, &j, NULL, NULL) < 0)
        return 1;
    row("loop + executor", now() - t0, j.count, &t2);
    return 0;
}
