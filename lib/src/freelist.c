/* freelist.c — per-thread free lists of small objects (see freelist.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kettle/freelist.h"
#include "kettle/stack.h" /* KT_ASAN */

#if KT_ASAN
#include <sanitizer/asan_interface.h>
#endif

#if defined(KETTLE_FREELIST)

#define CLASSES (KT_FREELIST_MAX_SIZE / 16)

typedef struct kept {
    struct kept *next;
} kept;

static _Thread_local kept *lists[CLASSES];
static _Thread_local unsigned counts[CLASSES];
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static _Thread_local int key_set;

/* The thread ends: its kept objects go back to malloc. */
static void drain(void *unused)
{
    (void)unused;
    for (int c = 0; c < CLASSES; c++) {
        while (lists[c] != NULL) {
            kept *k = lists[c];
#if KT_ASAN
            __asan_unpoison_memory_region(k, (size_t)(c + 1) * 16);
#endif
            lists[c] = k->next;
            free(k);
        }
        counts[c] = 0;
    }
}

static void drain_at_exit(void)
{
    drain(NULL);
}

void kt__obj_drain(void)
{
    drain(NULL);
}

/* Threads that end give their objects back through the key's destructor;
 * the thread that calls exit (the main one, usually) through atexit, which
 * also runs before LeakSanitizer looks for leaks. */
static void make_key(void)
{
    pthread_key_create(&thread_key, drain);
    atexit(drain_at_exit);
}

void *kt__obj_alloc(size_t size)
{
    if (size == 0 || size > KT_FREELIST_MAX_SIZE)
        return calloc(1, size);
    size_t c = (size - 1) / 16;
    kept *k = lists[c];
    if (k == NULL)
        return calloc(1, (c + 1) * 16);
#if KT_ASAN
    __asan_unpoison_memory_region(k, (c + 1) * 16);
#endif
    lists[c] = k->next;
    counts[c]--;
    memset(k, 0, (c + 1) * 16);
    return k;
}

void kt__obj_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    size_t c = (size - 1) / 16;
    if (size == 0 || size > KT_FREELIST_MAX_SIZE || counts[c] >= KT_FREELIST_KEEP) {
        free(p);
        return;
    }
    if (!key_set) {
        pthread_once(&thread_key_once, make_key);
        pthread_setspecific(thread_key, lists);
        key_set = 1;
    }
    kept *k = p;
    k->next = lists[c];
    lists[c] = k;
    counts[c]++;
#if KT_ASAN
    __asan_poison_memory_region(k, (c + 1) * 16);
#endif
}

#else

void *kt__obj_alloc(size_t size)
{
    return calloc(1, size);
}

void kt__obj_free(void *p, size_t size)
{
    (void)size;
    free(p);
}

void kt__obj_drain(void)
{
}

#endif
