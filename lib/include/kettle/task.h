/* task.h — tasks: coroutines driven by futures (Lab 05).
 *
 * A task joins Lab 03 and Lab 04. It is a future (it ends with the
 * coroutine's result, its error, or cancelled) that drives a generator, the
 * coroutine. One step of the task sends into the coroutine; the coroutine
 * awaits a future by yielding it; the task registers its wake-up as a done
 * callback of that future; when the future completes, the loop runs the
 * wake-up, which steps the task again. That is asyncio's Task.__step and
 * Task.__wakeup, and this file's functions are named after them (book §5.2).
 *
 *     Python                                 Kettle
 *     async def body(arg):                   int body(void *arg, void **result)
 *         v = await fut                      { void *v; int rc = kt_await(fut, &v);
 *         return v                             if (rc < 0) return rc;
 *                                              *result = v; return 0; }
 *     t = asyncio.create_task(body(arg))     kt_create_task(loop, body, arg, &t)
 *     await asyncio.sleep(1.5)               kt_sleep(1.5)
 *     t.cancel("why")                        kt_task_cancel(t, "why")
 *     asyncio.run(main(arg))                 kt_run(main, arg, &result, &opts)
 *
 * Errors are values: an exception escaping the coroutine is a negative code
 * returned by its body; CancelledError is KT_ECANCELLED. A coroutine that
 * catches the cancellation simply does not return KT_ECANCELLED.
 *
 * Who writes what: functions marked [lab 05] are yours in
 * labs/05-tasks/task.c; the others are given in lib/src/task_core.c.
 */
#ifndef KETTLE_TASK_H
#define KETTLE_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/clock.h"
#include "kettle/future.h"
#include "kettle/gen.h"
#include "kettle/loop.h"

/* [book:ownership] */
/* Ownership. A task is a future (kt_task_future gives the kt_future inside
 * it, with no change to any count), so it is reference counted the same
 * way. These hold one reference each:
 *   - the loop, from kt_create_task until the task is done: a pending task
 *     is never freed under its running coroutine, even if nobody else keeps
 *     it (asyncio keeps only a weak reference and a forgotten task can
 *     vanish; Kettle does not). The loop's list of them is kt_all_tasks;
 *   - the creator, if it passed a non-NULL `out` to kt_create_task: give it
 *     back with kt_task_release;
 *   - whoever called kt_task_ref, and the usual future holders (done
 *     callbacks that are scheduled, ...).
 * The coroutine's stack is taken (from Lab 03's pool) at its first step and
 * given back the moment the coroutine finishes; the task's memory goes with
 * its last reference. A task that finished with an error nobody retrieved
 * reports "Task exception was never retrieved" then.
 *
 * A loop cannot be closed while a task of it is pending (it is a live
 * future, see future.h): cancel the tasks and run the loop until they are
 * done, which is what kt_run does for you. */
/* [/book:ownership] */

typedef struct kt_task kt_task;

/* [book:coro] */
/* A coroutine function: the body of a task. Exactly a generator body
 * (gen.h): it gets `arg`, may call kt_await and kt_sleep any number of
 * times, and returns 0 with *result set (the task's result) or a negative
 * error (the task's error; KT_ECANCELLED finishes the task cancelled).
 * Its stack is KT_STACK_DEFAULT_SIZE bytes: keep big arrays off it. */
typedef kt_gen_fn kt_coro_fn;
/* [/book:coro] */

/* [book:create] */
/* Wrap fn(arg) in a task of `loop` and schedule its first step with
 * kt_call_soon: nothing of fn runs before the loop's next iteration, and
 * tasks created one after the other start in that order. If `out` is not
 * NULL it receives a reference (see Ownership); pass NULL to let the loop
 * alone keep the task. Returns 0, KT_EINVAL (NULL loop or fn) or
 * KT_ENOMEM. (The coroutine's stack is taken at the first step: if that
 * fails, the task finishes with the error KT_ENOMEM.)
 * Twin: asyncio.create_task(coro) / loop.create_task(coro). [lab 05] */
int kt_create_task(kt_loop *loop, kt_coro_fn fn, void *arg, kt_task **out);
/* [/book:create] */

/* [book:await] */
/* From inside a task's coroutine: wait until `f` is done and hand back its
 * outcome, as kt_future_result would: 0 with *value_out set (when not
 * NULL; it is set to NULL first), or f's error, or KT_ECANCELLED. A future
 * that is already done is not waited for: kt_await returns at once without
 * letting anything else run (asyncio's Future.__await__ does not yield when
 * the future is done). While the coroutine waits, the loop runs other work.
 * If the task is cancelled while it waits, KT_ECANCELLED comes back (the
 * coroutine may clean up and return it, or carry on: book §5.5).
 * Returns KT_ENOTCORO when not called from a task's own coroutine (from
 * plain code, a callback, or a plain generator that a coroutine drives),
 * KT_EINVAL for a NULL future or a future of another loop. A task awaiting
 * itself gets KT_EINVAL too, but as asyncio delivers its RuntimeError "Task
 * cannot await on itself": the await yields, and the step throws the error
 * back one iteration later, after the callbacks already queued (book §5.2).
 * Twin: `value = await fut`. [lab 05] */
int kt_await(kt_future *f, void **value_out);

/* kt_await(kt_task_future(t), value_out): wait for another task and get
 * its result or error. Twin: `value = await task`. [given] */
int kt_await_task(kt_task *t, void **value_out);

/* From inside a task's coroutine: suspend for `seconds` of loop time.
 * kt_sleep(0) yields to the loop for exactly one iteration (a bare yield:
 * the task steps again on the next iteration, after everything already
 * ready). Returns 0, KT_ECANCELLED if the task was cancelled meanwhile,
 * KT_EINVAL for a negative, NaN or infinite delay, KT_ENOTCORO outside a
 * task's coroutine, or KT_ENOMEM.
 * Twin: await asyncio.sleep(seconds). [lab 05] */
int kt_sleep(double seconds);
/* [/book:await] */

/* [book:cancel] */
/* Ask the task to stop: returns 1 if the request was made, 0 if the task is
 * already done, KT_EINVAL for NULL. It is only a request. If the coroutine
 * is waiting on a future, that future is cancelled (a task it awaits is
 * asked in turn: the cancellation travels down); otherwise the next step
 * throws KT_ECANCELLED into the coroutine instead of resuming it normally,
 * even if the future it waited on has already delivered its result. A task
 * cancelled before its first step never runs its coroutine at all. Either
 * way the coroutine sees KT_ECANCELLED come out of its kt_await or
 * kt_sleep, and decides. `msg` (or NULL) is not copied: pass a string that
 * outlives the task; the coroutine reads it with kt_task_cancel_message
 * and whoever awaits a cancelled task with kt_future_cancel_message.
 * Twin: Task.cancel(msg=None). [given: kt_future_cancel, which calls your
 * kt__task_cancel through the task's class] */
int kt_task_cancel(kt_task *t, const char *msg);

/* How many cancel requests the task has had and not taken back (0 for
 * NULL). Twin: Task.cancelling(). [given] */
unsigned kt_task_cancelling(const kt_task *t);

/* Take one cancel request back (a coroutine that handled a cancellation and
 * carries on may call it for itself) and return how many are left.
 * Twin: Task.uncancel(). [given] */
unsigned kt_task_uncancel(kt_task *t);

/* The message of the latest cancel request, or NULL. Twin: the args of the
 * CancelledError the coroutine catches. [given] */
const char *kt_task_cancel_message(const kt_task *t);
/* [/book:cancel] */

/* [book:access] */
/* The future inside the task: use it with every kt_future_* call
 * (kt_future_done, kt_future_result, kt_future_add_done_callback, ...),
 * except kt_future_set_result and kt_future_set_error, which refuse a task
 * with KT_ENOTSUPPORTED: only the task's own step finishes it (asyncio:
 * RuntimeError "Task does not support set_result operation"; book §5.7).
 * No reference is taken. Twin: a Task *is* a Future. [given] */
kt_future *kt_task_future(kt_task *t);

/* The task whose future this is, or NULL if f is not a task. [given] */
kt_task *kt_future_as_task(kt_future *f);

/* Take one more reference (returns t) / give one back. [given] */
kt_task *kt_task_ref(kt_task *t);
void kt_task_release(kt_task *t);

/* The task whose coroutine is running on `loop` right now, or NULL (plain
 * code, a callback). No reference is taken.
 * Twin: asyncio.current_task(loop). [given] */
kt_task *kt_current_task(const kt_loop *loop);

/* The loop of the task whose coroutine is running on this thread, or NULL
 * outside any task (asyncio raises RuntimeError there). A coroutine started
 * by kt_run finds its loop this way. Twin: asyncio.get_running_loop(). [given] */
kt_loop *kt_get_running_loop(void);

/* The loop's pending tasks, in creation order: returns how many there are,
 * and stores up to `cap` of them in out[] (borrowed pointers, valid until
 * the loop runs again). kt_all_tasks(loop, NULL, 0) just counts.
 * Twin: asyncio.all_tasks(loop). [given] */
size_t kt_all_tasks(const kt_loop *loop, kt_task **out, size_t cap);
/* [/book:access] */

/* [book:run] */
/* Run the loop until `f` is done, then return its outcome as
 * kt_future_result does (0 and *value_out, f's error, or KT_ECANCELLED).
 * The loop is stopped by a done callback of f, so it runs one more
 * iteration after f completes (book §5.6). Returns KT_EINVAL (NULL loop or
 * future, or a future of another loop), KT_ERUNNING if the loop is running,
 * KT_EDEADLOCK if the loop runs out of work while f is still pending, or
 * KT_EINVALSTATE if someone else stopped the loop first (asyncio:
 * RuntimeError "Event loop stopped before Future completed.").
 * Twin: loop.run_until_complete(future). [lab 05] */
int kt_run_until_complete(kt_loop *loop, kt_future *f, void **value_out);

/* How kt_run sets up its loop. A zeroed struct (or NULL) means: the real
 * clock and the default exception handler, as asyncio.run. Tests pass
 * KT_CLOCK_VIRTUAL so that sleeping costs no time. */
typedef struct kt_run_options {
    kt_clock_kind clock;
    kt_exception_handler_fn exception_handler; /* NULL: the default */
    void *exception_handler_arg;
} kt_run_options;

/* Run main_fn(arg) as a task on a new loop and return its outcome: 0 with
 * *result (when not NULL) set to what it returned, its error, or
 * KT_ECANCELLED. Then, as asyncio.run does: cancel every task still
 * pending and run the loop until they have finished (one that ends with an
 * error other than a cancellation is reported to the exception handler,
 * "unhandled error during kt_run() shutdown"), and close the loop. What
 * cannot be cleaned up is reported to the exception handler, never hidden:
 * a task that ignores its cancellation and waits forever is destroyed
 * ("Task was destroyed but it is pending!"), and futures still referenced
 * after that keep the loop from closing (kt_loop_close says so): then the
 * loop is left allocated and KT_EINVALSTATE is returned.
 * Returns KT_EINVAL for a NULL main_fn, KT_ERUNNING when called from
 * inside a task (asyncio: "asyncio.run() cannot be called from a running
 * event loop"), KT_EDEADLOCK if main waits for something that can never
 * happen, or KT_ENOMEM. Twin: asyncio.run(main(arg)). [lab 05] */
int kt_run(kt_coro_fn main_fn, void *arg, void **result, const kt_run_options *opts);
/* [/book:run] */

#endif
