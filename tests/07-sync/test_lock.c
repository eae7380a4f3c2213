/* test_lock.c — Lab 07: asyncio.Lock on futures (book §7.4).
 *
 * Each test replays a CPython scenario and compares the whole log: shared
 * cases 089 and 091, and tests/07-sync/scenarios/lock_fifo_no_barging.py. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_lock *lock;
    const char *name;
} ctx;

#define ACQUIRE(l) KT_CHECK_OK(kt_lock_acquire(l), "acquiring a lock from a task must work (book §7.4)")
#define RELEASE(l) KT_CHECK_OK(kt_lock_release(l), "releasing a held lock must work (book §7.4)")

static void new_lock(kt_loop *loop, kt_lock **out)
{
    KT_CHECK_OK(kt_lock_new(loop, out), "kt_lock_new with a valid loop must work (book §7.4)");
    KT_CHECK(*out != NULL, "kt_lock_new must hand back the lock in *out (book §7.4)");
}

/* ------------------------------------------------------------ case 089 */

static int main_089(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    KT_CHECK_OK(kt_call_soon(c->loop, say, "callback", NULL), "kt_call_soon must work (Lab 01)");
    ACQUIRE(c->lock);
    kt_log_add(&LOG, "inside:%d", kt_lock_locked(c->lock));
    RELEASE(c->lock);
    kt_log_add(&LOG, "after:%d", kt_lock_locked(c->lock));
    kt_sleep(0);
    return 0;
}

static void lock_uncontended_acquire_does_not_yield(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_089, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "inside:1 after:0 callback",
                 "acquiring a free lock nobody waits for takes it at once without yielding to the loop: "
                 "the callback scheduled before must run only after the release (book §7.4; asyncio case 089)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ FIFO, no barging */

static int fifo_worker(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ACQUIRE(c->lock);
    kt_log_add(&LOG, "%s", c->name);
    kt_sleep(0);
    RELEASE(c->lock);
    return 0;
}

static int main_fifo(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[4] = {{c->loop, c->lock, "w1"}, {c->loop, c->lock, "w2"}, {c->loop, c->lock, "w3"},
                {c->loop, c->lock, "newcomer"}};
    kt_task *t[4];
    ACQUIRE(c->lock);
    for (int i = 0; i < 3; i++)
        SPAWN(c->loop, fifo_worker, &w[i], &t[i]);
    kt_sleep(0);
    RELEASE(c->lock);
    kt_log_add(&LOG, "locked-after-release:%d", kt_lock_locked(c->lock));
    SPAWN(c->loop, fifo_worker, &w[3], &t[3]);
    for (int i = 0; i < 4; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    kt_log_add(&LOG, "release-unlocked:%s", code_name(kt_lock_release(c->lock)));
    return 0;
}

static void lock_waiters_fifo_and_no_barging(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_fifo, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "locked-after-release:0 w1 w2 w3 newcomer release-unlocked:ENOTLOCKED",
                 "waiters get the lock in the order they asked; release hands it to the first waiter, "
                 "so a task that asks after the release (before w1 ran) queues behind every waiter "
                 "(no barging); releasing a free lock is KT_ENOTLOCKED (book §7.4; scenario "
                 "lock_fifo_no_barging.py)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ release, then acquire at once */

static int main_reacquire(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[2] = {{c->loop, c->lock, "w1"}, {c->loop, c->lock, "w2"}};
    kt_task *t[2];
    ACQUIRE(c->lock);
    for (int i = 0; i < 2; i++)
        SPAWN(c->loop, fifo_worker, &w[i], &t[i]);
    kt_sleep(0);
    RELEASE(c->lock);
    ACQUIRE(c->lock); /* the newcomer is the releaser itself */
    kt_log_add(&LOG, "main");
    RELEASE(c->lock);
    for (int i = 0; i < 2; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    return 0;
}

static void lock_releaser_cannot_take_it_back_before_the_woken_waiter(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_reacquire, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "w1 w2 main",
                 "a task that releases the lock and asks for it again at once must queue behind the "
                 "waiters: the lock is free but w1 was woken, and a woken waiter counts (no barging) "
                 "(book §7.4; scenario lock_release_reacquire.py)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 091 */

/* [book:case091] */
static int waiter_091(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_lock_acquire(c->lock);
    kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    return rc;
}

static int main_091(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->lock, "t1"}, b = {c->loop, c->lock, "t2"};
    kt_task *t1, *t2;
    ACQUIRE(c->lock);
    SPAWN(c->loop, waiter_091, &a, &t1);
    SPAWN(c->loop, waiter_091, &b, &t2);
    kt_sleep(0);
    RELEASE(c->lock);    /* wakes t1 ... */
    kt_task_cancel(t1, NULL); /* ... which is cancelled before it runs */
    kt_await_task(t1, NULL);
    kt_await_task(t2, NULL);
    kt_log_add(&LOG, "locked:%d t1-cancelled:%d", kt_lock_locked(c->lock),
               kt_future_cancelled(kt_task_future(t1)));
    kt_task_release(t1);
    kt_task_release(t2);
    RELEASE(c->lock);
    return 0;
}
/* [/book:case091] */

static void lock_cancelled_woken_waiter_passes_the_lock_on(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_091, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "t1:CANCELLED t2:OK locked:1 t1-cancelled:1",
                 "a waiter that release() woke but that is cancelled before it runs must hand the "
                 "wake-up to the next waiter, or the lock is lost with t2 waiting forever "
                 "(book §7.4; asyncio case 091)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ a cancelled waiter does not block */

static int main_cancelled(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->lock, "t1"};
    kt_task *t1;
    ACQUIRE(c->lock);
    SPAWN(c->loop, waiter_091, &a, &t1);
    kt_sleep(0);
    kt_task_cancel(t1, NULL); /* t1 is cancelled while it still waits */
    RELEASE(c->lock);
    KT_CHECK_OK(kt_call_soon(c->loop, say, "callback", NULL), "kt_call_soon must work (Lab 01)");
    ACQUIRE(c->lock);
    kt_log_add(&LOG, "main-reacquired");
    RELEASE(c->lock);
    kt_await_task(t1, NULL);
    kt_log_add(&LOG, "locked:%d", kt_lock_locked(c->lock));
    kt_task_release(t1);
    return 0;
}

static void lock_cancelled_waiter_does_not_block_the_fast_path(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_cancelled, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "main-reacquired t1:CANCELLED callback locked:0",
                 "a waiter whose future is cancelled is no longer waiting: a free lock whose only "
                 "waiters are cancelled is taken at once, without yielding, and the cancelled waiter "
                 "returns KT_ECANCELLED without the lock (book §7.4)");
    KT_CHECK(kt_list_empty(&c.lock->waiters),
             "every waiter must unlink itself from the FIFO when it resumes (book §7.3)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelled while the lock is held */

static int held_worker(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_lock_acquire(c->lock);
    kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    if (rc == 0) {
        kt_sleep(0);
        RELEASE(c->lock);
    }
    return 0;
}

static int main_cancel_held(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[2] = {{c->loop, c->lock, "w1"}, {c->loop, c->lock, "w2"}};
    kt_task *t[2];
    ACQUIRE(c->lock);
    for (int i = 0; i < 2; i++)
        SPAWN(c->loop, held_worker, &w[i], &t[i]);
    kt_sleep(0);
    kt_task_cancel(t[0], NULL); /* w1 was never woken, and the lock is still held */
    kt_sleep(0);
    kt_sleep(0);
    kt_log_add(&LOG, "held:%d", kt_lock_locked(c->lock));
    RELEASE(c->lock);
    for (int i = 0; i < 2; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    kt_log_add(&LOG, "locked:%d", kt_lock_locked(c->lock));
    return 0;
}

static void lock_cancelled_waiter_wakes_nobody_while_held(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, main_cancel_held, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "w1:CANCELLED held:1 w2:OK locked:0",
                 "a cancelled waiter passes a wake-up on only when the lock is free: while main holds "
                 "it, waking w2 would let w2 take a lock somebody holds, two holders at once "
                 "(book §7.4; scenario lock_cancel_while_held.py)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ no owner */

static void release_from_callback(kt_loop *loop, void *arg)
{
    (void)loop;
    ctx *c = arg;
    kt_log_add(&LOG, "callback-release:%s", code_name(kt_lock_release(c->lock)));
}

static int holder(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ACQUIRE(c->lock);
    kt_log_add(&LOG, "holder-acquired");
    KT_CHECK_OK(kt_call_later(c->loop, 1, release_from_callback, c, NULL), "kt_call_later must work (Lab 01)");
    return 0; /* leaves with the lock held */
}

static int second(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ACQUIRE(c->lock);
    kt_log_add(&LOG, "second-acquired@%g", kt_loop_time(c->loop));
    RELEASE(c->lock);
    return 0;
}

static void lock_has_no_owner_a_callback_may_release_it(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_lock(loop, &c.lock);
    SPAWN(loop, holder, &c, NULL);
    SPAWN(loop, second, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "holder-acquired callback-release:OK second-acquired@1",
                 "a lock has no owner: a task may finish holding it, and a plain callback may release "
                 "it, which hands it to the first waiter (book §7.4)");
    KT_CHECK_OK(kt_lock_free(c.lock), "a lock nobody waits for can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(lock_uncontended_acquire_does_not_yield, 2,
            "a free lock is taken without yielding (book §7.4)"),
    KT_TEST(lock_waiters_fifo_and_no_barging, 3, "lock waiters are served FIFO, no barging (book §7.4)"),
    KT_TEST(lock_releaser_cannot_take_it_back_before_the_woken_waiter, 3,
            "release then acquire queues behind the woken waiter (book §7.4)"),
    KT_TEST(lock_cancelled_woken_waiter_passes_the_lock_on, 3,
            "a woken waiter that is cancelled passes the wake-up on (book §7.4)"),
    KT_TEST(lock_cancelled_waiter_wakes_nobody_while_held, 2,
            "a cancelled waiter wakes nobody while the lock is held (book §7.4)"),
    KT_TEST(lock_has_no_owner_a_callback_may_release_it, 1, "any task or callback may release (book §7.4)"),
    KT_TEST(lock_cancelled_waiter_does_not_block_the_fast_path, 2,
            "cancelled waiters do not count as waiters (book §7.4)"),
};

KT_MAIN("Lab 07 — sync: Lock", tests)
