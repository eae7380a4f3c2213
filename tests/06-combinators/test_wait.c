/* test_wait.c — Lab 06: wait (book §6.4).
 *
 * Python: shared cases 071-075 and asyncio/wait_rules.py, downloads.py.
 * Kettle's sets come in argument order, so the logs list them that way. */
#include <stdio.h>

#include "comb_test.h"

static const char *name_of(kt_future *f, kt_task **ts, const char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (FUT(ts[i]) == f)
            return names[i];
    return "?";
}

/* Log "label done[a b] pending[c]@t" for the sets of a kt_wait. */
static void log_sets(const char *label, kt_wait_sets *s, kt_task **ts, const char **names, size_t n)
{
    char buf[256];
    int len = snprintf(buf, sizeof buf, "%s done[", label);
    for (size_t i = 0; i < s->n_done && len < 200; i++)
        len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", name_of(s->done[i], ts, names, n));
    len += snprintf(buf + len, sizeof buf - len, "] pending[");
    for (size_t i = 0; i < s->n_pending && len < 200; i++)
        len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", name_of(s->pending[i], ts, names, n));
    snprintf(buf + len, sizeof buf - len, "]@%g", now());
    kt_log_add(&LOG, "%s", buf);
}

#define WAIT_OK(fs, n, mode, timeout, sets) \
    KT_CHECK_OK(kt_wait((fs), (n), (mode), (timeout), (sets)), "kt_wait with valid arguments must succeed (book §6.4)")

/* ------------------------------------------------------------ the seed example */

static job dl_a = {"a", 3, 0, PROPAGATE}, dl_b = {"b", 1, 0, PROPAGATE}, dl_c = {"c", 2, 0, PROPAGATE};

static int main_downloads(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[3] = {start(&dl_a), start(&dl_b), start(&dl_c)};
    const char *names[3] = {"a", "b", "c"};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])}, *d[3], *p[3];
    kt_wait_sets s = {d, 0, p, 0};
    WAIT_OK(fs, 3, KT_FIRST_COMPLETED, INFINITY, &s);
    log_sets("wait", &s, t, names, 3);
    kt_log_add(&LOG, "a-cancelled=%d", kt_future_cancelled(fs[0]));
    WAIT_OK(fs, 3, KT_ALL_COMPLETED, INFINITY, &s);
    log_sets("all", &s, t, names, 3);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void wait_first_completed_returns_the_first_download(void **state)
{
    (void)state;
    run_main(main_downloads, NULL);
    KT_CHECK_STR(LOG.buf,
                 "b:done@1 wait done[b] pending[a c]@1 a-cancelled=0 c:done@2 a:done@3 all done[a b c] pending[]@3",
                 "KT_FIRST_COMPLETED returns as soon as one future is done, with the others pending "
                 "and not cancelled; KT_ALL_COMPLETED waits for all (book §6.4; asyncio case 071, "
                 "asyncio/downloads.py)");
}

/* ------------------------------------------------------------ one failing child, each mode */

static job j_ok1 = {"ok1", 1, 0, PROPAGATE}, j_bad = {"bad", 2, E_VALUE, PROPAGATE}, j_ok3 = {"ok3", 3, 0, PROPAGATE};

static int main_mode(void *arg, void **result)
{
    (void)result;
    kt_wait_mode mode = *(kt_wait_mode *)arg;
    kt_task *t[3] = {start(&j_ok1), start(&j_bad), start(&j_ok3)};
    const char *names[3] = {"ok1", "bad", "ok3"};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])}, *d[3], *p[3];
    kt_wait_sets s = {d, 0, p, 0};
    WAIT_OK(fs, 3, mode, INFINITY, &s);
    log_sets("wait", &s, t, names, 3);
    kt_wait_sets all = {NULL, 0, NULL, 0};
    WAIT_OK(fs, 3, KT_ALL_COMPLETED, INFINITY, &all);
    kt_future_error(fs[1]);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void wait_first_completed_with_a_failing_child(void **state)
{
    (void)state;
    kt_wait_mode m = KT_FIRST_COMPLETED;
    run_main(main_mode, &m);
    KT_CHECK_STR(LOG.buf, "ok1:done@1 wait done[ok1] pending[bad ok3]@1 bad:done@2 ok3:done@3",
                 "KT_FIRST_COMPLETED returns at the first completion, success or not (book §6.4; "
                 "asyncio/wait_rules.py)");
}

static void wait_first_exception_returns_at_the_error(void **state)
{
    (void)state;
    kt_wait_mode m = KT_FIRST_EXCEPTION;
    run_main(main_mode, &m);
    KT_CHECK_STR(LOG.buf, "ok1:done@1 bad:done@2 wait done[ok1 bad] pending[ok3]@2 ok3:done@3",
                 "KT_FIRST_EXCEPTION returns when a future fails (not at a success), with the "
                 "failed one in the done set (book §6.4; asyncio/wait_rules.py)");
}

static void wait_all_completed_waits_for_every_future(void **state)
{
    (void)state;
    kt_wait_mode m = KT_ALL_COMPLETED;
    run_main(main_mode, &m);
    KT_CHECK_STR(LOG.buf, "ok1:done@1 bad:done@2 ok3:done@3 wait done[ok1 bad ok3] pending[]@3",
                 "KT_ALL_COMPLETED waits for every future, failed ones count as done (book §6.4; "
                 "asyncio/wait_rules.py)");
}

/* ------------------------------------------------------------ a cancellation is no exception */

static job j_c = {"c", 5, 0, PROPAGATE}, j_s = {"s", 2, 0, PROPAGATE};

static void cancel_task(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_task_cancel(arg, NULL);
}

static int main_first_exc_cancel(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[2] = {start(&j_c), start(&j_s)};
    const char *names[2] = {"c", "s"};
    kt_call_later(kt_get_running_loop(), 1, cancel_task, t[0], NULL);
    kt_future *fs[2] = {FUT(t[0]), FUT(t[1])}, *d[2], *p[2];
    kt_wait_sets s = {d, 0, p, 0};
    WAIT_OK(fs, 2, KT_FIRST_EXCEPTION, INFINITY, &s);
    log_sets("wait", &s, t, names, 2);
    kt_task_release(t[0]);
    kt_task_release(t[1]);
    return 0;
}

static void wait_first_exception_ignores_a_cancelled_future(void **state)
{
    (void)state;
    run_main(main_first_exc_cancel, NULL);
    KT_CHECK_STR(LOG.buf, "c:cancelled@1 s:done@2 wait done[c s] pending[]@2",
                 "under KT_FIRST_EXCEPTION a cancelled future is not an exception: wait goes on "
                 "until everything is done (book §6.4; asyncio/wait_rules.py)");
}

/* ------------------------------------------------------------ case 073: timeout */

static job j_fast = {"fast", 1, 0, PROPAGATE}, j_slow = {"slow", 10, 0, PROPAGATE};

static int main_073(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[2] = {start(&j_fast), start(&j_slow)};
    const char *names[2] = {"fast", "slow"};
    kt_future *fs[2] = {FUT(t[0]), FUT(t[1])}, *d[2], *p[2];
    kt_wait_sets s = {d, 0, p, 0};
    WAIT_OK(fs, 2, KT_ALL_COMPLETED, 3, &s);
    log_sets("wait", &s, t, names, 2);
    kt_log_add(&LOG, "slow-cancelled=%d", kt_future_cancelled(fs[1]));
    void *v = NULL;
    kt_await(fs[1], &v);
    kt_log_add(&LOG, "slow->%s", (char *)v);
    kt_task_release(t[0]);
    kt_task_release(t[1]);
    return 0;
}

static void wait_timeout_returns_what_is_done_and_cancels_nothing(void **state)
{
    (void)state;
    run_main(main_073, NULL);
    KT_CHECK_STR(LOG.buf, "fast:done@1 wait done[fast] pending[slow]@3 slow-cancelled=0 slow:done@10 slow->slow",
                 "a wait that times out returns 0 with what is done; the pending futures are not "
                 "cancelled (book §6.4; asyncio case 073)");
}

/* ------------------------------------------------------------ case 075: already done */

static int main_075(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    kt_future *f = NULL;
    kt_future_new(loop, &f);
    kt_future_set_result(f, NULL);
    kt_call_soon(loop, say, "callback-queued-before-wait", NULL);
    kt_future *d[1];
    kt_wait_sets s = {d, 0, NULL, 0};
    WAIT_OK(&f, 1, KT_FIRST_COMPLETED, INFINITY, &s);
    kt_log_add(&LOG, "wait-returned done=%zu pending=%zu", s.n_done, s.n_pending);
    kt_future_release(f);
    return 0;
}

static void wait_on_done_futures_still_yields(void **state)
{
    (void)state;
    run_main(main_075, NULL);
    KT_CHECK_STR(LOG.buf, "callback-queued-before-wait wait-returned done=1 pending=0",
                 "kt_wait suspends even when everything is already done: a callback queued before "
                 "it runs first (book §6.4; asyncio case 075)");
}

/* ------------------------------------------------------------ the waiter cancelled */

static job j_x = {"x", 5, 0, PROPAGATE};

static int waiter_fn(void *arg, void **result)
{
    (void)result;
    kt_future *f = arg;
    kt_wait_sets s = {NULL, 0, NULL, 0};
    int rc = kt_wait(&f, 1, KT_ALL_COMPLETED, INFINITY, &s);
    kt_log_add(&LOG, "wait->%s@%g", code_name(rc), now());
    return rc;
}

static int main_waiter_cancelled(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *x = start(&j_x);
    kt_task *w = spawn(kt_get_running_loop(), waiter_fn, FUT(x));
    kt_sleep(1);
    kt_task_cancel(w, NULL);
    kt_await_task(w, NULL);
    kt_log_add(&LOG, "waiter-cancelled=%d x-cancelled=%d", kt_future_cancelled(FUT(w)), kt_future_cancelled(FUT(x)));
    kt_await_task(x, NULL);
    kt_task_release(w);
    kt_task_release(x);
    return 0;
}

static void wait_cancelled_leaves_the_futures_alone(void **state)
{
    (void)state;
    run_main(main_waiter_cancelled, NULL);
    KT_CHECK_STR(LOG.buf, "wait->CANCELLED@1 waiter-cancelled=1 x-cancelled=0 x:done@5",
                 "cancelling the task in kt_wait cancels only the wait: KT_ECANCELLED comes back and "
                 "the futures it watched run on (book §6.4; asyncio/wait_rules.py)");
}

/* ------------------------------------------------------------ duplicates */

static int main_dups(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *a = start(&j_ok1), *b = start(&j_ok3);
    kt_future *fs[3] = {FUT(a), FUT(a), FUT(b)}, *d[3], *p[3];
    kt_wait_sets s = {d, 0, p, 0};
    WAIT_OK(fs, 3, KT_ALL_COMPLETED, INFINITY, &s);
    kt_log_add(&LOG, "done=%zu pending=%zu@%g", s.n_done, s.n_pending, now());
    kt_task_release(a);
    kt_task_release(b);
    return 0;
}

static void wait_counts_a_duplicate_once(void **state)
{
    (void)state;
    run_main(main_dups, NULL);
    KT_CHECK_STR(LOG.buf, "ok1:done@1 ok3:done@3 done=2 pending=0@3",
                 "a future given twice is one future of the set: it is in the done set once, and "
                 "ALL_COMPLETED still waits for the others (book §6.4)");
}

/* ------------------------------------------------------------ arguments */

static int main_args(void *arg, void **result)
{
    (void)result;
    kt_loop *other = arg;
    kt_loop *loop = kt_get_running_loop();
    kt_future *f = NULL, *x = NULL, *d[2], *p[2];
    kt_future_new(loop, &f);
    kt_future_new(other, &x);
    kt_wait_sets s = {d, 0, p, 0};
    kt_future *with_null[2] = {f, NULL}, *mixed[2] = {f, x};
    KT_CHECK_ERR(kt_wait(&f, 1, KT_ALL_COMPLETED, 1, NULL), KT_EINVAL, "kt_wait: NULL sets is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_wait(NULL, 1, KT_ALL_COMPLETED, 1, &s), KT_EINVAL, "kt_wait: a NULL array is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_wait(&f, 0, KT_ALL_COMPLETED, 1, &s), KT_EINVAL,
                 "kt_wait: an empty set is KT_EINVAL (asyncio: \"Set of Tasks/Futures is empty.\") (book §6.4)");
    KT_CHECK_ERR(kt_wait(with_null, 2, KT_ALL_COMPLETED, 1, &s), KT_EINVAL,
                 "kt_wait: a NULL element is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_wait(&f, 1, (kt_wait_mode)0, 1, &s), KT_EINVAL,
                 "kt_wait: an unknown mode is KT_EINVAL (asyncio: \"Invalid return_when value\") (book §6.4)");
    KT_CHECK_ERR(kt_wait(&f, 1, (kt_wait_mode)4, 1, &s), KT_EINVAL, "kt_wait: an unknown mode is KT_EINVAL (book §6.4)");
    KT_CHECK_ERR(kt_wait(&f, 1, KT_ALL_COMPLETED, NAN, &s), KT_EINVAL, "kt_wait: a NaN timeout is KT_EINVAL (book §6.2)");
    KT_CHECK_ERR(kt_wait(mixed, 2, KT_ALL_COMPLETED, 1, &s), KT_EWRONGLOOP,
                 "kt_wait: a future of another loop is KT_EWRONGLOOP (book §6.2)");
    KT_CHECK(!kt_future_done(f), "a refused kt_wait touches nothing (book §6.2)");
    kt_future_release(f);
    kt_future_release(x);
    return 0;
}

static void wait_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "a second loop (given code)");
    run_main(main_args, other);
    kt_future *f = (kt_future *)&other;
    kt_wait_sets s = {NULL, 0, NULL, 0};
    KT_CHECK_ERR(kt_wait(&f, 1, KT_ALL_COMPLETED, 1, &s), KT_ENOTCORO,
                 "kt_wait outside a task's coroutine is KT_ENOTCORO (book §6.4)");
    KT_CHECK_OK(kt_loop_close(other), "the other loop closes: nothing of it leaked (book §6.2)");
}

static const kt_test_case tests[] = {
    KT_TEST(wait_first_completed_returns_the_first_download, 3,
            "FIRST_COMPLETED returns at the first completion (book §6.4)"),
    KT_TEST(wait_first_completed_with_a_failing_child, 2, "FIRST_COMPLETED with a failing child (book §6.4)"),
    KT_TEST(wait_first_exception_returns_at_the_error, 2, "FIRST_EXCEPTION returns at the error (book §6.4)"),
    KT_TEST(wait_all_completed_waits_for_every_future, 2, "ALL_COMPLETED waits for all (book §6.4)"),
    KT_TEST(wait_first_exception_ignores_a_cancelled_future, 2,
            "a cancellation is not an exception for FIRST_EXCEPTION (book §6.4)"),
    KT_TEST(wait_timeout_returns_what_is_done_and_cancels_nothing, 3,
            "a timeout returns what is done and cancels nothing (book §6.4)"),
    KT_TEST(wait_on_done_futures_still_yields, 2, "kt_wait yields even when all is done (book §6.4)"),
    KT_TEST(wait_cancelled_leaves_the_futures_alone, 2, "cancelling the waiter leaves the futures (book §6.4)"),
    KT_TEST(wait_counts_a_duplicate_once, 1, "duplicates are one future (book §6.4)"),
    KT_TEST(wait_rejects_bad_arguments, 2, "bad arguments are clear errors (book §6.2)"),
};

KT_MAIN("Lab 06 — combinators: wait", tests)
