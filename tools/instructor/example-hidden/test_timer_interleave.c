/* test_timer_interleave.c — an example of an instructor's hidden test (Lab 01).
 *
 * Hidden tests are ordinary test files: put them in tests/NN-topic/hidden/
 * (graded with the lab, never in a handout) or in any folder named on the
 * command line, `make test LAB=01 HIDDEN=folder`. Their results are marked
 * hidden in results.json. This one checks a rule of §1.4 from a side the
 * public tests do not: timers and ready callbacks interleave by iteration,
 * even when a timer schedules more timers and callbacks as it runs.
 * `make check` grades it on the solution (passes) and the starter (fails). */
#include "ktest.h"
#include "kettle/kettle.h"
#include "loop_fixtures.h"

static void chain(kt_loop *loop, void *word)
{
    kt_log_add(&LOG, "%s@%g", (const char *)word, kt_loop_time(loop));
    if (((const char *)word)[0] == 't') {
        KT_CHECK_OK(kt_call_soon(loop, say_time, "soon", NULL), "kt_call_soon must succeed (book §1.2)");
        KT_CHECK_OK(kt_call_later(loop, 0, say_time, "zero", NULL), "kt_call_later must succeed (book §1.4)");
    }
}

static void timers_and_callbacks_interleave_by_iteration(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    KT_CHECK_OK(kt_call_later(loop, 2, chain, "t2", NULL), "kt_call_later must succeed (book §1.4)");
    KT_CHECK_OK(kt_call_later(loop, 1, chain, "t1", NULL), "kt_call_later must succeed (book §1.4)");
    KT_CHECK_OK(kt_call_soon(loop, chain, "s", NULL), "kt_call_soon must succeed (book §1.2)");
    for (int i = 0; i < 8 && kt_loop_run_once(loop) == 0; i++)
        ;
    KT_CHECK_STR(LOG.buf, "s@0 t1@1 soon@1 zero@1 t2@2 soon@2 zero@2",
                 "a timer's own call_soon runs next iteration, before its zero-delay timer (book §1.4)");
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work (book §1.7)");
}

static const kt_test_case tests[] = {
    KT_TEST(timers_and_callbacks_interleave_by_iteration, 2,
            "timers and the callbacks they schedule interleave by iteration (book §1.4)"),
};

KT_MAIN("Lab 01 — hidden", tests)
