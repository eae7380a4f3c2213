/* test_lifecycle.c — Lab 07: life cycles, freeing with waiters, the loop
 * rules (book §7.3).
 *
 * Every object goes through two full life cycles back to back (made, waited
 * in, freed); freeing one that a task waits in (or was woken in and has not
 * resumed) is refused and leaks nothing; a blocking call outside a task is
 * KT_ENOTCORO; any call from a task of another loop is KT_EWRONGLOOP. */
#include "sync_test.h"

typedef struct objs {
    kt_loop *loop;
    kt_lock *lock;
    kt_event *ev;
    kt_condition *cond;
    kt_semaphore *sem;
    kt_barrier *bar;
    kt_queue *q;
} objs;

static void make_all(kt_loop *loop, objs *o)
{
    o->loop = loop;
    KT_CHECK_OK(kt_lock_new(loop, &o->lock), "kt_lock_new must work (book §7.4)");
    KT_CHECK_OK(kt_event_new(loop, &o->ev), "kt_event_new must work (book §7.5)");
    KT_CHECK_OK(kt_condition_new(loop, NULL, &o->cond), "kt_condition_new must work (book §7.6)");
    KT_CHECK_OK(kt_semaphore_new(loop, 0, &o->sem), "kt_semaphore_new must work (book §7.7)");
    KT_CHECK_OK(kt_barrier_new(loop, 2, &o->bar), "kt_barrier_new must work (book §7.8)");
    KT_CHECK_OK(kt_queue_new(loop, 1, &o->q), "kt_queue_new must work (book §7.9)");
}

static void free_all(objs *o)
{
    KT_CHECK_OK(kt_lock_free(o->lock), "an idle lock must be freed (book §7.3)");
    KT_CHECK_OK(kt_event_free(o->ev), "an idle event must be freed (book §7.3)");
    KT_CHECK_OK(kt_condition_free(o->cond), "an idle condition must be freed (book §7.3)");
    KT_CHECK_OK(kt_semaphore_free(o->sem), "an idle semaphore must be freed (book §7.3)");
    KT_CHECK_OK(kt_barrier_free(o->bar), "an idle barrier must be freed (book §7.3)");
    KT_CHECK_OK(kt_queue_free(o->q), "an idle queue must be freed (book §7.3)");
}

/* A task that waits in every object once, in turn. */
static int waits_everywhere(void *arg, void **result)
{
    (void)result;
    objs *o = arg;
    void *v = NULL;
    kt_log_add(&LOG, "lock:%s", code_name(kt_lock_acquire(o->lock)));
    kt_lock_release(o->lock);
    kt_log_add(&LOG, "event:%s", code_name(kt_event_wait(o->ev)));
    kt_lock_acquire(kt_condition_lock(o->cond));
    kt_log_add(&LOG, "cond:%s", code_name(kt_condition_wait(o->cond)));
    kt_lock_release(kt_condition_lock(o->cond));
    kt_log_add(&LOG, "sem:%s", code_name(kt_semaphore_acquire(o->sem)));
    kt_log_add(&LOG, "bar:%d", kt_barrier_wait(o->bar));
    kt_log_add(&LOG, "get:%s", code_name(kt_queue_get(o->q, &v)));
    return 0;
}

/* Its partner, which wakes it each time. */
static int wakes_everything(void *arg, void **result)
{
    (void)result;
    objs *o = arg;
    kt_lock_acquire(o->lock);
    kt_sleep(0);
    kt_lock_release(o->lock);
    kt_sleep(0);
    kt_event_set(o->ev);
    kt_sleep(0);
    kt_lock_acquire(kt_condition_lock(o->cond));
    kt_condition_notify(o->cond, 1);
    kt_lock_release(kt_condition_lock(o->cond));
    kt_sleep(0);
    kt_semaphore_release(o->sem);
    kt_barrier_wait(o->bar);
    kt_sleep(0);
    kt_queue_put(o->q, NULL);
    return 0;
}

static void every_object_survives_two_life_cycles(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    for (int round = 0; round < 2; round++) {
        objs o;
        kt_log_init(&LOG);
        make_all(loop, &o);
        SPAWN(loop, wakes_everything, &o, NULL);
        SPAWN(loop, waits_everywhere, &o, NULL);
        RUN_ALL(loop);
        KT_CHECK_STR(LOG.buf, "lock:OK event:OK cond:OK sem:OK bar:1 get:OK",
                     "round %d: every object must be usable, waited in and woken, then freed, and a "
                     "second set made on the same loop must work the same (book §7.3)", round + 1);
        free_all(&o);
    }
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ free with waiters */

static int parked(void *arg, void **result)
{
    (void)result;
    objs *o = arg;
    void *v = NULL;
    int rc;
    if (o->lock)
        rc = kt_lock_acquire(o->lock);
    else if (o->ev)
        rc = kt_event_wait(o->ev);
    else if (o->cond) {
        kt_lock_acquire(kt_condition_lock(o->cond));
        rc = kt_condition_wait(o->cond);
        kt_lock_release(kt_condition_lock(o->cond));
    } else if (o->sem)
        rc = kt_semaphore_acquire(o->sem);
    else if (o->bar)
        rc = kt_barrier_wait(o->bar);
    else
        rc = kt_queue_get(o->q, &v);
    kt_log_add(&LOG, "%s", code_name(rc < 0 ? rc : 0));
    return 0;
}

/* Inside a task: park a task in the object, try to free it (refused), wake
 * the waiter with `wake`, try again before it resumed (refused), let it
 * finish, free (works). */
#define FREE_WITH_WAITER(field, obj, freefn, wake, what)                                               \
    do {                                                                                               \
        objs o = {.loop = loop};                                                                       \
        o.field = obj;                                                                                 \
        kt_task *t = NULL;                                                                             \
        SPAWN(loop, parked, &o, &t);                                                                   \
        kt_sleep(0);                                                                                   \
        KT_CHECK_ERR(freefn(obj), KT_EINVALSTATE,                                                      \
                     "freeing a %s a task waits in must be refused with KT_EINVALSTATE (book §7.3)",    \
                     what);                                                                            \
        wake;                                                                                          \
        KT_CHECK_ERR(freefn(obj), KT_EINVALSTATE,                                                      \
                     "freeing a %s whose waiter was woken but has not resumed yet must be refused: "    \
                     "the task will touch it when it runs (book §7.3)", what);                          \
        kt_await_task(t, NULL);                                                                        \
        kt_task_release(t);                                                                            \
        KT_CHECK_OK(freefn(obj), "once its waiter has left, the %s must be freed (book §7.3)", what);   \
    } while (0)

static int main_free(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_lock *lock = NULL;
    kt_event *ev = NULL;
    kt_condition *cond = NULL;
    kt_semaphore *sem = NULL;
    kt_barrier *bar = NULL;
    kt_queue *q = NULL;
    KT_CHECK_OK(kt_lock_new(loop, &lock), "kt_lock_new must work (book §7.4)");
    KT_CHECK_OK(kt_lock_acquire(lock), "acquire must work (book §7.4)");
    FREE_WITH_WAITER(lock, lock, kt_lock_free, kt_lock_release(lock), "lock");
    KT_CHECK_OK(kt_event_new(loop, &ev), "kt_event_new must work (book §7.5)");
    FREE_WITH_WAITER(ev, ev, kt_event_free, kt_event_set(ev), "event");
    KT_CHECK_OK(kt_condition_new(loop, NULL, &cond), "kt_condition_new must work (book §7.6)");
    FREE_WITH_WAITER(cond, cond, kt_condition_free,
                     (kt_lock_acquire(kt_condition_lock(cond)), kt_condition_notify(cond, 1),
                      kt_lock_release(kt_condition_lock(cond))),
                     "condition");
    KT_CHECK_OK(kt_semaphore_new(loop, 0, &sem), "kt_semaphore_new must work (book §7.7)");
    FREE_WITH_WAITER(sem, sem, kt_semaphore_free, kt_semaphore_release(sem), "semaphore");
    KT_CHECK_OK(kt_barrier_new(loop, 2, &bar), "kt_barrier_new must work (book §7.8)");
    FREE_WITH_WAITER(bar, bar, kt_barrier_free, kt_barrier_wait(bar), "barrier");
    KT_CHECK_OK(kt_queue_new(loop, 0, &q), "kt_queue_new must work (book §7.9)");
    FREE_WITH_WAITER(q, q, kt_queue_free, kt_queue_put_nowait(q, NULL), "queue");
    return 0;
}

static void freeing_an_object_with_waiters_is_refused(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t = NULL;
    SPAWN(loop, main_free, loop, &t);
    RUN_ALL(loop);
    KT_CHECK_OK(kt_future_result(kt_task_future(t), NULL), "the test's task must finish (book §7.3)");
    kt_task_release(t);
    KT_CHECK_STR(LOG.buf, "OK OK OK OK OK OK",
                 "each parked task must get what woke it: the lock, the event, the notify, the permit, "
                 "the barrier's round, the item (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ blocking outside a task */

static bool yes(void *arg)
{
    (void)arg;
    return true;
}

static void blocking_calls_outside_a_task_are_refused(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    objs o;
    make_all(loop, &o);
    KT_CHECK_OK(kt_event_set(o.ev), "kt_event_set works from plain code (book §7.3)");
    KT_CHECK_OK(kt_semaphore_release(o.sem), "kt_semaphore_release works from plain code (book §7.3)");
    const char *rule = "a call that may wait needs a task's coroutine: KT_ENOTCORO from plain code, even "
                       "when it would not have had to wait (book §7.3)";
    void *v = NULL;
    KT_CHECK_ERR(kt_lock_acquire(o.lock), KT_ENOTCORO, "%s", rule);
    KT_CHECK(!kt_lock_locked(o.lock), "a refused acquire must not take the lock (book §7.3)");
    KT_CHECK_ERR(kt_event_wait(o.ev), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_condition_wait(o.cond), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_condition_wait_for(o.cond, yes, NULL), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_semaphore_acquire(o.sem), KT_ENOTCORO, "%s", rule);
    KT_CHECK_INT(kt_semaphore_value(o.sem), 1, "a refused acquire must not take a permit (book §7.3)");
    KT_CHECK_ERR(kt_barrier_wait(o.bar), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_barrier_abort(o.bar), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_barrier_reset(o.bar), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_queue_put(o.q, NULL), KT_ENOTCORO, "%s", rule);
    KT_CHECK_ERR(kt_queue_join(o.q), KT_ENOTCORO, "%s", rule);
    KT_CHECK_OK(kt_queue_put_nowait(o.q, NULL), "kt_queue_put_nowait works from plain code (book §7.3)");
    KT_CHECK_ERR(kt_queue_get(o.q, &v), KT_ENOTCORO, "%s", rule);
    KT_CHECK_OK(kt_queue_get_nowait(o.q, &v), "kt_queue_get_nowait works from plain code (book §7.3)");
    KT_CHECK_OK(kt_queue_task_done(o.q), "kt_queue_task_done works from plain code (book §7.3)");
    free_all(&o);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ another loop */

static int from_other_loop(void *arg, void **result)
{
    (void)result;
    objs *o = arg;
    const char *rule = "using a primitive from a task of another loop must be refused with KT_EWRONGLOOP "
                       "and change nothing (book §7.3)";
    void *v = NULL;
    kt_condition *c = NULL;
    KT_CHECK_ERR(kt_lock_acquire(o->lock), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_lock_release(o->lock), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_event_wait(o->ev), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_event_set(o->ev), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_event_clear(o->ev), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_condition_wait(o->cond), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_condition_notify(o->cond, 1), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_condition_notify_all(o->cond), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_semaphore_acquire(o->sem), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_semaphore_release(o->sem), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_barrier_wait(o->bar), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_barrier_abort(o->bar), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_barrier_reset(o->bar), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_put(o->q, NULL), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_put_nowait(o->q, NULL), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_get(o->q, &v), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_get_nowait(o->q, &v), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_task_done(o->q), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_queue_join(o->q), KT_EWRONGLOOP, "%s", rule);
    KT_CHECK_ERR(kt_condition_new(kt_get_running_loop(), o->lock, &c), KT_EWRONGLOOP,
                 "a condition over a lock of another loop must be refused with KT_EWRONGLOOP (book §7.6)");
    KT_CHECK(c == NULL, "a refused kt_condition_new must leave *out NULL (book §7.6)");
    return 0;
}

static void a_primitive_of_another_loop_is_refused(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "creating a second loop (given code)");
    objs o;
    make_all(loop, &o);
    KT_CHECK_OK(kt_lock_acquire(kt_condition_lock(o.cond)) == KT_ENOTCORO ? 0 : -1,
                "(setup) acquire from plain code is KT_ENOTCORO (book §7.3)");
    KT_CHECK_OK(kt_event_set(o.ev), "kt_event_set works from plain code (book §7.3)");
    kt_task *t = NULL;
    SPAWN(other, from_other_loop, &o, &t);
    for (int i = 0; i < 100 && kt_loop_run_once(other) != KT_EDEADLOCK; i++)
        ;
    KT_CHECK_OK(kt_future_result(kt_task_future(t), NULL), "the other loop's task must finish (book §7.3)");
    kt_task_release(t);
    KT_CHECK(kt_event_is_set(o.ev), "a refused clear must leave the event set (book §7.3)");
    KT_CHECK_INT(kt_queue_qsize(o.q), 0, "a refused put must not store anything (book §7.3)");
    KT_CHECK_INT(kt_semaphore_value(o.sem), 0, "a refused release must not add a permit (book §7.3)");
    free_all(&o);
    KT_CHECK_OK(kt_loop_close(other), "the second loop must close (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(every_object_survives_two_life_cycles, 2, "two life cycles back to back (book §7.3)"),
    KT_TEST(freeing_an_object_with_waiters_is_refused, 3,
            "freeing an object with waiters is KT_EINVALSTATE, no leak, no crash (book §7.3)"),
    KT_TEST(blocking_calls_outside_a_task_are_refused, 2, "blocking calls need a task: KT_ENOTCORO (book §7.3)"),
    KT_TEST(a_primitive_of_another_loop_is_refused, 2, "a primitive of another loop: KT_EWRONGLOOP (book §7.3)"),
};

KT_MAIN("Lab 07 — sync: life cycles and loops", tests)
