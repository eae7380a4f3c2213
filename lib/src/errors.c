/* errors.c — names for Kettle's error codes (see errors.h). */
#define _GNU_SOURCE /* strerrordesc_np: a thread-safe strerror */
#include <string.h>

#include "kettle/errors.h"

const char *kt_strerror(int code)
{
    switch (code) {
    case KT_OK: return "success";
    case KT_ECANCELLED: return "cancelled (asyncio.CancelledError)";
    case KT_ETIMEDOUT: return "timed out (TimeoutError)";
    case KT_EINVALSTATE: return "invalid state (asyncio.InvalidStateError)";
    case KT_ERUNNING: return "already running (an event loop already running, or a generator already executing)";
    case KT_ECLOSED: return "the event loop is closed";
    case KT_EDEADLOCK: return "nothing to run and nothing to wait for: the loop would sleep forever";
    case KT_ENOTIMPL: return "not implemented yet (a TODO in your lab)";
    case KT_ESTOP: return "the generator has finished (StopIteration)";
    case KT_ENOTCORO: return "not inside a coroutine: yield/await needs a running generator or task";
    case KT_EBADYIELD: return "task got bad yield";
    case KT_EFDLIMIT: return "file descriptor out of range for this poller (FD_SETSIZE)";
    case KT_EQUEUEEMPTY: return "queue is empty (asyncio.QueueEmpty)";
    case KT_EQUEUEFULL: return "queue is full (asyncio.QueueFull)";
    case KT_ENOTLOCKED: return "lock is not acquired";
    case KT_EOVERRELEASE: return "bounded semaphore released too many times";
    case KT_EBROKENBARRIER: return "barrier is broken (asyncio.BrokenBarrierError)";
    case KT_EINCOMPLETE: return "incomplete read (asyncio.IncompleteReadError)";
    case KT_ELIMITOVERRUN: return "separator not found within the limit (asyncio.LimitOverrunError)";
    case KT_ESHUTDOWN: return "executor has been shut down";
    case KT_EGENERATOREXIT: return "generator closed (GeneratorExit)";
    case KT_EBROKENPOOL: return "a worker of the pool died; the pool is broken (BrokenProcessPool)";
    case KT_EGROUP: return "a task group collected one or more errors (ExceptionGroup)";
    case KT_EWRONGLOOP: return "the object belongs to another event loop";
    case KT_ENOTSUPPORTED: return "operation not supported on this object (RuntimeError)";
    case KT_EGAI: return "the host name did not resolve (socket.gaierror)";
    default: break;
    }
    if (code <= KT_EUSER)
        return "user-defined error";
    if (code < 0 && code > KT_EBASE) {
        const char *s = strerrordesc_np(-code);
        if (s != NULL)
            return s;
    }
    return code > 0 ? "not an error (a positive value)" : "unknown error";
}
