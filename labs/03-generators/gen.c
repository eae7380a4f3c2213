/* gen.c — generators on ucontext (Lab 03; read book chapter 3 first).
 *
 * A generator is a body function running on a stack of its own. Two saved
 * contexts make it work: `ctx` holds the body's registers while it is
 * suspended, `caller` holds the resumer's registers while the body runs.
 * swapcontext(&save_here, &go_there) stores the current registers into one
 * and loads the other, so
 *     resume:  swapcontext(&g->caller, &g->ctx)    resumer -> body
 *     yield:   swapcontext(&g->ctx, &g->caller)    body -> resumer
 * and each call "returns" only when the other side switches back. Values
 * cross the switch through the generator's mailbox fields (book §3.4).
 */
#define _GNU_SOURCE /* ucontext: getcontext, makecontext, swapcontext */
#include <errno.h>
#include <stdlib.h>
#include <ucontext.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "kettle/stack.h"

#if KT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* [book:struct] */
struct kt_gen {
    ucontext_t ctx;      /* the body's registers while it is suspended */
    ucontext_t caller;   /* the resumer's registers while the body runs */
    kt_stack stack;      /* the body's stack; released once it finishes */
    kt_gen_fn fn;        /* the body, and its argument */
    void *arg;
    kt_gen_state state;
    kt_gen *resumer;     /* the generator that was current when this one
                          * was resumed (NULL: plain code), restored when
                          * this one yields or finishes */

    /* The mailbox: what crosses a switch, in each direction. */
    void *value_in;      /* resumer -> body: the value sent */
    int error_in;        /* resumer -> body: the error thrown, or 0 */
    void *value_out;     /* body -> resumer: the value yielded or returned */
    int code_out;        /* body -> resumer: 0 yielded, KT_ESTOP returned,
                          * or the error the body ended with */

    /* What AddressSanitizer needs to follow the switches (unused without
     * it): the body's saved fake stack, and the resumer's stack bounds. */
    void *asan_fake_stack;
    const void *caller_stack_bottom;
    size_t caller_stack_size;
};
/* [/book:struct] */

/* The helpers below are unused until you call them; say so to clang. */
#if defined(__GNUC__)
#define KT_MAYBE_UNUSED __attribute__((unused))
#else
#define KT_MAYBE_UNUSED
#endif

/* [book:asan] */
/* AddressSanitizer keeps a picture of "the stack" of each thread. A
 * swapcontext moves the thread to another stack behind its back, so every
 * switch is announced (book §3.8):
 *
 *     asan_switch_begin(&save, bottom, size);   just before swapcontext:
 *         "I am leaving this stack for [bottom, bottom + size)". `save`
 *         keeps ASan's state for the stack being left, for when we come
 *         back; pass NULL instead when leaving a stack for good (the body
 *         finished), so ASan drops that state.
 *     asan_switch_end(saved, &from_bottom, &from_size);   first thing on
 *         the new stack: `saved` is what asan_switch_begin stored when this
 *         stack was left (NULL on a stack's first entry); the bounds of the
 *         stack we came from are written out (pass NULLs if not needed).
 *
 * Without ASan both do nothing and cost nothing. [given] */
KT_MAYBE_UNUSED static inline void asan_switch_begin(void **save, const void *bottom, size_t size)
{
#if KT_ASAN
    __sanitizer_start_switch_fiber(save, bottom, size);
#else
    (void)save;
    (void)bottom;
    (void)size;
#endif
}

KT_MAYBE_UNUSED static inline void asan_switch_end(void *saved, const void **from_bottom, size_t *from_size)
{
#if KT_ASAN
    __sanitizer_finish_switch_fiber(saved, from_bottom, from_size);
#else
    (void)saved;
    (void)from_bottom;
    (void)from_size;
#endif
}
/* [/book:asan] */

const char *kt_gen_state_name(int state)
{
    switch (state) {
    case KT_GEN_CREATED: return "GEN_CREATED";
    case KT_GEN_SUSPENDED: return "GEN_SUSPENDED";
    case KT_GEN_RUNNING: return "GEN_RUNNING";
    case KT_GEN_FINISHED: return "GEN_CLOSED";
    default: return "?";
    }
}

/* [book:helpers] */
/* TODO(lab 03): declare the pointer to the generator running on this
 * thread (_Thread_local, NULL outside any generator), then write the
 * static helpers your functions share (book §3.4, §3.8).
 *
 * 1. The entry function makecontext starts. It takes no arguments: find
 * the generator through the current pointer. It runs the body, turns its
 * return into code_out / value_out (see kt_gen_fn in gen.h), marks the
 * generator finished and switches back for good. It must never return.
 *
 * 2. Switching into a generator (resumer side) and out of it (body side),
 * each announced to ASan with asan_switch_begin / asan_switch_end.
 *
 * 3. One "resume" for send, throw and close: fill the mailbox, make the
 * generator current, switch in; once back, restore the resumer's current
 * pointer, release the stack if the body finished, empty the mailbox.
 */
/* [/book:helpers] */

/* [book:new] */
int kt_gen_new(kt_gen **out, kt_gen_fn fn, void *arg, size_t stack_size)
{
    /* TODO(lab 03): check the arguments, allocate the kt_gen and its stack
     * (kt_stack_acquire), and prepare g->ctx so that the first switch into
     * it starts your entry function on that stack: getcontext, then set
     * uc_stack and uc_link, then makecontext (book §3.4, §3.5). The body does
     * not run yet.
     */
    (void)fn; (void)arg; (void)stack_size;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:new] */

/* [book:send] */
int kt_gen_send(kt_gen *g, void *value, void **out)
{
    /* TODO(lab 03): refuse what gen.h says send refuses (each with its own
     * code), then resume the body with `value` (book §3.4, §3.6).
     */
    (void)g; (void)value;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:send] */

/* [book:throw] */
int kt_gen_throw(kt_gen *g, int error, void **out)
{
    /* TODO(lab 03): refuse bad arguments and a running generator; a
     * finished generator gives the error straight back; a created one
     * finishes without running; a suspended one is resumed with the error,
     * which its pending kt_gen_yield returns (book §3.6).
     */
    (void)g; (void)error;
    if (out != NULL) *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:throw] */

/* [book:yield] */
int kt_gen_yield(void *value, void **sent)
{
    /* TODO(lab 03): outside any generator this is an error. Inside, put
     * `value` in the mailbox, mark the generator suspended and switch out;
     * when you are resumed, hand back what was sent or thrown (book §3.4).
     */
    (void)value;
    if (sent != NULL) *sent = NULL;
    return KT_ENOTIMPL;
}
/* [/book:yield] */

/* [book:close] */
int kt_gen_close(kt_gen *g)
{
    /* TODO(lab 03): throw KT_EGENERATOREXIT into a suspended generator and
     * translate what comes back as gen.h says; created and finished
     * generators need no switch at all (book §3.6).
     */
    (void)g;
    return KT_ENOTIMPL;
}
/* [/book:close] */

/* [book:free] */
int kt_gen_free(kt_gen *g)
{
    /* TODO(lab 03): a running generator cannot be freed. Any other one is
     * closed first (so a suspended body runs its cleanup), then its stack
     * and memory go back (book §3.6).
     */
    (void)g;
    return KT_ENOTIMPL;
}
/* [/book:free] */

int kt_gen_getstate(const kt_gen *g)
{
    /* TODO(lab 03): the state, or KT_EINVAL for NULL. */
    (void)g;
    return KT_ENOTIMPL;
}

kt_gen *kt_gen_current(void)
{
    /* TODO(lab 03): the generator running on this thread, or NULL. */
    return NULL;
}
