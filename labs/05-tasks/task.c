/* task.c — Lab 05: tasks, coroutines driven by futures (read book chapter 5).
 *
 * A task owns a coroutine (a Lab 03 generator) and is a future (Lab 04).
 * Two functions move it, and they are the twins of asyncio's tasks.py:
 *
 *     task_step    Task.__step     send into the coroutine (or throw an
 *                                  error in) and look at what came out:
 *                                  a future to wait on, a bare yield, a
 *                                  return, an error;
 *     task_wakeup  Task.__wakeup   the done callback put on the awaited
 *                                  future: it steps the task again.
 *
 * Given to you: in this file, the task's class (kt__task_class, whose
 * cancel is your kt__task_cancel), kt_future_as_task, kt_await_task,
 * kt_get_running_loop, and at the bottom the clean-up at the end of kt_run
 * (kt__task_abandon, kt__run_shutdown); in lib/src/task_core.c,
 * kt_task_future, ref/release, kt_task_cancel (which reaches your
 * kt__task_cancel through the class), cancelling/uncancel,
 * kt_current_task, kt_all_tasks, and the loop's list of tasks
 * (kt__task_attach / kt__task_detach). The fields are in
 * kettle/task_impl.h.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/task_impl.h"

/* ---- given: the task's class ---------------------------------------------
 * Like Lab 04's kt__future_class, it lives next to the cancel it points at. */

/* [book:class] */
/* The last reference to a task is gone. A task that finished has freed its
 * coroutine already; one destroyed while pending (kt__task_abandon) too.
 * This is the safety net for a task that was never stepped at all. */
static void task_finalize(kt_future *f)
{
    kt_task *t = (kt_task *)f;
    if (t->coro != NULL) {
        kt_gen_free(t->coro);
        t->coro = NULL;
    }
}

const kt_future_class kt__task_class = {
    .name = "Task",
    .size = sizeof(kt_task),
    .cancel = kt__task_cancel,
    .finalize = task_finalize,
};
/* [/book:class] */

kt_task *kt_future_as_task(kt_future *f)
{
    return f != NULL && f->cls == &kt__task_class ? (kt_task *)f : NULL;
}

int kt_await_task(kt_task *t, void **value_out)
{
    if (t == NULL) {
        if (value_out != NULL)
            *value_out = NULL;
        return KT_EINVAL;
    }
    return kt_await(&t->base, value_out);
}

kt_loop *kt_get_running_loop(void)
{
    kt_task *t = kt__running_task();
    return t != NULL ? t->base.loop : NULL;
}

/* ---- yours --------------------------------------------------------------- */

/* TODO(lab 05): declare the task running on this thread (_Thread_local,
 * NULL outside any step) and write the helpers the functions below share
 * (book §5.2, §5.3):
 *
 * 1. schedule_step(t, error): remember `error` in t->step_error (0 means
 * "send", anything else is thrown in) and kt_call_soon a callback that
 * runs task_step(t, error). The scheduled callback holds a reference to
 * the task (kt_task_ref now, kt_task_release after the step ran).
 *
 * 2. task_step(t, error), Task.__step: a pending cancel (t->must_cancel)
 * turns the step into a throw of KT_ECANCELLED; forget t->fut_waiter; make
 * the coroutine at the first step (kt_gen_new; a task cancelled before its
 * first step finishes cancelled without ever running it); set the running
 * task (yours, and the loop's with the given kt__task_enter), kt_gen_send
 * NULL or kt_gen_throw the error, unset both (kt__task_leave, right after
 * the coroutine gives control back); then act on what came back:
 * 0         the coroutine yielded: the future kt_await announced in
 * t->announced -> add task_wakeup as its done callback and
 * remember it in t->fut_waiter (and if a cancel is pending,
 * cancel that future now); NULL -> a bare yield, step again
 * next iteration; anything else -> a bad yield: step again
 * next iteration throwing KT_EBADYIELD;
 * KT_ESTOP  it returned: set the task's result (or cancel the task if
 * a cancel came in during this very step);
 * KT_ECANCELLED  finish the task cancelled (kt__future_cancel, with
 * t->cancel_msg);
 * other     finish the task with that error.
 * A task that finished frees its coroutine and leaves the loop's list
 * (kt__task_detach, which may free it: touch nothing after).
 *
 * 3. task_wakeup(f, arg), Task.__wakeup: the awaited future is done: step
 * the task, throwing in f's error if it has one (kt_future_result).
 */

kt_task *kt__running_task(void)
{
    /* TODO(lab 05): the task running on this thread, or NULL. */
    return NULL;
}

/* [book:create_task] */
int kt_create_task(kt_loop *loop, kt_coro_fn fn, void *arg, kt_task **out)
{
    /* TODO(lab 05): set *out to NULL first (when out is not NULL); KT_EINVAL
     * for a NULL loop or fn. Allocate the task with kt__future_new(loop,
     * &kt__task_class) (KT_ENOMEM), keep fn and arg, give the loop its
     * reference (kt__task_attach) and schedule the first step (the
     * coroutine itself is made by that step). Then hand the caller a
     * reference of its own if asked (book §5.3).
     */
    (void)loop; (void)fn; (void)arg;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:create_task] */

/* [book:await] */
int kt_await(kt_future *f, void **value_out)
{
    /* TODO(lab 05): set *value_out to NULL first. KT_EINVAL for a NULL
     * future; KT_ENOTCORO unless a task is running and its own coroutine
     * is the current generator (kt_gen_current); KT_EINVAL for a future of
     * another loop or the task itself. A future that is not done yet: keep
     * a reference to it, announce it in t->announced, kt_gen_yield it, and
     * return the error if one is thrown in. Then (or at once, for a future
     * already done) return kt_future_result (book §5.2).
     */
    (void)f;
    if (value_out != NULL) *value_out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:await] */

/* [book:sleep] */
/* TODO(lab 05): a timer callback for kt_sleep: finish the sleep's future
 * unless it is already done (it was cancelled).
 */

int kt_sleep(double seconds)
{
    /* TODO(lab 05): KT_EINVAL for a delay that is negative, NaN or
     * infinite; KT_ENOTCORO outside a task's own coroutine. sleep(0) is a
     * bare yield: kt_gen_yield(NULL, NULL). Otherwise make a future, a
     * timer (kt_call_later, keep the handle) that finishes it, and
     * kt_await it; afterwards cancel the timer and release the handle and
     * the future, whatever happened (book §5.4).
     */
    (void)seconds;
    return KT_ENOTIMPL;
}
/* [/book:sleep] */

/* [book:cancel] */
int kt__task_cancel(kt_future *f, const char *msg)
{
    kt_task *t = (kt_task *)f;
    /* TODO(lab 05): Task.cancel (book §5.5). A done task: return 0. Else
     * count the request, keep msg in t->cancel_msg, and if the coroutine
     * waits on a future that agrees to be cancelled, that is all (return
     * 1); otherwise set t->must_cancel so that the next step throws
     * KT_ECANCELLED, and return 1.
     */
    (void)t; (void)msg;
    return KT_ENOTIMPL;
}
/* [/book:cancel] */

/* [book:run_until_complete] */
/* TODO(lab 05): the done callback kt_run_until_complete puts on its future. */

int kt_run_until_complete(kt_loop *loop, kt_future *f, void **value_out)
{
    /* TODO(lab 05): check the arguments (set *value_out to NULL first).
     * Add a done callback to f that stops the loop, kt_run_forever, and
     * return f's outcome. If the loop came back while f is still pending,
     * take the callback off again and return the run's error, or
     * KT_EINVALSTATE if someone else stopped the loop (book §5.6).
     */
    (void)loop; (void)f;
    if (value_out != NULL) *value_out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:run_until_complete] */

/* [book:run] */
/* TODO(lab 05): kt_run's helper, asyncio.runners._cancel_all_tasks: cancel
 * every pending task, run the loop until those have finished (or the loop
 * has nothing left to run), and report each that ended with an error other
 * than a cancellation: "unhandled error during kt_run() shutdown".
 */

int kt_run(kt_coro_fn main_fn, void *arg, void **result, const kt_run_options *opts)
{
    /* TODO(lab 05): asyncio.run (book §5.6). Set *result to NULL first;
     * KT_EINVAL for a NULL main_fn, KT_ERUNNING when a task is running on
     * this thread. Make a loop with the options' clock and exception
     * handler (NULL options: a zeroed kt_run_options), create the main
     * task, kt_run_until_complete it, cancel what is left and let it
     * finish, release the main task, and end with kt__run_shutdown (its
     * error wins over main's outcome).
     */
    (void)main_fn; (void)arg; (void)opts;
    if (result != NULL) *result = NULL;
    return KT_ENOTIMPL;
}
/* [/book:run] */

/* ---- given: the end of kt_run ------------------------------------------- */

void kt__task_abandon(kt_task *t)
{
    kt_loop *loop = t->base.loop;
    kt_error_context ctx = {"Task was destroyed but it is pending!", 0, t};
    kt_loop_call_exception_handler(loop, &ctx);

    kt_task_ref(t); /* detaching below must not free t under us */
    /* The wake-up registered on the awaited future must never run on a
     * task that is gone: drop every registration made for t. */
    if (t->fut_waiter != NULL) {
        kt_list_for_each_safe(it, next, &t->fut_waiter->callbacks) {
            kt_future_callback *cb = kt_container_of(it, kt_future_callback, link);
            if (cb->arg == t) {
                kt_list_remove(it);
                free(cb);
            }
        }
        t->fut_waiter = NULL;
    }
    /* Closing runs the coroutine's cleanup: its kt_await returns
     * KT_EGENERATOREXIT and lets go of the future it held. */
    if (t->coro != NULL) {
        kt_gen_free(t->coro);
        t->coro = NULL;
    }
    kt__task_detach(t);
    kt_task_release(t);
}

/* Run callbacks that are already ready (done callbacks hold references to
 * their futures until they run). Bounded: a callback that reschedules itself
 * forever must not hang the shutdown. */
static void drain_ready(kt_loop *loop)
{
    for (int i = 0; i < 1000 && !kt_list_empty(&loop->ready); i++)
        if (kt_loop_run_once(loop) < 0)
            break;
}

int kt__run_shutdown(kt_loop *loop)
{
    drain_ready(loop);
    while (!kt_list_empty(&loop->tasks)) {
        kt__task_abandon(kt_container_of(kt_list_front(&loop->tasks), kt_task, link));
        drain_ready(loop);
    }
    /* kt_loop_close tells the exception handler when futures are alive. */
    return kt_loop_close(loop) == 0 ? 0 : KT_EINVALSTATE;
}
