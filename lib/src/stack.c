/* stack.c — coroutine stacks with a guard page, and their pool (see stack.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_STACK, MAP_NORESERVE */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/stack.h"

#if KT_ASAN
#include <sanitizer/asan_interface.h>
#endif

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void *pool[KT_STACK_POOL_MAX]; /* mappings of default-size stacks */
static size_t pool_len;
static kt_stack_stats stats;

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* Fill *st for the mapping `map` of a stack with `size` usable bytes. */
static void describe(kt_stack *st, void *map, size_t size, size_t guard)
{
    st->map = map;
    st->map_size = size + guard;
    st->base = (char *)map + guard;
    st->size = size;
}

/* One fresh mapping: the guard page at the bottom, the stack above it.
 * MAP_NORESERVE because most of a stack is never touched. */
static int map_stack(kt_stack *st, size_t size)
{
    size_t guard = page_size();
    void *map = mmap(NULL, size + guard, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED)
        return -errno;
    if (mprotect(map, guard, PROT_NONE) != 0) {
        int err = -errno;
        munmap(map, size + guard);
        return err;
    }
    describe(st, map, size, guard);
    return 0;
}

int kt_stack_acquire(kt_stack *st, size_t size)
{
    if (st == NULL)
        return KT_EINVAL;
    if (size == 0)
        size = KT_STACK_DEFAULT_SIZE;
    if (size < KT_STACK_MIN_SIZE)
        return KT_EINVAL;
    size = round_up(size, page_size());

    if (size == KT_STACK_DEFAULT_SIZE) {
        void *map = NULL;
        pthread_mutex_lock(&pool_lock);
        if (pool_len > 0) {
            map = pool[--pool_len];
            stats.reused++;
            stats.in_use++;
            stats.pooled = pool_len;
        }
        pthread_mutex_unlock(&pool_lock);
        if (map != NULL) {
            describe(st, map, size, page_size());
            return 0;
        }
    }

    int rc = map_stack(st, size);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&pool_lock);
    stats.mapped++;
    stats.in_use++;
    pthread_mutex_unlock(&pool_lock);
    return 0;
}

void kt_stack_release(kt_stack *st)
{
    if (st == NULL || st->map == NULL)
        return;
#if KT_ASAN
    /* Frames that were abandoned on this stack (a generator dropped while
     * suspended) leave their redzones poisoned; the next owner must start
     * from clean shadow memory or ASan reports errors that are not there. */
    __asan_unpoison_memory_region(st->base, st->size);
#endif
    int pooled = 0;
    pthread_mutex_lock(&pool_lock);
    stats.in_use--;
    if (st->size == KT_STACK_DEFAULT_SIZE && pool_len < KT_STACK_POOL_MAX) {
        pool[pool_len++] = st->map;
        stats.pooled = pool_len;
        pooled = 1;
    } else {
        stats.unmapped++;
    }
    pthread_mutex_unlock(&pool_lock);
    if (!pooled)
        munmap(st->map, st->map_size);
    memset(st, 0, sizeof *st);
}

int kt__stack_map(kt_stack *st, size_t size)
{
    if (st == NULL || (size != 0 && size < KT_STACK_MIN_SIZE))
        return KT_EINVAL;
    return map_stack(st, round_up(size != 0 ? size : KT_STACK_DEFAULT_SIZE, page_size()));
}

void kt__stack_unmap(kt_stack *st)
{
    if (st == NULL || st->map == NULL)
        return;
    munmap(st->map, st->map_size);
    memset(st, 0, sizeof *st);
}

void kt_stack_pool_drain(void)
{
    size_t map_size = KT_STACK_DEFAULT_SIZE + page_size();
    pthread_mutex_lock(&pool_lock);
    while (pool_len > 0) {
        munmap(pool[--pool_len], map_size);
        stats.unmapped++;
    }
    stats.pooled = 0;
    pthread_mutex_unlock(&pool_lock);
}

void kt_stack_get_stats(kt_stack_stats *out)
{
    if (out == NULL)
        return;
    pthread_mutex_lock(&pool_lock);
    *out = stats;
    pthread_mutex_unlock(&pool_lock);
}
