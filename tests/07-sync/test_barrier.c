/* test_barrier.c — Lab 07: asyncio.Barrier (book §7.8).
 *
 * Shared cases 105 and 147, and
 * tests/07-sync/scenarios/barrier_cancelled_waiter.py. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_barrier *b;
    const char *name;
} ctx;

static int party(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_barrier_wait(c->b);
    if (rc >= 0)
        kt_log_add(&LOG, "%s:index%d", c->name, rc);
    else
        kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    return rc < 0 && rc != KT_EBROKENBARRIER ? rc : 0;
}

/* ------------------------------------------------------------ case 105 */

static int main_105(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx p1 = {c->loop, c->b, "before-abort"}, p2 = {c->loop, c->b, "after-abort"},
        p3 = {c->loop, c->b, "before-reset"}, x = {c->loop, c->b, "x"}, y = {c->loop, c->b, "y"};
    kt_task *t, *tx, *ty;
    SPAWN(c->loop, party, &p1, &t);
    kt_sleep(0);
    KT_CHECK_OK(kt_barrier_abort(c->b), "kt_barrier_abort from a task must work (book §7.8)");
    kt_await_task(t, NULL);
    kt_task_release(t);
    party(&p2, NULL);
    KT_CHECK_OK(kt_barrier_reset(c->b), "kt_barrier_reset from a task must work (book §7.8)");
    kt_log_add(&LOG, "reset:broken=%d", kt_barrier_broken(c->b));
    SPAWN(c->loop, party, &p3, &t);
    kt_sleep(0);
    KT_CHECK_OK(kt_barrier_reset(c->b), "kt_barrier_reset from a task must work (book §7.8)");
    kt_await_task(t, NULL);
    kt_task_release(t);
    SPAWN(c->loop, party, &x, &tx); /* asyncio.gather(party("x"), party("y")) */
    SPAWN(c->loop, party, &y, &ty);
    kt_await_task(tx, NULL);
    kt_await_task(ty, NULL);
    kt_task_release(tx);
    kt_task_release(ty);
    return 0;
}

static void barrier_abort_and_reset_break_the_waiters(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_barrier_new(loop, 2, &c.b), "kt_barrier_new(2) must work (book §7.8)");
    SPAWN(loop, main_105, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf,
                 "before-abort:BROKEN after-abort:BROKEN reset:broken=0 before-reset:BROKEN y:index1 x:index0",
                 "abort breaks the waiters and every later wait until reset; reset breaks the tasks "
                 "waiting now and leaves the barrier usable; the last to arrive releases the round "
                 "(book §7.8; asyncio case 105)");
    KT_CHECK_OK(kt_barrier_free(c.b), "an idle barrier can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 147 */

static int rounds(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    for (int r = 1; r <= 3; r++) {
        int idx = kt_barrier_wait(c->b);
        kt_log_add(&LOG, "r%d:%s:%d:nw%u", r, c->name, idx, kt_barrier_n_waiting(c->b));
    }
    return 0;
}

static int main_147(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->b, "a"}, b = {c->loop, c->b, "b"};
    kt_task *ta;
    SPAWN(c->loop, rounds, &a, &ta);
    kt_sleep(0);
    kt_log_add(&LOG, "alone:nw%u", kt_barrier_n_waiting(c->b));
    rounds(&b, NULL);
    kt_await_task(ta, NULL);
    kt_task_release(ta);
    kt_log_add(&LOG, "end:nw%u:broken%d", kt_barrier_n_waiting(c->b), kt_barrier_broken(c->b));
    return 0;
}

static void barrier_reused_round_after_round(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_barrier_new(loop, 2, &c.b), "kt_barrier_new(2) must work (book §7.8)");
    SPAWN(loop, main_147, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf,
                 "alone:nw1 r1:b:1:nw0 r1:a:0:nw0 r2:b:1:nw0 r2:a:0:nw0 r3:b:1:nw0 r3:a:0:nw0 end:nw0:broken0",
                 "a barrier is reusable; a party that comes back while the round still drains waits "
                 "until the last released party has left, so the releasing party arrives second in "
                 "every round (book §7.8; asyncio case 147)");
    KT_CHECK_OK(kt_barrier_free(c.b), "an idle barrier can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ a cancelled party */

static int main_cancel(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->b, "a"}, b = {c->loop, c->b, "b"}, cc = {c->loop, c->b, "c"};
    kt_task *ta, *tb, *tc;
    SPAWN(c->loop, party, &a, &ta);
    kt_sleep(0);
    kt_log_add(&LOG, "nw%u", kt_barrier_n_waiting(c->b));
    kt_task_cancel(ta, NULL);
    kt_await_task(ta, NULL);
    kt_log_add(&LOG, "after-cancel:nw%u:broken%d", kt_barrier_n_waiting(c->b), kt_barrier_broken(c->b));
    SPAWN(c->loop, party, &b, &tb); /* asyncio.gather(party("b"), party("c")) */
    SPAWN(c->loop, party, &cc, &tc);
    kt_await_task(tb, NULL);
    kt_await_task(tc, NULL);
    kt_task_release(ta);
    kt_task_release(tb);
    kt_task_release(tc);
    return 0;
}

static void barrier_cancelled_party_leaves_it_unbroken(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_barrier_new(loop, 2, &c.b), "kt_barrier_new(2) must work (book §7.8)");
    SPAWN(loop, main_cancel, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "nw1 a:CANCELLED after-cancel:nw0:broken0 c:index1 b:index0",
                 "a party cancelled while it waits leaves the round (n_waiting goes down) and does not "
                 "break the barrier, as in CPython 3.11 (book §7.8; scenario "
                 "barrier_cancelled_waiter.py)");
    KT_CHECK_INT(kt_barrier_parties(c.b), 2, "kt_barrier_parties gives the count it was made with (book §7.8)");
    KT_CHECK_OK(kt_barrier_free(c.b), "an idle barrier can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ one party */

static int main_one(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    KT_CHECK_OK(kt_call_soon(c->loop, say, "callback", NULL), "kt_call_soon must work (Lab 01)");
    int first = kt_barrier_wait(c->b);
    int second = kt_barrier_wait(c->b);
    kt_log_add(&LOG, "index%d index%d nw%u", first, second, kt_barrier_n_waiting(c->b));
    kt_sleep(0);
    return 0;
}

static void barrier_of_one_party_never_waits(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    KT_CHECK_OK(kt_barrier_new(loop, 1, &c.b), "kt_barrier_new(1) must work (book §7.8)");
    SPAWN(loop, main_one, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "index0 index0 nw0 callback",
                 "with parties = 1 every arrival is the last one: wait returns index 0 at once, round "
                 "after round, without yielding to the loop (the callback scheduled before runs only "
                 "after both waits) (book §7.8; scenario barrier_one_party.py)");
    KT_CHECK_OK(kt_barrier_free(c.b), "an idle barrier can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(barrier_abort_and_reset_break_the_waiters, 3, "abort and reset (book §7.8)"),
    KT_TEST(barrier_reused_round_after_round, 3, "a barrier is reusable, rounds never mix (book §7.8)"),
    KT_TEST(barrier_of_one_party_never_waits, 1, "one party: index 0 at once (book §7.8)"),
    KT_TEST(barrier_cancelled_party_leaves_it_unbroken, 2, "a cancelled party just leaves (book §7.8)"),
};

KT_MAIN("Lab 07 — sync: Barrier", tests)
