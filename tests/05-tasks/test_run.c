/* test_run.c — Lab 05: kt_run_until_complete and kt_run (book §5.6).
 *
 * kt_run gets the virtual clock through its options, so nothing here
 * sleeps for real. */
#include "task_test.h"

static kt_run_options virtual_opts(void)
{
    kt_log_init(&LOG);
    kt_log_init(&HANDLER);
    kt_run_options o = {KT_CLOCK_VIRTUAL, log_handler, NULL};
    return o;
}

/* ------------------------------------------------------------ run_until_complete */

typedef struct rc_ctx {
    kt_loop *loop;
    kt_future *fut;
} rc_ctx;

static void say_cb(kt_loop *loop, void *word)
{
    (void)loop;
    kt_log_add(&LOG, "%s", (const char *)word);
}

static void x_cb(kt_loop *loop, void *arg)
{
    (void)arg;
    kt_log_add(&LOG, "x");
    kt_call_soon(loop, say_cb, "y", NULL);
}

static void complete(kt_loop *loop, void *arg)
{
    rc_ctx *c = arg;
    kt_log_add(&LOG, "set");
    kt_future_set_result(c->fut, "done");
    kt_call_soon(loop, x_cb, NULL, NULL);
}

/* asyncio case 013 */
static void run_until_complete_stops_one_iteration_later(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    rc_ctx c = {loop, NULL};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    KT_CHECK_OK(kt_call_soon(loop, complete, &c, NULL), "kt_call_soon must work (Lab 01)");
    void *v = NULL;
    int rc = kt_run_until_complete(loop, c.fut, &v);
    kt_log_add(&LOG, "returned:%s:%s", code_name(rc), v ? (char *)v : "NULL");
    KT_CHECK_STR(LOG.buf, "set x returned:OK:done",
                 "kt_run_until_complete stops the loop from a done callback of the future, itself scheduled "
                 "with call_soon: the loop runs one more iteration after the future completes, and what "
                 "that iteration schedules waits (book §5.6; asyncio case 013)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "set x returned:OK:done y", "y, scheduled by x, runs on the next run (book §5.6)");
    kt_future_release(c.fut);
    close_loop(loop);
}

static int fails_soon(void *arg, void **result)
{
    (void)arg;
    (void)result;
    KT_CHECK_OK(kt_sleep(2), "kt_sleep inside a task must succeed (book §5.4)");
    return E_VALUE;
}

static int nested_run(void *arg, void **result)
{
    (void)result;
    rc_ctx *c = arg;
    kt_log_add(&LOG, "nested:%s", code_name(kt_run_until_complete(c->loop, c->fut, NULL)));
    return 0;
}

static void run_until_complete_returns_outcome_and_refuses_bad_calls(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, fails_soon, NULL);
    KT_CHECK_ERR(kt_run_until_complete(loop, kt_task_future(t), NULL), E_VALUE,
                 "kt_run_until_complete returns the error the task's coroutine failed with (book §5.6)");
    KT_CHECK_DBL(kt_loop_time(loop), 2, 1e-9, "the loop ran until the task finished at 2 s (book §5.6)");
    kt_task_release(t);

    rc_ctx c = {loop, NULL};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    kt_task *n = spawn(loop, nested_run, &c);
    KT_CHECK_ERR(kt_run_until_complete(loop, kt_task_future(n), NULL), 0, "the nesting task returns 0 (book §5.6)");
    KT_CHECK_STR(LOG.buf, "nested:ERUNNING",
                 "kt_run_until_complete on a loop that is already running (from one of its own tasks) "
                 "must refuse with KT_ERUNNING (book §5.6; asyncio case 011)");
    kt_task_release(n);
    kt_future_release(c.fut);

    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "creating a loop (given code) must work");
    kt_future *f = NULL;
    KT_CHECK_OK(kt_future_new(other, &f), "kt_future_new must work (given)");
    KT_CHECK_ERR(kt_run_until_complete(NULL, f, NULL), KT_EINVAL, "a NULL loop: KT_EINVAL (book §5.6)");
    KT_CHECK_ERR(kt_run_until_complete(loop, NULL, NULL), KT_EINVAL, "a NULL future: KT_EINVAL (book §5.6)");
    KT_CHECK_ERR(kt_run_until_complete(loop, f, NULL), KT_EINVAL,
                 "a future of another loop could never be completed by this one: KT_EINVAL (book §5.6)");
    kt_future_release(f);
    KT_CHECK_OK(kt_loop_close(other), "closing the other loop must work");
    close_loop(loop);
}

/* a schedules b, b schedules c, c stops the loop. */
static void chain(kt_loop *loop, void *word)
{
    const char *w = word;
    kt_log_add(&LOG, "%s", w);
    if (w[0] == 'c')
        kt_loop_stop(loop);
    else
        kt_call_soon(loop, chain, w[0] == 'a' ? "b" : "c", NULL);
}

static void run_until_complete_reports_deadlock_and_cleans_up(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = NULL;
    KT_CHECK_OK(kt_future_new(loop, &f), "kt_future_new must work (given)");
    KT_CHECK_ERR(kt_run_until_complete(loop, f, NULL), KT_EDEADLOCK,
                 "a future nobody will ever complete, on a loop with nothing to do: kt_run_until_complete "
                 "must return the loop's KT_EDEADLOCK rather than hang (book §5.6)");
    KT_CHECK_OK(kt_future_set_result(f, NULL), "set_result must work (Lab 04)");
    KT_CHECK_OK(kt_call_soon(loop, chain, "a", NULL), "kt_call_soon must work (Lab 01)");
    KT_CHECK_ERR(kt_run_forever(loop), 0, "kt_run_forever must return 0 once stopped (Lab 01)");
    KT_CHECK_STR(LOG.buf, "a b c",
                 "after a failed kt_run_until_complete its stop callback must be taken off the future "
                 "(kt_future_remove_done_callback): left there, it stops an unrelated later run "
                 "(book §5.6)");
    kt_future_release(f);
    close_loop(loop);
}

/* ------------------------------------------------------------ kt_run */

static int main_returns(void *arg, void **result)
{
    (void)arg;
    kt_loop *loop = kt_get_running_loop();
    KT_CHECK(loop != NULL, "inside kt_run's main, kt_get_running_loop must give the loop (book §5.6)");
    KT_CHECK_OK(kt_sleep(5), "kt_sleep inside kt_run's main must succeed (book §5.6)");
    kt_log_add(&LOG, "main@%g", kt_loop_time(loop));
    *result = "main-result";
    return 0;
}

static int main_fails(void *arg, void **result)
{
    (void)arg;
    (void)result;
    KT_CHECK_OK(kt_sleep(1), "kt_sleep inside kt_run's main must succeed (book §5.6)");
    return E_VALUE;
}

static void run_returns_main_outcome(void **state)
{
    (void)state;
    kt_run_options o = virtual_opts();
    void *v = NULL;
    int rc = kt_run(main_returns, NULL, &v, &o);
    KT_CHECK_ERR(rc, 0, "kt_run returns what main's coroutine returned (book §5.6)");
    KT_CHECK_STR((const char *)v, "main-result", "kt_run stores main's result in *result (book §5.6)");
    KT_CHECK_STR(LOG.buf, "main@5",
                 "kt_run's options choose the clock: with KT_CLOCK_VIRTUAL, main's 5 s sleep ends at "
                 "virtual time 5 (book §5.6)");
    v = (void *)"untouched";
    rc = kt_run(main_fails, NULL, &v, &o);
    KT_CHECK_ERR(rc, E_VALUE, "kt_run returns the error main's coroutine failed with (book §5.6)");
    KT_CHECK(v == NULL, "kt_run sets *result to NULL when main did not return a value (book §5.6)");
    KT_CHECK_STR(HANDLER.buf, "",
                 "main's error was handed to kt_run's caller, so it was retrieved: nothing may reach the "
                 "exception handler (book §5.6)");
}

static int background(void *arg, void **result)
{
    (void)result;
    int rc = kt_sleep(3600);
    kt_log_add(&LOG, "%s:%s", (const char *)arg, code_name(rc));
    return rc;
}

static int fails_when_cancelled(void *arg, void **result)
{
    (void)arg;
    (void)result;
    int rc = kt_sleep(3600);
    kt_log_add(&LOG, "failing:%s", code_name(rc));
    return E_VALUE; /* an error during the shutdown */
}

static int main_leaves_tasks(void *arg, void **result)
{
    (void)arg;
    kt_loop *loop = kt_get_running_loop();
    KT_CHECK_OK(kt_create_task(loop, background, "bg1", NULL), "kt_create_task must succeed (book §5.3)");
    KT_CHECK_OK(kt_create_task(loop, fails_when_cancelled, NULL, NULL), "kt_create_task must succeed (book §5.3)");
    KT_CHECK_OK(kt_create_task(loop, background, "bg2", NULL), "kt_create_task must succeed (book §5.3)");
    KT_CHECK_OK(kt_sleep(1), "kt_sleep inside kt_run's main must succeed (book §5.6)");
    kt_log_add(&LOG, "main-returns");
    *result = "ok";
    return 0;
}

static void run_cancels_what_is_left_and_lets_it_finish(void **state)
{
    (void)state;
    kt_run_options o = virtual_opts();
    void *v = NULL;
    int rc = kt_run(main_leaves_tasks, NULL, &v, &o);
    KT_CHECK_ERR(rc, 0, "kt_run returns main's outcome even when main left tasks behind (book §5.6)");
    KT_CHECK_STR(LOG.buf, "main-returns bg1:CANCELLED failing:CANCELLED bg2:CANCELLED",
                 "after main returns, kt_run cancels every task still pending (in creation order) and "
                 "runs the loop until they have finished, so their cleanup runs; the loop is then closed "
                 "and nothing leaks (book §5.6)");
    KT_CHECK_STR(HANDLER.buf, "[unhandled error during kt_run() shutdown|E_VALUE]",
                 "a task that ends with an error (not a cancellation) while kt_run shuts down is reported "
                 "to the exception handler (book §5.6)");
}

static int ignores_cancel(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (;;) {
        kt_future *never = NULL;
        KT_CHECK_OK(kt_future_new(kt_get_running_loop(), &never), "kt_future_new must work (given)");
        int rc = kt_await(never, NULL);
        kt_future_release(never);
        kt_log_add(&LOG, "await:%s", code_name(rc));
        if (rc != KT_ECANCELLED)
            return rc; /* closed: clean up and go */
    }
}

static int main_with_stuck_task(void *arg, void **result)
{
    (void)arg;
    (void)result;
    KT_CHECK_OK(kt_create_task(kt_get_running_loop(), ignores_cancel, NULL, NULL),
                "kt_create_task must succeed (book §5.3)");
    KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    return 0;
}

static void run_destroys_a_task_that_never_finishes(void **state)
{
    (void)state;
    kt_run_options o = virtual_opts();
    int rc = kt_run(main_with_stuck_task, NULL, NULL, &o);
    KT_CHECK_ERR(rc, 0, "kt_run returns main's outcome (book §5.6)");
    KT_CHECK_STR(LOG.buf, "await:CANCELLED await:GENERATOREXIT",
                 "a task that swallows its cancellation and waits forever cannot be finished: kt_run must "
                 "not hang; it destroys the task, whose pending await returns KT_EGENERATOREXIT so its "
                 "cleanup runs (book §5.6)");
    KT_CHECK_STR(HANDLER.buf, "[Task was destroyed but it is pending!|OK]",
                 "a task destroyed while pending is reported to the exception handler (book §5.6)");
}

static int main_waits_forever(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_future *never = NULL;
    KT_CHECK_OK(kt_future_new(kt_get_running_loop(), &never), "kt_future_new must work (given)");
    int rc = kt_await(never, NULL);
    kt_log_add(&LOG, "main:%s", code_name(rc));
    kt_future_release(never);
    return rc;
}

static void run_reports_a_deadlocked_main(void **state)
{
    (void)state;
    kt_run_options o = virtual_opts();
    int rc = kt_run(main_waits_forever, NULL, NULL, &o);
    KT_CHECK_ERR(rc, KT_EDEADLOCK,
                 "when main waits for something nothing will ever do, kt_run must return KT_EDEADLOCK (the "
                 "loop's verdict) instead of hanging, after cancelling main so it cleans up (book §5.6)");
    KT_CHECK_STR(LOG.buf, "main:CANCELLED", "main is cancelled during the shutdown and its cleanup runs (book §5.6)");
}

static kt_future *leaked;

static int main_leaks_a_future(void *arg, void **result)
{
    (void)arg;
    (void)result;
    KT_CHECK_OK(kt_future_new(kt_get_running_loop(), &leaked), "kt_future_new must work (given)");
    return 0;
}

static int main_calls_run(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_log_add(&LOG, "nested:%s", code_name(kt_run(main_returns, NULL, NULL, NULL)));
    return 0;
}

static int quick_main(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static void run_refuses_bad_calls_and_reports_leaks(void **state)
{
    (void)state;
    kt_run_options o = virtual_opts();
    void *v = (void *)"untouched";
    KT_CHECK_ERR(kt_run(NULL, NULL, &v, &o), KT_EINVAL, "kt_run(NULL, ...) must fail with KT_EINVAL (book §5.6)");
    KT_CHECK(v == NULL, "kt_run sets *result to NULL first (book §5.6)");
    KT_CHECK_ERR(kt_run(main_calls_run, NULL, NULL, &o), 0, "the outer kt_run must work (book §5.6)");
    KT_CHECK_STR(LOG.buf, "nested:ERUNNING",
                 "kt_run from inside a task must refuse with KT_ERUNNING (asyncio: \"asyncio.run() cannot "
                 "be called from a running event loop\") (book §5.6)");
    KT_CHECK_ERR(kt_run(quick_main, "real", &v, NULL), 0,
                 "kt_run with NULL options uses the real clock and the default handler (book §5.6)");
    KT_CHECK_STR((const char *)v, "real", "kt_run stores main's result (book §5.6)");

    leaked = NULL;
    KT_CHECK_ERR(kt_run(main_leaks_a_future, NULL, NULL, &o), KT_EINVALSTATE,
                 "a future still referenced when kt_run is done keeps its loop from closing: kt_run must "
                 "report it and return KT_EINVALSTATE, not free the loop under it (book §5.6)");
    KT_CHECK(strstr(HANDLER.buf, "still alive") != NULL,
             "the leak must reach the exception handler (kt_loop_close says so) (book §5.6); handler got: %s",
             HANDLER.buf);
    kt_loop *loop = kt_future_loop(leaked);
    kt_future_release(leaked);
    KT_CHECK_OK(kt_loop_close(loop), "once the leaked future is released the loop kt_run left must close");
}

/* Somebody else stops the loop while kt_run_until_complete waits. */
static void complete_later(kt_loop *loop, void *f)
{
    (void)loop;
    kt_future_set_result(f, "late");
}

static void stop_from_outside(kt_loop *loop, void *arg)
{
    (void)arg;
    kt_log_add(&LOG, "outside-stop");
    kt_loop_stop(loop);
}

static void run_until_complete_stopped_from_outside(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = NULL;
    KT_CHECK_OK(kt_future_new(loop, &f), "kt_future_new must work (given)");
    KT_CHECK_OK(kt_call_later(loop, 1, stop_from_outside, NULL, NULL), "kt_call_later must work (Lab 01)");
    void *v = (void *)"x";
    KT_CHECK_ERR(kt_run_until_complete(loop, f, &v), KT_EINVALSTATE,
                 "a loop stopped by somebody else before the future is done: kt_run_until_complete "
                 "returns KT_EINVALSTATE (asyncio: \"Event loop stopped before Future completed.\") "
                 "(book §5.6)");
    KT_CHECK(v == NULL, "on error *value_out is NULL (book §5.6)");
    KT_CHECK(!kt_loop_is_running(f->loop), "the loop is not running after it returned (book §5.6)");
    /* Second life: the same loop and future, completed this time. */
    KT_CHECK_OK(kt_call_later(loop, 1, complete_later, f, NULL), "kt_call_later must work (Lab 01)");
    KT_CHECK_ERR(kt_run_until_complete(loop, f, &v), 0,
                 "the same loop runs until complete again after an outside stop: nothing of the first "
                 "run may be left (its stop callback, the loop's flags) (book §5.6)");
    KT_CHECK_STR((const char *)v, "late", "the second run returns the future's result (book §5.6)");
    KT_CHECK_DBL(kt_loop_time(loop), 2, 1e-9, "the second run went on until the future was done at 2 s (book §5.6)");
    KT_CHECK_STR(LOG.buf, "outside-stop", "the outside stop ran once (book §5.6)");
    kt_future_release(f);
    close_loop(loop);
}

static void run_twice_back_to_back(void **state)
{
    (void)state;
    kt_log_init(&LOG);
    kt_run_options o = virtual_opts();
    for (int i = 0; i < 2; i++) {
        void *v = NULL;
        KT_CHECK_ERR(kt_run(main_returns, NULL, &v, &o), 0,
                     "kt_run can be called again once it returned: each call makes and closes its own loop "
                     "(book §5.6)");
        KT_CHECK_STR((const char *)v, "main-result", "each kt_run returns its own main's result (book §5.6)");
    }
    KT_CHECK_STR(LOG.buf, "main@5 main@5", "each kt_run starts a fresh loop whose clock starts at 0 (book §5.6)");
}

static const kt_test_case tests[] = {
    KT_TEST(run_until_complete_stops_one_iteration_later, 3,
            "kt_run_until_complete stops via a done callback, one iteration later (book §5.6)"),
    KT_TEST(run_until_complete_returns_outcome_and_refuses_bad_calls, 2,
            "kt_run_until_complete returns the outcome; refuses bad calls (book §5.6)"),
    KT_TEST(run_until_complete_reports_deadlock_and_cleans_up, 2,
            "kt_run_until_complete returns KT_EDEADLOCK and removes its stop callback (book §5.6)"),
    KT_TEST(run_until_complete_stopped_from_outside, 2,
            "a loop stopped from outside: KT_EINVALSTATE, and the loop runs again (book §5.6)"),
    KT_TEST(run_returns_main_outcome, 2, "kt_run runs main on a new loop and returns its outcome (book §5.6)"),
    KT_TEST(run_cancels_what_is_left_and_lets_it_finish, 3,
            "kt_run cancels the tasks main left behind and lets them finish (book §5.6)"),
    KT_TEST(run_destroys_a_task_that_never_finishes, 2,
            "kt_run destroys a task that ignores its cancellation forever (book §5.6)"),
    KT_TEST(run_reports_a_deadlocked_main, 2, "kt_run returns KT_EDEADLOCK for a main that waits forever (book §5.6)"),
    KT_TEST(run_twice_back_to_back, 1, "kt_run twice in a row (book §5.6)"),
    KT_TEST(run_refuses_bad_calls_and_reports_leaks, 2,
            "kt_run refuses bad calls and reports leaked futures (book §5.6)"),
};

KT_MAIN("Lab 05 — tasks: run_until_complete and run", tests)
