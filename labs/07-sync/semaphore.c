/* semaphore.c — Lab 07: asyncio.Semaphore and BoundedSemaphore (book §7.7).
 *
 * A counter of free permits and a FIFO of waiters. A release does not just
 * bump the counter and let the waiters race for it: it hands the permit to
 * the first waiter (the counter goes back down at once), so a newcomer
 * cannot take it first.
 */
#include <limits.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

static int semaphore_new(kt_loop *loop, int value, int bound, kt_semaphore **out)
{
    /* TODO(lab 07): KT_EINVAL for a NULL loop or out or a negative value;
     * calloc (KT_ENOMEM); keep loop, value and bound; empty waiter list.
     */
    (void)loop; (void)value; (void)bound;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}

int kt_semaphore_new(kt_loop *loop, int value, kt_semaphore **out)
{
    return semaphore_new(loop, value, -1, out);
}

int kt_bounded_semaphore_new(kt_loop *loop, int value, kt_semaphore **out)
{
    return semaphore_new(loop, value, value, out);
}

int kt_semaphore_free(kt_semaphore *sem)
{
    /* TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0, free. */
    (void)sem;
    return KT_ENOTIMPL;
}

/* [book:wake_next] */
/* Hand one permit to the first waiter still waiting: the counter goes
 * down now, for the waiter, which returns without touching it. */
KT_SYNC_HELPER static void wake_up_next(kt_semaphore *sem)
{
    /* TODO(lab 07): find the first waiter whose future is not done; take a
     * permit for it (value--) and set its result (book §7.7).
     */
    (void)sem;
}
/* [/book:wake_next] */

bool kt_semaphore_locked(const kt_semaphore *sem)
{
    /* TODO(lab 07): no free permit, or a live waiter (false for NULL). */
    (void)sem;
    return false;
}

/* [book:acquire] */
int kt_semaphore_acquire(kt_semaphore *sem)
{
    /* TODO(lab 07): KT_EINVAL, the blocking check. Not locked: take a permit
     * and return 0 without yielding. Else park (counted in users). Cancelled
     * after a permit was handed to you (w.woken): give it back (value++) and
     * wake the next waiter, then return KT_ECANCELLED. Woken: the permit is
     * already yours; if permits are still free, wake the next waiter too
     * (book §7.7).
     */
    (void)sem;
    return KT_ENOTIMPL;
}
/* [/book:acquire] */

/* [book:release] */
int kt_semaphore_release(kt_semaphore *sem)
{
    /* TODO(lab 07): KT_EINVAL, kt__sync_check_loop; KT_EOVERRELEASE when a
     * bounded semaphore is at its bound, or at INT_MAX. Then value++ and
     * hand the permit to the next waiter (book §7.7).
     */
    (void)sem;
    return KT_ENOTIMPL;
}
/* [/book:release] */

int kt_semaphore_value(const kt_semaphore *sem)
{
    /* TODO(lab 07): the counter (0 for NULL). */
    (void)sem;
    return 0;
}
