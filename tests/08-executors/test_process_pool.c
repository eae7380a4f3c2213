/* test_process_pool.c — Lab 08: the process pool (book §8.5, §8.6).
 *
 * The jobs below are the registry every pool of this file gets. The crash
 * jobs put the default action back on their signal first: a sanitizer's
 * handler would otherwise turn the crash into a report and an exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "exec_test.h"

/* 1 MiB: five times a socket's buffer (some 200 KiB), so one read cannot
 * get it all; not more, because the test also runs under ThreadSanitizer,
 * where every byte the loops below touch costs (4 MiB took over 10 s on a
 * loaded machine). */
#define BIG (1u << 20)

static int job_square(const void *arg, size_t len, void **result, size_t *rlen)
{
    if (len != sizeof(int))
        return KT_EINVAL;
    int x;
    memcpy(&x, arg, sizeof x);
    if (x < 0)
        return E_VALUE; /* asyncio case 155: the worker's exception comes back */
    int *r = malloc(sizeof *r);
    if (r == NULL)
        return KT_ENOMEM;
    *r = x * x;
    *result = r;
    *rlen = sizeof *r;
    return 0;
}

static int job_echo(const void *arg, size_t len, void **result, size_t *rlen)
{
    void *r = malloc(len ? len : 1);
    if (r == NULL)
        return KT_ENOMEM;
    if (len)
        memcpy(r, arg, len);
    *result = r;
    *rlen = len;
    return 0;
}

static int job_big(const void *arg, size_t len, void **result, size_t *rlen)
{
    (void)arg;
    (void)len;
    unsigned char *r = malloc(BIG);
    if (r == NULL)
        return KT_ENOMEM;
    for (size_t i = 0; i < BIG; i++)
        r[i] = (unsigned char)(i * 7 + 3);
    *result = r;
    *rlen = BIG;
    return 0;
}

/* The crash jobs wait at this gate until the test has queued its last job:
 * a worker that died at once could break the pool before that submit,
 * which then fails, rightly, with KT_EBROKENPOOL (CPython's submit raises
 * BrokenProcessPool too). The gate is a word of shared memory the workers
 * inherit at fork, not an fd: a worker closes every fd but its socket
 * (book §8.5), so a pipe would be gone and the job would crash at once. The
 * job sleeps on the word with a futex (timed, so a lost wake-up costs 50 ms,
 * never a hang) until the test sets it. */
static atomic_int *gate;

static void gate_new(void)
{
    void *p = mmap(NULL, sizeof *gate, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    KT_CHECK(p != MAP_FAILED, "mmap for the gate (the test's own setup)");
    gate = p;
    atomic_store(gate, 0);
}

static void gate_open(void)
{
    atomic_store(gate, 1);
    syscall(SYS_futex, gate, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void gate_free(void)
{
    munmap(gate, sizeof *gate);
    gate = NULL;
}

static void wait_at_gate(void)
{
    struct timespec step = {0, 50 * 1000 * 1000};
    while (atomic_load(gate) == 0)
        syscall(SYS_futex, gate, FUTEX_WAIT, 0, &step, NULL, 0);
}

static int job_segv(const void *arg, size_t len, void **result, size_t *rlen)
{
    (void)arg, (void)len, (void)result, (void)rlen;
    wait_at_gate();
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return 0;
}

static int job_abort(const void *arg, size_t len, void **result, size_t *rlen)
{
    (void)arg, (void)len, (void)result, (void)rlen;
    wait_at_gate();
    signal(SIGABRT, SIG_DFL);
    abort();
}

static int job_exit(const void *arg, size_t len, void **result, size_t *rlen)
{
    (void)arg, (void)len, (void)result, (void)rlen;
    wait_at_gate();
    _exit(7);
}

static int job_forever(const void *arg, size_t len, void **result, size_t *rlen)
{
    (void)arg, (void)len, (void)result, (void)rlen;
    while (pause() < 0 || 1)
        continue;
    return 0;
}

static const kt_job JOBS[] = {
    {"square", job_square}, {"echo", job_echo},   {"big", job_big},         {"segv", job_segv},
    {"abort", job_abort},   {"exit", job_exit},   {"forever", job_forever},
};
#define NJOBS (sizeof JOBS / sizeof JOBS[0])

#define NEW_POOL(pool, n)                                                              \
    KT_CHECK_OK(kt_process_pool_new(JOBS, NJOBS, (n), &(pool)),                        \
                "kt_process_pool_new must succeed (book §8.5)")

/* No worker of the pool is left, not even as a zombie. */
#define CHECK_REAPED(pids, n)                                                          \
    do {                                                                               \
        for (size_t i_ = 0; i_ < (n); i_++)                                            \
            KT_CHECK(waitpid((pids)[i_], NULL, WNOHANG) < 0 && errno == ECHILD,        \
                     "worker %d is still a child of this process: shutdown must reap "   \
                     "every worker (no zombie) (book §8.6)", (int)(pids)[i_]);           \
    } while (0)

static int submit_int(kt_process_pool *pool, const char *name, int x, kt_cfuture **out)
{
    return kt_process_pool_submit(pool, name, &x, sizeof x, out);
}

/* ------------------------------------------------------------ argument checks */

static void process_pool_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_process_pool *pool = (kt_process_pool *)&pool;
    KT_CHECK_ERR(kt_process_pool_new(NULL, 1, 1, &pool), KT_EINVAL, "a NULL registry is KT_EINVAL (book §8.5)");
    KT_CHECK(pool == NULL, "kt_process_pool_new sets *out to NULL on an error (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_new(JOBS, 0, 1, &pool), KT_EINVAL, "an empty registry is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_new(JOBS, NJOBS, 0, &pool), KT_EINVAL, "zero workers is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_new(JOBS, NJOBS, 1, NULL), KT_EINVAL, "a NULL out is KT_EINVAL (book §8.5)");
    static const kt_job holes[] = {{"square", job_square}, {"nothing", NULL}};
    KT_CHECK_ERR(kt_process_pool_new(holes, 2, 1, &pool), KT_EINVAL,
                 "a registry entry without a function is KT_EINVAL (book §8.5)");
    NEW_POOL(pool, 1);
    kt_cfuture *f = (kt_cfuture *)&f;
    KT_CHECK_ERR(kt_process_pool_submit(pool, "no-such-job", NULL, 0, &f), KT_EINVAL,
                 "a job name that is not in the registry is KT_EINVAL: C cannot send a function to another "
                 "process, only a name (book §8.5)");
    KT_CHECK(f == NULL, "a refused submit sets *out to NULL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_submit(pool, NULL, NULL, 0, &f), KT_EINVAL, "a NULL name is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_submit(pool, "echo", NULL, 5, &f), KT_EINVAL,
                 "a NULL argument with a length is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_submit(NULL, "echo", NULL, 0, &f), KT_EINVAL, "a NULL pool is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_submit(pool, "echo", NULL, 0, NULL), KT_EINVAL, "a NULL out is KT_EINVAL (book §8.5)");
    KT_CHECK_ERR(kt_process_pool_shutdown(NULL, true, false), KT_EINVAL, "shutdown(NULL) is KT_EINVAL (book §8.6)");
    KT_CHECK(!kt_process_pool_broken(NULL), "kt_process_pool_broken(NULL) is false");
    kt_process_pool_free(pool);
    kt_process_pool_free(NULL);
}

/* ------------------------------------------------------------ workers forked up front */

static void workers_are_forked_up_front_and_fds_are_cloexec(void **state)
{
    (void)state;
    fd_snap snap = fds_now();
    int before = kt_open_fd_count();
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 3);
    pid_t pids[3] = {0};
    KT_CHECK_INT(kt_process_pool_pids(pool, pids, 3), 3, "the pool has the workers asked for (book §8.5)");
    for (int i = 0; i < 3; i++)
        KT_CHECK(pids[i] > 0 && kill(pids[i], 0) == 0,
                 "worker %d exists as soon as the pool is made: workers are forked up front (book §8.5)", i);
    KT_CHECK_INT(new_fd_without(&snap, 0), -1,
                 "every fd the pool opens is O_CLOEXEC, so a program that execs does not leak the pool's "
                 "sockets into the child (book §8.5)");
    kt_process_pool_free(pool);
    CHECK_REAPED(pids, 3);
    KT_CHECK_INT(kt_open_fd_count(), before, "kt_process_pool_free closes every fd the pool opened (book §8.6)");
}

/* ------------------------------------------------------------ results */

static void job_result_and_error_come_back(void **state)
{
    (void)state;
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 2);
    kt_cfuture *ok = NULL, *bad = NULL;
    KT_CHECK_OK(submit_int(pool, "square", 7, &ok), "submit must succeed (book §8.5)");
    KT_CHECK_OK(submit_int(pool, "square", -3, &bad), "submit must succeed (book §8.5)");
    const kt_bytes *b = NULL;
    KT_CHECK_OK(kt_cfuture_result(ok, -1, (void **)&b), "the job's result arrives (book §8.5; asyncio case 155)");
    KT_CHECK(b != NULL && b->len == sizeof(int), "the result is the bytes the job returned (book §8.5)");
    int r;
    memcpy(&r, b->data, sizeof r);
    KT_CHECK_INT(r, 49, "square(7) computed in the worker is 49 (book §8.5; asyncio case 155)");
    KT_CHECK_ERR(kt_cfuture_result(bad, -1, NULL), E_VALUE,
                 "a job's error comes back as its future's error (book §8.5; asyncio case 155)");
    KT_CHECK(!kt_process_pool_broken(pool), "a job that returns an error does not break the pool (book §8.5)");
    kt_cfuture_release(ok);
    kt_cfuture_release(bad);
    kt_process_pool_free(pool);
}

static void huge_argument_and_result_arrive_whole(void **state)
{
    (void)state;
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 2);
    unsigned char *arg = malloc(BIG);
    KT_CHECK(arg != NULL, "malloc");
    for (size_t i = 0; i < BIG; i++)
        arg[i] = (unsigned char)(i * 13 + 1);
    kt_cfuture *echo = NULL, *big = NULL;
    KT_CHECK_OK(kt_process_pool_submit(pool, "echo", arg, BIG, &echo), "submit of a 1 MiB argument must succeed");
    KT_CHECK_OK(kt_process_pool_submit(pool, "big", NULL, 0, &big), "submit must succeed (book §8.5)");
    const kt_bytes *e = NULL, *b = NULL;
    KT_CHECK_OK(kt_cfuture_result(echo, -1, (void **)&e), "the echo of 1 MiB arrives (book §8.5)");
    KT_CHECK_OK(kt_cfuture_result(big, -1, (void **)&b), "a 1 MiB result arrives (book §8.5)");
    KT_CHECK_INT(e->len, BIG, "the whole argument went and came back: one read is not enough (book §8.5)");
    KT_CHECK(memcmp(e->data, arg, BIG) == 0, "the echoed bytes are the bytes sent, in order (book §8.5)");
    KT_CHECK_INT(b->len, BIG, "a result larger than the socket buffer arrives whole (book §8.5)");
    size_t bad = BIG;
    for (size_t i = 0; i < BIG && bad == BIG; i++)
        if (b->data[i] != (unsigned char)(i * 7 + 3))
            bad = i;
    KT_CHECK_INT(bad, BIG, "byte %zu of the big result is wrong: read until len bytes came (book §8.5)", bad);
    free(arg);
    kt_cfuture_release(echo);
    kt_cfuture_release(big);
    kt_process_pool_free(pool);
}

/* ------------------------------------------------------------ a dying worker breaks the pool */

static void crash_breaks_pool(const char *job)
{
    gate_new();
    int before = kt_open_fd_count();
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 2);
    pid_t pids[2];
    kt_process_pool_pids(pool, pids, 2);
    kt_cfuture *slow = NULL, *crash = NULL, *queued = NULL;
    KT_CHECK_OK(submit_int(pool, "forever", 0, &slow), "submit must succeed (book §8.5)");
    KT_CHECK_OK(submit_int(pool, job, 0, &crash), "submit must succeed (book §8.5)");
    KT_CHECK_OK(submit_int(pool, "square", 2, &queued), "submit must succeed (book §8.5)");
    gate_open();
    KT_CHECK_ERR(kt_cfuture_result(crash, -1, NULL), KT_EBROKENPOOL,
                 "the job whose worker died (%s) fails with KT_EBROKENPOOL (book §8.5: BrokenProcessPool)", job);
    KT_CHECK_ERR(kt_cfuture_result(slow, -1, NULL), KT_EBROKENPOOL,
                 "a job running in another worker fails too: the pool is broken as a whole (book §8.5)");
    KT_CHECK_ERR(kt_cfuture_result(queued, -1, NULL), KT_EBROKENPOOL,
                 "a job still queued fails too (book §8.5)");
    KT_CHECK(kt_process_pool_broken(pool), "the pool says it is broken (book §8.5)");
    kt_cfuture *late = (kt_cfuture *)&late;
    KT_CHECK_ERR(submit_int(pool, "square", 1, &late), KT_EBROKENPOOL,
                 "a submit to a broken pool is KT_EBROKENPOOL (book §8.5)");
    kt_process_pool_free(pool);
    CHECK_REAPED(pids, 2);
    KT_CHECK_INT(kt_open_fd_count(), before, "a broken pool still closes every fd (book §8.6)");
    gate_free();
    kt_cfuture_release(slow);
    kt_cfuture_release(crash);
    kt_cfuture_release(queued);
}

static void segfaulting_worker_breaks_pool(void **state)
{
    (void)state;
    crash_breaks_pool("segv");
}

static void aborting_worker_breaks_pool(void **state)
{
    (void)state;
    crash_breaks_pool("abort");
}

static void exiting_worker_breaks_pool(void **state)
{
    (void)state;
    crash_breaks_pool("exit");
}

static void worker_killed_from_outside_breaks_pool(void **state)
{
    (void)state;
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 2);
    pid_t pids[2];
    kt_process_pool_pids(pool, pids, 2);
    kt_cfuture *f[3] = {NULL};
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(submit_int(pool, "forever", 0, &f[i]), "submit must succeed (book §8.5)");
    KT_CHECK(kill(pids[1], SIGKILL) == 0, "kill");
    for (int i = 0; i < 3; i++)
        KT_CHECK_ERR(kt_cfuture_result(f[i], -1, NULL), KT_EBROKENPOOL,
                     "job %d: a worker killed from outside breaks the pool; every pending job fails with "
                     "KT_EBROKENPOOL (book §8.5)", i);
    kt_process_pool_free(pool);
    CHECK_REAPED(pids, 2);
    for (int i = 0; i < 3; i++)
        kt_cfuture_release(f[i]);
}

/* ------------------------------------------------------------ shutdown */

static void shutdown_refuses_new_jobs_and_reaps_workers(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 2);
    pid_t pids[2];
    kt_process_pool_pids(pool, pids, 2);
    kt_cfuture *f[4] = {NULL};
    for (int i = 0; i < 4; i++)
        KT_CHECK_OK(submit_int(pool, "square", i, &f[i]), "submit must succeed (book §8.5)");
    KT_CHECK_OK(kt_process_pool_shutdown(pool, true, false), "shutdown(wait) must succeed (book §8.6)");
    for (int i = 0; i < 4; i++) {
        const kt_bytes *b = NULL;
        KT_CHECK_OK(kt_cfuture_result(f[i], 0, (void **)&b),
                    "job %d finished before shutdown(wait) returned: queued jobs still run (book §8.6)", i);
        int r;
        memcpy(&r, b->data, sizeof r);
        KT_CHECK_INT(r, i * i, "job %d's result (book §8.5)", i);
    }
    CHECK_REAPED(pids, 2);
    kt_cfuture *late = (kt_cfuture *)&late;
    KT_CHECK_ERR(submit_int(pool, "square", 1, &late), KT_ESHUTDOWN,
                 "a submit after shutdown is KT_ESHUTDOWN (book §8.6)");
    KT_CHECK_OK(kt_process_pool_shutdown(pool, true, false), "a second shutdown is harmless (book §8.6)");
    kt_process_pool_free(pool);
    KT_CHECK_INT(kt_open_fd_count(), before, "no fd is left after free (book §8.6)");
    for (int i = 0; i < 4; i++)
        kt_cfuture_release(f[i]);
}

static void shutdown_cancel_futures_cancels_queued_jobs(void **state)
{
    (void)state;
    kt_process_pool *pool = NULL;
    NEW_POOL(pool, 1);
    pid_t pid;
    kt_process_pool_pids(pool, &pid, 1);
    kt_cfuture *first = NULL, *q[3] = {NULL};
    /* The one worker is busy with a job that ends only when killed. */
    KT_CHECK_OK(submit_int(pool, "forever", 0, &first), "submit must succeed (book §8.5)");
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(submit_int(pool, "square", i, &q[i]), "submit must succeed (book §8.5)");
    KT_CHECK_OK(kt_process_pool_shutdown(pool, false, true), "shutdown(no wait, cancel_futures) must succeed");
    int cancelled = 0;
    for (int i = 0; i < 3; i++)
        cancelled += kt_cfuture_cancelled(q[i]);
    KT_CHECK_INT(cancelled, 3, "cancel_futures cancels every job still queued when shutdown is called "
                 "(book §8.6)");
    /* "forever" was either still queued (then cancelled too) or running:
     * end it by killing its worker; its job then fails as BrokenProcessPool. */
    if (!kt_cfuture_cancelled(first)) {
        kill(pid, SIGKILL);
        KT_CHECK_ERR(kt_cfuture_result(first, -1, NULL), KT_EBROKENPOOL,
                     "the killed worker's job fails (book §8.5)");
    }
    kt_process_pool_free(pool);
    CHECK_REAPED(&pid, 1);
    kt_cfuture_release(first);
    for (int i = 0; i < 3; i++)
        kt_cfuture_release(q[i]);
}

static void process_pool_survives_two_life_cycles(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    for (int round = 0; round < 2; round++) {
        kt_process_pool *pool = NULL;
        NEW_POOL(pool, 2);
        pid_t pids[2];
        kt_process_pool_pids(pool, pids, 2);
        kt_cfuture *f = NULL;
        KT_CHECK_OK(submit_int(pool, "square", round + 5, &f), "submit must succeed (book §8.5)");
        const kt_bytes *b = NULL;
        KT_CHECK_OK(kt_cfuture_result(f, -1, (void **)&b), "round %d: the result arrives (book §8.5)", round + 1);
        int r;
        memcpy(&r, b->data, sizeof r);
        KT_CHECK_INT(r, (round + 5) * (round + 5), "round %d: the result (book §8.5)", round + 1);
        kt_cfuture_release(f);
        kt_process_pool_free(pool);
        CHECK_REAPED(pids, 2);
        KT_CHECK_INT(kt_open_fd_count(), before, "round %d: no fd left (book §8.6)", round + 1);
    }
}

static const kt_test_case tests[] = {
    KT_TEST(process_pool_rejects_bad_arguments, 1,
            "bad registries, zero workers, unknown job names are KT_EINVAL (book §8.5)"),
    KT_TEST(workers_are_forked_up_front_and_fds_are_cloexec, 2,
            "workers exist from the start; every fd is O_CLOEXEC; free reaps them (book §8.5)"),
    KT_TEST(job_result_and_error_come_back, 2, "a job's result bytes or error reach its future (book §8.5)"),
    KT_TEST_TIMEOUT(huge_argument_and_result_arrive_whole, 3, 30,
                    "1 MiB arguments and results arrive whole (book §8.5)"),
    KT_TEST(segfaulting_worker_breaks_pool, 2, "a worker killed by SIGSEGV breaks the pool (book §8.5)"),
    KT_TEST(aborting_worker_breaks_pool, 1, "a worker that aborts breaks the pool (book §8.5)"),
    KT_TEST(exiting_worker_breaks_pool, 1, "a worker that exits breaks the pool (book §8.5)"),
    KT_TEST(worker_killed_from_outside_breaks_pool, 2, "a worker killed from outside breaks the pool (book §8.5)"),
    KT_TEST(shutdown_refuses_new_jobs_and_reaps_workers, 2,
            "shutdown(wait) finishes the queue, reaps every worker and refuses new jobs (book §8.6)"),
    KT_TEST(shutdown_cancel_futures_cancels_queued_jobs, 1, "shutdown(cancel_futures) cancels queued jobs (book §8.6)"),
    KT_TEST(process_pool_survives_two_life_cycles, 1, "two pools back to back leak nothing (book §8.6)"),
};

KT_MAIN("Lab 08 — process pools", tests)
