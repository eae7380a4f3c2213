/* fastctx.h — getcontext, swapcontext and setcontext without the signal
 * mask. [given]
 *
 * glibc's swapcontext and setcontext save and restore the signal mask along
 * with the registers, and the mask lives in the kernel: every switch costs an
 * rt_sigprocmask system call, most of a switch's time (book §3.9); so does
 * getcontext, once per generator created. A coroutine runtime never changes
 * the mask between switches, so this header offers the same calls without
 * it, on the very ucontext_t structures that makecontext prepares:
 *
 *     kt_getcontext(ctx)         like getcontext: save the same registers as
 *                                kt_swapcontext into `ctx`; uc_sigmask is
 *                                left as it was, not filled in
 *     kt_swapcontext(from, to)   like swapcontext: save the callee-saved
 *                                registers, stack pointer, return address,
 *                                x87 control word and MXCSR into `from`,
 *                                load `to`; returns 0 when `from` is loaded
 *     kt_setcontext(to)          like setcontext: load `to`, save nothing
 *
 * The fast versions exist only when KETTLE_FAST_SWITCH is defined at compile
 * time on x86-64 (System V ABI, glibc's mcontext layout). Anywhere else they
 * simply call getcontext / swapcontext / setcontext. As drop-ins they keep
 * glibc's return convention (-1 and errno), not Kettle's error codes. Known
 * limits of the fast path: the signal mask is whatever it was (fine while
 * nobody changes it per context), and x86 shadow stacks (CET), when the
 * kernel enables them, are not followed: glibc's own calls are needed then.
 *
 * The reference runtime's Lab 03 keeps calling getcontext, swapcontext and
 * setcontext (that is the lab's lesson). The benchmark build, and one step of
 * `make check`, compile every file with
 *
 *     -DKETTLE_FAST_SWITCH -include kettle/fastctx.h
 *
 * and then the macros below send those calls here, unchanged source.
 * This header includes nothing, so a forced -include cannot disturb a file's
 * own feature macros (_GNU_SOURCE and friends). No asyncio twin: Python's
 * generators do not switch stacks (book §3.2).
 */
#ifndef KETTLE_FASTCTX_H
#define KETTLE_FASTCTX_H

struct ucontext_t; /* glibc: typedef struct ucontext_t { ... } ucontext_t; */

/* getcontext without the signal mask; 0, or (fallback only) -1 and errno.
 * Like getcontext (and setjmp) it may return more than once. */
#if defined(__GNUC__)
__attribute__((returns_twice))
#endif
int kt_getcontext(struct ucontext_t *ctx);

/* swapcontext without the signal mask; 0, or (fallback only) -1 and errno. */
int kt_swapcontext(struct ucontext_t *from, const struct ucontext_t *to);

/* setcontext without the signal mask; returns only on error (fallback). */
int kt_setcontext(const struct ucontext_t *to);

#if defined(KETTLE_FAST_SWITCH) && defined(__x86_64__)
#define KT_FASTCTX_ASM 1
/* Renames glibc's own declarations too (they are compatible), so the
 * program never calls the signal-mask versions. */
#define getcontext kt_getcontext
#define swapcontext kt_swapcontext
#define setcontext kt_setcontext
#else
#define KT_FASTCTX_ASM 0
#endif

#endif /* KETTLE_FASTCTX_H */
