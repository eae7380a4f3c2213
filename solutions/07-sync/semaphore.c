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
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for a NULL loop or out or a negative value;
     * calloc (KT_ENOMEM); keep loop, value and bound; empty waiter list.
     * starter: (void)loop; (void)value; (void)bound;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL || value < 0)
        return KT_EINVAL;
    kt_semaphore *sem = calloc(1, sizeof *sem);
    if (sem == NULL)
        return KT_ENOMEM;
    sem->loop = loop;
    sem->value = value;
    sem->bound = bound;
    kt_list_init(&sem->waiters);
    *out = sem;
    return 0;
    /* END SOLUTION */
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
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0, free.
     * starter: (void)sem;
     * starter: return KT_ENOTIMPL;
     */
    if (sem == NULL)
        return KT_EINVAL;
    if (sem->users > 0)
        return KT_EINVALSTATE;
    free(sem);
    return 0;
    /* END SOLUTION */
}

/* [book:wake_next] */
/* Hand one permit to the first waiter still waiting: the counter goes
 * down now, for the waiter, which returns without touching it. */
KT_SYNC_HELPER static void wake_up_next(kt_semaphore *sem)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): find the first waiter whose future is not done; take a
     * permit for it (value--) and set its result (book §7.7).
     * starter: (void)sem;
     */
    kt_list_for_each(it, &sem->waiters) {
        kt_waiter *w = kt_container_of(it, kt_waiter, link);
        if (!kt_future_done(w->fut)) {
            sem->value--;
            kt_future_set_result(w->fut, NULL);
            return;
        }
    }
    /* END SOLUTION */
}
/* [/book:wake_next] */

bool kt_semaphore_locked(const kt_semaphore *sem)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): no free permit, or a live waiter (false for NULL).
     * starter: (void)sem;
     * starter: return false;
     */
    return sem != NULL && (sem->value == 0 || kt__waiter_any_live(&sem->waiters));
    /* END SOLUTION */
}

/* [book:acquire] */
int kt_semaphore_acquire(kt_semaphore *sem)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, the blocking check. Not locked: take a permit
     * and return 0 without yielding. Else park (counted in users). Cancelled
     * after a permit was handed to you (w.woken): give it back (value++) and
     * wake the next waiter, then return KT_ECANCELLED. Woken: the permit is
     * already yours; if permits are still free, wake the next waiter too
     * (book §7.7).
     * starter: (void)sem;
     * starter: return KT_ENOTIMPL;
     */
    if (sem == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(sem->loop);
    if (rc < 0)
        return rc;
    if (!kt_semaphore_locked(sem)) {
        sem->value--;
        return 0;
    }
    kt_waiter w;
    sem->users++;
    rc = kt__waiter_park(sem->loop, &sem->waiters, &w);
    sem->users--;
    if (rc < 0) {
        if (w.woken) {
            sem->value++;
            wake_up_next(sem);
        }
        return rc;
    }
    if (sem->value > 0)
        wake_up_next(sem);
    return 0;
    /* END SOLUTION */
}
/* [/book:acquire] */

/* [book:release] */
int kt_semaphore_release(kt_semaphore *sem)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, kt__sync_check_loop; KT_EOVERRELEASE when a
     * bounded semaphore is at its bound, or at INT_MAX. Then value++ and
     * hand the permit to the next waiter (book §7.7).
     * starter: (void)sem;
     * starter: return KT_ENOTIMPL;
     */
    if (sem == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(sem->loop);
    if (rc < 0)
        return rc;
    if ((sem->bound >= 0 && sem->value >= sem->bound) || sem->value == INT_MAX)
        return KT_EOVERRELEASE;
    sem->value++;
    wake_up_next(sem);
    return 0;
    /* END SOLUTION */
}
/* [/book:release] */

int kt_semaphore_value(const kt_semaphore *sem)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): the counter (0 for NULL).
     * starter: (void)sem;
     * starter: return 0;
     */
    return sem == NULL ? 0 : sem->value;
    /* END SOLUTION */
}
