/* task_test.h — helpers shared by the Lab 05 tests (each test_*.c is its
 * own binary and includes this once).
 *
 * Every loop uses the virtual clock: a task that sleeps ten seconds takes
 * microseconds, and the times in the logs are exact. The loop is run with
 * Lab 01's kt_loop_run_once, so that a test of tasks does not depend on
 * your kt_run_until_complete or kt_run unless it is about them. */
#ifndef KETTLE_TASK_TEST_H
#define KETTLE_TASK_TEST_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/future_impl.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

/* A user error code, standing for a Python exception such as ValueError. */
#define E_VALUE (KT_EUSER - 1)

/* Short names for the codes the logs show. */
static inline const char *code_name(int rc)
{
    switch (rc) {
    case 0: return "OK";
    case KT_ECANCELLED: return "CANCELLED";
    case KT_ENOTCORO: return "ENOTCORO";
    case KT_EBADYIELD: return "EBADYIELD";
    case KT_EGENERATOREXIT: return "GENERATOREXIT";
    case KT_EINVAL: return "EINVAL";
    case KT_EINVALSTATE: return "EINVALSTATE";
    case KT_EDEADLOCK: return "EDEADLOCK";
    case KT_ERUNNING: return "ERUNNING";
    case KT_ENOTIMPL: return "ENOTIMPL";
    case E_VALUE: return "E_VALUE";
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

/* The helpers below report a failure at the line of the test that called
 * them (the macros pass __FILE__ and __LINE__), not at a line of this file. */

static inline void close_loop_at(const char *file, int line, kt_loop *loop)
{
    kt__check_int(file, line, (long long)kt_all_tasks(loop, NULL, 0), 0, "kt_all_tasks(loop, NULL, 0)",
                  "a task that has finished must leave the loop's list of tasks (kt__task_detach) (book §5.3)");
    kt__check_int(file, line, (long long)loop->live_futures, 0, "loop->live_futures",
                  "every task and future must be freed once done and released: the loop still counts "
                  "live futures (a reference leaked) (book §5.3)");
    kt__check_ok(file, line, kt_loop_close(loop), "kt_loop_close(loop)",
                 "the loop must close once every task is done and released (book §5.3)");
}
#define close_loop(loop) close_loop_at(__FILE__, __LINE__, (loop))

static inline kt_task *spawn_at(const char *file, int line, kt_loop *loop, kt_coro_fn fn, void *arg)
{
    kt_task *t = NULL;
    kt__check_ok(file, line, kt_create_task(loop, fn, arg, &t), "kt_create_task(loop, fn, arg, &t)",
                 "kt_create_task with a valid loop and coroutine must succeed (book §5.3)");
    if (t == NULL)
        kt__fail(file, line, "kt_create_task must hand back the task in *out (book §5.3)");
    return t;
}
#define spawn(loop, fn, arg) spawn_at(__FILE__, __LINE__, (loop), (fn), (arg))

/* Run iterations until the loop has nothing left to do (KT_EDEADLOCK). */
static inline void run_all_at(const char *file, int line, kt_loop *loop)
{
    for (int i = 0; i < 1000000; i++) {
        int rc = kt_loop_run_once(loop);
        if (rc == KT_EDEADLOCK)
            return;
        kt__check_ok(file, line, rc, "kt_loop_run_once(loop)",
                     "kt_loop_run_once failed while tasks were running (Lab 01, book §1.3)");
    }
    kt__fail(file, line, "the loop never ran out of work: a task keeps rescheduling itself (book §5.2)");
}
#define run_all(loop) run_all_at(__FILE__, __LINE__, (loop))

static inline void run_iterations_at(const char *file, int line, kt_loop *loop, int n)
{
    for (int i = 0; i < n; i++)
        kt__check_ok(file, line, kt_loop_run_once(loop), "kt_loop_run_once(loop)",
                     "kt_loop_run_once failed while tasks were running (Lab 01, book §1.3)");
}
#define run_iterations(loop, n) run_iterations_at(__FILE__, __LINE__, (loop), (n))

/* The task's outcome, as kt_future_result gives it. */
static inline int outcome_at(const char *file, int line, kt_task *t, void **value)
{
    if (!kt_future_done(kt_task_future(t)))
        kt__fail(file, line, "the task should be done by now: a task finishes when its coroutine returns (book §5.2)");
    return kt_future_result(kt_task_future(t), value);
}
#define outcome(t, value) outcome_at(__FILE__, __LINE__, (t), (value))

#endif
