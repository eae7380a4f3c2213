/* threadsafe.h — the one door into a loop from other threads (Lab 08).
 *
 * A loop is single-threaded: every kt_* function of Labs 01-05 must be
 * called on the thread that runs the loop. Work done elsewhere (a thread
 * pool, a helper thread) comes back through this door only. The door is a
 * queue guarded by a mutex plus a wake-up fd the loop watches as a reader:
 * an eventfd (a self-pipe where eventfd is missing, or when the
 * environment says KETTLE_WAKEUP=pipe). A thread appends its callback to
 * the queue and, only if no wake-up is pending yet, writes to the fd: many
 * calls made while the loop sleeps cost one write and one wake-up (an
 * atomic flag, the shape of libuv's uv_async_send). The loop's reader
 * drains the fd, clears the flag, and runs every queued callback in the
 * order the calls were made (book §8.2).
 *
 * The door is opened once per loop, on the loop's own thread: by
 * kt_loop_waker, by kt_call_soon_threadsafe called on that thread, or for
 * you by kt_run_in_executor, kt_wrap_future and friends (executor.h).
 * Once it is open the loop watches one more fd, so a loop waiting for
 * nothing else blocks (as asyncio's loop does on its self-pipe) instead of
 * returning KT_EDEADLOCK: another thread might still call.
 *
 * Threads must not keep a kt_loop pointer past kt_loop_close (the memory
 * is freed). A thread that may outlive the loop keeps a kt_waker instead:
 * it is reference counted, survives the loop, and answers KT_ECLOSED once
 * the loop has closed (asyncio: RuntimeError "Event loop is closed"). The
 * wake-up fd lives as long as the door: kt_loop_close stops watching it,
 * the last kt_waker_release closes it.
 */
#ifndef KETTLE_THREADSAFE_H
#define KETTLE_THREADSAFE_H

#include <stdint.h>

#include "kettle/loop.h"

/* [book:waker] */
typedef struct kt_waker kt_waker; /* a reference-counted door to one loop */

/* Open the loop's door if it is not open yet (create the wake-up fd,
 * O_CLOEXEC and O_NONBLOCK, and add its reader to the loop) and return a
 * new reference to it in *out. Call it on the loop's thread (or before the
 * loop runs). Returns 0, KT_EINVAL (NULL loop or out), KT_ENOMEM, or the
 * error of creating or watching the fd. Twin: none; asyncio creates its
 * self-pipe when the loop is made. [lab 08] */
int kt_loop_waker(kt_loop *loop, kt_waker **out);

/* Schedule cb(loop, arg) on the waker's loop, from any thread, and wake the
 * loop if it sleeps. Callbacks run on the loop's thread, in the order the
 * calls were made, during the loop iteration that notices the wake-up.
 * Returns 0, KT_EINVAL (NULL waker or cb), KT_ECLOSED once the loop has
 * closed (cb will never run: free what arg owns), or KT_ENOMEM.
 * Twin: loop.call_soon_threadsafe(cb, arg). [lab 08] */
int kt_waker_call_soon(kt_waker *w, kt_callback_fn cb, void *arg);

/* Take one more reference (returns w) / give one back; the last one frees
 * the waker. Both are safe from any thread; NULL is ignored. [lab 08] */
kt_waker *kt_waker_ref(kt_waker *w);
void kt_waker_release(kt_waker *w);

/* How many times a thread wrote to the wake-up fd (not how many callbacks
 * were queued): coalescing keeps it far below the number of calls. For
 * tests and benchmarks. 0 for NULL. [lab 08] */
uint64_t kt_waker_wakeups(const kt_waker *w);
/* [/book:waker] */

/* [book:call_soon_threadsafe] */
/* Schedule cb(loop, arg) on `loop` from any thread: kt_waker_call_soon on
 * the loop's door. If the door is not open yet, this call opens it, which
 * only the loop's own thread may do (it adds a reader): a program that
 * hands the loop to other threads opens the door first, with kt_loop_waker
 * or this call, on the loop's thread. Returns 0, KT_EINVAL (NULL loop or
 * cb), KT_ECLOSED (the loop is closing), KT_ENOMEM, or an error of opening
 * the door. Never call it with a loop that kt_loop_close has freed: keep a
 * kt_waker for that. Twin: loop.call_soon_threadsafe(cb, arg). [lab 08] */
int kt_call_soon_threadsafe(kt_loop *loop, kt_callback_fn cb, void *arg);
/* [/book:call_soon_threadsafe] */

#endif
