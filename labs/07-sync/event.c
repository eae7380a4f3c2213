/* event.c — Lab 07: asyncio.Event (book §7.5).
 *
 * A flag and a FIFO of waiters. set() wakes them all at once; a woken
 * waiter returns even if clear() runs before it does, because its wake-up
 * is its own future's result, not a fresh look at the flag.
 */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

int kt_event_new(kt_loop *loop, kt_event **out)
{
    /* TODO(lab 07): as kt_lock_new: KT_EINVAL, calloc (KT_ENOMEM), the loop,
     * an empty waiter list, not set (book §7.5).
     */
    (void)loop;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}

int kt_event_free(kt_event *event)
{
    /* TODO(lab 07): KT_EINVAL for NULL, KT_EINVALSTATE while users > 0, free. */
    (void)event;
    return KT_ENOTIMPL;
}

/* [book:wait] */
int kt_event_wait(kt_event *event)
{
    /* TODO(lab 07): KT_EINVAL, the blocking check; a set event returns 0
     * without yielding; else park a waiter (counted in users) and return
     * what parking returned: 0 once woken by set, whatever the flag says
     * by then (book §7.5).
     */
    (void)event;
    return KT_ENOTIMPL;
}
/* [/book:wait] */

/* [book:set] */
int kt_event_set(kt_event *event)
{
    /* TODO(lab 07): KT_EINVAL, kt__sync_check_loop. If not set yet: set the
     * flag and set the result of every waiter's future that is not done
     * (they stay linked: each unlinks itself when it resumes) (§7.5).
     */
    (void)event;
    return KT_ENOTIMPL;
}
/* [/book:set] */

int kt_event_clear(kt_event *event)
{
    /* TODO(lab 07): KT_EINVAL, kt__sync_check_loop, clear the flag (§7.5). */
    (void)event;
    return KT_ENOTIMPL;
}

bool kt_event_is_set(const kt_event *event)
{
    /* TODO(lab 07): the flag (false for NULL). */
    (void)event;
    return false;
}
