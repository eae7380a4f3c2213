/* taskgroup.h — structured concurrency: a group of tasks that ends
 * together (Lab 06).
 *
 * asyncio 3.11's TaskGroup: tasks created in the group are all done when
 * the `async with` block ends; the first child that fails cancels its
 * siblings and the block's owner; every error is collected and raised
 * together as an ExceptionGroup. C has no `async with`, so the block is
 * bracketed by two calls and its outcome goes through the second:
 *
 *     Python                                   Kettle
 *     async with asyncio.TaskGroup() as tg:    kt_taskgroup *tg;
 *         tg.create_task(a())                  int rc = kt_taskgroup_enter(&tg);
 *         tg.create_task(b())                  if (rc < 0) return rc;
 *                                              rc = kt_taskgroup_create_task(tg, a, NULL, NULL);
 *                                              if (rc == 0) rc = kt_taskgroup_create_task(tg, b, NULL, NULL);
 *     # except* / ExceptionGroup               rc = kt_taskgroup_exit(tg, rc);
 *     eg.exceptions                            if (rc == KT_EGROUP) kt_taskgroup_errors(tg, codes, cap);
 *                                              kt_taskgroup_release(tg);
 *
 * The ExceptionGroup analogue: kt_taskgroup_exit returns KT_EGROUP and the
 * group keeps the collected error codes, readable with kt_taskgroup_errors
 * until it is released (book §6.7).
 *
 * Ownership: kt_taskgroup_enter hands you the only reference to the group;
 * release it after kt_taskgroup_exit. The group holds a reference to each
 * child until the child is done. Releasing a group that was entered and
 * never exited cancels its children that are still pending (it must not
 * be left with tasks pointing at it), so exit first.
 *
 * Who writes what: functions marked [lab 06] are yours in
 * labs/06-combinators/taskgroup.c; [given] ones sit at the bottom of it.
 */
#ifndef KETTLE_TASKGROUP_H
#define KETTLE_TASKGROUP_H

#include <stddef.h>

#include "kettle/task.h"

typedef struct kt_taskgroup kt_taskgroup;

/* [book:taskgroup] */
/* From inside a task's coroutine (the group's owner, the "parent task"):
 * start a group. Returns 0 and sets *out, KT_EINVAL (NULL out),
 * KT_ENOTCORO outside a task's coroutine (asyncio: "TaskGroup cannot
 * determine the parent task"), KT_ENOMEM. *out is NULL after an error.
 * Twin: `async with asyncio.TaskGroup() as tg` (__init__ + __aenter__). [lab 06] */
int kt_taskgroup_enter(kt_taskgroup **out);

/* Create a task of the owner's loop running fn(arg), as kt_create_task
 * does, and watch it: when it fails (an error, not a cancellation), the
 * error is collected, and the first failure cancels every other child and
 * the owner (once), so that the owner's block stops at its next await.
 * `out` (may be NULL) receives a reference as with kt_create_task.
 * Returns 0, KT_EINVAL (NULL tg or fn), KT_EINVALSTATE once the group is
 * shutting down (a child failed, or exit saw an error: "TaskGroup is
 * shutting down") or finished (exited with no child left: "TaskGroup is
 * finished"), KT_ENOMEM. A child may create siblings while exit waits, as
 * long as the group is not shutting down.
 * Twin: tg.create_task(coro). [lab 06] */
int kt_taskgroup_create_task(kt_taskgroup *tg, kt_coro_fn fn, void *arg, kt_task **out);

/* End the block, from the owner's coroutine. `rc` is the block's own
 * outcome (0 or an error). Any error in rc cancels the children still
 * pending; then exit waits until every child is done, and returns:
 *   - KT_EGROUP if errors were collected: the children's errors in the
 *     order they happened, then the block's own rc if it was an error other
 *     than KT_ECANCELLED (kt_taskgroup_errors reads them);
 *   - else KT_ECANCELLED if the owner is being cancelled by someone else
 *     (the group's own cancel of the owner is taken back with
 *     kt_task_uncancel and never leaks out, but a foreign cancel is not
 *     swallowed: book §6.7);
 *   - else 0.
 * If the owner is cancelled while exit waits, the children are cancelled
 * and exit keeps waiting for them. Returns KT_EINVAL for NULL,
 * KT_EINVALSTATE if already exited or not called from the owner.
 * Twin: TaskGroup.__aexit__. [lab 06] */
int kt_taskgroup_exit(kt_taskgroup *tg, int rc);

/* The errors the group collected (its ExceptionGroup's .exceptions): how
 * many there are, with the first `cap` copied into out[] (out may be NULL
 * with cap 0 to count). 0 for NULL. [given] */
size_t kt_taskgroup_errors(const kt_taskgroup *tg, int *out, size_t cap);

/* Give back the reference kt_taskgroup_enter gave. NULL is ignored.
 * (See Ownership for a group never exited.) [given] */
void kt_taskgroup_release(kt_taskgroup *tg);
/* [/book:taskgroup] */

#endif
