/* executor.h — running blocking or CPU-bound work off the loop (Lab 08).
 *
 * Four pieces, each the twin of a piece of Python's standard library:
 *
 *     concurrent.futures.Future              kt_cfuture       (cfuture.c)
 *     concurrent.futures.ThreadPoolExecutor  kt_thread_pool   (thread_pool.c)
 *     concurrent.futures.ProcessPoolExecutor kt_process_pool  (process_pool.c)
 *     loop.run_in_executor, asyncio.to_thread,
 *     asyncio.wrap_future,
 *     asyncio.run_coroutine_threadsafe       (bridge.c)
 *
 * A concurrent future differs from a loop future (future.h): it belongs to
 * no loop, any thread may complete it or wait for it (blocking, with a
 * timeout), and its done callbacks run in the thread that completes it.
 * The bridge joins the two worlds through the loop's door (threadsafe.h):
 * the result of a worker thread reaches the loop only by
 * kt_waker_call_soon (book §8.4).
 *
 * A work function has the shape of a coroutine body (task.h): it returns 0
 * and sets *result, or a negative error, which becomes the future's error.
 *
 *     Python                                     Kettle
 *     def work(arg): return value                int work(void *arg, void **result)
 *     v = await loop.run_in_executor(None,       kt_run_in_executor(loop, NULL, work, arg, &f);
 *                                    work, arg)  rc = kt_await(f, &v); kt_future_release(f);
 *     v = await asyncio.to_thread(work, arg)     rc = kt_to_thread(work, arg, &v);
 *     cf = pool.submit(work, arg)                kt_thread_pool_submit(pool, work, arg, &cf);
 *     v = cf.result(timeout=2)                   rc = kt_cfuture_result(cf, 2.0, &v);
 *
 * Every function here is [lab 08], yours in labs/08-executors/.
 */
#ifndef KETTLE_EXECUTOR_H
#define KETTLE_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kettle/future.h"
#include "kettle/loop.h"
#include "kettle/task.h"

/* [book:work_fn] */
/* Work for a thread: return 0 and set *result (any pointer; the pool does
 * not own it), or a negative error. Runs on a worker thread: it must not
 * call the loop's functions (use kt_waker_call_soon for that). */
typedef int (*kt_work_fn)(void *arg, void **result);
/* [/book:work_fn] */

/* ------------------------------------------------------------------ concurrent futures */

/* [book:cfuture] */
/* Ownership: reference counted like a loop future (future.h), but the
 * count is atomic: any thread may take and give back references. A pool's
 * submit hands you one; the pool keeps its own until the work is done. */
typedef struct kt_cfuture kt_cfuture;

/* Called with the future and `arg` once the future is done, in the thread
 * that completed it (or at once, in the caller, if it is already done). */
typedef void (*kt_cfuture_done_fn)(kt_cfuture *f, void *arg);

/* A pending concurrent future with one reference (yours). Returns 0,
 * KT_EINVAL (NULL out) or KT_ENOMEM. Twin: concurrent.futures.Future(). */
int kt_cfuture_new(kt_cfuture **out);
kt_cfuture *kt_cfuture_ref(kt_cfuture *f);   /* returns f; NULL ignored */
void kt_cfuture_release(kt_cfuture *f);      /* the last one frees; NULL ignored */

/* States, each false for NULL. Twins: f.done(), f.cancelled(), f.running(). */
bool kt_cfuture_done(kt_cfuture *f);
bool kt_cfuture_cancelled(kt_cfuture *f);
bool kt_cfuture_running(kt_cfuture *f);

/* Cancel a future that has not started running: returns 1 (now cancelled,
 * or already was), 0 if it is running or finished (it is left alone), or
 * KT_EINVAL. Twin: f.cancel() -> True/False. */
int kt_cfuture_cancel(kt_cfuture *f);

/* What an executor calls before it runs the work: 1 if the future is now
 * running, 0 if it was cancelled (do not run the work), KT_EINVALSTATE if
 * it is already running or done, KT_EINVAL for NULL.
 * Twin: f.set_running_or_notify_cancel(). */
int kt_cfuture_set_running_or_notify_cancel(kt_cfuture *f);

/* Complete the future, wake every waiter and run the done callbacks in this
 * thread. KT_EINVALSTATE if it is already done, KT_EINVAL for NULL (and,
 * for set_error, a code that is not negative). set_result_owned also hands
 * the future `value`, freed with free_fn(value) with the last reference
 * (a process pool's kt_bytes result). Twins: f.set_result(v),
 * f.set_exception(e). */
int kt_cfuture_set_result(kt_cfuture *f, void *value);
int kt_cfuture_set_result_owned(kt_cfuture *f, void *value, void (*free_fn)(void *));
int kt_cfuture_set_error(kt_cfuture *f, int error);

/* Block the calling thread until the future is done or `timeout` seconds
 * have passed (< 0: no limit; 0: only look). Returns 0 with *value_out set
 * (when not NULL), the future's error, KT_ECANCELLED, KT_ETIMEDOUT (the
 * future is left as it was: a timeout cancels nothing, case 153), or
 * KT_EINVAL (NULL, NaN timeout). Never call it on the loop's thread for a
 * future the loop must complete: that is a deadlock.
 * Twin: f.result(timeout). */
int kt_cfuture_result(kt_cfuture *f, double timeout, void **value_out);

/* Run fn(f, arg) when the future is done (see kt_cfuture_done_fn). Returns
 * 0, KT_EINVAL (NULL f or fn) or KT_ENOMEM. Twin: f.add_done_callback(fn). */
int kt_cfuture_add_done_callback(kt_cfuture *f, kt_cfuture_done_fn fn, void *arg);
/* [/book:cfuture] */

/* ------------------------------------------------------------------ thread pool */

/* [book:thread_pool] */
typedef struct kt_thread_pool kt_thread_pool;

/* A pool of up to `max_workers` threads. Threads start lazily, one per
 * submit that finds no idle worker, as CPython's do. Returns 0, KT_EINVAL
 * (zero workers, NULL out: CPython's "max_workers must be greater than
 * 0"), KT_ENOMEM. Twin: ThreadPoolExecutor(max_workers). */
int kt_thread_pool_new(size_t max_workers, kt_thread_pool **out);

/* Queue fn(arg) and hand back its concurrent future in *out (a reference:
 * release it). Work items run in submission order (FIFO; with one worker,
 * one after the other, case 149). A future cancelled before a worker takes
 * its item is skipped. Returns 0, KT_EINVAL (NULL pool, fn or out),
 * KT_ESHUTDOWN after shutdown ("cannot schedule new futures after
 * shutdown"), KT_ENOMEM, or -errno if a thread could not be started and
 * the pool has none. Twin: executor.submit(fn, arg). */
int kt_thread_pool_submit(kt_thread_pool *pool, kt_work_fn fn, void *arg, kt_cfuture **out);

/* Stop taking work. cancel_futures: cancel every queued item that has not
 * started. wait: block until every started and queued item has run and
 * every thread has exited (joined). Without wait the threads finish the
 * queue and exit by themselves; kt_thread_pool_free joins them. Calling it
 * again is harmless. Returns 0 or KT_EINVAL. Never call it with wait from
 * one of the pool's own workers. Twin: executor.shutdown(wait, cancel_futures=...). */
int kt_thread_pool_shutdown(kt_thread_pool *pool, bool wait, bool cancel_futures);

/* Shut down with wait (no thread outlives this call) and free the pool.
 * NULL is ignored. Twin: leaving `with ThreadPoolExecutor() as ex:`. */
void kt_thread_pool_free(kt_thread_pool *pool);

/* How many threads the pool has started and not joined yet. 0 for NULL. */
size_t kt_thread_pool_threads(kt_thread_pool *pool);
/* [/book:thread_pool] */

/* ------------------------------------------------------------------ process pool */

/* [book:process_pool] */
/* C cannot pickle a function: a process pool runs jobs from a registry the
 * pool gets at birth (the workers are forked from this program, so they
 * have the same functions). A job reads its argument bytes and returns 0
 * with *result / *result_len set to a malloc'd buffer the worker frees after
 * sending it (NULL / 0 for an empty result), or a negative error (the
 * future's error; case 155). A job runs in a worker process: it must not
 * touch the loop, other threads, or fds of the parent. */
typedef int (*kt_job_fn)(const void *arg, size_t arg_len, void **result, size_t *result_len);

typedef struct kt_job {
    const char *name;
    kt_job_fn fn;
} kt_job;

/* A process job's result: the value of its concurrent future, owned by that
 * future (valid while you hold a reference to it, or to the loop future
 * kt_wrap_future made from it). */
typedef struct kt_bytes {
    size_t len;
    unsigned char data[];
} kt_bytes;

typedef struct kt_process_pool kt_process_pool;

/* Fork `workers` worker processes now (not lazily), each talking to the
 * pool over its own socketpair, and start the pool's manager thread. The
 * registry `jobs[0..njobs)` (names distinct) must outlive the pool. Every fd
 * the pool opens is O_CLOEXEC. Returns 0, KT_EINVAL (NULL jobs or out, zero
 * jobs or workers, a job with a NULL name or fn), KT_ENOMEM, or -errno of
 * socketpair/fork (nothing is left behind). Twin: ProcessPoolExecutor(workers). */
int kt_process_pool_new(const kt_job *jobs, size_t njobs, size_t workers, kt_process_pool **out);

/* Queue the job `name` with a copy of arg[0..len) and hand back its
 * concurrent future; its result is a const kt_bytes *. The result arrives
 * whole whatever its size (larger than any pipe buffer). Returns 0,
 * KT_EINVAL (NULL pool, name or out; NULL arg with len > 0; a name not in
 * the registry), KT_ESHUTDOWN after shutdown, KT_EBROKENPOOL once the pool
 * is broken, or KT_ENOMEM. Twin: executor.submit(fn, arg). */
int kt_process_pool_submit(kt_process_pool *pool, const char *name, const void *arg, size_t len,
                           kt_cfuture **out);

/* As kt_thread_pool_shutdown. A worker that dies (a signal such as SIGSEGV
 * or SIGKILL, abort, exit) breaks the pool: every job queued or running
 * fails with KT_EBROKENPOOL, the other workers are killed, and later
 * submits fail with KT_EBROKENPOOL (BrokenProcessPool). Shutdown with wait
 * reaps every worker (no zombie) and closes every fd. Twin:
 * executor.shutdown(wait, cancel_futures=...). */
int kt_process_pool_shutdown(kt_process_pool *pool, bool wait, bool cancel_futures);

/* Shut down with wait and free the pool. NULL is ignored. */
void kt_process_pool_free(kt_process_pool *pool);

/* Whether a worker died and broke the pool (false for NULL). */
bool kt_process_pool_broken(kt_process_pool *pool);

/* The workers' process ids, as forked: stores up to cap of them in out[]
 * and returns how many workers the pool has (0 for NULL). For tests and
 * tools (a test kills one from outside). */
size_t kt_process_pool_pids(kt_process_pool *pool, pid_t *out, size_t cap);
/* [/book:process_pool] */

/* ------------------------------------------------------------------ the bridge to the loop */

/* [book:bridge] */
/* A loop future that follows the concurrent future `cf` (taking a reference
 * to it, given back when the loop future is freed). When cf completes, its
 * outcome is copied to the loop future on the loop's thread (through
 * kt_waker_call_soon). Cancelling the loop future cancels cf if it has not
 * started (case 121); a started one runs to the end and its result is
 * dropped (case 157). Call it on the loop's thread; it opens the loop's
 * door. Returns 0 with *out (a reference), KT_EINVAL (NULL argument),
 * KT_ENOMEM, or an error of opening the door.
 * Twin: asyncio.wrap_future(cf, loop=loop). */
int kt_wrap_future(kt_loop *loop, kt_cfuture *cf, kt_future **out);

/* Run fn(arg) on `pool` (NULL: the loop's default pool, a kt_thread_pool
 * of min(32, CPUs + 4) workers made at the first use) and hand back a loop
 * future for its result: kt_thread_pool_submit + kt_wrap_future. Call it
 * on the loop's thread. Returns 0 with *out (a reference), KT_EINVAL (NULL
 * loop, fn or out), KT_ESHUTDOWN (the pool, or the default pool after
 * kt_loop_shutdown_default_executor, is shut down: case 151), KT_ENOMEM.
 * Twin: loop.run_in_executor(executor, fn, arg). */
int kt_run_in_executor(kt_loop *loop, kt_thread_pool *pool, kt_work_fn fn, void *arg, kt_future **out);

/* From inside a task's coroutine: run fn(arg) on the running loop's default
 * pool and wait for it. Returns what kt_await returns (0 with *result set
 * when not NULL, fn's error, KT_ECANCELLED), KT_ENOTCORO outside a task, or
 * an error of kt_run_in_executor. Twin: await asyncio.to_thread(fn, arg). */
int kt_to_thread(kt_work_fn fn, void *arg, void **result);

/* Shut down the loop's default pool, waiting for its work (blocking the
 * loop's thread; results reach their futures when the loop runs again).
 * Later kt_run_in_executor(loop, NULL, ...) calls fail with KT_ESHUTDOWN.
 * kt_run calls it before closing its loop, as asyncio.run does (case 151),
 * and kt_loop_close calls it too, so no thread outlives the loop.
 * Returns 0 or KT_EINVAL. Twin: await loop.shutdown_default_executor(). */
int kt_loop_shutdown_default_executor(kt_loop *loop);

/* From a thread that is not the loop's: run the coroutine fn(arg) as a
 * task on `loop` and hand back a concurrent future (a reference) that
 * follows the task; block on it with kt_cfuture_result. Cancelling the
 * concurrent future cancels the task; a task cancelled on the loop
 * cancels the concurrent future (case 119). The loop's door must be open
 * (kt_loop_waker) and the loop must not be freed meanwhile. Returns 0,
 * KT_EINVAL (NULL argument), KT_EINVALSTATE (the door is not open),
 * KT_ECLOSED (the loop closed) or KT_ENOMEM.
 * Twin: asyncio.run_coroutine_threadsafe(coro, loop). */
int kt_run_coroutine_threadsafe(kt_loop *loop, kt_coro_fn fn, void *arg, kt_cfuture **out);
/* [/book:bridge] */

#endif
