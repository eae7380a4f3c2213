/* errors.h — Kettle's error codes.
 *
 * Errors are values. Every fallible Kettle call returns 0 (or a count) on
 * success and a negative code on failure: either one of the KT_E* codes below
 * or -errno straight from the system (-EBADF, -EPIPE, ...). kt_strerror()
 * names both kinds.
 *
 * Each KT_E* code stands in for one Python exception, so a reader can hold
 * the two runtimes side by side (book: Conventions, "Errors are values").
 */
#ifndef KETTLE_ERRORS_H
#define KETTLE_ERRORS_H

#include <errno.h>

enum {
    KT_OK = 0,
    /* Plain system codes, renamed so call sites read well. */
    KT_EINVAL = -EINVAL,        /* a bad argument: NULL, negative delay, NaN (ValueError/TypeError) */
    KT_ENOMEM = -ENOMEM,        /* out of memory (MemoryError) */
    KT_EAGAIN = -EAGAIN,        /* nothing there now, try later (BlockingIOError) */

    /* Kettle's own codes live far below any errno value. */
    KT_EBASE = -10000,
    KT_ECANCELLED = KT_EBASE - 1,     /* asyncio.CancelledError */
    KT_ETIMEDOUT = KT_EBASE - 2,      /* TimeoutError */
    KT_EINVALSTATE = KT_EBASE - 3,    /* asyncio.InvalidStateError */
    KT_ERUNNING = KT_EBASE - 4,       /* RuntimeError: This event loop is already running */
    KT_ECLOSED = KT_EBASE - 5,        /* RuntimeError: Event loop is closed */
    KT_EDEADLOCK = KT_EBASE - 6,      /* the loop has nothing to run and nothing to wait for */
    KT_ENOTIMPL = KT_EBASE - 7,       /* a starter stub: this TODO is not written yet */
    KT_ESTOP = KT_EBASE - 8,          /* StopIteration: the generator has finished */
    KT_ENOTCORO = KT_EBASE - 9,       /* yield/await outside a generator or task */
    KT_EBADYIELD = KT_EBASE - 10,     /* RuntimeError: Task got bad yield */
    KT_EFDLIMIT = KT_EBASE - 11,      /* ValueError: fd out of range for this poller (FD_SETSIZE) */
    KT_EQUEUEEMPTY = KT_EBASE - 12,   /* asyncio.QueueEmpty */
    KT_EQUEUEFULL = KT_EBASE - 13,    /* asyncio.QueueFull */
    KT_ENOTLOCKED = KT_EBASE - 14,    /* RuntimeError: Lock is not acquired */
    KT_EOVERRELEASE = KT_EBASE - 15,  /* ValueError: BoundedSemaphore released too many times */
    KT_EBROKENBARRIER = KT_EBASE - 16,/* asyncio.BrokenBarrierError */
    KT_EINCOMPLETE = KT_EBASE - 17,   /* asyncio.IncompleteReadError */
    KT_ELIMITOVERRUN = KT_EBASE - 18, /* asyncio.LimitOverrunError */
    KT_ESHUTDOWN = KT_EBASE - 19,     /* RuntimeError: cannot schedule new futures after shutdown */
    KT_EGENERATOREXIT = KT_EBASE - 20,/* GeneratorExit: thrown into a generator by close() */
    KT_EBROKENPOOL = KT_EBASE - 21,   /* concurrent.futures.process.BrokenProcessPool (Lab 08) */
    KT_EGROUP = KT_EBASE - 22,        /* ExceptionGroup: a TaskGroup collected errors (Lab 06) */
    KT_EWRONGLOOP = KT_EBASE - 23,    /* ValueError: future/primitive belongs to another loop */
    KT_ENOTSUPPORTED = KT_EBASE - 24, /* RuntimeError: Task does not support set_result/set_exception */
    KT_EGAI = KT_EBASE - 25,          /* socket.gaierror: a host name did not resolve (Lab 09) */
    /* Codes KT_EBASE - 26 .. - 49 are reserved for Labs 06-09; add new ones here, in order. */
    KT_ELAST = KT_EBASE - 26,

    /* Codes at or below KT_EUSER are free for programs built on Kettle
     * (a coroutine's own "ValueError"); kt_strerror calls them user errors. */
    KT_EUSER = -20000,
};

/* Return a short, static, human-readable name for an error code (0 too).
 * Twin: str(exception). Never returns NULL. */
const char *kt_strerror(int code);

#endif
