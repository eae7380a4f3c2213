/* cfuture.c — Lab 08: the concurrent future.
 *
 * A loop future (Lab 04) is touched by one thread and hands its callbacks
 * to the loop. A concurrent future is shared by threads: a mutex guards its
 * state, a condition variable lets any thread block until it is done, and
 * its done callbacks run in whichever thread completes it. CPython's twin
 * is class Future in Lib/concurrent/futures/_base.py (book §8.3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "kettle/errors.h"
#include "kettle/freelist.h"
#include "kettle/executor.h"
#include "kettle/trace_impl.h"

typedef enum { CF_PENDING, CF_RUNNING, CF_CANCELLED, CF_FINISHED } cf_state;

typedef struct cf_callback {
    struct cf_callback *next;
    kt_cfuture_done_fn fn;
    void *arg;
} cf_callback;

/* [book:cfuture_struct] */
struct kt_cfuture {
    atomic_size_t refs;
    pthread_mutex_t lock;  /* guards everything below */
    pthread_cond_t done;   /* broadcast when the state becomes final */
    cf_state state;
    void *value;
    int error;
    void (*free_value)(void *);
    cf_callback *callbacks, **tail;
    cf_callback first;          /* the first registration lives here ... */
    atomic_bool first_taken;    /* ... while this is set (callback_new) */
    const void *trace_fn;  /* tracing only: the job's function, named on the timeline */
};
/* [/book:cfuture_struct] */

/* ---- given: life cycle -------------------------------------------------- */

int kt_cfuture_new(kt_cfuture **out)
{
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    kt_cfuture *f = kt__obj_alloc(sizeof *f);
    if (f == NULL)
        return KT_ENOMEM;
    atomic_init(&f->refs, 1);
    atomic_init(&f->first_taken, false);
    pthread_mutex_init(&f->lock, NULL);
    /* Timeouts are measured on the monotonic clock: setting the wall clock
     * must not stretch or cut a result(timeout). */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->done, &attr);
    pthread_condattr_destroy(&attr);
    f->state = CF_PENDING;
    if (KT__TRACING())
        f->trace_fn = kt__trace_job_claim(); /* a thread pool's submit named it */
    f->tail = &f->callbacks;
    *out = f;
    return 0;
}

kt_cfuture *kt_cfuture_ref(kt_cfuture *f)
{
    if (f != NULL)
        atomic_fetch_add(&f->refs, 1);
    return f;
}

void kt_cfuture_release(kt_cfuture *f)
{
    if (f == NULL || atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    for (cf_callback *c = f->callbacks, *next; c != NULL; c = next) {
        next = c->next;
        if (c != &f->first)
            kt__obj_free(c, sizeof *c);
    }
    if (f->free_value != NULL)
        f->free_value(f->value);
    pthread_cond_destroy(&f->done);
    pthread_mutex_destroy(&f->lock);
    kt__obj_free(f, sizeof *f);
}

/* ---- given: done callback registrations ------------------------------- */

/* Nearly every future gets exactly one done callback (the bridge's chain):
 * that one lives in the future itself and costs no allocation; a second is
 * allocated (lib's free list). Any thread may call these. */
static cf_callback *callback_new(kt_cfuture *f)
{
    if (!atomic_exchange(&f->first_taken, true))
        return &f->first;
    return kt__obj_alloc(sizeof(cf_callback));
}

static void callback_free(kt_cfuture *f, cf_callback *c)
{
    if (c == &f->first)
        atomic_store(&f->first_taken, false);
    else
        kt__obj_free(c, sizeof *c);
}

static cf_state state_of(kt_cfuture *f)
{
    pthread_mutex_lock(&f->lock);
    cf_state s = f->state;
    pthread_mutex_unlock(&f->lock);
    return s;
}

bool kt_cfuture_done(kt_cfuture *f)
{
    if (f == NULL)
        return false;
    cf_state s = state_of(f);
    return s == CF_CANCELLED || s == CF_FINISHED;
}

bool kt_cfuture_cancelled(kt_cfuture *f)
{
    return f != NULL && state_of(f) == CF_CANCELLED;
}

bool kt_cfuture_running(kt_cfuture *f)
{
    return f != NULL && state_of(f) == CF_RUNNING;
}

/* ---- completing --------------------------------------------------------- */

/* [book:complete] */
/* Called with f->lock held and f->state just made final: wake the waiters,
 * then run the callbacks in this thread with the lock released (a callback
 * may call kt_cfuture_result on f, or release it). */
static void finish_locked(kt_cfuture *f)
{
    /* TODO(lab 08): broadcast f->done, detach the callback list, unlock,
     * then call each fn(f, arg) in registration order and give it back
     * (callback_free). Hold a
     * reference around the calls: a callback may drop the last one.
     */
    pthread_mutex_unlock(&f->lock);
}
/* [/book:complete] */

static int complete(kt_cfuture *f, void *value, void (*free_fn)(void *), int error)
{
    if (f == NULL)
        return KT_EINVAL;
    pthread_mutex_lock(&f->lock);
    /* TODO(lab 08): a future completes once: KT_EINVALSTATE (unlock!) when
     * it is cancelled or finished. Otherwise store value, free_fn and
     * error, become FINISHED and finish_locked (which unlocks).
     */
    (void)value; (void)free_fn; (void)error; (void)finish_locked;
    pthread_mutex_unlock(&f->lock);
    return KT_ENOTIMPL;
}

/* Tracing: the worker that ran the job ends its slice as it completes the
 * future (trace_impl.h). */
int kt_cfuture_set_result(kt_cfuture *f, void *value)
{
    if (KT__TRACING())
        kt__trace_job_end(f);
    return complete(f, value, NULL, 0);
}

int kt_cfuture_set_result_owned(kt_cfuture *f, void *value, void (*free_fn)(void *))
{
    if (KT__TRACING())
        kt__trace_job_end(f);
    return complete(f, value, free_fn, 0);
}

int kt_cfuture_set_error(kt_cfuture *f, int error)
{
    if (error >= 0)
        return KT_EINVAL;
    if (KT__TRACING())
        kt__trace_job_end(f);
    return complete(f, NULL, NULL, error);
}

/* [book:cancel] */
int kt_cfuture_cancel(kt_cfuture *f)
{
    if (f == NULL)
        return KT_EINVAL;
    pthread_mutex_lock(&f->lock);
    /* TODO(lab 08): running or finished: unlock, 0 (it cannot be taken
     * back). Already cancelled: unlock, 1. Pending: become CANCELLED,
     * finish_locked, 1. Twin: concurrent.futures.Future.cancel.
     */
    pthread_mutex_unlock(&f->lock);
    return KT_ENOTIMPL;
}

int kt_cfuture_set_running_or_notify_cancel(kt_cfuture *f)
{
    if (f == NULL)
        return KT_EINVAL;
    pthread_mutex_lock(&f->lock);
    /* Tracing: a pending future is about to run on this thread; its job's
     * slice begins here and ends when this thread completes it. */
    if (KT__TRACING() && f->trace_fn != NULL && f->state == CF_PENDING)
        kt__trace_job_begin(f, f->trace_fn);
    /* TODO(lab 08): pending -> running, 1. Cancelled: 0 (the work must
     * not run). Running or finished: KT_EINVALSTATE. Unlock either way.
     */
    pthread_mutex_unlock(&f->lock);
    return KT_ENOTIMPL;
}
/* [/book:cancel] */

/* ---- waiting ------------------------------------------------------------ */

/* The absolute monotonic time `timeout` seconds from now. */
static struct timespec deadline_after(double timeout)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double whole = floor(timeout);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((timeout - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* [book:result] */
int kt_cfuture_result(kt_cfuture *f, double timeout, void **value_out)
{
    if (f == NULL || isnan(timeout))
        return KT_EINVAL;
    /* TODO(lab 08): under the lock, wait on f->done while the state is
     * pending or running: forever for a negative timeout, else with
     * pthread_cond_timedwait up to deadline_after(timeout) (the condition
     * uses CLOCK_MONOTONIC); still not done at the deadline: KT_ETIMEDOUT
     * and nothing else changes (case 153). Then: cancelled -> KT_ECANCELLED,
     * an error -> it, else *value_out = value and 0.
     */
    (void)value_out; (void)deadline_after;
    return KT_ENOTIMPL;
}
/* [/book:result] */

int kt_cfuture_add_done_callback(kt_cfuture *f, kt_cfuture_done_fn fn, void *arg)
{
    if (f == NULL || fn == NULL)
        return KT_EINVAL;
    /* TODO(lab 08): get a registration (callback_new; NULL: KT_ENOMEM);
     * under the lock, append it while the future is pending or running; if
     * it is already done, unlock, call fn(f, arg) right here and give it
     * back (callback_free).
     */
    (void)arg; (void)callback_new; (void)callback_free;
    return KT_ENOTIMPL;
}
