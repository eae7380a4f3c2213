/* combinators_impl.h — what Lab 06's files share: argument checks, the
 * distinct futures of an array, the current task. [given]
 *
 * The checks and the de-duplication are in lib/src/combinators_core.c
 * (they call nothing of a lab). kt__coro_task is inline here because it
 * needs Lab 05's kt__running_task, which lib/ must not call. */
#ifndef KETTLE_COMBINATORS_IMPL_H
#define KETTLE_COMBINATORS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/combinators.h"
#include "kettle/task_impl.h"

/* The argument rules every combinator shares (combinators.h): fs may be
 * NULL only when n == 0; no NULL element (KT_EINVAL); every future of
 * `loop` (KT_EWRONGLOOP). Returns 0 or the code. [given] */
int kt__check_futures(const kt_loop *loop, kt_future *const *fs, size_t n);

/* Mark the first occurrence of each distinct future of fs[0..n): returns a
 * malloc'd array of n flags (free it), true where fs[i] appears for the
 * first time, and the number of distinct futures in *distinct. NULL when
 * out of memory. O(n log n), so that a gather of 100,000 stays cheap.
 * Twin: the set(fs) asyncio makes. [given] */
bool *kt__first_occurrences(kt_future *const *fs, size_t n, size_t *distinct);

/* The task whose own coroutine is running right now, or NULL (plain code,
 * a callback, a plain generator driven by a coroutine): the only place
 * where kt_await may suspend. [given] */
static inline kt_task *kt__coro_task(void)
{
    kt_task *t = kt__running_task();
    return t != NULL && t->coro != NULL && kt_gen_current() == t->coro ? t : NULL;
}

/* A timeout argument as a delay: NaN is an error (returns false), a
 * negative one counts as 0, INFINITY means none. [given] */
static inline bool kt__timeout_ok(double timeout)
{
    return timeout == timeout; /* false only for NaN */
}

#endif
