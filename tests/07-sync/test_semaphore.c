/* test_semaphore.c — Lab 07: Semaphore and BoundedSemaphore (book §7.7).
 *
 * Shared cases 101 and 103, and
 * tests/07-sync/scenarios/semaphore_fifo_no_barging.py. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_semaphore *sem;
    const char *name;
} ctx;

/* ------------------------------------------------------------ case 101 */

static int main_101(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    kt_semaphore *s = NULL;
    kt_log_add(&LOG, "new(-1):%s", code_name(kt_semaphore_new(c->loop, -1, &s)));
    KT_CHECK(s == NULL, "a refused kt_semaphore_new must leave *out NULL (book §7.7)");
    KT_CHECK_OK(kt_semaphore_new(c->loop, 0, &s), "kt_semaphore_new(0) must work (book §7.7)");
    kt_log_add(&LOG, "zero-locked:%d", kt_semaphore_locked(s));
    KT_CHECK_OK(kt_semaphore_free(s), "an idle semaphore can be freed (book §7.3)");
    KT_CHECK_OK(kt_semaphore_new(c->loop, 1, &s), "kt_semaphore_new(1) must work (book §7.7)");
    KT_CHECK_OK(kt_semaphore_release(s), "a plain semaphore may be released more than acquired (book §7.7)");
    KT_CHECK_OK(kt_semaphore_release(s), "a plain semaphore may be released more than acquired (book §7.7)");
    int n = 0;
    while (!kt_semaphore_locked(s) && n < 10) {
        KT_CHECK_OK(kt_semaphore_acquire(s), "acquiring a free permit must work (book §7.7)");
        n++;
    }
    kt_log_add(&LOG, "acquires:%d", n);
    KT_CHECK_OK(kt_semaphore_free(s), "an idle semaphore can be freed (book §7.3)");
    KT_CHECK_OK(kt_bounded_semaphore_new(c->loop, 1, &s), "kt_bounded_semaphore_new(1) must work (book §7.7)");
    KT_CHECK_OK(kt_semaphore_acquire(s), "acquiring a free permit must work (book §7.7)");
    KT_CHECK_OK(kt_semaphore_release(s), "releasing an acquired permit must work (book §7.7)");
    kt_log_add(&LOG, "over-release:%s value:%d", code_name(kt_semaphore_release(s)), kt_semaphore_value(s));
    KT_CHECK_OK(kt_semaphore_free(s), "an idle semaphore can be freed (book §7.3)");
    return 0;
}

static void semaphore_counts_and_bounded_refuses_over_release(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    SPAWN(loop, main_101, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "new(-1):EINVAL zero-locked:1 acquires:3 over-release:EOVERRELEASE value:1",
                 "a negative initial value is KT_EINVAL; Semaphore(0) starts locked; a plain semaphore "
                 "counts extra releases; a bounded one refuses to go above its initial value with "
                 "KT_EOVERRELEASE and keeps its count (book §7.7; asyncio case 101)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 103 */

static int waiter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_semaphore_acquire(c->sem);
    kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    return rc;
}

static int main_103(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->sem, "t1"}, b = {c->loop, c->sem, "t2"};
    kt_task *t1, *t2;
    SPAWN(c->loop, waiter, &a, &t1);
    SPAWN(c->loop, waiter, &b, &t2);
    kt_sleep(0);
    KT_CHECK_OK(kt_semaphore_release(c->sem), "release must work (book §7.7)"); /* permit to t1 ... */
    kt_task_cancel(t1, NULL);                                                  /* ... cancelled first */
    kt_await_task(t1, NULL);
    kt_await_task(t2, NULL);
    kt_log_add(&LOG, "value:%d", kt_semaphore_value(c->sem));
    kt_task_release(t1);
    kt_task_release(t2);
    return 0;
}

static void semaphore_cancelled_waiter_passes_its_permit(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_semaphore_new(loop, 0, &c.sem), "kt_semaphore_new(0) must work (book §7.7)");
    SPAWN(loop, main_103, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "t1:CANCELLED t2:OK value:0",
                 "a waiter handed a permit and cancelled before it runs gives the permit back and "
                 "wakes the next waiter, so no permit is lost (book §7.7; asyncio case 103)");
    KT_CHECK_OK(kt_semaphore_free(c.sem), "an idle semaphore can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelled before or after a permit */

static int main_cancel_order(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[4] = {{c->loop, c->sem, "s0"}, {c->loop, c->sem, "s1"}, {c->loop, c->sem, "s2"}, {c->loop, c->sem, "s3"}};
    kt_task *t[4];
    for (int i = 0; i < 4; i++)
        SPAWN(c->loop, waiter, &w[i], &t[i]);
    kt_sleep(0);
    kt_task_cancel(t[3], NULL); /* never woken */
    kt_sleep(0);
    kt_log_add(&LOG, "value:%d locked:%d", kt_semaphore_value(c->sem), kt_semaphore_locked(c->sem));
    KT_CHECK_OK(kt_semaphore_release(c->sem), "release must work (book §7.7)"); /* permit to s0 */
    KT_CHECK_OK(kt_semaphore_release(c->sem), "release must work (book §7.7)"); /* permit to s1 */
    kt_task_cancel(t[0], NULL); /* s0 is cancelled before it runs: its permit goes to s2 */
    for (int i = 0; i < 4; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    kt_log_add(&LOG, "value:%d locked:%d", kt_semaphore_value(c->sem), kt_semaphore_locked(c->sem));
    kt_semaphore *b = c->sem;
    kt_log_add(&LOG, "bounded(-1):%s", code_name(kt_bounded_semaphore_new(c->loop, -1, &b)));
    KT_CHECK(b == NULL, "a refused kt_bounded_semaphore_new must leave *out NULL (book §7.7)");
    return 0;
}

static void semaphore_cancelled_waiters_give_back_only_what_they_got(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_semaphore_new(loop, 0, &c.sem), "kt_semaphore_new(0) must work (book §7.7)");
    SPAWN(loop, main_cancel_order, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf,
                 "s3:CANCELLED value:0 locked:1 s0:CANCELLED s1:OK s2:OK value:0 locked:1 bounded(-1):EINVAL",
                 "a waiter cancelled before a permit reached it gives nothing back (the count stays 0); "
                 "two releases hand two permits to the first two waiters, and the one cancelled before "
                 "it ran passes its permit to the next; a bounded semaphore refuses a negative value "
                 "too (book §7.7; scenario semaphore_cancel_order.py)");
    KT_CHECK_OK(kt_semaphore_free(c.sem), "an idle semaphore can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ FIFO, no barging */

static int worker(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    KT_CHECK_OK(kt_semaphore_acquire(c->sem), "acquire must work (book §7.7)");
    kt_log_add(&LOG, "%s", c->name);
    kt_sleep(0);
    KT_CHECK_OK(kt_semaphore_release(c->sem), "release must work (book §7.7)");
    return 0;
}

static int main_fifo(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->sem, "w1"}, {c->loop, c->sem, "w2"}, {c->loop, c->sem, "newcomer"}};
    kt_task *t[3];
    KT_CHECK_OK(kt_semaphore_acquire(c->sem), "acquire must work (book §7.7)");
    for (int i = 0; i < 2; i++)
        SPAWN(c->loop, worker, &w[i], &t[i]);
    kt_sleep(0);
    KT_CHECK_OK(kt_semaphore_release(c->sem), "release must work (book §7.7)");
    kt_log_add(&LOG, "locked:%d value:%d", kt_semaphore_locked(c->sem), kt_semaphore_value(c->sem));
    SPAWN(c->loop, worker, &w[2], &t[2]);
    for (int i = 0; i < 3; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    kt_log_add(&LOG, "end:%d", kt_semaphore_value(c->sem));
    return 0;
}

static void semaphore_hands_permits_fifo_without_barging(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_semaphore_new(loop, 1, &c.sem), "kt_semaphore_new(1) must work (book §7.7)");
    SPAWN(loop, main_fifo, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "locked:1 value:0 w1 w2 newcomer end:1",
                 "release hands the permit to the first waiter at once (the count goes back to 0 and "
                 "the semaphore stays locked), so a newcomer queues behind the waiters (book §7.7; "
                 "scenario semaphore_fifo_no_barging.py)");
    KT_CHECK_OK(kt_semaphore_free(c.sem), "an idle semaphore can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ a limit of K */

typedef struct job {
    ctx *c;
    int *running, *peak;
} job;

static int limited(void *arg, void **result)
{
    (void)result;
    job *j = arg;
    KT_CHECK_OK(kt_semaphore_acquire(j->c->sem), "acquire must work (book §7.7)");
    if (++*j->running > *j->peak)
        *j->peak = *j->running;
    kt_sleep(1);
    --*j->running;
    KT_CHECK_OK(kt_semaphore_release(j->c->sem), "release must work (book §7.7)");
    return 0;
}

static void semaphore_limits_concurrency_to_its_value(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_bounded_semaphore_new(loop, 3, &c.sem), "kt_bounded_semaphore_new(3) must work (book §7.7)");
    int running = 0, peak = 0;
    job j = {&c, &running, &peak};
    for (int i = 0; i < 10; i++)
        SPAWN(loop, limited, &j, NULL);
    RUN_ALL(loop);
    KT_CHECK_INT(peak, 3, "a semaphore of 3 lets at most 3 tasks in at once, and 3 do get in (book §7.7)");
    KT_CHECK_DBL(kt_loop_time(loop), 4, 1e-9,
                 "10 jobs of 1 s, 3 at a time, take 4 s of loop time: a released permit must go to a "
                 "waiter at once (book §7.7)");
    KT_CHECK_INT(kt_semaphore_value(c.sem), 3, "every permit is back at the end (book §7.7)");
    KT_CHECK_OK(kt_semaphore_free(c.sem), "an idle semaphore can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(semaphore_counts_and_bounded_refuses_over_release, 3,
            "counting, Semaphore(0), bounded over-release (book §7.7)"),
    KT_TEST(semaphore_cancelled_waiter_passes_its_permit, 3,
            "a cancelled waiter passes its permit on (book §7.7)"),
    KT_TEST(semaphore_cancelled_waiters_give_back_only_what_they_got, 3,
            "a cancelled waiter gives back only a permit it was handed (book §7.7)"),
    KT_TEST(semaphore_hands_permits_fifo_without_barging, 3, "permits are handed FIFO, no barging (book §7.7)"),
    KT_TEST(semaphore_limits_concurrency_to_its_value, 2, "at most `value` holders at once (book §7.7)"),
};

KT_MAIN("Lab 07 — sync: Semaphore", tests)
