/* queue.c — Lab 07: asyncio.Queue, LifoQueue and PriorityQueue (book §7.9).
 *
 * One struct, three ways to store items: a ring buffer taken from the head
 * (FIFO) or from the tail (LIFO), and the given min-heap of entries keyed by
 * priority (stable, so equal priorities keep their put order). Around the
 * storage, the same waiting as the primitives: a FIFO of getters woken by
 * put, a FIFO of putters woken by get, and an Event for join.
 */
#include <math.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/sync_impl.h"

/* ---- given: the storage ------------------------------------------------- */

/* Make room for one more item in the ring (doubling, unwrapping). */
static int ring_reserve(kt_queue *q)
{
    if (q->len < q->cap)
        return 0;
    size_t cap = q->cap ? q->cap * 2 : 8;
    void **ring = malloc(cap * sizeof *ring);
    if (ring == NULL)
        return KT_ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        ring[i] = q->ring[(q->head + i) % q->cap];
    free(q->ring);
    q->ring = ring;
    q->cap = cap;
    q->head = 0;
    return 0;
}

/* Store an item (the twin of asyncio's _put). */
KT_SYNC_HELPER static int store(kt_queue *q, double priority, void *item)
{
    if (q->kind == KT_QUEUE_PRIORITY) {
        kt_queue_entry *e = malloc(sizeof *e);
        if (e == NULL)
            return KT_ENOMEM;
        kt_heap_node_init(&e->node);
        e->item = item;
        int rc = kt_heap_push(&q->heap, &e->node, priority);
        if (rc < 0) {
            free(e);
            return rc;
        }
    } else {
        int rc = ring_reserve(q);
        if (rc < 0)
            return rc;
        q->ring[(q->head + q->len) % q->cap] = item;
    }
    q->len++;
    return 0;
}

/* Take the next item out (the twin of _get); the queue is not empty. */
KT_SYNC_HELPER static void *take(kt_queue *q)
{
    void *item;
    if (q->kind == KT_QUEUE_PRIORITY) {
        kt_queue_entry *e = kt_container_of(kt_heap_pop(&q->heap), kt_queue_entry, node);
        item = e->item;
        free(e);
    } else if (q->kind == KT_QUEUE_LIFO) {
        item = q->ring[(q->head + q->len - 1) % q->cap];
    } else {
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
    }
    q->len--;
    return item;
}

static int queue_new(kt_loop *loop, kt_queue_kind kind, size_t maxsize, kt_queue **out)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || out == NULL)
        return KT_EINVAL;
    kt_queue *q = calloc(1, sizeof *q);
    if (q == NULL)
        return KT_ENOMEM;
    int rc = kt_event_new(loop, &q->finished);
    if (rc < 0) {
        free(q);
        return rc;
    }
    q->finished->value = true; /* nothing unfinished yet: join returns at once */
    q->loop = loop;
    q->kind = kind;
    q->maxsize = maxsize;
    kt_heap_init(&q->heap);
    kt_list_init(&q->getters);
    kt_list_init(&q->putters);
    *out = q;
    return 0;
}

/* ---- yours -------------------------------------------------------------- */

int kt_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out)
{
    return queue_new(loop, KT_QUEUE_FIFO, maxsize, out);
}

int kt_lifo_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out)
{
    return queue_new(loop, KT_QUEUE_LIFO, maxsize, out);
}

int kt_priority_queue_new(kt_loop *loop, size_t maxsize, kt_queue **out)
{
    return queue_new(loop, KT_QUEUE_PRIORITY, maxsize, out);
}

int kt_queue_free(kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL, KT_EINVALSTATE while users > 0. Then
     * free what the queue owns: the entries still in the heap (not their
     * items), the heap, the ring, the `finished` event, the queue (§7.9).
     * starter: (void)q;
     * starter: return KT_ENOTIMPL;
     */
    if (q == NULL)
        return KT_EINVAL;
    if (q->users > 0)
        return KT_EINVALSTATE;
    kt_heap_node *n;
    while ((n = kt_heap_pop(&q->heap)) != NULL)
        free(kt_container_of(n, kt_queue_entry, node));
    kt_heap_destroy(&q->heap);
    free(q->ring);
    kt_event_free(q->finished);
    free(q);
    return 0;
    /* END SOLUTION */
}

size_t kt_queue_qsize(const kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): the number of items (0 for NULL).
     * starter: (void)q;
     * starter: return 0;
     */
    return q == NULL ? 0 : q->len;
    /* END SOLUTION */
}

size_t kt_queue_maxsize(const kt_queue *q)
{
    return q == NULL ? 0 : q->maxsize;
}

bool kt_queue_empty(const kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): no items (false for NULL).
     * starter: (void)q;
     * starter: return false;
     */
    return q != NULL && q->len == 0;
    /* END SOLUTION */
}

bool kt_queue_full(const kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): maxsize items in a bounded queue (false for NULL).
     * starter: (void)q;
     * starter: return false;
     */
    return q != NULL && q->maxsize > 0 && q->len >= q->maxsize;
    /* END SOLUTION */
}

size_t kt_queue_unfinished(const kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): puts not yet marked done (0 for NULL).
     * starter: (void)q;
     * starter: return 0;
     */
    return q == NULL ? 0 : q->unfinished;
    /* END SOLUTION */
}

/* [book:put_nowait] */
static int put_nowait(kt_queue *q, double priority, void *item)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EQUEUEFULL when full; store the item (KT_ENOMEM);
     * one more unfinished item, so clear q->finished; wake the first getter
     * and unlink it (kt__waiter_wake_first with pop) (book §7.9).
     * starter: (void)q; (void)priority; (void)item;
     * starter: return KT_ENOTIMPL;
     */
    if (kt_queue_full(q))
        return KT_EQUEUEFULL;
    int rc = store(q, priority, item);
    if (rc < 0)
        return rc;
    q->unfinished++;
    q->finished->value = false;
    kt__waiter_wake_first(&q->getters, true);
    return 0;
    /* END SOLUTION */
}
/* [/book:put_nowait] */

/* [book:put] */
static int put(kt_queue *q, double priority, void *item)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): while the queue is full, park on q->putters (counted in
     * users). Cancelled: if you had been woken and there is room, pass the
     * wake-up to the next putter; return KT_ECANCELLED. Then put_nowait
     * (book §7.9).
     * starter: (void)q; (void)priority; (void)item;
     * starter: return KT_ENOTIMPL;
     */
    while (kt_queue_full(q)) {
        kt_waiter w;
        q->users++;
        int rc = kt__waiter_park(q->loop, &q->putters, &w);
        q->users--;
        if (rc < 0) {
            if (w.woken && !kt_queue_full(q))
                kt__waiter_wake_first(&q->putters, true);
            return rc;
        }
    }
    return put_nowait(q, priority, item);
    /* END SOLUTION */
}
/* [/book:put] */

/* The argument checks of the four puts: nowait ones need no task. */
static int check_put(kt_queue *q, bool blocking, bool keyed, double priority)
{
    if (q == NULL || isnan(priority) || (keyed && q->kind != KT_QUEUE_PRIORITY))
        return KT_EINVAL;
    return blocking ? kt__sync_check_blocking(q->loop) : kt__sync_check_loop(q->loop);
}

int kt_queue_put(kt_queue *q, void *item)
{
    int rc = check_put(q, true, false, 0);
    return rc < 0 ? rc : put(q, 0, item);
}

int kt_queue_put_nowait(kt_queue *q, void *item)
{
    int rc = check_put(q, false, false, 0);
    return rc < 0 ? rc : put_nowait(q, 0, item);
}

int kt_queue_put_priority(kt_queue *q, double priority, void *item)
{
    int rc = check_put(q, true, true, priority);
    return rc < 0 ? rc : put(q, priority, item);
}

int kt_queue_put_priority_nowait(kt_queue *q, double priority, void *item)
{
    int rc = check_put(q, false, true, priority);
    return rc < 0 ? rc : put_nowait(q, priority, item);
}

/* [book:get_nowait] */
int kt_queue_get_nowait(kt_queue *q, void **item_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL q or item_out, kt__sync_check_loop,
     * KT_EQUEUEEMPTY when empty. Take the item, then wake the first putter
     * (with pop): there is room now (book §7.9).
     * starter: (void)q; (void)item_out;
     * starter: return KT_ENOTIMPL;
     */
    if (q == NULL || item_out == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(q->loop);
    if (rc < 0)
        return rc;
    if (q->len == 0)
        return KT_EQUEUEEMPTY;
    *item_out = take(q);
    kt__waiter_wake_first(&q->putters, true);
    return 0;
    /* END SOLUTION */
}
/* [/book:get_nowait] */

/* [book:get] */
int kt_queue_get(kt_queue *q, void **item_out)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL for NULL q or item_out, the blocking check.
     * While empty, park on q->getters (counted in users): a wake-up is a
     * hint, not an item, so look again when you resume (someone may have
     * taken it). Cancelled: if you had been woken and items are left, pass
     * the wake-up to the next getter; return KT_ECANCELLED. Then
     * kt_queue_get_nowait (book §7.9).
     * starter: (void)q; (void)item_out;
     * starter: return KT_ENOTIMPL;
     */
    if (q == NULL || item_out == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(q->loop);
    if (rc < 0)
        return rc;
    while (q->len == 0) {
        kt_waiter w;
        q->users++;
        rc = kt__waiter_park(q->loop, &q->getters, &w);
        q->users--;
        if (rc < 0) {
            if (w.woken && q->len > 0)
                kt__waiter_wake_first(&q->getters, true);
            return rc;
        }
    }
    return kt_queue_get_nowait(q, item_out);
    /* END SOLUTION */
}
/* [/book:get] */

/* [book:join] */
int kt_queue_task_done(kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, kt__sync_check_loop, KT_EINVALSTATE when
     * nothing is unfinished. One fewer; at zero, kt_event_set(q->finished)
     * (book §7.9).
     * starter: (void)q;
     * starter: return KT_ENOTIMPL;
     */
    if (q == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_loop(q->loop);
    if (rc < 0)
        return rc;
    if (q->unfinished == 0)
        return KT_EINVALSTATE;
    if (--q->unfinished == 0)
        kt_event_set(q->finished);
    return 0;
    /* END SOLUTION */
}

int kt_queue_join(kt_queue *q)
{
    /* BEGIN SOLUTION
     * TODO(lab 07): KT_EINVAL, the blocking check; nothing unfinished: 0
     * without yielding; else wait on q->finished (counted in users).
     * starter: (void)q;
     * starter: return KT_ENOTIMPL;
     */
    if (q == NULL)
        return KT_EINVAL;
    int rc = kt__sync_check_blocking(q->loop);
    if (rc < 0)
        return rc;
    if (q->unfinished == 0)
        return 0;
    q->users++;
    rc = kt_event_wait(q->finished);
    q->users--;
    return rc;
    /* END SOLUTION */
}
/* [/book:join] */
