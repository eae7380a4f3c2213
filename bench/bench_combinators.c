/* bench_combinators.c — Lab 06's side of its rows in bench/run.sh.
 *
 *     bench_combinators WORKLOAD N     prints the best of 3 runs, in seconds
 *
 * Workloads (bench/bench_combinators.py runs the same ones on CPython asyncio):
 *   gather      one task creates N tasks that return at once, gathers them
 *               and awaits the gather
 *   taskgroup   one task opens a TaskGroup, creates N such tasks in it and
 *               exits the group (which waits for them all)
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

static int return_at_once(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static int gather_main(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_task **t = malloc((size_t)N * sizeof *t);
    kt_future **fs = malloc((size_t)N * sizeof *fs);
    if (t == NULL || fs == NULL)
        die("malloc", KT_ENOMEM);
    for (long i = 0; i < N; i++) {
        int rc = kt_create_task(loop, return_at_once, NULL, &t[i]);
        if (rc < 0)
            die("kt_create_task", rc);
        fs[i] = kt_task_future(t[i]);
    }
    kt_future *g = NULL;
    int rc = kt_gather(loop, fs, (size_t)N, false, &g);
    if (rc < 0)
        die("kt_gather", rc);
    rc = kt_await(g, NULL);
    if (rc < 0)
        die("await gather", rc);
    kt_future_release(g);
    for (long i = 0; i < N; i++)
        kt_task_release(t[i]);
    free(t);
    free(fs);
    return 0;
}

static int taskgroup_main(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    int rc = kt_taskgroup_enter(&tg);
    if (rc < 0)
        die("kt_taskgroup_enter", rc);
    for (long i = 0; i < N && rc == 0; i++)
        rc = kt_taskgroup_create_task(tg, return_at_once, NULL, NULL);
    if (rc < 0)
        die("kt_taskgroup_create_task", rc);
    rc = kt_taskgroup_exit(tg, 0);
    if (rc < 0)
        die("kt_taskgroup_exit", rc);
    kt_taskgroup_release(tg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_combinators gather|taskgroup N\n");
        return 2;
    }
    N = atol(argv[2]);
    kt_coro_fn fn = strcmp(argv[1], "gather") == 0 ? gather_main
                    : strcmp(argv[1], "taskgroup") == 0 ? taskgroup_main : NULL;
    if (fn == NULL || N <= 0) {
        fprintf(stderr, "bench_combinators: unknown workload %s\n", argv[1]);
        return 2;
    }
    kt_run_options opts = {KT_CLOCK_REAL, NULL, NULL};
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = now();
        int rc = kt_run(fn, NULL, NULL, &opts);
        t = now() - t;
        if (rc < 0)
            die("kt_run", rc);
        if (t < best)
            best = t;
    }
    printf("%.6f\n", best);
    return 0;
}
