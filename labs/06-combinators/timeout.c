/* timeout.c — Lab 06: asyncio.timeout and timeout_at (read book §6.8).
 *
 * A deadline is one timer. When it fires, it cancels the task that entered
 * the block and notes that the block is expiring. At the block's exit, the
 * timeout takes its own cancel request back (kt_task_uncancel), and only
 * if no other request is left does it turn the KT_ECANCELLED that came out
 * of the block into KT_ETIMEDOUT. That last rule is what makes nesting and
 * outside cancels work.
 *
 * Given to you: the struct, kt_timeout_when, kt_timeout_expired and
 * kt_timeout_release. Yours: on_timeout, kt_timeout_reschedule,
 * kt_timeout_enter, kt_timeout_enter_at, kt_timeout_exit.
 */
#include <math.h>
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/timeout.h"

/* [book:struct] */
typedef enum timeout_state {
    TIMEOUT_ACTIVE,   /* "active": entered, deadline armed or none */
    TIMEOUT_EXPIRING, /* "expiring": the deadline fired, the task is cancelled */
    TIMEOUT_EXPIRED,  /* "expired": exited after the deadline fired */
    TIMEOUT_FINISHED, /* "finished": exited before the deadline */
} timeout_state;

struct kt_timeout {
    timeout_state state;
    kt_task *task;     /* the task that entered: a reference */
    kt_loop *loop;
    double when;       /* the deadline, INFINITY for none */
    kt_handle *timer;  /* _timeout_handler: armed deadline, or NULL */
};
/* [/book:struct] */

/* Cancel and forget the armed timer, if any. [given] */
static void disarm(kt_timeout *cm)
{
    if (cm->timer != NULL) {
        kt_handle_cancel(cm->timer);
        kt_handle_release(cm->timer);
        cm->timer = NULL;
    }
}

/* [book:on_timeout] */
/* The deadline. Twin: Timeout._on_timeout. */
static void on_timeout(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_timeout *cm = arg;
    /* TODO(lab 06): cancel the task (kt_task_cancel), the block is now
     * expiring, and the timer is spent (release it, forget it).
     */
    (void)cm;
}
/* [/book:on_timeout] */

/* [book:reschedule] */
int kt_timeout_reschedule(kt_timeout *cm, double when)
{
    /* TODO(lab 06): KT_EINVAL for NULL or NaN; KT_EINVALSTATE unless
     * active. Keep the new deadline, disarm the old timer, and arm a new
     * one: none for +INFINITY, kt_call_soon for a deadline at or before
     * now, kt_call_at otherwise (book §6.8).
     */
    (void)cm; (void)when; (void)on_timeout; (void)disarm;
    return KT_ENOTIMPL;
}
/* [/book:reschedule] */

/* [book:enter] */
int kt_timeout_enter_at(kt_timeout **out, double when)
{
    /* TODO(lab 06): set *out to NULL; KT_EINVAL for NULL out or NaN;
     * KT_ENOTCORO outside a task's coroutine (kt__coro_task). Allocate the
     * timeout, active, with a reference to the task and its loop, and arm
     * it with kt_timeout_reschedule (on failure free it and return the
     * error).
     */
    if (out != NULL) *out = NULL;
    (void)when;
    return KT_ENOTIMPL;
}

int kt_timeout_enter(kt_timeout **out, double delay)
{
    /* TODO(lab 06): kt_timeout_enter_at with now + delay (NaN stays NaN,
     * INFINITY stays INFINITY). Outside a task there is no loop to ask the
     * time: KT_ENOTCORO (after the NULL and NaN checks).
     */
    if (out != NULL) *out = NULL;
    (void)delay;
    return KT_ENOTIMPL;
}
/* [/book:enter] */

/* [book:exit] */
int kt_timeout_exit(kt_timeout *cm, int rc)
{
    /* TODO(lab 06): KT_EINVAL for NULL; KT_EINVALSTATE unless active or
     * expiring, or when the caller is not the task that entered. Disarm.
     * Expiring: now expired; take the timeout's cancel request back
     * (kt_task_uncancel) and if none is left and rc is KT_ECANCELLED,
     * return KT_ETIMEDOUT. Active: now finished. Otherwise return rc
     * (book §6.8).
     */
    (void)cm; (void)rc;
    return KT_ENOTIMPL;
}
/* [/book:exit] */

double kt_timeout_when(const kt_timeout *cm)
{
    return cm != NULL ? cm->when : NAN;
}

bool kt_timeout_expired(const kt_timeout *cm)
{
    return cm != NULL && (cm->state == TIMEOUT_EXPIRING || cm->state == TIMEOUT_EXPIRED);
}

void kt_timeout_release(kt_timeout *cm)
{
    if (cm == NULL)
        return;
    disarm(cm);
    kt_task_release(cm->task);
    free(cm);
}
