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

/* BEGIN SOLUTION
 * TODO(lab 05): declare the task running on this thread (_Thread_local,
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
 *     0         the coroutine yielded: the future kt_await announced in
 *               t->announced -> add task_wakeup as its done callback and
 *               remember it in t->fut_waiter (and if a cancel is pending,
 *               cancel that future now); NULL -> a bare yield, step again
 *               next iteration; anything else -> a bad yield: step again
 *               next iteration throwing KT_EBADYIELD;
 *     KT_ESTOP  it returned: set the task's result (or cancel the task if
 *               a cancel came in during this very step);
 *     KT_ECANCELLED  finish the task cancelled (kt__future_cancel, with
 *               t->cancel_msg);
 *     other     finish the task with that error.
 * A task that finished frees its coroutine and leaves the loop's list
 * (kt__task_detach, which may free it: touch nothing after).
 *
 * 3. task_wakeup(f, arg), Task.__wakeup: the awaited future is done: step
 * the task, throwing in f's error if it has one (kt_future_result).
 */
/* [book:running] */
/* The task whose coroutine runs on this thread: kt_sleep and kt_await are
 * called with no loop at hand. One per thread, like the current generator. */
static _Thread_local kt_task *running;
/* [/book:running] */

static void task_step(kt_task *t, int error);

/* [book:schedule_step] */
/* The loop runs this for a step scheduled with schedule_step. */
static void step_callback(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_task *t = arg;
    int error = t->step_error;
    t->step_error = 0;
    task_step(t, error);
    kt_task_release(t); /* the reference the scheduled step held */
}

/* Step t on the next iteration: with a send (error 0) or a throw. */
static int schedule_step(kt_task *t, int error)
{
    t->step_error = error;
    kt_task_ref(t);
    int rc = kt_call_soon(t->base.loop, step_callback, t, NULL);
    if (rc < 0)
        kt_task_release(t);
    return rc;
}
/* [/book:schedule_step] */

/* [book:wakeup] */
/* Task.__wakeup: the future the coroutine waits on is done. Its outcome is
 * thrown in if it is an error (a cancellation too); a result is picked up
 * by the kt_await that is resumed. */
static void task_wakeup(kt_future *f, void *arg)
{
    kt_task *t = arg;
    int rc = kt_future_result(f, NULL);
    task_step(t, rc < 0 ? rc : 0);
}
/* [/book:wakeup] */

/* [book:finish] */
/* The coroutine has ended with `rc` (KT_ESTOP: returned `value`). */
static void task_finish(kt_task *t, int rc, void *value)
{
    if (t->coro != NULL) {
        kt_gen_free(t->coro); /* its stack is back in the pool already */
        t->coro = NULL;
    }
    if (rc == KT_ESTOP && t->must_cancel) {
        /* Cancelled during the very step in which the coroutine returned. */
        t->must_cancel = 0;
        kt__future_cancel(&t->base, t->cancel_msg);
    } else if (rc == KT_ESTOP) {
        kt_future_set_result(&t->base, value);
    } else if (rc == KT_ECANCELLED) {
        kt__future_cancel(&t->base, t->cancel_msg);
    } else {
        kt_future_set_error(&t->base, rc);
    }
    kt__task_detach(t); /* the loop's reference: t may be gone now */
}
/* [/book:finish] */

/* [book:yielded] */
/* The coroutine yielded `y`. kt_await announced the future it yields in
 * t->announced; C cannot tell a future from any other pointer, so anything
 * else that is not NULL is a bad yield (a kt_gen_yield called directly). */
static void task_yielded(kt_task *t, void *y)
{
    kt_future *f = t->announced;
    t->announced = NULL;
    if (y == NULL) {
        schedule_step(t, 0); /* a bare yield: run again next iteration */
        return;
    }
    if (y != f) {
        schedule_step(t, KT_EBADYIELD); /* "Task got bad yield" */
        return;
    }
    int rc = kt_future_add_done_callback(f, task_wakeup, t);
    if (rc < 0) {
        schedule_step(t, rc); /* the await fails with that error */
        return;
    }
    t->fut_waiter = f;
    /* Cancelled during this step: pass the cancellation on right away. */
    if (t->must_cancel && kt_future_cancel(f, t->cancel_msg) == 1)
        t->must_cancel = 0;
}
/* [/book:yielded] */

/* [book:step] */
/* Task.__step: run the coroutine until its next await, or its end. */
static void task_step(kt_task *t, int error)
{
    if (kt_future_done(&t->base))
        return; /* cannot happen: only a step finishes a task */
    if (t->must_cancel) {
        error = KT_ECANCELLED;
        t->must_cancel = 0;
    }
    t->fut_waiter = NULL;

    if (t->coro == NULL) {
        if (error != 0) { /* cancelled before its first step: never runs */
            task_finish(t, error, NULL);
            return;
        }
        int rc = kt_gen_new(&t->coro, t->fn, t->arg, 0);
        if (rc < 0) {
            task_finish(t, rc, NULL);
            return;
        }
    }

    kt_task *outer = running;
    running = t;
    kt__task_enter(t); /* loop->current_task = t */
    void *y = NULL;
    int rc = error != 0 ? kt_gen_throw(t->coro, error, &y) : kt_gen_send(t->coro, NULL, &y);
    kt__task_leave(t); /* before task_yielded clears t->announced */
    running = outer;

    if (rc == 0)
        task_yielded(t, y);
    else
        task_finish(t, rc, y);
}
/* [/book:step] */
/* END SOLUTION */

kt_task *kt__running_task(void)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): the task running on this thread, or NULL.
     * starter: return NULL;
     */
    return running;
    /* END SOLUTION */
}

/* [book:create_task] */
int kt_create_task(kt_loop *loop, kt_coro_fn fn, void *arg, kt_task **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): set *out to NULL first (when out is not NULL); KT_EINVAL
     * for a NULL loop or fn. Allocate the task with kt__future_new(loop,
     * &kt__task_class) (KT_ENOMEM), keep fn and arg, give the loop its
     * reference (kt__task_attach) and schedule the first step (the
     * coroutine itself is made by that step). Then hand the caller a
     * reference of its own if asked (book §5.3).
     * starter: (void)loop; (void)fn; (void)arg;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || fn == NULL)
        return KT_EINVAL;
    kt_task *t = (kt_task *)kt__future_new(loop, &kt__task_class);
    if (t == NULL)
        return KT_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    kt__task_attach(t); /* the reference kt__future_new gave is the loop's */
    int rc = schedule_step(t, 0);
    if (rc < 0) {
        kt__task_detach(t);
        return rc;
    }
    if (out != NULL)
        *out = kt_task_ref(t);
    return 0;
    /* END SOLUTION */
}
/* [/book:create_task] */

/* [book:await] */
int kt_await(kt_future *f, void **value_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): set *value_out to NULL first. KT_EINVAL for a NULL
     * future; KT_ENOTCORO unless a task is running and its own coroutine
     * is the current generator (kt_gen_current); KT_EINVAL for a future of
     * another loop or the task itself. A future that is not done yet: keep
     * a reference to it, announce it in t->announced, kt_gen_yield it, and
     * return the error if one is thrown in. Then (or at once, for a future
     * already done) return kt_future_result (book §5.2).
     * starter: (void)f;
     * starter: if (value_out != NULL) *value_out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (value_out != NULL)
        *value_out = NULL;
    if (f == NULL)
        return KT_EINVAL;
    kt_task *t = running;
    if (t == NULL || kt_gen_current() != t->coro)
        return KT_ENOTCORO;
    if (f->loop != t->base.loop || f == &t->base)
        return KT_EINVAL;
    if (kt_future_done(f))
        return kt_future_result(f, value_out); /* no suspension at all */

    kt_future_ref(f); /* f stays valid while we are parked on it */
    t->announced = f;
    int rc = kt_gen_yield(f, NULL);
    if (rc == 0)
        rc = kt_future_result(f, value_out);
    kt_future_release(f);
    return rc;
    /* END SOLUTION */
}
/* [/book:await] */

/* [book:sleep] */
/* BEGIN SOLUTION
 * TODO(lab 05): a timer callback for kt_sleep: finish the sleep's future
 * unless it is already done (it was cancelled).
 */
static void sleep_wakeup(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_future *f = arg;
    if (!kt_future_done(f))
        kt_future_set_result(f, NULL);
}
/* END SOLUTION */

int kt_sleep(double seconds)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): KT_EINVAL for a delay that is negative, NaN or
     * infinite; KT_ENOTCORO outside a task's own coroutine. sleep(0) is a
     * bare yield: kt_gen_yield(NULL, NULL). Otherwise make a future, a
     * timer (kt_call_later, keep the handle) that finishes it, and
     * kt_await it; afterwards cancel the timer and release the handle and
     * the future, whatever happened (book §5.4).
     * starter: (void)seconds;
     * starter: return KT_ENOTIMPL;
     */
    if (!(seconds >= 0) || isinf(seconds))
        return KT_EINVAL;
    kt_task *t = running;
    if (t == NULL || kt_gen_current() != t->coro)
        return KT_ENOTCORO;
    if (seconds == 0)
        return kt_gen_yield(NULL, NULL);

    kt_loop *loop = t->base.loop;
    kt_future *f = NULL;
    int rc = kt_future_new(loop, &f);
    if (rc < 0)
        return rc;
    kt_handle *timer = NULL;
    /* The timer holds no reference: this frame outlives it (it cancels
     * the timer before letting go of f). */
    rc = kt_call_later(loop, seconds, sleep_wakeup, f, &timer);
    if (rc == 0) {
        rc = kt_await(f, NULL);
        kt_handle_cancel(timer);
        kt_handle_release(timer);
    }
    kt_future_release(f);
    return rc;
    /* END SOLUTION */
}
/* [/book:sleep] */

/* [book:cancel] */
int kt__task_cancel(kt_future *f, const char *msg)
{
    kt_task *t = (kt_task *)f;
    /* BEGIN SOLUTION
     * TODO(lab 05): Task.cancel (book §5.5). A done task: return 0. Else
     * count the request, keep msg in t->cancel_msg, and if the coroutine
     * waits on a future that agrees to be cancelled, that is all (return
     * 1); otherwise set t->must_cancel so that the next step throws
     * KT_ECANCELLED, and return 1.
     * starter: (void)t; (void)msg;
     * starter: return KT_ENOTIMPL;
     */
    if (kt_future_done(f))
        return 0;
    t->num_cancels_requested++;
    t->cancel_msg = msg;
    if (t->fut_waiter != NULL && kt_future_cancel(t->fut_waiter, msg) == 1)
        return 1; /* the wake-up will throw the cancellation in */
    t->must_cancel = 1;
    return 1;
    /* END SOLUTION */
}
/* [/book:cancel] */

/* [book:run_until_complete] */
/* BEGIN SOLUTION
 * TODO(lab 05): the done callback kt_run_until_complete puts on its future.
 */
static void stop_loop(kt_future *f, void *arg)
{
    (void)f;
    kt_loop_stop(arg);
}
/* END SOLUTION */

int kt_run_until_complete(kt_loop *loop, kt_future *f, void **value_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): check the arguments (set *value_out to NULL first).
     * Add a done callback to f that stops the loop, kt_run_forever, and
     * return f's outcome. If the loop came back while f is still pending,
     * take the callback off again and return the run's error, or
     * KT_EINVALSTATE if someone else stopped the loop (book §5.6).
     * starter: (void)loop; (void)f;
     * starter: if (value_out != NULL) *value_out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (value_out != NULL)
        *value_out = NULL;
    if (loop == NULL || f == NULL || f->loop != loop)
        return KT_EINVAL;
    if (loop->running)
        return KT_ERUNNING;
    kt_future_ref(f);
    int rc = kt_future_add_done_callback(f, stop_loop, loop);
    if (rc == 0)
        rc = kt_run_forever(loop);
    if (kt_future_done(f)) {
        rc = kt_future_result(f, value_out);
    } else {
        kt_future_remove_done_callback(f, stop_loop, loop);
        if (rc == 0)
            rc = KT_EINVALSTATE; /* "Event loop stopped before Future completed." */
    }
    kt_future_release(f);
    return rc;
    /* END SOLUTION */
}
/* [/book:run_until_complete] */

/* [book:run] */
/* BEGIN SOLUTION
 * TODO(lab 05): kt_run's helper, asyncio.runners._cancel_all_tasks: cancel
 * every pending task, run the loop until those have finished (or the loop
 * has nothing left to run), and report each that ended with an error other
 * than a cancellation: "unhandled error during kt_run() shutdown".
 */
static bool all_done(kt_task **tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!kt_future_done(&tasks[i]->base))
            return false;
    return true;
}

static void cancel_all_tasks(kt_loop *loop)
{
    size_t n = kt_all_tasks(loop, NULL, 0);
    if (n == 0)
        return;
    kt_task **tasks = malloc(n * sizeof *tasks);
    if (tasks == NULL)
        return; /* kt__run_shutdown destroys them instead */
    kt_all_tasks(loop, tasks, n);
    for (size_t i = 0; i < n; i++) {
        kt_task_ref(tasks[i]);
        kt_task_cancel(tasks[i], NULL);
    }
    while (!all_done(tasks, n) && kt_loop_run_once(loop) == 0)
        ;
    for (size_t i = 0; i < n; i++) {
        kt_future *f = &tasks[i]->base;
        if (kt_future_done(f) && !kt_future_cancelled(f)) {
            int error = kt_future_error(f);
            if (error < 0) {
                kt_error_context ctx = {"unhandled error during kt_run() shutdown", error, tasks[i]};
                kt_loop_call_exception_handler(loop, &ctx);
            }
        }
        kt_task_release(tasks[i]);
    }
    free(tasks);
}
/* END SOLUTION */

int kt_run(kt_coro_fn main_fn, void *arg, void **result, const kt_run_options *opts)
{
    /* BEGIN SOLUTION
     * TODO(lab 05): asyncio.run (book §5.6). Set *result to NULL first;
     * KT_EINVAL for a NULL main_fn, KT_ERUNNING when a task is running on
     * this thread. Make a loop with the options' clock and exception
     * handler (NULL options: a zeroed kt_run_options), create the main
     * task, kt_run_until_complete it, cancel what is left and let it
     * finish, release the main task, and end with kt__run_shutdown (its
     * error wins over main's outcome).
     * starter: (void)main_fn; (void)arg; (void)opts;
     * starter: if (result != NULL) *result = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (result != NULL)
        *result = NULL;
    if (main_fn == NULL)
        return KT_EINVAL;
    if (running != NULL)
        return KT_ERUNNING;
    const kt_run_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;

    kt_loop *loop = NULL;
    int rc = kt_loop_new(&loop, opts->clock);
    if (rc < 0)
        return rc;
    kt_loop_set_exception_handler(loop, opts->exception_handler, opts->exception_handler_arg);
    kt_task *main_task = NULL;
    rc = kt_create_task(loop, main_fn, arg, &main_task);
    if (rc < 0) {
        kt_loop_close(loop);
        return rc;
    }
    rc = kt_run_until_complete(loop, &main_task->base, result);
    cancel_all_tasks(loop);
    kt_task_release(main_task);
    if (kt__run_shutdown(loop) < 0)
        return KT_EINVALSTATE;
    return rc;
    /* END SOLUTION */
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
