/* combinators_core.c — the given helpers Lab 06's combinators share: the
 * argument checks and the distinct futures of an array. */
#include <stdint.h>
#include <stdlib.h>

#include "kettle/combinators_impl.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"

int kt__check_futures(const kt_loop *loop, kt_future *const *fs, size_t n)
{
    if (fs == NULL && n > 0)
        return KT_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (fs[i] == NULL)
            return KT_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (fs[i]->loop != loop)
            return KT_EWRONGLOOP;
    return 0;
}

typedef struct slot {
    uintptr_t key;
    size_t index;
} slot;

static int by_key_then_index(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

bool *kt__first_occurrences(kt_future *const *fs, size_t n, size_t *distinct)
{
    bool *first = calloc(n > 0 ? n : 1, sizeof *first);
    slot *s = malloc((n > 0 ? n : 1) * sizeof *s);
    if (first == NULL || s == NULL) {
        free(first);
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = (slot){(uintptr_t)fs[i], i};
    qsort(s, n, sizeof *s, by_key_then_index);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || s[i].key != s[i - 1].key) {
            first[s[i].index] = true;
            count++;
        }
    }
    free(s);
    if (distinct != NULL)
        *distinct = count;
    return first;
}
