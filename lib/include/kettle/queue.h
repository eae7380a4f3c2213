/* queue.h — queues between tasks of one loop (Lab 07).
 *
 * A queue of `void *` items: Kettle never looks at an item and never frees
 * one, so an item may be any pointer (NULL too) and whoever puts it keeps
 * owning what it points to until a getter takes it. Three orders, one type:
 *
 *     Python                                  Kettle
 *     q = asyncio.Queue(maxsize=10)           kt_queue_new(loop, 10, &q)
 *     q = asyncio.LifoQueue()                 kt_lifo_queue_new(loop, 0, &q)
 *     q = asyncio.PriorityQueue()             kt_priority_queue_new(loop, 0, &q)
 *     await q.put(item)                       kt_queue_put(q, item)
 *     await q.put((prio, item))               kt_queue_put_priority(q, prio, item)
 *     item = await q.get()                    kt_queue_get(q, &item)
 *     q.task_done(); await q.join()           kt_queue_task_done(q); kt_queue_join(q)
 *
 * Priorities are a key beside the item (a double, lowest first), not part
 * of the item: Python compares whole tuples, Kettle compares keys only.
 * Items with equal priorities come out in the order they were put (Kettle
 * stamps each put with a sequence number; in Python heapq does not promise
 * this, so programs put (prio, count, item) tuples to get it).
 *
 * maxsize 0 means unbounded (asyncio: maxsize <= 0). A bounded queue makes
 * kt_queue_put wait while it is full.
 *
 * Rules (book §7.9), as for the primitives of sync.h:
 *   - kt_queue_free frees the queue (not the items still in it: take them
 *     out first if you own them). Refused with KT_EINVALSTATE, changing
 *     nothing, while a task waits in put, get or join (or has been woken
 *     there and has not resumed yet). kt_queue_free(NULL) is KT_EINVAL.
 *   - NULL queue: KT_EINVAL (the size queries answer 0 / false).
 *   - kt_queue_put, kt_queue_put_priority, kt_queue_get and kt_queue_join
 *     may wait: they must be called from a task's coroutine (KT_ENOTCORO,
 *     even when they would not wait) of the queue's loop (KT_EWRONGLOOP).
 *     The other calls work from callbacks and plain code too (KT_EWRONGLOOP
 *     from a task of another loop).
 *   - Blocked getters are served first in, first out, one item each; so are
 *     blocked putters. A woken getter does not own an item: if someone
 *     takes it first (kt_queue_get_nowait), the getter waits again, at the
 *     end of the line. A woken getter that is cancelled passes its wake-up
 *     to the next getter, so no item is stranded; the same for putters.
 *   - Nothing here is thread-safe: one loop, one thread.
 *
 * Who writes what: every function here is [lab 07] (kt_queue_maxsize is
 * [given]), in labs/07-sync/queue.c.
 */
#ifndef KETTLE_QUEUE_H
#define KETTLE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/loop.h"

typedef struct kt_queue kt_queue;

/* [book:new] */
/* A new first-in first-out queue of `loop` holding at most `maxsize` items
 * (0: no limit). Returns 0, KT_EINVAL (NULL loop or out) or KT_ENOMEM.
 * Twin: asyncio.Queue(maxsize=0). [lab 07] */
int kt_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out);

/* The same, last in first out. Twin: asyncio.LifoQueue(maxsize=0). [lab 07] */
int kt_lifo_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out);

/* The same, lowest priority first (see kt_queue_put_priority).
 * Twin: asyncio.PriorityQueue(maxsize=0). [lab 07] */
int kt_priority_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out);

/* Free the queue (see the rules above). Twin: `del q`. [lab 07] */
int kt_queue_free(kt_queue *q);
/* [/book:new] */

/* [book:put] */
/* Put an item, waiting while the queue is full. Returns 0, KT_ECANCELLED
 * (the item was not put), KT_ENOTCORO, KT_EWRONGLOOP, KT_EINVAL or
 * KT_ENOMEM. On a priority queue it is kt_queue_put_priority(q, 0, item).
 * Twin: await q.put(item). [lab 07] */
int kt_queue_put(kt_queue *q, void *item);

/* Put an item without waiting: KT_EQUEUEFULL if the queue is full (nothing
 * changes). A put wakes the first waiting getter and counts one more
 * unfinished item for kt_queue_join. Returns 0, KT_EQUEUEFULL,
 * KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM. Twin: q.put_nowait(item). [lab 07] */
int kt_queue_put_nowait(kt_queue *q, void *item);

/* On a priority queue: put `item` with key `priority` (lower comes out
 * first; equal keys in put order). A NaN priority, or a queue that is not
 * a priority queue, is KT_EINVAL. Otherwise as kt_queue_put / _nowait.
 * Twin: await q.put((priority, item)) / q.put_nowait((priority, item)). [lab 07] */
int kt_queue_put_priority(kt_queue *q, double priority, void *item);
int kt_queue_put_priority_nowait(kt_queue *q, double priority, void *item);
/* [/book:put] */

/* [book:get] */
/* Take the next item into *item_out (not NULL), waiting while the queue is
 * empty. Returns 0, KT_ECANCELLED (nothing taken, *item_out unchanged),
 * KT_ENOTCORO, KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM.
 * Twin: item = await q.get(). [lab 07] */
int kt_queue_get(kt_queue *q, void **item_out);

/* Take the next item without waiting: KT_EQUEUEEMPTY if there is none.
 * A get wakes the first waiting putter. Returns 0, KT_EQUEUEEMPTY,
 * KT_EWRONGLOOP or KT_EINVAL. Twin: item = q.get_nowait(). [lab 07] */
int kt_queue_get_nowait(kt_queue *q, void **item_out);
/* [/book:get] */

/* [book:join] */
/* Say that one item taken from the queue has been dealt with. Each put
 * counts one unfinished item, each task_done takes one away (it need not
 * follow a get: it counts puts); when none is left, kt_queue_join's
 * waiters wake. More task_done calls than puts: KT_EINVALSTATE (asyncio:
 * ValueError "task_done() called too many times"), nothing changes. Also
 * KT_EWRONGLOOP, KT_EINVAL. Twin: q.task_done(). [lab 07] */
int kt_queue_task_done(kt_queue *q);

/* Wait until every item put has been marked done. With nothing unfinished
 * it returns 0 at once without yielding. Returns 0, KT_ECANCELLED,
 * KT_ENOTCORO, KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM.
 * Twin: await q.join(). [lab 07] */
int kt_queue_join(kt_queue *q);
/* [/book:join] */

/* [book:size] */
/* How many items are in the queue (0 for NULL). Twin: q.qsize(). [lab 07] */
size_t kt_queue_qsize(const kt_queue *q);

/* The maxsize given at creation (0: unbounded; 0 for NULL).
 * Twin: q.maxsize. [given] */
size_t kt_queue_maxsize(const kt_queue *q);

/* Whether the queue holds no item (false for NULL).
 * Twin: q.empty(). [lab 07] */
bool kt_queue_empty(const kt_queue *q);

/* Whether the queue holds maxsize items (never for an unbounded queue;
 * false for NULL). Twin: q.full(). [lab 07] */
bool kt_queue_full(const kt_queue *q);

/* How many items were put and not yet marked done (0 for NULL).
 * Twin: q._unfinished_tasks. [lab 07] */
size_t kt_queue_unfinished(const kt_queue *q);
/* [/book:size] */

#endif
