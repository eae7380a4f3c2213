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
    /* BEGIN SOLUTION
     * TODO(lab 07): as kt_lock_new: KT_EINVAL, calloc (KT_ENOMEM), the loop,
     * an empty waiter list, not set (book §7.5).
     * starter: (void)loop;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL)
        return KT_EINVAL;
    kt_event *ev = calloc(1, sizeof *ev);
    if (ev == NULL)
        return KT_ENOMEM;
    ev->loop = loop;
    kt_list_init(&ev->waiters);
    *out = ev;
    return 0;
    /* END SOLUTION */
}

int kt_event_free(kt_event *event)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL, KT_EINVALSTATE while users > 0, free.
     * starter: (void)event;
     * starter: return KT_ENOTIMPL;
     */
    if (event == NULL)
        return KT_EINVAL;
    if (event->users > 0)
        return KT_EINVALSTATE;
    free(event);
    return 0;
    /* END SOLUTION */
}

/* [book:wait] */
int kt_event_wait(kt_event *event)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, the blocking check; a set event returns 0
     * without yielding; else park a waiter (counted in users) and return
     * what parking returned: 0 once woken by set, whatever the flag says
     * by then (book §7.5).
     * starter: (void)event;
     * starter: return KT_ENOTIMPL;
     */
    if (event == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(event->loop);
    if (rc < 0)
        return rc;
    if (event->value)
        return 0;
    kt_waiter w;
    event->users++;
    rc = kt__waiter_park(event->loop, &event->waiters, &w);
    event->users--;
    return rc;
    /* END SOLUTION */
}
/* [/book:wait] */

/* [book:set] */
int kt_event_set(kt_event *event)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, kt__sync_check_loop. If not set yet: set the
     * flag and set the result of every waiter's future that is not done
     * (they stay linked: each unlinks itself when it resumes) (§7.5).
     * starter: (void)event;
     * starter: return KT_ENOTIMPL;
     */
    if (event == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(event->loop);
    if (rc < 0)
        return rc;
    if (event->value)
        return 0;
    event->value = true;
    kt_list_for_each(it, &event->waiters) {
        kt_waiter *w = kt_container_of(it, kt_waiter, link);
        if (!kt_future_done(w->fut))
            kt_future_set_result(w->fut, NULL);
    }
    return 0;
    /* END SOLUTION */
}
/* [/book:set] */

int kt_event_clear(kt_event *event)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, kt__sync_check_loop, clear the flag (§7.5).
     * starter: (void)event;
     * starter: return KT_ENOTIMPL;
     */
    if (event == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(event->loop);
    if (rc < 0)
        return rc;
    event->value = false;
    return 0;
    /* END SOLUTION */
}

bool kt_event_is_set(const kt_event *event)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): the flag (false for NULL).
     * starter: (void)event;
     * starter: return false;
     */
    return event != NULL && event->value;
    /* END SOLUTION */
}
