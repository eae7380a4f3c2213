/* test_args.c — Lab 07: every public function's argument checks (book §7.3).
 *
 * A bad argument gets a clear error code, never a crash: NULL objects,
 * NULL out-pointers, a negative semaphore, a barrier of no parties, a NaN
 * priority, a priority put on a queue that has none. Blocking calls are
 * checked from inside a task, so that the argument check is what answers. */
#include <limits.h>
#include <math.h>

#include "sync_test.h"

#define EINVAL_FOR(call, what) \
    KT_CHECK_ERR((call), KT_EINVAL, "%s must be refused with KT_EINVAL, not crash (book §7.3)", what)

static bool yes(void *arg)
{
    (void)arg;
    return true;
}

static int lock_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_lock *l = (kt_lock *)&l; /* not NULL: the call must reset it */
    EINVAL_FOR(kt_lock_new(NULL, &l), "kt_lock_new with a NULL loop");
    KT_CHECK(l == NULL, "a refused kt_lock_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_lock_new(loop, NULL), "kt_lock_new with a NULL out");
    EINVAL_FOR(kt_lock_free(NULL), "kt_lock_free(NULL)");
    EINVAL_FOR(kt_lock_acquire(NULL), "kt_lock_acquire(NULL)");
    EINVAL_FOR(kt_lock_release(NULL), "kt_lock_release(NULL)");
    KT_CHECK(!kt_lock_locked(NULL), "kt_lock_locked(NULL) is false (book §7.3)");
    return 0;
}

static int event_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_event *e = (kt_event *)&e;
    EINVAL_FOR(kt_event_new(NULL, &e), "kt_event_new with a NULL loop");
    KT_CHECK(e == NULL, "a refused kt_event_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_event_new(loop, NULL), "kt_event_new with a NULL out");
    EINVAL_FOR(kt_event_free(NULL), "kt_event_free(NULL)");
    EINVAL_FOR(kt_event_wait(NULL), "kt_event_wait(NULL)");
    EINVAL_FOR(kt_event_set(NULL), "kt_event_set(NULL)");
    EINVAL_FOR(kt_event_clear(NULL), "kt_event_clear(NULL)");
    KT_CHECK(!kt_event_is_set(NULL), "kt_event_is_set(NULL) is false (book §7.3)");
    return 0;
}

static int condition_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_condition *c = (kt_condition *)&c;
    EINVAL_FOR(kt_condition_new(NULL, NULL, &c), "kt_condition_new with a NULL loop");
    KT_CHECK(c == NULL, "a refused kt_condition_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_condition_new(loop, NULL, NULL), "kt_condition_new with a NULL out");
    EINVAL_FOR(kt_condition_free(NULL), "kt_condition_free(NULL)");
    KT_CHECK(kt_condition_lock(NULL) == NULL, "kt_condition_lock(NULL) is NULL (book §7.3)");
    EINVAL_FOR(kt_condition_wait(NULL), "kt_condition_wait(NULL)");
    EINVAL_FOR(kt_condition_wait_for(NULL, yes, NULL), "kt_condition_wait_for with a NULL condition");
    EINVAL_FOR(kt_condition_notify(NULL, 1), "kt_condition_notify(NULL)");
    EINVAL_FOR(kt_condition_notify_all(NULL), "kt_condition_notify_all(NULL)");
    KT_CHECK_OK(kt_condition_new(loop, NULL, &c), "kt_condition_new must work (book §7.6)");
    KT_CHECK_OK(kt_lock_acquire(kt_condition_lock(c)), "taking the condition's lock must work (book §7.6)");
    EINVAL_FOR(kt_condition_wait_for(c, NULL, NULL), "kt_condition_wait_for with a NULL predicate");
    KT_CHECK_OK(kt_lock_release(kt_condition_lock(c)), "releasing it must work (book §7.6)");
    KT_CHECK_OK(kt_condition_free(c), "kt_condition_free must work (book §7.6)");
    return 0;
}

static int semaphore_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_semaphore *s = (kt_semaphore *)&s;
    EINVAL_FOR(kt_semaphore_new(NULL, 1, &s), "kt_semaphore_new with a NULL loop");
    KT_CHECK(s == NULL, "a refused kt_semaphore_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_semaphore_new(loop, 1, NULL), "kt_semaphore_new with a NULL out");
    EINVAL_FOR(kt_semaphore_new(loop, -1, &s), "kt_semaphore_new with a negative value");
    EINVAL_FOR(kt_bounded_semaphore_new(NULL, 1, &s), "kt_bounded_semaphore_new with a NULL loop");
    EINVAL_FOR(kt_bounded_semaphore_new(loop, 1, NULL), "kt_bounded_semaphore_new with a NULL out");
    EINVAL_FOR(kt_bounded_semaphore_new(loop, -5, &s), "kt_bounded_semaphore_new with a negative value");
    EINVAL_FOR(kt_semaphore_free(NULL), "kt_semaphore_free(NULL)");
    EINVAL_FOR(kt_semaphore_acquire(NULL), "kt_semaphore_acquire(NULL)");
    EINVAL_FOR(kt_semaphore_release(NULL), "kt_semaphore_release(NULL)");
    KT_CHECK(!kt_semaphore_locked(NULL), "kt_semaphore_locked(NULL) is false (book §7.3)");
    KT_CHECK_INT(kt_semaphore_value(NULL), 0, "kt_semaphore_value(NULL) is 0 (book §7.3)");
    KT_CHECK_OK(kt_semaphore_new(loop, INT_MAX, &s), "kt_semaphore_new(INT_MAX) must work (book §7.7)");
    KT_CHECK_ERR(kt_semaphore_release(s), KT_EOVERRELEASE,
                 "a plain semaphore at INT_MAX cannot count further: KT_EOVERRELEASE, not an overflow (book §7.7)");
    KT_CHECK_INT(kt_semaphore_value(s), INT_MAX, "a refused release must not change the count (book §7.7)");
    KT_CHECK_OK(kt_semaphore_free(s), "kt_semaphore_free must work (book §7.7)");
    return 0;
}

static int barrier_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_barrier *b = (kt_barrier *)&b;
    EINVAL_FOR(kt_barrier_new(NULL, 2, &b), "kt_barrier_new with a NULL loop");
    KT_CHECK(b == NULL, "a refused kt_barrier_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_barrier_new(loop, 2, NULL), "kt_barrier_new with a NULL out");
    EINVAL_FOR(kt_barrier_new(loop, 0, &b), "kt_barrier_new with 0 parties");
    EINVAL_FOR(kt_barrier_free(NULL), "kt_barrier_free(NULL)");
    EINVAL_FOR(kt_barrier_wait(NULL), "kt_barrier_wait(NULL)");
    EINVAL_FOR(kt_barrier_abort(NULL), "kt_barrier_abort(NULL)");
    EINVAL_FOR(kt_barrier_reset(NULL), "kt_barrier_reset(NULL)");
    KT_CHECK_INT(kt_barrier_parties(NULL), 0, "kt_barrier_parties(NULL) is 0 (book §7.3)");
    KT_CHECK_INT(kt_barrier_n_waiting(NULL), 0, "kt_barrier_n_waiting(NULL) is 0 (book §7.3)");
    KT_CHECK(!kt_barrier_broken(NULL), "kt_barrier_broken(NULL) is false (book §7.3)");
    return 0;
}

static int queue_args(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_queue *q = (kt_queue *)&q;
    void *v = NULL;
    EINVAL_FOR(kt_queue_new(NULL, 0, &q), "kt_queue_new with a NULL loop");
    KT_CHECK(q == NULL, "a refused kt_queue_new must set *out to NULL (book §7.3)");
    EINVAL_FOR(kt_queue_new(loop, 0, NULL), "kt_queue_new with a NULL out");
    EINVAL_FOR(kt_lifo_queue_new(NULL, 0, &q), "kt_lifo_queue_new with a NULL loop");
    EINVAL_FOR(kt_priority_queue_new(loop, 0, NULL), "kt_priority_queue_new with a NULL out");
    EINVAL_FOR(kt_queue_free(NULL), "kt_queue_free(NULL)");
    EINVAL_FOR(kt_queue_put(NULL, NULL), "kt_queue_put(NULL)");
    EINVAL_FOR(kt_queue_put_nowait(NULL, NULL), "kt_queue_put_nowait(NULL)");
    EINVAL_FOR(kt_queue_put_priority(NULL, 1, NULL), "kt_queue_put_priority(NULL)");
    EINVAL_FOR(kt_queue_put_priority_nowait(NULL, 1, NULL), "kt_queue_put_priority_nowait(NULL)");
    EINVAL_FOR(kt_queue_get(NULL, &v), "kt_queue_get(NULL)");
    EINVAL_FOR(kt_queue_get_nowait(NULL, &v), "kt_queue_get_nowait(NULL)");
    EINVAL_FOR(kt_queue_task_done(NULL), "kt_queue_task_done(NULL)");
    EINVAL_FOR(kt_queue_join(NULL), "kt_queue_join(NULL)");
    KT_CHECK_INT(kt_queue_qsize(NULL), 0, "kt_queue_qsize(NULL) is 0 (book §7.3)");
    KT_CHECK_INT(kt_queue_maxsize(NULL), 0, "kt_queue_maxsize(NULL) is 0 (book §7.3)");
    KT_CHECK(!kt_queue_empty(NULL) && !kt_queue_full(NULL), "empty/full of NULL are false (book §7.3)");
    KT_CHECK_INT(kt_queue_unfinished(NULL), 0, "kt_queue_unfinished(NULL) is 0 (book §7.3)");

    KT_CHECK_OK(kt_queue_new(loop, 3, &q), "kt_queue_new must work (book §7.9)");
    KT_CHECK_INT(kt_queue_maxsize(q), 3, "kt_queue_maxsize gives the maxsize it was made with (book §7.9)");
    EINVAL_FOR(kt_queue_get(q, NULL), "kt_queue_get with a NULL item_out");
    EINVAL_FOR(kt_queue_get_nowait(q, NULL), "kt_queue_get_nowait with a NULL item_out");
    EINVAL_FOR(kt_queue_put_priority(q, 1, NULL), "kt_queue_put_priority on a FIFO queue");
    EINVAL_FOR(kt_queue_put_priority_nowait(q, 1, NULL), "kt_queue_put_priority_nowait on a FIFO queue");
    KT_CHECK_INT(kt_queue_qsize(q), 0, "refused puts must not store anything (book §7.9)");
    KT_CHECK_OK(kt_queue_free(q), "kt_queue_free must work (book §7.9)");
    KT_CHECK_OK(kt_priority_queue_new(loop, 0, &q), "kt_priority_queue_new must work (book §7.9)");
    EINVAL_FOR(kt_queue_put_priority(q, NAN, NULL), "a NaN priority");
    EINVAL_FOR(kt_queue_put_priority_nowait(q, NAN, NULL), "a NaN priority");
    KT_CHECK_OK(kt_queue_put(q, NULL), "a plain put on a priority queue is priority 0 (book §7.9)");
    KT_CHECK_OK(kt_queue_put_priority_nowait(q, -1, &v), "a priority put (book §7.9)");
    v = NULL;
    KT_CHECK_OK(kt_queue_get_nowait(q, &v), "get_nowait must work (book §7.9)");
    KT_CHECK(v == &v, "priority -1 comes out before the plain put's priority 0 (book §7.9)");
    KT_CHECK_OK(kt_queue_free(q), "kt_queue_free frees what is still in it, not the items (book §7.9)");
    return 0;
}

#define ARGS_TEST(name, body)                                                  \
    static void name(void **state)                                             \
    {                                                                          \
        (void)state;                                                           \
        kt_loop *loop = new_loop();                                            \
        kt_task *t = NULL;                                                     \
        SPAWN(loop, body, loop, &t);                                           \
        RUN_ALL(loop);                                                         \
        KT_CHECK_OK(kt_future_result(kt_task_future(t), NULL),                 \
                    "the checks ran in a task that must finish (book §7.3)");  \
        kt_task_release(t);                                                    \
        CLOSE_LOOP(loop);                                                      \
    }

ARGS_TEST(lock_rejects_bad_arguments, lock_args)
ARGS_TEST(event_rejects_bad_arguments, event_args)
ARGS_TEST(condition_rejects_bad_arguments, condition_args)
ARGS_TEST(semaphore_rejects_bad_arguments, semaphore_args)
ARGS_TEST(barrier_rejects_bad_arguments, barrier_args)
ARGS_TEST(queue_rejects_bad_arguments, queue_args)

static const kt_test_case tests[] = {
    KT_TEST(lock_rejects_bad_arguments, 1, "Lock: NULL arguments are KT_EINVAL (book §7.3)"),
    KT_TEST(event_rejects_bad_arguments, 1, "Event: NULL arguments are KT_EINVAL (book §7.3)"),
    KT_TEST(condition_rejects_bad_arguments, 1, "Condition: bad arguments are KT_EINVAL (book §7.3)"),
    KT_TEST(semaphore_rejects_bad_arguments, 1, "Semaphore: NULL or a negative value is KT_EINVAL (book §7.3)"),
    KT_TEST(barrier_rejects_bad_arguments, 1, "Barrier: NULL or 0 parties is KT_EINVAL (book §7.3)"),
    KT_TEST(queue_rejects_bad_arguments, 2, "Queue: bad arguments are KT_EINVAL (book §7.3)"),
};

KT_MAIN("Lab 07 — sync: argument checks", tests)
