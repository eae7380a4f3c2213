/* waiter.c — Lab 07: the waiter FIFO every primitive is made of (book §7.3).
 *
 * A task that must wait parks a kt_waiter (on its own stack) at the tail of
 * a primitive's list and awaits the waiter's future. Waking it up is
 * kt_future_set_result on that future: the task resumes on a later loop
 * iteration (Lab 05's task_wakeup), in the order the futures were woken.
 * These three functions are asyncio's `fut = loop.create_future();
 * waiters.append(fut); await fut` and its `_wake_up_first`.
 */
#include "kettle/errors.h"
#include "kettle/sync_impl.h"

/* [book:park] */
int kt__waiter_park(kt_loop *loop, kt_list *fifo, kt_waiter *w)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): make a future of `loop` (kt_future_new; return its error),
     * keep it in w->fut, set w->woken to false, link w->link at the tail of
     * `fifo` and kt_await the future. Whatever kt_await returns: unlink w if
     * it is still linked (a queue may have unlinked it already), record in
     * w->woken whether the future has a result (done and not cancelled),
     * release the future, set w->fut to NULL, and return kt_await's code
     * (book §7.3).
     * starter: (void)loop; (void)fifo; (void)w;
     * starter: return KT_ENOTIMPL;
     */
    kt_future *fut = NULL;
    int rc = kt_future_new(loop, &fut);
    if (rc < 0)
        return rc;
    w->fut = fut;
    w->woken = false;
    kt_list_push_back(fifo, &w->link);
    rc = kt_await(fut, NULL);
    /* Like asyncio's `finally: waiters.remove(fut)`: whoever woke us may
     * have left us linked (locks) or unlinked us already (queues). */
    if (kt_list_node_linked(&w->link))
        kt_list_remove(&w->link);
    w->woken = kt_future_done(fut) && !kt_future_cancelled(fut);
    w->fut = NULL;
    kt_future_release(fut);
    return rc;
    /* END SOLUTION */
}
/* [/book:park] */

/* [book:wake] */
bool kt__waiter_wake_first(kt_list *fifo, bool pop)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): walk `fifo` from the head. Skip waiters whose future is
     * already done (cancelled, or woken and not yet resumed); with `pop`,
     * unlink each of those too. Set the result of the first pending one
     * (with `pop`, unlink it first) and return true; false if none (§7.3).
     * starter: (void)fifo; (void)pop;
     * starter: return false;
     */
    kt_list_for_each_safe(it, tmp, fifo) {
        kt_waiter *w = kt_container_of(it, kt_waiter, link);
        if (pop)
            kt_list_remove(&w->link);
        if (!kt_future_done(w->fut)) {
            kt_future_set_result(w->fut, NULL);
            return true;
        }
    }
    return false;
    /* END SOLUTION */
}
/* [/book:wake] */

bool kt__waiter_any_live(const kt_list *fifo)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): true if some waiter's future is not cancelled (§7.4).
     * starter: (void)fifo;
     * starter: return false;
     */
    kt_list_for_each(it, fifo) {
        const kt_waiter *w = kt_container_of(it, kt_waiter, link);
        if (!kt_future_cancelled(w->fut))
            return true;
    }
    return false;
    /* END SOLUTION */
}
