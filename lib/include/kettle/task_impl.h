/* task_impl.h — the inside of a task, shared by the runtime's modules.
 *
 * Programs include task.h; task.c (Lab 05, with some given code at its
 * top and bottom) and the given task_core.c include this file. A task is a future with more fields after it:
 *
 *     struct kt_task { kt_future base; ... };   // base first
 *
 * so a kt_task * is also a kt_future * (&t->base), and the future's class
 * (kt__task_class) tells kt_future_cancel and kt_future_release what is
 * special about tasks. Each field names its twin in asyncio's tasks.py.
 */
#ifndef KETTLE_TASK_IMPL_H
#define KETTLE_TASK_IMPL_H

#include "kettle/future_impl.h"
#include "kettle/gen.h"
#include "kettle/list.h"
#include "kettle/loop_impl.h"
#include "kettle/task.h"

/* [book:struct] */
struct kt_task {
    kt_future base;          /* a task is a future: this must come first */
    kt_list_node link;       /* in loop->tasks while pending (the loop's reference) */
    kt_coro_fn fn;           /* the coroutine function and its argument */
    void *arg;
    kt_gen *coro;            /* _coro: made at the first step, freed when it finishes */
    kt_future *fut_waiter;   /* _fut_waiter: the future the coroutine awaits, or
                              * NULL. Borrowed: the suspended kt_await holds a
                              * reference for as long as this is set */
    kt_future *announced;    /* what kt_await is about to yield (see task_step) */
    int step_error;          /* what the next scheduled step throws in (0: send) */
    unsigned must_cancel : 1;     /* _must_cancel: throw KT_ECANCELLED at the next step */
    unsigned num_cancels_requested; /* _num_cancels_requested: Task.cancelling() */
    const char *cancel_msg;  /* _cancel_message: of the latest cancel request */
};
/* [/book:struct] */

/* The class of tasks: name "Task", cancel = kt__task_cancel, finalize frees
 * the coroutine of a task destroyed before it finished. [given, at the top
 * of task.c, next to the cancel it points at, as Lab 04's future class] */
extern const kt_future_class kt__task_class;

/* The task's cancel, reached through kt__task_class by kt_future_cancel
 * (t is not NULL). Returns 1 if a cancellation was requested, 0 if the task
 * was already done. Twin: Task.cancel. [lab 05] */
int kt__task_cancel(kt_future *f, const char *msg);

/* The task whose coroutine runs on this thread right now, or NULL. Kept per
 * thread by task.c (a coroutine calling kt_sleep has no loop pointer at
 * hand). [lab 05] */
kt_task *kt__running_task(void);

/* Put the loop's reference on a new task: link it in loop->tasks. [given] */
void kt__task_attach(kt_task *t);

/* The task is done: unlink it from loop->tasks and drop the loop's
 * reference (which may free it: do not touch t afterwards). [given] */
void kt__task_detach(kt_task *t);

/* A step of t begins / ends: set and clear loop->current_task (what
 * kt_current_task reports), and mark the step in a trace (trace.h). Call
 * leave right after the coroutine gives control back, before acting on
 * what it yielded: the trace reads t->announced to say what the task now
 * awaits. Twin: asyncio's _enter_task / _leave_task. [given] */
void kt__task_enter(kt_task *t);
void kt__task_leave(kt_task *t);

/* Destroy a task that is still pending and can never finish (kt_run, after
 * the loop ran out of work): report "Task was destroyed but it is
 * pending!", unregister its wake-up, close its coroutine (KT_EGENERATOREXIT
 * comes out of its pending kt_await so that its cleanup runs; further
 * awaits fail with KT_ENOTCORO) and drop the loop's reference. The task
 * stays pending. [given] */
void kt__task_abandon(kt_task *t);

/* What kt_run does after main's outcome is known: run the loop until no
 * callback is left ready, destroy the tasks that are still pending, and
 * close the loop. Returns 0, or KT_EINVALSTATE (reported to the exception
 * handler) when futures are still alive and the loop cannot be closed: the
 * loop is then left allocated. [given, at the end of task.c] */
int kt__run_shutdown(kt_loop *loop);

#endif
