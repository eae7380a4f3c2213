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
    /* TODO(lab 07): KT_EINVAL for a NULL loop or out or parties == 0; calloc,
     * make its condition (kt_condition_new with its own lock), state FILLING.
     */
    (void)loop; (void)parties;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}

int kt_barrier_free(kt_barrier *barrier)
{
    /* TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0, free the
     * condition and the barrier.
     */
    (void)barrier;
    return KT_ENOTIMPL;
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
    /* TODO(lab 07): KT_EINVAL; enter (take the lock). Block: wait_for the
     * state to be neither DRAINING nor RESETTING; BROKEN -> leave and return
     * KT_EBROKENBARRIER. Then index = count++. The last party (index + 1 ==
     * parties) sets DRAINING and notifies all; the others wait_for the state
     * to leave FILLING and fail with KT_EBROKENBARRIER if it is BROKEN or
     * RESETTING. Either way (error or not): count--, and if count is 0 turn
     * DRAINING or RESETTING back into FILLING and notify all. Leave; return
     * the index or the error (book §7.8; asyncio's wait, _block, _release,
     * _wait, _exit).
     */
    (void)barrier;
    return KT_ENOTIMPL;
}
/* [/book:wait] */

int kt_barrier_abort(kt_barrier *barrier)
{
    /* TODO(lab 07): KT_EINVAL; enter; state BROKEN; notify all; leave. */
    (void)barrier;
    return KT_ENOTIMPL;
}

int kt_barrier_reset(kt_barrier *barrier)
{
    /* TODO(lab 07): KT_EINVAL; enter; RESETTING if parties are inside
     * (count > 0), else FILLING; notify all; leave.
     */
    (void)barrier;
    return KT_ENOTIMPL;
}

unsigned kt_barrier_parties(const kt_barrier *barrier)
{
    /* TODO(lab 07): parties (0 for NULL). */
    (void)barrier;
    return 0;
}

unsigned kt_barrier_n_waiting(const kt_barrier *barrier)
{
    /* TODO(lab 07): count while FILLING, else 0 (0 for NULL). */
    (void)barrier;
    return 0;
}

bool kt_barrier_broken(const kt_barrier *barrier)
{
    /* TODO(lab 07): state BROKEN (false for NULL). */
    (void)barrier;
    return false;
}
