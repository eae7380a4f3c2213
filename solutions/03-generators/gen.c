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
/* BEGIN SOLUTION
 * TODO(lab 03): declare the pointer to the generator running on this
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
/* [book:current] */
/* The generator whose body runs on this thread. One per thread: Lab 08
 * runs an event loop, and so generators, in each of several threads. */
static _Thread_local kt_gen *current;
/* [/book:current] */

/* [book:switch] */
/* Resumer side: save our registers in g->caller, load the body's. Returns
 * when the body yields or finishes. */
static void switch_into(kt_gen *g)
{
    void *save = NULL;
    asan_switch_begin(&save, g->stack.base, g->stack.size);
    swapcontext(&g->caller, &g->ctx);
    asan_switch_end(save, NULL, NULL);
}

/* Body side: save the body's registers in g->ctx, load the resumer's.
 * Returns when someone resumes this generator again, perhaps from another
 * stack than last time: note that stack's bounds for the next switch out. */
static void switch_out(kt_gen *g)
{
    asan_switch_begin(&g->asan_fake_stack, g->caller_stack_bottom, g->caller_stack_size);
    swapcontext(&g->ctx, &g->caller);
    asan_switch_end(g->asan_fake_stack, &g->caller_stack_bottom, &g->caller_stack_size);
}
/* [/book:switch] */

/* [book:entry] */
/* Where makecontext starts every generator. The body's return value is
 * turned into what the last resume returns; then we switch back for good.
 * Returning from here would also land in the resumer (uc_link points at
 * g->caller) but without telling ASan the stack is gone, so we never do. */
static void gen_entry(void)
{
    kt_gen *g = current;
    asan_switch_end(NULL, &g->caller_stack_bottom, &g->caller_stack_size);

    void *result = NULL;
    int rc = g->fn(g->arg, &result);
    if (rc == 0) {
        g->code_out = KT_ESTOP;
        g->value_out = result;
    } else {
        /* KT_ESTOP or a positive value would look like a return (PEP 479). */
        g->code_out = (rc > 0 || rc == KT_ESTOP) ? KT_EINVALSTATE : rc;
        g->value_out = NULL;
    }
    g->state = KT_GEN_FINISHED;

    asan_switch_begin(NULL, g->caller_stack_bottom, g->caller_stack_size);
    setcontext(&g->caller);
    abort(); /* setcontext does not return */
}
/* [/book:entry] */

/* [book:resume] */
/* Run the body until it yields or finishes, and return what it left in the
 * mailbox. The generator must be created (with value NULL and error 0) or
 * suspended. */
static int resume(kt_gen *g, void *value, int error, void **out)
{
    g->value_in = value;
    g->error_in = error;
    g->resumer = current;
    current = g;
    g->state = KT_GEN_RUNNING;

    switch_into(g);

    /* The body yielded (state SUSPENDED) or finished (FINISHED). */
    current = g->resumer;
    g->resumer = NULL;
    if (g->state == KT_GEN_FINISHED)
        kt_stack_release(&g->stack); /* we are off that stack now */
    if (out != NULL)
        *out = g->value_out;
    return g->code_out;
}
/* [/book:resume] */

/* A generator that never started finishes without running its body. */
static void finish_unstarted(kt_gen *g)
{
    g->state = KT_GEN_FINISHED;
    kt_stack_release(&g->stack);
}
/* END SOLUTION */
/* [/book:helpers] */

/* [book:new] */
int kt_gen_new(kt_gen **out, kt_gen_fn fn, void *arg, size_t stack_size)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): check the arguments, allocate the kt_gen and its stack
     * (kt_stack_acquire), and prepare g->ctx so that the first switch into
     * it starts your entry function on that stack: getcontext, then set
     * uc_stack and uc_link, then makecontext (book §3.4, §3.5). The body does
     * not run yet.
     * starter: (void)fn; (void)arg; (void)stack_size;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (fn == NULL || (stack_size != 0 && stack_size < KT_STACK_MIN_SIZE))
        return KT_EINVAL;

    kt_gen *g = calloc(1, sizeof *g);
    if (g == NULL)
        return KT_ENOMEM;
    int rc = kt_stack_acquire(&g->stack, stack_size);
    if (rc != 0) {
        free(g);
        return rc == -ENOMEM ? KT_ENOMEM : rc;
    }
    if (getcontext(&g->ctx) != 0) {
        rc = -errno;
        kt_stack_release(&g->stack);
        free(g);
        return rc;
    }
    g->ctx.uc_stack.ss_sp = g->stack.base;
    g->ctx.uc_stack.ss_size = g->stack.size;
    g->ctx.uc_link = &g->caller;
    makecontext(&g->ctx, gen_entry, 0);

    g->fn = fn;
    g->arg = arg;
    g->state = KT_GEN_CREATED;
    *out = g;
    return 0;
    /* END SOLUTION */
}
/* [/book:new] */

/* [book:send] */
int kt_gen_send(kt_gen *g, void *value, void **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): refuse what gen.h says send refuses (each with its own
     * code), then resume the body with `value` (book §3.4, §3.6).
     * starter: (void)g; (void)value;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (g == NULL)
        return KT_EINVAL;
    switch (g->state) {
    case KT_GEN_RUNNING: return KT_ERUNNING;
    case KT_GEN_FINISHED: return KT_ESTOP;
    case KT_GEN_CREATED:
        if (value != NULL)
            return KT_EINVAL;
        break;
    case KT_GEN_SUSPENDED: break;
    }
    return resume(g, value, 0, out);
    /* END SOLUTION */
}
/* [/book:send] */

/* [book:throw] */
int kt_gen_throw(kt_gen *g, int error, void **out)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): refuse bad arguments and a running generator; a
     * finished generator gives the error straight back; a created one
     * finishes without running; a suspended one is resumed with the error,
     * which its pending kt_gen_yield returns (book §3.6).
     * starter: (void)g; (void)error;
     * starter: if (out != NULL) *out = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (out != NULL)
        *out = NULL;
    if (g == NULL || error >= 0 || error == KT_ESTOP)
        return KT_EINVAL;
    switch (g->state) {
    case KT_GEN_RUNNING: return KT_ERUNNING;
    case KT_GEN_FINISHED: return error;
    case KT_GEN_CREATED:
        finish_unstarted(g);
        return error;
    case KT_GEN_SUSPENDED: break;
    }
    return resume(g, NULL, error, out);
    /* END SOLUTION */
}
/* [/book:throw] */

/* [book:yield] */
int kt_gen_yield(void *value, void **sent)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): outside any generator this is an error. Inside, put
     * `value` in the mailbox, mark the generator suspended and switch out;
     * when you are resumed, hand back what was sent or thrown (book §3.4).
     * starter: (void)value;
     * starter: if (sent != NULL) *sent = NULL;
     * starter: return KT_ENOTIMPL;
     */
    if (sent != NULL)
        *sent = NULL;
    kt_gen *g = current;
    if (g == NULL)
        return KT_ENOTCORO;
    g->value_out = value;
    g->code_out = 0;
    g->state = KT_GEN_SUSPENDED;

    switch_out(g);

    /* resume() has made us current and running again. */
    if (sent != NULL)
        *sent = g->value_in;
    return g->error_in;
    /* END SOLUTION */
}
/* [/book:yield] */

/* [book:close] */
int kt_gen_close(kt_gen *g)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): throw KT_EGENERATOREXIT into a suspended generator and
     * translate what comes back as gen.h says; created and finished
     * generators need no switch at all (book §3.6).
     * starter: (void)g;
     * starter: return KT_ENOTIMPL;
     */
    if (g == NULL)
        return KT_EINVAL;
    switch (g->state) {
    case KT_GEN_RUNNING: return KT_ERUNNING;
    case KT_GEN_FINISHED: return 0;
    case KT_GEN_CREATED:
        finish_unstarted(g);
        return 0;
    case KT_GEN_SUSPENDED: break;
    }
    int rc = resume(g, NULL, KT_EGENERATOREXIT, NULL);
    if (rc == 0)
        return KT_EBADYIELD; /* it yielded again: "generator ignored GeneratorExit" */
    if (rc == KT_ESTOP || rc == KT_EGENERATOREXIT)
        return 0;
    return rc;
    /* END SOLUTION */
}
/* [/book:close] */

/* [book:free] */
int kt_gen_free(kt_gen *g)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): a running generator cannot be freed. Any other one is
     * closed first (so a suspended body runs its cleanup), then its stack
     * and memory go back (book §3.6).
     * starter: (void)g;
     * starter: return KT_ENOTIMPL;
     */
    if (g == NULL)
        return 0;
    if (g->state == KT_GEN_RUNNING)
        return KT_ERUNNING;
    int rc = kt_gen_close(g);
    /* Still suspended only if it ignored GeneratorExit: its frames are
     * dropped with the stack, and its cleanup never runs. */
    kt_stack_release(&g->stack);
    free(g);
    return rc;
    /* END SOLUTION */
}
/* [/book:free] */

int kt_gen_getstate(const kt_gen *g)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): the state, or KT_EINVAL for NULL.
     * starter: (void)g;
     * starter: return KT_ENOTIMPL;
     */
    return g != NULL ? (int)g->state : KT_EINVAL;
    /* END SOLUTION */
}

kt_gen *kt_gen_current(void)
{
    /* BEGIN SOLUTION
     * TODO(lab 03): the generator running on this thread, or NULL.
     * starter: return NULL;
     */
    return current;
    /* END SOLUTION */
}
