/* test_gather.c — Lab 06: gather (book §6.3).
 *
 * Each test replays a Python 3.11 scenario: the shared cases 061-069 or
 * asyncio/gather_rules.py and asyncio/downloads.py next to this file. */
#include "comb_test.h"

/* Gather n futures from inside a coroutine and return the gather. */
#define GATHER(fs, n, rexc, out) \
    KT_CHECK_OK(kt_gather(kt_get_running_loop(), (fs), (n), (rexc), (out)), \
                "kt_gather with valid futures must succeed (book §6.3)")

/* ------------------------------------------------------------ the seed example */

static job dl_a = {"a", 3, 0, PROPAGATE}, dl_b = {"b", 1, 0, PROPAGATE}, dl_c = {"c", 2, 0, PROPAGATE};

static int main_downloads(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[3] = {start(&dl_a), start(&dl_b), start(&dl_c)};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])};
    kt_future *g = NULL;
    GATHER(fs, 3, false, &g);
    void *v = NULL;
    int rc = kt_await(g, &v);
    kt_outcome *res = v;
    KT_CHECK_STR(code_name(rc), "OK", "a gather whose children all succeed ends with their results (book §6.3)");
    KT_CHECK(res != NULL, "the gather's result is its array of outcomes (book §6.3)");
    kt_log_add(&LOG, "gather->[%s %s %s]@%g", (char *)res[0].value, (char *)res[1].value,
               (char *)res[2].value, now());
    kt_future_release(g);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void gather_downloads_in_argument_order(void **state)
{
    (void)state;
    run_main(main_downloads, NULL);
    KT_CHECK_STR(LOG.buf, "b:done@1 c:done@2 a:done@3 gather->[a b c]@3",
                 "three downloads gathered: they finish in completion order, but the gather's "
                 "results are in argument order, and it ends when the slowest does "
                 "(book §6.3; asyncio/downloads.py)");
}

/* ------------------------------------------------------------ case 061 */

static job j_fail = {"fail", 1, E_VALUE, PROPAGATE}, j_slow = {"slow", 3, 0, PROPAGATE};

static int main_061(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *f = start(&j_fail), *s = start(&j_slow);
    kt_future *fs[2] = {FUT(f), FUT(s)};
    kt_future *g = NULL;
    GATHER(fs, 2, false, &g);
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "gather->%s@%g slow-cancelled=%d slow-done=%d", code_name(rc), now(),
               kt_future_cancelled(FUT(s)), kt_future_done(FUT(s)));
    void *v = NULL;
    rc = kt_await_task(s, &v);
    kt_log_add(&LOG, "slow->%s", rc == 0 ? (char *)v : code_name(rc));
    kt_future_release(g);
    kt_task_release(f);
    kt_task_release(s);
    return 0;
}

static void gather_first_error_goes_to_the_awaiter_at_once(void **state)
{
    (void)state;
    run_main(main_061, NULL);
    KT_CHECK_STR(LOG.buf, "fail:done@1 gather->E_VALUE@1 slow-cancelled=0 slow-done=0 slow:done@3 slow->slow",
                 "without return_exceptions the first error fails the gather at once, and the "
                 "other children are NOT cancelled: they run to the end (book §6.3; asyncio case 061)");
}

/* ------------------------------------------------------------ case 063 */

static job j_ok = {"ok", 1, 0, PROPAGATE}, j_bad = {"bad", 0, E_KEY, PROPAGATE};

static int main_063(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_task *ok = start(&j_ok), *bad = start(&j_bad);
    kt_future *victim = NULL, *victim2 = NULL;
    kt_future_new(loop, &victim);
    kt_future_new(loop, &victim2);
    kt_future *fs[4] = {FUT(ok), FUT(bad), victim, victim2};
    kt_future *g = NULL;
    GATHER(fs, 4, true, &g);
    kt_sleep(0);
    kt_future_cancel(victim, NULL);
    kt_future_cancel(victim2, "why");
    void *v = NULL;
    int rc = kt_await(g, &v);
    KT_CHECK_STR(code_name(rc), "OK", "with return_exceptions the gather itself succeeds (book §6.3)");
    kt_outcome *o = v;
    for (int i = 0; i < 4; i++)
        kt_log_add(&LOG, "%s:%s:%s", code_name(o[i].error), o[i].error == 0 ? (char *)o[i].value : "-",
                   o[i].cancel_msg ? o[i].cancel_msg : "");
    kt_future_release(g);
    kt_future_release(victim);
    kt_future_release(victim2);
    kt_task_release(ok);
    kt_task_release(bad);
    return 0;
}

static void gather_return_exceptions_keeps_errors_in_place(void **state)
{
    (void)state;
    run_main(main_063, NULL);
    KT_CHECK_STR(LOG.buf, "bad:done@0 ok:done@1 OK:ok: E_KEY:-: CANCELLED:-: CANCELLED:-:why",
                 "with return_exceptions errors and cancellations sit in the outcomes in argument "
                 "order, a cancelled child as KT_ECANCELLED with its cancel message (book §6.3; "
                 "asyncio case 063)");
    KT_CHECK_STR(HANDLER.buf, "", "an error returned in the outcomes counts as retrieved (book §6.3)");
}

/* ------------------------------------------------------------ case 065 */

static job j_long = {"long", 10, 0, PROPAGATE}, j_b = {"b", 2, 0, PROPAGATE};

static int main_065(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *a = start(&j_long), *b = start(&j_b);
    kt_future *fs[2] = {FUT(a), FUT(b)};
    kt_future *g = NULL;
    GATHER(fs, 2, false, &g);
    kt_sleep(0);
    kt_task_cancel(a, NULL);
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "gather->%s done=%d cancelled=%d b-cancelled=%d", code_name(rc), kt_future_done(g),
               kt_future_cancelled(g), kt_future_cancelled(FUT(b)));
    rc = kt_await_task(b, NULL);
    kt_log_add(&LOG, "b->%s", code_name(rc));
    kt_future_release(g);
    kt_task_release(a);
    kt_task_release(b);
    return 0; /* the awaiting task itself was not cancelled */
}

static void gather_child_cancelled_fails_it_with_an_error(void **state)
{
    (void)state;
    run_main(main_065, NULL);
    KT_CHECK_STR(LOG.buf, "long:cancelled@0 gather->CANCELLED done=1 cancelled=0 b-cancelled=0 b:done@2 b->OK",
                 "a child cancelled from outside fails the gather with KT_ECANCELLED as an error: "
                 "the gather is done but not cancelled, the other children run on, and the "
                 "awaiting task is not cancelled (book §6.3; asyncio case 065)");
}

/* ------------------------------------------------------------ case 067 */

static job j_fail0 = {"fail", 0, E_VALUE, PROPAGATE}, j_other = {"other", 2, 0, PROPAGATE};

static int main_067(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *f = start(&j_fail0), *o = start(&j_other);
    kt_future *fs[2] = {FUT(f), FUT(o)};
    kt_future *g = NULL;
    GATHER(fs, 2, false, &g);
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "gather->%s cancel->%d other-cancelled=%d", code_name(rc), kt_future_cancel(g, NULL),
               kt_future_cancelled(FUT(o)));
    rc = kt_await_task(o, NULL);
    kt_log_add(&LOG, "other->%s", code_name(rc));
    kt_future_release(g);
    kt_task_release(f);
    kt_task_release(o);
    return 0;
}

static void gather_cancel_after_failure_is_ignored(void **state)
{
    (void)state;
    run_main(main_067, NULL);
    KT_CHECK_STR(LOG.buf, "fail:done@0 gather->E_VALUE cancel->0 other-cancelled=0 other:done@2 other->OK",
                 "a gather that already failed ignores cancel (returns 0) and cancels no child "
                 "(book §6.3; asyncio case 067)");
}

/* ------------------------------------------------------------ case 069 */

static job j_c1 = {"child1", 10, 0, PROPAGATE}, j_c2 = {"child2", 10, 0, PROPAGATE};

static int parent_069(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *c1 = start(&j_c1), *c2 = start(&j_c2);
    kt_future *fs[2] = {FUT(c1), FUT(c2)};
    kt_future *g = NULL;
    GATHER(fs, 2, false, &g);
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "parent->%s gather-cancelled=%d", code_name(rc), kt_future_cancelled(g));
    kt_future_release(g);
    kt_task_release(c1);
    kt_task_release(c2);
    return rc;
}

static int main_069(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *p = spawn(kt_get_running_loop(), parent_069, NULL);
    kt_sleep(1);
    kt_task_cancel(p, NULL);
    kt_await_task(p, NULL);
    kt_log_add(&LOG, "parent-cancelled=%d", kt_future_cancelled(FUT(p)));
    kt_task_release(p);
    return 0;
}

static void gather_cancel_reaches_every_child(void **state)
{
    (void)state;
    run_main(main_069, NULL);
    KT_CHECK_STR(LOG.buf, "child1:cancelled@1 child2:cancelled@1 parent->CANCELLED gather-cancelled=0 parent-cancelled=1",
                 "cancelling a task that awaits a gather cancels the gather, which cancels every "
                 "pending child; the gather then ends with KT_ECANCELLED and the task is cancelled "
                 "(book §6.3; asyncio case 069)");
}

/* ------------------------------------------------------------ cancel with return_exceptions */

static job j_k1 = {"k1", 5, 0, PROPAGATE}, j_k2 = {"k2", 5, 0, PROPAGATE};

static int main_cancel_rexc(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *a = start(&j_k1), *b = start(&j_k2);
    kt_future *fs[2] = {FUT(a), FUT(b)};
    kt_future *g = NULL;
    GATHER(fs, 2, true, &g);
    kt_sleep(0);
    int r = kt_future_cancel(g, "stop");
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "cancel->%d gather->%s gather-cancelled=%d", r, code_name(rc), kt_future_cancelled(g));
    kt_future_release(g);
    kt_task_release(a);
    kt_task_release(b);
    return 0;
}

static void gather_cancel_wins_over_return_exceptions(void **state)
{
    (void)state;
    run_main(main_cancel_rexc, NULL);
    KT_CHECK_STR(LOG.buf, "k1:cancelled@0 k2:cancelled@0 cancel->1 gather->CANCELLED gather-cancelled=0",
                 "kt_future_cancel on a gather cancels its children and returns 1; even with "
                 "return_exceptions the gather then ends with KT_ECANCELLED, not with the "
                 "outcomes (book §6.3; asyncio/gather_rules.py)");
}

/* ------------------------------------------------------------ all children done, gather not yet */

static int main_cancel_late(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_future *d = NULL;
    kt_future_new(kt_get_running_loop(), &d);
    kt_future_set_result(d, (void *)"one");
    kt_future *g = NULL;
    GATHER(&d, 1, false, &g);
    int r = kt_future_cancel(g, NULL);
    void *v = NULL;
    int rc = kt_await(g, &v);
    kt_log_add(&LOG, "cancel->%d gather->%s %s", r, code_name(rc), rc == 0 ? (char *)((kt_outcome *)v)[0].value : "-");
    kt_future_release(g);
    kt_future_release(d);
    return 0;
}

static void gather_cancel_with_no_child_pending_is_refused(void **state)
{
    (void)state;
    run_main(main_cancel_late, NULL);
    KT_CHECK_STR(LOG.buf, "cancel->0 gather->OK one",
                 "a gather whose children are all done is not cancelled (no child agreed: 0) and "
                 "ends with its results (book §6.3; asyncio/gather_rules.py)");
}

/* ------------------------------------------------------------ duplicates, empty */

static job j_t = {"t", 1, 0, PROPAGATE}, j_u = {"u", 2, 0, PROPAGATE};

static int main_dups(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t = start(&j_t), *u = start(&j_u);
    kt_future *fs[4] = {FUT(t), FUT(t), FUT(u), FUT(t)};
    kt_future *g = NULL;
    GATHER(fs, 4, false, &g);
    void *v = NULL;
    int rc = kt_await(g, &v);
    KT_CHECK_STR(code_name(rc), "OK", "a gather with duplicates ends with results (book §6.3)");
    kt_outcome *o = v;
    kt_log_add(&LOG, "gather->[%s %s %s %s]@%g", (char *)o[0].value, (char *)o[1].value, (char *)o[2].value,
               (char *)o[3].value, now());
    kt_future_release(g);
    kt_task_release(t);
    kt_task_release(u);
    return 0;
}

static void gather_duplicates_are_awaited_once(void **state)
{
    (void)state;
    run_main(main_dups, NULL);
    KT_CHECK_STR(LOG.buf, "t:done@1 u:done@2 gather->[t t u t]@2",
                 "a future given several times is watched once and reported in every position; "
                 "the gather waits for every distinct child (book §6.3; asyncio/gather_rules.py)");
}

static int main_empty(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_future *g = NULL;
    GATHER(NULL, 0, false, &g);
    KT_CHECK(kt_future_done(g), "gather of nothing is done at once (book §6.3)");
    void *v = NULL;
    KT_CHECK_OK(kt_future_result(g, &v), "gather of nothing finishes with a result (book §6.3)");
    KT_CHECK(v != NULL, "gather of nothing gives an empty array, not NULL (book §6.3)");
    kt_future_release(g);
    return 0;
}

static void gather_of_nothing_is_done_at_once(void **state)
{
    (void)state;
    run_main(main_empty, NULL);
}

/* ------------------------------------------------------------ later errors retrieved */

static job j_e1 = {"e1", 1, E_VALUE, PROPAGATE}, j_e2 = {"e2", 2, E_KEY, PROPAGATE};

static int main_retrieved(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *a = start(&j_e1), *b = start(&j_e2);
    kt_future *fs[2] = {FUT(a), FUT(b)};
    kt_future *g = NULL;
    GATHER(fs, 2, false, &g);
    kt_task_release(a); /* only the gather keeps them now */
    kt_task_release(b);
    int rc = kt_await(g, NULL);
    kt_log_add(&LOG, "gather->%s", code_name(rc));
    kt_future_release(g);
    kt_sleep(5);
    return 0;
}

static void gather_marks_later_errors_retrieved(void **state)
{
    (void)state;
    run_main(main_retrieved, NULL);
    KT_CHECK_STR(LOG.buf, "e1:done@1 gather->E_VALUE e2:done@2",
                 "the first error fails the gather (book §6.3)");
    KT_CHECK_STR(HANDLER.buf, "",
                 "an error that comes after the gather failed is marked retrieved (kt_future_error), "
                 "so no \"Task exception was never retrieved\" is reported (book §6.3)");
}

/* ------------------------------------------------------------ arguments */

static void gather_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "a second loop (given code)");
    kt_future *f = NULL, *x = NULL, *g = (kt_future *)&g;
    kt_future_new(loop, &f);
    kt_future_new(other, &x);
    kt_future *fs[2] = {f, NULL};
    kt_future *mixed[2] = {f, x};

    KT_CHECK_ERR(kt_gather(NULL, &f, 1, false, &g), KT_EINVAL, "kt_gather: a NULL loop is KT_EINVAL (book §6.2)");
    KT_CHECK(g == NULL, "kt_gather sets *out to NULL on an error (book §6.2)");
    KT_CHECK_ERR(kt_gather(loop, &f, 1, false, NULL), KT_EINVAL, "kt_gather: a NULL out is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_gather(loop, NULL, 2, false, &g), KT_EINVAL,
                 "kt_gather: a NULL array with n > 0 is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_gather(loop, fs, 2, false, &g), KT_EINVAL,
                 "kt_gather: a NULL element is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_gather(loop, mixed, 2, false, &g), KT_EWRONGLOOP,
                 "kt_gather: a future of another loop is KT_EWRONGLOOP (asyncio: ValueError) (book §6.2)");
    KT_CHECK(g == NULL, "kt_gather sets *out to NULL on an error (book §6.2)");
    kt_future_release(f);
    kt_future_release(x);
    KT_CHECK_OK(kt_loop_close(other), "the other loop closes: nothing of it leaked (book §6.2)");
    close_loop(loop);
}

/* ------------------------------------------------------------ two life cycles */

static int main_twice(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (int round = 0; round < 2; round++) {
        kt_future *fs[2];
        kt_future_new(kt_get_running_loop(), &fs[0]);
        kt_future_new(kt_get_running_loop(), &fs[1]);
        kt_future *g = NULL;
        GATHER(fs, 2, round == 1, &g);
        kt_future_set_result(fs[1], (void *)"y");
        kt_future_set_error(fs[0], E_VALUE);
        void *v = NULL;
        int rc = kt_await(g, &v);
        kt_log_add(&LOG, "round%d->%s", round, code_name(rc));
        if (rc == 0)
            kt_log_add(&LOG, "[%s %s]", code_name(((kt_outcome *)v)[0].error), (char *)((kt_outcome *)v)[1].value);
        kt_future_release(g);
        kt_future_release(fs[0]);
        kt_future_release(fs[1]);
    }
    return 0;
}

static void gather_twice_on_one_loop_leaks_nothing(void **state)
{
    (void)state;
    run_main(main_twice, NULL);
    KT_CHECK_STR(LOG.buf, "round0->E_VALUE round1->OK [E_VALUE y]",
                 "two gathers back to back on one loop: each ends right and frees its children's "
                 "references, so the loop closes (book §6.3)");
}

static const kt_test_case tests[] = {
    KT_TEST(gather_downloads_in_argument_order, 3, "gather's results come in argument order (book §6.3)"),
    KT_TEST(gather_first_error_goes_to_the_awaiter_at_once, 3,
            "the first error fails the gather at once; the others run on (book §6.3)"),
    KT_TEST(gather_return_exceptions_keeps_errors_in_place, 3,
            "return_exceptions: errors and cancellations in the outcomes (book §6.3)"),
    KT_TEST(gather_child_cancelled_fails_it_with_an_error, 2,
            "a child cancelled from outside fails the gather with KT_ECANCELLED (book §6.3)"),
    KT_TEST(gather_cancel_after_failure_is_ignored, 2, "a failed gather ignores cancel (book §6.3)"),
    KT_TEST(gather_cancel_reaches_every_child, 3, "cancelling the gather cancels its children (book §6.3)"),
    KT_TEST(gather_cancel_wins_over_return_exceptions, 2,
            "a cancelled gather ends with KT_ECANCELLED even with return_exceptions (book §6.3)"),
    KT_TEST(gather_cancel_with_no_child_pending_is_refused, 1,
            "no pending child: the cancel is refused (book §6.3)"),
    KT_TEST(gather_duplicates_are_awaited_once, 2, "duplicates: watched once, reported everywhere (book §6.3)"),
    KT_TEST(gather_of_nothing_is_done_at_once, 1, "gather() of nothing is done at once (book §6.3)"),
    KT_TEST(gather_marks_later_errors_retrieved, 2, "later errors are marked retrieved (book §6.3)"),
    KT_TEST(gather_rejects_bad_arguments, 2, "bad arguments are clear errors (book §6.2)"),
    KT_TEST(gather_twice_on_one_loop_leaks_nothing, 1, "two gathers back to back leak nothing (book §6.3)"),
};

KT_MAIN("Lab 06 — combinators: gather", tests)
