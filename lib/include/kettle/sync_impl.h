/* sync_impl.h — the insides of Lab 07's primitives and queues, shared by
 * the lab's files and the tests. Programs use sync.h and queue.h.
 *
 * The one idea under all of them: a waiter is a future parked in a FIFO.
 * A task that must wait puts a kt_waiter on its own stack (its coroutine's
 * frame lives until it resumes, so no allocation is needed), links it at
 * the tail of the primitive's list and awaits its future; a wake-up is
 * kt_future_set_result on the first waiter's future (book §7.3).
 */
#ifndef KETTLE_SYNC_IMPL_H
#define KETTLE_SYNC_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/future.h"
#include "kettle/heap.h"
#include "kettle/list.h"
#include "kettle/loop.h"
#include "kettle/queue.h"
#include "kettle/sync.h"
#include "kettle/task.h"

/* The lab's given helpers are unused until your code calls them: say so. */
#define KT_SYNC_HELPER __attribute__((unused))

/* [book:waiter] */
/* One parked task. `fut` is the future it awaits (NULL before and after);
 * `woken` says, once the task has resumed, whether its future got a result
 * (it was woken) rather than being cancelled. */
typedef struct kt_waiter {
    kt_list_node link; /* in the primitive's FIFO while parked */
    kt_future *fut;
    bool woken;
} kt_waiter;

/* Park the running task at the tail of `fifo`: make a future of `loop`,
 * link w, kt_await the future, then unlink w if it is still linked and
 * release the future, recording in w->woken whether it had a result.
 * Returns kt_await's code: 0 (woken), KT_ECANCELLED (the task was
 * cancelled; w->woken may still be true when a wake-up came first), or
 * KT_ENOMEM. [lab 07, waiter.c] */
int kt__waiter_park(kt_loop *loop, kt_list *fifo, kt_waiter *w);

/* Wake the first waiter of `fifo` whose future is not done yet (skipping
 * cancelled ones and ones already woken): set its future's result. With
 * `pop`, unlink it (and any done waiters before it) as queues do; without,
 * the woken waiter stays linked until it resumes, as locks do. Returns
 * true if a waiter was woken. [lab 07, waiter.c] */
bool kt__waiter_wake_first(kt_list *fifo, bool pop);

/* Whether some waiter of `fifo` has a future that is not cancelled (one
 * still waiting, or woken and not yet resumed). [lab 07, waiter.c] */
bool kt__waiter_any_live(const kt_list *fifo);
/* [/book:waiter] */

/* The loop check shared by every call (sync.h, "Rules"): a blocking call
 * needs a task of the object's loop; any call from a task of another loop
 * is refused. [given] */
static inline int kt__sync_check_blocking(const kt_loop *owner)
{
    kt_loop *running = kt_get_running_loop();
    if (running == NULL)
        return KT_ENOTCORO;
    return running == owner ? 0 : KT_EWRONGLOOP;
}

static inline int kt__sync_check_loop(const kt_loop *owner)
{
    kt_loop *running = kt_get_running_loop();
    return running == NULL || running == owner ? 0 : KT_EWRONGLOOP;
}

/* [book:structs] */
struct kt_lock {
    kt_loop *loop;
    bool locked;
    kt_list waiters; /* kt_waiter.link, FIFO */
    unsigned users;  /* tasks inside kt_lock_acquire: kt_lock_free refuses while > 0 */
};

struct kt_event {
    kt_loop *loop;
    bool value;
    kt_list waiters;
    unsigned users;
};

struct kt_condition {
    kt_loop *loop;
    kt_lock *lock;
    bool own_lock; /* made by kt_condition_new, freed with the condition */
    kt_list waiters;
    unsigned users;
};

struct kt_semaphore {
    kt_loop *loop;
    int value;
    int bound;     /* the initial value of a bounded semaphore, -1 for a plain one */
    kt_list waiters;
    unsigned users;
};

/* Barrier states, as asyncio's _BarrierState. */
typedef enum kt_barrier_state {
    KT_BARRIER_FILLING,
    KT_BARRIER_DRAINING,
    KT_BARRIER_RESETTING,
    KT_BARRIER_BROKEN,
} kt_barrier_state;

struct kt_barrier {
    kt_loop *loop;
    kt_condition *cond; /* its own condition over its own lock */
    unsigned parties;
    unsigned count;     /* tasks inside wait() past the block */
    kt_barrier_state state;
    unsigned users;
};

typedef enum kt_queue_kind { KT_QUEUE_FIFO, KT_QUEUE_LIFO, KT_QUEUE_PRIORITY } kt_queue_kind;

/* One item of a priority queue (the heap orders by priority, then by put order). */
typedef struct kt_queue_entry {
    kt_heap_node node;
    void *item;
} kt_queue_entry;

struct kt_queue {
    kt_loop *loop;
    kt_queue_kind kind;
    size_t maxsize;        /* 0: unbounded */
    /* FIFO and LIFO: a ring buffer of items (LIFO only uses its tail). */
    void **ring;
    size_t head, len, cap;
    /* PRIORITY: kt_queue_entry nodes, len counts them too. */
    kt_heap heap;
    kt_list getters, putters; /* kt_waiter.link */
    size_t unfinished;     /* puts not yet matched by task_done */
    kt_event *finished;    /* set while unfinished == 0: join waits on it */
    unsigned users;
};
/* [/book:structs] */

#endif
