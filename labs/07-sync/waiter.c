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
    /* TODO(lab 07): make a future of `loop` (kt_future_new; return its error),
     * keep it in w->fut, set w->woken to false, link w->link at the tail of
     * `fifo` and kt_await the future. Whatever kt_await returns: unlink w if
     * it is still linked (a queue may have unlinked it already), record in
     * w->woken whether the future has a result (done and not cancelled),
     * release the future, set w->fut to NULL, and return kt_await's code
     * (book §7.3).
     */
    (void)loop; (void)fifo; (void)w;
    return KT_ENOTIMPL;
}
/* [/book:park] */

/* [book:wake] */
bool kt__waiter_wake_first(kt_list *fifo, bool pop)
{
    /* TODO(lab 07): walk `fifo` from the head. Skip waiters whose future is
     * already done (cancelled, or woken and not yet resumed); with `pop`,
     * unlink each of those too. Set the result of the first pending one
     * (with `pop`, unlink it first) and return true; false if none (§7.3).
     */
    (void)fifo; (void)pop;
    return false;
}
/* [/book:wake] */

bool kt__waiter_any_live(const kt_list *fifo)
{
    /* TODO(lab 07): true if some waiter's future is not cancelled (§7.4). */
    (void)fifo;
    return false;
}
