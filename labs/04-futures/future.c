/* future.c — Lab 04: futures.
 *
 * A future is a small state machine (pending -> finished or cancelled,
 * once) with a list of done callbacks that it hands to the loop, never
 * calls itself, when it completes. Book chapter 4 walks through it;
 * CPython's twin is class Future in Lib/asyncio/futures.py.
 *
 * Given to you: kt_future_new and the plain future's class (just below),
 * and in lib/src/future_core.c kt_future_ref, kt_future_release (which
 * frees a future and its leftover registrations, and reports an error
 * nobody retrieved), kt_future_loop, kt_future_cancel (which calls the
 * class's cancel hook: kt__future_cancel below) and
 * kt_future_cancel_message. The fields are in kettle/future_impl.h.
 */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* Given: the class of plain futures and their constructor. A task (Lab 05)
 * has a class of its own with another name, size and cancel. */
const kt_future_class kt__future_class = {
    .name = "Future",
    .size = sizeof(kt_future),
    .cancel = kt__future_cancel,
    .finalize = NULL,
};

int kt_future_new(kt_loop *loop, kt_future **out)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL)
        return KT_EINVAL;
    kt_future *f = kt__future_new(loop, &kt__future_class);
    if (f == NULL)
        return KT_ENOMEM;
    *out = f;
    return 0;
}

/* [book:done] */
bool kt_future_done(const kt_future *f)
{
    /* TODO(lab 04): a future is done once it left the pending state
     * (false for NULL).
     */
    (void)f;
    return false;
}

bool kt_future_cancelled(const kt_future *f)
{
    /* TODO(lab 04): true only in the cancelled state (false for NULL). */
    (void)f;
    return false;
}
/* [/book:done] */

/* [book:run_callback] */
/* The loop runs this for each scheduled done callback: call the user's
 * function, then drop the reference the callback held on the future. */
static void run_done_callback(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_future_callback *cb = arg;
    /* TODO(lab 04): call cb->fn with the future and cb->arg, then release
     * the reference this scheduled callback held (kt_future_release) and
     * free cb. Release after the call: the callback may be the last one
     * to hold the future.
     */
    (void)cb;
}
/* [/book:run_callback] */

/* [book:schedule] */
/* Hand one callback to the loop. It holds a reference on the future until
 * it has run, so the future cannot be freed under it. On failure the
 * callback is freed and lost, and the error returned. */
static int schedule_one(kt_future *f, kt_future_callback *cb)
{
    /* TODO(lab 04): store a new reference to f in cb->future (kt_future_ref)
     * and schedule run_done_callback(cb) with kt_call_soon on f->loop. If
     * kt_call_soon fails, give the reference back, free cb, return the error.
     */
    (void)f; (void)cb; (void)run_done_callback;
    return KT_ENOTIMPL;
}

/* The future just completed: schedule every registered callback, in the
 * order they were added, and empty the list. Returns 0 or the first error. */
static int schedule_callbacks(kt_future *f)
{
    /* TODO(lab 04): take the callbacks off f->callbacks one by one from the
     * front (kt_list_pop_front, kt_container_of) and schedule_one() each.
     * Keep going after a failure, but return the first error.
     */
    (void)f; (void)schedule_one;
    return KT_ENOTIMPL;
}
/* [/book:schedule] */

/* [book:set_result] */
int kt_future_set_result(kt_future *f, void *value)
{
    if (f != NULL && f->cls->finishes_itself && !f->finishing)
        return KT_ENOTSUPPORTED; /* given: a task finishes only from its own step (book §5.7) */
    /* TODO(lab 04): KT_EINVAL for NULL; KT_EINVALSTATE unless pending.
     * Store the value, move to KT_FUTURE_FINISHED, then schedule the
     * callbacks and return what schedule_callbacks returned.
     */
    (void)f; (void)value; (void)schedule_callbacks;
    return KT_ENOTIMPL;
}
/* [/book:set_result] */

/* [book:set_error] */
int kt_future_set_error(kt_future *f, int error)
{
    if (f != NULL && f->cls->finishes_itself && !f->finishing)
        return KT_ENOTSUPPORTED; /* given: a task finishes only from its own step (book §5.7) */
    /* TODO(lab 04): like set_result, but first reject an `error` that is not
     * an error (0 or positive) or is KT_ESTOP with KT_EINVAL, leaving the
     * future pending. Store the code; it is not retrieved yet.
     */
    (void)f; (void)error;
    return KT_ENOTIMPL;
}
/* [/book:set_error] */

/* [book:result] */
int kt_future_result(kt_future *f, void **value_out)
{
    /* TODO(lab 04): KT_EINVAL for NULL, KT_ECANCELLED if cancelled,
     * KT_EINVALSTATE if pending. Finished with an error: mark it retrieved
     * and return it. Otherwise store the result in *value_out (if not NULL)
     * and return 0.
     */
    (void)f; (void)value_out;
    return KT_ENOTIMPL;
}
/* [/book:result] */

/* [book:error] */
int kt_future_error(kt_future *f)
{
    /* TODO(lab 04): the same checks as kt_future_result; then mark the
     * error retrieved and return it (0 for a future that has a result).
     */
    (void)f;
    return KT_ENOTIMPL;
}
/* [/book:error] */

/* [book:add_done_callback] */
int kt_future_add_done_callback(kt_future *f, kt_future_done_fn fn, void *arg)
{
    /* TODO(lab 04): KT_EINVAL for a NULL future or fn. Allocate a
     * kt_future_callback (KT_ENOMEM), fill in fn and arg. A done future
     * schedules it at once (schedule_one); a pending one appends it to
     * f->callbacks.
     */
    (void)f; (void)fn; (void)arg;
    return KT_ENOTIMPL;
}
/* [/book:add_done_callback] */

/* [book:remove_done_callback] */
int kt_future_remove_done_callback(kt_future *f, kt_future_done_fn fn, void *arg)
{
    /* TODO(lab 04): KT_EINVAL for a NULL future or fn. Walk f->callbacks
     * (kt_list_for_each_safe: you remove while walking), unlink and free
     * every registration whose fn and arg both match, and return how many.
     */
    (void)f; (void)fn; (void)arg;
    return KT_ENOTIMPL;
}
/* [/book:remove_done_callback] */

/* [book:cancel] */
int kt__future_cancel(kt_future *f, const char *msg)
{
    /* TODO(lab 04): only a pending future can be cancelled: otherwise
     * return 0 and change nothing. Move to KT_FUTURE_CANCELLED, keep msg in
     * f->cancel_msg, schedule the callbacks and return 1 (or the error if
     * scheduling failed).
     */
    (void)f; (void)msg;
    return KT_ENOTIMPL;
}
/* [/book:cancel] */
