/* stack.h — coroutine stacks: mmap'd memory with a guard page, kept in a pool.
 *
 * A generator (Lab 03) runs its body on a stack of its own. This module hands
 * out such stacks and takes them back. Each stack is one anonymous mmap whose
 * lowest page is made inaccessible (PROT_NONE): stacks grow down, so a body
 * that recurses too deep touches the guard page and dies with a clean SIGSEGV
 * at that address, instead of quietly writing over whatever memory lies below
 * (book §3.5).
 *
 *      high addresses  +----------------------+  base + size  (the stack's top:
 *                      |  usable stack        |                 the first frame
 *                      |  (grows downwards)   |                 goes here)
 *                      +----------------------+  base
 *                      |  guard page          |  PROT_NONE: any touch faults
 *      low addresses   +----------------------+  base - guard
 *
 * Making a stack costs system calls (mmap, mprotect, then munmap at the end,
 * and a page fault for every page the body touches), a few microseconds, far
 * more than a context switch. So a released stack of the default size goes
 * to a small pool and the next kt_stack_acquire takes it from there: creating
 * and finishing many short generators is then cheap. kt_stack_get_stats()
 * counts what happened, so tests and benchmarks can see the pool at work.
 *
 * Thread safety: the pool is shared by all threads and guarded by a mutex
 * (Lab 08 runs loops, and so generators, in several threads).
 *
 * Everything here is [given] (lib/src/stack.c): the lesson of Lab 03 is the
 * context switch, not the allocator. Twin: none in Python, whose generators
 * keep their frames on the heap (book §3.2).
 */
#ifndef KETTLE_STACK_H
#define KETTLE_STACK_H

#include <stddef.h>

/* Whether this build runs under AddressSanitizer (gcc and clang spell the
 * test differently). */
#if defined(__SANITIZE_ADDRESS__)
#define KT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KT_ASAN 1
#endif
#endif
#ifndef KT_ASAN
#define KT_ASAN 0
#endif

/* [book:sizes] */
/* The default stack size. 64 KiB is plenty for the bodies in the tests and
 * for the coroutines of later labs, and costs nothing until touched (pages
 * are mapped lazily). Under AddressSanitizer every frame carries redzones and
 * the sanitizer's own calls (an intercepted printf, a report) need room, so
 * the default is four times larger there. */
#if KT_ASAN
#define KT_STACK_DEFAULT_SIZE ((size_t)256 * 1024)
#else
#define KT_STACK_DEFAULT_SIZE ((size_t)64 * 1024)
#endif

/* The smallest stack kt_stack_acquire hands out; smaller requests are
 * KT_EINVAL. Sizes are rounded up to whole pages. */
#define KT_STACK_MIN_SIZE ((size_t)16 * 1024)

/* How many released default-size stacks the pool keeps for reuse. */
#define KT_STACK_POOL_MAX 64
/* [/book:sizes] */

/* One stack. `base` is the lowest usable byte (just above the guard page);
 * the usable bytes are [base, base + size). The rest is the module's own. */
typedef struct kt_stack {
    void *base;
    size_t size;
    void *map;       /* the whole mapping, guard page included */
    size_t map_size;
} kt_stack;

/* Get a stack of at least `size` bytes (0 means KT_STACK_DEFAULT_SIZE),
 * from the pool when one of that size is there, else fresh from mmap.
 * Returns 0 and fills *st, KT_EINVAL for a NULL st or a size below
 * KT_STACK_MIN_SIZE, or -errno when mmap or mprotect fails (-ENOMEM).
 * [given] */
int kt_stack_acquire(kt_stack *st, size_t size);

/* Give the stack back: into the pool if it has the default size and the pool
 * has room, else back to the system (munmap). *st is zeroed; releasing a
 * zeroed (or NULL) stack does nothing, so releasing twice is harmless.
 * [given] */
void kt_stack_release(kt_stack *st);

/* Unmap every stack in the pool (stacks handed out are not touched). [given] */
void kt_stack_pool_drain(void);

/* Counters since the program started, for tests and benchmarks. */
typedef struct kt_stack_stats {
    unsigned long long mapped;   /* fresh stacks made with mmap */
    unsigned long long unmapped; /* stacks given back to the system */
    unsigned long long reused;   /* stacks handed out again from the pool */
    size_t in_use;               /* handed out and not yet released */
    size_t pooled;               /* waiting in the pool right now */
} kt_stack_stats;

/* Copy the counters into *out (NULL is ignored). [given] */
void kt_stack_get_stats(kt_stack_stats *out);

#endif
