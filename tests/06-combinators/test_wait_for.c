/* test_wait_for.c — Lab 06: wait_for and shield (book §6.6).
 *
 * Python: shared cases 081-087 and asyncio/wait_for_rules.py. */
#include "comb_test.h"

/* ------------------------------------------------------------ case 081 and cleanup */

static job j_inner = {"inner", 10, 0, PROPAGATE}, j_slowclean = {"inner", 10, 0, SLOW_CLEANUP};

static int main_081(void *arg, void **result)
{
    (void)result;
    kt_task *t = start(arg);
    int rc = kt_wait_for(FUT(t), 2, NULL);
    kt_log_add(&LOG, "wait_for->%s@%g inner-cancelled=%d", code_name(rc), now(), kt_future_cancelled(FUT(t)));
    kt_task_release(t);
    return 0;
}

static void wait_for_timeout_cancels_the_inner_task(void **state)
{
    (void)state;
    run_main(main_081, &j_inner);
    KT_CHECK_STR(LOG.buf, "inner:cancelled@2 wait_for->TIMEDOUT@2 inner-cancelled=1",
                 "on the timeout wait_for cancels the inner task and returns KT_ETIMEDOUT "
                 "(book §6.6; asyncio case 081)");
}

static void wait_for_waits_for_the_inner_cleanup(void **state)
{
    (void)state;
    run_main(main_081, &j_slowclean);
    KT_CHECK_STR(LOG.buf, "inner:cancelled@2 inner:cleaned@3 wait_for->TIMEDOUT@3 inner-cancelled=1",
                 "wait_for returns only after the cancelled inner task has really finished (its "
                 "cleanup took a second) (book §6.6; asyncio/wait_for_rules.py)");
}

/* ------------------------------------------------------------ in time */

static job j_v = {"v", 1, 0, PROPAGATE}, j_err = {"err", 1, E_VALUE, PROPAGATE};

static int main_in_time(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t = start(&j_v), *e = start(&j_err);
    void *v = NULL;
    int rc = kt_wait_for(FUT(t), 2, &v);
    kt_log_add(&LOG, "wait_for->%s:%s@%g", code_name(rc), rc == 0 ? (char *)v : "-", now());
    rc = kt_wait_for(FUT(e), 2, &v);
    kt_log_add(&LOG, "wait_for->%s@%g", code_name(rc), now());
    kt_sleep(5); /* the timers must be gone: nothing happens at 2 or 3 */
    kt_task_release(t);
    kt_task_release(e);
    return 0;
}

static void wait_for_in_time_gives_the_outcome(void **state)
{
    (void)state;
    run_main(main_in_time, NULL);
    KT_CHECK_STR(LOG.buf, "v:done@1 err:done@1 wait_for->OK:v@1 wait_for->E_VALUE@1",
                 "a future done before the timeout gives its result or its error at once (book §6.6; "
                 "asyncio/wait_for_rules.py)");
}

/* ------------------------------------------------------------ case 083 */

static int never_runs(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_log_add(&LOG, "body-ran");
    return 0;
}

static int main_083(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_future *f = NULL;
    kt_future_new(kt_get_running_loop(), &f);
    kt_future_set_result(f, (void *)"done-already");
    void *v = NULL;
    int rc = kt_wait_for(f, 0, &v);
    kt_log_add(&LOG, "done->%s:%s", code_name(rc), rc == 0 ? (char *)v : "-");
    kt_task *t = spawn(kt_get_running_loop(), never_runs, NULL);
    rc = kt_wait_for(FUT(t), -1, NULL);
    kt_log_add(&LOG, "pending->%s cancelled=%d", code_name(rc), kt_future_cancelled(FUT(t)));
    kt_task_release(t);
    kt_future_release(f);
    return 0;
}

static void wait_for_timeout_zero_checks_once(void **state)
{
    (void)state;
    run_main(main_083, NULL);
    KT_CHECK_STR(LOG.buf, "done->OK:done-already pending->TIMEDOUT cancelled=1",
                 "a timeout of 0 or less: a done future gives its result; a pending task is "
                 "cancelled before it ever ran, and KT_ETIMEDOUT comes back (book §6.6; asyncio case 083)");
}

/* ------------------------------------------------------------ case 085 */

static int outer_085(void *arg, void **result)
{
    (void)result;
    kt_task *t = start(arg);
    int rc = kt_wait_for(FUT(t), 5, NULL);
    kt_log_add(&LOG, "outer->%s@%g inner-cancelled=%d", code_name(rc), now(), kt_future_cancelled(FUT(t)));
    kt_task_release(t);
    return rc;
}

static int main_085(void *arg, void **result)
{
    (void)result;
    kt_task *o = spawn(kt_get_running_loop(), outer_085, arg);
    kt_sleep(1);
    kt_task_cancel(o, NULL);
    kt_await_task(o, NULL);
    kt_log_add(&LOG, "outer-cancelled=%d", kt_future_cancelled(FUT(o)));
    kt_task_release(o);
    return 0;
}

static void wait_for_outer_cancel_cancels_the_inner(void **state)
{
    (void)state;
    run_main(main_085, &j_slowclean);
    KT_CHECK_STR(LOG.buf, "inner:cancelled@1 inner:cleaned@2 outer->CANCELLED@2 inner-cancelled=1 outer-cancelled=1",
                 "cancelling the task in wait_for cancels the inner task, waits for its cleanup, and "
                 "gives KT_ECANCELLED, not KT_ETIMEDOUT (book §6.6; asyncio case 085)");
}

/* ------------------------------------------------------------ the inner swallows the cancel */

static job j_swallow = {"inner", 10, 0, SWALLOW};

static int main_swallow(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t = start(&j_swallow);
    void *v = NULL;
    int rc = kt_wait_for(FUT(t), 1, &v);
    kt_log_add(&LOG, "wait_for->%s:%s@%g", code_name(rc), rc == 0 ? (char *)v : "-", now());
    kt_task_release(t);
    return 0;
}

static void wait_for_gives_the_result_of_an_inner_that_swallowed_the_cancel(void **state)
{
    (void)state;
    run_main(main_swallow, NULL);
    KT_CHECK_STR(LOG.buf, "inner:cancelled@1 wait_for->OK:swallowed@1",
                 "an inner task that catches the cancellation and returns a value: wait_for gives "
                 "that value, not KT_ETIMEDOUT (3.11's behaviour) (book §6.6; asyncio/wait_for_rules.py)");
}

/* ------------------------------------------------------------ wait_for arguments */

static int main_wf_args(void *arg, void **result)
{
    (void)result;
    kt_loop *other = arg;
    kt_future *f = NULL, *x = NULL;
    kt_future_new(kt_get_running_loop(), &f);
    kt_future_new(other, &x);
    void *v = (void *)&v;
    KT_CHECK_ERR(kt_wait_for(NULL, 1, &v), KT_EINVAL, "kt_wait_for(NULL) is KT_EINVAL (book §6.2)");
    KT_CHECK(v == NULL, "kt_wait_for clears *value_out first (book §6.6)");
    KT_CHECK_ERR(kt_wait_for(f, NAN, NULL), KT_EINVAL, "kt_wait_for: a NaN timeout is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_wait_for(x, 1, NULL), KT_EWRONGLOOP,
                 "kt_wait_for: a future of another loop is KT_EWRONGLOOP (book §6.2)");
    KT_CHECK(!kt_future_done(f), "a refused kt_wait_for cancels nothing (book §6.2)");
    kt_future_release(f);
    kt_future_release(x);
    return 0;
}

static void wait_for_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "a second loop (given code)");
    run_main(main_wf_args, other);
    kt_future *f = (kt_future *)&other;
    KT_CHECK_ERR(kt_wait_for(f, 1, NULL), KT_ENOTCORO, "kt_wait_for outside a task's coroutine is KT_ENOTCORO (book §6.6)");
    KT_CHECK_OK(kt_loop_close(other), "the other loop closes (book §6.2)");
}

/* ------------------------------------------------------------ shield */

static job j_protected = {"inner", 3, 0, PROPAGATE};

static int guarded(void *arg, void **result)
{
    kt_future *outer = NULL;
    KT_CHECK_OK(kt_shield(arg, &outer), "kt_shield of a pending future must succeed (book §6.6)");
    int rc = kt_await(outer, result);
    kt_log_add(&LOG, "guarded->%s@%g inner-cancelled=%d", code_name(rc), now(), kt_future_cancelled(arg));
    kt_future_release(outer);
    return rc;
}

static int main_shield(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *inner = start(&j_protected);
    kt_task *g = spawn(kt_get_running_loop(), guarded, FUT(inner));
    kt_sleep(1);
    kt_task_cancel(g, NULL);
    void *v = NULL;
    int rc = kt_await_task(inner, &v);
    kt_log_add(&LOG, "inner->%s:%s@%g guarded-cancelled=%d", code_name(rc), rc == 0 ? (char *)v : "-", now(),
               kt_future_cancelled(FUT(g)));
    kt_task_release(g);
    kt_task_release(inner);
    return 0;
}

static void shield_keeps_an_outer_cancel_from_the_inner(void **state)
{
    (void)state;
    run_main(main_shield, NULL);
    KT_CHECK_STR(LOG.buf, "guarded->CANCELLED@1 inner-cancelled=0 inner:done@3 inner->OK:inner@3 guarded-cancelled=1",
                 "cancelling the task that awaits a shield cancels the shield only: the inner task "
                 "runs to its end (book §6.6; asyncio/wait_for_rules.py)");
}

static int main_087(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_future *inner = NULL, *outer = NULL, *d = NULL, *same = NULL;
    kt_future_new(loop, &inner);
    KT_CHECK_OK(kt_shield(inner, &outer), "kt_shield of a pending future must succeed (book §6.6)");
    kt_log_add(&LOG, "different=%d", outer != inner);
    kt_future_cancel(inner, NULL);
    kt_sleep(0);
    kt_log_add(&LOG, "outer-cancelled=%d", kt_future_cancelled(outer));
    kt_future_new(loop, &d);
    kt_future_set_result(d, NULL);
    KT_CHECK_OK(kt_shield(d, &same), "kt_shield of a done future must succeed (book §6.6)");
    kt_log_add(&LOG, "done-is-itself=%d", same == d);
    kt_future_release(same);
    kt_future_release(d);
    kt_future_release(outer);
    kt_future_release(inner);
    return 0;
}

static void shield_follows_an_inner_cancel(void **state)
{
    (void)state;
    run_main(main_087, NULL);
    KT_CHECK_STR(LOG.buf, "different=1 outer-cancelled=1 done-is-itself=1",
                 "the inner future's own cancel reaches the shield's outer future; a done future is "
                 "its own shield (book §6.6; asyncio case 087)");
}

static int main_shield_error(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (int round = 0; round < 2; round++) {
        kt_future *inner = NULL, *outer = NULL;
        kt_future_new(kt_get_running_loop(), &inner);
        KT_CHECK_OK(kt_shield(inner, &outer), "kt_shield of a pending future must succeed (book §6.6)");
        if (round == 0)
            kt_future_cancel(outer, NULL); /* inner fails later: nobody is left to look */
        kt_future_set_error(inner, E_VALUE);
        kt_sleep(0);
        kt_log_add(&LOG, "round%d:outer=%s", round,
                   kt_future_cancelled(outer) ? "cancelled" : code_name(kt_future_error(outer)));
        kt_future_release(inner);
        kt_future_release(outer);
    }
    return 0;
}

static void shield_passes_an_error_or_marks_it_retrieved(void **state)
{
    (void)state;
    run_main(main_shield_error, NULL);
    KT_CHECK_STR(LOG.buf, "round0:outer=cancelled round1:outer=E_VALUE",
                 "the inner error reaches a pending outer future; after the outer was cancelled it "
                 "stays cancelled (book §6.6)");
    KT_CHECK_STR(HANDLER.buf, "",
                 "an inner error that arrives after the outer future was cancelled is marked "
                 "retrieved: no \"never retrieved\" report (book §6.6)");
}

static void shield_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = NULL, *out = (kt_future *)&out;
    kt_future_new(loop, &f);
    KT_CHECK_ERR(kt_shield(NULL, &out), KT_EINVAL, "kt_shield(NULL) is KT_EINVAL (book §6.2)");
    KT_CHECK(out == NULL, "kt_shield sets *out to NULL on an error (book §6.2)");
    KT_CHECK_ERR(kt_shield(f, NULL), KT_EINVAL, "kt_shield with a NULL out is KT_EINVAL (book §6.2)");
    kt_future_release(f);
    close_loop(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(wait_for_timeout_cancels_the_inner_task, 3, "the timeout cancels the inner task (book §6.6)"),
    KT_TEST(wait_for_waits_for_the_inner_cleanup, 2, "wait_for waits for the inner cleanup (book §6.6)"),
    KT_TEST(wait_for_in_time_gives_the_outcome, 2, "in time: the inner outcome (book §6.6)"),
    KT_TEST(wait_for_timeout_zero_checks_once, 2, "timeout <= 0 checks once (book §6.6)"),
    KT_TEST(wait_for_outer_cancel_cancels_the_inner, 2, "an outer cancel reaches the inner (book §6.6)"),
    KT_TEST(wait_for_gives_the_result_of_an_inner_that_swallowed_the_cancel, 2,
            "an inner that swallowed the cancel gives its result (book §6.6)"),
    KT_TEST(wait_for_rejects_bad_arguments, 2, "bad arguments are clear errors (book §6.2)"),
    KT_TEST(shield_keeps_an_outer_cancel_from_the_inner, 3, "shield stops an outer cancel (book §6.6)"),
    KT_TEST(shield_follows_an_inner_cancel, 2, "the inner's own cancel reaches the shield (book §6.6)"),
    KT_TEST(shield_passes_an_error_or_marks_it_retrieved, 2, "shield passes errors on (book §6.6)"),
    KT_TEST(shield_rejects_bad_arguments, 1, "bad arguments are clear errors (book §6.2)"),
};

KT_MAIN("Lab 06 — combinators: wait_for and shield", tests)
