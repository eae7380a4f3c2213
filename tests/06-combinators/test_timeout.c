/* test_timeout.c — Lab 06: timeout and timeout_at (book §6.8).
 *
 * Python: shared cases 135-145 and asyncio/timeout_rules.py. */
#include "comb_test.h"

#define ENTER(cm, d) KT_CHECK_OK(kt_timeout_enter((cm), (d)), "kt_timeout_enter inside a task must succeed (book §6.8)")

static kt_task *self(void)
{
    return kt_current_task(kt_get_running_loop());
}

/* ------------------------------------------------------------ fires */

static int main_fires(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    ENTER(&cm, 1);
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "body->%s@%g cancelling=%u", code_name(rc), now(), kt_task_cancelling(self()));
    rc = kt_timeout_exit(cm, rc);
    kt_log_add(&LOG, "block->%s expired=%d cancelling=%u", code_name(rc), kt_timeout_expired(cm),
               kt_task_cancelling(self()));
    kt_timeout_release(cm);
    return 0;
}

static void timeout_turns_its_cancel_into_etimedout(void **state)
{
    (void)state;
    run_main(main_fires, NULL);
    KT_CHECK_STR(LOG.buf, "body->CANCELLED@1 cancelling=1 block->TIMEDOUT expired=1 cancelling=0",
                 "at the deadline the task is cancelled (the body sees KT_ECANCELLED); the block's "
                 "exit takes that request back and returns KT_ETIMEDOUT (book §6.8)");
}

/* ------------------------------------------------------------ case 135 */

static int main_135(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    ENTER(&cm, 10);
    double deadline = kt_timeout_when(cm);
    kt_log_add(&LOG, "when-ahead=%d", deadline == now() + 10);
    kt_sleep(1);
    int rc = kt_timeout_exit(cm, 0);
    kt_log_add(&LOG, "block->%s expired=%d when-kept=%d", code_name(rc), kt_timeout_expired(cm),
               kt_timeout_when(cm) == deadline);
    kt_timeout_release(cm);
    ENTER(&cm, 10);
    rc = kt_timeout_exit(cm, E_KEY);
    kt_log_add(&LOG, "own-error->%s expired=%d", code_name(rc), kt_timeout_expired(cm));
    kt_timeout_release(cm);
    kt_sleep(20); /* the deadlines are gone: nothing is cancelled at 10 or 11 */
    kt_log_add(&LOG, "later-sleep-ok");
    return 0;
}

static void timeout_not_reached_changes_nothing(void **state)
{
    (void)state;
    run_main(main_135, NULL);
    KT_CHECK_STR(LOG.buf, "when-ahead=1 block->OK expired=0 when-kept=1 own-error->E_KEY expired=0 later-sleep-ok",
                 "a block that ends before its deadline: the outcome passes through unchanged, "
                 "expired is false, the deadline is kept, and the timer is cancelled (book §6.8; "
                 "asyncio case 135)");
}

/* ------------------------------------------------------------ case 137 */

static int main_137(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    ENTER(&cm, 1);
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "expiring:%s", code_name(kt_timeout_reschedule(cm, now() + 5)));
    rc = kt_timeout_exit(cm, rc);
    kt_log_add(&LOG, "block->%s", code_name(rc));
    kt_log_add(&LOG, "expired:%s", code_name(kt_timeout_reschedule(cm, now() + 5)));
    kt_log_add(&LOG, "exit-again:%s", code_name(kt_timeout_exit(cm, 0)));
    kt_timeout_release(cm);
    ENTER(&cm, 1);
    kt_timeout_exit(cm, 0);
    kt_log_add(&LOG, "finished:%s", code_name(kt_timeout_reschedule(cm, now() + 5)));
    kt_timeout_release(cm);
    return 0;
}

static void timeout_reschedules_only_while_active(void **state)
{
    (void)state;
    run_main(main_137, NULL);
    KT_CHECK_STR(LOG.buf,
                 "expiring:EINVALSTATE block->TIMEDOUT expired:EINVALSTATE exit-again:EINVALSTATE finished:EINVALSTATE",
                 "reschedule works only while the block is active: once it is expiring, expired or "
                 "finished it is KT_EINVALSTATE, and so is a second exit (book §6.8; asyncio case 137)");
}

/* ------------------------------------------------------------ reschedule */

static int main_resched(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    double t0 = now();
    ENTER(&cm, 1);
    KT_CHECK_OK(kt_timeout_reschedule(cm, now() + 3), "reschedule of an active block (book §6.8)");
    int rc = kt_timeout_exit(cm, kt_sleep(2));
    kt_log_add(&LOG, "later->%s@%g", code_name(rc), now() - t0);
    kt_timeout_release(cm);
    t0 = now();
    ENTER(&cm, 5);
    KT_CHECK_OK(kt_timeout_reschedule(cm, now() + 1), "reschedule of an active block (book §6.8)");
    rc = kt_timeout_exit(cm, kt_sleep(3));
    kt_log_add(&LOG, "earlier->%s@%g", code_name(rc), now() - t0);
    kt_timeout_release(cm);
    t0 = now();
    ENTER(&cm, 5);
    KT_CHECK_OK(kt_timeout_reschedule(cm, INFINITY), "reschedule to INFINITY (book §6.8)");
    rc = kt_timeout_exit(cm, kt_sleep(6));
    kt_log_add(&LOG, "none->%s@%g when-inf=%d", code_name(rc), now() - t0, isinf(kt_timeout_when(cm)));
    kt_timeout_release(cm);
    return 0;
}

static void timeout_reschedule_moves_the_deadline(void **state)
{
    (void)state;
    run_main(main_resched, NULL);
    KT_CHECK_STR(LOG.buf, "later->OK@2 earlier->TIMEDOUT@1 none->OK@6 when-inf=1",
                 "reschedule moves the deadline later, earlier, or away (INFINITY): the old timer "
                 "must not fire (book §6.8; asyncio/timeout_rules.py)");
}

/* ------------------------------------------------------------ nesting: cases 139 and timeout_rules */

static int main_outer_first(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *outer = NULL, *inner = NULL;
    ENTER(&outer, 1);
    ENTER(&inner, 5);
    int rc = kt_timeout_exit(inner, kt_sleep(10));
    kt_log_add(&LOG, "inner->%s inner-expired=%d", code_name(rc), kt_timeout_expired(inner));
    rc = kt_timeout_exit(outer, rc);
    kt_log_add(&LOG, "outer->%s@%g outer-expired=%d", code_name(rc), now(), kt_timeout_expired(outer));
    kt_timeout_release(inner);
    kt_timeout_release(outer);
    return 0;
}

static void timeout_nested_outer_fires_first(void **state)
{
    (void)state;
    run_main(main_outer_first, NULL);
    KT_CHECK_STR(LOG.buf, "inner->CANCELLED inner-expired=0 outer->TIMEDOUT@1 outer-expired=1",
                 "nested blocks where the outer deadline fires first: the inner block lets "
                 "KT_ECANCELLED through unchanged (its deadline did not fire), the outer one "
                 "returns KT_ETIMEDOUT (book §6.8; asyncio case 139)");
}

static int main_inner_first(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *outer = NULL, *inner = NULL;
    ENTER(&outer, 5);
    ENTER(&inner, 1);
    int rc = kt_timeout_exit(inner, kt_sleep(3));
    kt_log_add(&LOG, "inner->%s@%g inner-expired=%d outer-expired=%d", code_name(rc), now(),
               kt_timeout_expired(inner), kt_timeout_expired(outer));
    rc = kt_timeout_exit(outer, kt_sleep(1));
    kt_log_add(&LOG, "outer->%s@%g cancelling=%u", code_name(rc), now(), kt_task_cancelling(self()));
    kt_timeout_release(inner);
    kt_timeout_release(outer);
    return 0;
}

static void timeout_nested_inner_fires_first(void **state)
{
    (void)state;
    run_main(main_inner_first, NULL);
    KT_CHECK_STR(LOG.buf, "inner->TIMEDOUT@1 inner-expired=1 outer-expired=0 outer->OK@2 cancelling=0",
                 "nested blocks where the inner deadline fires first: the inner block returns "
                 "KT_ETIMEDOUT and the outer block goes on undisturbed (book §6.8; asyncio/timeout_rules.py)");
}

/* ------------------------------------------------------------ case 141 */

static int main_141(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    ENTER(&cm, 1);
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "body-swallowed:%s cancelling=%u", code_name(rc), kt_task_cancelling(self()));
    rc = kt_sleep(2);
    kt_log_add(&LOG, "body-went-on:%s@%g", code_name(rc), now());
    rc = kt_timeout_exit(cm, rc);
    kt_log_add(&LOG, "block->%s expired=%d cancelling=%u", code_name(rc), kt_timeout_expired(cm),
               kt_task_cancelling(self()));
    rc = kt_sleep(1);
    kt_log_add(&LOG, "later:%s", code_name(rc));
    kt_timeout_release(cm);
    return 0;
}

static void timeout_body_that_swallows_the_cancel_ends_normally(void **state)
{
    (void)state;
    run_main(main_141, NULL);
    KT_CHECK_STR(LOG.buf,
                 "body-swallowed:CANCELLED cancelling=1 body-went-on:OK@3 block->OK expired=1 cancelling=0 later:OK",
                 "a body that catches the timeout's cancellation ends normally: no KT_ETIMEDOUT, "
                 "expired is still true, and the cancel request is taken back (book §6.8; "
                 "asyncio case 141)");
}

/* ------------------------------------------------------------ case 143 */

static int main_143(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_future *done = NULL;
    kt_future_new(kt_get_running_loop(), &done);
    kt_future_set_result(done, (void *)"ready");
    for (int i = 0; i < 3; i++) {
        kt_timeout *cm = NULL;
        if (i == 0)
            ENTER(&cm, 0);
        else if (i == 1)
            ENTER(&cm, -1);
        else
            KT_CHECK_OK(kt_timeout_enter_at(&cm, now() - 5), "kt_timeout_enter_at in the past must succeed (book §6.8)");
        void *v = NULL;
        int rc = kt_await(done, &v);
        kt_log_add(&LOG, "%d:started:%s", i, rc == 0 ? (char *)v : code_name(rc));
        rc = kt_sleep(0);
        rc = kt_timeout_exit(cm, rc);
        kt_log_add(&LOG, "%d:block->%s expired=%d", i, code_name(rc), kt_timeout_expired(cm));
        kt_timeout_release(cm);
    }
    kt_timeout *cm = NULL;
    ENTER(&cm, 0);
    int rc = kt_timeout_exit(cm, 0);
    kt_log_add(&LOG, "no-suspension->%s expired=%d", code_name(rc), kt_timeout_expired(cm));
    kt_timeout_release(cm);
    kt_future_release(done);
    kt_sleep(1);
    return 0;
}

static void timeout_in_the_past_fires_at_the_first_suspension(void **state)
{
    (void)state;
    run_main(main_143, NULL);
    KT_CHECK_STR(LOG.buf,
                 "0:started:ready 0:block->TIMEDOUT expired=1 1:started:ready 1:block->TIMEDOUT expired=1 "
                 "2:started:ready 2:block->TIMEDOUT expired=1 no-suspension->OK expired=0",
                 "a deadline at or before now is no error on entry: the body runs (awaiting a done "
                 "future does not suspend) until its first real suspension, which is cancelled; a "
                 "body that never suspends ends normally (book §6.8; asyncio case 143)");
}

/* ------------------------------------------------------------ a foreign cancel */

static int body_foreign(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_timeout *cm = NULL;
    ENTER(&cm, 5);
    int rc = kt_timeout_exit(cm, kt_sleep(10));
    kt_log_add(&LOG, "block->%s@%g", code_name(rc), now());
    kt_timeout_release(cm);
    return rc;
}

static int main_foreign(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t = spawn(kt_get_running_loop(), body_foreign, NULL);
    kt_sleep(1);
    kt_task_cancel(t, NULL);
    kt_await_task(t, NULL);
    kt_log_add(&LOG, "task-cancelled=%d", kt_future_cancelled(FUT(t)));
    kt_sleep(10);
    kt_task_release(t);
    return 0;
}

static void timeout_lets_a_foreign_cancel_through(void **state)
{
    (void)state;
    run_main(main_foreign, NULL);
    KT_CHECK_STR(LOG.buf, "block->CANCELLED@1 task-cancelled=1",
                 "a cancel from someone else inside a timeout block stays KT_ECANCELLED: only the "
                 "timeout's own cancellation becomes KT_ETIMEDOUT (book §6.8; asyncio/timeout_rules.py)");
}

/* ------------------------------------------------------------ released without exit */

static int main_abandon(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (int round = 0; round < 2; round++) {
        kt_timeout *cm = NULL;
        ENTER(&cm, 1);
        kt_timeout_release(cm); /* never exited: the deadline goes with it */
        int rc = kt_sleep(2);
        kt_log_add(&LOG, "round%d:%s@%g", round, code_name(rc), now());
    }
    return 0;
}

static void timeout_released_without_exit_drops_its_deadline(void **state)
{
    (void)state;
    run_main(main_abandon, NULL);
    KT_CHECK_STR(LOG.buf, "round0:OK@2 round1:OK@4",
                 "a timeout released without its exit cancels its timer: no cancel arrives at the "
                 "old deadline, and nothing leaks (book §6.8)");
}

/* ------------------------------------------------------------ case 145 and arguments */

static kt_log from_callback;

static void enter_in_callback(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    kt_timeout *cm = (kt_timeout *)&cm;
    kt_log_add(&from_callback, "%s", code_name(kt_timeout_enter(&cm, 1)));
    kt_log_add(&from_callback, "%s", cm == NULL ? "null" : "set");
}

static int main_args(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_call_soon(kt_get_running_loop(), enter_in_callback, NULL, NULL);
    kt_sleep(1);
    kt_timeout *cm = NULL;
    KT_CHECK_ERR(kt_timeout_enter(NULL, 1), KT_EINVAL, "kt_timeout_enter(NULL, ...) is KT_EINVAL (book §6.8)");
    KT_CHECK_ERR(kt_timeout_enter(&cm, NAN), KT_EINVAL, "kt_timeout_enter with a NaN delay is KT_EINVAL (book §6.8)");
    KT_CHECK_ERR(kt_timeout_enter_at(&cm, NAN), KT_EINVAL, "kt_timeout_enter_at(NaN) is KT_EINVAL (book §6.8)");
    KT_CHECK_ERR(kt_timeout_enter_at(NULL, 1), KT_EINVAL, "kt_timeout_enter_at(NULL, ...) is KT_EINVAL (book §6.8)");
    ENTER(&cm, INFINITY);
    KT_CHECK(isinf(kt_timeout_when(cm)), "INFINITY means no deadline (book §6.8)");
    KT_CHECK_ERR(kt_timeout_reschedule(cm, NAN), KT_EINVAL, "reschedule to NaN is KT_EINVAL (book §6.8)");
    KT_CHECK_ERR(kt_timeout_reschedule(NULL, 1), KT_EINVAL, "reschedule(NULL) is KT_EINVAL (book §6.8)");
    KT_CHECK_ERR(kt_timeout_exit(NULL, 0), KT_EINVAL, "kt_timeout_exit(NULL) is KT_EINVAL (book §6.8)");
    KT_CHECK_OK(kt_timeout_exit(cm, 0), "exit of an active block (book §6.8)");
    kt_timeout_release(cm);
    kt_timeout_release(NULL);
    KT_CHECK(isnan(kt_timeout_when(NULL)) && !kt_timeout_expired(NULL), "when(NULL) is NaN, expired(NULL) false (book §6.8)");
    return 0;
}

static void timeout_rejects_bad_arguments_and_needs_a_task(void **state)
{
    (void)state;
    kt_log_init(&from_callback);
    run_main(main_args, NULL);
    KT_CHECK_STR(from_callback.buf, "ENOTCORO null",
                 "kt_timeout_enter from a plain loop callback is KT_ENOTCORO (asyncio: \"Timeout should "
                 "be used inside a task\") and leaves *out NULL (book §6.8; asyncio case 145)");
    kt_timeout *cm = NULL;
    KT_CHECK_ERR(kt_timeout_enter_at(&cm, 1), KT_ENOTCORO, "kt_timeout_enter_at with no loop running is KT_ENOTCORO (book §6.8)");
}

static const kt_test_case tests[] = {
    KT_TEST(timeout_turns_its_cancel_into_etimedout, 3, "the deadline's cancel becomes KT_ETIMEDOUT (book §6.8)"),
    KT_TEST(timeout_not_reached_changes_nothing, 2, "a deadline not reached changes nothing (book §6.8)"),
    KT_TEST(timeout_reschedules_only_while_active, 2, "reschedule only while active (book §6.8)"),
    KT_TEST(timeout_reschedule_moves_the_deadline, 2, "reschedule moves the deadline (book §6.8)"),
    KT_TEST(timeout_nested_outer_fires_first, 3, "nested: the outer fires first (book §6.8)"),
    KT_TEST(timeout_nested_inner_fires_first, 2, "nested: the inner fires first (book §6.8)"),
    KT_TEST(timeout_body_that_swallows_the_cancel_ends_normally, 2,
            "a body that swallows the cancel ends normally (book §6.8)"),
    KT_TEST(timeout_in_the_past_fires_at_the_first_suspension, 2,
            "a past deadline fires at the first suspension (book §6.8)"),
    KT_TEST(timeout_lets_a_foreign_cancel_through, 2, "a foreign cancel stays KT_ECANCELLED (book §6.8)"),
    KT_TEST(timeout_released_without_exit_drops_its_deadline, 1,
            "a timeout released without exit drops its deadline (book §6.8)"),
    KT_TEST(timeout_rejects_bad_arguments_and_needs_a_task, 2, "bad arguments; needs a task (book §6.8)"),
};

KT_MAIN("Lab 06 — combinators: timeout", tests)
