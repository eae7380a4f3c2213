/* sync_test.h — helpers shared by the Lab 07 tests (each test_*.c is its
 * own binary and includes this once).
 *
 * Every loop uses the virtual clock and is run with Lab 01's
 * kt_loop_run_once until it has nothing left to do, so a test depends on
 * Labs 01-05 (given to you as solutions) and on your Lab 07 only. Most
 * tests replay a CPython scenario (a tests/07-sync/scenarios file or a shared
 * case) and compare the whole log with what CPython printed. */
#ifndef KETTLE_SYNC_TEST_H
#define KETTLE_SYNC_TEST_H

#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/loop_impl.h"
#include "kettle/sync_impl.h"
#include "loop_fixtures.h"

/* Short names for the codes the logs show. */
static inline const char *code_name(int rc)
{
    switch (rc) {
    case 0: return "OK";
    case KT_ECANCELLED: return "CANCELLED";
    case KT_ENOTCORO: return "ENOTCORO";
    case KT_EINVAL: return "EINVAL";
    case KT_EINVALSTATE: return "EINVALSTATE";
    case KT_ENOTLOCKED: return "ENOTLOCKED";
    case KT_EOVERRELEASE: return "EOVERRELEASE";
    case KT_EBROKENBARRIER: return "BROKEN";
    case KT_EQUEUEEMPTY: return "QUEUEEMPTY";
    case KT_EQUEUEFULL: return "QUEUEFULL";
    case KT_EWRONGLOOP: return "EWRONGLOOP";
    case KT_ENOTIMPL: return "ENOTIMPL";
    default: return rc > 0 ? "positive" : "other";
    }
}

static kt_log HANDLER; /* what reached the loop's exception handler */

static inline void log_handler(kt_loop *loop, const kt_error_context *ctx, void *arg)
{
    (void)loop;
    (void)arg;
    kt_log_add(&HANDLER, "[%s]", ctx->message ? ctx->message : "?");
}

static inline kt_loop *new_loop(void)
{
    kt_log_init(&HANDLER);
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_loop_set_exception_handler(loop, log_handler, NULL);
    return loop;
}

/* Every task done, every waiter's future released, nothing reported. */
#define CLOSE_LOOP(loop)                                                                              \
    do {                                                                                              \
        KT_CHECK_INT(kt_all_tasks((loop), NULL, 0), 0,                                                \
                     "a task is still parked in a primitive when the test ended: a wake-up was lost " \
                     "(book §7.3)");                                                                  \
        KT_CHECK_INT((loop)->live_futures, 0,                                                         \
                     "a waiter's future was never released: park must kt_future_release the future "  \
                     "it made, whatever kt_await returned (book §7.3)");                              \
        KT_CHECK_STR(HANDLER.buf, "", "nothing may reach the exception handler (book §7.3)");         \
        KT_CHECK_OK(kt_loop_close(loop), "the loop must close at the end (book §7.3)");               \
    } while (0)

#define SPAWN(loop, fn, arg, out)                                                                     \
    KT_CHECK_OK(kt_create_task((loop), (fn), (arg), (out)), "kt_create_task must work (Lab 05)")

/* Run iterations until the loop has nothing left to do (KT_EDEADLOCK). */
#define RUN_ALL(loop)                                                                                 \
    do {                                                                                              \
        int run_rc_ = 0, run_i_ = 0;                                                                  \
        for (; run_i_ < 100000; run_i_++) {                                                           \
            run_rc_ = kt_loop_run_once(loop);                                                         \
            if (run_rc_ == KT_EDEADLOCK)                                                              \
                break;                                                                                \
            KT_CHECK_OK(run_rc_, "kt_loop_run_once failed while tasks were running");                 \
        }                                                                                             \
        KT_CHECK(run_i_ < 100000, "the loop never ran out of work: a waiter keeps waking itself "     \
                                  "(book §7.3)");                                                     \
    } while (0)

#define RUN_ONCE(loop) KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once failed (Lab 01)")

#endif
