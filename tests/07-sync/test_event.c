/* test_event.c — Lab 07: asyncio.Event (book §7.5).
 *
 * Shared case 093 and tests/07-sync/scenarios/event_clear_after_set.py. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_event *ev;
    const char *name;
} ctx;

static void new_event(kt_loop *loop, kt_event **out)
{
    KT_CHECK_OK(kt_event_new(loop, out), "kt_event_new with a valid loop must work (book §7.5)");
    KT_CHECK(*out != NULL, "kt_event_new must hand back the event in *out (book §7.5)");
}

static int waiter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_event_wait(c->ev);
    kt_log_add(&LOG, "%s:%s:set=%d", c->name, code_name(rc), kt_event_is_set(c->ev));
    return rc;
}

/* ------------------------------------------------------------ case 093 */

static int main_093(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->ev, "w0"}, {c->loop, c->ev, "w1"}, {c->loop, c->ev, "w2"}};
    kt_task *t[3];
    for (int i = 0; i < 3; i++)
        SPAWN(c->loop, waiter, &w[i], &t[i]);
    kt_sleep(0);
    KT_CHECK_OK(kt_event_set(c->ev), "kt_event_set must work (book §7.5)");
    kt_log_add(&LOG, "set-returned");
    for (int i = 0; i < 3; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    KT_CHECK_OK(kt_call_soon(c->loop, say, "callback", NULL), "kt_call_soon must work (Lab 01)");
    kt_log_add(&LOG, "wait-on-set:%s", code_name(kt_event_wait(c->ev)));
    kt_sleep(0);
    return 0;
}

static void event_set_wakes_every_waiter_in_order(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_event(loop, &c.ev);
    SPAWN(loop, main_093, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "set-returned w0:OK:set=1 w1:OK:set=1 w2:OK:set=1 wait-on-set:OK callback",
                 "set() wakes every waiter, in the order they started waiting, on a later iteration; "
                 "waiting on a set event returns at once without yielding (book §7.5; asyncio case 093)");
    KT_CHECK_OK(kt_event_free(c.ev), "an event nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ clear after set */

static int main_clear(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->ev, "a"}, {c->loop, c->ev, "b"}, {c->loop, c->ev, "late"}};
    kt_task *t[3];
    for (int i = 0; i < 2; i++)
        SPAWN(c->loop, waiter, &w[i], &t[i]);
    kt_sleep(0);
    kt_event_set(c->ev);
    KT_CHECK_OK(kt_event_clear(c->ev), "kt_event_clear must work (book §7.5)");
    for (int i = 0; i < 2; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    SPAWN(c->loop, waiter, &w[2], &t[2]);
    kt_sleep(0);
    kt_log_add(&LOG, "late-waiting:%d", !kt_future_done(kt_task_future(t[2])));
    kt_event_set(c->ev);
    kt_await_task(t[2], NULL);
    kt_task_release(t[2]);
    return 0;
}

static void event_woken_waiter_returns_even_if_cleared(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_event(loop, &c.ev);
    SPAWN(loop, main_clear, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "a:OK:set=0 b:OK:set=0 late-waiting:1 late:OK:set=1",
                 "a waiter woken by set() returns 0 even though clear() ran before it did (its wake-up "
                 "is its future's result, not a new look at the flag); a wait after the clear waits "
                 "again (book §7.5; scenario event_clear_after_set.py)");
    KT_CHECK_OK(kt_event_free(c.ev), "an event nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancel a waiter */

static int main_cancel(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[2] = {{c->loop, c->ev, "a"}, {c->loop, c->ev, "b"}};
    kt_task *t[2];
    for (int i = 0; i < 2; i++)
        SPAWN(c->loop, waiter, &w[i], &t[i]);
    kt_sleep(0);
    kt_task_cancel(t[0], NULL);
    kt_await_task(t[0], NULL);
    kt_log_add(&LOG, "waiters:%zu", kt_list_length(&c->ev->waiters));
    kt_event_set(c->ev);
    kt_await_task(t[1], NULL);
    for (int i = 0; i < 2; i++)
        kt_task_release(t[i]);
    return 0;
}

static void event_cancelled_waiter_leaves_the_others_waiting(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_event(loop, &c.ev);
    SPAWN(loop, main_cancel, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "a:CANCELLED:set=0 waiters:1 b:OK:set=1",
                 "a cancelled waiter returns KT_ECANCELLED and unlinks itself; the others keep "
                 "waiting for set() (book §7.5)");
    KT_CHECK_OK(kt_event_free(c.ev), "an event nobody waits in can be freed (book §7.3)");
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(event_set_wakes_every_waiter_in_order, 3, "set() wakes every waiter in order (book §7.5)"),
    KT_TEST(event_woken_waiter_returns_even_if_cleared, 3,
            "a woken waiter returns even if clear() follows (book §7.5)"),
    KT_TEST(event_cancelled_waiter_leaves_the_others_waiting, 2,
            "a cancelled event waiter leaves the FIFO (book §7.5)"),
};

KT_MAIN("Lab 07 — sync: Event", tests)
