/* copystack.c — gen.h's generators on copied stacks (see copystack.h). [given]
 *
 * Compiled to the two small functions at the end unless KETTLE_COPY_STACK is
 * defined; then it replaces Lab 03's gen.c (the Makefile and bench/run.sh
 * leave that file out).
 *
 * The pieces:
 *   the switch   kt__cs_switch pushes the callee-saved registers and the FPU
 *                control words on the running stack, saves the stack pointer
 *                and loads another: a suspended context IS its stack pointer.
 *   shared       each thread runs bodies on a few shared stacks (kt__stack_map:
 *                mmap + guard page, outside the pool). A body is bound to one at its first
 *                resume: the first that no body on the running chain (the
 *                current one and those that resumed it) is using, so a body
 *                never has to move the one that drives it.
 *   residency    a shared stack holds the bytes of one body at a time, its
 *                occupant. Resuming a body that is not resident copies the
 *                occupant's bytes [sp, top) out to the occupant's heap
 *                buffer, then copies the body's bytes in. Yielding copies
 *                nothing: the body stays resident until someone needs its
 *                stack, so one task waking and sleeping again costs nothing.
 *   aux          when the running body must make room on the very stack it
 *                runs on (it resumes, or returns to, a body bound to that
 *                stack), the copying is done on a small per-thread auxiliary
 *                stack, since no code can overwrite the frames it runs in.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kettle/copystack.h"
#include "kettle/errors.h"
#include "kettle/freelist.h"
#include "kettle/gen.h"
#include "kettle/stack.h"

#if !defined(KETTLE_COPY_STACK)

int kt_copystack_enabled(void)
{
    return 0;
}

void kt_copystack_get_stats(kt_copystack_stats *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
}

void kt__copystack_note_arg(const void *p)
{
    (void)p;
}

#else /* KETTLE_COPY_STACK */

#if !defined(__x86_64__)
#error "KETTLE_COPY_STACK (copied stacks) is written for x86-64 only"
#endif

#if KT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* ---------------------------------------------------------------- the switch */

/* Save the running context on its own stack and its stack pointer in
 * *save_sp, then load the context whose stack pointer is to_sp. Returns when
 * someone loads *save_sp again. */
void kt__cs_switch(void **save_sp, void *to_sp);
/* Load the context at to_sp; the running one is abandoned. */
__attribute__((noreturn)) void kt__cs_jump(void *to_sp);

__asm__(".text\n"
        ".p2align 4\n"
        ".globl kt__cs_switch\n"
        ".hidden kt__cs_switch\n"
        ".type kt__cs_switch, @function\n"
        "kt__cs_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rdi\n"
        ".globl kt__cs_jump\n"
        ".hidden kt__cs_jump\n"
        ".type kt__cs_jump, @function\n"
        "kt__cs_jump:\n"
        "    movq %rdi, %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size kt__cs_jump, . - kt__cs_jump\n"
        ".size kt__cs_switch, . - kt__cs_switch\n");

/* What kt__cs_jump pops for a context that has never run: control words,
 * six zeroed registers, the entry function as the return address, and a
 * zero "return address" for the entry itself, so that the entry starts with
 * the stack aligned as after a call (rsp + 8 a multiple of 16). */
#define FRAME_WORDS 9
#define FRAME_BYTES (FRAME_WORDS * 8)

static void write_first_frame(void *at, void (*entry)(void))
{
    uint64_t w[FRAME_WORDS] = {0};
    w[0] = 0x1f80u | ((uint64_t)0x037fu << 32); /* MXCSR, x87 control word */
    w[7] = (uint64_t)(uintptr_t)entry;
    memcpy(at, w, sizeof w);
}

/* ---------------------------------------------------------------- state */

typedef struct shared_stack {
    kt_stack stack;
    char *top;                 /* stack.base + stack.size, 16-aligned */
    kt_gen *occupant;          /* whose bytes are on it now, or NULL */
    kt_gen *pinned;            /* a body whose locals others point at: its
                                * bytes are put back whenever another body
                                * bound here stops running; no new binds */
    int warned;                /* told about a second would-be pinned body */
    struct shared_stack *next;
} shared_stack;

/* [book:copystack_struct] */
struct kt_gen {
    void *sp;              /* the body's stack pointer whenever it is not
                            * executing (suspended, or blocked resuming another) */
    void *caller_sp;       /* the resumer's, when the resumer is plain code */
    shared_stack *home;    /* bound at the first resume */
    char *saved;           /* [sp, home->top) while not resident; NULL
                            * until first copied out (the first frame is
                            * written straight onto the stack) */
    size_t saved_len, saved_cap;
    size_t stack_size;     /* what the body asked for */
    kt_gen_fn fn;
    void *arg;
    kt_gen *resumer;       /* current when this one was resumed, or NULL */
    void *value_in;        /* the mailbox, as in Lab 03 */
    void *value_out;
    int error_in;
    int code_out;
    kt_gen_state state;
#if KT_ASAN
    const void *caller_bottom; /* a plain-code resumer's stack, for ASan */
    size_t caller_size;
#endif
};
/* [/book:copystack_struct] */

static _Thread_local kt_gen *current;
static _Thread_local shared_stack *stacks;
static _Thread_local kt_stack aux;
static _Thread_local kt_copystack_stats stats;

/* The aux stack's one job: copy `evict` out and `load` in (NULL: nothing),
 * make `also` resident on its own home, then jump to jump_sp, whose stack
 * ASan is told is [bottom, bottom + size). */
static _Thread_local struct {
    kt_gen *evict;
    kt_gen *load;
    kt_gen *also;
    void *jump_sp;
    const void *bottom;
    size_t size;
} job;

#if KT_ASAN
/* The stack a context was switched from, as ASan reports it on arrival. */
static _Thread_local const void *from_bottom;
static _Thread_local size_t from_size;
#endif

/* ---------------------------------------------------------------- ASan */

static inline void asan_leave(void **fake, const void *bottom, size_t size)
{
#if KT_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void)fake, (void)bottom, (void)size;
#endif
}

static inline void asan_arrive(void *fake)
{
#if KT_ASAN
    __sanitizer_finish_switch_fiber(fake, &from_bottom, &from_size);
#else
    (void)fake;
#endif
}

/* Bytes a body left poisoned (redzones of frames that are gone or moved)
 * must not be reported when other bytes take their place. */
static inline void asan_clean(const void *p, size_t n)
{
#if KT_ASAN
    __asan_unpoison_memory_region(p, n);
#else
    (void)p, (void)n;
#endif
}

/* Where the context `to` (a body, or plain code when NULL) runs, for ASan. */
static void target_bounds(const kt_gen *g, const kt_gen *to, const void **bottom, size_t *size)
{
    if (to != NULL) {
        *bottom = to->home->stack.base;
        *size = to->home->stack.size;
    } else {
#if KT_ASAN
        *bottom = g->caller_bottom;
        *size = g->caller_size;
#else
        (void)g;
        *bottom = NULL;
        *size = 0;
#endif
    }
}

/* A body has arrived on its stack, resumed by plain code: remember that
 * code's stack for the switch back. */
static void note_caller(kt_gen *g)
{
#if KT_ASAN
    if (g->resumer == NULL) {
        g->caller_bottom = from_bottom;
        g->caller_size = from_size;
    }
#else
    (void)g;
#endif
}

/* ---------------------------------------------------------------- shared stacks */

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

/* A thread that ran bodies ends: give its stacks back. */
static void release_thread_stacks(void *unused)
{
    (void)unused;
    while (stacks != NULL) {
        shared_stack *s = stacks;
        stacks = s->next;
        kt__stack_unmap(&s->stack);
        free(s);
    }
    kt__stack_unmap(&aux);
}

static void make_thread_key(void)
{
    pthread_key_create(&thread_key, release_thread_stacks);
}

static shared_stack *new_shared_stack(size_t size)
{
    if (aux.base == NULL) {
        pthread_once(&thread_key_once, make_thread_key);
        if (kt__stack_map(&aux, 0) != 0)
            return NULL;
        pthread_setspecific(thread_key, &aux);
    }
    shared_stack *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (kt__stack_map(&s->stack, size) != 0) {
        free(s);
        return NULL;
    }
    s->top = (char *)s->stack.base + s->stack.size;
    s->next = stacks;
    stacks = s;
    stats.shared_stacks++;
    return s;
}

static int on_running_chain(const shared_stack *s)
{
    for (const kt_gen *g = current; g != NULL; g = g->resumer)
        if (g->home == s)
            return 1;
    return 0;
}

/* Give g a home at its first resume, and place its first frame's address. */
static int bind_home(kt_gen *g)
{
    shared_stack *s = stacks;
    while (s != NULL && (s->stack.size < g->stack_size || s->pinned != NULL || on_running_chain(s)))
        s = s->next;
    if (s == NULL && (s = new_shared_stack(g->stack_size)) == NULL)
        return KT_ENOMEM;
    g->home = s;
    g->sp = s->top - g->saved_len;
    return 0;
}

/* The running body hands out `p` (a new task's or generator's argument).
 * If p points into its own stack, it must stay put from now on: pin it.
 * Only the running body can be pinned, and one per shared stack; a second
 * one is told about (it would need a stack of its own from the start). */
static void pin_if_escaping(const void *p)
{
    kt_gen *g = current;
    if (g == NULL || g->home == NULL)
        return;
    shared_stack *s = g->home;
    if ((const char *)p < (const char *)s->stack.base || (const char *)p >= s->top)
        return;
    if (s->pinned == NULL) {
        s->pinned = g;
        stats.pins++;
    } else if (s->pinned != g && !s->warned) {
        s->warned = 1;
        fputs("kettle: copied stacks: two coroutines on one shared stack hand pointers to their "
              "locals to other coroutines; the second one's locals will move (copystack.h)\n",
              stderr);
    }
}

void kt__copystack_note_arg(const void *p)
{
    pin_if_escaping(p);
}

/* ---------------------------------------------------------------- copying */

static int reserve(kt_gen *g, size_t len)
{
    if (len <= g->saved_cap)
        return 0;
    /* The old bytes are stale (g is resident, or running): no copy. */
    size_t cap = (len + 15) & ~(size_t)15;
    char *p = kt__obj_alloc(cap);
    if (p == NULL)
        return KT_ENOMEM;
    kt__obj_free(g->saved, g->saved_cap);
    g->saved = p;
    g->saved_cap = cap;
    return 0;
}

/* g's bytes leave its home for its buffer (reserved already). */
static void copy_out(kt_gen *g)
{
    shared_stack *s = g->home;
    size_t len = (size_t)(s->top - (char *)g->sp);
    asan_clean(g->sp, len);
    memcpy(g->saved, g->sp, len);
    g->saved_len = len;
    s->occupant = NULL;
    stats.evictions++;
    stats.bytes_copied += len;
    if (len > stats.max_saved)
        stats.max_saved = len;
}

static void gen_entry(void);

/* g's bytes go back to where they were (a new body: its first frame). */
static void copy_in(kt_gen *g)
{
    shared_stack *s = g->home;
    asan_clean(s->stack.base, s->stack.size);
    if (g->saved != NULL)
        memcpy(g->sp, g->saved, g->saved_len);
    else
        write_first_frame(g->sp, gen_entry);
    s->occupant = g;
    stats.restores++;
    stats.bytes_copied += g->saved_len;
}

/* Make room on g's home for g (from a stack other than that one). */
static __attribute__((noinline)) int make_resident(kt_gen *g)
{
    kt_gen *occ = g->home->occupant;
    if (occ == g)
        return 0;
    if (occ != NULL) {
        int rc = reserve(occ, (size_t)(g->home->top - (char *)occ->sp));
        if (rc != 0)
            return rc;
        copy_out(occ);
    }
    copy_in(g);
    return 0;
}

/* What `from`'s stack must hold once `from` has left it for `to`: `to`
 * itself if it is bound there; the pinned body if `from` was only visiting
 * (every other body bound to a pinned stack restores the pinned one when it
 * stops running); else `from` stays (lazily) resident. A finished `from`
 * leaves nothing behind. */
static kt_gen *successor(const kt_gen *from, kt_gen *to)
{
    shared_stack *s = from->home;
    if (to != NULL && to->home == s)
        return to;
    if (s->pinned != NULL && s->pinned != from)
        return s->pinned;
    return from->state == KT_GEN_FINISHED ? NULL : (kt_gen *)from;
}

static void aux_entry(void)
{
    asan_arrive(NULL);
    if (job.evict != NULL)
        copy_out(job.evict);
    if (job.load != NULL)
        copy_in(job.load);
    if (job.also != NULL)
        make_resident(job.also); /* its room was reserved before */
    asan_leave(NULL, job.bottom, job.size); /* aux is left for good */
    kt__cs_jump(job.jump_sp);
}

/* The stack pointer that starts aux_entry afresh. */
static void *aux_start(void)
{
    char *top = (char *)aux.base + aux.size;
    asan_clean(aux.base, aux.size);
    write_first_frame(top - FRAME_BYTES, aux_entry);
    return top - FRAME_BYTES;
}

/* `to` will need its home made resident from the aux stack, where nothing
 * may fail: reserve its occupant's room now. Returns `to` or NULL when
 * there is nothing to do. */
static kt_gen *elsewhere(const kt_gen *from, kt_gen *to, int *rc)
{
    *rc = 0;
    if (to == NULL || to->home == from->home || to->home->occupant == to)
        return NULL;
    kt_gen *occ = to->home->occupant;
    if (occ != NULL)
        *rc = reserve(occ, (size_t)(to->home->top - (char *)occ->sp));
    return to;
}

/* The slow path of switch_to: the stack we run on must change hands, so the
 * copying is done on the aux stack. Our own bytes will be [sp, top), sp a
 * little below this frame. Kept out of line so that the frames a suspended
 * body leaves behind (and copies) stay small. */
static __attribute__((noinline)) int switch_via_aux(kt_gen *from, void **save_sp, kt_gen *to, void *to_sp,
                                                    kt_gen *next)
{
    void *fake = NULL;
    int rc = reserve(from, (size_t)(from->home->top - (char *)__builtin_frame_address(0)) + 512);
    kt_gen *also = rc == 0 ? elsewhere(from, to, &rc) : NULL;
    if (rc != 0)
        return rc;
    job.evict = from;
    job.load = next;
    job.also = also;
    job.jump_sp = to_sp;
    asan_leave(&fake, aux.base, aux.size);
    kt__cs_switch(save_sp, aux_start());
    asan_arrive(fake);
    return 0;
}

/* Leave the running context (body `from`, or plain code when NULL), saving
 * its stack pointer in *save_sp, for the context at to_sp (body `to`, or
 * plain code when NULL), making the bytes right first. `g` is the generator
 * being switched into or out of (for a plain-code resumer's stack bounds).
 * Returns 0 once switched back, or KT_ENOMEM having switched nowhere. */
static int switch_to(kt_gen *g, kt_gen *from, void **save_sp, kt_gen *to, void *to_sp)
{
    target_bounds(g, to, &job.bottom, &job.size);
    if (from != NULL) {
        kt_gen *next = successor(from, to);
        if (next != from)
            return switch_via_aux(from, save_sp, to, to_sp, next);
    }
    if (to != NULL && to->home->occupant != to) {
        int rc = make_resident(to);
        if (rc != 0)
            return rc;
    }
#if KT_ASAN
    void *fake = NULL;
    asan_leave(&fake, job.bottom, job.size);
    kt__cs_switch(save_sp, to_sp);
    asan_arrive(fake);
#else
    kt__cs_switch(save_sp, to_sp);
#endif
    return 0;
}

/* ---------------------------------------------------------------- the generator */

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

/* A finished body leaves its stack for good, back to its resumer. */
__attribute__((noreturn, noinline)) static void leave_for_good(kt_gen *g)
{
    kt_gen *to = g->resumer;
    void *to_sp = to != NULL ? to->sp : g->caller_sp;
    target_bounds(g, to, &job.bottom, &job.size);
    g->home->occupant = NULL;
    kt_gen *next = successor(g, to);
    int rc = 0;
    if (next != NULL) {
        kt_gen *also = elsewhere(g, to, &rc);
        if (rc == 0) {
            job.evict = NULL;
            job.load = next;
            job.also = also;
            job.jump_sp = to_sp;
            asan_leave(NULL, aux.base, aux.size);
            kt__cs_jump(aux_start());
        }
    } else if (to != NULL) {
        rc = make_resident(to);
    }
    if (rc != 0) {
        /* Only nested generators get here (a task's resumer is the loop). */
        fputs("kettle: out of memory switching back between nested generators\n", stderr);
        abort();
    }
    asan_leave(NULL, job.bottom, job.size);
    kt__cs_jump(to_sp);
}

static void gen_entry(void)
{
    kt_gen *g = current;
    asan_arrive(NULL);
    note_caller(g);
    void *result = NULL;
    int rc = g->fn(g->arg, &result);
    if (rc == 0) {
        g->code_out = KT_ESTOP;
        g->value_out = result;
    } else {
        g->code_out = (rc > 0 || rc == KT_ESTOP) ? KT_EINVALSTATE : rc;
        g->value_out = NULL;
    }
    g->state = KT_GEN_FINISHED;
    leave_for_good(g);
}

/* The body is gone: its bytes need no keeping. */
static void drop_body(kt_gen *g)
{
    if (g->home != NULL && g->home->occupant == g)
        g->home->occupant = NULL;
    if (g->home != NULL && g->home->pinned == g)
        g->home->pinned = NULL;
    kt__obj_free(g->saved, g->saved_cap);
    g->saved = NULL;
    g->saved_len = g->saved_cap = 0;
}

static int resume(kt_gen *g, void *value, int error, void **out)
{
    if (g->home == NULL) {
        int rc = bind_home(g);
        if (rc != 0)
            return rc;
    }
    kt_gen_state before = g->state;
    kt_gen *r = current;
    g->value_in = value;
    g->error_in = error;
    g->resumer = r;
    current = g;
    g->state = KT_GEN_RUNNING;

    int rc = switch_to(g, r, r != NULL ? &r->sp : &g->caller_sp, g, g->sp);

    current = r;
    g->resumer = NULL;
    if (rc != 0) { /* never switched: nothing ran */
        g->state = before;
        return rc;
    }
    if (g->state == KT_GEN_FINISHED)
        drop_body(g);
    if (out != NULL)
        *out = g->value_out;
    return g->code_out;
}

static void finish_unstarted(kt_gen *g)
{
    g->state = KT_GEN_FINISHED;
    drop_body(g);
}

int kt_gen_new(kt_gen **out, kt_gen_fn fn, void *arg, size_t stack_size)
{
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (fn == NULL || (stack_size != 0 && stack_size < KT_STACK_MIN_SIZE))
        return KT_EINVAL;
    kt_gen *g = kt__obj_alloc(sizeof *g);
    if (g == NULL)
        return KT_ENOMEM;
    pin_if_escaping(arg);
    g->saved_len = FRAME_BYTES;
    g->stack_size = stack_size != 0 ? stack_size : KT_STACK_DEFAULT_SIZE;
    g->fn = fn;
    g->arg = arg;
    g->state = KT_GEN_CREATED;
    *out = g;
    return 0;
}

int kt_gen_send(kt_gen *g, void *value, void **out)
{
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
}

int kt_gen_throw(kt_gen *g, int error, void **out)
{
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
}

int kt_gen_yield(void *value, void **sent)
{
    if (sent != NULL)
        *sent = NULL;
    kt_gen *g = current;
    if (g == NULL)
        return KT_ENOTCORO;
    g->value_out = value;
    g->code_out = 0;
    g->state = KT_GEN_SUSPENDED;
    kt_gen *to = g->resumer;
    int rc = switch_to(g, g, &g->sp, to, to != NULL ? to->sp : g->caller_sp);
    if (rc != 0) { /* could not make room to switch back: the body hears it */
        g->state = KT_GEN_RUNNING;
        return rc;
    }
    note_caller(g);
    if (sent != NULL)
        *sent = g->value_in;
    return g->error_in;
}

int kt_gen_close(kt_gen *g)
{
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
        return KT_EBADYIELD;
    if (rc == KT_ESTOP || rc == KT_EGENERATOREXIT)
        return 0;
    return rc;
}

int kt_gen_free(kt_gen *g)
{
    if (g == NULL)
        return 0;
    if (g->state == KT_GEN_RUNNING)
        return KT_ERUNNING;
    int rc = kt_gen_close(g);
    drop_body(g);
    kt__obj_free(g, sizeof *g);
    return rc;
}

int kt_gen_getstate(const kt_gen *g)
{
    return g != NULL ? (int)g->state : KT_EINVAL;
}

kt_gen *kt_gen_current(void)
{
    return current;
}

int kt_copystack_enabled(void)
{
    return 1;
}

void kt_copystack_get_stats(kt_copystack_stats *out)
{
    if (out != NULL)
        *out = stats;
}

#endif /* KETTLE_COPY_STACK */
