/* future.h — a placeholder for a value that does not exist yet (Lab 04).
 *
 * A future belongs to one loop. It starts pending and ends exactly once,
 * either finished (with a result or with an error) or cancelled. Code that
 * wants to know when that happens registers a done callback; the future
 * never calls it directly but schedules it on its loop with kt_call_soon.
 * Book chapter 4 explains every rule below.
 *
 * Who writes what: functions marked [lab 04] are yours in
 * labs/04-futures/future.c; the others are given, in lib/src/future_core.c
 * (kt_future_new at the top of future.c).
 */
#ifndef KETTLE_FUTURE_H
#define KETTLE_FUTURE_H

#include <stdbool.h>

#include "kettle/loop.h"

/* [book:ownership] */
/* Ownership. A future is reference counted and freed when its last
 * reference goes. These hold one reference each:
 *   - the creator: kt_future_new hands you one; give it back with
 *     kt_future_release() when you no longer need the future;
 *   - whoever else keeps the pointer and called kt_future_ref() (a struct
 *     that stores the future, the argument of a callback you schedule);
 *   - every done callback from the moment the future completes and
 *     schedules it until it has run. So you may release a future right
 *     after kt_future_set_result: its callbacks still see a valid future.
 * A done callback that is only registered on a pending future holds no
 * reference: drop the last reference of a pending future and it is freed
 * together with its registrations, which then never run (as in asyncio,
 * where a forgotten future is simply garbage).
 *
 * When the last reference goes and the future finished with an error that
 * nobody retrieved (with kt_future_result or kt_future_error), the error is
 * reported to the loop's exception handler: "Future exception was never
 * retrieved". A cancelled future reports nothing.
 *
 * A future must not outlive its loop: release every future, and run the
 * loop until the done callbacks it owes have run, before kt_loop_close.
 * kt_loop_close counts the loop's live futures and refuses to close
 * (KT_EINVALSTATE, and a message to the exception handler) while any is
 * left. */
/* [/book:ownership] */

typedef struct kt_future kt_future;

/* A done callback: the future that completed, and the argument given when
 * the callback was added. Twin: the fn of fut.add_done_callback(fn). */
typedef void (*kt_future_done_fn)(kt_future *f, void *arg);

/* [book:lifetime] */
/* Create a pending future bound to `loop`. Returns 0 and sets *out to a
 * future holding one reference (yours), or KT_EINVAL / KT_ENOMEM.
 * Twin: loop.create_future(). [given] */
int kt_future_new(kt_loop *loop, kt_future **out);

/* Take one more reference. Returns f, so `arg = kt_future_ref(f)` reads
 * well. NULL is ignored (and returned). Twin: none; Python counts
 * references for you. [given] */
kt_future *kt_future_ref(kt_future *f);

/* Give back one reference; the last one frees the future (see Ownership
 * above). NULL is ignored. Twin: `del fut`. [given] */
void kt_future_release(kt_future *f);

/* The loop the future belongs to (NULL for NULL). Twin: fut.get_loop(). [given] */
kt_loop *kt_future_loop(const kt_future *f);
/* [/book:lifetime] */

/* [book:states] */
/* Whether the future is finished or cancelled (false for NULL).
 * Twin: fut.done(). [lab 04] */
bool kt_future_done(const kt_future *f);

/* Whether the future was cancelled (false for NULL).
 * Twin: fut.cancelled(). [lab 04] */
bool kt_future_cancelled(const kt_future *f);

/* Finish the future with `value` (any pointer, NULL too; the future does not
 * own it) and schedule its done callbacks. Returns 0, KT_EINVAL for a NULL
 * future, KT_EINVALSTATE if it is already done (finished or cancelled: a
 * future completes once), or KT_ENOMEM if a done callback could not be
 * scheduled (the future is finished all the same). A task's future is
 * refused with KT_ENOTSUPPORTED (only the task's own step finishes it, Lab
 * 05; that check is given at the top of your function).
 * Twin: fut.set_result(value). [lab 04] */
int kt_future_set_result(kt_future *f, void *value);

/* Finish the future with an error code and schedule its done callbacks.
 * `error` must be a negative code (a KT_E* code, a -errno value or your own
 * code at or below KT_EUSER); 0, a positive value and KT_ESTOP are rejected
 * with KT_EINVAL and the future stays pending (asyncio rejects StopIteration
 * the same way). Otherwise returns like kt_future_set_result.
 * Twin: fut.set_exception(exc). [lab 04] */
int kt_future_set_error(kt_future *f, int error);
/* [/book:states] */

/* [book:results] */
/* Ask for the outcome. Finished with a result: stores it in *value_out
 * (when value_out is not NULL) and returns 0. Finished with an error:
 * returns that error, and the error counts as retrieved. Cancelled:
 * KT_ECANCELLED. Still pending: KT_EINVALSTATE. NULL future: KT_EINVAL.
 * *value_out is written only when 0 is returned.
 * Twin: fut.result(), which returns the value or raises. [lab 04] */
int kt_future_result(kt_future *f, void **value_out);

/* The error the future finished with, or 0 if it finished with a result;
 * either way the error counts as retrieved. Cancelled: KT_ECANCELLED.
 * Pending: KT_EINVALSTATE. NULL: KT_EINVAL. (A future may also finish with
 * one of those codes as its error; kt_future_done and kt_future_cancelled
 * tell the cases apart.) Twin: fut.exception(). [lab 04] */
int kt_future_error(kt_future *f);
/* [/book:results] */

/* [book:callbacks] */
/* Register fn(f, arg) to run when the future completes. Callbacks are
 * scheduled with kt_call_soon, in registration order, at the moment the
 * future completes, and never called from inside set_result, set_error or
 * cancel. Adding a callback to a future that is already done schedules it
 * at once. The same (fn, arg) may be added more than once and then runs
 * once per registration. Returns 0, KT_EINVAL for a NULL future or fn, or
 * KT_ENOMEM. Twin: fut.add_done_callback(fn). [lab 04] */
int kt_future_add_done_callback(kt_future *f, kt_future_done_fn fn, void *arg);

/* Unregister every registration of the pair (fn, arg) that has not been
 * scheduled yet. Returns how many were removed (0 if none), or KT_EINVAL for
 * a NULL future or fn. Once the future is done its callbacks are already
 * scheduled, so this returns 0 and they run anyway.
 * Twin: fut.remove_done_callback(fn). [lab 04] */
int kt_future_remove_done_callback(kt_future *f, kt_future_done_fn fn, void *arg);
/* [/book:callbacks] */

/* [book:cancel] */
/* Cancel the future. A pending future becomes cancelled at once, its done
 * callbacks are scheduled, and 1 is returned. A future that is already done
 * (finished or cancelled) is left unchanged and 0 is returned. `msg` is an
 * optional reason (NULL for none) kept for kt_future_cancel_message; it is
 * not copied, so pass a string that lives as long as the future, such as a
 * literal. Returns KT_EINVAL for NULL. Tasks (Lab 05) cancel differently:
 * this call goes through the future's class (see future_impl.h).
 * Twin: fut.cancel(msg=None) -> True/False. [given: it calls your
 * kt__future_cancel for a plain future] */
int kt_future_cancel(kt_future *f, const char *msg);

/* The message given to the cancel that cancelled the future, or NULL (no
 * message, not cancelled, or NULL future). Twin: the args of the
 * CancelledError that fut.result() raises. [given] */
const char *kt_future_cancel_message(const kt_future *f);
/* [/book:cancel] */

#endif
