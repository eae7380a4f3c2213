/* lock.c — Lab 07: asyncio.Lock, a flag and a FIFO of futures (book §7.4).
 *
 * No atomic instruction anywhere: between two awaits a task runs alone on
 * its loop, so "test the flag, then set it" cannot be interrupted (§7.2).
 * The FIFO is kt_waiter nodes (waiter.c); release wakes the first one, and
 * the woken task takes the lock when it runs. Until then the lock is free
 * but a newcomer sees a live waiter and queues behind it: no barging.
 */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

int kt_lock_new(kt_loop *loop, kt_lock **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for a NULL loop or out (set *out to NULL first
     * when out is not NULL); calloc the lock (KT_ENOMEM), keep the loop,
     * init the waiter list (book §7.4).
     * starter: (void)loop;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL)
        return KT_EINVAL;
    kt_lock *lock = calloc(1, sizeof *lock);
    if (lock == NULL)
        return KT_ENOMEM;
    lock->loop = loop;
    kt_list_init(&lock->waiters);
    *out = lock;
    return 0;
    /* END SOLUTION */
}

int kt_lock_free(kt_lock *lock)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL; KT_EINVALSTATE while a task is inside
     * kt_lock_acquire (lock->users); else free it (book §7.3).
     * starter: (void)lock;
     * starter: return KT_ENOTIMPL;
     */
    if (lock == NULL)
        return KT_EINVAL;
    if (lock->users > 0)
        return KT_EINVALSTATE;
    free(lock);
    return 0;
    /* END SOLUTION */
}

/* [book:acquire] */
int kt_lock_acquire(kt_lock *lock)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL, then the blocking check
     * (kt__sync_check_blocking). Fast path: not locked and no live waiter
     * (kt__waiter_any_live) -> take it, return 0 without yielding. Else
     * count yourself in lock->users, park a kt_waiter on lock->waiters,
     * and count yourself out. Cancelled: if the lock is free, wake the
     * first waiter (the wake-up you may have had must not be lost), return
     * KT_ECANCELLED. Woken: take the lock (book §7.4).
     * starter: (void)lock;
     * starter: return KT_ENOTIMPL;
     */
    if (lock == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(lock->loop);
    if (rc < 0)
        return rc;
    if (!lock->locked && !kt__waiter_any_live(&lock->waiters)) {
        lock->locked = true;
        return 0;
    }
    kt_waiter w;
    lock->users++;
    rc = kt__waiter_park(lock->loop, &lock->waiters, &w);
    lock->users--;
    if (rc < 0) {
        /* Handed the lock and cancelled before running: pass it on. */
        if (!lock->locked)
            kt__waiter_wake_first(&lock->waiters, false);
        return rc;
    }
    lock->locked = true;
    return 0;
    /* END SOLUTION */
}
/* [/book:acquire] */

/* [book:release] */
int kt_lock_release(kt_lock *lock)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL, kt__sync_check_loop, KT_ENOTLOCKED
     * if not held. Clear the flag and wake the first waiter (book §7.4).
     * starter: (void)lock;
     * starter: return KT_ENOTIMPL;
     */
    if (lock == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(lock->loop);
    if (rc < 0)
        return rc;
    if (!lock->locked)
        return KT_ENOTLOCKED;
    lock->locked = false;
    kt__waiter_wake_first(&lock->waiters, false);
    return 0;
    /* END SOLUTION */
}
/* [/book:release] */

bool kt_lock_locked(const kt_lock *lock)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): the flag (false for NULL).
     * starter: (void)lock;
     * starter: return false;
     */
    return lock != NULL && lock->locked;
    /* END SOLUTION */
}
