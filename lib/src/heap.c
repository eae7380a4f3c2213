/* heap.c — the binary min-heap of heap.h.
 *
 * Array layout: the children of i are 2i+1 and 2i+2, the parent of i is
 * (i-1)/2. Every move goes through place() so each node's index stays true.
 */
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/heap.h"

static bool less(const kt_heap_node *a, const kt_heap_node *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    return a->seq < b->seq;
}

static void place(kt_heap *h, size_t i, kt_heap_node *n)
{
    h->nodes[i] = n;
    n->index = i;
}

static void sift_up(kt_heap *h, size_t i)
{
    kt_heap_node *n = h->nodes[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!less(n, h->nodes[parent]))
            break;
        place(h, i, h->nodes[parent]);
        i = parent;
    }
    place(h, i, n);
}

static void sift_down(kt_heap *h, size_t i)
{
    kt_heap_node *n = h->nodes[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && less(h->nodes[child + 1], h->nodes[child]))
            child++;
        if (!less(h->nodes[child], n))
            break;
        place(h, i, h->nodes[child]);
        i = child;
    }
    place(h, i, n);
}

void kt_heap_init(kt_heap *h)
{
    h->nodes = NULL;
    h->len = h->cap = 0;
    h->next_seq = 0;
}

void kt_heap_destroy(kt_heap *h)
{
    for (size_t i = 0; i < h->len; i++)
        h->nodes[i]->index = KT_HEAP_NONE;
    free(h->nodes);
    kt_heap_init(h);
}

int kt_heap_push(kt_heap *h, kt_heap_node *n, double key)
{
    if (n == NULL || n->index != KT_HEAP_NONE)
        return KT_EINVAL;
    if (h->len == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        kt_heap_node **nodes = realloc(h->nodes, cap * sizeof *nodes);
        if (nodes == NULL)
            return KT_ENOMEM;
        h->nodes = nodes;
        h->cap = cap;
    }
    n->key = key;
    n->seq = h->next_seq++;
    place(h, h->len++, n);
    sift_up(h, n->index);
    return 0;
}

kt_heap_node *kt_heap_peek(const kt_heap *h)
{
    return h->len ? h->nodes[0] : NULL;
}

kt_heap_node *kt_heap_pop(kt_heap *h)
{
    kt_heap_node *top = kt_heap_peek(h);
    if (top != NULL)
        kt_heap_remove(h, top);
    return top;
}

int kt_heap_remove(kt_heap *h, kt_heap_node *n)
{
    if (n == NULL || n->index >= h->len || h->nodes[n->index] != n)
        return KT_EINVAL;
    size_t i = n->index;
    kt_heap_node *last = h->nodes[--h->len];
    n->index = KT_HEAP_NONE;
    if (last != n) {
        /* The last node fills the hole; it may need to go either way. */
        place(h, i, last);
        if (i > 0 && less(last, h->nodes[(i - 1) / 2]))
            sift_up(h, i);
        else
            sift_down(h, i);
    }
    return 0;
}
