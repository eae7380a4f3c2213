/* [book:rules] */
/* sync.h — synchronisation primitives for tasks on one loop (Lab 07).
 *
 * Lock, Event, Condition, Semaphore, BoundedSemaphore and Barrier, built on
 * Lab 04's futures and Lab 05's kt_await. Every primitive keeps a FIFO of
 * waiters; a waiter is a future that a task awaits, and waking it up is
 * kt_future_set_result on that future. Nothing here is atomic and nothing
 * needs to be: only one task of a loop runs at a time, and it is never
 * interrupted between two awaits (book §7.2). So nothing here is
 * thread-safe either: a primitive belongs to one loop and is used only
 * from that loop's thread.
 *
 *     Python                               Kettle
 *     lock = asyncio.Lock()                kt_lock_new(loop, &lock)
 *     async with lock:                     if ((rc = kt_lock_acquire(lock)) < 0) return rc;
 *         ...                              ...
 *                                          kt_lock_release(lock);
 *     await event.wait()                   kt_event_wait(event)
 *     await cond.wait_for(pred)            kt_condition_wait_for(cond, pred, arg)
 *     i = await barrier.wait()             int i = kt_barrier_wait(barrier);
 *
 * Rules shared by every primitive (book §7.3):
 *   - Ownership: kt_X_new gives you the object; kt_X_free frees it. Freeing
 *     one that a task is still waiting in (or has been woken in and has not
 *     yet resumed) is refused with KT_EINVALSTATE and changes nothing: let the
 *     waiters finish (or cancel them and run the loop), then free it again.
 *     kt_X_free(NULL) is KT_EINVAL.
 *   - NULL objects are KT_EINVAL, for every function that returns an int;
 *     the bool and size queries answer false / 0 for NULL.
 *   - A function that may wait ("blocking": acquire, wait, ...) must be called
 *     from a task's coroutine: KT_ENOTCORO otherwise, even when it would not
 *     have had to wait, so a program's behaviour never depends on timing.
 *     From a task of another loop: KT_EWRONGLOOP (asyncio: RuntimeError
 *     "... is bound to a different event loop").
 *   - The other functions (release, set, notify, ...) work from plain code
 *     and callbacks too; called from a task of another loop they return
 *     KT_EWRONGLOOP and change nothing.
 *   - A blocking call that is cancelled returns KT_ECANCELLED; the sections
 *     below say in what state it leaves the primitive.
 *   - Waiters are served first in, first out, and there is no barging: a
 *     waiter that has been woken cannot be overtaken by a newcomer.
 *
 * Who writes what: every function here is [lab 07] unless marked [given], in
 * labs/07-sync/{lock,event,condition,semaphore,barrier}.c; the structs and
 * the waiter FIFO they share are in kettle/sync_impl.h.
 */
/* [/book:rules] */
#ifndef KETTLE_SYNC_H
#define KETTLE_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "kettle/loop.h"

typedef struct kt_lock kt_lock;
typedef struct kt_event kt_event;
typedef struct kt_condition kt_condition;
typedef struct kt_semaphore kt_semaphore;
typedef struct kt_barrier kt_barrier;

/* [book:lock] */
/* ---------------------------------------------------------------- Lock (book §7.4) */

/* A new unlocked lock of `loop`. Returns 0, KT_EINVAL (NULL loop or out)
 * or KT_ENOMEM. Twin: asyncio.Lock(). [lab 07] */
int kt_lock_new(kt_loop *loop, kt_lock **out);

/* Free the lock (a held lock may be freed; one with waiters may not:
 * KT_EINVALSTATE). Twin: `del lock`. [lab 07] */
int kt_lock_free(kt_lock *lock);

/* Take the lock. A free lock nobody waits for is taken at once, without
 * yielding to the loop. Otherwise the task waits in FIFO order until a
 * release hands the lock to it. Returns 0 (the lock is now held),
 * KT_ECANCELLED (not held; if the lock had been handed to this task just
 * before the cancel, it is handed on to the next waiter), KT_ENOTCORO,
 * KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM.
 * Twin: await lock.acquire() / async with lock. [lab 07] */
int kt_lock_acquire(kt_lock *lock);

/* Release the lock and wake the first waiter, which takes it when it runs.
 * The lock has no owner: any task or callback may release it. Returns 0,
 * KT_ENOTLOCKED if the lock is not held (asyncio: RuntimeError "Lock is
 * not acquired."), KT_EWRONGLOOP or KT_EINVAL.
 * Twin: lock.release(). [lab 07] */
int kt_lock_release(kt_lock *lock);

/* Whether the lock is held (false for NULL). Twin: lock.locked(). [lab 07] */
bool kt_lock_locked(const kt_lock *lock);
/* [/book:lock] */

/* [book:event] */
/* ---------------------------------------------------------------- Event (book §7.5) */

/* A new event of `loop`, not set. Returns 0, KT_EINVAL or KT_ENOMEM.
 * Twin: asyncio.Event(). [lab 07] */
int kt_event_new(kt_loop *loop, kt_event **out);

/* Free the event (KT_EINVALSTATE while a task waits in it).
 * Twin: `del event`. [lab 07] */
int kt_event_free(kt_event *event);

/* Wait until the event is set. A set event returns 0 at once without
 * yielding. A waiter woken by set returns 0 even if the event was cleared
 * again before it ran. Returns 0, KT_ECANCELLED, KT_ENOTCORO,
 * KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM.
 * Twin: await event.wait() (which returns True). [lab 07] */
int kt_event_wait(kt_event *event);

/* Set the event and wake every waiter (they resume in the order they
 * started waiting). Setting a set event does nothing. Returns 0,
 * KT_EWRONGLOOP or KT_EINVAL. Twin: event.set(). [lab 07] */
int kt_event_set(kt_event *event);

/* Clear the event: later waits wait again. Returns 0, KT_EWRONGLOOP or
 * KT_EINVAL. Twin: event.clear(). [lab 07] */
int kt_event_clear(kt_event *event);

/* Whether the event is set (false for NULL). Twin: event.is_set(). [lab 07] */
bool kt_event_is_set(const kt_event *event);
/* [/book:event] */

/* [book:condition] */
/* ---------------------------------------------------------------- Condition (book §7.6) */

/* A predicate for kt_condition_wait_for: true when the wait is over. */
typedef bool (*kt_predicate_fn)(void *arg);

/* A new condition of `loop` over `lock`, or over a lock of its own when
 * `lock` is NULL. A given lock is borrowed (it must outlive the condition,
 * and several conditions may share it); an own lock is freed with the
 * condition. Returns 0, KT_EINVAL, KT_EWRONGLOOP (a lock of another loop)
 * or KT_ENOMEM. Twin: asyncio.Condition(lock=None). [lab 07] */
int kt_condition_new(kt_loop *loop, kt_lock *lock, kt_condition **out);

/* Free the condition (KT_EINVALSTATE while a task waits in it).
 * Twin: `del cond`. [lab 07] */
int kt_condition_free(kt_condition *cond);

/* The condition's lock (NULL for NULL): take and release it with
 * kt_lock_acquire / kt_lock_release. No reference changes hands.
 * Twin: cond.acquire, cond.release, cond.locked, `async with cond`. [given] */
kt_lock *kt_condition_lock(kt_condition *cond);

/* With the lock held: release it, wait to be notified, take the lock again
 * and return 0. Returns KT_ENOTLOCKED at once if the lock is not held
 * (asyncio: RuntimeError "cannot wait on un-acquired lock"). Cancelled
 * while waiting (or while taking the lock back), it still takes the lock
 * back before it returns KT_ECANCELLED, so the caller always holds the lock
 * afterwards, whatever the outcome. Also KT_ENOTCORO, KT_EWRONGLOOP,
 * KT_EINVAL, KT_ENOMEM. Twin: await cond.wait(). [lab 07] */
int kt_condition_wait(kt_condition *cond);

/* With the lock held: wait (as kt_condition_wait) until pred(arg) is true.
 * pred is checked first, and again after every wake-up, always with the
 * lock held; a true predicate returns 0 without waiting. Returns 0 or the
 * first error of kt_condition_wait (KT_EINVAL for a NULL pred).
 * Twin: await cond.wait_for(predicate). [lab 07] */
int kt_condition_wait_for(kt_condition *cond, kt_predicate_fn pred, void *arg);

/* With the lock held: wake up to n waiters, first come first served,
 * skipping waiters that were already woken and have not run yet. Returns
 * how many were woken, KT_ENOTLOCKED (asyncio: RuntimeError "cannot notify
 * on un-acquired lock"), KT_EWRONGLOOP or KT_EINVAL.
 * Twin: cond.notify(n=1). [lab 07] */
int kt_condition_notify(kt_condition *cond, int n);

/* With the lock held: wake every waiter. Returns like kt_condition_notify.
 * Twin: cond.notify_all(). [lab 07] */
int kt_condition_notify_all(kt_condition *cond);
/* [/book:condition] */

/* [book:semaphore] */
/* ---------------------------------------------------------------- Semaphore (book §7.7) */

/* A new semaphore of `loop` with `value` permits; 0 starts locked. A
 * negative value is KT_EINVAL (asyncio: ValueError "Semaphore initial
 * value must be >= 0"). Returns 0, KT_EINVAL or KT_ENOMEM.
 * Twin: asyncio.Semaphore(value=1). [lab 07] */
int kt_semaphore_new(kt_loop *loop, int value, kt_semaphore **out);

/* The same, bounded: releasing it above its initial value is refused.
 * Twin: asyncio.BoundedSemaphore(value=1). [lab 07] */
int kt_bounded_semaphore_new(kt_loop *loop, int value, kt_semaphore **out);

/* Free the semaphore (KT_EINVALSTATE while a task waits in it).
 * Twin: `del sem`. [lab 07] */
int kt_semaphore_free(kt_semaphore *sem);

/* Take a permit: at once, without yielding, if one is free and nobody
 * waits; otherwise wait in FIFO order until a release hands one to this
 * task. Returns 0, KT_ECANCELLED (no permit taken; a permit already handed
 * to this task is handed on to the next waiter), KT_ENOTCORO,
 * KT_EWRONGLOOP, KT_EINVAL or KT_ENOMEM.
 * Twin: await sem.acquire() / async with sem. [lab 07] */
int kt_semaphore_acquire(kt_semaphore *sem);

/* Give a permit back and hand it to the first waiter, if any. A plain
 * semaphore may be released more often than acquired (its count grows); a
 * bounded one refuses to go above its initial value with KT_EOVERRELEASE
 * (asyncio: ValueError "BoundedSemaphore released too many times"), and
 * so does a plain one at INT_MAX. Returns 0, KT_EOVERRELEASE,
 * KT_EWRONGLOOP or KT_EINVAL. Twin: sem.release(). [lab 07] */
int kt_semaphore_release(kt_semaphore *sem);

/* Whether an acquire would wait now: no free permit, or a waiter not yet
 * served (false for NULL). Twin: sem.locked(). [lab 07] */
bool kt_semaphore_locked(const kt_semaphore *sem);

/* The number of free permits (0 for NULL). Twin: sem._value. [lab 07] */
int kt_semaphore_value(const kt_semaphore *sem);
/* [/book:semaphore] */

/* [book:barrier] */
/* ---------------------------------------------------------------- Barrier (book §7.8) */

/* A new barrier of `loop` for `parties` tasks (at least 1: KT_EINVAL
 * otherwise). Returns 0, KT_EINVAL or KT_ENOMEM.
 * Twin: asyncio.Barrier(parties) (Python 3.11). [lab 07] */
int kt_barrier_new(kt_loop *loop, unsigned parties, kt_barrier **out);

/* Free the barrier (KT_EINVALSTATE while a task is inside a wait, reset or
 * abort). Twin: `del barrier`. [lab 07] */
int kt_barrier_free(kt_barrier *barrier);

/* Wait until `parties` tasks wait; then all of them go on. Returns the
 * arrival index of this task in its round (0 .. parties-1; the last to
 * arrive releases the others), or KT_EBROKENBARRIER when the barrier is
 * broken (aborted) or is reset while this task waits, or KT_ECANCELLED (a
 * cancelled waiter simply leaves: the barrier is not broken, unlike
 * threading.Barrier), KT_ENOTCORO, KT_EWRONGLOOP, KT_EINVAL, KT_ENOMEM.
 * A task that comes back for the next round while the previous one is
 * still draining waits until the last released party has left.
 * Twin: await barrier.wait(). [lab 07] */
int kt_barrier_wait(kt_barrier *barrier);

/* Break the barrier for good: current and later waits return
 * KT_EBROKENBARRIER until kt_barrier_reset. Blocking (it takes the
 * barrier's lock, as asyncio's does). Returns 0 or an error as for
 * kt_barrier_wait. Twin: await barrier.abort(). [lab 07] */
int kt_barrier_abort(kt_barrier *barrier);

/* Return the barrier to its empty state: the tasks waiting in it now get
 * KT_EBROKENBARRIER, later waits work again. Blocking, like abort.
 * Twin: await barrier.reset(). [lab 07] */
int kt_barrier_reset(kt_barrier *barrier);

/* The number of parties (0 for NULL). Twin: barrier.parties. [lab 07] */
unsigned kt_barrier_parties(const kt_barrier *barrier);

/* How many tasks wait in the round being filled (0 for NULL, and 0 while
 * the barrier drains or is broken). Twin: barrier.n_waiting. [lab 07] */
unsigned kt_barrier_n_waiting(const kt_barrier *barrier);

/* Whether the barrier is broken (false for NULL). Twin: barrier.broken. [lab 07] */
bool kt_barrier_broken(const kt_barrier *barrier);
/* [/book:barrier] */

#endif
