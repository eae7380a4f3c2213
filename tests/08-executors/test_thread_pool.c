/* test_thread_pool.c — Lab 08: concurrent futures and the thread pool
 * (book §8.3, §8.6). */
#define _GNU_SOURCE
#include "exec_test.h"

/* ------------------------------------------------------------ concurrent futures */

static void cfuture_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_cfuture *f = NULL;
    KT_CHECK_ERR(kt_cfuture_new(NULL), KT_EINVAL, "kt_cfuture_new(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_cancel(NULL), KT_EINVAL, "kt_cfuture_cancel(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_result(NULL, NULL), KT_EINVAL, "kt_cfuture_set_result(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_error(NULL, E_VALUE), KT_EINVAL, "kt_cfuture_set_error(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(NULL, -1, NULL), KT_EINVAL, "kt_cfuture_result(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_running_or_notify_cancel(NULL), KT_EINVAL,
                 "kt_cfuture_set_running_or_notify_cancel(NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK(!kt_cfuture_done(NULL) && !kt_cfuture_cancelled(NULL) && !kt_cfuture_running(NULL),
             "the state questions answer false for NULL (book §8.3)");
    KT_CHECK_OK(kt_cfuture_new(&f), "kt_cfuture_new must succeed (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_add_done_callback(f, NULL, NULL), KT_EINVAL,
                 "kt_cfuture_add_done_callback with a NULL fn is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_error(f, 0), KT_EINVAL, "an error must be negative (book §8.3)");
    KT_CHECK(!kt_cfuture_done(f), "a rejected set_error leaves the future pending (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(f, NAN, NULL), KT_EINVAL, "a NaN timeout is KT_EINVAL (book §8.3)");
    KT_CHECK_OK(kt_cfuture_set_error(f, E_VALUE), "a negative error is accepted (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(f, 0, NULL), E_VALUE, "result() returns the error set (book §8.3)");
    kt_cfuture_release(f);
    kt_cfuture_release(NULL);
}

static void cb_log(kt_cfuture *f, void *arg)
{
    safe_log("%s:%s", (const char *)arg, kt_cfuture_cancelled(f) ? "cancelled" : "done");
}

static void cfuture_states_follow_concurrent_futures(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    kt_cfuture *f = NULL;
    KT_CHECK_OK(kt_cfuture_new(&f), "kt_cfuture_new must succeed (book §8.3)");
    KT_CHECK_OK(kt_cfuture_add_done_callback(f, cb_log, "a"), "adding a callback must succeed (book §8.3)");
    KT_CHECK_INT(kt_cfuture_set_running_or_notify_cancel(f), 1, "a pending future becomes running: 1 (book §8.3)");
    KT_CHECK(kt_cfuture_running(f), "after set_running the future is running (book §8.3)");
    KT_CHECK_INT(kt_cfuture_cancel(f), 0, "a running future cannot be cancelled: cancel() is 0 (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_running_or_notify_cancel(f), KT_EINVALSTATE,
                 "set_running twice is KT_EINVALSTATE (book §8.3)");
    KT_CHECK_STR(SAFE.buf, "", "no callback runs before the future is done (book §8.3)");
    KT_CHECK_OK(kt_cfuture_set_result(f, "v"), "set_result on a running future must succeed (book §8.3)");
    KT_CHECK_STR(SAFE.buf, "a:done", "done callbacks run in the thread that completes the future, before "
                 "set_result returns (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_result(f, "w"), KT_EINVALSTATE, "a future completes once (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_error(f, E_VALUE), KT_EINVALSTATE, "a future completes once (book §8.3)");
    KT_CHECK_INT(kt_cfuture_cancel(f), 0, "a finished future cannot be cancelled (book §8.3)");
    void *v = NULL;
    KT_CHECK_OK(kt_cfuture_result(f, 0, &v), "result() of a finished future is 0 (book §8.3)");
    KT_CHECK_STR((const char *)v, "v", "result() hands back the value (book §8.3)");
    KT_CHECK_OK(kt_cfuture_add_done_callback(f, cb_log, "b"), "adding a callback must succeed (book §8.3)");
    KT_CHECK_STR(SAFE.buf, "a:done b:done", "a callback added to a done future runs at once (book §8.3)");
    kt_cfuture_release(f);

    KT_CHECK_OK(kt_cfuture_new(&f), "kt_cfuture_new must succeed (book §8.3)");
    KT_CHECK_OK(kt_cfuture_add_done_callback(f, cb_log, "c"), "adding a callback must succeed (book §8.3)");
    KT_CHECK_INT(kt_cfuture_cancel(f), 1, "a pending future can be cancelled: 1 (book §8.3)");
    KT_CHECK_INT(kt_cfuture_cancel(f), 1, "cancelling a cancelled future is still 1, as in CPython (book §8.3)");
    KT_CHECK_INT(kt_cfuture_set_running_or_notify_cancel(f), 0,
                 "set_running on a cancelled future is 0: the work must not run (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(f, -1, NULL), KT_ECANCELLED, "result() of a cancelled future (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_set_result(f, NULL), KT_EINVALSTATE, "a cancelled future stays cancelled (book §8.3)");
    KT_CHECK_STR(SAFE.buf, "a:done b:done c:cancelled", "cancelling runs the done callbacks (book §8.3)");
    kt_cfuture_release(f);
}

/* ------------------------------------------------------------ the pool's arguments */

static void pool_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_thread_pool *pool = (kt_thread_pool *)&pool;
    KT_CHECK_ERR(kt_thread_pool_new(0, &pool), KT_EINVAL,
                 "a pool of zero workers is KT_EINVAL (CPython: max_workers must be greater than 0) (book §8.3)");
    KT_CHECK(pool == NULL, "kt_thread_pool_new sets *out to NULL on an error (book §8.3)");
    KT_CHECK_ERR(kt_thread_pool_new(1, NULL), KT_EINVAL, "kt_thread_pool_new(n, NULL) is KT_EINVAL (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new(1) must succeed (book §8.3)");
    kt_cfuture *f = (kt_cfuture *)&f;
    KT_CHECK_ERR(kt_thread_pool_submit(NULL, work_echo, NULL, &f), KT_EINVAL, "submit to NULL is KT_EINVAL (book §8.3)");
    KT_CHECK(f == NULL, "submit sets *out to NULL on an error (book §8.3)");
    KT_CHECK_ERR(kt_thread_pool_submit(pool, NULL, NULL, &f), KT_EINVAL,
                 "submit with a NULL function is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_thread_pool_submit(pool, work_echo, NULL, NULL), KT_EINVAL,
                 "submit with a NULL out is KT_EINVAL (book §8.3)");
    KT_CHECK_ERR(kt_thread_pool_shutdown(NULL, true, false), KT_EINVAL, "shutdown(NULL) is KT_EINVAL (book §8.6)");
    KT_CHECK_INT(kt_thread_pool_threads(pool), 0, "no thread starts before the first submit (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_echo, NULL, &f),
                "after the refused calls a valid submit succeeds (book §8.3)");
    WAIT_OK(f, NULL);
    kt_cfuture_release(f);
    kt_thread_pool_free(pool);
    kt_thread_pool_free(NULL);
}

/* ------------------------------------------------------------ results */

static void submit_returns_result_or_error(void **state)
{
    (void)state;
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(2, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *ok = NULL, *bad = NULL;
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_echo, "value", &ok), "submit must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_fail, NULL, &bad), "submit must succeed (book §8.3)");
    void *v = NULL;
    KT_CHECK_OK(kt_cfuture_result(ok, -1, &v), "the job's future holds its result (book §8.3)");
    KT_CHECK_STR((const char *)v, "value", "result() is what the work function stored (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(bad, -1, NULL), E_VALUE,
                 "a work function's error becomes its future's error (book §8.3; asyncio case 115)");
    kt_cfuture_release(ok);
    kt_cfuture_release(bad);
    kt_thread_pool_free(pool);
}

/* asyncio case 149: one worker runs jobs one at a time, in submission order. */
static int work_logged(void *arg, void **result)
{
    safe_log("%s-start", (const char *)arg);
    safe_log("%s-end", (const char *)arg);
    *result = arg;
    return 0;
}

static int work_gate_then_log(void *arg, void **result)
{
    int rc = kt_cfuture_result((kt_cfuture *)arg, -1, NULL);
    safe_log("j1-start");
    safe_log("j1-end");
    *result = "j1";
    return rc;
}

static void single_worker_runs_jobs_fifo(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *f[3] = {NULL};
    NEW_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_gate_then_log, gate, &f[0]), "submit must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_logged, "j2", &f[1]), "submit must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_logged, "j3", &f[2]), "submit must succeed (book §8.3)");
    OPEN_GATE(gate);
    for (int i = 0; i < 3; i++)
        WAIT_OK(f[i], NULL);
    KT_CHECK_STR(SAFE.buf, "j1-start j1-end j2-start j2-end j3-start j3-end",
                 "with one worker the queue is FIFO: each job starts after the previous one ended "
                 "(book §8.3; asyncio case 149)");
    KT_CHECK_INT(kt_thread_pool_threads(pool), 1, "a pool of one worker starts one thread (book §8.3)");
    for (int i = 0; i < 3; i++)
        kt_cfuture_release(f[i]);
    kt_cfuture_release(gate);
    kt_thread_pool_free(pool);
}

/* asyncio case 153: a timeout on result() raises in the caller and cancels nothing. */
static void result_timeout_cancels_nothing(void **state)
{
    (void)state;
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *f = NULL;
    NEW_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_wait_gate, gate, &f), "submit must succeed (book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(f, 0.02, NULL), KT_ETIMEDOUT,
                 "result(timeout) of a job still waiting is KT_ETIMEDOUT (book §8.3; asyncio case 153)");
    KT_CHECK_ERR(kt_cfuture_result(f, 0, NULL), KT_ETIMEDOUT, "result(0) only looks (book §8.3)");
    KT_CHECK(!kt_cfuture_done(f) && !kt_cfuture_cancelled(f),
             "a timeout leaves the future pending: it cancels nothing (book §8.3; asyncio case 153)");
    OPEN_GATE(gate);
    void *v = NULL;
    KT_CHECK_OK(kt_cfuture_result(f, -1, &v), "after the gate opens, result() returns the value (book §8.3)");
    KT_CHECK_STR((const char *)v, "gate passed", "the job ran to its end (book §8.3)");
    kt_cfuture_release(f);
    kt_cfuture_release(gate);
    kt_thread_pool_free(pool);
}

static atomic_int RAN;
static int work_count(void *arg, void **result)
{
    (void)arg;
    (void)result;
    atomic_fetch_add(&RAN, 1);
    return 0;
}

static void cancelled_queued_item_never_runs(void **state)
{
    (void)state;
    atomic_store(&RAN, 0);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *busy = NULL, *queued = NULL;
    NEW_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_wait_gate, gate, &busy), "submit must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_count, NULL, &queued), "submit must succeed (book §8.3)");
    KT_CHECK_INT(kt_cfuture_cancel(queued), 1, "an item still in the queue can be cancelled (book §8.3)");
    OPEN_GATE(gate);
    WAIT_OK(busy, NULL);
    kt_thread_pool_free(pool);
    KT_CHECK_INT(atomic_load(&RAN), 0,
                 "a worker skips an item whose future was cancelled: set_running_or_notify_cancel said 0 "
                 "(book §8.3)");
    KT_CHECK_ERR(kt_cfuture_result(queued, 0, NULL), KT_ECANCELLED, "the item's future stays cancelled (book §8.3)");
    kt_cfuture_release(busy);
    kt_cfuture_release(queued);
    kt_cfuture_release(gate);
}

/* ------------------------------------------------------------ lazy threads */

static void threads_start_lazily(void **state)
{
    (void)state;
    int threads_before = thread_count();
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(4, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    KT_CHECK_INT(thread_count(), threads_before, "a new pool starts no thread (book §8.3)");
    kt_cfuture *gate = NULL, *f = NULL;
    NEW_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_wait_gate, gate, &f), "submit must succeed (book §8.3)");
    KT_CHECK_INT(thread_count(), threads_before + 1,
                 "one submit to an idle pool of 4 starts one thread, not 4 (book §8.3: CPython's "
                 "_adjust_thread_count)");
    OPEN_GATE(gate);
    WAIT_OK(f, NULL);
    kt_cfuture_release(f);
    kt_cfuture_release(gate);
    kt_thread_pool_free(pool);
}

/* ------------------------------------------------------------ shutdown */

static void submit_after_shutdown_is_eshutdown(void **state)
{
    (void)state;
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(2, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_shutdown(pool, true, false), "shutdown must succeed (book §8.6)");
    kt_cfuture *f = (kt_cfuture *)&f;
    KT_CHECK_ERR(kt_thread_pool_submit(pool, work_echo, NULL, &f), KT_ESHUTDOWN,
                 "submit after shutdown is KT_ESHUTDOWN: cannot schedule new futures after shutdown (book §8.6)");
    KT_CHECK(f == NULL, "a refused submit sets *out to NULL (book §8.6)");
    KT_CHECK_OK(kt_thread_pool_shutdown(pool, true, false), "a second shutdown is harmless (book §8.6)");
    kt_thread_pool_free(pool);
}

static void shutdown_wait_runs_queue_and_joins_every_thread(void **state)
{
    (void)state;
    atomic_store(&RAN, 0);
    int threads_before = thread_count();
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(3, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *f[6] = {NULL};
    NEW_GATE(gate);
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(kt_thread_pool_submit(pool, work_wait_gate, gate, &f[i]), "submit must succeed (book §8.3)");
    for (int i = 3; i < 6; i++)
        KT_CHECK_OK(kt_thread_pool_submit(pool, work_count, NULL, &f[i]), "submit must succeed (book §8.3)");
    KT_CHECK_INT(thread_count(), threads_before + 3, "three busy workers are three threads (book §8.3)");
    OPEN_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_shutdown(pool, true, false), "shutdown(wait) must succeed (book §8.6)");
    KT_CHECK_INT(atomic_load(&RAN), 3, "shutdown(wait, no cancel) runs every queued item first (book §8.6)");
    for (int i = 0; i < 6; i++)
        KT_CHECK(kt_cfuture_done(f[i]) && !kt_cfuture_cancelled(f[i]), "job %d finished before shutdown "
                 "returned (book §8.6)", i);
    KT_CHECK_INT(thread_count(), threads_before,
                 "no thread outlives shutdown(wait): every worker has been joined (book §8.6)");
    KT_CHECK_INT(kt_thread_pool_threads(pool), 0, "the pool counts no thread after shutdown(wait) (book §8.6)");
    for (int i = 0; i < 6; i++)
        kt_cfuture_release(f[i]);
    kt_cfuture_release(gate);
    kt_thread_pool_free(pool);
}

static void shutdown_cancel_futures_cancels_the_queue_only(void **state)
{
    (void)state;
    atomic_store(&RAN, 0);
    int threads_before = thread_count();
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *started = NULL, *busy = NULL, *q[3] = {NULL};
    NEW_GATE(gate);
    NEW_GATE(started);
    two_gates g = {started, gate};
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_start_then_wait, &g, &busy), "submit must succeed (book §8.3)");
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(kt_thread_pool_submit(pool, work_count, NULL, &q[i]), "submit must succeed (book §8.3)");
    WAIT_OK(started, NULL); /* the worker holds the first item: it is running */
    KT_CHECK_OK(kt_thread_pool_shutdown(pool, false, true), "shutdown(no wait, cancel_futures) must succeed");
    for (int i = 0; i < 3; i++)
        KT_CHECK(kt_cfuture_cancelled(q[i]), "queued item %d is cancelled by cancel_futures, before shutdown "
                 "returns (book §8.6)", i);
    KT_CHECK(!kt_cfuture_done(busy), "the running item is not cancelled and not waited for (wait=false) (book §8.6)");
    OPEN_GATE(gate);
    KT_CHECK_OK(kt_cfuture_result(busy, -1, NULL), "the running item runs to its end (book §8.6)");
    kt_thread_pool_free(pool);
    KT_CHECK_INT(atomic_load(&RAN), 0, "no cancelled item ran (book §8.6)");
    KT_CHECK_INT(thread_count(), threads_before, "kt_thread_pool_free joins every thread (book §8.6)");
    for (int i = 0; i < 3; i++)
        kt_cfuture_release(q[i]);
    kt_cfuture_release(busy);
    kt_cfuture_release(gate);
    kt_cfuture_release(started);
}

static void pool_survives_two_life_cycles(void **state)
{
    (void)state;
    int threads_before = thread_count();
    for (int round = 0; round < 2; round++) {
        kt_thread_pool *pool = NULL;
        KT_CHECK_OK(kt_thread_pool_new(2, &pool), "round %d: kt_thread_pool_new must succeed (book §8.3)", round + 1);
        kt_cfuture *f = NULL;
        KT_CHECK_OK(kt_thread_pool_submit(pool, work_echo, "r", &f), "submit must succeed (book §8.3)");
        void *v = NULL;
        WAIT_OK(f, &v);
        KT_CHECK_STR((const char *)v, "r", "round %d: the result arrives (book §8.3)", round + 1);
        kt_cfuture_release(f);
        kt_thread_pool_free(pool);
        KT_CHECK_INT(thread_count(), threads_before, "round %d: no thread left after free (book §8.6)", round + 1);
    }
}

static const kt_test_case tests[] = {
    KT_TEST(cfuture_rejects_bad_arguments, 1, "concurrent futures reject NULL and bad codes (book §8.3)"),
    KT_TEST(cfuture_states_follow_concurrent_futures, 2,
            "pending -> running -> finished, or cancelled while pending; callbacks in the completing thread "
            "(book §8.3)"),
    KT_TEST(pool_rejects_bad_arguments, 1, "zero workers, NULL pools and functions are KT_EINVAL (book §8.3)"),
    KT_TEST(submit_returns_result_or_error, 2, "a job's result or error reaches its future (book §8.3)"),
    KT_TEST(single_worker_runs_jobs_fifo, 2, "one worker runs the queue in order (book §8.3)"),
    KT_TEST(result_timeout_cancels_nothing, 2, "result(timeout) times out without cancelling (book §8.3)"),
    KT_TEST(cancelled_queued_item_never_runs, 2, "a cancelled queued item is skipped (book §8.3)"),
    KT_TEST(threads_start_lazily, 1, "threads start lazily, one per submit that finds no idle worker (book §8.3)"),
    KT_TEST(submit_after_shutdown_is_eshutdown, 1, "submit after shutdown is KT_ESHUTDOWN (book §8.6)"),
    KT_TEST(shutdown_wait_runs_queue_and_joins_every_thread, 3,
            "shutdown(wait) runs the queue and joins every thread (book §8.6)"),
    KT_TEST(shutdown_cancel_futures_cancels_the_queue_only, 2,
            "shutdown(cancel_futures) cancels queued items, not the running one (book §8.6)"),
    KT_TEST(pool_survives_two_life_cycles, 1, "two pools back to back leak no thread (book §8.6)"),
};

KT_MAIN("Lab 08 — thread pools", tests)
