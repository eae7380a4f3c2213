/* timeout.h — a deadline on a block of the current task (Lab 06).
 *
 * asyncio 3.11's `async with asyncio.timeout(delay):` puts a deadline on a
 * block of code. When the deadline passes, the task running the block is
 * cancelled; the block's own exit turns that cancellation (and only that
 * one) into TimeoutError. C has no `async with`, so the block is bracketed
 * by two calls, and the block's outcome goes through the second one:
 *
 *     Python                                   Kettle
 *     async with asyncio.timeout(2.0) as cm:   kt_timeout *cm;
 *         await body()                         int rc = kt_timeout_enter(&cm, 2.0);
 *                                              if (rc < 0) return rc;
 *                                              rc = body();          // awaits
 *                                              rc = kt_timeout_exit(cm, rc);
 *     cm.expired()                             kt_timeout_expired(cm)
 *                                              kt_timeout_release(cm);
 *
 * States (twin: timeouts._State): active (entered) -> expiring (the
 * deadline fired and cancelled the task) -> expired (exited after it
 * fired), or active -> finished (exited before the deadline).
 *
 * Ownership: kt_timeout_enter hands you the only reference; give it back
 * with kt_timeout_release after kt_timeout_exit (the object stays readable
 * in between, so kt_timeout_expired works after the block, as in Python).
 * The loop's timer holds no reference: exit cancels it, and releasing a
 * timeout that was never exited cancels it too (its deadline no longer
 * applies; a cancellation it already caused stays requested).
 *
 * Who writes what: functions marked [lab 06] are yours in
 * labs/06-combinators/timeout.c; the ones marked [given] are at the
 * bottom of that file, outside the solution markers.
 */
#ifndef KETTLE_TIMEOUT_H
#define KETTLE_TIMEOUT_H

#include <stdbool.h>

typedef struct kt_timeout kt_timeout;

/* [book:enter] */
/* From inside a task's coroutine: start a block with a deadline `delay`
 * seconds of loop time from now (kt_timeout_enter) or at loop time `when`
 * (kt_timeout_enter_at). INFINITY means no deadline (Python's None); a
 * deadline at or before now is not an error: the expiry is scheduled with
 * kt_call_soon, so the block runs until its first real suspension, which is
 * cancelled (book §6.8). Nothing is cancelled by entering.
 * Returns 0 and sets *out, or KT_EINVAL (NULL out, NaN delay or when),
 * KT_ENOTCORO outside a task's coroutine (asyncio: "Timeout should be used
 * inside a task"), KT_ENOMEM. *out is NULL after an error.
 * Twins: `async with asyncio.timeout(delay) as cm` and
 * `async with asyncio.timeout_at(when) as cm` (timeout() + __aenter__). [lab 06] */
int kt_timeout_enter(kt_timeout **out, double delay);
int kt_timeout_enter_at(kt_timeout **out, double when);

/* End the block. `rc` is the block's outcome (0, or the error its body
 * ended with); the return value is the outcome of the whole block:
 *   - the deadline did not fire: rc, unchanged (an error passes through);
 *   - it fired: the task's cancel request that it made is taken back
 *     (kt_task_uncancel), and if no other request is left and rc is
 *     KT_ECANCELLED, KT_ETIMEDOUT; otherwise rc (a body that swallowed the
 *     cancellation ends normally; a cancellation from someone else, or an
 *     outer timeout, passes through as KT_ECANCELLED: book §6.8).
 * Either way the timer is cancelled. Must be called from the task that
 * entered. Returns KT_EINVAL for NULL, KT_EINVALSTATE if the block was
 * already exited or the caller is another task (rc is lost then).
 * Twin: Timeout.__aexit__. [lab 06] */
int kt_timeout_exit(kt_timeout *cm, int rc);
/* [/book:enter] */

/* [book:reschedule] */
/* Move the deadline to loop time `when` (INFINITY: no deadline; at or
 * before now: expire on the next iteration). Only while the block is
 * active: KT_EINVALSTATE once it is expiring, expired or finished
 * (asyncio: "Cannot change state of expired Timeout"); KT_EINVAL for NULL
 * or NaN. Returns 0. Twin: Timeout.reschedule(when). [lab 06] */
int kt_timeout_reschedule(kt_timeout *cm, double when);

/* The deadline in loop time (INFINITY: none; NAN for NULL).
 * Twin: Timeout.when(). [given] */
double kt_timeout_when(const kt_timeout *cm);

/* Whether the deadline fired during the block (expiring or expired; false
 * for NULL). Twin: Timeout.expired(). [given] */
bool kt_timeout_expired(const kt_timeout *cm);

/* Give back the reference kt_timeout_enter gave. NULL is ignored. A block
 * that was never exited has its timer cancelled first. [given] */
void kt_timeout_release(kt_timeout *cm);
/* [/book:reschedule] */

#endif
