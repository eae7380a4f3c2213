/* task_core.c — the parts of a task given to you: its class, accessors,
 * the loop's list of live tasks, and the clean-up at the end of kt_run.
 * The step, the wake-up, await, sleep, cancel and the run functions are
 * Lab 05's task.c. */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/task_impl.h"

/* The last reference to a task is gone. A task that finished has freed its
 * coroutine already; one destroyed while pending (kt__task_abandon) too.
 * This is the safety net for a task that was never stepped at all. */
static void task_finalize(kt_future *f)
{
    kt_task *t = (kt_task *)f;
    if (t->coro != NULL) {
        kt_gen_free(t->coro);
        t->coro = NULL;
    }
}

const kt_future_class kt__task_class = {
    .name = "Task",
    .size = sizeof(kt_task),
    .cancel = kt__task_cancel,
    .finalize = task_finalize,
};

kt_future *kt_task_future(kt_task *t)
{
    return t != NULL ? &t->base : NULL;
}

kt_task *kt_future_as_task(kt_future *f)
{
    return f != NULL && f->cls == &kt__task_class ? (kt_task *)f : NULL;
}

kt_task *kt_task_ref(kt_task *t)
{
    if (t != NULL)
        kt_future_ref(&t->base);
    return t;
}

void kt_task_release(kt_task *t)
{
    if (t != NULL)
        kt_future_release(&t->base);
}

int kt_task_cancel(kt_task *t, const char *msg)
{
    return t != NULL ? kt_future_cancel(&t->base, msg) : KT_EINVAL;
}

unsigned kt_task_cancelling(const kt_task *t)
{
    return t != NULL ? t->num_cancels_requested : 0;
}

unsigned kt_task_uncancel(kt_task *t)
{
    if (t == NULL)
        return 0;
    if (t->num_cancels_requested > 0)
        t->num_cancels_requested--;
    return t->num_cancels_requested;
}

const char *kt_task_cancel_message(const kt_task *t)
{
    return t != NULL ? t->cancel_msg : NULL;
}

int kt_await_task(kt_task *t, void **value_out)
{
    if (t == NULL) {
        if (value_out != NULL)
            *value_out = NULL;
        return KT_EINVAL;
    }
    return kt_await(&t->base, value_out);
}

kt_task *kt_current_task(const kt_loop *loop)
{
    return loop != NULL ? loop->current_task : NULL;
}

kt_loop *kt_get_running_loop(void)
{
    kt_task *t = kt__running_task();
    return t != NULL ? t->base.loop : NULL;
}

size_t kt_all_tasks(const kt_loop *loop, kt_task **out, size_t cap)
{
    if (loop == NULL)
        return 0;
    size_t n = 0;
    kt_list_for_each(it, &loop->tasks) {
        if (out != NULL && n < cap)
            out[n] = kt_container_of(it, kt_task, link);
        n++;
    }
    return n;
}

void kt__task_attach(kt_task *t)
{
    kt_list_node_init(&t->link);
    kt_list_push_back(&t->base.loop->tasks, &t->link);
}

void kt__task_detach(kt_task *t)
{
    if (!kt_list_node_linked(&t->link))
        return;
    kt_list_remove(&t->link);
    kt_list_node_init(&t->link);
    kt_future_release(&t->base);
}

void kt__task_abandon(kt_task *t)
{
    kt_loop *loop = t->base.loop;
    kt_error_context ctx = {"Task was destroyed but it is pending!", 0, t};
    kt_loop_call_exception_handler(loop, &ctx);

    kt_task_ref(t); /* detaching below must not free t under us */
    /* The wake-up registered on the awaited future must never run on a
     * task that is gone: drop every registration made for t. */
    if (t->fut_waiter != NULL) {
        kt_list_for_each_safe(it, next, &t->fut_waiter->callbacks) {
            kt_future_callback *cb = kt_container_of(it, kt_future_callback, link);
            if (cb->arg == t) {
                kt_list_remove(it);
                free(cb);
            }
        }
        t->fut_waiter = NULL;
    }
    /* Closing runs the coroutine's cleanup: its kt_await returns
     * KT_EGENERATOREXIT and lets go of the future it held. */
    if (t->coro != NULL) {
        kt_gen_free(t->coro);
        t->coro = NULL;
    }
    kt__task_detach(t);
    kt_task_release(t);
}

/* Run callbacks that are already ready (done callbacks hold references to
 * their futures until they run). Bounded: a callback that reschedules itself
 * forever must not hang the shutdown. */
static void drain_ready(kt_loop *loop)
{
    for (int i = 0; i < 1000 && !kt_list_empty(&loop->ready); i++)
        if (kt_loop_run_once(loop) < 0)
            break;
}

int kt__run_shutdown(kt_loop *loop)
{
    drain_ready(loop);
    while (!kt_list_empty(&loop->tasks)) {
        kt__task_abandon(kt_container_of(kt_list_front(&loop->tasks), kt_task, link));
        drain_ready(loop);
    }
    /* kt_loop_close tells the exception handler when futures are alive. */
    return kt_loop_close(loop) == 0 ? 0 : KT_EINVALSTATE;
}
