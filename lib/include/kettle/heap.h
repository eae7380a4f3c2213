/* heap.h — an intrusive binary min-heap, stable for equal keys.
 *
 * Each stored object embeds a kt_heap_node. The heap orders nodes by
 * (key, seq): seq is a counter the heap stamps on every push, so two nodes
 * with the same key come out in the order they went in. Every node knows
 * its own index in the array, so removing an arbitrary node (cancelling a
 * timer) costs O(log n) instead of a search.
 *
 * Twin: the heapq list in asyncio's BaseEventLoop._scheduled, except that
 * heapq has no index, so CPython leaves cancelled timers in place and
 * cleans them up later; and heapq is not stable: equal keys may come out
 * in any order (book §1.4 shows eight equal timers shuffled). libuv's
 * heap-inl.h makes the same two choices as Kettle.
 */
#ifndef KETTLE_HEAP_H
#define KETTLE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_HEAP_NONE SIZE_MAX /* index of a node that is in no heap */

typedef struct kt_heap_node {
    double key;     /* the ordering key: a timer's deadline */
    uint64_t seq;   /* stamped by kt_heap_push: ties break by insertion order */
    size_t index;   /* position in the heap's array, or KT_HEAP_NONE */
} kt_heap_node;

typedef struct kt_heap {
    kt_heap_node **nodes;
    size_t len, cap;
    uint64_t next_seq;
} kt_heap;

void kt_heap_init(kt_heap *h);
/* Release the array. The nodes themselves belong to the caller. */
void kt_heap_destroy(kt_heap *h);

static inline void kt_heap_node_init(kt_heap_node *n) { n->index = KT_HEAP_NONE; }
static inline bool kt_heap_node_queued(const kt_heap_node *n) { return n->index != KT_HEAP_NONE; }
static inline size_t kt_heap_size(const kt_heap *h) { return h->len; }

/* Insert n with the given key. Returns 0, KT_ENOMEM, or KT_EINVAL if n is
 * NULL or already in a heap. Twin: heapq.heappush. */
int kt_heap_push(kt_heap *h, kt_heap_node *n, double key);

/* The smallest node, or NULL when empty. Twin: heap[0]. */
kt_heap_node *kt_heap_peek(const kt_heap *h);

/* Remove and return the smallest node, or NULL. Twin: heapq.heappop. */
kt_heap_node *kt_heap_pop(kt_heap *h);

/* Remove n from anywhere in the heap in O(log n). Returns 0, or KT_EINVAL
 * if n is not in this heap. No heapq twin (see above). */
int kt_heap_remove(kt_heap *h, kt_heap_node *n);

#endif
