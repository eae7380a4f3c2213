/* shield.c — Lab 06: asyncio.shield (read book §6.6).
 *
 * The shield is a second future, the outer one, that mirrors the inner
 * future when it completes. A cancel reaches only the outer one: nobody
 * passes it on to the inner. Two done callbacks do all the work.
 *
 * Given to you: the outer future's class (a plain future's cancel, plus a
 * reference to the inner future that goes with the outer one). Yours:
 * inner_done, outer_done, kt_shield.
 */
#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* [book:struct] */
typedef struct shield_future {
    kt_future base;  /* the outer future */
    kt_future *inner; /* a reference, dropped with the outer future */
} shield_future;
/* [/book:struct] */

static void shield_finalize(kt_future *f)
{
    kt_future_release(((shield_future *)f)->inner);
}

static const kt_future_class shield_class = {
    .name = "Future",
    .size = sizeof(shield_future),
    .cancel = kt__future_cancel, /* a plain future's: nothing reaches inner */
    .finalize = shield_finalize,
};

/* [book:callbacks] */
/* The inner future is done: copy its outcome to the outer one. The
 * registration holds a reference to the outer future.
 * Twin: shield's _inner_done_callback. */
static void inner_done(kt_future *inner, void *arg)
{
    kt_future *outer = arg;
    /* TODO(lab 06): if outer was cancelled, only mark inner's error
     * retrieved (not for a cancelled inner). Else a cancelled inner
     * cancels outer; an error (kt_future_error) fails it; a result
     * finishes it. Then drop the registration's reference to outer.
     */
    (void)inner; (void)outer;
}

/* The outer future is done (cancelled, most likely): stop watching inner.
 * Twin: shield's _outer_done_callback. */
static void outer_done(kt_future *outer, void *arg)
{
    kt_future *inner = arg;
    /* TODO(lab 06): if inner is still pending, remove inner_done from it;
     * a registration removed gives back its reference to outer.
     */
    (void)inner; (void)outer;
}
/* [/book:callbacks] */

/* [book:shield] */
int kt_shield(kt_future *inner, kt_future **out)
{
    /* TODO(lab 06): set *out to NULL; KT_EINVAL for NULL inner or out. An
     * inner already done is handed back itself (a new reference). Else make
     * the outer future (kt__future_new with shield_class, keep a reference
     * to inner), add inner_done to inner (with a reference to outer) and
     * outer_done to outer.
     */
    (void)inner; (void)inner_done; (void)outer_done; (void)&shield_class;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:shield] */
