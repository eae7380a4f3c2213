/* test_bridge.c — Lab 08: run_in_executor, wrap_future, to_thread,
 * run_coroutine_threadsafe and the default pool (book §8.4, §8.6). */
#define _GNU_SOURCE
#include "exec_test.h"

static pthread_t LOOP_THREAD;

static int work_thread_check(void *arg, void **result)
{
    (void)arg;
    *result = pthread_equal(pthread_self(), LOOP_THREAD) ? "loop thread" : "worker thread";
    return 0;
}

static void log_on_loop(kt_future *f, void *arg)
{
    (void)f;
    safe_log("%s:%s", (const char *)arg, pthread_equal(pthread_self(), LOOP_THREAD) ? "loop" : "other");
}

static void nop(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
}

/* One loop iteration that cannot block: something is ready. What the door
 * holds is taken in the same iteration (the poller looks without waiting). */
#define SPIN(loop)                                                                   \
    do {                                                                             \
        KT_CHECK_OK(kt_call_soon((loop), nop, NULL, NULL), "kt_call_soon (Lab 01)");  \
        KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once (Lab 01)");            \
    } while (0)

/* ------------------------------------------------------------ argument checks */

static void bridge_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_future *f = (kt_future *)&f;
    KT_CHECK_ERR(kt_run_in_executor(NULL, NULL, work_echo, NULL, &f), KT_EINVAL,
                 "run_in_executor(NULL loop) is KT_EINVAL (book §8.4)");
    KT_CHECK(f == NULL, "run_in_executor sets *out to NULL on an error (book §8.4)");
    KT_CHECK_ERR(kt_run_in_executor(loop, NULL, NULL, NULL, &f), KT_EINVAL,
                 "run_in_executor with a NULL function is KT_EINVAL (book §8.4)");
    KT_CHECK_ERR(kt_run_in_executor(loop, NULL, work_echo, NULL, NULL), KT_EINVAL,
                 "run_in_executor with a NULL out is KT_EINVAL (book §8.4)");
    KT_CHECK_ERR(kt_wrap_future(loop, NULL, &f), KT_EINVAL, "wrap_future(NULL) is KT_EINVAL (book §8.4)");
    KT_CHECK_ERR(kt_to_thread(work_echo, NULL, NULL), KT_ENOTCORO,
                 "kt_to_thread outside a task is KT_ENOTCORO: there is no running loop (book §8.4)");
    kt_cfuture *cf = (kt_cfuture *)&cf;
    KT_CHECK_ERR(kt_run_coroutine_threadsafe(NULL, NULL, NULL, &cf), KT_EINVAL,
                 "run_coroutine_threadsafe(NULL) is KT_EINVAL (book §8.4)");
    KT_CHECK_ERR(kt_loop_shutdown_default_executor(NULL), KT_EINVAL,
                 "shutdown_default_executor(NULL) is KT_EINVAL (book §8.6)");
    KT_CHECK_OK(kt_run_in_executor(loop, NULL, work_echo, "fine", &f),
                "after the refused calls a valid run_in_executor succeeds (book §8.4)");
    RUN_UNTIL_DONE(loop, f);
    kt_future_release(f);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ run_in_executor */

/* asyncio case 115 */
static void run_in_executor_result_arrives_on_loop_thread(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    LOOP_THREAD = pthread_self();
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_future *ok = NULL, *bad = NULL;
    KT_CHECK_OK(kt_run_in_executor(loop, NULL, work_thread_check, NULL, &ok),
                "run_in_executor on the default pool must succeed (book §8.4)");
    KT_CHECK_OK(kt_future_add_done_callback(ok, log_on_loop, "ok"), "add_done_callback (Lab 04)");
    KT_CHECK_OK(kt_run_in_executor(loop, NULL, work_fail, NULL, &bad), "run_in_executor must succeed (book §8.4)");
    RUN_UNTIL_DONE(loop, ok);
    RUN_UNTIL_DONE(loop, bad);
    SPIN(loop); /* the done callbacks */
    void *v = NULL;
    KT_CHECK_OK(kt_future_result(ok, &v), "the loop future holds the work's result (book §8.4; asyncio case 115)");
    KT_CHECK_STR((const char *)v, "worker thread", "the work ran on a worker thread, not the loop's (book §8.4)");
    KT_CHECK_ERR(kt_future_result(bad, NULL), E_VALUE,
                 "the work's error is the loop future's error (book §8.4; asyncio case 115)");
    KT_CHECK_STR(SAFE.buf, "ok:loop", "the loop future completes on the loop's thread: its done callbacks run "
                 "there (book §8.4)");
    kt_future_release(ok);
    kt_future_release(bad);
    CLOSE_LOOP(loop);
}

static void run_in_executor_uses_the_given_pool(void **state)
{
    (void)state;
    int threads_before = thread_count();
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_future *f = NULL;
    KT_CHECK_OK(kt_run_in_executor(loop, pool, work_echo, "mine", &f), "run_in_executor must succeed (book §8.4)");
    KT_CHECK_INT(kt_thread_pool_threads(pool), 1, "the work went to the pool given (book §8.4)");
    KT_CHECK_INT(thread_count(), threads_before + 1, "no default pool was started for it (book §8.4)");
    RUN_UNTIL_DONE(loop, f);
    void *v = NULL;
    KT_CHECK_OK(kt_future_result(f, &v), "the result arrives (book §8.4)");
    KT_CHECK_STR((const char *)v, "mine", "the result arrives (book §8.4)");
    kt_future_release(f);
    kt_thread_pool_free(pool);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelling the loop side */

static atomic_int RAN;
static int work_count(void *arg, void **result)
{
    (void)arg;
    (void)result;
    atomic_fetch_add(&RAN, 1);
    return 0;
}

/* asyncio case 121 */
static void cancel_loop_future_cancels_unstarted_work(void **state)
{
    (void)state;
    atomic_store(&RAN, 0);
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *busy = NULL, *queued = NULL;
    NEW_GATE(gate);
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_wait_gate, gate, &busy), "submit must succeed (book §8.3)");
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_count, NULL, &queued), "submit must succeed (book §8.3)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, queued, &af), "wrap_future must succeed (book §8.4)");
    KT_CHECK_INT(kt_future_cancel(af, NULL), 1, "cancelling the loop future succeeds (book §8.4)");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must work");
    KT_CHECK(kt_cfuture_cancelled(queued), "cancelling the loop future cancels the concurrent future of work "
             "that has not started (book §8.4; asyncio case 121)");
    OPEN_GATE(gate);
    kt_thread_pool_free(pool);
    KT_CHECK_INT(atomic_load(&RAN), 0, "the cancelled work never ran (book §8.4; asyncio case 121)");
    kt_future_release(af);
    kt_cfuture_release(busy);
    kt_cfuture_release(queued);
    kt_cfuture_release(gate);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

/* asyncio case 157 */
static void cancel_loop_future_of_started_work_drops_result(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *started = NULL, *cf = NULL;
    NEW_GATE(gate);
    NEW_GATE(started);
    two_gates g = {started, gate};
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_start_then_wait, &g, &cf), "submit must succeed (book §8.3)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, cf, &af), "wrap_future must succeed (book §8.4)");
    WAIT_OK(started, NULL);
    KT_CHECK_INT(kt_future_cancel(af, NULL), 1, "cancelling the loop future succeeds (book §8.4; case 157)");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must work");
    KT_CHECK(!kt_cfuture_cancelled(cf) && kt_cfuture_running(cf),
             "started work cannot be cancelled: the concurrent future keeps running (book §8.4; asyncio case 157)");
    OPEN_GATE(gate);
    kt_thread_pool_shutdown(pool, true, false); /* the result has been sent to the loop */
    void *v = NULL;
    KT_CHECK_OK(kt_cfuture_result(cf, -1, &v), "the work ran to its end (book §8.4; asyncio case 157)");
    SPIN(loop);
    SPIN(loop);
    KT_CHECK(kt_future_cancelled(af), "the loop future stays cancelled: the late result is dropped "
             "(book §8.4; asyncio case 157)");
    kt_future_release(af);
    kt_cfuture_release(cf);
    kt_cfuture_release(gate);
    kt_cfuture_release(started);
    kt_thread_pool_free(pool);
    CLOSE_LOOP(loop);
}

/* The loop may close while work it gave up on is still running: the late
 * result finds the door closed (KT_ECLOSED) and is dropped, leaking
 * nothing (LeakSanitizer checks). */
static void loop_closes_while_abandoned_work_runs(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_thread_pool *pool = NULL;
    KT_CHECK_OK(kt_thread_pool_new(1, &pool), "kt_thread_pool_new must succeed (book §8.3)");
    kt_cfuture *gate = NULL, *started = NULL, *cf = NULL;
    NEW_GATE(gate);
    NEW_GATE(started);
    two_gates g = {started, gate};
    KT_CHECK_OK(kt_thread_pool_submit(pool, work_start_then_wait, &g, &cf), "submit must succeed (book §8.3)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, cf, &af), "wrap_future must succeed (book §8.4)");
    WAIT_OK(started, NULL);
    kt_future_cancel(af, NULL);
    kt_future_release(af);
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must work");
    KT_CHECK_OK(kt_loop_close(loop), "a cancelled and released loop future lets the loop close even though its "
                "work still runs (book §8.6)");
    OPEN_GATE(gate);
    kt_thread_pool_free(pool); /* the worker posts to a closed door: KT_ECLOSED, dropped */
    KT_CHECK_OK(kt_cfuture_result(cf, 0, NULL), "the work ran to its end (book §8.4)");
    KT_CHECK_INT(kt_open_fd_count(), before, "once the late result was dropped, the door's last reference is "
                 "gone and its fds are closed (book §8.6)");
    kt_cfuture_release(cf);
    kt_cfuture_release(gate);
    kt_cfuture_release(started);
}

static void wrap_future_of_done_future_completes(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_cfuture *cf = NULL;
    KT_CHECK_OK(kt_cfuture_new(&cf), "kt_cfuture_new must succeed (book §8.3)");
    KT_CHECK_OK(kt_cfuture_set_result(cf, "early"), "set_result must succeed (book §8.3)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, cf, &af), "wrap_future must succeed (book §8.4)");
    kt_cfuture_release(cf);
    KT_CHECK(!kt_future_done(af), "even a done concurrent future reaches the loop future through the door, on "
             "the loop's next iteration (book §8.4)");
    RUN_UNTIL_DONE(loop, af);
    void *v = NULL;
    KT_CHECK_OK(kt_future_result(af, &v), "the loop future has the result (book §8.4)");
    KT_CHECK_STR((const char *)v, "early", "the loop future has the result (book §8.4)");
    kt_future_release(af);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

static void *complete_from_thread(void *arg)
{
    kt_cfuture_set_result(arg, "from a thread");
    return NULL;
}

/* Deterministic twin of run_in_executor_result_arrives_on_loop_thread: the
 * other thread has finished (joined) before the loop runs at all, so a
 * chain that completes the loop future in that thread is seen at once. */
static void wrap_future_completed_by_thread_waits_for_loop(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_cfuture *cf = NULL;
    KT_CHECK_OK(kt_cfuture_new(&cf), "kt_cfuture_new must succeed (book §8.3)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, cf, &af), "wrap_future must succeed (book §8.4)");
    pthread_t t;
    KT_CHECK(pthread_create(&t, NULL, complete_from_thread, cf) == 0, "pthread_create");
    pthread_join(t, NULL);
    kt_cfuture_release(cf);
    KT_CHECK(!kt_future_done(af), "a concurrent future completed by another thread reaches the loop future only "
             "through the door, when the loop runs: that thread must not touch it (book §8.4)");
    RUN_UNTIL_DONE(loop, af);
    void *v = NULL;
    KT_CHECK_OK(kt_future_result(af, &v), "the loop future has the result (book §8.4)");
    KT_CHECK_STR((const char *)v, "from a thread", "the loop future has the result (book §8.4)");
    kt_future_release(af);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ the default pool and kt_run */

static int slow_job(void *arg, void **result)
{
    (void)result;
    two_gates *g = arg;
    kt_cfuture_set_result(g->started, NULL);
    int rc = kt_cfuture_result(g->gate, -1, NULL);
    safe_log("job-finished");
    return rc;
}

static int to_thread_body(void *arg, void **result)
{
    (void)result;
    return kt_to_thread(slow_job, arg, NULL);
}

static int main_returns_early(void *arg, void **result)
{
    (void)result;
    two_gates *g = arg;
    KT_CHECK_OK(kt_create_task(kt_get_running_loop(), to_thread_body, arg, NULL), "kt_create_task (Lab 05)");
    KT_CHECK_OK(kt_sleep(0.01), "kt_sleep (Lab 05)");
    /* Blocking the loop's thread here is fine: the job needs no loop to start. */
    WAIT_OK(g->started, NULL);
    safe_log("main-returns");
    OPEN_GATE(g->gate);
    return 0;
}

/* asyncio case 151, part one */
static void kt_run_waits_for_the_default_pool(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    int threads_before = thread_count();
    kt_cfuture *gate = NULL, *started = NULL;
    NEW_GATE(gate);
    NEW_GATE(started);
    two_gates g = {started, gate};
    kt_run_options opts = {KT_CLOCK_VIRTUAL, NULL, NULL};
    KT_CHECK_OK(kt_run(main_returns_early, &g, NULL, &opts), "kt_run must succeed (Lab 05)");
    safe_log("run-returned");
    KT_CHECK_STR(SAFE.buf, "main-returns job-finished run-returned",
                 "kt_run ends by shutting the default pool down, waiting for its running work even though "
                 "the task that awaited it was cancelled (book §8.6; asyncio case 151)");
    KT_CHECK_INT(thread_count(), threads_before, "no thread of the default pool outlives kt_run (book §8.6)");
    kt_cfuture_release(gate);
    kt_cfuture_release(started);
}

static int uses_then_shuts_down(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    void *v = NULL;
    KT_CHECK_OK(kt_to_thread(work_echo, "six", &v), "kt_to_thread must succeed in a task (book §8.4)");
    KT_CHECK_STR((const char *)v, "six", "kt_to_thread hands back the result (book §8.4)");
    KT_CHECK_OK(kt_loop_shutdown_default_executor(loop), "shutdown_default_executor must succeed (book §8.6)");
    kt_future *f = (kt_future *)&f;
    KT_CHECK_ERR(kt_run_in_executor(loop, NULL, work_echo, NULL, &f), KT_ESHUTDOWN,
                 "after shutdown_default_executor, run_in_executor(NULL pool) is KT_ESHUTDOWN "
                 "(book §8.6; asyncio case 151)");
    return 0;
}

/* asyncio case 151, part two */
static void default_pool_refuses_work_after_shutdown(void **state)
{
    (void)state;
    kt_run_options opts = {KT_CLOCK_VIRTUAL, NULL, NULL};
    KT_CHECK_OK(kt_run(uses_then_shuts_down, NULL, NULL, &opts), "kt_run must succeed (Lab 05)");
}

static void default_pool_two_life_cycles(void **state)
{
    (void)state;
    int threads_before = thread_count();
    int fds_before = kt_open_fd_count();
    for (int round = 0; round < 2; round++) {
        kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
        kt_future *f = NULL;
        KT_CHECK_OK(kt_run_in_executor(loop, NULL, work_echo, "r", &f), "run_in_executor must succeed (book §8.4)");
        RUN_UNTIL_DONE(loop, f);
        kt_future_release(f);
        SPIN(loop);
        CLOSE_LOOP(loop);
        KT_CHECK_INT(thread_count(), threads_before,
                     "round %d: kt_loop_close shuts the default pool down: no thread outlives the loop (book §8.6)",
                     round + 1);
        KT_CHECK_INT(kt_open_fd_count(), fds_before, "round %d: no fd left (book §8.6)", round + 1);
    }
}

/* ------------------------------------------------------------ run_coroutine_threadsafe */

typedef struct remote_loop {
    kt_loop *loop;
    pthread_t thread;
} remote_loop;

static void *loop_main(void *arg)
{
    kt_run_forever(((remote_loop *)arg)->loop);
    return NULL;
}

/* A loop running in its own thread, its door open. */
#define START_REMOTE(r)                                                                  \
    do {                                                                                 \
        (r).loop = kt_test_loop(KT_CLOCK_VIRTUAL);                                       \
        kt_waker *w_ = NULL;                                                             \
        KT_CHECK_OK(kt_loop_waker((r).loop, &w_), "kt_loop_waker must succeed (book §8.2)"); \
        kt_waker_release(w_);                                                            \
        KT_CHECK(pthread_create(&(r).thread, NULL, loop_main, &(r)) == 0, "pthread_create"); \
    } while (0)

#define STOP_REMOTE(r)                                                                   \
    do {                                                                                 \
        KT_CHECK_OK(kt_call_soon_threadsafe((r).loop, stop, NULL), "call_soon_threadsafe (book §8.2)"); \
        pthread_join((r).thread, NULL);                                                  \
        CLOSE_LOOP((r).loop);                                                            \
    } while (0)

static int add_later(void *arg, void **result)
{
    int rc = kt_sleep(0.01);
    *result = arg;
    return rc;
}

static int fail_now(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return E_VALUE;
}

/* asyncio case 119 */
static void run_coroutine_threadsafe_mirrors_the_task(void **state)
{
    (void)state;
    remote_loop r;
    START_REMOTE(r);
    kt_cfuture *ok = NULL, *bad = NULL;
    KT_CHECK_OK(kt_run_coroutine_threadsafe(r.loop, add_later, "three", &ok),
                "run_coroutine_threadsafe from another thread must succeed (book §8.4)");
    void *v = NULL;
    KT_CHECK_OK(kt_cfuture_result(ok, -1, &v), "the caller blocks on the concurrent future (book §8.4; case 119)");
    KT_CHECK_STR((const char *)v, "three", "the concurrent future holds the task's result (book §8.4; case 119)");
    KT_CHECK_OK(kt_run_coroutine_threadsafe(r.loop, fail_now, NULL, &bad), "run_coroutine_threadsafe must succeed");
    KT_CHECK_ERR(kt_cfuture_result(bad, -1, NULL), E_VALUE,
                 "the task's error reaches the caller's thread (book §8.4; asyncio case 119)");
    kt_cfuture_release(ok);
    kt_cfuture_release(bad);
    STOP_REMOTE(r);
}

static void run_coroutine_threadsafe_needs_an_open_door(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_cfuture *cf = (kt_cfuture *)&cf;
    KT_CHECK_ERR(kt_run_coroutine_threadsafe(loop, add_later, NULL, &cf), KT_EINVALSTATE,
                 "without an open door another thread cannot reach the loop: KT_EINVALSTATE (book §8.4)");
    KT_CHECK(cf == NULL, "a refused call sets *out to NULL (book §8.4)");
    CLOSE_LOOP(loop);
}

typedef struct waiter {
    kt_cfuture *started;
    kt_cfuture *never; /* never completed: the coroutine waits until cancelled */
} waiter;

static int wait_until_cancelled(void *arg, void **result)
{
    (void)result;
    waiter *w = arg;
    kt_loop *loop = kt_get_running_loop();
    kt_future *f = NULL;
    kt_future_new(loop, &f);
    kt_cfuture_set_result(w->started, NULL);
    int rc = kt_await(f, NULL);
    safe_log("coroutine:%s", rc == KT_ECANCELLED ? "cancelled" : "other");
    kt_future_release(f);
    return rc;
}

/* Cancelling the caller's concurrent future cancels the task on the loop. */
static void cancel_concurrent_future_cancels_task(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    remote_loop r;
    START_REMOTE(r);
    waiter w = {NULL, NULL};
    NEW_GATE(w.started);
    kt_cfuture *cf = NULL;
    KT_CHECK_OK(kt_run_coroutine_threadsafe(r.loop, wait_until_cancelled, &w, &cf), "run_coroutine_threadsafe");
    WAIT_OK(w.started, NULL);
    KT_CHECK_INT(kt_cfuture_cancel(cf), 1, "the concurrent future of a running task can be cancelled (book §8.4)");
    /* The stop goes through the door after the cancel: the task has seen it. */
    KT_CHECK_OK(kt_call_soon_threadsafe(r.loop, stop, NULL), "call_soon_threadsafe (book §8.2)");
    pthread_join(r.thread, NULL);
    SPIN(r.loop);
    SPIN(r.loop);
    KT_CHECK_STR(SAFE.buf, "coroutine:cancelled",
                 "cancelling the concurrent future cancels the task on the loop (book §8.4; asyncio case 119)");
    kt_cfuture_release(cf);
    kt_cfuture_release(w.started);
    CLOSE_LOOP(r.loop);
}

static void cancel_from_loop(kt_loop *loop, void *arg)
{
    (void)arg;
    kt_task *t[4];
    size_t n = kt_all_tasks(loop, t, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        kt_task_cancel(t[i], NULL);
}

/* A task cancelled on the loop cancels the caller's concurrent future. */
static void task_cancelled_on_loop_cancels_concurrent_future(void **state)
{
    (void)state;
    kt_log_init(&SAFE);
    remote_loop r;
    START_REMOTE(r);
    waiter w = {NULL, NULL};
    NEW_GATE(w.started);
    kt_cfuture *cf = NULL;
    KT_CHECK_OK(kt_run_coroutine_threadsafe(r.loop, wait_until_cancelled, &w, &cf), "run_coroutine_threadsafe");
    WAIT_OK(w.started, NULL);
    KT_CHECK_OK(kt_call_soon_threadsafe(r.loop, cancel_from_loop, NULL), "call_soon_threadsafe (book §8.2)");
    KT_CHECK_ERR(kt_cfuture_result(cf, -1, NULL), KT_ECANCELLED,
                 "a task cancelled on the loop cancels the concurrent future the caller waits on "
                 "(book §8.4; asyncio case 119)");
    KT_CHECK(kt_cfuture_cancelled(cf), "the concurrent future is cancelled, not failed (book §8.4)");
    kt_cfuture_release(cf);
    kt_cfuture_release(w.started);
    STOP_REMOTE(r);
}

/* ------------------------------------------------------------ a process job on the loop */

static int job_double(const void *arg, size_t len, void **result, size_t *rlen)
{
    unsigned char *r = malloc(2 * len + 1);
    if (r == NULL)
        return KT_ENOMEM;
    memcpy(r, arg, len);
    memcpy(r + len, arg, len);
    r[2 * len] = '\0';
    *result = r;
    *rlen = 2 * len + 1;
    return 0;
}

static const kt_job JOBS[] = {{"double", job_double}};

static void process_job_result_reaches_the_loop(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_process_pool *pool = NULL;
    KT_CHECK_OK(kt_process_pool_new(JOBS, 1, 1, &pool), "kt_process_pool_new must succeed (book §8.5)");
    kt_cfuture *cf = NULL;
    KT_CHECK_OK(kt_process_pool_submit(pool, "double", "ab", 2, &cf), "submit must succeed (book §8.5)");
    kt_future *af = NULL;
    KT_CHECK_OK(kt_wrap_future(loop, cf, &af), "wrap_future must succeed (book §8.4)");
    kt_cfuture_release(cf);
    RUN_UNTIL_DONE(loop, af);
    const kt_bytes *b = NULL;
    KT_CHECK_OK(kt_future_result(af, (void **)&b), "the process job's result reaches the loop future (book §8.4)");
    KT_CHECK_STR((const char *)b->data, "abab",
                 "the loop future's value is the job's kt_bytes, kept alive by the loop future (book §8.4)");
    kt_future_release(af);
    kt_process_pool_free(pool);
    SPIN(loop);
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(bridge_rejects_bad_arguments, 1, "NULL loops, functions and futures are KT_EINVAL (book §8.4)"),
    KT_TEST(run_in_executor_result_arrives_on_loop_thread, 3,
            "run_in_executor runs work on a worker; its outcome completes the loop future on the loop (book §8.4)"),
    KT_TEST(run_in_executor_uses_the_given_pool, 1, "run_in_executor uses the pool it is given (book §8.4)"),
    KT_TEST(cancel_loop_future_cancels_unstarted_work, 3,
            "cancelling the loop future cancels work not yet started (book §8.4)"),
    KT_TEST(cancel_loop_future_of_started_work_drops_result, 3,
            "started work runs to its end and its result is dropped (book §8.4)"),
    KT_TEST(loop_closes_while_abandoned_work_runs, 2,
            "the loop may close while abandoned work runs; its result meets a closed door (book §8.6)"),
    KT_TEST(wrap_future_of_done_future_completes, 1, "wrap_future of a done future completes (book §8.4)"),
    KT_TEST(wrap_future_completed_by_thread_waits_for_loop, 1,
            "a concurrent future completed in another thread reaches the loop future on the loop (book §8.4)"),
    KT_TEST(kt_run_waits_for_the_default_pool, 3, "kt_run shuts the default pool down, waiting (book §8.6)"),
    KT_TEST(default_pool_refuses_work_after_shutdown, 1,
            "run_in_executor after shutdown_default_executor is KT_ESHUTDOWN (book §8.6)"),
    KT_TEST(default_pool_two_life_cycles, 2, "kt_loop_close joins the default pool's threads (book §8.6)"),
    KT_TEST(run_coroutine_threadsafe_mirrors_the_task, 3,
            "run_coroutine_threadsafe's concurrent future mirrors the task (book §8.4)"),
    KT_TEST(run_coroutine_threadsafe_needs_an_open_door, 1,
            "run_coroutine_threadsafe needs the loop's door open (book §8.4)"),
    KT_TEST(cancel_concurrent_future_cancels_task, 2, "cancelling the concurrent future cancels the task (book §8.4)"),
    KT_TEST(task_cancelled_on_loop_cancels_concurrent_future, 2,
            "a task cancelled on the loop cancels the concurrent future (book §8.4)"),
    KT_TEST(process_job_result_reaches_the_loop, 2, "a process job's bytes reach a loop future (book §8.4)"),
};

KT_MAIN("Lab 08 — the bridge to the loop", tests)
