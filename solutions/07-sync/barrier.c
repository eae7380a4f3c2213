/* barrier.c — Lab 07: asyncio.Barrier (Python 3.11), built on a Condition
 * (book §7.8).
 *
 * The barrier is a small state machine guarded by its condition's lock:
 * FILLING (parties arrive), DRAINING (the last one arrived, everyone is
 * leaving), RESETTING (reset while parties wait), BROKEN (aborted). A task
 * that arrives while the previous round drains waits until it is empty, so
 * rounds never mix. Every function here is CPython's, line for line.
 */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

int kt_barrier_new(kt_loop *loop, unsigned parties, kt_barrier **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for a NULL loop or out or parties == 0; calloc,
     * make its condition (kt_condition_new with its own lock), state FILLING.
     * starter: (void)loop; (void)parties;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL || parties == 0)
        return KT_EINVAL;
    kt_barrier *b = calloc(1, sizeof *b);
    if (b == NULL)
        return KT_ENOMEM;
    int rc = kt_condition_new(loop, NULL, &b->cond);
    if (rc < 0) {
        free(b);
        return rc;
    }
    b->loop = loop;
    b->parties = parties;
    b->state = KT_BARRIER_FILLING;
    *out = b;
    return 0;
    /* END SOLUTION */
}

int kt_barrier_free(kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0, free the
     * condition and the barrier.
     * starter: (void)barrier;
     * starter: return KT_ENOTIMPL;
     */
    if (barrier == NULL)
        return KT_EINVAL;
    if (barrier->users > 0)
        return KT_EINVALSTATE;
    int rc = kt_condition_free(barrier->cond);
    if (rc < 0)
        return rc;
    free(barrier);
    return 0;
    /* END SOLUTION */
}

/* The predicates of CPython's _block and _wait. */
KT_SYNC_HELPER static bool not_draining_or_resetting(void *arg)
{
    const kt_barrier *b = arg;
    return b->state != KT_BARRIER_DRAINING && b->state != KT_BARRIER_RESETTING;
}

KT_SYNC_HELPER static bool not_filling(void *arg)
{
    const kt_barrier *b = arg;
    return b->state != KT_BARRIER_FILLING;
}

/* Take the barrier's lock ("async with self._cond"), counted in users. */
KT_SYNC_HELPER static int enter(kt_barrier *b)
{
    int rc = kt__sync_check_blocking(b->loop);
    if (rc < 0)
        return rc;
    b->users++;
    rc = kt_lock_acquire(b->cond->lock);
    if (rc < 0)
        b->users--;
    return rc;
}

KT_SYNC_HELPER static void leave(kt_barrier *b)
{
    kt_lock_release(b->cond->lock);
    b->users--;
}

/* [book:wait] */
int kt_barrier_wait(kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL; enter (take the lock). Block: wait_for the
     * state to be neither DRAINING nor RESETTING; BROKEN -> leave and return
     * KT_EBROKENBARRIER. Then index = count++. The last party (index + 1 ==
     * parties) sets DRAINING and notifies all; the others wait_for the state
     * to leave FILLING and fail with KT_EBROKENBARRIER if it is BROKEN or
     * RESETTING. Either way (error or not): count--, and if count is 0 turn
     * DRAINING or RESETTING back into FILLING and notify all. Leave; return
     * the index or the error (book §7.8; asyncio's wait, _block, _release,
     * _wait, _exit).
     * starter: (void)barrier;
     * starter: return KT_ENOTIMPL;
     */
    if (barrier == NULL)
        return KT_EINVAL;
    kt_barrier *b = barrier;
    int rc = enter(b);
    if (rc < 0)
        return rc;
    rc = kt_condition_wait_for(b->cond, not_draining_or_resetting, b);
    if (rc == 0 && b->state == KT_BARRIER_BROKEN)
        rc = KT_EBROKENBARRIER;
    if (rc < 0) {
        leave(b);
        return rc;
    }
    unsigned index = b->count++;
    if (index + 1 == b->parties) {
        b->state = KT_BARRIER_DRAINING;
        kt_condition_notify_all(b->cond);
    } else {
        rc = kt_condition_wait_for(b->cond, not_filling, b);
        if (rc == 0 && (b->state == KT_BARRIER_BROKEN || b->state == KT_BARRIER_RESETTING))
            rc = KT_EBROKENBARRIER;
    }
    b->count--;
    if (b->count == 0) {
        if (b->state == KT_BARRIER_RESETTING || b->state == KT_BARRIER_DRAINING)
            b->state = KT_BARRIER_FILLING;
        kt_condition_notify_all(b->cond);
    }
    leave(b);
    return rc < 0 ? rc : (int)index;
    /* END SOLUTION */
}
/* [/book:wait] */

int kt_barrier_abort(kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL; enter; state BROKEN; notify all; leave.
     * starter: (void)barrier;
     * starter: return KT_ENOTIMPL;
     */
    if (barrier == NULL)
        return KT_EINVAL;
    int rc = enter(barrier);
    if (rc < 0)
        return rc;
    barrier->state = KT_BARRIER_BROKEN;
    kt_condition_notify_all(barrier->cond);
    leave(barrier);
    return 0;
    /* END SOLUTION */
}

int kt_barrier_reset(kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL; enter; RESETTING if parties are inside
     * (count > 0), else FILLING; notify all; leave.
     * starter: (void)barrier;
     * starter: return KT_ENOTIMPL;
     */
    if (barrier == NULL)
        return KT_EINVAL;
    int rc = enter(barrier);
    if (rc < 0)
        return rc;
    barrier->state = barrier->count > 0 ? KT_BARRIER_RESETTING : KT_BARRIER_FILLING;
    kt_condition_notify_all(barrier->cond);
    leave(barrier);
    return 0;
    /* END SOLUTION */
}

unsigned kt_barrier_parties(const kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): parties (0 for NULL).
     * starter: (void)barrier;
     * starter: return 0;
     */
    return barrier == NULL ? 0 : barrier->parties;
    /* END SOLUTION */
}

unsigned kt_barrier_n_waiting(const kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): count while FILLING, else 0 (0 for NULL).
     * starter: (void)barrier;
     * starter: return 0;
     */
    return barrier != NULL && barrier->state == KT_BARRIER_FILLING ? barrier->count : 0;
    /* END SOLUTION */
}

bool kt_barrier_broken(const kt_barrier *barrier)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): state BROKEN (false for NULL).
     * starter: (void)barrier;
     * starter: return false;
     */
    return barrier != NULL && barrier->state == KT_BARRIER_BROKEN;
    /* END SOLUTION */
}
