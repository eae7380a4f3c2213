/* list.h — an intrusive, circular, doubly linked list.
 *
 * "Intrusive" means the links live inside the object you store (a
 * kt_list_node member), so adding and removing never allocates and removing
 * a node you hold is O(1). The list head is a node that links to itself
 * when empty. Twin: collections.deque, which asyncio uses for its ready queue.
 *
 *     struct job { int id; kt_list_node link; };
 *     kt_list q; kt_list_init(&q);
 *     kt_list_push_back(&q, &job->link);
 *     struct job *j = kt_container_of(kt_list_pop_front(&q), struct job, link);
 */
#ifndef KETTLE_LIST_H
#define KETTLE_LIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kt_list_node {
    struct kt_list_node *prev, *next;
} kt_list_node;

typedef kt_list_node kt_list; /* a list is its head node */

/* From a pointer to a member back to the struct that contains it. */
#define kt_container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void kt_list_init(kt_list *l) { l->prev = l->next = l; }

/* A node that is in no list points at itself; kt_list_remove leaves it so. */
static inline void kt_list_node_init(kt_list_node *n) { n->prev = n->next = n; }
static inline bool kt_list_node_linked(const kt_list_node *n) { return n->next != n; }

static inline bool kt_list_empty(const kt_list *l) { return l->next == l; }

static inline void kt_list_insert_before(kt_list_node *pos, kt_list_node *n)
{
    n->prev = pos->prev;
    n->next = pos;
    pos->prev->next = n;
    pos->prev = n;
}

static inline void kt_list_push_back(kt_list *l, kt_list_node *n) { kt_list_insert_before(l, n); }
static inline void kt_list_push_front(kt_list *l, kt_list_node *n) { kt_list_insert_before(l->next, n); }

static inline void kt_list_remove(kt_list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    kt_list_node_init(n);
}

/* Unlink and return the first node, or NULL when the list is empty. */
static inline kt_list_node *kt_list_pop_front(kt_list *l)
{
    if (kt_list_empty(l))
        return NULL;
    kt_list_node *n = l->next;
    kt_list_remove(n);
    return n;
}

static inline kt_list_node *kt_list_front(const kt_list *l)
{
    return kt_list_empty(l) ? NULL : l->next;
}

static inline size_t kt_list_length(const kt_list *l)
{
    size_t n = 0;
    for (const kt_list_node *p = l->next; p != l; p = p->next)
        n++;
    return n;
}

/* Move every node of src to the end of dst, leaving src empty. O(1). */
static inline void kt_list_splice_back(kt_list *dst, kt_list *src)
{
    if (kt_list_empty(src))
        return;
    src->next->prev = dst->prev;
    dst->prev->next = src->next;
    src->prev->next = dst;
    dst->prev = src->prev;
    kt_list_init(src);
}

/* Iterate; the _safe form allows removing `it` inside the body. */
#define kt_list_for_each(it, l) for (kt_list_node *it = (l)->next; it != (l); it = it->next)
#define kt_list_for_each_safe(it, tmp, l) \
    for (kt_list_node *it = (l)->next, *tmp = it->next; it != (l); it = tmp, tmp = it->next)

#endif
