/* test_tasks.c — Lab 05: tasks, await and sleep (book §5.2–§5.4).
 *
 * Each order test replays an asyncio scenario (the case number names it;
 * see the book for the Python) and compares the whole log with what
 * CPython 3.11 prints. The loops use the virtual clock. */
#include "task_test.h"

/* ------------------------------------------------------------ coroutines */

/* Log a word and return it as the result. */
static int say_and_return(void *arg, void **result)
{
    kt_log_add(&LOG, "%s", (const char *)arg);
    *result = arg;
    return 0;
}

/* Sleep arg->delay seconds, log name@time, return the name. */
typedef struct sleeper {
    const char *name;
    double delay;
    kt_loop *loop;
} sleeper;

static int sleeper_body(void *arg, void **result)
{
    sleeper *s = arg;
    int rc = kt_sleep(s->delay);
    if (rc < 0)
        return rc;
    kt_log_add(&LOG, "%s@%g", s->name, kt_loop_time(s->loop));
    *result = (void *)s->name;
    return 0;
}

/* ------------------------------------------------------------ §5.3 creating tasks */

typedef struct starter_ctx {
    kt_loop *loop;
    kt_task *a, *b;
} starter_ctx;

/* asyncio case 039: main creates two tasks, then yields once. */
static int create_then_yield(void *arg, void **result)
{
    (void)result;
    starter_ctx *c = arg;
    c->a = spawn(c->loop, say_and_return, "A");
    c->b = spawn(c->loop, say_and_return, "B");
    kt_log_add(&LOG, "created:A-done=%d", kt_future_done(kt_task_future(c->a)));
    KT_CHECK_OK(kt_gen_yield(NULL, NULL), "a bare yield (what kt_sleep(0) does) inside a task must resume with 0 (book §5.2)");
    kt_log_add(&LOG, "after-yield:done=%d,%d", kt_future_done(kt_task_future(c->a)),
               kt_future_done(kt_task_future(c->b)));
    return 0;
}

static void task_start_is_deferred_to_next_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    starter_ctx c = {loop, NULL, NULL};
    kt_task *main_task = spawn(loop, create_then_yield, &c);
    KT_CHECK_STR(LOG.buf, "",
                 "kt_create_task must not run any of the coroutine: its first step is scheduled with "
                 "kt_call_soon (book §5.3; asyncio case 039)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "created:A-done=0 A B after-yield:done=1,1",
                 "tasks start on the next iteration, in creation order, after their creator yields "
                 "(book §5.3; asyncio case 039)");
    kt_task_release(c.a);
    kt_task_release(c.b);
    kt_task_release(main_task);
    close_loop(loop);
}

/* asyncio case 055: a value and an error both come through the await. */
static int fail_after_yield(void *arg, void **result)
{
    (void)arg;
    (void)result;
    KT_CHECK_OK(kt_gen_yield(NULL, NULL), "a bare yield (what kt_sleep(0) does) inside a task must resume with 0 (book §5.2)");
    return E_VALUE;
}

static int await_child_results(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_task *good = spawn(loop, say_and_return, "value");
    kt_task *bad = spawn(loop, fail_after_yield, NULL);
    void *v = NULL;
    int rc = kt_await_task(good, &v);
    KT_CHECK_ERR(rc, 0, "awaiting a task that returned must give 0 (book §5.2; asyncio case 055)");
    KT_CHECK_STR((const char *)v, "value",
                 "kt_await must hand back the result the awaited task's coroutine returned (book §5.2)");
    v = (void *)"untouched";
    rc = kt_await_task(bad, &v);
    KT_CHECK_ERR(rc, E_VALUE,
                 "awaiting a task whose coroutine failed must return that error (asyncio: await re-raises "
                 "it) (book §5.2; asyncio case 055)");
    KT_CHECK(v == NULL, "kt_await must set *value_out to NULL when it returns an error (book §5.2)");
    kt_future *bf = kt_task_future(bad);
    KT_CHECK(kt_future_done(bf) && !kt_future_cancelled(bf),
             "a task whose coroutine failed is done and not cancelled (book §5.2; asyncio case 055)");
    KT_CHECK_ERR(kt_future_error(bf), E_VALUE, "the task's error is the coroutine's error (book §5.2)");
    kt_task_release(good);
    kt_task_release(bad);
    *result = (void *)"main-done";
    return 0;
}

static void result_and_error_travel_through_await(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, await_child_results, loop);
    run_all(loop);
    void *v = NULL;
    KT_CHECK_ERR(outcome(t, &v), 0, "the main coroutine returned 0, so its task must finish with a result (book §5.2)");
    KT_CHECK_STR((const char *)v, "main-done", "the task's result is what its coroutine stored in *result (book §5.2)");
    KT_CHECK_STR(HANDLER.buf, "", "no error was lost here: nothing may reach the exception handler");
    kt_task_release(t);
    close_loop(loop);
}

static void loop_keeps_pending_tasks_alive(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    sleeper s[3] = {{"x", 2, loop}, {"y", 1, loop}, {"z", 0, loop}};
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(kt_create_task(loop, sleeper_body, &s[i], NULL),
                    "kt_create_task with out == NULL (fire and forget) must succeed (book §5.3)");
    KT_CHECK_INT(kt_all_tasks(loop, NULL, 0), 3,
                 "the loop must list every pending task, even ones nobody else holds (book §5.3)");
    kt_task *list[3] = {NULL, NULL, NULL};
    kt_all_tasks(loop, list, 3);
    KT_CHECK(list[0] != NULL && list[1] != NULL && list[2] != NULL,
             "kt_all_tasks must fill out[] with the pending tasks (book §5.3)");
    run_iterations(loop, 2);
    KT_CHECK_INT(kt_all_tasks(loop, NULL, 0), 2,
                 "a finished task must leave the loop's list of tasks (book §5.3)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "z@0 y@1 x@2",
                 "tasks nobody holds must still run to the end: the loop keeps a reference to every "
                 "pending task (book §5.3)");
    close_loop(loop);
}

typedef struct current_ctx {
    kt_loop *loop;
    kt_task *self;
    int seen_self;
} current_ctx;

static int check_current(void *arg, void **result)
{
    (void)result;
    current_ctx *c = arg;
    c->seen_self = kt_current_task(c->loop) == c->self;
    KT_CHECK_OK(kt_sleep(1), "kt_sleep(1) inside a task must succeed (book §5.4)");
    c->seen_self += kt_current_task(c->loop) == c->self;
    return 0;
}

static void current_task_is_the_one_running(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    current_ctx c = {loop, NULL, 0};
    c.self = spawn(loop, check_current, &c);
    KT_CHECK(kt_current_task(loop) == NULL, "outside any step there is no current task (book §5.2)");
    run_all(loop);
    KT_CHECK_INT(c.seen_self, 2,
                 "kt_current_task must be the task whose coroutine is running, at its first step and "
                 "after every resume (set loop->current_task around the send) (book §5.2)");
    KT_CHECK(kt_current_task(loop) == NULL, "after the step, the current task must be reset to NULL (book §5.2)");
    kt_task_release(c.self);
    close_loop(loop);
}

static void stacks_are_taken_at_first_step_and_given_back(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_stack_stats before, pending, after;
    kt_stack_get_stats(&before);
    enum { N = 200 };
    kt_task *t[N];
    for (int i = 0; i < N; i++)
        t[i] = spawn(loop, say_and_return, "w");
    kt_stack_get_stats(&pending);
    KT_CHECK_INT(pending.in_use, before.in_use,
                 "a task takes its coroutine's stack at its first step, not at creation: N tasks that "
                 "have not started must not hold N stacks (book §5.3)");
    run_iterations(loop, 1);
    kt_stack_get_stats(&after);
    KT_CHECK_INT(after.in_use, before.in_use,
                 "a finished task must give its stack back at once, before its last reference goes "
                 "(book §5.3)");
    KT_CHECK(after.mapped - before.mapped <= 2,
             "tasks that run one after another must reuse pooled stacks, not map one each "
             "(book §5.3): mapped %llu new stacks for %d tasks", after.mapped - before.mapped, N);
    for (int i = 0; i < N; i++) {
        void *v = NULL;
        KT_CHECK_ERR(outcome(t[i], &v), 0, "each task returned 0 (book §5.2)");
        kt_task_release(t[i]);
    }
    close_loop(loop);
}

static void unretrieved_task_error_is_reported(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    /* Nobody keeps the failing task: its error can never be looked at. */
    KT_CHECK_OK(kt_create_task(loop, fail_after_yield, NULL, NULL), "kt_create_task must succeed (book §5.3)");
    /* This one is looked at, so it reports nothing. */
    kt_task *seen = spawn(loop, fail_after_yield, NULL);
    run_all(loop);
    KT_CHECK_STR(HANDLER.buf, "[Task exception was never retrieved|E_VALUE]",
                 "a task that failed and whose error nobody retrieved must be reported as \"Task exception "
                 "was never retrieved\" when its last reference goes: the task's class is named \"Task\" "
                 "(book §5.3; asyncio case 037)");
    KT_CHECK_ERR(kt_future_error(kt_task_future(seen)), E_VALUE, "the task's error is the coroutine's (book §5.2)");
    kt_task_release(seen);
    KT_CHECK_STR(HANDLER.buf, "[Task exception was never retrieved|E_VALUE]",
                 "an error that was retrieved must not be reported (book §5.3; asyncio case 037)");
    close_loop(loop);
}

/* Thousands of tasks sleeping pseudo-random delays all finish, in delay order. */
enum { MANY = 3000 };
static double finish_time[MANY];
static int finish_order[MANY];
static int finished;

typedef struct many_arg {
    int index;
    double delay;
    kt_loop *loop;
} many_arg;

static int many_body(void *arg, void **result)
{
    (void)result;
    many_arg *m = arg;
    int rc = kt_sleep(m->delay);
    if (rc < 0)
        return rc;
    finish_time[m->index] = kt_loop_time(m->loop);
    finish_order[finished++] = m->index;
    return 0;
}

static void thousands_of_tasks_finish_in_delay_order(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    static many_arg args[MANY];
    unsigned seed = 12345;
    double longest = 0;
    finished = 0;
    for (int i = 0; i < MANY; i++) {
        seed = seed * 1103515245u + 12345u;
        args[i] = (many_arg){i, (double)((seed >> 8) % 1000) / 100.0, loop};
        longest = fmax(longest, args[i].delay);
        KT_CHECK_OK(kt_create_task(loop, many_body, &args[i], NULL), "kt_create_task must succeed (book §5.3)");
    }
    run_all(loop);
    KT_CHECK_INT(finished, MANY, "every one of thousands of tasks must run to the end (book §5.3)");
    for (int i = 1; i < MANY; i++) {
        int p = finish_order[i - 1], q = finish_order[i];
        KT_CHECK(args[p].delay < args[q].delay || (args[p].delay == args[q].delay && p < q),
                 "sleeping tasks must wake in deadline order, ties in the order they went to sleep "
                 "(book §5.4): task %d (%gs) woke before task %d (%gs)", p, args[p].delay, q, args[q].delay);
    }
    for (int i = 0; i < MANY; i++)
        KT_CHECK_DBL(finish_time[i], args[i].delay, 1e-9, "a task sleeping d seconds wakes at d (book §5.4)");
    KT_CHECK_DBL(kt_loop_time(loop), longest, 1e-9,
                 "the tasks sleep concurrently: the whole run takes the longest delay, not the sum (book §5.4)");
    close_loop(loop);
}

/* ------------------------------------------------------------ §5.2 step and wake-up */

typedef struct fut_ctx {
    kt_loop *loop;
    kt_future *fut;
} fut_ctx;

static void say_cb(kt_loop *loop, void *word)
{
    (void)loop;
    kt_log_add(&LOG, "%s", (const char *)word);
}

static void resolver(kt_loop *loop, void *arg)
{
    fut_ctx *c = arg;
    kt_log_add(&LOG, "resolve");
    KT_CHECK_OK(kt_future_set_result(c->fut, "value"), "set_result on a pending future must work (Lab 04)");
    KT_CHECK_OK(kt_call_soon(loop, say_cb, "queued-after-set", NULL), "kt_call_soon must work (Lab 01)");
}

/* asyncio case 035 */
static int await_resolved_later(void *arg, void **result)
{
    (void)result;
    fut_ctx *c = arg;
    KT_CHECK_OK(kt_call_soon(c->loop, resolver, c, NULL), "kt_call_soon must work (Lab 01)");
    KT_CHECK_OK(kt_call_soon(c->loop, say_cb, "queued-after-resolver", NULL), "kt_call_soon must work (Lab 01)");
    void *v = NULL;
    int rc = kt_await(c->fut, &v);
    KT_CHECK_ERR(rc, 0, "awaiting a future that gets a result must return 0 (book §5.2)");
    kt_log_add(&LOG, "resumed:%s", (const char *)v);
    return 0;
}

static void task_resumes_one_iteration_after_set_result(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    fut_ctx c = {loop, NULL};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    kt_task *t = spawn(loop, await_resolved_later, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "resolve queued-after-resolver resumed:value queued-after-set",
                 "a task parked on a future resumes through the future's done callback (task_wakeup), "
                 "which set_result schedules with call_soon: in the iteration after set_result, in FIFO "
                 "order with other callbacks (book §5.2; asyncio case 035)");
    kt_future_release(c.fut);
    kt_task_release(t);
    close_loop(loop);
}

/* await on a future that is already done does not suspend (Future.__await__). */
static int await_done_future(void *arg, void **result)
{
    (void)result;
    fut_ctx *c = arg;
    KT_CHECK_OK(kt_call_soon(c->loop, say_cb, "callback", NULL), "kt_call_soon must work (Lab 01)");
    kt_log_add(&LOG, "before");
    void *v = NULL;
    int rc = kt_await(c->fut, &v);
    kt_log_add(&LOG, "got:%s:%s", code_name(rc), v ? (const char *)v : "NULL");
    KT_CHECK_OK(kt_gen_yield(NULL, NULL), "a bare yield (what kt_sleep(0) does) inside a task must resume with 0 (book §5.2)");
    kt_log_add(&LOG, "end");
    return 0;
}

static void await_done_future_does_not_suspend(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    fut_ctx c = {loop, NULL};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    KT_CHECK_OK(kt_future_set_result(c.fut, "seven"), "set_result must work (Lab 04)");
    kt_task *t = spawn(loop, await_done_future, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "before got:OK:seven callback end",
                 "awaiting a future that is already done returns its result at once, without yielding "
                 "to the loop: no callback may run in between (book §5.2; asyncio: Future.__await__ "
                 "only yields while the future is pending)");
    kt_future_release(c.fut);
    kt_task_release(t);
    close_loop(loop);
}

/* asyncio case 059 */
static int child_059(void *arg, void **result)
{
    (void)arg;
    KT_CHECK_OK(kt_gen_yield(NULL, NULL), "a bare yield (what kt_sleep(0) does) inside a task must resume with 0 (book §5.2)");
    kt_log_add(&LOG, "child-finishing");
    *result = "c";
    return 0;
}

static void log_done(kt_future *f, void *word)
{
    (void)f;
    kt_log_add(&LOG, "%s", (const char *)word);
}

static int main_059(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_task *t = spawn(loop, child_059, NULL);
    KT_CHECK_OK(kt_future_add_done_callback(kt_task_future(t), log_done, "done-callback"),
                "adding a done callback to a task's future must work (Lab 04)");
    void *v = NULL;
    KT_CHECK_ERR(kt_await_task(t, &v), 0, "awaiting a task that returned must give 0 (book §5.2)");
    kt_log_add(&LOG, "main-resumed:%s", (const char *)v);
    kt_task_release(t);
    return 0;
}

static void task_done_callbacks_then_awaiter(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, main_059, loop);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "child-finishing done-callback main-resumed:c",
                 "a task finishing schedules its done callbacks in registration order; the wake-up of a "
                 "task awaiting it is one of them, registered when it awaited (book §5.2; asyncio case 059)");
    kt_task_release(t);
    close_loop(loop);
}

/* Await and sleep are only for a task's own coroutine. */
static int plain_gen_body(void *arg, void **result)
{
    (void)result;
    (void)arg;
    int a = kt_sleep(0);
    int b = kt_await((kt_future *)arg, NULL);
    kt_log_add(&LOG, "in-plain-gen:%s,%s", code_name(a), code_name(b));
    return 0;
}

static int drives_plain_gen(void *arg, void **result)
{
    (void)result;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, plain_gen_body, arg, 0), "kt_gen_new must work (Lab 03)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "the plain generator runs to its end (Lab 03)");
    kt_gen_free(g);
    return 0;
}

static void cb_tries_to_await(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_log_add(&LOG, "in-callback:%s,%s", code_name(kt_sleep(1)), code_name(kt_await(arg, NULL)));
}

static void await_outside_a_task_is_enotcoro(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = NULL;
    KT_CHECK_OK(kt_future_new(loop, &f), "kt_future_new must work (given)");
    void *v = (void *)"x";
    KT_CHECK_ERR(kt_await(f, &v), KT_ENOTCORO,
                 "kt_await from plain code (no task running) must fail with KT_ENOTCORO (book §5.2)");
    KT_CHECK(v == NULL, "kt_await must set *value_out to NULL when it fails (book §5.2)");
    KT_CHECK_ERR(kt_sleep(1), KT_ENOTCORO, "kt_sleep outside a task must fail with KT_ENOTCORO (book §5.4)");
    KT_CHECK_ERR(kt_sleep(0), KT_ENOTCORO, "kt_sleep(0) outside a task must fail with KT_ENOTCORO (book §5.4)");
    KT_CHECK_OK(kt_call_soon(loop, cb_tries_to_await, f, NULL), "kt_call_soon must work (Lab 01)");
    kt_task *t = spawn(loop, drives_plain_gen, f);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "in-callback:ENOTCORO,ENOTCORO in-plain-gen:ENOTCORO,ENOTCORO",
                 "await and sleep must refuse with KT_ENOTCORO in a callback, and in a plain generator "
                 "that a coroutine drives (its yield would go to that coroutine, not to the task): check "
                 "that kt_gen_current() is the running task's own coroutine (book §5.2)");
    KT_CHECK(!kt_future_done(f), "a refused await must leave the future alone");
    kt_future_release(f);
    kt_task_release(t);
    close_loop(loop);
}

/* asyncio case 057: yielding something that is not a future. */
static int yields_an_int(void *arg, void **result)
{
    (void)arg;
    int rc = kt_gen_yield((void *)(intptr_t)42, NULL);
    kt_log_add(&LOG, "yield-returned:%s", code_name(rc));
    rc = kt_gen_yield(NULL, NULL); /* a bare yield is fine: sleep(0) */
    kt_log_add(&LOG, "bare-yield:%s", code_name(rc));
    *result = "recovered";
    return 0;
}

static void tick(kt_loop *loop, void *arg)
{
    (void)arg;
    /* Which iteration this is: 1, 2, 3. */
    kt_log_add(&LOG, "iter%d", (int)loop->iterations + 1);
    if (loop->iterations < 2)
        kt_call_soon(loop, tick, NULL, NULL);
}

static void bad_yield_is_thrown_back_next_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, yields_an_int, NULL);
    KT_CHECK_OK(kt_call_soon(loop, tick, NULL, NULL), "kt_call_soon must work (Lab 01)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "iter1 yield-returned:EBADYIELD iter2 bare-yield:OK iter3",
                 "a coroutine that yields anything but the future kt_await announced (or NULL) gets "
                 "KT_EBADYIELD thrown back at its yield on the next iteration; a bare NULL yield resumes "
                 "with 0 on the next iteration (book §5.2; asyncio case 057)");
    void *v = NULL;
    KT_CHECK_ERR(outcome(t, &v), 0, "the coroutine recovered and returned, so the task has a result (book §5.2)");
    KT_CHECK_STR((const char *)v, "recovered", "the task's result is the coroutine's (book §5.2)");
    kt_task_release(t);
    close_loop(loop);
}

/* asyncio: "Task cannot await on itself" comes one iteration later. */
static int awaits_itself(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    KT_CHECK_OK(kt_call_soon(loop, say_cb, "queued-before", NULL), "kt_call_soon must work (Lab 01)");
    kt_log_add(&LOG, "await-self");
    int rc = kt_await_task(kt_current_task(loop), NULL);
    kt_log_add(&LOG, "got:%s", code_name(rc));
    return 0;
}

static void awaiting_itself_fails_one_iteration_later(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, awaits_itself, loop);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "await-self queued-before got:EINVAL",
                 "a task awaiting itself yields like any await; its step sees the task itself and throws "
                 "KT_EINVAL back on the next iteration, after the callbacks already queued, as asyncio "
                 "does (\"Task cannot await on itself\") (book §5.2)");
    KT_CHECK_ERR(outcome(t, NULL), 0, "the coroutine caught the error and returned 0 (book §5.2)");
    kt_task_release(t);
    close_loop(loop);
}

/* The creator of a future lets go of it while a task is parked on it. */
static int parks_on(void *arg, void **result)
{
    (void)result;
    fut_ctx *c = arg;
    int rc = kt_await(c->fut, NULL);
    kt_log_add(&LOG, "await:%s", code_name(rc));
    return rc;
}

static void parked_task_keeps_its_future_alive(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    fut_ctx c = {loop, NULL};
    KT_CHECK_OK(kt_future_new(loop, &c.fut), "kt_future_new must work (given)");
    kt_task *t = spawn(loop, parks_on, &c);
    run_iterations(loop, 1);
    kt_future_release(c.fut); /* the task is now the only one holding it */
    c.fut = NULL;
    KT_CHECK_INT(kt_task_cancel(t, NULL), 1, "cancelling a parked task must return 1 (book §5.5)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "await:CANCELLED",
                 "kt_await must hold a reference on the future it parks on: its creator may let go "
                 "while the task waits, and the cancel and the wake-up still use it (book §5.2)");
    KT_CHECK(kt_future_cancelled(kt_task_future(t)), "the task ended cancelled (book §5.5)");
    kt_task_release(t);
    close_loop(loop);
}

/* Only a task's own step finishes it (asyncio: "Task does not support
 * set_result operation"). */
static int sleeps_then_returns(void *arg, void **result)
{
    (void)arg;
    int rc = kt_sleep(1);
    kt_log_add(&LOG, "woke:%s", code_name(rc));
    *result = "own";
    return 0;
}

static void a_task_is_finished_only_by_its_own_step(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = spawn(loop, sleeps_then_returns, NULL);
    run_iterations(loop, 1);
    KT_CHECK_ERR(kt_future_set_result(kt_task_future(t), "outside"), KT_ENOTSUPPORTED,
                 "set_result on a task's future must be refused: only the task's own step finishes it, "
                 "or its coroutine would never run again (book §5.7; asyncio: RuntimeError \"Task does "
                 "not support set_result operation\")");
    KT_CHECK_ERR(kt_future_set_error(kt_task_future(t), E_VALUE), KT_ENOTSUPPORTED,
                 "set_error on a task's future must be refused the same way (book §5.7)");
    KT_CHECK(!kt_future_done(kt_task_future(t)), "a refused set_result leaves the task pending (book §5.7)");
    run_all(loop);
    void *v = NULL;
    KT_CHECK_ERR(outcome(t, &v), 0, "the task finished through its own step (book §5.7)");
    KT_CHECK_STR((const char *)v, "own", "the task's result is its coroutine's, not the outsider's (book §5.7)");
    KT_CHECK_STR(LOG.buf, "woke:OK", "the coroutine ran to its end (book §5.7)");
    kt_task_release(t);
    close_loop(loop);
}

typedef struct bad_ctx {
    kt_loop *loop;
    kt_future *other_loop_future;
    kt_task *self;
} bad_ctx;

static int bad_awaits(void *arg, void **result)
{
    (void)result;
    bad_ctx *c = arg;
    KT_CHECK_ERR(kt_await(NULL, NULL), KT_EINVAL, "kt_await(NULL) must fail with KT_EINVAL (book §5.2)");
    KT_CHECK_ERR(kt_await_task(NULL, NULL), KT_EINVAL, "kt_await_task(NULL) must fail with KT_EINVAL (book §5.2)");
    KT_CHECK_ERR(kt_await(c->other_loop_future, NULL), KT_EINVAL,
                 "awaiting a future of another loop must fail with KT_EINVAL (book §5.2)");
    KT_CHECK_ERR(kt_await_task(kt_current_task(c->loop), NULL), KT_EINVAL,
                 "a task awaiting itself would wait forever: KT_EINVAL (book §5.2; asyncio: \"Task cannot "
                 "await on itself\")");
    KT_CHECK_ERR(kt_sleep(-1), KT_EINVAL, "kt_sleep with a negative delay must fail with KT_EINVAL (book §5.4)");
    KT_CHECK_ERR(kt_sleep(NAN), KT_EINVAL, "kt_sleep(NaN) must fail with KT_EINVAL (book §5.4)");
    KT_CHECK_ERR(kt_sleep(INFINITY), KT_EINVAL, "kt_sleep(infinity) must fail with KT_EINVAL (book §5.4)");
    kt_log_add(&LOG, "checked");
    return 0;
}

static void bad_arguments_get_clear_errors(void **state)
{
    (void)state;
    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "creating a loop (given code) must work");
    kt_loop *loop = new_loop();
    kt_task *t = (kt_task *)0x1;
    KT_CHECK_ERR(kt_create_task(NULL, say_and_return, NULL, &t), KT_EINVAL,
                 "kt_create_task with a NULL loop must fail with KT_EINVAL (book §5.3)");
    KT_CHECK(t == NULL, "a failed kt_create_task must set *out to NULL (book §5.3)");
    KT_CHECK_ERR(kt_create_task(loop, NULL, NULL, &t), KT_EINVAL,
                 "kt_create_task with a NULL coroutine must fail with KT_EINVAL (book §5.3)");
    bad_ctx c = {loop, NULL, NULL};
    KT_CHECK_OK(kt_future_new(other, &c.other_loop_future), "kt_future_new must work (given)");
    c.self = spawn(loop, bad_awaits, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "checked", "the coroutine checking bad arguments must run to its end (book §5.2)");
    KT_CHECK_ERR(outcome(c.self, NULL), 0, "the coroutine returned 0 (book §5.2)");
    kt_task_release(c.self);
    kt_future_release(c.other_loop_future);
    close_loop(loop);
    KT_CHECK_OK(kt_loop_close(other), "closing the other loop must work");
}

/* ------------------------------------------------------------ §5.4 sleeping */

typedef struct trio {
    kt_loop *loop;
    sleeper s[3];
} trio;

/* The classic: three tasks sleeping 3, 2 and 1 seconds, created together. */
static int concurrent_sleepers(void *arg, void **result)
{
    (void)result;
    trio *c = arg;
    kt_task *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = spawn(c->loop, sleeper_body, &c->s[i]);
    for (int i = 0; i < 3; i++) {
        KT_CHECK_ERR(kt_await_task(t[i], NULL), 0, "a sleeper task returns 0 (book §5.4)");
        kt_task_release(t[i]);
    }
    kt_log_add(&LOG, "main@%g", kt_loop_time(c->loop));
    return 0;
}

static void three_sleepers_finish_in_3_seconds_not_6(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    trio c = {loop, {{"a", 3, loop}, {"b", 2, loop}, {"c", 1, loop}}};
    kt_task *t = spawn(loop, concurrent_sleepers, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "c@1 b@2 a@3 main@3",
                 "three tasks sleeping 3, 2 and 1 s at once wake after 1, 2 and 3 s, and the whole run "
                 "takes 3 s, not 6: while one sleeps the loop runs the others (book §5.4)");
    kt_task_release(t);
    close_loop(loop);
}

/* The same three sleeps awaited one after the other, in the same task. */
static int sequential_sleepers(void *arg, void **result)
{
    trio *c = arg;
    for (int i = 0; i < 3; i++) {
        int rc = sleeper_body(&c->s[i], result); /* Python: await sleeper(3) ... */
        KT_CHECK_ERR(rc, 0, "a sleep inside the task returns 0 (book §5.4)");
    }
    kt_log_add(&LOG, "main@%g", kt_loop_time(c->loop));
    return 0;
}

static void sequential_awaits_take_the_sum(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    trio c = {loop, {{"a", 3, loop}, {"b", 2, loop}, {"c", 1, loop}}};
    kt_task *t = spawn(loop, sequential_sleepers, &c);
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "a@3 b@5 c@6 main@6",
                 "sleeps awaited one after the other in one coroutine add up (3 + 2 + 1 = 6 s): a "
                 "coroutine is suspended at each await, and nothing else was started (book §5.4)");
    kt_task_release(t);
    close_loop(loop);
}

/* asyncio case 041: sleep(0) round robin. */
static int worker_041(void *arg, void **result)
{
    (void)result;
    for (int i = 0; i < 3; i++) {
        kt_log_add(&LOG, "%s%d", (const char *)arg, i);
        KT_CHECK_OK(kt_sleep(0), "kt_sleep(0) inside a task must succeed (book §5.4)");
    }
    return 0;
}

static void sleep0_yields_exactly_one_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t[3] = {spawn(loop, worker_041, "A"), spawn(loop, worker_041, "B"), spawn(loop, worker_041, "C")};
    run_iterations(loop, 2);
    KT_CHECK_STR(LOG.buf, "A0 B0 C0 A1 B1 C1",
                 "kt_sleep(0) is a bare yield: the task steps again on the next iteration, no sooner and "
                 "no later (book §5.4; asyncio case 041)");
    run_all(loop);
    KT_CHECK_STR(LOG.buf, "A0 B0 C0 A1 B1 C1 A2 B2 C2",
                 "kt_sleep(0) gives round-robin interleaving (book §5.4; asyncio case 041)");
    KT_CHECK_DBL(kt_loop_time(loop), 0, 0, "kt_sleep(0) must not start a timer or move the clock (book §5.4)");
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    close_loop(loop);
}

static const kt_test_case tests[] = {
    /* step 4: kt_create_task */
    KT_TEST(task_start_is_deferred_to_next_iteration, 3,
            "a task starts on the next iteration, in creation order (book §5.3)"),
    KT_TEST(stacks_are_taken_at_first_step_and_given_back, 2,
            "a coroutine's stack is taken at its first step and given back when it finishes (book §5.3)"),
    /* step 5: task_wakeup and kt_await */
    KT_TEST(result_and_error_travel_through_await, 3,
            "await hands back the awaited task's result or error (book §5.2)"),
    KT_TEST(task_resumes_one_iteration_after_set_result, 3,
            "a parked task resumes through task_wakeup, one iteration after set_result (book §5.2)"),
    KT_TEST(await_done_future_does_not_suspend, 2, "awaiting a done future does not yield (book §5.2)"),
    KT_TEST(task_done_callbacks_then_awaiter, 2,
            "a task's done callbacks and its awaiter's wake-up run in registration order (book §5.2)"),
    KT_TEST(unretrieved_task_error_is_reported, 2,
            "\"Task exception was never retrieved\" (book §5.3)"),
    KT_TEST(bad_yield_is_thrown_back_next_iteration, 2, "a bad yield gets KT_EBADYIELD back (book §5.2)"),
    KT_TEST(awaiting_itself_fails_one_iteration_later, 2,
            "a task awaiting itself gets KT_EINVAL one iteration later, as in asyncio (book §5.2)"),
    KT_TEST(parked_task_keeps_its_future_alive, 2,
            "kt_await holds a reference on the future it parks on (book §5.2)"),
    /* step 6: kt_sleep (these two check kt_sleep's refusals too) */
    KT_TEST(await_outside_a_task_is_enotcoro, 2, "await and sleep outside a task: KT_ENOTCORO (book §5.2)"),
    KT_TEST(bad_arguments_get_clear_errors, 2, "bad arguments get KT_EINVAL, never a crash (book §5.2)"),
    KT_TEST(loop_keeps_pending_tasks_alive, 2, "the loop holds every pending task (book §5.3)"),
    KT_TEST(current_task_is_the_one_running, 1, "kt_current_task is the running task (book §5.2)"),
    KT_TEST(a_task_is_finished_only_by_its_own_step, 2,
            "set_result and set_error on a task are refused (book §5.7)"),
    KT_TEST(three_sleepers_finish_in_3_seconds_not_6, 3,
            "three tasks sleeping 3, 2, 1 s finish in 1, 2, 3 order after 3 s (book §5.4)"),
    KT_TEST(sequential_awaits_take_the_sum, 2, "sleeps awaited in sequence add up to 6 s (book §5.4)"),
    KT_TEST(sleep0_yields_exactly_one_iteration, 2, "kt_sleep(0) yields for exactly one iteration (book §5.4)"),
    KT_TEST_TIMEOUT(thousands_of_tasks_finish_in_delay_order, 3, 60,
                    "thousands of sleeping tasks run concurrently and wake in deadline order (book §5.4)"),
};

KT_MAIN("Lab 05 — tasks: step, await, sleep", tests)
