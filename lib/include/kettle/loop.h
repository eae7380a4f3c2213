/* loop.h — the event loop: callbacks and timers (Lab 01).
 *
 * A loop owns a FIFO queue of ready callbacks and a heap of timers. Each
 * turn of the loop (one "iteration", kt_loop_run_once) runs the callbacks
 * that were ready when the turn began; anything scheduled during the turn
 * waits for the next one. Book chapter 1 explains every rule below.
 *
 * Ownership. A handle (a scheduled callback) is reference counted. The loop
 * holds one reference while the handle is queued. If you pass a non-NULL
 * `handle_out` you get a second reference and must give it back with
 * kt_handle_release() when you no longer need the handle; until then the
 * handle stays valid, so cancelling a handle whose callback already ran is
 * harmless. Pass NULL when you will never cancel the callback.
 *
 * Who writes what: functions marked [lab 01] are yours in
 * labs/01-callbacks/loop.c; the others are given in lib/src/loop_core.c.
 */
#ifndef KETTLE_LOOP_H
#define KETTLE_LOOP_H

#include <stdbool.h>

#include "kettle/clock.h"

typedef struct kt_loop kt_loop;
typedef struct kt_handle kt_handle;

/* A callback: the loop that runs it, and the argument given at scheduling. */
typedef void (*kt_callback_fn)(kt_loop *loop, void *arg);

/* Create a loop with a real or a virtual clock (see clock.h).
 * Returns 0 and sets *out, or KT_EINVAL / KT_ENOMEM.
 * Twin: asyncio.new_event_loop(). [given] */
int kt_loop_new(kt_loop **out, kt_clock_kind clock);

/* Close and free the loop. Pending callbacks and timers are dropped without
 * running; handles you still hold stay valid (cancelling them does nothing).
 * Returns 0, KT_EINVAL for NULL, KT_ERUNNING if the loop is running, or
 * KT_EINVALSTATE while futures of the loop are still alive (Lab 04: release
 * them first; the exception handler is told too). On an error the loop is
 * left untouched. Twin: loop.close(). [given] */
int kt_loop_close(kt_loop *loop);

/* The loop's current time in seconds. Twin: loop.time(). [given] */
double kt_loop_time(const kt_loop *loop);

/* Whether kt_run_forever (or a run_until_complete) is running this loop.
 * Twin: loop.is_running(). [given] */
bool kt_loop_is_running(const kt_loop *loop);

/* Schedule cb(loop, arg) to run on the next iteration, after every callback
 * already scheduled (FIFO). With handle_out not NULL, *handle_out gets a
 * reference of the caller's own (kt_handle_release it); on any error it is
 * set to NULL. Returns 0, KT_EINVAL for a NULL loop or cb, or KT_ENOMEM.
 * Twin: loop.call_soon(callback, *args). [lab 01] */
int kt_call_soon(kt_loop *loop, kt_callback_fn cb, void *arg, kt_handle **handle_out);

/* Schedule cb(loop, arg) to run at loop time `when` (or as soon after it as
 * the loop gets to it). Timers with equal deadlines run in the order they
 * were scheduled. handle_out as for kt_call_soon. Returns 0, KT_EINVAL for
 * NULL loop or cb, or a `when` that is NaN or infinite, or KT_ENOMEM.
 * Twin: loop.call_at(when, callback, *args). [lab 01] */
int kt_call_at(kt_loop *loop, double when, kt_callback_fn cb, void *arg, kt_handle **handle_out);

/* Schedule cb(loop, arg) `delay` seconds from now. A delay of 0 is still a
 * timer: it runs after the callbacks already ready. handle_out as for
 * kt_call_soon. Returns 0, KT_EINVAL for NULL loop or cb, or a delay that is
 * negative, NaN or infinite (CPython quietly accepts negative delays; Kettle
 * calls them a bug), or KT_ENOMEM.
 * Twin: loop.call_later(delay, callback, *args). [lab 01] */
int kt_call_later(kt_loop *loop, double delay, kt_callback_fn cb, void *arg, kt_handle **handle_out);

/* Cancel the callback: it will not run. Cancelling twice, or after the
 * callback ran, is harmless. A cancelled timer leaves the heap at once
 * (O(log n)). Returns 0, or KT_EINVAL for NULL. Twin: Handle.cancel(). [lab 01] */
int kt_handle_cancel(kt_handle *handle);

/* Whether the handle was cancelled. Twin: Handle.cancelled(). [given] */
bool kt_handle_cancelled(const kt_handle *handle);

/* A timer's deadline in loop time (0.0 for a call_soon handle).
 * Twin: TimerHandle.when(). [given] */
double kt_handle_when(const kt_handle *handle);

/* Give back the reference that handle_out gave you. NULL is ignored. [given] */
void kt_handle_release(kt_handle *handle);

/* Run one iteration: wait for timers (and, from Lab 02, I/O) if nothing is
 * ready, move due timers to the ready queue, then run exactly the callbacks
 * that were ready at that moment. Returns 0, KT_EINVAL for NULL, or
 * KT_EDEADLOCK when nothing is ready, scheduled or watched (waiting would
 * never end). Twin: BaseEventLoop._run_once(), private in CPython and
 * public here so tests and readers can step the loop by hand. [lab 01] */
int kt_loop_run_once(kt_loop *loop);

/* Run iterations until kt_loop_stop(). Returns 0 after a stop, KT_EINVAL for
 * NULL, KT_ERUNNING if the loop is already running (say, called from one of
 * its own callbacks), or KT_EDEADLOCK if the loop runs out of work without
 * being stopped (CPython would sleep forever instead).
 * Twin: loop.run_forever(). [lab 01] */
int kt_run_forever(kt_loop *loop);

/* Ask the loop to stop: the current iteration finishes, then kt_run_forever
 * returns. Called before kt_run_forever, it makes the next run do exactly
 * one iteration. Returns 0 or KT_EINVAL. Twin: loop.stop(). [lab 01] */
int kt_loop_stop(kt_loop *loop);

/* Errors that have no caller to return to (a done callback's lost error, a
 * future whose error nobody retrieved) go to the loop's exception handler.
 * Twin: the context dict of loop.call_exception_handler(). */
typedef struct kt_error_context {
    const char *message; /* what happened, e.g. "Future exception was never retrieved" */
    int error;           /* the error code involved, or 0 */
    const void *object;  /* the future, task or handle involved, or NULL */
} kt_error_context;

typedef void (*kt_exception_handler_fn)(kt_loop *loop, const kt_error_context *ctx, void *arg);

/* Install a handler (NULL restores the default, which prints to stderr).
 * Twin: loop.set_exception_handler(). [given] */
void kt_loop_set_exception_handler(kt_loop *loop, kt_exception_handler_fn fn, void *arg);

/* Report an error to the handler. Twin: loop.call_exception_handler(). [given] */
void kt_loop_call_exception_handler(kt_loop *loop, const kt_error_context *ctx);

#endif
