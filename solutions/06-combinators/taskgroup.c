/* taskgroup.c — Lab 06: asyncio.TaskGroup (read book §6.7).
 *
 * A group knows its owner (the parent task) and its children. Each child
 * has a done callback that collects its error; the first error cancels
 * every other child and, once, the owner, so that the owner's block stops
 * at its next await and reaches kt_taskgroup_exit, which waits for the
 * children and hands back what happened.
 *
 * Given to you: the structs, the reference count, abort_children, the
 * error list (add_error), kt_taskgroup_errors and kt_taskgroup_release.
 * Yours: on_task_done, kt_taskgroup_enter, kt_taskgroup_create_task and
 * kt_taskgroup_exit.
 */
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"
#include "kettle/taskgroup.h"

/* [book:struct] */
/* One child: the registration of its done callback points here. */
typedef struct child {
    kt_list_node link;     /* in tg->children while the child is pending */
    kt_task *task;         /* a reference, dropped when the child is done */
    struct kt_taskgroup *tg;
} child;

struct kt_taskgroup {
    int refs;              /* the owner's + one per pending child */
    kt_loop *loop;
    kt_task *parent;       /* _parent_task: a reference */
    kt_list children;      /* _tasks: child.link of the pending children */
    size_t n_children;
    unsigned exiting : 1;  /* _exiting: kt_taskgroup_exit has begun */
    unsigned exited : 1;   /* kt_taskgroup_exit has returned */
    unsigned aborting : 1; /* _aborting: the children were cancelled */
    unsigned parent_cancel_requested : 1; /* _parent_cancel_requested */
    int *errors;           /* _errors, in the order they happened */
    size_t n_errors, cap_errors;
    kt_future *on_completed; /* _on_completed_fut: what exit waits on */
};
/* [/book:struct] */

static void tg_release(kt_taskgroup *tg)
{
    if (--tg->refs > 0)
        return;
    kt_task_release(tg->parent);
    free(tg->errors);
    free(tg);
}

/* Cancel every child still pending. Twin: TaskGroup._abort. [given] */
static void abort_children(kt_taskgroup *tg)
{
    tg->aborting = 1;
    kt_list_for_each(it, &tg->children) {
        child *c = kt_container_of(it, child, link);
        if (!kt_future_done(kt_task_future(c->task)))
            kt_task_cancel(c->task, NULL);
    }
}

/* Collect one error. Out of memory, it is reported instead of lost. [given] */
static void add_error(kt_taskgroup *tg, int error)
{
    if (tg->n_errors == tg->cap_errors) {
        size_t cap = tg->cap_errors > 0 ? 2 * tg->cap_errors : 4;
        int *e = realloc(tg->errors, cap * sizeof *e);
        if (e == NULL) {
            kt_error_context ctx = {"TaskGroup could not keep an error (out of memory)", error, tg};
            kt_loop_call_exception_handler(tg->loop, &ctx);
            return;
        }
        tg->errors = e;
        tg->cap_errors = cap;
    }
    tg->errors[tg->n_errors++] = error;
}

/* [book:on_task_done] */
/* A child is done. Twin: TaskGroup._on_task_done. */
static void on_task_done(kt_future *f, void *arg)
{
    child *c = arg;
    kt_taskgroup *tg = c->tg;
    /* BEGIN SOLUTION
     * TODO(lab 06): the child leaves the group (unlink it, count it down);
     * if exit waits and it was the last, finish tg->on_completed. A
     * cancelled child is nothing more. A failed one (kt_future_error): add
     * its error; if the owner is already done, tell the loop's exception
     * handler ("Task has errored out but its parent task is already
     * completed"); else, unless the group is aborting or already cancelled
     * the owner: abort the children, note parent_cancel_requested and
     * cancel the owner. Last, release the child's task, free c and drop
     * its group reference (tg_release).
     * starter: (void)f; (void)tg; (void)add_error;
     */
    kt_list_remove(&c->link);
    tg->n_children--;
    if (tg->on_completed != NULL && tg->n_children == 0 && !kt_future_done(tg->on_completed))
        kt_future_set_result(tg->on_completed, NULL);

    int error = kt_future_cancelled(f) ? 0 : kt_future_error(f);
    if (error != 0) {
        add_error(tg, error);
        if (kt_future_done(kt_task_future(tg->parent))) {
            kt_error_context ctx = {"Task has errored out but its parent task is already completed",
                                    error, f};
            kt_loop_call_exception_handler(tg->loop, &ctx);
        } else if (!tg->aborting && !tg->parent_cancel_requested) {
            abort_children(tg);
            tg->parent_cancel_requested = 1;
            kt_task_cancel(tg->parent, NULL);
        }
    }
    kt_task_release(c->task);
    free(c);
    tg_release(tg);
    /* END SOLUTION */
}
/* [/book:on_task_done] */

/* [book:enter] */
int kt_taskgroup_enter(kt_taskgroup **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): set *out to NULL; KT_EINVAL for NULL out; the owner is
     * the task whose coroutine runs (kt__coro_task; none: KT_ENOTCORO).
     * Allocate the group (refs 1), keep a reference to the owner, its loop,
     * an empty list of children.
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    kt_task *t = kt__coro_task();
    if (t == NULL)
        return KT_ENOTCORO;
    kt_taskgroup *tg = calloc(1, sizeof *tg);
    if (tg == NULL)
        return KT_ENOMEM;
    tg->refs = 1;
    tg->parent = kt_task_ref(t);
    tg->loop = t->base.loop;
    kt_list_init(&tg->children);
    *out = tg;
    return 0;
    /* END SOLUTION */
}
/* [/book:enter] */

/* [book:create_task] */
int kt_taskgroup_create_task(kt_taskgroup *tg, kt_coro_fn fn, void *arg, kt_task **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): set *out to NULL; KT_EINVAL for NULL tg or fn;
     * KT_EINVALSTATE when the group is finished (exited, or exiting with no
     * child left) or aborting. Create the task (kt_create_task), a child
     * record for it (with a reference to the task and one to the group),
     * register on_task_done with the record, link it in tg->children. Hand
     * the caller its own reference if asked.
     * starter: (void)tg; (void)fn; (void)arg; (void)on_task_done;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (tg == NULL || fn == NULL)
        return KT_EINVAL;
    if (tg->exited || (tg->exiting && tg->n_children == 0) || tg->aborting)
        return KT_EINVALSTATE;
    child *c = malloc(sizeof *c);
    if (c == NULL)
        return KT_ENOMEM;
    int rc = kt_create_task(tg->loop, fn, arg, &c->task);
    if (rc == 0) {
        rc = kt_future_add_done_callback(kt_task_future(c->task), on_task_done, c);
        if (rc < 0) {
            kt_task_cancel(c->task, NULL);
            kt_task_release(c->task);
        }
    }
    if (rc < 0) {
        free(c);
        return rc;
    }
    c->tg = tg;
    tg->refs++;
    kt_list_node_init(&c->link);
    kt_list_push_back(&tg->children, &c->link);
    tg->n_children++;
    if (out != NULL)
        *out = kt_task_ref(c->task);
    return 0;
    /* END SOLUTION */
}
/* [/book:create_task] */

/* [book:exit] */
int kt_taskgroup_exit(kt_taskgroup *tg, int rc)
{
    /* BEGIN SOLUTION
     * TODO(lab 06): KT_EINVAL for NULL; KT_EINVALSTATE if already exited or
     * not called from the owner's coroutine. Then TaskGroup.__aexit__:
     * mark exiting; propagate = (rc is KT_ECANCELLED); if the group
     * cancelled the owner, take that back (kt_task_uncancel) and, if no
     * request is left, propagate = false. An error in rc aborts the
     * children (unless aborting already). While children are pending, await
     * a fresh tg->on_completed (release it and set it back to NULL after
     * each await); a KT_ECANCELLED from that await (the owner was
     * cancelled) sets propagate and aborts, unless aborting already.
     * Mark exited, then answer: KT_ECANCELLED if propagate and no error was
     * collected; add rc if it is an error other than KT_ECANCELLED;
     * KT_EGROUP if errors were collected; else 0 (book §6.7).
     * starter: (void)tg; (void)rc; (void)abort_children;
     * starter: return KT_ENOTIMPL;
     */
    if (tg == NULL)
        return KT_EINVAL;
    if (tg->exited || kt__coro_task() != tg->parent)
        return KT_EINVALSTATE;
    tg->exiting = 1;
    bool propagate = rc == KT_ECANCELLED;
    if (tg->parent_cancel_requested && kt_task_uncancel(tg->parent) == 0)
        propagate = false;
    if (rc < 0 && !tg->aborting)
        abort_children(tg);

    while (tg->n_children > 0) {
        if (tg->on_completed == NULL && kt_future_new(tg->loop, &tg->on_completed) < 0) {
            kt_sleep(0); /* out of memory: poll instead */
            continue;
        }
        int w = kt_await(tg->on_completed, NULL);
        if (w == KT_ECANCELLED && !tg->aborting) {
            propagate = true;
            abort_children(tg);
        }
        kt_future_release(tg->on_completed);
        tg->on_completed = NULL;
    }
    tg->exited = 1;
    if (propagate && tg->n_errors == 0)
        return KT_ECANCELLED;
    if (rc < 0 && rc != KT_ECANCELLED)
        add_error(tg, rc);
    return tg->n_errors > 0 ? KT_EGROUP : 0;
    /* END SOLUTION */
}
/* [/book:exit] */

size_t kt_taskgroup_errors(const kt_taskgroup *tg, int *out, size_t cap)
{
    if (tg == NULL)
        return 0;
    for (size_t i = 0; out != NULL && i < cap && i < tg->n_errors; i++)
        out[i] = tg->errors[i];
    return tg->n_errors;
}

void kt_taskgroup_release(kt_taskgroup *tg)
{
    if (tg == NULL)
        return;
    /* Never exited: the children must not outlive the block unwatched. */
    if (!tg->exited && tg->n_children > 0)
        abort_children(tg);
    tg_release(tg);
}
