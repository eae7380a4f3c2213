/* bench_executors.c — Lab 08's side of `make bench` (bench/run.sh).
 *
 *   bench_executors rie N        N run_in_executor round trips of a no-op, one after
 *                                the other (a pool of 1 thread): prints seconds, then
 *                                the CPU seconds of the whole process (all threads)
 *   bench_executors eventfd N    N bare round trips to a thread through two eventfds
 *                                (the floor for the line above): the same two figures
 *   bench_executors pair N       rie and eventfd alternated, 7 rounds each: prints the
 *                                medians of rie's wall and CPU seconds, of eventfd's,
 *                                and of the per-round CPU ratio rie / eventfd (the two
 *                                measured moments apart swing with the machine's load)
 *   bench_executors threadsafe N two threads make N call_soon_threadsafe calls in all
 *                                while the loop runs them: prints seconds and wake-ups
 *   bench_executors procpool N   N tiny jobs on a process pool of 2: prints seconds
 *
 * Twin: bench/bench_executors.py.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kettle/kettle.h"
#include "bench_util.h"

/* CPU time of every thread of the process: on a busy machine the wall time
 * of a round trip is mostly waiting for a CPU, the CPU time is the cost. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int noop(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static void nothing(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
}

static double bench_rie(long n)
{
    kt_loop *loop = NULL;
    kt_thread_pool *pool = NULL;
    kt_loop_new(&loop, KT_CLOCK_REAL);
    kt_thread_pool_new(1, &pool);
    double t = now();
    for (long i = 0; i < n; i++) {
        kt_future *f = NULL;
        if (kt_run_in_executor(loop, pool, noop, NULL, &f) < 0)
            abort();
        while (!kt_future_done(f))
            kt_loop_run_once(loop);
        kt_future_release(f);
    }
    t = now() - t;
    kt_thread_pool_free(pool);
    kt_call_soon(loop, nothing, NULL, NULL); /* run_once must not block: */
    kt_loop_run_once(loop);                  /* it runs the last done callbacks */
    kt_loop_close(loop);
    return t;
}

typedef struct ping {
    int to_thread, to_main;
    long n;
} ping;

static void *pong(void *arg)
{
    ping *p = arg;
    uint64_t v;
    for (long i = 0; i < p->n; i++) {
        if (read(p->to_thread, &v, sizeof v) != sizeof v || write(p->to_main, &v, sizeof v) != sizeof v)
            abort();
    }
    return NULL;
}

static double bench_eventfd(long n)
{
    ping p = {eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC), n};
    pthread_t th;
    pthread_create(&th, NULL, pong, &p);
    uint64_t one = 1, v;
    double t = now();
    for (long i = 0; i < n; i++)
        if (write(p.to_thread, &one, sizeof one) != sizeof one || read(p.to_main, &v, sizeof v) != sizeof v)
            abort();
    t = now() - t;
    pthread_join(th, NULL);
    close(p.to_thread);
    close(p.to_main);
    return t;
}

static long TARGET;
static long arrived;
static void count_call(kt_loop *loop, void *arg)
{
    (void)arg;
    if (++arrived == TARGET)
        kt_loop_stop(loop);
}

static void *caller(void *arg)
{
    for (long i = 0; i < TARGET / 2; i++)
        kt_waker_call_soon(arg, count_call, NULL);
    return NULL;
}

static double bench_threadsafe(long n, uint64_t *wakeups)
{
    kt_loop *loop = NULL;
    kt_loop_new(&loop, KT_CLOCK_REAL);
    kt_waker *w = NULL;
    kt_loop_waker(loop, &w);
    TARGET = n - n % 2;
    arrived = 0;
    pthread_t a, b;
    double t = now();
    pthread_create(&a, NULL, caller, w);
    pthread_create(&b, NULL, caller, w);
    kt_run_forever(loop);
    t = now() - t;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    *wakeups = kt_waker_wakeups(w);
    kt_waker_release(w);
    kt_loop_close(loop);
    return t;
}

static int job_square(const void *arg, size_t len, void **result, size_t *rlen)
{
    int64_t x = 0;
    memcpy(&x, arg, len < sizeof x ? len : sizeof x);
    int64_t *r = malloc(sizeof *r);
    if (r == NULL)
        return KT_ENOMEM;
    *r = x * x;
    *result = r;
    *rlen = sizeof *r;
    return 0;
}

static const kt_job JOBS[] = {{"square", job_square}};

static double bench_procpool(long n)
{
    kt_process_pool *pool = NULL;
    if (kt_process_pool_new(JOBS, 1, 2, &pool) < 0)
        abort();
    kt_cfuture **f = calloc((size_t)n, sizeof *f);
    double t = now();
    for (long i = 0; i < n; i++) {
        int64_t x = i;
        if (kt_process_pool_submit(pool, "square", &x, sizeof x, &f[i]) < 0)
            abort();
    }
    for (long i = 0; i < n; i++) {
        if (kt_cfuture_result(f[i], -1, NULL) < 0)
            abort();
        kt_cfuture_release(f[i]);
    }
    t = now() - t;
    free(f);
    kt_process_pool_free(pool);
    return t;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

/* rie and eventfd side by side: round r measures both, one right after the
 * other, so a change of load hits the pair, not just one of them. */
static void bench_pair(long n)
{
    enum { ROUNDS = 7 };
    double rw[ROUNDS], rc[ROUNDS], ew[ROUNDS], ec[ROUNDS], ratio[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double c0 = cpu_now();
        rw[r] = bench_rie(n);
        double c1 = cpu_now();
        ew[r] = bench_eventfd(n);
        double c2 = cpu_now();
        rc[r] = c1 - c0;
        ec[r] = c2 - c1;
        ratio[r] = rc[r] / ec[r];
    }
    double mr = median(ratio, ROUNDS);
    printf("%.6f %.6f %.6f %.6f %.3f\n", median(rw, ROUNDS), median(rc, ROUNDS), median(ew, ROUNDS),
           median(ec, ROUNDS), mr);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s rie|eventfd|pair|threadsafe|procpool N\n", argv[0]);
        return 2;
    }
    long n = atol(argv[2]);
    if (strcmp(argv[1], "pair") == 0) {
        bench_pair(n);
        return 0;
    }
    double best = 1e30, best_cpu = 1e30;
    uint64_t wakeups = 0;
    for (int run = 0; run < 3; run++) {
        double t, c0 = cpu_now();
        if (strcmp(argv[1], "rie") == 0)
            t = bench_rie(n);
        else if (strcmp(argv[1], "eventfd") == 0)
            t = bench_eventfd(n);
        else if (strcmp(argv[1], "threadsafe") == 0)
            t = bench_threadsafe(n, &wakeups);
        else if (strcmp(argv[1], "procpool") == 0)
            t = bench_procpool(n);
        else
            return 2;
        double c = cpu_now() - c0;
        if (t < best)
            best = t;
        if (c < best_cpu)
            best_cpu = c;
    }
    if (strcmp(argv[1], "threadsafe") == 0)
        printf("%.6f %llu\n", best, (unsigned long long)wakeups);
    else if (strcmp(argv[1], "rie") == 0 || strcmp(argv[1], "eventfd") == 0)
        printf("%.6f %.6f\n", best, best_cpu);
    else
        printf("%.6f\n", best);
    return 0;
}
