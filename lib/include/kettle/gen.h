/* gen.h — generator-style coroutines on ucontext (Lab 03).
 *
 * A generator runs a C function (its body) on a stack of its own, and can
 * leave that function in the middle and come back later, exactly like a
 * Python generator:
 *
 *     Python                              Kettle
 *     def body(arg):                      int body(void *arg, void **result)
 *         x = yield 1                     { void *x; kt_gen_yield(one, &x);
 *         return x                          *result = x; return 0; }
 *     g = body(arg)                       kt_gen_new(&g, body, arg, 0)
 *     y = g.send(None)                    rc = kt_gen_send(g, NULL, &y)   rc == 0
 *     g.send(v) -> StopIteration(v)       rc = kt_gen_send(g, v, &y)      rc == KT_ESTOP, y == v
 *
 * Errors are values, so Python's exceptions become return codes. What a
 * resume (send or throw) returns tells its caller, without looking anywhere
 * else, how the body stopped this time:
 *
 *     0              the body yielded: *out is the yielded value, and the
 *                    generator is suspended, waiting for the next send;
 *     KT_ESTOP       the body returned 0: *out is its result (Python's
 *                    StopIteration.value) and the generator is finished;
 *     another code   the body returned that error (an exception it did not
 *                    catch), or the call itself was refused (below): the
 *                    generator's state says which.
 *
 * Lab 05's task drives a coroutine with exactly these calls: it sends
 * NULL when the future the coroutine waited on has a result (the
 * coroutine's kt_await then reads it from the future), or throws the
 * future's error (KT_ECANCELLED among them) into it, and looks at the code
 * to know whether it got a new future to wait on (0), the coroutine's
 * result (KT_ESTOP) or its error (anything else) (book §5.2).
 *
 * Ownership: whoever creates a generator owns it and frees it with
 * kt_gen_free, once (a task takes ownership of the generator it is given).
 * Freeing a generator that is still suspended closes it first, as Python
 * does when a suspended generator is garbage-collected: KT_EGENERATOREXIT
 * comes out of the pending kt_gen_yield, so the body can run its cleanup and
 * release what it holds.
 *
 * Threads: the "current generator" is per thread (_Thread_local), and a
 * generator must always be resumed from the thread that created it.
 *
 * Who writes what: functions marked [lab 03] are yours in
 * labs/03-generators/gen.c; stacks come from the given stack.h.
 */
#ifndef KETTLE_GEN_H
#define KETTLE_GEN_H

#include <stddef.h>

#include "kettle/stack.h" /* KT_STACK_DEFAULT_SIZE, KT_STACK_MIN_SIZE */

/* [book:types] */
typedef struct kt_gen kt_gen;

/* A generator's body. It runs on the generator's own stack, gets the `arg`
 * given to kt_gen_new, and may call kt_gen_yield any number of times.
 * It ends by returning:
 *     0                   finished normally; *result (NULL unless the body
 *                         set it) is handed to whoever resumed it last,
 *                         with KT_ESTOP (Python: return value, which
 *                         becomes StopIteration.value);
 *     a negative code     finished with that error (Python: an exception
 *                         escaping the generator). KT_ESTOP itself, or a
 *                         positive value, would read as a normal return, so
 *                         it becomes KT_EINVALSTATE (Python turns a
 *                         StopIteration escaping a generator into
 *                         RuntimeError, PEP 479).
 * Never leave the body any other way (longjmp out of it, or exit the thread). */
typedef int (*kt_gen_fn)(void *arg, void **result);

/* The four states of a generator.
 * Twin: inspect.getgeneratorstate(), whose names are in the comments. */
typedef enum kt_gen_state {
    KT_GEN_CREATED = 0,   /* GEN_CREATED: made, body not started yet */
    KT_GEN_SUSPENDED = 1, /* GEN_SUSPENDED: stopped at a kt_gen_yield */
    KT_GEN_RUNNING = 2,   /* GEN_RUNNING: its body is executing (perhaps
                           * blocked in a send to a generator it drives) */
    KT_GEN_FINISHED = 3,  /* GEN_CLOSED: returned, failed or closed */
} kt_gen_state;
/* [/book:types] */

/* [book:new] */
/* Make a generator that will run fn(arg) on a fresh stack of `stack_size`
 * bytes (0: KT_STACK_DEFAULT_SIZE from stack.h, which a body that needs
 * more must override). The body does not start: the first kt_gen_send
 * starts it. Returns 0 and sets *out, KT_EINVAL for a NULL out or fn or a
 * stack size below KT_STACK_MIN_SIZE, or KT_ENOMEM.
 * Twin: calling a generator function, g = body(arg). [lab 03] */
int kt_gen_new(kt_gen **out, kt_gen_fn fn, void *arg, size_t stack_size);
/* [/book:new] */

/* [book:send] */
/* Resume the generator: `value` becomes what its pending kt_gen_yield hands
 * back (the very first send starts the body, and must send NULL). Runs the
 * body until it yields or ends. Returns:
 *     0              it yielded; *out = the yielded value;
 *     KT_ESTOP       it returned; *out = its result (StopIteration.value);
 *     other < 0      it ended with that error; *out = NULL;
 * and refuses, changing nothing, with *out = NULL:
 *     KT_EINVAL      g is NULL, or value is not NULL on a just-created
 *                    generator (Python: TypeError "can't send non-None
 *                    value to a just-started generator");
 *     KT_ERUNNING    the generator is running: a body sending into itself,
 *                    or into a generator that is driving it (Python:
 *                    ValueError "generator already executing");
 *     KT_ESTOP       the generator has already finished (Python raises
 *                    StopIteration again, with no value).
 * `out` may be NULL when the caller does not want the value.
 * Twin: generator.send(value); next(g) is kt_gen_send(g, NULL, &v). [lab 03] */
int kt_gen_send(kt_gen *g, void *value, void **out);
/* [/book:send] */

/* [book:yield] */
/* Suspend the running generator, handing `value` to whoever resumed it
 * (their send or throw returns 0 with *out = value). When the generator is
 * resumed, returns:
 *     0              after a kt_gen_send; *sent = the value sent;
 *     the error      after kt_gen_throw(g, error, ...) or kt_gen_close
 *                    (KT_EGENERATOREXIT); *sent = NULL. The body decides
 *                    what to do with it, as a Python body catches an
 *                    exception or lets it escape;
 *     KT_ENOTCORO    at once, when called outside any generator (no
 *                    generator is running on this thread).
 * `sent` may be NULL. The body must not yield again after
 * KT_EGENERATOREXIT: it should clean up and return (see kt_gen_close).
 * Twin: the expression `sent = yield value`. [lab 03] */
int kt_gen_yield(void *value, void **sent);
/* [/book:yield] */

/* [book:throw] */
/* Raise `error` (a negative code) inside the generator at its pending
 * yield: that kt_gen_yield returns `error`. Then, as kt_gen_send: 0 if the
 * body caught it and yielded again, KT_ESTOP if it returned, or the code it
 * ended with (often `error` itself, not caught). A generator that has not
 * started never runs: it finishes at once and throw returns `error`, as a
 * Python generator thrown into before its first send. (Lab 05 does not
 * need this for a task cancelled before its first step: that task never
 * makes its coroutine at all, book §5.5.) Thrown into a
 * finished generator, `error` comes straight back. Refuses with KT_EINVAL
 * (g NULL, or error not negative, or error == KT_ESTOP, which would read as
 * a return; Python: TypeError) and KT_ERUNNING as send does.
 * Twin: generator.throw(exception). [lab 03] */
int kt_gen_throw(kt_gen *g, int error, void **out);
/* [/book:throw] */

/* [book:close] */
/* Finish the generator. A suspended one gets KT_EGENERATOREXIT thrown in at
 * its pending yield so that its cleanup runs; a just-created one finishes
 * without running; a finished one is left as it is. Returns 0 when the
 * generator is now finished (the body returned, or ended with
 * KT_EGENERATOREXIT), the body's own error if it ended with another one,
 * KT_EBADYIELD if the body yielded instead of finishing (Python:
 * RuntimeError "generator ignored GeneratorExit"; the generator stays
 * suspended at that new yield), KT_ERUNNING if it is running, KT_EINVAL for
 * NULL. Twin: generator.close(). [lab 03] */
int kt_gen_close(kt_gen *g);
/* [/book:close] */

/* [book:free] */
/* Close the generator if it is suspended, then free it and its stack.
 * Returns 0 (NULL is fine too), what kt_gen_close returned when that was
 * an error (the generator is freed all the same; after KT_EBADYIELD its
 * body's remaining cleanup never runs: that is a bug in the body), or
 * KT_ERUNNING, without freeing anything, for a running generator.
 * Twin: the garbage collector finalizing a generator. [lab 03] */
int kt_gen_free(kt_gen *g);
/* [/book:free] */

/* [book:state] */
/* The generator's state, a kt_gen_state (>= 0), or KT_EINVAL for NULL.
 * Twin: inspect.getgeneratorstate(g). [lab 03] */
int kt_gen_getstate(const kt_gen *g);

/* The generator whose body is running on this thread right now (the
 * innermost one when generators drive each other), or NULL.
 * Twin: none in Python; a task's version is asyncio.current_task(). [lab 03] */
kt_gen *kt_gen_current(void);

/* "GEN_CREATED", "GEN_SUSPENDED", "GEN_RUNNING", "GEN_CLOSED" for the four
 * states (Python's own names), "?" for anything else, such as an error code.
 * [given] */
const char *kt_gen_state_name(int state);
/* [/book:state] */

#endif
