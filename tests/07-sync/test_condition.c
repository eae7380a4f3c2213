/* test_condition.c — Lab 07: asyncio.Condition (book §7.6).
 *
 * Shared cases 095, 097, 099 and
 * tests/07-sync/scenarios/condition_wait_for_notify_n.py. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_condition *cond;
    const char *name;
    int items;
} ctx;

static void new_cond(kt_loop *loop, kt_condition **out)
{
    KT_CHECK_OK(kt_condition_new(loop, NULL, out), "kt_condition_new with a valid loop must work (book §7.6)");
    KT_CHECK(*out != NULL, "kt_condition_new must hand back the condition in *out (book §7.6)");
}

#define LOCK(c) KT_CHECK_OK(kt_lock_acquire(kt_condition_lock(c)), "taking the condition's lock must work (book §7.6)")
#define UNLOCK(c) KT_CHECK_OK(kt_lock_release(kt_condition_lock(c)), "the condition's lock must be held here (book §7.6)")

/* ------------------------------------------------------------ case 095 */

static int main_095(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_log_add(&LOG, "wait:%s", code_name(kt_condition_wait(c->cond)));
    kt_log_add(&LOG, "notify:%s", code_name(kt_condition_notify(c->cond, 1)));
    kt_log_add(&LOG, "notify_all:%s", code_name(kt_condition_notify_all(c->cond)));
    return 0;
}

static void condition_requires_the_lock(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_095, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "wait:ENOTLOCKED notify:ENOTLOCKED notify_all:ENOTLOCKED",
                 "wait, notify and notify_all need the condition's lock held: KT_ENOTLOCKED otherwise "
                 "(book §7.6; asyncio case 095)");
    KT_CHECK(!kt_lock_locked(kt_condition_lock(c.cond)), "a refused wait must not touch the lock (book §7.6)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 097 and notify(n) */

static int cond_waiter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    LOCK(c->cond);
    int rc = kt_condition_wait(c->cond);
    kt_log_add(&LOG, "%s:%s:locked=%d", c->name, code_name(rc), kt_lock_locked(kt_condition_lock(c->cond)));
    UNLOCK(c->cond);
    return rc;
}

static size_t pending(kt_task **t, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !kt_future_done(kt_task_future(t[i]));
    return k;
}

static int main_097(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->cond, "w0", 0}, {c->loop, c->cond, "w1", 0}, {c->loop, c->cond, "w2", 0}};
    kt_task *t[3];
    for (int i = 0; i < 3; i++)
        SPAWN(c->loop, cond_waiter, &w[i], &t[i]);
    kt_sleep(0);
    LOCK(c->cond);
    kt_log_add(&LOG, "n1:%d", kt_condition_notify(c->cond, 1));
    kt_log_add(&LOG, "n2:%d", kt_condition_notify(c->cond, 1));
    UNLOCK(c->cond);
    kt_sleep(0.01);
    kt_log_add(&LOG, "left:%zu", pending(t, 3));
    kt_task_cancel(t[2], NULL);
    for (int i = 0; i < 3; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    return 0;
}

static void condition_notify_skips_woken_waiters(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_097, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "n1:1 n2:1 w0:OK:locked=1 w1:OK:locked=1 left:1 w2:CANCELLED:locked=1",
                 "notify(1) twice wakes two different waiters: a waiter already woken (its future done) "
                 "is skipped and not counted; each woken waiter holds the lock again when wait returns, "
                 "even a cancelled one (book §7.6; asyncio case 097)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static int main_notify_n(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[4] = {{c->loop, c->cond, "w0", 0}, {c->loop, c->cond, "w1", 0}, {c->loop, c->cond, "w2", 0},
                {c->loop, c->cond, "w3", 0}};
    kt_task *t[4];
    for (int i = 0; i < 4; i++)
        SPAWN(c->loop, cond_waiter, &w[i], &t[i]);
    kt_sleep(0);
    LOCK(c->cond);
    kt_condition_notify(c->cond, 2);
    UNLOCK(c->cond);
    kt_sleep(0.01);
    kt_log_add(&LOG, "still-waiting:%zu", pending(t, 4));
    LOCK(c->cond);
    kt_log_add(&LOG, "all:%d", kt_condition_notify_all(c->cond));
    UNLOCK(c->cond);
    for (int i = 0; i < 4; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    return 0;
}

static void condition_notify_n_wakes_the_first_n(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_notify_n, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "w0:OK:locked=1 w1:OK:locked=1 still-waiting:2 all:2 w2:OK:locked=1 w3:OK:locked=1",
                 "notify(n) wakes the first n waiters in the order they waited; notify_all wakes the "
                 "rest and returns how many (book §7.6; scenario condition_wait_for_notify_n.py)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ notify(0), notify(-1), notify(n > waiters) */

static int main_notify_bounds(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->cond, "w0", 0}, {c->loop, c->cond, "w1", 0}, {c->loop, c->cond, "w2", 0}};
    kt_task *t[3];
    for (int i = 0; i < 3; i++)
        SPAWN(c->loop, cond_waiter, &w[i], &t[i]);
    kt_sleep(0);
    LOCK(c->cond);
    kt_log_add(&LOG, "n0:%d", kt_condition_notify(c->cond, 0));
    kt_log_add(&LOG, "n-1:%d", kt_condition_notify(c->cond, -1));
    UNLOCK(c->cond);
    kt_sleep(0.01);
    kt_log_add(&LOG, "still-waiting:%zu", pending(t, 3));
    LOCK(c->cond);
    kt_log_add(&LOG, "n10:%d", kt_condition_notify(c->cond, 10));
    UNLOCK(c->cond);
    for (int i = 0; i < 3; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    return 0;
}

static void condition_notify_wakes_at_most_n(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_notify_bounds, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "n0:0 n-1:0 still-waiting:3 n10:3 w0:OK:locked=1 w1:OK:locked=1 w2:OK:locked=1",
                 "notify(n) looks at the count before it wakes anyone: notify(0) and notify(-1) wake "
                 "nobody, and notify(10) with three waiters wakes the three and returns 3 "
                 "(book §7.6; scenario condition_notify_bounds.py)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ wait_for */

static bool two_items(void *arg)
{
    ctx *c = arg;
    kt_log_add(&LOG, "pred(%d)", c->items);
    return c->items >= 2;
}

static int consumer(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    LOCK(c->cond);
    int rc = kt_condition_wait_for(c->cond, two_items, c);
    kt_log_add(&LOG, "consumer:%s:items=%d:locked=%d", code_name(rc), c->items,
               kt_lock_locked(kt_condition_lock(c->cond)));
    UNLOCK(c->cond);
    return rc;
}

static int main_wait_for(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t;
    SPAWN(c->loop, consumer, c, &t);
    kt_sleep(0);
    for (int i = 0; i < 3; i++) {
        LOCK(c->cond);
        c->items++;
        kt_log_add(&LOG, "produced%d", i);
        kt_condition_notify(c->cond, 1);
        UNLOCK(c->cond);
        kt_sleep(0.01);
    }
    kt_await_task(t, NULL);
    kt_task_release(t);
    return 0;
}

static void condition_wait_for_rechecks_the_predicate(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_wait_for, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "pred(0) produced0 pred(1) produced1 pred(2) consumer:OK:items=2:locked=1 produced2",
                 "wait_for checks the predicate first and again after each wake-up, with the lock held, "
                 "and returns once it is true (book §7.6; scenario condition_wait_for_notify_n.py)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 099 */

static int waiter_099(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    LOCK(c->cond);
    int rc = kt_condition_wait(c->cond);
    kt_log_add(&LOG, "waiter:%s:holds=%d", code_name(rc), kt_lock_locked(kt_condition_lock(c->cond)));
    UNLOCK(c->cond);
    return rc;
}

static int main_099(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t;
    SPAWN(c->loop, waiter_099, c, &t);
    kt_sleep(0);
    LOCK(c->cond);
    kt_task_cancel(t, NULL);
    kt_sleep(0.01);
    kt_log_add(&LOG, "main-holds;waiter-blocked:%d", !kt_future_done(kt_task_future(t)));
    UNLOCK(c->cond);
    kt_await_task(t, NULL);
    kt_log_add(&LOG, "cancelled:%d free:%d", kt_future_cancelled(kt_task_future(t)),
               !kt_lock_locked(kt_condition_lock(c->cond)));
    kt_task_release(t);
    return 0;
}

static void condition_cancelled_wait_reacquires_the_lock(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_099, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "main-holds;waiter-blocked:1 waiter:CANCELLED:holds=1 cancelled:1 free:1",
                 "a wait cancelled while another task holds the lock must wait to take the lock back "
                 "before it returns KT_ECANCELLED, so the caller's release stays balanced "
                 "(book §7.6; asyncio case 099)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelled while taking the lock back */

static int main_late_cancel(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_task *t;
    SPAWN(c->loop, waiter_099, c, &t);
    kt_sleep(0);
    LOCK(c->cond);
    kt_condition_notify(c->cond, 1);
    kt_sleep(0); /* the waiter wakes and queues for the lock main holds */
    kt_sleep(0);
    kt_task_cancel(t, NULL); /* cancelled while it waits for the lock, not for notify */
    kt_sleep(0);
    kt_log_add(&LOG, "main-holds:%d", kt_lock_locked(kt_condition_lock(c->cond)));
    UNLOCK(c->cond);
    kt_await_task(t, NULL);
    kt_log_add(&LOG, "cancelled:%d free:%d", kt_future_cancelled(kt_task_future(t)),
               !kt_lock_locked(kt_condition_lock(c->cond)));
    kt_task_release(t);
    return 0;
}

static void condition_cancel_while_reacquiring_is_not_swallowed(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_late_cancel, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "main-holds:1 waiter:CANCELLED:holds=1 cancelled:1 free:1",
                 "a waiter notified and then cancelled while it takes the lock back keeps trying until "
                 "it holds the lock, then returns KT_ECANCELLED: the cancel is not swallowed just "
                 "because the wait had already ended (book §7.6; scenario "
                 "condition_cancel_during_reacquire.py)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ shared lock */

static int main_shared(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_lock *lock = kt_condition_lock(c->cond);
    kt_condition *other = NULL;
    KT_CHECK_OK(kt_condition_new(c->loop, lock, &other), "a condition over a given lock (book §7.6)");
    KT_CHECK(kt_condition_lock(other) == lock, "a condition made over a lock must use that lock (book §7.6)");
    KT_CHECK_OK(kt_lock_acquire(lock), "taking the shared lock (book §7.6)");
    kt_log_add(&LOG, "other-notify:%d", kt_condition_notify(other, 1));
    KT_CHECK_OK(kt_lock_release(lock), "releasing the shared lock (book §7.6)");
    kt_log_add(&LOG, "other-notify-unlocked:%s", code_name(kt_condition_notify(other, 1)));
    KT_CHECK_OK(kt_condition_free(other), "freeing a condition leaves a borrowed lock alone (book §7.6)");
    kt_log_add(&LOG, "lock-still-usable:%s", code_name(kt_lock_acquire(lock)));
    kt_lock_release(lock);
    return 0;
}

static void condition_over_a_given_lock_borrows_it(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_cond(loop, &c.cond);
    SPAWN(loop, main_shared, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "other-notify:0 other-notify-unlocked:ENOTLOCKED lock-still-usable:OK",
                 "two conditions may share one lock: each sees it held or not; freeing a condition "
                 "does not free a lock it was given (book §7.6)");
    KT_CHECK_OK(kt_condition_free(c.cond), "a condition nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(condition_requires_the_lock, 2, "wait/notify need the lock held (book §7.6)"),
    KT_TEST(condition_notify_skips_woken_waiters, 3, "notify skips waiters already woken (book §7.6)"),
    KT_TEST(condition_notify_n_wakes_the_first_n, 2, "notify(n) wakes the first n, FIFO (book §7.6)"),
    KT_TEST(condition_notify_wakes_at_most_n, 2, "notify(n) wakes at most n, none for n <= 0 (book §7.6)"),
    KT_TEST(condition_wait_for_rechecks_the_predicate, 2, "wait_for loops on its predicate (book §7.6)"),
    KT_TEST(condition_cancelled_wait_reacquires_the_lock, 3,
            "a cancelled wait takes the lock back first (book §7.6)"),
    KT_TEST(condition_cancel_while_reacquiring_is_not_swallowed, 2,
            "a cancel while taking the lock back is reported (book §7.6)"),
    KT_TEST(condition_over_a_given_lock_borrows_it, 2, "a given lock is borrowed, not owned (book §7.6)"),
};

KT_MAIN("Lab 07 — sync: Condition", tests)
