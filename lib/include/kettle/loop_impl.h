/* loop_impl.h — the inside of the loop, shared by the runtime's modules.
 *
 * Programs built on Kettle include kettle.h and never this file. The
 * runtime's own modules (your lab files) include it to reach the loop's
 * fields. Each field says which lab first uses it. Names that start with
 * kt__ (two underscores) are private to the runtime, as in libuv's uv__.
 */
#ifndef KETTLE_LOOP_IMPL_H
#define KETTLE_LOOP_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "kettle/clock.h"
#include "kettle/heap.h"
#include "kettle/list.h"
#include "kettle/loop.h"

/* [book:handle] */
/* A scheduled callback. Twin: asyncio.Handle / asyncio.TimerHandle. */
struct kt_handle {
    kt_list_node link;   /* in loop->ready (or an iteration's to-do list) */
    kt_heap_node timer;  /* in loop->timers; timer.key is the deadline */
    kt_callback_fn cb;
    void *arg;
    kt_loop *loop;       /* NULL once the loop has dropped the handle at close */
    int refs;            /* the loop's reference + the caller's, if asked for */
    unsigned cancelled : 1;
    unsigned is_timer : 1;
    unsigned traced : 1; /* cb/arg go through the tracer's trampoline (trace.c) */
};
/* [/book:handle] */

/* [book:io_ops] */
/* What an I/O layer (Lab 02's io.c) plugs into the loop. Lab 01 has none:
 * loop->io_ops is NULL and waiting is plain sleeping. */
typedef struct kt_io_ops {
    /* Wait up to `timeout` seconds (0: only look, < 0: no limit) and append
     * the handles of the readers and writers that became ready to
     * loop->ready. Returns 0 or a negative error. */
    int (*poll)(kt_loop *loop, double timeout);
    /* How many file descriptors are being watched right now. */
    size_t (*count)(const kt_loop *loop);
    /* Free the I/O layer's state; called by kt_loop_close. */
    void (*destroy)(kt_loop *loop);
} kt_io_ops;
/* [/book:io_ops] */

struct kt_loop {
    /* Lab 01: callbacks and timers */
    kt_clock clock;
    kt_list ready;           /* handles to run, FIFO */
    kt_heap timers;          /* timer handles by (deadline, order scheduled) */
    unsigned running : 1;    /* inside kt_run_forever */
    unsigned stopping : 1;   /* kt_loop_stop was called */
    uint64_t iterations;     /* completed iterations, for tests and tracing */
    kt_exception_handler_fn exception_handler;
    void *exception_handler_arg;

    /* Lab 02: I/O multiplexing (NULL until the first reader or writer) */
    const kt_io_ops *io_ops;
    void *io;

    /* Lab 04: futures (and tasks, which are futures) not yet freed;
     * kt_loop_close refuses to close while any is alive */
    size_t live_futures;

    /* Lab 05: tasks */
    void *current_task;      /* the task whose coroutine is running, or NULL */
    kt_list tasks;           /* every live task: the loop keeps them alive */

    /* Lab 08: wake-ups from other threads */
    void *threadsafe;

    /* Given: tracing (trace.c), untouched unless KETTLE_TRACE is set */
    unsigned trace_id;
    unsigned trace_iter_open : 1;
    uint64_t trace_iters, trace_waits;
};

/* Allocate a handle holding one reference (the loop's). NULL if out of
 * memory. The handle is in no queue yet. [given] */
kt_handle *kt__handle_new(kt_loop *loop, kt_callback_fn cb, void *arg);

/* Take and drop references; the last kt__handle_unref frees the handle. */
void kt__handle_ref(kt_handle *h);
void kt__handle_unref(kt_handle *h);

/* [book:loop_wait] */
/* The loop's one way to wait: loop.c calls this, never a sleep or a poll
 * system call itself, so Lab 02 can add I/O without changing loop.c.
 * Waits up to `timeout` seconds (0: do not block; < 0: no limit) and queues
 * the I/O callbacks that became ready. With no I/O layer it just sleeps; a
 * virtual clock jumps forward instead, landing exactly on the next timer.
 * Returns 0, or KT_EDEADLOCK when asked to wait forever with nothing that
 * could ever end the wait. Twin: the selector.select() call in _run_once. */
int kt__loop_wait(kt_loop *loop, double timeout);
/* [/book:loop_wait] */

#endif
