/* freelist.h — per-thread free lists for the runtime's small objects. [given]
 *
 * Every callback handle, future, task and generator is a malloc and a free;
 * at a few tens of nanoseconds each they were most of the cost of a
 * call_soon or a task (issue 13). In the scale build (KETTLE_FREELIST, set
 * by `make ... COPYSTACK=1` and `make bench`), lib keeps freed objects of up
 * to KT_FREELIST_MAX_SIZE bytes on per-thread lists by size (16-byte
 * classes, at most KT_FREELIST_KEEP per class) and hands them out again,
 * zeroed like calloc. Under AddressSanitizer a kept object stays poisoned,
 * so a use after free is still reported. In other builds both functions are
 * calloc and free. No asyncio twin (CPython keeps free lists of its own for
 * frames, floats, tuples...).
 */
#ifndef KETTLE_FREELIST_H
#define KETTLE_FREELIST_H

#include <stddef.h>

#define KT_FREELIST_MAX_SIZE 1024
#define KT_FREELIST_KEEP 65536

/* `size` zeroed bytes, from this thread's list when one is kept, else from
 * calloc; NULL when out of memory. [given] */
void *kt__obj_alloc(size_t size);

/* Give back p (NULL is ignored), allocated by kt__obj_alloc with the same
 * size, from any thread. [given] */
void kt__obj_free(void *p, size_t size);

/* Give every object this thread keeps back to malloc (a no-op without
 * KETTLE_FREELIST). The test harness calls it before its leak check, which
 * would otherwise count the kept objects as leaks. */
void kt__obj_drain(void);

#endif
