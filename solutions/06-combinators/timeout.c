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
    /* BEGIN SOLUTION
     * TODO(lab 06): cancel the task (kt_task_cancel), the block is now
     * expiring, and the timer is spent (release it, forget it).
     * starter: (void)cm;
     */
    kt_task_cancel(cm->task, NULL);
    cm->state = TIMEOUT_EXPIRING;
    kt_handle_release(cm->timer);
    cm->timer = NULL;
    /* END SOLUTION */
}
/* [/book:on_timeout] */

/* [book:reschedule] */
int kt_timeout_reschedule(kt_timeout *cm, double when)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): KT_EINVAL for NULL or NaN; KT_EINVALSTATE unless
     * active. Keep the new deadline, disarm the old timer, and arm a new
     * one: none for +INFINITY, kt_call_soon for a deadline at or before
     * now, kt_call_at otherwise (book §6.8).
     * starter: (void)cm; (void)when; (void)on_timeout; (void)disarm;
     * starter: return KT_ENOTIMPL;
     */
    if (cm == NULL || isnan(when))
        return KT_EINVAL;
    if (cm->state != TIMEOUT_ACTIVE)
        return KT_EINVALSTATE;
    cm->when = when;
    disarm(cm);
    if (isinf(when) && when > 0)
        return 0;
    if (when <= kt_loop_time(cm->loop))
        return kt_call_soon(cm->loop, on_timeout, cm, &cm->timer);
    return kt_call_at(cm->loop, when, on_timeout, cm, &cm->timer);
    /* END SOLUTION */
}
/* [/book:reschedule] */

/* [book:enter] */
int kt_timeout_enter_at(kt_timeout **out, double when)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): set *out to NULL; KT_EINVAL for NULL out or NaN;
     * KT_ENOTCORO outside a task's coroutine (kt__coro_task). Allocate the
     * timeout, active, with a reference to the task and its loop, and arm
     * it with kt_timeout_reschedule (on failure free it and return the
     * error).
     * starter: if (out != NULL) *out = NULL;
     * starter: (void)when;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (isnan(when))
        return KT_EINVAL;
    kt_task *t = kt__coro_task();
    if (t == NULL)
        return KT_ENOTCORO;
    kt_timeout *cm = calloc(1, sizeof *cm);
    if (cm == NULL)
        return KT_ENOMEM;
    cm->state = TIMEOUT_ACTIVE;
    cm->task = kt_task_ref(t);
    cm->loop = kt_future_loop(kt_task_future(t));
    int rc = kt_timeout_reschedule(cm, when);
    if (rc < 0) {
        kt_timeout_release(cm);
        return rc;
    }
    *out = cm;
    return 0;
    /* END SOLUTION */
}

int kt_timeout_enter(kt_timeout **out, double delay)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): kt_timeout_enter_at with now + delay (NaN stays NaN,
     * INFINITY stays INFINITY). Outside a task there is no loop to ask the
     * time: KT_ENOTCORO (after the NULL and NaN checks).
     * starter: if (out != NULL) *out = NULL;
     * starter: (void)delay;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (isnan(delay))
        return KT_EINVAL;
    kt_loop *loop = kt_get_running_loop();
    if (loop == NULL || kt__coro_task() == NULL)
        return KT_ENOTCORO;
    return kt_timeout_enter_at(out, kt_loop_time(loop) + delay);
    /* END SOLUTION */
}
/* [/book:enter] */

/* [book:exit] */
int kt_timeout_exit(kt_timeout *cm, int rc)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): KT_EINVAL for NULL; KT_EINVALSTATE unless active or
     * expiring, or when the caller is not the task that entered. Disarm.
     * Expiring: now expired; take the timeout's cancel request back
     * (kt_task_uncancel) and if none is left and rc is KT_ECANCELLED,
     * return KT_ETIMEDOUT. Active: now finished. Otherwise return rc
     * (book §6.8).
     * starter: (void)cm; (void)rc;
     * starter: return KT_ENOTIMPL;
     */
    if (cm == NULL)
        return KT_EINVAL;
    if ((cm->state != TIMEOUT_ACTIVE && cm->state != TIMEOUT_EXPIRING) || kt__coro_task() != cm->task)
        return KT_EINVALSTATE;
    disarm(cm);
    if (cm->state == TIMEOUT_EXPIRING) {
        cm->state = TIMEOUT_EXPIRED;
        if (kt_task_uncancel(cm->task) == 0 && rc == KT_ECANCELLED)
            return KT_ETIMEDOUT;
        return rc;
    }
    cm->state = TIMEOUT_FINISHED;
    return rc;
    /* END SOLUTION */
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
