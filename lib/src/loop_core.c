/* loop_core.c — the parts of the loop given to you: creating and closing
 * loops, handle memory, the exception handler, and the one place the loop
 * waits (kt__loop_wait). Scheduling and running callbacks is Lab 01's
 * loop.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/loop_impl.h"
#include "kettle/trace_impl.h"

int kt_loop_new(kt_loop **out, kt_clock_kind clock)
{
    if (out == NULL || (clock != KT_CLOCK_REAL && clock != KT_CLOCK_VIRTUAL))
        return KT_EINVAL;
    kt_loop *loop = calloc(1, sizeof *loop);
    if (loop == NULL)
        return KT_ENOMEM;
    kt_clock_init(&loop->clock, clock);
    kt_list_init(&loop->ready);
    kt_heap_init(&loop->timers);
    kt_list_init(&loop->tasks);
    kt__trace_autostart(); /* KETTLE_TRACE=path: trace this run (trace.h) */
    *out = loop;
    return 0;
}

/* The loop lets go of a handle it will never run. */
static void drop(kt_handle *h)
{
    h->loop = NULL;
    kt__handle_unref(h);
}

int kt_loop_close(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    if (loop->running)
        return KT_ERUNNING;
    if (loop->live_futures > 0) {
        /* A future keeps a pointer to its loop: freeing the loop now would
         * leave it dangling. Say so loudly; ignored return codes are common
         * in cleanup paths. */
        kt_error_context ctx = {
            "kt_loop_close: futures of this loop are still alive; release them "
            "and run the loop until their done callbacks ran (book §4.6)",
            KT_EINVALSTATE, NULL};
        kt_loop_call_exception_handler(loop, &ctx);
        return KT_EINVALSTATE;
    }
    if (KT__TRACING())
        kt__trace_loop_close(loop);
    if (loop->io_ops != NULL && loop->io_ops->destroy != NULL)
        loop->io_ops->destroy(loop);
    kt_list_node *n;
    while ((n = kt_list_pop_front(&loop->ready)) != NULL)
        drop(kt_container_of(n, kt_handle, link));
    kt_heap_node *t;
    while ((t = kt_heap_pop(&loop->timers)) != NULL)
        drop(kt_container_of(t, kt_handle, timer));
    kt_heap_destroy(&loop->timers);
    free(loop);
    return 0;
}

double kt_loop_time(const kt_loop *loop)
{
    return loop ? kt_clock_now(&loop->clock) : 0.0;
}

bool kt_loop_is_running(const kt_loop *loop)
{
    return loop != NULL && loop->running;
}

kt_handle *kt__handle_new(kt_loop *loop, kt_callback_fn cb, void *arg)
{
    kt_handle *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    kt_list_node_init(&h->link);
    kt_heap_node_init(&h->timer);
    h->cb = cb;
    h->arg = arg;
    h->loop = loop;
    h->refs = 1;
    if (KT__TRACING())
        kt__trace_handle_new(h);
    return h;
}

void kt__handle_ref(kt_handle *h)
{
    h->refs++;
}

void kt__handle_unref(kt_handle *h)
{
    if (--h->refs == 0) {
        if (h->traced)
            kt__trace_handle_free(h);
        free(h);
    }
}

bool kt_handle_cancelled(const kt_handle *h)
{
    return h != NULL && h->cancelled;
}

double kt_handle_when(const kt_handle *h)
{
    return h != NULL && h->is_timer ? h->timer.key : 0.0;
}

void kt_handle_release(kt_handle *h)
{
    if (h != NULL)
        kt__handle_unref(h);
}

void kt_loop_set_exception_handler(kt_loop *loop, kt_exception_handler_fn fn, void *arg)
{
    if (loop == NULL)
        return;
    loop->exception_handler = fn;
    loop->exception_handler_arg = arg;
}

void kt_loop_call_exception_handler(kt_loop *loop, const kt_error_context *ctx)
{
    if (loop == NULL || ctx == NULL)
        return;
    if (loop->exception_handler != NULL) {
        loop->exception_handler(loop, ctx, loop->exception_handler_arg);
        return;
    }
    fprintf(stderr, "kettle: %s: %s\n", ctx->message ? ctx->message : "error",
            kt_strerror(ctx->error));
}

/* With a virtual clock, waiting means jumping ahead. Land exactly on the
 * next timer when the wait reaches it, so that (now + (when - now)) rounding
 * below `when` cannot leave a due timer just out of reach. */
static void virtual_jump(kt_loop *loop, double timeout)
{
    double target = kt_clock_now(&loop->clock) + timeout;
    kt_heap_node *next = kt_heap_peek(&loop->timers);
    if (next != NULL && next->key - target < 1e-9)
        target = fmax(target, next->key);
    kt_clock_advance_to(&loop->clock, target);
}

static int wait_untraced(kt_loop *loop, double timeout)
{
    const kt_io_ops *io = loop->io_ops;
    bool watching = io != NULL && io->count(loop) > 0;

    if (timeout < 0 && !watching)
        return KT_EDEADLOCK; /* nothing could ever end this wait */
    if (io == NULL) {
        if (timeout == 0)
            return 0;
        if (loop->clock.kind == KT_CLOCK_VIRTUAL) {
            virtual_jump(loop, timeout);
            return 0;
        }
        return kt_clock_sleep(&loop->clock, timeout);
    }
    if (loop->clock.kind == KT_CLOCK_REAL || timeout == 0)
        return io->poll(loop, timeout);

    /* Virtual clock with I/O: look at the fds without blocking; only if
     * nothing is ready may time jump (or, with no timer, really block). */
    int rc = io->poll(loop, 0);
    if (rc < 0 || !kt_list_empty(&loop->ready))
        return rc;
    if (timeout < 0)
        return io->poll(loop, -1);
    virtual_jump(loop, timeout);
    return 0;
}

int kt__loop_wait(kt_loop *loop, double timeout)
{
    if (isnan(timeout))
        return KT_EINVAL;
    if (!KT__TRACING())
        return wait_untraced(loop, timeout);
    kt__trace_wait w;
    kt__trace_wait_begin(loop, timeout, &w);
    int rc = wait_untraced(loop, timeout);
    kt__trace_wait_end(loop, timeout, &w, rc);
    return rc;
}
