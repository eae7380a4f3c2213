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
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for a NULL loop or out; KT_EWRONGLOOP for a
     * lock of another loop. calloc the condition; with a NULL lock make one
     * with kt_lock_new and remember you own it (book §7.6).
     * starter: (void)loop; (void)lock;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL)
        return KT_EINVAL;
    if (lock != NULL && lock->loop != loop)
        return KT_EWRONGLOOP;
    kt_condition *cond = calloc(1, sizeof *cond);
    if (cond == NULL)
        return KT_ENOMEM;
    if (lock == NULL) {
        int rc = kt_lock_new(loop, &lock);
        if (rc < 0) {
            free(cond);
            return rc;
        }
        cond->own_lock = true;
    }
    cond->loop = loop;
    cond->lock = lock;
    kt_list_init(&cond->waiters);
    *out = cond;
    return 0;
    /* END SOLUTION */
}

int kt_condition_free(kt_condition *cond)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, KT_EINVALSTATE while users > 0; free the own
     * lock (not a borrowed one), then the condition.
     * starter: (void)cond;
     * starter: return KT_ENOTIMPL;
     */
    if (cond == NULL)
        return KT_EINVAL;
    if (cond->users > 0)
        return KT_EINVALSTATE;
    if (cond->own_lock) {
        int rc = kt_lock_free(cond->lock);
        if (rc < 0)
            return rc;
    }
    free(cond);
    return 0;
    /* END SOLUTION */
}

kt_lock *kt_condition_lock(kt_condition *cond)
{
    return cond == NULL ? NULL : cond->lock;
}

/* [book:wait] */
int kt_condition_wait(kt_condition *cond)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, the blocking check, KT_ENOTLOCKED unless the
     * lock is held. Count yourself in users; release the lock; park a
     * waiter on cond->waiters. Then take the lock back with kt_lock_acquire
     * in a loop that retries after KT_ECANCELLED (remember you were
     * cancelled) and stops on 0 (or another error). Count yourself out;
     * return KT_ECANCELLED if either step was cancelled, else the first
     * error, else 0 (book §7.6).
     * starter: (void)cond;
     * starter: return KT_ENOTIMPL;
     */
    if (cond == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(cond->loop);
    if (rc < 0)
        return rc;
    if (!cond->lock->locked)
        return KT_ENOTLOCKED;
    cond->users++;
    kt_lock_release(cond->lock);
    kt_waiter w;
    rc = kt__waiter_park(cond->loop, &cond->waiters, &w);
    bool cancelled = rc == KT_ECANCELLED;
    for (;;) {
        int arc = kt_lock_acquire(cond->lock);
        if (arc == KT_ECANCELLED) {
            cancelled = true;
            continue;
        }
        if (arc < 0 && rc == 0)
            rc = arc;
        break;
    }
    cond->users--;
    return cancelled ? KT_ECANCELLED : rc;
    /* END SOLUTION */
}
/* [/book:wait] */

int kt_condition_wait_for(kt_condition *cond, kt_predicate_fn pred, void *arg)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL cond or pred, the blocking check;
     * then while !pred(arg), kt_condition_wait (return its error): Python's
     * loop, line for line (book §7.6).
     * starter: (void)cond; (void)pred; (void)arg;
     * starter: return KT_ENOTIMPL;
     */
    if (cond == NULL || pred == NULL)
        return KT_EINVAL;
    int brc = kt__sync_check_blocking(cond->loop);
    if (brc < 0)
        return brc;
    while (!pred(arg)) {
        int rc = kt_condition_wait(cond);
        if (rc < 0)
            return rc;
    }
    return 0;
    /* END SOLUTION */
}

/* [book:notify] */
int kt_condition_notify(kt_condition *cond, int n)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, kt__sync_check_loop, KT_ENOTLOCKED unless the
     * lock is held. Walk the waiters in order and set the result of up to n
     * futures that are not done yet (a waiter already woken does not count);
     * return how many you woke (book §7.6).
     * starter: (void)cond; (void)n;
     * starter: return KT_ENOTIMPL;
     */
    if (cond == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(cond->loop);
    if (rc < 0)
        return rc;
    if (!cond->lock->locked)
        return KT_ENOTLOCKED;
    int woken = 0;
    kt_list_for_each(it, &cond->waiters) {
        if (woken >= n)
            break;
        kt_waiter *w = kt_container_of(it, kt_waiter, link);
        if (!kt_future_done(w->fut)) {
            kt_future_set_result(w->fut, NULL);
            woken++;
        }
    }
    return woken;
    /* END SOLUTION */
}
/* [/book:notify] */

int kt_condition_notify_all(kt_condition *cond)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): kt_condition_notify with a count no waiter list reaches.
     * starter: (void)cond;
     * starter: return KT_ENOTIMPL;
     */
    return kt_condition_notify(cond, INT32_MAX);
    /* END SOLUTION */
}
