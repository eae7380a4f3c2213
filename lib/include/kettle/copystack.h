/* copystack.h — generators on copied stacks: the reference runtime at scale.
 * [given]
 *
 * Lab 03's generator gives every body a stack of its own (an mmap with a
 * guard page, stack.h): simple, and what the lab teaches, but each pending
 * coroutine then holds at least one touched 4 KiB page, two kernel mappings
 * (the kernel allows 65,530, so about 32,000 coroutines) and two 968-byte
 * ucontext_t. Python holds a million pending tasks in 1.5 KiB each.
 *
 * lib/src/copystack.c implements the very same gen.h API (kt_gen_new,
 * kt_gen_send, kt_gen_yield, ...) the way greenlet and Tencent's libco do:
 * bodies run on a few SHARED stacks (per thread; each an mmap with a guard
 * page, so an overflow still faults), and a suspended body keeps only the
 * bytes it had used, [its stack pointer, the stack's top), copied to the
 * heap when another body needs that stack (lazily: a body that yields stays
 * in place until then). A sleeping task's body uses a few hundred bytes.
 * A context is six registers and the FPU control words pushed on the body's
 * own stack, so the generator object keeps one stack pointer instead of two
 * ucontext_t. Book §3.14 has the measurements.
 *
 * It is selected at build time, like the fast switch: `make ... COPYSTACK=1`
 * and `make bench` compile lib/ with -DKETTLE_COPY_STACK and leave Lab 03's
 * gen.c out; without the macro copystack.c compiles to nothing. x86-64 only.
 *
 * The rule that comes with copied stacks (libco states it too): a body's
 * locals live at their address only while that body is running or still
 * resident on its shared stack. Two cases are handled for you: a body that
 * is running, or waiting in kt_gen_send, is never moved by the generator it
 * drives (that one is bound to another shared stack); and a body that hands
 * a pointer to its own locals to kt_create_task or kt_gen_new is pinned
 * (kt__copystack_note_arg below). A pointer to a suspended coroutine's
 * locals kept anywhere else (a heap structure, a done callback's argument)
 * is not seen: in this build, share such data on the heap. Lab 07 parks
 * its waiters on the waiting task's stack and links them into lists, so
 * this build runs the runtime of Labs 00-05 only (book §3.14).
 *
 * Running out of memory: kt_gen_new returns KT_ENOMEM when the generator
 * cannot be allocated; a resume returns KT_ENOMEM, having run nothing, when
 * no shared stack can be mapped or the occupant's bytes cannot be saved (a
 * task then finishes with KT_ENOMEM at that step).
 *
 * No asyncio twin: CPython's frames live on the heap already (book §3.2).
 */
#ifndef KETTLE_COPYSTACK_H
#define KETTLE_COPYSTACK_H

#include <stddef.h>

/* Counters for this thread since it started, for tests and benchmarks. */
typedef struct kt_copystack_stats {
    size_t shared_stacks;         /* shared stacks this thread has made */
    unsigned long long evictions; /* bodies copied out to the heap */
    unsigned long long restores;  /* bodies copied back in */
    unsigned long long bytes_copied; /* both directions */
    size_t max_saved;             /* the most bytes one suspended body kept */
    unsigned long long pins;      /* bodies pinned (see kt__copystack_note_arg) */
} kt_copystack_stats;

/* 1 when this build runs generators on copied stacks (KETTLE_COPY_STACK),
 * else 0 and kt_copystack_get_stats leaves zeros. [given] */
int kt_copystack_enabled(void);

/* A coroutine is about to hand `p` to another one (a new task's argument:
 * task_core.c's kt__task_attach calls this; kt_gen_new does it for its own
 * `arg`). When p points into the running body's own locals, that body is
 * pinned: from then on, until it finishes, its bytes are back in place
 * whenever any other coroutine of its shared stack stops running, and new
 * bodies go to other shared stacks. This keeps the common pattern (a parent
 * passes &local to the tasks it then awaits) correct. Does nothing in other
 * builds. [given] */
void kt__copystack_note_arg(const void *p);

/* Copy this thread's counters into *out (NULL is ignored). [given] */
void kt_copystack_get_stats(kt_copystack_stats *out);

#endif
