/* task_core.c — the parts of a task given to you that need nothing from
 * the labs: accessors, cancel counts, and the loop's list of live tasks.
 * (What calls into a lab's code, such as the task's class, whose cancel is
 * yours, is given at the top and the bottom of Lab 05's task.c instead, so
 * that programs linking only lib/ still link.) */

#include "kettle/errors.h"
#include "kettle/task_impl.h"
#include "kettle/trace_impl.h"

kt_future *kt_task_future(kt_task *t)
{
    return t != NULL ? &t->base : NULL;
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

kt_task *kt_current_task(const kt_loop *loop)
{
    return loop != NULL ? loop->current_task : NULL;
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
    if (KT__TRACING())
        kt__trace_task_attach(t);
}

void kt__task_detach(kt_task *t)
{
    if (!kt_list_node_linked(&t->link))
        return;
    if (KT__TRACING())
        kt__trace_task_detach(t, NULL);
    kt_list_remove(&t->link);
    kt_list_node_init(&t->link);
    kt_future_release(&t->base);
}

void kt__task_enter(kt_task *t)
{
    t->base.loop->current_task = t;
    if (KT__TRACING())
        kt__trace_task_enter(t);
}

void kt__task_leave(kt_task *t)
{
    if (KT__TRACING())
        kt__trace_task_leave(t);
    t->base.loop->current_task = NULL;
}
