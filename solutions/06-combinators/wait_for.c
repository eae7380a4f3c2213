/* wait_for.c — Lab 06: asyncio.wait_for (read book §6.6).
 *
 * Await f, but park on a private waiter future instead of on f itself: f's
 * done callback and a timer both release the waiter, whichever comes
 * first. If the timer won, f is cancelled, and kt_wait_for waits until f
 * is really done (its cleanup ran) before it answers: asyncio's
 * _cancel_and_wait.
 *
 * Given to you: wake_waiter (with the reference it owns) and wake_on_timer.
 * Yours: cancel_and_wait and kt_wait_for.
 */
#include <math.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* f's done callback: finish the waiter. The registration holds a
 * reference to the waiter (a callback already scheduled may run after
 * kt_wait_for returned); whoever removes the registration drops it.
 * Twin: functools.partial(_release_waiter, waiter). [given] */
static void wake_waiter(kt_future *f, void *arg)
{
    (void)f;
    kt_future *waiter = arg;
    if (!kt_future_done(waiter))
        kt_future_set_result(waiter, NULL);
    kt_future_release(waiter);
}

/* Register wake_waiter on f, with its reference. [given] */
static int watch(kt_future *f, kt_future *waiter)
{
    int rc = kt_future_add_done_callback(f, wake_waiter, kt_future_ref(waiter));
    if (rc < 0)
        kt_future_release(waiter);
    return rc;
}

/* Unregister it, if it has not been scheduled yet. [given] */
static void unwatch(kt_future *f, kt_future *waiter)
{
    if (kt_future_remove_done_callback(f, wake_waiter, waiter) > 0)
        kt_future_release(waiter);
}

/* The timer: it holds no reference (it is cancelled before the waiter
 * goes). [given] */
static void wake_on_timer(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_future *waiter = arg;
    if (!kt_future_done(waiter))
        kt_future_set_result(waiter, NULL);
}

/* [book:cancel_and_wait] */
/* Cancel f and wait until it is done. Returns 0, or the error of the wait
 * itself (KT_ECANCELLED: the waiting task was cancelled meanwhile).
 * Twin: tasks._cancel_and_wait. */
static int cancel_and_wait(kt_future *f)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): a fresh waiter future that f's completion releases
     * (watch), then kt_future_cancel(f) and kt_await the waiter. Whatever
     * happened: unwatch, release the waiter, return the await's result.
     * starter: (void)f; (void)watch; (void)unwatch;
     * starter: return KT_ENOTIMPL;
     */
    kt_future *waiter = NULL;
    int rc = kt_future_new(kt_future_loop(f), &waiter);
    if (rc < 0)
        return rc;
    rc = watch(f, waiter);
    if (rc == 0) {
        kt_future_cancel(f, NULL);
        rc = kt_await(waiter, NULL);
        unwatch(f, waiter);
    }
    kt_future_release(waiter);
    return rc;
    /* END SOLUTION */
}
/* [/book:cancel_and_wait] */

/* [book:wait_for] */
int kt_wait_for(kt_future *f, double timeout, void **value_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): clear *value_out; KT_EINVAL for NULL f or NaN;
     * KT_ENOTCORO outside a task's coroutine; KT_EWRONGLOOP for a future
     * of another loop. INFINITY: just kt_await. timeout <= 0: a done f
     * gives its outcome; else cancel_and_wait, then f's outcome with
     * KT_ECANCELLED turned into KT_ETIMEDOUT. Otherwise: a waiter, a timer
     * (wake_on_timer) and watch(f, waiter); kt_await the waiter.
     *   - the await failed (the task was cancelled): if f is done, its
     *     outcome; else unwatch, cancel_and_wait, KT_ECANCELLED;
     *   - f is done: its outcome;
     *   - the timer won: unwatch, cancel_and_wait (its error wins), then
     *     f's outcome with KT_ECANCELLED turned into KT_ETIMEDOUT (an f
     *     that swallowed the cancel gives its result).
     * Always cancel and release the timer and the waiter (book §6.6).
     * starter: (void)f; (void)timeout; (void)wake_on_timer; (void)cancel_and_wait;
     * starter: if (value_out != NULL) *value_out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (value_out != NULL)
        *value_out = NULL;
    if (f == NULL || !kt__timeout_ok(timeout))
        return KT_EINVAL;
    kt_task *t = kt__coro_task();
    if (t == NULL)
        return KT_ENOTCORO;
    if (f->loop != t->base.loop)
        return KT_EWRONGLOOP;
    if (isinf(timeout) && timeout > 0)
        return kt_await(f, value_out);
    if (timeout <= 0) {
        if (kt_future_done(f))
            return kt_future_result(f, value_out);
        int rc = cancel_and_wait(f);
        if (rc < 0)
            return rc;
        rc = kt_future_result(f, value_out);
        return rc == KT_ECANCELLED ? KT_ETIMEDOUT : rc;
    }

    kt_future *waiter = NULL;
    int rc = kt_future_new(f->loop, &waiter);
    if (rc < 0)
        return rc;
    kt_handle *timer = NULL;
    rc = kt_call_later(f->loop, timeout, wake_on_timer, waiter, &timer);
    if (rc == 0)
        rc = watch(f, waiter);
    if (rc == 0) {
        rc = kt_await(waiter, NULL);
        if (rc < 0) {
            /* The waiting task was cancelled. */
            if (kt_future_done(f)) {
                rc = kt_future_result(f, value_out);
            } else {
                unwatch(f, waiter);
                cancel_and_wait(f);
                rc = KT_ECANCELLED;
            }
        } else if (kt_future_done(f)) {
            rc = kt_future_result(f, value_out);
        } else {
            unwatch(f, waiter);
            rc = cancel_and_wait(f);
            if (rc == 0) {
                rc = kt_future_result(f, value_out);
                if (rc == KT_ECANCELLED)
                    rc = KT_ETIMEDOUT;
            }
        }
    }
    kt_handle_cancel(timer);
    kt_handle_release(timer);
    kt_future_release(waiter);
    return rc;
    /* END SOLUTION */
}
/* [/book:wait_for] */
