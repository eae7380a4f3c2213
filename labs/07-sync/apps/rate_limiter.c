/* rate_limiter.c — eight downloads, at most three at a time: a semaphore
 * of three permits in front of the work.
 *
 *     make run LAB=07 APP=rate_limiter                 virtual clock (instant)
 *     make run LAB=07 APP=rate_limiter ARGS=--real     the real clock (about 4 s)
 *
 * Each line shows how many jobs hold a permit; it never goes above 3, and
 * a job starts the moment another one gives its permit back. The Python
 * twin:
 *
 *     async def job(i, sem, seconds):
 *         async with sem:                       # at most 3 inside
 *             await asyncio.sleep(seconds)
 *     async def main():
 *         sem = asyncio.Semaphore(3)
 *         await asyncio.gather(*(job(i, sem, s) for i, s in enumerate(DURATIONS)))
 */
#include <stdio.h>
#include <string.h>

#include "kettle/kettle.h"

/* [book:example] */
enum { JOBS = 8, LIMIT = 3 };
static const double DURATIONS[JOBS] = {1.0, 0.5, 1.5, 1.0, 0.5, 1.0, 0.5, 1.0};

typedef struct job {
    int id;
    kt_semaphore *sem;
} job;

static double t0;
static int inside, most;

static int job_body(void *arg, void **result)
{
    (void)result;
    job *j = arg;
    kt_loop *loop = kt_get_running_loop();
    int rc = kt_semaphore_acquire(j->sem); /* async with sem: */
    if (rc < 0)
        return rc;
    inside++;
    if (inside > most)
        most = inside;
    printf("t=%.1f  job %d starts  [%.*s%*s] %d running\n", kt_loop_time(loop) - t0, j->id, inside,
           "###", LIMIT - inside, "", inside);
    rc = kt_sleep(DURATIONS[j->id]); /* the download */
    inside--;
    printf("t=%.1f  job %d done\n", kt_loop_time(loop) - t0, j->id);
    kt_semaphore_release(j->sem);
    return rc;
}

static int main_body(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    t0 = kt_loop_time(loop);
    kt_semaphore *sem = NULL;
    int rc = kt_bounded_semaphore_new(loop, LIMIT, &sem); /* asyncio.BoundedSemaphore(3) */
    if (rc < 0)
        return rc;
    job jobs[JOBS];
    kt_task *t[JOBS];
    for (int i = 0; i < JOBS; i++) {
        jobs[i] = (job){i, sem};
        kt_create_task(loop, job_body, &jobs[i], &t[i]);
    }
    for (int i = 0; i < JOBS; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    printf("t=%.1f  all %d jobs done; at most %d ran at once (limit %d)\n", kt_loop_time(loop) - t0, JOBS,
           most, LIMIT);
    kt_semaphore_free(sem);
    return 0;
}
/* [/book:example] */

int main(int argc, char **argv)
{
    kt_run_options opts = {KT_CLOCK_VIRTUAL, NULL, NULL};
    if (argc > 1 && strcmp(argv[1], "--real") == 0)
        opts.clock = KT_CLOCK_REAL;
    int rc = kt_run(main_body, NULL, NULL, &opts);
    if (rc < 0) {
        fprintf(stderr, "rate_limiter: %s\n", kt_strerror(rc));
        return 1;
    }
    return 0;
}
