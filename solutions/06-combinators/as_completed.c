/* as_completed.c — Lab 06: asyncio.as_completed (read book §6.5).
 *
 * The iterator is a small queue. A done callback on each distinct future
 * pushes that future when it completes; a timer, if there is a timeout,
 * pushes one "timed out" mark (NULL) for every future still missing. Each
 * kt_as_completed_next pops one entry, parking the coroutine on a getter
 * future while the queue is empty: asyncio builds it on a Queue the same
 * way.
 *
 * Given to you: the struct, its reference count and kt_as_completed_free.
 * Yours: push, on_completion, on_timeout, kt_as_completed_new and
 * kt_as_completed_next.
 */
#include <math.h>
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* [book:struct] */
struct kt_as_completed {
    int refs;               /* the owner's + one per registered callback */
    kt_loop *loop;
    kt_future **distinct;   /* each distinct future once, with a reference */
    size_t n_distinct;
    size_t n_todo;          /* todo: how many have not been pushed yet */
    kt_future **queue;      /* done: completed futures, NULL = timed out */
    size_t head, tail;      /* pop at head, push at tail (n_distinct slots) */
    size_t handed;          /* entries handed out by next() */
    kt_handle *timer;       /* the timeout, or NULL */
    kt_future *getter;      /* what a waiting next() is parked on, or NULL */
};
/* [/book:struct] */

static void it_release(kt_as_completed *it)
{
    if (--it->refs > 0)
        return;
    for (size_t i = 0; i < it->n_distinct; i++)
        kt_future_release(it->distinct[i]);
    free(it->distinct);
    free(it->queue);
    free(it);
}

/* [book:push] */
/* Push f (or NULL: "timed out") at the tail of the queue and wake a next()
 * that waits. Twin: done.put_nowait(f). */
static void push(kt_as_completed *it, kt_future *f)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): store f at it->queue[it->tail++], then finish
     * it->getter (unless it is NULL or done) so that a parked next() wakes.
     * starter: (void)it; (void)f;
     */
    it->queue[it->tail++] = f;
    if (it->getter != NULL && !kt_future_done(it->getter))
        kt_future_set_result(it->getter, NULL);
    /* END SOLUTION */
}

/* The done callback of each distinct future. Twin: as_completed's
 * _on_completion. */
static void on_completion(kt_future *f, void *arg)
{
    kt_as_completed *it = arg;
    /* BEGIN SOLUTION
     * TODO(lab 06): if the timeout came first (nothing left in todo), do
     * nothing more. Else f leaves todo and is pushed; once todo is empty
     * the timer is cancelled. Either way, drop the state reference this
     * registration held (it_release) (book §6.5).
     * starter: (void)f; (void)it; (void)push;
     */
    if (it->n_todo > 0) {
        it->n_todo--;
        push(it, f);
        if (it->n_todo == 0 && it->timer != NULL)
            kt_handle_cancel(it->timer);
    }
    it_release(it);
    /* END SOLUTION */
}

/* The timer. Twin: as_completed's _on_timeout. */
static void on_timeout(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_as_completed *it = arg;
    /* BEGIN SOLUTION
     * TODO(lab 06): unregister on_completion from every distinct future
     * (each registration removed gives back one state reference), push one
     * NULL for every future still in todo, and empty todo (book §6.5).
     * starter: (void)it;
     */
    for (size_t i = 0; i < it->n_distinct; i++) {
        int removed = kt_future_remove_done_callback(it->distinct[i], on_completion, it);
        it->refs -= removed > 0 ? removed : 0;
    }
    for (; it->n_todo > 0; it->n_todo--)
        push(it, NULL);
    /* END SOLUTION */
}
/* [/book:push] */

/* [book:new] */
int kt_as_completed_new(kt_loop *loop, kt_future *const *fs, size_t n, double timeout,
                        kt_as_completed **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): set *out to NULL; KT_EINVAL for NULL out or loop, a NaN
     * timeout; kt__check_futures. Allocate the iterator (refs 1), keep
     * each distinct future once (kt__first_occurrences) with a reference,
     * a queue of as many slots, n_todo = their number. Add on_completion to
     * each (refs++), and for a finite timeout with something to wait for,
     * a timer (kt_call_later, negative counts as 0) calling on_timeout.
     * starter: (void)loop; (void)fs; (void)n; (void)timeout; (void)on_timeout;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (loop == NULL || !kt__timeout_ok(timeout))
        return KT_EINVAL;
    int rc = kt__check_futures(loop, fs, n);
    if (rc < 0)
        return rc;
    kt_as_completed *it = calloc(1, sizeof *it);
    size_t distinct = 0;
    bool *first = kt__first_occurrences(fs, n, &distinct);
    if (it == NULL || first == NULL) {
        free(it);
        free(first);
        return KT_ENOMEM;
    }
    it->refs = 1;
    it->loop = loop;
    it->distinct = malloc((distinct > 0 ? distinct : 1) * sizeof *it->distinct);
    it->queue = malloc((distinct > 0 ? distinct : 1) * sizeof *it->queue);
    if (it->distinct == NULL || it->queue == NULL) {
        free(first);
        it_release(it);
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (first[i])
            it->distinct[it->n_distinct++] = kt_future_ref(fs[i]);
    free(first);
    it->n_todo = it->n_distinct;
    for (size_t i = 0; rc == 0 && i < it->n_distinct; i++) {
        rc = kt_future_add_done_callback(it->distinct[i], on_completion, it);
        if (rc == 0)
            it->refs++;
    }
    if (rc == 0 && it->n_todo > 0 && !isinf(timeout))
        rc = kt_call_later(loop, timeout > 0 ? timeout : 0, on_timeout, it, &it->timer);
    if (rc < 0) {
        kt_as_completed_free(it);
        return rc;
    }
    *out = it;
    return 0;
    /* END SOLUTION */
}
/* [/book:new] */

/* [book:next] */
int kt_as_completed_next(kt_as_completed *it, kt_future **fut_out, void **value_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): clear the out pointers; KT_EINVAL for NULL; KT_ESTOP
     * once every distinct future was handed out; KT_ENOTCORO outside a
     * task's coroutine (kt__coro_task). While the queue is empty, park on
     * a fresh getter future (kt_await; an error, a cancellation of the
     * waiting task, is returned as is). Pop the head: NULL means
     * KT_ETIMEDOUT; a future goes to *fut_out and its outcome is returned
     * (kt_future_result).
     * starter: (void)it;
     * starter: if (fut_out != NULL) *fut_out = NULL;
     * starter: if (value_out != NULL) *value_out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (fut_out != NULL)
        *fut_out = NULL;
    if (value_out != NULL)
        *value_out = NULL;
    if (it == NULL)
        return KT_EINVAL;
    if (it->handed == it->n_distinct)
        return KT_ESTOP;
    if (kt__coro_task() == NULL)
        return KT_ENOTCORO;
    while (it->head == it->tail) {
        int rc = kt_future_new(it->loop, &it->getter);
        if (rc < 0)
            return rc;
        rc = kt_await(it->getter, NULL);
        kt_future_release(it->getter);
        it->getter = NULL;
        if (rc < 0)
            return rc;
    }
    kt_future *f = it->queue[it->head++];
    it->handed++;
    if (f == NULL)
        return KT_ETIMEDOUT;
    if (fut_out != NULL)
        *fut_out = f;
    return kt_future_result(f, value_out);
    /* END SOLUTION */
}
/* [/book:next] */

void kt_as_completed_free(kt_as_completed *it)
{
    if (it == NULL)
        return;
    if (it->timer != NULL) {
        kt_handle_cancel(it->timer);
        kt_handle_release(it->timer);
        it->timer = NULL;
    }
    /* Callbacks already scheduled keep their reference and run later. */
    for (size_t i = 0; i < it->n_distinct; i++) {
        int removed = kt_future_remove_done_callback(it->distinct[i], on_completion, it);
        it->refs -= removed > 0 ? removed : 0;
    }
    it->n_todo = 0;
    it_release(it);
}
