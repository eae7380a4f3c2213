/* comb_test.h — helpers shared by the Lab 06 tests (each test_*.c is its
 * own binary and includes this once).
 *
 * Every test runs a main coroutine on a loop with the virtual clock, so
 * "three seconds" of downloads take microseconds and the times in the logs
 * are exact. A child is a `job`: it sleeps, logs "name:done@t" (or
 * "name:cancelled@t") and returns its name, or its error. The logs are the
 * ones of the Python scenarios next to each test (the .py files in asyncio/ and the
 * shared cases), in Kettle's words. */
#ifndef KETTLE_COMB_TEST_H
#define KETTLE_COMB_TEST_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/future_impl.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

/* User error codes, standing for Python exceptions. */
#define E_VALUE (KT_EUSER - 1) /* ValueError */
#define E_KEY (KT_EUSER - 2)   /* KeyError */
#define E_ZERO (KT_EUSER - 3)  /* ZeroDivisionError */

static inline const char *code_name(int rc)
{
    switch (rc) {
    case 0: return "OK";
    case KT_ECANCELLED: return "CANCELLED";
    case KT_ETIMEDOUT: return "TIMEDOUT";
    case KT_EGROUP: return "EGROUP";
    case KT_ESTOP: return "ESTOP";
    case KT_ENOTCORO: return "ENOTCORO";
    case KT_EINVAL: return "EINVAL";
    case KT_EINVALSTATE: return "EINVALSTATE";
    case KT_EWRONGLOOP: return "EWRONGLOOP";
    case KT_ENOTIMPL: return "ENOTIMPL";
    case E_VALUE: return "E_VALUE";
    case E_KEY: return "E_KEY";
    case E_ZERO: return "E_ZERO";
    default: return "other";
    }
}

static kt_log HANDLER; /* what reached the loop's exception handler */

static inline void log_handler(kt_loop *loop, const kt_error_context *ctx, void *arg)
{
    (void)loop;
    (void)arg;
    kt_log_add(&HANDLER, "[%s|%s]", ctx->message ? ctx->message : "?", code_name(ctx->error));
}

static inline kt_loop *new_loop(void)
{
    kt_log_init(&HANDLER);
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_loop_set_exception_handler(loop, log_handler, NULL);
    return loop;
}

/* Everything the combinators made must be gone: a leaked reference keeps a
 * future alive and the loop from closing. */
#define close_loop(loop)                                                                          \
    do {                                                                                          \
        KT_CHECK_INT(kt_all_tasks((loop), NULL, 0), 0,                                            \
                     "every task must be done when the test ends (book §6.2)");                   \
        KT_CHECK_INT((loop)->live_futures, 0,                                                     \
                     "the combinator leaked a reference: futures of the loop are still alive "  \
                     "after everything was done and released (book §6.2)");                      \
        KT_CHECK_OK(kt_loop_close(loop), "the loop must close once everything is released (book §6.2)"); \
    } while (0)

/* Run iterations until the loop has nothing left to do. */
#define run_all(loop)                                                                          \
    do {                                                                                       \
        int done_ = 0;                                                                         \
        for (int i_ = 0; i_ < 100000 && !done_; i_++) {                                        \
            int rc_ = kt_loop_run_once(loop);                                                  \
            if (rc_ == KT_EDEADLOCK)                                                           \
                done_ = 1;                                                                     \
            else                                                                               \
                KT_CHECK_OK(rc_, "kt_loop_run_once failed while tasks were running");          \
        }                                                                                      \
        KT_CHECK(done_, "the loop never ran out of work: something keeps rescheduling itself"); \
    } while (0)

static inline kt_task *spawn(kt_loop *loop, kt_coro_fn fn, void *arg)
{
    kt_task *t = NULL;
    KT_CHECK_OK(kt_create_task(loop, fn, arg, &t), "kt_create_task (Lab 05) must work");
    return t;
}

/* Run main_fn(arg) as a task until everything is done; its outcome must
 * be 0 (the checks are inside it), then the loop must close clean. */
#define run_main(main_fn, arg)                                                        \
    do {                                                                              \
        kt_loop *loop_ = new_loop();                                                  \
        kt_task *main_ = spawn(loop_, (main_fn), (arg));                              \
        run_all(loop_);                                                               \
        KT_CHECK(kt_future_done(kt_task_future(main_)),                               \
                 "the test's main coroutine never finished: a combinator waits forever " \
                 "(book §6.2)");                                                      \
        int rc_main_ = kt_future_result(kt_task_future(main_), NULL);                 \
        KT_CHECK_STR(code_name(rc_main_), "OK", "the test's main coroutine must end with 0"); \
        kt_task_release(main_);                                                       \
        close_loop(loop_);                                                            \
    } while (0)

/* The loop time, from inside a coroutine. */
static inline double now(void)
{
    return kt_loop_time(kt_get_running_loop());
}

/* What a job does when it is cancelled while sleeping. */
enum on_cancel {
    PROPAGATE,      /* return KT_ECANCELLED: the usual `raise` */
    SWALLOW,        /* return "swallowed": catch it and finish */
    SLOW_CLEANUP,   /* sleep 1 more second, then return KT_ECANCELLED */
    FAIL_CLEANUP,   /* return the job's error instead (a `finally: raise`) */
};

typedef struct job {
    const char *name;
    double delay;
    int error;       /* returned after the sleep instead of the name (0: none) */
    enum on_cancel on_cancel;
} job;

static inline int job_fn(void *arg, void **result)
{
    job *j = arg;
    int rc = kt_sleep(j->delay);
    if (rc == KT_ECANCELLED) {
        kt_log_add(&LOG, "%s:cancelled@%g", j->name, now());
        switch (j->on_cancel) {
        case SWALLOW:
            *result = (void *)"swallowed";
            return 0;
        case SLOW_CLEANUP:
            kt_sleep(1);
            kt_log_add(&LOG, "%s:cleaned@%g", j->name, now());
            return KT_ECANCELLED;
        case FAIL_CLEANUP:
            return j->error;
        case PROPAGATE:
            return KT_ECANCELLED;
        }
    }
    if (rc < 0)
        return rc;
    kt_log_add(&LOG, "%s:done@%g", j->name, now());
    if (j->error != 0)
        return j->error;
    *result = (void *)j->name;
    return 0;
}

/* Start a job as a task of the running loop (a reference for the caller). */
static inline kt_task *start(job *j)
{
    return spawn(kt_get_running_loop(), job_fn, j);
}

#define FUT(t) kt_task_future(t)

#endif
