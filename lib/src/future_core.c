/* future_core.c — the parts of a future given to you: memory, reference
 * counts, the report of an error nobody retrieved, and the dispatch of
 * kt_future_cancel through the future's class. The state machine, the done
 * callbacks and the cancel of a plain future are Lab 04's future.c, which
 * also holds the plain future's class and kt_future_new (lib/ never refers
 * to a lab's functions, so programs that use only the loop link without
 * them). */
#include <stdio.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/future_impl.h"
#include "kettle/trace_impl.h"

kt_future *kt__future_new(kt_loop *loop, const kt_future_class *cls)
{
    if (loop == NULL || cls == NULL || cls->size < sizeof(kt_future) || cls->cancel == NULL)
        return NULL;
    kt_future *f = calloc(1, cls->size);
    if (f == NULL)
        return NULL;
    f->cls = cls;
    f->loop = loop;
    f->refs = 1;
    f->state = KT_FUTURE_PENDING;
    kt_list_init(&f->callbacks);
    loop->live_futures++;
    if (KT__TRACING())
        kt__trace_future_new(f);
    return f;
}

kt_future *kt_future_ref(kt_future *f)
{
    if (f != NULL)
        f->refs++;
    return f;
}

/* [book:release] */
/* asyncio does this in Future.__del__: an error that finished a future and
 * was never looked at would otherwise vanish without a trace. */
static void report_unretrieved(kt_future *f)
{
    if (f->state != KT_FUTURE_FINISHED || f->error == 0 || f->error_retrieved)
        return;
    char message[96];
    snprintf(message, sizeof message, "%s exception was never retrieved", f->cls->name);
    kt_error_context ctx = {message, f->error, f};
    kt_loop_call_exception_handler(f->loop, &ctx);
}

/* The last reference is gone. */
static void destroy(kt_future *f)
{
    if (KT__TRACING())
        kt__trace_future_free(f);
    report_unretrieved(f);
    if (f->cls->finalize != NULL)
        f->cls->finalize(f);
    /* Registrations of a future that never completed: they will never run. */
    kt_list_node *n;
    while ((n = kt_list_pop_front(&f->callbacks)) != NULL)
        free(kt_container_of(n, kt_future_callback, link));
    f->loop->live_futures--;
    free(f);
}

void kt_future_release(kt_future *f)
{
    if (f == NULL)
        return;
    if (--f->refs == 0)
        destroy(f);
}
/* [/book:release] */

kt_loop *kt_future_loop(const kt_future *f)
{
    return f != NULL ? f->loop : NULL;
}

int kt_future_cancel(kt_future *f, const char *msg)
{
    if (f == NULL)
        return KT_EINVAL;
    int rc = f->cls->cancel(f, msg);
    if (KT__TRACING())
        kt__trace_future_cancel(f, msg, rc);
    return rc;
}

const char *kt_future_cancel_message(const kt_future *f)
{
    return f != NULL && f->state == KT_FUTURE_CANCELLED ? f->cancel_msg : NULL;
}
