/* loop.c — Lab 01: callbacks and timers.
 *
 * The event loop's heart: a FIFO queue of ready callbacks, a heap of
 * timers, and one iteration (kt_loop_run_once) that decides how long to
 * wait, waits, moves due timers to the ready queue and runs exactly the
 * callbacks that were ready when it began. Book chapter 1 walks through it;
 * CPython's twin is BaseEventLoop in Lib/asyncio/base_events.py.
 *
 * Given to you (lib/src/loop_core.c): kt_loop_new/close, kt_loop_time,
 * kt__handle_new/ref/unref, and kt__loop_wait, the only place the loop
 * waits. The struct fields you need are in kettle/loop_impl.h.
 */
#include <math.h>
#include <stddef.h>

#include "kettle/errors.h"
#include "kettle/loop_impl.h"

/* Hand the caller its own reference to h, if it asked for one. */
static void give_handle(kt_handle *h, kt_handle **handle_out)
{
    if (handle_out == NULL)
        return;
    /* TODO(lab 01): the caller asked for the handle: take a second reference
     * (kt__handle_ref) so the handle outlives the loop's use of it, and store it.
     */
    (void)h;
    *handle_out = NULL;
}

/* [book:call_soon] */
int kt_call_soon(kt_loop *loop, kt_callback_fn cb, void *arg, kt_handle **handle_out)
{
    if (handle_out != NULL)
        *handle_out = NULL;
    /* TODO(lab 01): reject a NULL loop or callback with KT_EINVAL; make a
     * handle with kt__handle_new (KT_ENOMEM if that fails); append it to the
     * end of loop->ready (kt_list_push_back on its `link`); give_handle().
     */
    (void)loop; (void)cb; (void)arg; (void)give_handle;
    return KT_ENOTIMPL;
}
/* [/book:call_soon] */

/* [book:call_at] */
int kt_call_at(kt_loop *loop, double when, kt_callback_fn cb, void *arg, kt_handle **handle_out)
{
    if (handle_out != NULL)
        *handle_out = NULL;
    /* TODO(lab 01): reject a NULL loop or callback, and a `when` that is not
     * finite (isfinite), with KT_EINVAL. Make a handle, mark it is_timer, and
     * push its `timer` node onto loop->timers with key `when`
     * (kt_heap_push; on failure drop the handle and return the error).
     * Then give_handle().
     */
    (void)loop; (void)when; (void)cb; (void)arg;
    return KT_ENOTIMPL;
}
/* [/book:call_at] */

int kt_call_later(kt_loop *loop, double delay, kt_callback_fn cb, void *arg, kt_handle **handle_out)
{
    if (handle_out != NULL)
        *handle_out = NULL;
    /* TODO(lab 01): a delay that is negative, NaN or infinite is KT_EINVAL
     * (so is a NULL loop); otherwise this is kt_call_at at now + delay.
     */
    (void)loop; (void)delay; (void)cb; (void)arg;
    return KT_ENOTIMPL;
}

/* [book:cancel] */
int kt_handle_cancel(kt_handle *h)
{
    if (h == NULL)
        return KT_EINVAL;
    /* TODO(lab 01): mark the handle cancelled. If the loop still holds it —
     * queued in a ready list (kt_list_node_linked) or waiting in the timer
     * heap (kt_heap_node_queued) — take it out now and drop the loop's
     * reference. Cancelling twice, or after the callback ran, must do nothing
     * more. Careful: h->loop is NULL once the loop has been closed.
     */
    return KT_ENOTIMPL;
}
/* [/book:cancel] */

/* [book:timeout] */
/* How long the coming wait may last: not at all when callbacks are ready or
 * a stop was asked for; until the earliest timer if there is one; else for
 * ever (-1). */
static double compute_timeout(const kt_loop *loop)
{
    /* TODO(lab 01): return 0 if loop->ready is not empty or loop->stopping is
     * set; else, if a timer is waiting (kt_heap_peek), the time until its
     * deadline (never negative); else -1.
     */
    (void)loop;
    return 0;
}
/* [/book:timeout] */

/* [book:due] */
/* Move every timer whose deadline has come to the end of the ready queue.
 * All due timers are collected before any of them runs, so a timer that
 * re-arms itself at zero delay lands in the heap for the next iteration
 * and cannot starve the loop. */
static void collect_due_timers(kt_loop *loop)
{
    /* TODO(lab 01): while the earliest timer's deadline is <= the loop time,
     * pop it from the heap and append its handle to loop->ready (the loop's
     * reference moves with it). kt_container_of turns the heap node back into
     * its kt_handle.
     */
    (void)loop;
}
/* [/book:due] */

/* [book:run_once] */
int kt_loop_run_once(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    /* TODO(lab 01): one iteration, in CPython's order, numbered as the
     * phases of the picture in book §1.3:
     * 1.    the timeout: compute_timeout(loop);
     * 2+3.  wait: kt__loop_wait(loop, timeout); return its error;
     * 4.    collect_due_timers(loop);
     * 5a.   snapshot: move the whole ready queue onto a local list
     * (kt_list_splice_back), so callbacks scheduled while these run
     * wait for the next iteration;
     * 5b.   run: pop each handle, skip it if cancelled, else call
     * h->cb(loop, h->arg), and drop the loop's reference
     * (kt__handle_unref) afterwards;
     * then count the iteration in loop->iterations.
     */
    (void)compute_timeout; (void)collect_due_timers;
    return KT_ENOTIMPL;
}
/* [/book:run_once] */

/* [book:run_forever] */
int kt_run_forever(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    /* TODO(lab 01): refuse to run a loop that is already running
     * (KT_ERUNNING). Otherwise mark it running and run iterations until one
     * fails or loop->stopping is set after an iteration. On the way out,
     * clear both `running` and `stopping`, and return 0 or the error.
     */
    return KT_ENOTIMPL;
}
/* [/book:run_forever] */

int kt_loop_stop(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    /* TODO(lab 01): ask for a stop: set loop->stopping. The current iteration
     * still finishes; kt_run_forever checks the flag between iterations.
     */
    return KT_ENOTIMPL;
}
