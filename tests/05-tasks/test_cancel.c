/* test_cancel.c — Lab 05: cancelling tasks (book §5.5).
 *
 * Cancellation is a request: the coroutine sees KT_ECANCELLED come out of
 * the await it is parked in, and decides. Each test replays an asyncio
 * case (named in the message) and compares the whole log. */
#include "task_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_future *fut;
    kt_task *t, *a, *b;
    const char *msg;
} ctx;

/* A macro, so a failure points at the test's own line. */
#define check_cancel(t, want, rule) KT_CHECK_INT(kt_task_cancel((t), NULL), (want), "%s", (rule))

/* ------------------------------------------------------------ before start (case 043) */

static int must_not_run(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_log_add(&LOG, "body-started");
    int rc = kt_sleep(1);
    kt_log_add(&LOG, "cleanup");
    return rc;
}

static int main_043(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t = spawn(c->loop, must_not_run, NULL);
    int r = kt_task_cancel(t, NULL);
    kt_log_add(&LOG, "cancel->%d cancelled-now=%d", r, kt_future_cancelled(kt_task_future(t)));
    int rc = kt_await_task(t, NULL);
    kt_log_add(&LOG, "await->%s cancelled=%d", code_name(rc), kt_future_cancelled(kt_task_future(t)));
    kt_task_release(t);
    return 0;
}

static void cancel_before_start_never_runs_the_body(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, main_043, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "cancel->1 cancelled-now=0 await->CANCELLED cancelled=1",
                 "a task cancelled before its first step never runs its coroutine, not even its "
                 "cleanup; cancel() returns 1 but the task is only cancelled once its step ran; "
                 "awaiting it gives KT_ECANCELLED (book §5.5; asyncio case 043)");
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ while sleeping */

static int long_sleeper(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "sleep->%s@%g", code_name(rc), kt_loop_time(c->loop));
    return rc;
}

static void cancel_later(kt_loop *loop, void *arg)
{
    (void)loop;
    ctx *c = arg;
    kt_log_add(&LOG, "cancel->%d", kt_task_cancel(c->t, NULL));
}

static void cancel_while_sleeping_wakes_the_task_now(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    c.t = spawn(loop, long_sleeper, &c);
    KT_CHECK_OK(kt_call_later(loop, 1, cancel_later, &c, NULL), "kt_call_later must work (Lab 01)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "cancel->1 sleep->CANCELLED@1",
                 "cancelling a sleeping task cancels the future it waits on, so its kt_sleep returns "
                 "KT_ECANCELLED at once (at 1 s), not after 10 s (book §5.5)");
    KT_CHECK(kt_future_cancelled(kt_task_future(c.t)),
             "a coroutine that returns KT_ECANCELLED finishes its task cancelled (book §5.5)");
    KT_CHECK_DBL(kt_loop_time(loop), 1, 1e-9,
                 "the cancelled sleep's timer must be cancelled too: the loop must not wait until 10 s "
                 "for a timer nobody needs (book §5.4)");
    kt_task_release(c.t);
    close_loop(loop);
}

/* ------------------------------------------------------------ caught (case 045) */

static int stubborn(void *arg, void **result)
{
    (void)arg;
    int rc = kt_sleep(10);
    if (rc == KT_ECANCELLED)
        kt_log_add(&LOG, "caught");
    *result = "finished-normally";
    return 0;
}

static int main_045(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t = spawn(c->loop, stubborn, NULL);
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    kt_task_cancel(t, NULL);
    void *v = NULL;
    int rc = kt_await_task(t, &v);
    kt_log_add(&LOG, "await->%s:%s cancelled=%d cancelling=%u", code_name(rc), v ? (char *)v : "NULL",
               kt_future_cancelled(kt_task_future(t)), kt_task_cancelling(t));
    kt_task_release(t);
    return 0;
}

static void cancel_caught_task_finishes_normally(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, main_045, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "caught await->OK:finished-normally cancelled=0 cancelling=1",
                 "cancel is only a request: a coroutine that catches KT_ECANCELLED and returns a value "
                 "finishes its task with that result, not cancelled; kt_task_cancelling counts the "
                 "request (book §5.5; asyncio case 045)");
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ cancel wins (case 047) */

static int waiter_047(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    void *v = NULL;
    int rc = kt_await(c->fut, &v);
    void *r = NULL;
    kt_future_result(c->fut, &r);
    kt_log_add(&LOG, "waiter:%s although-fut=%s", code_name(rc), r ? (char *)r : "NULL");
    return rc;
}

static int main_047(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t = spawn(c->loop, waiter_047, c);
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    KT_CHECK_OK(kt_future_set_result(c->fut, "R"), "set_result must work (Lab 04)"); /* wake-up queued ... */
    kt_log_add(&LOG, "cancel->%d", kt_task_cancel(t, NULL));                         /* ... cancel first */
    kt_await_task(t, NULL);
    kt_log_add(&LOG, "cancelled=%d", kt_future_cancelled(kt_task_future(t)));
    kt_task_release(t);
    return 0;
}

static void cancel_wins_over_a_pending_wakeup(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    kt_task *t = spawn(loop, main_047, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "cancel->1 waiter:CANCELLED although-fut=R cancelled=1",
                 "when the awaited future already has its result but the wake-up has not run yet, "
                 "cancel must still win: it cannot cancel the done future, so it sets must_cancel and "
                 "the next step throws KT_ECANCELLED instead of resuming normally (book §5.5; asyncio "
                 "case 047)");
    kt_future_release(c.fut);
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ travels down (case 049) */

static int b_swallows(void *arg, void **result)
{
    (void)arg;
    if (kt_sleep(10) == KT_ECANCELLED)
        kt_log_add(&LOG, "B:swallowed");
    *result = "B-result";
    return 0;
}

static int b_gives_up(void *arg, void **result)
{
    (void)arg;
    (void)result;
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "B:%s", code_name(rc));
    return rc;
}

static int a_awaits_b(void *arg, void **result)
{
    ctx *c = arg;
    void *v = NULL;
    int rc = kt_await_task(c->b, &v);
    kt_log_add(&LOG, "A:%s:%s", code_name(rc), v ? (char *)v : "NULL");
    *result = v;
    return rc;
}

static int main_049(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    kt_log_add(&LOG, "a.cancel->%d", kt_task_cancel(c->a, NULL));
    kt_await_task(c->a, NULL);
    kt_log_add(&LOG, "a.cancelled=%d a.cancelling=%u b.cancelled=%d b.cancelling=%u",
               kt_future_cancelled(kt_task_future(c->a)), kt_task_cancelling(c->a),
               kt_future_cancelled(kt_task_future(c->b)), kt_task_cancelling(c->b));
    return 0;
}

static void run_049(kt_coro_fn b_body)
{
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    c.b = spawn(loop, b_body, &c);
    c.a = spawn(loop, a_awaits_b, &c);
    kt_task *m = spawn(loop, main_049, &c);
    run_all(loop);
    kt_task_release(c.a);
    kt_task_release(c.b);
    kt_task_release(m);
    close_loop(loop);
}

static void cancel_travels_down_to_the_awaited_task(void **state)
{
    (void)state;
    run_049(b_swallows);
    KT_CHECK_STR(LOG.buf,
                 "a.cancel->1 B:swallowed A:OK:B-result a.cancelled=0 a.cancelling=1 b.cancelled=0 b.cancelling=1",
                 "cancelling task A while it awaits task B cancels B instead (A's cancel calls cancel on "
                 "the future it waits on, and a task's cancel is the task's own); when B swallows it and "
                 "returns, A simply gets B's result and is not cancelled (book §5.5; asyncio case 049)");
    run_049(b_gives_up);
    KT_CHECK_STR(LOG.buf,
                 "a.cancel->1 B:CANCELLED A:CANCELLED:NULL a.cancelled=1 a.cancelling=1 b.cancelled=1 b.cancelling=1",
                 "when the awaited task B lets the cancellation end it, A's await returns KT_ECANCELLED "
                 "and both end cancelled (book §5.5)");
}

/* ------------------------------------------------------------ again after catch (case 051) */

static int body_051(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (int attempt = 1; attempt <= 2; attempt++) {
        int rc = kt_sleep(10);
        if (rc == KT_ECANCELLED) {
            kt_log_add(&LOG, "caught#%d", attempt);
            if (attempt == 2)
                return rc;
        }
        KT_CHECK_OK(kt_sleep(0), "after catching a cancellation the task runs normally again (book §5.5)");
        kt_log_add(&LOG, "still-running#%d", attempt);
    }
    return 0;
}

static int main_051(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t = spawn(c->loop, body_051, NULL);
    for (int i = 0; i < 2; i++) {
        KT_CHECK_OK(kt_sleep(0.01), "kt_sleep inside a task must succeed (book §5.4)");
        kt_task_cancel(t, NULL);
    }
    kt_await_task(t, NULL);
    kt_log_add(&LOG, "cancelled=%d", kt_future_cancelled(kt_task_future(t)));
    kt_task_release(t);
    return 0;
}

static void cancel_again_after_catch_is_delivered(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, main_051, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "caught#1 still-running#1 caught#2 cancelled=1",
                 "after catching KT_ECANCELLED a task is an ordinary running task: it can await again, and "
                 "a later cancel is delivered at its next await (book §5.5; asyncio case 051)");
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ message (case 053) */

static int body_053(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_sleep(10);
    const char *m = kt_task_cancel_message(kt_current_task(c->loop));
    kt_log_add(&LOG, "inside:%s:%s", code_name(rc), m ? m : "NULL");
    return rc;
}

static int main_053(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t = spawn(c->loop, body_053, c);
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    kt_task_cancel(t, "shutdown requested");
    int rc = kt_await_task(t, NULL);
    const char *m = kt_future_cancel_message(kt_task_future(t));
    kt_log_add(&LOG, "awaiter:%s:%s", code_name(rc), m ? m : "NULL");
    kt_task_release(t);
    return 0;
}

static void cancel_message_reaches_coroutine_and_awaiter(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, main_053, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "inside:CANCELLED:shutdown requested awaiter:CANCELLED:shutdown requested",
                 "the message given to cancel is seen inside the coroutine (kt_task_cancel_message) and "
                 "by whoever awaits the cancelled task (the task is cancelled with t->cancel_msg) "
                 "(book §5.5; asyncio case 053)");
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ done tasks, self-cancel */

static int cancels_itself(void *arg, void **result)
{
    ctx *c = arg;
    kt_log_add(&LOG, "self-cancel->%d", kt_task_cancel(kt_current_task(c->loop), NULL));
    *result = "returned";
    return 0; /* returns in the very step that was cancelled */
}

static void cancel_done_task_is_refused_and_self_cancel_wins(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, cancels_itself, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "self-cancel->1",
                 "a running task may cancel itself: the request is accepted (book §5.5)");
    KT_CHECK(kt_future_cancelled(kt_task_future(t)),
             "a task cancelled during the step in which its coroutine returns ends cancelled, not with "
             "the result (task_step checks must_cancel when the coroutine returns) (book §5.5)");
    check_cancel(t, 0, "cancelling a task that is already done changes nothing and returns 0 (book §5.5)");
    KT_CHECK_ERR(kt_task_cancel(NULL, NULL), KT_EINVAL, "kt_task_cancel(NULL) must fail with KT_EINVAL (book §5.5)");
    kt_task_release(t);
    close_loop(loop);
}

/* ------------------------------------------------------------ cancellation over time */

/* A task that cancels itself, then awaits: the await is cancelled at once. */
static int cancels_itself_then_sleeps(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_log_add(&LOG, "cancel->%d", kt_task_cancel(kt_current_task(c->loop), NULL));
    int rc = kt_sleep(5);
    kt_log_add(&LOG, "sleep->%s@%g", code_name(rc), kt_loop_time(c->loop));
    return rc;
}

static void task_that_cancels_itself_then_awaits(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    kt_task *t = spawn(loop, cancels_itself_then_sleeps, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "cancel->1 sleep->CANCELLED@0",
                 "a task that cancels itself while it runs has nothing to cancel yet (must_cancel); the "
                 "step that sees its next await must cancel that future at once, so the 5 s sleep ends "
                 "cancelled at time 0, not at 5 (book §5.5)");
    KT_CHECK(kt_future_cancelled(kt_task_future(t)), "the task ended cancelled (book §5.5)");
    KT_CHECK_INT(kt_task_cancelling(t), 1, "one cancel was requested: cancelling() is 1 (book §5.5)");
    kt_task_release(t);
    close_loop(loop);
}

static void cancel_before_the_first_step_is_counted(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, must_not_run, NULL);
    check_cancel(t, 1, "cancelling a task that has not started must return 1 (book §5.5)");
    KT_CHECK_INT(kt_task_cancelling(t), 1,
                 "every cancel request counts, also one made before the first step: cancelling() is 1 "
                 "(book §5.5; asyncio: Task.cancelling())");
    run_all(loop);
    KT_CHECK(kt_future_cancelled(kt_task_future(t)), "the task ended cancelled without running (book §5.5)");
    KT_CHECK_INT(kt_task_cancelling(t), 1, "finishing does not reset the count (book §5.5)");
    check_cancel(t, 0, "cancelling a task that is done returns 0 and counts nothing (book §5.5)");
    KT_CHECK_INT(kt_task_cancelling(t), 1, "a refused cancel is not counted (book §5.5)");
    KT_CHECK_STR(LOG.buf, "", "the body never ran (book §5.5; asyncio case 043)");
    kt_task_release(t);
    close_loop(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(cancel_before_start_never_runs_the_body, 3,
            "a task cancelled before its first step never runs (book §5.5)"),
    KT_TEST(cancel_while_sleeping_wakes_the_task_now, 3,
            "cancelling a sleeping task: KT_ECANCELLED out of kt_sleep at once (book §5.5)"),
    KT_TEST(cancel_caught_task_finishes_normally, 2,
            "a coroutine that catches the cancellation finishes normally (book §5.5)"),
    KT_TEST(cancel_wins_over_a_pending_wakeup, 3, "cancel wins over a queued wake-up: must_cancel (book §5.5)"),
    KT_TEST(cancel_travels_down_to_the_awaited_task, 3,
            "cancelling a task that awaits a task cancels the awaited one (book §5.5)"),
    KT_TEST(cancel_again_after_catch_is_delivered, 2,
            "a later cancel reaches a task that caught an earlier one (book §5.5)"),
    KT_TEST(cancel_message_reaches_coroutine_and_awaiter, 2, "the cancel message travels (book §5.5)"),
    KT_TEST(task_that_cancels_itself_then_awaits, 2,
            "a task that cancels itself has its next await cancelled at once (book §5.5)"),
    KT_TEST(cancel_before_the_first_step_is_counted, 1,
            "cancelling() counts a cancel made before the first step (book §5.5)"),
    KT_TEST(cancel_done_task_is_refused_and_self_cancel_wins, 2,
            "cancel on a done task returns 0; a self-cancel wins over the return (book §5.5)"),
};

KT_MAIN("Lab 05 — tasks: cancellation", tests)
