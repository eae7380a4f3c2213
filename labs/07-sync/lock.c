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
    /* TODO(lab 07): KT_EINVAL for a NULL loop or out (set *out to NULL first
     * when out is not NULL); calloc the lock (KT_ENOMEM), keep the loop,
     * init the waiter list (book §7.4).
     */
    (void)loop;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}

int kt_lock_free(kt_lock *lock)
{
    /* TODO(lab 07): KT_EINVAL for NULL; KT_EINVALSTATE while a task is inside
     * kt_lock_acquire (lock->users); else free it (book §7.3).
     */
    (void)lock;
    return KT_ENOTIMPL;
}

/* [book:acquire] */
int kt_lock_acquire(kt_lock *lock)
{
    /* TODO(lab 07): KT_EINVAL for NULL, then the blocking check
     * (kt__sync_check_blocking). Fast path: not locked and no live waiter
     * (kt__waiter_any_live) -> take it, return 0 without yielding. Else
     * count yourself in lock->users, park a kt_waiter on lock->waiters,
     * and count yourself out. Cancelled: if the lock is free, wake the
     * first waiter (the wake-up you may have had must not be lost), return
     * KT_ECANCELLED. Woken: take the lock (book §7.4).
     */
    (void)lock;
    return KT_ENOTIMPL;
}
/* [/book:acquire] */

/* [book:release] */
int kt_lock_release(kt_lock *lock)
{
    /* TODO(lab 07): KT_EINVAL for NULL, kt__sync_check_loop, KT_ENOTLOCKED
     * if not held. Clear the flag and wake the first waiter (book §7.4).
     */
    (void)lock;
    return KT_ENOTIMPL;
}
/* [/book:release] */

bool kt_lock_locked(const kt_lock *lock)
{
    /* TODO(lab 07): the flag (false for NULL). */
    (void)lock;
    return false;
}
