/* lab01_stable_heap.c — why Kettle's timer heap stamps a sequence number
 * (book §1.4).
 *
 * A binary min-heap keeps the smallest deadline at index 0 and nothing
 * else in order. Push eight timers that are all due at 5.0 and pop them:
 * a heap that compares deadlines only hands them back in an order that
 * depends on how the array happened to shuffle, not on when they were
 * scheduled. Comparing (deadline, seq), where seq counts the pushes, gives
 * back scheduling order. That is Kettle's rule (and libuv's); lib/src/heap.c
 * is the real thing, with each node also remembering its index.
 *
 * Standalone C: no Kettle code, nothing random, same output every run.
 */
#include <stdbool.h>
#include <stdio.h>

enum { CAP = 16 };

typedef struct {
    double when;
    unsigned seq;  /* the how-many-th push this was */
    char name;
} timer;

typedef struct {
    timer a[CAP];
    int len;
    unsigned next_seq;
    bool stable;   /* break ties by seq? */
} heap;

static bool less(const heap *h, const timer *x, const timer *y)
{
    if (x->when != y->when)
        return x->when < y->when;
    return h->stable && x->seq < y->seq;
}

static void swap(timer *x, timer *y)
{
    timer t = *x;
    *x = *y;
    *y = t;
}

static void push(heap *h, double when, char name)
{
    int i = h->len++;
    h->a[i] = (timer){when, h->next_seq++, name};
    while (i > 0 && less(h, &h->a[i], &h->a[(i - 1) / 2])) { /* sift up */
        swap(&h->a[i], &h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static timer pop(heap *h)
{
    timer top = h->a[0];
    h->a[0] = h->a[--h->len]; /* the last one fills the hole at the root */
    int i = 0;
    for (;;) {                /* sift down */
        int c = 2 * i + 1;
        if (c >= h->len)
            break;
        if (c + 1 < h->len && less(h, &h->a[c + 1], &h->a[c]))
            c++;
        if (!less(h, &h->a[c], &h->a[i]))
            break;
        swap(&h->a[c], &h->a[i]);
        i = c;
    }
    return top;
}

static void show_array(const heap *h)
{
    for (int i = 0; i < h->len; i++)
        printf("  [%d] %c at %.0f (seq %u)\n", i, h->a[i].name, h->a[i].when, h->a[i].seq);
}

static void equal_deadlines(bool stable)
{
    heap h = {.stable = stable};
    for (const char *n = "abcdefgh"; *n; n++)
        push(&h, 5.0, *n);
    printf("%-28s", stable ? "(deadline, seq) comparison:" : "deadline-only comparison:");
    while (h.len > 0)
        printf(" %c", pop(&h).name);
    printf("\n");
}

int main(void)
{
    printf("scheduled in the order a b c d e f g h, all due at 5\n");
    equal_deadlines(false);
    equal_deadlines(true);

    printf("\nthe array after scheduling at 3, 1, 4, 1, 5, 2 (x y z u v w):\n");
    heap h = {.stable = true};
    push(&h, 3, 'x');
    push(&h, 1, 'y');
    push(&h, 4, 'z');
    push(&h, 1, 'u');
    push(&h, 5, 'v');
    push(&h, 2, 'w');
    show_array(&h);
    printf("the children of [i] are [2i+1] and [2i+2]; only [0] is sure to be first\n");
    printf("popping gives:");
    while (h.len > 0) {
        timer t = pop(&h);
        printf(" %c@%.0f", t.name, t.when);
    }
    printf("\n");
    return 0;
}
