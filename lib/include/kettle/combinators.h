/* combinators.h — many futures at once: gather, wait, as_completed,
 * wait_for, shield (Lab 06).
 *
 * Each of these is a small function built from what Labs 04 and 05 gave
 * you: futures, done callbacks and cancellation, exactly as asyncio's
 * tasks.py builds them from futures.py. They take futures; a task is a
 * future (kt_task_future). Python's coroutine arguments are wrapped in
 * tasks by asyncio; in C you create the tasks yourself.
 *
 *     Python                                     Kettle
 *     res = await asyncio.gather(a, b)           kt_gather(loop, fs, 2, false, &g);
 *                                                kt_await(g, &v); kt_outcome *res = v;
 *     done, pending = await asyncio.wait(fs,     kt_wait(fs, n, KT_FIRST_COMPLETED,
 *         return_when=FIRST_COMPLETED)               INFINITY, &sets);
 *     for f in asyncio.as_completed(fs):         kt_as_completed_new(loop, fs, n, INFINITY, &it);
 *         v = await f                            while (kt_as_completed_next(it, &f, &v) != KT_ESTOP)
 *     v = await asyncio.wait_for(f, 1.0)         kt_wait_for(f, 1.0, &v)
 *     v = await asyncio.shield(f)                kt_shield(f, &outer); kt_await(outer, &v)
 *
 * Common argument rules (book §6.2): an array pointer may be NULL only
 * with n == 0; a NULL element is KT_EINVAL; a future of another loop than
 * the one the call works on is KT_EWRONGLOOP (asyncio: ValueError "The
 * future belongs to a different loop"); a timeout is seconds of loop time,
 * INFINITY for none (Python's None), and NaN is KT_EINVAL. A negative
 * timeout counts as 0. On an error nothing was registered and nothing is
 * left allocated. Duplicates in an array are the same future: it is
 * watched once.
 *
 * Who writes what: functions marked [lab 06] are yours in
 * labs/06-combinators/ (gather.c, wait.c, as_completed.c, wait_for.c,
 * shield.c); [given] ones sit in the same files outside the markers.
 */
#ifndef KETTLE_COMBINATORS_H
#define KETTLE_COMBINATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/future.h"
#include "kettle/loop.h"

/* [book:outcome] */
/* What one child of a gather ended with. Twin: one item of gather's list,
 * which is either the child's result or (return_exceptions=True) the
 * exception object. */
typedef struct kt_outcome {
    int error;              /* 0: finished with `value`; KT_ECANCELLED: the
                             * child was cancelled; else the child's error */
    void *value;            /* the result when error == 0, else NULL */
    const char *cancel_msg; /* the cancelled child's message, or NULL */
} kt_outcome;
/* [/book:outcome] */

/* [book:gather] */
/* A future (*out, a reference for you) that completes when the n futures
 * in fs[] are all done, with their outcomes in argument order: its result
 * is a `kt_outcome *` array of n items, owned by the gather future and
 * valid as long as you hold a reference to it. The children are not
 * cancelled by anything but a cancel of the gather itself (book §6.3):
 *   - return_exceptions false: the first child to fail (or to be cancelled
 *     from outside) fails the gather at once with that error (with
 *     KT_ECANCELLED as an *error*: the gather is not marked cancelled); the
 *     other children keep running, and their later errors are marked
 *     retrieved (no "never retrieved" report);
 *   - return_exceptions true: errors and cancellations (KT_ECANCELLED with
 *     the child's cancel message) sit in the outcome array;
 *   - kt_future_cancel(gather) cancels every child still pending and
 *     returns 1 if any agreed; the gather then fails with KT_ECANCELLED
 *     once all children are done, whatever return_exceptions says. A
 *     gather that is already done ignores the cancel (returns 0);
 *   - n == 0: the gather is finished at once with an empty result (a
 *     non-NULL pointer to zero outcomes);
 *   - a future that appears twice is watched once and reported in every
 *     position.
 * The gather holds a reference to each child, and keeps itself alive until
 * every child is done (its done callbacks point at it).
 * Returns 0, KT_EINVAL (NULL loop or out, NULL fs with n > 0, a NULL
 * element), KT_EWRONGLOOP (a child of another loop), KT_ENOMEM.
 * Twin: asyncio.gather(*fs, return_exceptions=...). [lab 06] */
int kt_gather(kt_loop *loop, kt_future *const *fs, size_t n, bool return_exceptions,
              kt_future **out);
/* [/book:gather] */

/* [book:wait] */
/* When kt_wait returns. Twin: asyncio.FIRST_COMPLETED, ... */
typedef enum kt_wait_mode {
    KT_FIRST_COMPLETED = 1, /* as soon as any future is done */
    KT_FIRST_EXCEPTION = 2, /* as soon as one finishes with an error (a
                             * cancelled one does not count), else all done */
    KT_ALL_COMPLETED = 3,   /* when every future is done */
} kt_wait_mode;

/* Where kt_wait puts its answer: the caller gives two arrays of at least n
 * slots (either may be NULL if that set is not wanted); kt_wait fills them
 * with borrowed pointers, each distinct future once, in argument order
 * (Python returns two sets, which have no order). */
typedef struct kt_wait_sets {
    kt_future **done;     /* done futures: finished, failed or cancelled */
    size_t n_done;
    kt_future **pending;  /* still pending when kt_wait returned */
    size_t n_pending;
} kt_wait_sets;

/* From inside a task's coroutine: wait until `mode` is satisfied or
 * `timeout` seconds pass, then sort the futures into sets->done and
 * sets->pending. A timeout is not an error: it returns 0 with whatever is
 * done, and nothing is cancelled, ever (book §6.4). kt_wait always
 * suspends, even when everything is already done (it registers done
 * callbacks and waits for them). Returns 0; KT_EINVAL (NULL sets, NULL or
 * empty fs: asyncio's ValueError "Set of Tasks/Futures is empty.", a NULL
 * element, an unknown mode, a NaN timeout); KT_EWRONGLOOP (a future of
 * another loop than the running task's); KT_ENOTCORO outside a task's
 * coroutine; KT_ECANCELLED if the waiting task is cancelled (the futures
 * are not); KT_ENOMEM.
 * Twin: done, pending = await asyncio.wait(fs, timeout=, return_when=). [lab 06] */
int kt_wait(kt_future *const *fs, size_t n, kt_wait_mode mode, double timeout,
            kt_wait_sets *sets);
/* [/book:wait] */

/* [book:as_completed] */
typedef struct kt_as_completed kt_as_completed;

/* An iterator over the distinct futures of fs[] in the order they complete
 * (book §6.5). Creating it registers the done callbacks and, for a finite
 * timeout, one timer for the whole iteration. *out is yours: free it with
 * kt_as_completed_free. Returns 0, KT_EINVAL (NULL loop or out, NULL fs
 * with n > 0, a NULL element, NaN timeout), KT_EWRONGLOOP, KT_ENOMEM.
 * n == 0 is allowed: the first next() says KT_ESTOP.
 * Twin: asyncio.as_completed(fs, timeout=). [lab 06] */
int kt_as_completed_new(kt_loop *loop, kt_future *const *fs, size_t n, double timeout,
                        kt_as_completed **out);

/* From inside a task's coroutine: wait for the next future to complete and
 * hand back its outcome as kt_await would (0 and *value_out, its error, or
 * KT_ECANCELLED), with the future itself in *fut_out (borrowed, valid
 * until kt_as_completed_free; either out pointer may be NULL). After the
 * timeout every remaining call returns KT_ETIMEDOUT (*fut_out NULL). Once
 * each distinct future has been handed out (or timed out), KT_ESTOP: the
 * end of the `for` loop. Also KT_EINVAL for NULL, KT_ENOTCORO outside a
 * task's coroutine; if the waiting task is cancelled, KT_ECANCELLED and
 * the iterator is unchanged. Twin: `await f` for f in as_completed(). [lab 06] */
int kt_as_completed_next(kt_as_completed *it, kt_future **fut_out, void **value_out);

/* Unregister what is still registered, cancel the timer, drop the
 * references. The futures themselves are not cancelled. NULL is ignored.
 * Twin: dropping the iterator. [given] */
void kt_as_completed_free(kt_as_completed *it);
/* [/book:as_completed] */

/* [book:wait_for] */
/* From inside a task's coroutine: await `f`, but for at most `timeout`
 * seconds (book §6.6). On the timeout f is cancelled, and kt_wait_for
 * waits until f is really done (a task's cleanup has run) before returning
 * KT_ETIMEDOUT; if f swallowed the cancel and finished anyway, its outcome
 * is returned instead (3.11's behaviour). A timeout of 0 or less checks
 * once: a done f gives its outcome, a pending one is cancelled and waited
 * for as above. INFINITY waits as kt_await does. If the waiting task is
 * cancelled, f is cancelled and waited for too, and KT_ECANCELLED comes
 * back (unless f is done by then: its outcome). Returns f's outcome (0 and
 * *value_out, its error, KT_ECANCELLED), KT_ETIMEDOUT, KT_EINVAL (NULL f,
 * NaN timeout), KT_EWRONGLOOP, KT_ENOTCORO, KT_ENOMEM.
 * Twin: value = await asyncio.wait_for(f, timeout). [lab 06] */
int kt_wait_for(kt_future *f, double timeout, void **value_out);
/* [/book:wait_for] */

/* [book:shield] */
/* A future (*out, a reference for you) that mirrors `inner` but protects
 * it: cancelling *out does not cancel inner, which runs on (book §6.6).
 * When inner completes, *out gets its result or error, or is cancelled if
 * inner itself was cancelled; if *out was cancelled first, inner's later
 * error is marked retrieved. An inner that is already done is handed back
 * itself (a new reference to it), as asyncio does. Returns 0, KT_EINVAL
 * (NULL inner or out), KT_ENOMEM. Both stay alive until one of them is
 * done. Twin: asyncio.shield(inner). [lab 06] */
int kt_shield(kt_future *inner, kt_future **out);
/* [/book:shield] */

#endif
