/* bridge.c — Lab 08: between the loop and other threads.
 *
 * wrap_future chains a concurrent future to a loop future: when the
 * concurrent one completes (in some worker thread), its outcome crosses
 * into the loop through the loop's door and is copied to the loop future
 * there; when the loop future is cancelled, the concurrent one is asked to
 * cancel too. run_in_executor is submit + wrap_future; run_coroutine_
 * threadsafe is the same chain the other way round. CPython's twins are
 * _chain_future, wrap_future and run_coroutine_threadsafe in
 * Lib/asyncio/futures.py and tasks.py, and run_in_executor in
 * base_events.py (book §8.4).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/freelist.h"
#include "kettle/executor.h"
#include "kettle/future_impl.h"
#include "kettle/threadsafe_impl.h"

/* ---- given: the loop future that keeps its concurrent future alive ------ */

/* A wrapped future's value may point into its concurrent future (a process
 * job's kt_bytes): it holds a reference until it is freed itself. */
typedef struct wrapped_future {
    kt_future base;
    kt_cfuture *source;
} wrapped_future;

static void wrapped_finalize(kt_future *f)
{
    kt_cfuture_release(((wrapped_future *)f)->source);
}

static const kt_future_class wrapped_class = {
    .name = "Future",
    .size = sizeof(wrapped_future),
    .cancel = kt__future_cancel,
    .finalize = wrapped_finalize,
};

/* ---- wrap_future ---------------------------------------------------------- */

/* [book:chain] */
/* The chain between one concurrent future and one loop future. Two paths
 * hold a reference each: the concurrent future's done callback (until the
 * outcome has been copied on the loop, or could not be sent), and the loop
 * future's done callback. */
typedef struct chain {
    atomic_int refs;
    kt_cfuture *source;   /* a reference */
    kt_future *dest;      /* a reference until the outcome is copied or dest
                           * is cancelled; loop thread only */
    kt_waker *door;       /* a reference */
} chain;

static void chain_unref(chain *c)
{
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    kt_cfuture_release(c->source);
    kt_waker_release(c->door);
    kt__obj_free(c, sizeof *c);
}

static void chain_dispose(void *arg)
{
    chain_unref(arg);
}

static void on_dest_done(kt_future *f, void *arg);

/* On the loop's thread: copy the outcome, unless the loop future was
 * cancelled meanwhile (case 157: the result is dropped). */
static void copy_state(kt_loop *loop, void *arg)
{
    (void)loop;
    chain *c = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): if c->dest is still held and not done: unregister
     * on_dest_done (kt_future_remove_done_callback; if it was there, drop
     * its reference: it would have had nothing to do); then a cancelled
     * source cancels dest, else copy the result (kt_cfuture_result with
     * timeout 0) with kt_future_set_result or kt_future_set_error. Then
     * release c->dest (set it NULL) and drop this path's reference.
     * starter: (void)c;
     */
    if (c->dest != NULL && !kt_future_done(c->dest)) {
        /* on_dest_done would only drop its reference once dest completes
         * here (cancelling a finished source does nothing): unregister it
         * and drop that reference now, which saves a handle and a loop
         * iteration per round trip (CPython schedules its no-op
         * _call_check_cancel). */
        if (kt_future_remove_done_callback(c->dest, on_dest_done, c) == 1)
            chain_unref(c);
        void *value = NULL;
        int rc = kt_cfuture_result(c->source, 0, &value);
        if (rc == KT_ECANCELLED && kt_cfuture_cancelled(c->source))
            kt_future_cancel(c->dest, NULL);
        else if (rc < 0)
            kt_future_set_error(c->dest, rc);
        else
            kt_future_set_result(c->dest, value);
    }
    if (c->dest != NULL) {
        kt_future_release(c->dest);
        c->dest = NULL;
    }
    chain_unref(c);
    /* END SOLUTION */
}

/* In whichever thread completed the concurrent future. */
static void on_source_done(kt_cfuture *f, void *arg)
{
    (void)f;
    chain *c = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): the loop future may only be touched on the loop's
     * thread: send copy_state through the door (kt__waker_post with
     * chain_dispose). If the door is closed, drop the reference here.
     * starter: (void)c; (void)copy_state; (void)chain_dispose;
     */
    if (kt__waker_post(c->door, copy_state, c, chain_dispose) < 0)
        chain_unref(c);
    /* END SOLUTION */
}

/* On the loop's thread, when the loop future completes. */
static void on_dest_done(kt_future *f, void *arg)
{
    chain *c = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): a cancelled loop future cancels the source (which
     * refuses if it already runs: case 121 against case 157) and lets go of
     * c->dest now, so that the loop can close while a started job finishes.
     * Drop this path's reference.
     * starter: (void)f; (void)c;
     */
    if (kt_future_cancelled(f)) {
        kt_cfuture_cancel(c->source);
        if (c->dest != NULL) {
            kt_future_release(c->dest);
            c->dest = NULL;
        }
    }
    chain_unref(c);
    /* END SOLUTION */
}
/* [/book:chain] */

/* [book:wrap_future] */
int kt_wrap_future(kt_loop *loop, kt_cfuture *cf, kt_future **out)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || cf == NULL || out == NULL)
        return KT_EINVAL;
    /* BEGIN SOLUTION
     * TODO(lab 08): open the door (kt_loop_waker); make the loop future
     * with kt__future_new(loop, &wrapped_class) holding a reference to cf;
     * make the chain with kt__obj_alloc (chain_unref frees it) (2 references, one per path; its own references to
     * cf, the door and the loop future); register on_dest_done on the loop
     * future, then on_source_done on cf (it may run at once if cf is done).
     * *out = the loop future.
     * starter: (void)loop; (void)cf; (void)on_source_done; (void)on_dest_done; (void)wrapped_class;
     * starter: return KT_ENOTIMPL;
     */
    kt_waker *door = NULL;
    int rc = kt_loop_waker(loop, &door);
    if (rc < 0)
        return rc;
    kt_future *dest = kt__future_new(loop, &wrapped_class);
    chain *c = kt__obj_alloc(sizeof *c);
    if (dest == NULL || c == NULL) {
        kt__obj_free(c, sizeof *c);
        kt_future_release(dest);
        kt_waker_release(door);
        return KT_ENOMEM;
    }
    ((wrapped_future *)dest)->source = kt_cfuture_ref(cf);
    atomic_init(&c->refs, 2);
    c->source = kt_cfuture_ref(cf);
    c->dest = kt_future_ref(dest);
    c->door = door;
    rc = kt_future_add_done_callback(dest, on_dest_done, c);
    if (rc == 0)
        rc = kt_cfuture_add_done_callback(cf, on_source_done, c);
    if (rc < 0) {
        /* Only out of memory can get here: undo by hand. */
        kt_future_remove_done_callback(dest, on_dest_done, c);
        kt_future_release(c->dest);
        chain_unref(c);
        chain_unref(c);
        kt_future_release(dest);
        return rc;
    }
    *out = dest;
    return 0;
    /* END SOLUTION */
}
/* [/book:wrap_future] */

/* ---- the default pool --------------------------------------------------- */

/* kt_run's hook: asyncio.run's shutdown_default_executor. */
static void run_shutdown_hook(kt_loop *loop)
{
    kt_loop_shutdown_default_executor(loop);
    kt__waker_run_queued(loop);
}

static int default_pool(kt_loop *loop, kt_thread_pool **out)
{
    if (loop->default_executor_shut)
        return KT_ESHUTDOWN;
    if (loop->default_executor == NULL) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t workers = cpus > 0 ? (size_t)cpus + 4 : 5;
        if (workers > 32)
            workers = 32;
        kt_thread_pool *pool = NULL;
        int rc = kt_thread_pool_new(workers, &pool);
        if (rc < 0)
            return rc;
        loop->default_executor = pool;
        loop->shutdown_executor = run_shutdown_hook;
    }
    *out = loop->default_executor;
    return 0;
}

int kt_loop_shutdown_default_executor(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    loop->default_executor_shut = 1;
    kt_thread_pool *pool = loop->default_executor;
    loop->default_executor = NULL;
    kt_thread_pool_free(pool); /* waits for every thread */
    return 0;
}

/* [book:run_in_executor] */
int kt_run_in_executor(kt_loop *loop, kt_thread_pool *pool, kt_work_fn fn, void *arg, kt_future **out)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || fn == NULL || out == NULL)
        return KT_EINVAL;
    /* BEGIN SOLUTION
     * TODO(lab 08): a NULL pool means default_pool(loop). Open the door
     * first (so nothing can fail after the work is queued but out of
     * memory), submit, kt_wrap_future, give back the submit's reference.
     * starter: (void)pool; (void)arg; (void)default_pool;
     * starter: return KT_ENOTIMPL;
     */
    kt_waker *door = NULL;
    int rc = kt_loop_waker(loop, &door);
    if (rc < 0)
        return rc;
    kt_waker_release(door); /* the loop keeps it open */
    if (pool == NULL && (rc = default_pool(loop, &pool)) < 0)
        return rc;
    kt_cfuture *cf = NULL;
    rc = kt_thread_pool_submit(pool, fn, arg, &cf);
    if (rc < 0)
        return rc;
    rc = kt_wrap_future(loop, cf, out);
    if (rc < 0)
        kt_cfuture_cancel(cf);
    kt_cfuture_release(cf);
    return rc;
    /* END SOLUTION */
}
/* [/book:run_in_executor] */

int kt_to_thread(kt_work_fn fn, void *arg, void **result)
{
    if (result != NULL)
        *result = NULL;
    kt_loop *loop = kt_get_running_loop();
    if (loop == NULL)
        return KT_ENOTCORO;
    kt_future *f = NULL;
    int rc = kt_run_in_executor(loop, NULL, fn, arg, &f);
    if (rc < 0)
        return rc;
    rc = kt_await(f, result);
    kt_future_release(f);
    return rc;
}

/* ---- run_coroutine_threadsafe ------------------------------------------- */

/* [book:threadsafe_task] */
typedef struct remote {
    atomic_int refs;
    kt_coro_fn fn;
    void *arg;
    kt_cfuture *cf;     /* a reference */
    kt_waker *door;     /* a reference */
    kt_task *task;      /* a reference while the task runs; loop thread only */
} remote;

static void remote_unref(remote *r)
{
    if (atomic_fetch_sub(&r->refs, 1) != 1)
        return;
    kt_cfuture_release(r->cf);
    kt_waker_release(r->door);
    free(r);
}

static void remote_drop(void *arg)
{
    remote_unref(arg);
}

static void remote_dispose(void *arg)
{
    remote *r = arg;
    kt_cfuture_set_error(r->cf, KT_ECLOSED); /* the task never started */
    remote_unref(r);
}

/* Loop thread: the task is done; its outcome goes to the concurrent
 * future, unless that was cancelled (CPython's _set_concurrent_future_state). */
static void on_task_done(kt_future *f, void *arg)
{
    remote *r = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): a cancelled task cancels r->cf; otherwise, if
     * kt_cfuture_set_running_or_notify_cancel(r->cf) says 1, copy the
     * task's result or error to r->cf. Release r->task (set it NULL) and
     * drop this path's reference.
     * starter: (void)f; (void)r;
     */
    if (kt_future_cancelled(f)) {
        kt_cfuture_cancel(r->cf);
    } else if (kt_cfuture_set_running_or_notify_cancel(r->cf) == 1) {
        void *value = NULL;
        int rc = kt_future_result(f, &value);
        if (rc < 0)
            kt_cfuture_set_error(r->cf, rc);
        else
            kt_cfuture_set_result(r->cf, value);
    }
    kt_task_release(r->task);
    r->task = NULL;
    remote_unref(r);
    /* END SOLUTION */
}

/* Loop thread: the caller cancelled the concurrent future. */
static void cancel_task(kt_loop *loop, void *arg)
{
    (void)loop;
    remote *r = arg;
    if (r->task != NULL)
        kt_task_cancel(r->task, NULL);
    remote_unref(r);
}

/* Any thread: the concurrent future completed; if it was cancelled, the
 * task must hear of it on the loop. */
static void on_cf_done(kt_cfuture *cf, void *arg)
{
    remote *r = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): if cf is cancelled, send cancel_task through the door
     * (it keeps this path's reference; on KT_ECLOSED drop it); otherwise
     * just drop this path's reference.
     * starter: (void)cf; (void)r; (void)cancel_task; (void)remote_drop;
     */
    if (!kt_cfuture_cancelled(cf) || kt__waker_post(r->door, cancel_task, r, remote_drop) < 0)
        remote_unref(r);
    /* END SOLUTION */
}

/* Loop thread: start the task and chain it to the concurrent future. */
static void start_task(kt_loop *loop, void *arg)
{
    remote *r = arg;
    /* BEGIN SOLUTION
     * TODO(lab 08): kt_create_task(loop, r->fn, r->arg, &r->task) (an
     * error finishes r->cf with it and drops the reference); then add
     * on_task_done to the task's future (it keeps this path's reference).
     * starter: (void)loop; (void)r; (void)on_task_done;
     */
    int rc = kt_create_task(loop, r->fn, r->arg, &r->task);
    if (rc == 0)
        rc = kt_future_add_done_callback(kt_task_future(r->task), on_task_done, r);
    if (rc < 0) {
        if (r->task != NULL) {
            kt_task_cancel(r->task, NULL);
            kt_task_release(r->task);
            r->task = NULL;
        }
        kt_cfuture_set_error(r->cf, rc);
        remote_unref(r);
    }
    /* END SOLUTION */
}
/* [/book:threadsafe_task] */

int kt_run_coroutine_threadsafe(kt_loop *loop, kt_coro_fn fn, void *arg, kt_cfuture **out)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || fn == NULL || out == NULL)
        return KT_EINVAL;
    /* BEGIN SOLUTION
     * TODO(lab 08): find the door with an atomic load of loop->threadsafe
     * (KT_EINVALSTATE if it is not open: this thread may not open it). Make
     * the concurrent future and the remote (2 references: the task path and
     * the cf path), register on_cf_done on the concurrent future, then post
     * start_task with remote_dispose. On KT_ECLOSED undo. *out = cf.
     * starter: (void)arg; (void)start_task; (void)on_cf_done; (void)remote_dispose;
     * starter: return KT_ENOTIMPL;
     */
    kt_waker *door = __atomic_load_n(&loop->threadsafe, __ATOMIC_ACQUIRE);
    if (door == NULL)
        return KT_EINVALSTATE;
    kt_cfuture *cf = NULL;
    int rc = kt_cfuture_new(&cf);
    if (rc < 0)
        return rc;
    remote *r = calloc(1, sizeof *r);
    if (r == NULL) {
        kt_cfuture_release(cf);
        return KT_ENOMEM;
    }
    atomic_init(&r->refs, 2);
    r->fn = fn;
    r->arg = arg;
    r->cf = kt_cfuture_ref(cf);
    r->door = kt_waker_ref(door);
    rc = kt_cfuture_add_done_callback(cf, on_cf_done, r);
    if (rc < 0) {
        remote_unref(r);
        remote_unref(r);
        kt_cfuture_release(cf);
        return rc;
    }
    rc = kt__waker_post(door, start_task, r, remote_dispose);
    if (rc < 0) {
        kt_cfuture_set_error(cf, rc); /* runs on_cf_done: one reference */
        remote_unref(r);
        kt_cfuture_release(cf);
        return rc;
    }
    *out = cf;
    return 0;
    /* END SOLUTION */
}
