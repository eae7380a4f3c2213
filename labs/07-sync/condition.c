/* condition.c — Lab 07: asyncio.Condition (book §7.6).
 *
 * A lock plus a FIFO of waiters. wait() gives the lock up while it waits
 * and always takes it back before it returns, even when cancelled, so the
 * caller's release that follows stays balanced.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

int kt_condition_new(kt_loop *loop, kt_lock *lock, kt_condition **out)
{
    /* TODO(lab 07): KT_EINVAL for a NULL loop or out; KT_EWRONGLOOP for a
     * lock of another loop. calloc the condition; with a NULL lock make one
     * with kt_lock_new and remember you own it (book §7.6).
     */
    (void)loop; (void)lock;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}

int kt_condition_free(kt_condition *cond)
{
    /* TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0; free the own
     * lock (not a borrowed one), then the condition.
     */
    (void)cond;
    return KT_ENOTIMPL;
}

kt_lock *kt_condition_lock(kt_condition *cond)
{
    return cond == NULL ? NULL : cond->lock;
}

/* [book:wait] */
int kt_condition_wait(kt_condition *cond)
{
    /* TODO(lab 07): KT_EINVAL, the blocking check, KT_ENOTLOCKED unless the
     * lock is held. Count yourself in users; release the lock; park a
     * waiter on cond->waiters. Then take the lock back with kt_lock_acquire
     * in a loop that retries after KT_ECANCELLED (remember you were
     * cancelled) and stops on 0 (or another error). Count yourself out;
     * return KT_ECANCELLED if either step was cancelled, else the first
     * error, else 0 (book §7.6).
     */
    (void)cond;
    return KT_ENOTIMPL;
}
/* [/book:wait] */

int kt_condition_wait_for(kt_condition *cond, kt_predicate_fn pred, void *arg)
{
    /* TODO(lab 07): KT_EINVAL for NULL cond or pred, the blocking check;
     * then while !pred(arg), kt_condition_wait (return its error): Python's
     * loop, line for line (book §7.6).
     */
    (void)cond; (void)pred; (void)arg;
    return KT_ENOTIMPL;
}

/* [book:notify] */
int kt_condition_notify(kt_condition *cond, int n)
{
    /* TODO(lab 07): KT_EINVAL, kt__sync_check_loop, KT_ENOTLOCKED unless the
     * lock is held. Walk the waiters in order and set the result of up to n
     * futures that are not done yet (a waiter already woken does not count);
     * return how many you woke (book §7.6).
     */
    (void)cond; (void)n;
    return KT_ENOTIMPL;
}
/* [/book:notify] */

int kt_condition_notify_all(kt_condition *cond)
{
    /* TODO(lab 07): kt_condition_notify with a count no waiter list reaches. */
    (void)cond;
    return KT_ENOTIMPL;
}
