/* future_impl.h — the inside of a future, shared by the runtime's modules.
 *
 * Programs include future.h; the runtime's own modules include this file
 * to reach the fields. A future is a small object with a class, so that
 * Lab 05's task can be a future too:
 *
 *     struct kt_task { kt_future base; ... };   // base first
 *
 * The class says how big the object is, what cancelling means, what to free
 * when the last reference goes, and the name used in messages ("Future",
 * "Task"). Twin: class Task(Future) in asyncio's tasks.py, which overrides
 * cancel() and inherits the rest.
 */
#ifndef KETTLE_FUTURE_IMPL_H
#define KETTLE_FUTURE_IMPL_H

#include <stddef.h>

#include "kettle/future.h"
#include "kettle/list.h"
#include "kettle/loop_impl.h"

/* [book:impl] */
typedef enum kt_future_state {
    KT_FUTURE_PENDING,   /* not done yet: the only state that can change */
    KT_FUTURE_FINISHED,  /* has a result, or an error (error != 0) */
    KT_FUTURE_CANCELLED, /* cancelled before it finished */
} kt_future_state;

typedef struct kt_future_class {
    const char *name; /* "Future", "Task": "<name> exception was never retrieved" */
    size_t size;      /* bytes to allocate; the kt_future is the object's first member */
    /* What kt_future_cancel(f, msg) does after its NULL check: returns 1 if
     * the future (or what it waits on) was cancelled, 0 if there was nothing
     * to cancel, or a negative error. Required; a plain future's is
     * kt__future_cancel. */
    int (*cancel)(kt_future *f, const char *msg);
    /* Called once when the last reference goes, after the unretrieved-error
     * report and before the memory is freed: release what the subclass owns
     * (a task's coroutine). NULL when there is nothing to release. */
    void (*finalize)(kt_future *f);
} kt_future_class;

/* One done callback. Allocated with malloc by kt_future_add_done_callback. */
typedef struct kt_future_callback {
    kt_list_node link;     /* in future->callbacks while registered */
    kt_future_done_fn fn;
    void *arg;
    kt_future *future;     /* set when scheduled: a reference, released after fn ran */
} kt_future_callback;

struct kt_future {
    const kt_future_class *cls;
    kt_loop *loop;
    int refs;                 /* see "Ownership" in future.h */
    kt_future_state state;
    void *result;             /* FINISHED with a result */
    int error;                /* FINISHED with an error: the (negative) code; else 0 */
    unsigned error_retrieved : 1; /* someone asked for the error: do not report it */
    const char *cancel_msg;   /* CANCELLED: the cancel message, or NULL */
    kt_list callbacks;        /* kt_future_callback.link, in registration order */
    unsigned trace_id;        /* given: its number in a trace (trace.c), else 0 */
};
/* [/book:impl] */

/* The class of plain futures: name "Future", cancel = kt__future_cancel.
 * Defined in future.c, next to the cancel it points at. */
extern const kt_future_class kt__future_class;

/* Allocate cls->size zeroed bytes and set up the kt_future at their start:
 * pending, bound to loop, one reference (the caller's), counted in
 * loop->live_futures. NULL if out of memory. [given] */
kt_future *kt__future_new(kt_loop *loop, const kt_future_class *cls);

/* The future's own cancel: the state change and the scheduling, nothing
 * else. kt_future_cancel reaches it through kt__future_class; a task's
 * cancel calls it when the task itself is finally cancelled.
 * Returns 1 if f was pending and is now cancelled, 0 if it was already
 * done. f is not NULL. Twin: Future.cancel. [lab 04] */
int kt__future_cancel(kt_future *f, const char *msg);

#endif
