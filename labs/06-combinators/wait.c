/* wait.c — Lab 06: asyncio.wait (read book §6.4).
 *
 * kt_wait parks the calling coroutine on a private future, the waiter. A
 * done callback on each distinct future counts them down and releases the
 * waiter when the mode is satisfied; a timer releases it on the timeout.
 * Then the futures are sorted into done and pending. Nothing is ever
 * cancelled but the waiter.
 *
 * Given to you: the shared state and its reference count (a callback that
 * was already scheduled when kt_wait returns still runs afterwards, so the
 * state cannot live on the coroutine's stack), release_waiter. Yours:
 * on_completion and kt_wait.
 */
#include <math.h>
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* [book:state] */
typedef struct wait_state {
    int refs;            /* kt_wait's own + one per registered callback */
    kt_future *waiter;   /* done when kt_wait may return */
    kt_handle *timer;    /* the timeout, or NULL */
    size_t counter;      /* distinct futures not done yet */
    kt_wait_mode mode;
} wait_state;
/* [/book:state] */

static void state_release(wait_state *ws)
{
    if (--ws->refs == 0) {
        kt_future_release(ws->waiter);
        free(ws);
    }
}

/* The timer's callback, and what on_completion calls: let kt_wait go on.
 * Twin: tasks._release_waiter. [given] */
static void release_waiter(kt_loop *loop, void *arg)
{
    (void)loop;
    wait_state *ws = arg;
    if (!kt_future_done(ws->waiter))
        kt_future_set_result(ws->waiter, NULL);
}

/* [book:on_completion] */
/* The done callback of each distinct future. Twin: _wait's _on_completion. */
static void on_completion(kt_future *f, void *arg)
{
    wait_state *ws = arg;
    /* TODO(lab 06): count f down; release the waiter (and cancel the timer)
     * when none is left, in KT_FIRST_COMPLETED mode, or in
     * KT_FIRST_EXCEPTION mode when f failed (an error, not a cancellation:
     * kt_future_error). Finally drop the reference this registration held
     * on the state (state_release) (book §6.4).
     */
    (void)f; (void)ws; (void)release_waiter; (void)state_release;
}
/* [/book:on_completion] */

/* [book:wait] */
int kt_wait(kt_future *const *fs, size_t n, kt_wait_mode mode, double timeout,
            kt_wait_sets *sets)
{
    /* TODO(lab 06): KT_EINVAL for NULL sets, n == 0 (asyncio's "Set of
     * Tasks/Futures is empty."), an unknown mode or a NaN timeout;
     * KT_ENOTCORO outside a task's coroutine (kt__coro_task); then
     * kt__check_futures against the task's loop. Make the state (refs 1)
     * and its waiter future; for a finite timeout, a timer
     * (kt_call_later, a negative timeout counts as 0) that calls
     * release_waiter. Add on_completion once to each distinct future
     * (kt__first_occurrences; refs++ for each), kt_await the waiter, then
     * whatever happened: cancel and release the timer, remove the callbacks
     * that did not run (kt_future_remove_done_callback says how many: one
     * state reference each), and sort the distinct futures into
     * sets->done and sets->pending in argument order. Return 0, or the
     * await's error (KT_ECANCELLED) after that clean-up.
     */
    (void)fs; (void)n; (void)mode; (void)timeout; (void)sets;
    (void)on_completion;
    return KT_ENOTIMPL;
}
/* [/book:wait] */
