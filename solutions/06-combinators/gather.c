/* gather.c — Lab 06: asyncio.gather (read book §6.3).
 *
 * A gather is a future of its own class, the twin of asyncio's
 * _GatheringFuture: it keeps its children, and its cancel cancels them.
 * One done callback per distinct child counts the children that finished
 * and completes the gather, either early (the first error, when
 * return_exceptions is false) or when the last child is done.
 *
 * Given to you: the struct, the class and its finalize (below, outside the
 * markers); kt__check_futures and kt__first_occurrences in
 * kettle/combinators_impl.h. Yours: gather_cancel, gather_child_done,
 * kt_gather.
 */
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

/* [book:struct] */
typedef struct gather_future {
    kt_future base;          /* a gather is a future: this comes first */
    kt_future **children;    /* n, in argument order (a duplicate repeats);
                              * one reference per position */
    size_t n;
    size_t n_distinct;       /* nfuts: how many done callbacks were added */
    size_t n_finished;       /* nfinished: how many of them have run */
    kt_outcome *outcomes;    /* the result: n outcomes, filled at the end */
    bool return_exceptions;
    bool cancel_requested;   /* _cancel_requested: a cancel reached a child */
} gather_future;
/* [/book:struct] */

static int gather_cancel(kt_future *f, const char *msg);

/* The last reference is gone: give the children back. [given] */
static void gather_finalize(kt_future *f)
{
    gather_future *g = (gather_future *)f;
    for (size_t i = 0; i < g->n; i++)
        kt_future_release(g->children[i]);
    free(g->children);
    free(g->outcomes);
}

static const kt_future_class gather_class = {
    .name = "_GatheringFuture",
    .size = sizeof(gather_future),
    .cancel = gather_cancel,
    .finalize = gather_finalize,
};

/* [book:cancel] */
/* _GatheringFuture.cancel: pass the cancel to every child (in argument
 * order, duplicates too, as asyncio does); the gather itself ends when its
 * children do. */
static int gather_cancel(kt_future *f, const char *msg)
{
    gather_future *g = (gather_future *)f;
    /* BEGIN SOLUTION
     * TODO(lab 06): a gather already done ignores the cancel (return 0).
     * Otherwise cancel every child (kt_future_cancel); if any agreed (1),
     * remember it in g->cancel_requested and return 1, else return 0. The
     * gather is not cancelled here: its last child's callback ends it.
     * starter: (void)g; (void)msg;
     * starter: return 0;
     */
    if (kt_future_done(f))
        return 0;
    int ret = 0;
    for (size_t i = 0; i < g->n; i++)
        if (kt_future_cancel(g->children[i], msg) == 1)
            ret = 1;
    if (ret)
        g->cancel_requested = true;
    return ret;
    /* END SOLUTION */
}
/* [/book:cancel] */

/* [book:child_done] */
/* The done callback of each distinct child. Twin: gather's _done_callback. */
static void gather_child_done(kt_future *child, void *arg)
{
    gather_future *g = arg;
    /* BEGIN SOLUTION
     * TODO(lab 06): count the child as finished. If the gather is already
     * done, only mark the child's error retrieved (kt_future_error, not for
     * a cancelled child). Else, without return_exceptions, a cancelled
     * child fails the gather with KT_ECANCELLED and a failed one with its
     * error, at once. When the last child is in, fill g->outcomes in
     * argument order and finish the gather with them, or fail it with
     * KT_ECANCELLED if a cancel reached the children. After the last child,
     * drop the reference the gather holds on itself (kt_gather took it for
     * its callbacks) (book §6.3).
     * starter: (void)child; (void)g;
     */
    g->n_finished++;
    bool last = g->n_finished == g->n_distinct;

    if (kt_future_done(&g->base)) {
        if (!kt_future_cancelled(child))
            kt_future_error(child); /* marks a later error retrieved */
    } else if (!g->return_exceptions && kt_future_cancelled(child)) {
        /* An error, not a cancellation of the gather (case 065). */
        kt_future_set_error(&g->base, KT_ECANCELLED);
    } else if (!g->return_exceptions && kt_future_error(child) != 0) {
        kt_future_set_error(&g->base, kt_future_error(child));
    } else if (last) {
        for (size_t i = 0; i < g->n; i++) {
            kt_future *c = g->children[i];
            kt_outcome *o = &g->outcomes[i];
            o->error = kt_future_result(c, &o->value);
            o->cancel_msg = kt_future_cancel_message(c);
        }
        if (g->cancel_requested)
            kt_future_set_error(&g->base, KT_ECANCELLED);
        else
            kt_future_set_result(&g->base, g->outcomes);
    }
    if (last)
        kt_future_release(&g->base);
    /* END SOLUTION */
}
/* [/book:child_done] */

/* [book:gather] */
int kt_gather(kt_loop *loop, kt_future *const *fs, size_t n, bool return_exceptions,
              kt_future **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): check the arguments (out first: set *out to NULL; then
     * loop, and kt__check_futures). Make the gather with
     * kt__future_new(loop, &gather_class), its children array (a reference
     * per position) and its outcomes (n of them, never a NULL pointer).
     * n == 0: finish it at once with the empty outcomes. Else find the
     * distinct children (kt__first_occurrences), take one reference on the
     * gather for its callbacks, and add gather_child_done to each distinct
     * child once. On any failure free everything and return the error.
     * starter: (void)loop; (void)fs; (void)n; (void)return_exceptions;
     * starter: (void)gather_child_done; (void)&gather_class;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (loop == NULL)
        return KT_EINVAL;
    int rc = kt__check_futures(loop, fs, n);
    if (rc < 0)
        return rc;

    gather_future *g = (gather_future *)kt__future_new(loop, &gather_class);
    if (g == NULL)
        return KT_ENOMEM;
    g->return_exceptions = return_exceptions;
    g->children = malloc((n > 0 ? n : 1) * sizeof *g->children);
    g->outcomes = calloc(n > 0 ? n : 1, sizeof *g->outcomes);
    bool *first = n > 0 ? kt__first_occurrences(fs, n, &g->n_distinct) : NULL;
    if (g->children == NULL || g->outcomes == NULL || (n > 0 && first == NULL)) {
        free(first);
        kt_future_release(&g->base); /* finalize frees the arrays */
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        g->children[i] = kt_future_ref(fs[i]);
    g->n = n;

    if (n == 0) {
        kt_future_set_result(&g->base, g->outcomes);
        *out = &g->base;
        return 0;
    }
    kt_future_ref(&g->base); /* for the callbacks: dropped by the last one */
    size_t added = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (first[i] && (rc = kt_future_add_done_callback(fs[i], gather_child_done, g)) == 0)
            added++;
    free(first);
    if (rc < 0) {
        /* Out of memory half way: callbacks already added (some may be
         * queued) still point at g, so g lives until they have run. It
         * fails now, and the caller gets the error instead of g. */
        g->n_distinct = added;
        kt_future_set_error(&g->base, rc);
        kt_future_error(&g->base);
        if (added == 0)
            kt_future_release(&g->base);
        kt_future_release(&g->base);
        return rc;
    }
    *out = &g->base;
    return 0;
    /* END SOLUTION */
}
/* [/book:gather] */
