/* test_as_completed.c — Lab 06: as_completed (book §6.5).
 *
 * Python: shared cases 077, 079 and asyncio/as_completed_rules.py,
 * downloads.py. */
#include "comb_test.h"

#define NEW_IT(fs, n, timeout, it) \
    KT_CHECK_OK(kt_as_completed_new(kt_get_running_loop(), (fs), (n), (timeout), (it)), \
                "kt_as_completed_new with valid arguments must succeed (book §6.5)")

/* for f in as_completed(...): log "got v@t" / "raised E@t" until KT_ESTOP. */
#define DRAIN(it)                                                                           \
    do {                                                                                    \
        void *v_ = NULL;                                                                    \
        int rc_, guard_ = 0;                                                                \
        while ((rc_ = kt_as_completed_next((it), NULL, &v_)) != KT_ESTOP && guard_++ < 10) { \
            if (rc_ == 0)                                                                   \
                kt_log_add(&LOG, "got:%s@%g", (char *)v_, now());                           \
            else                                                                            \
                kt_log_add(&LOG, "raised:%s@%g", code_name(rc_), now());                    \
        }                                                                                   \
        KT_CHECK(guard_ < 10, "kt_as_completed_next must say KT_ESTOP once every future was " \
                              "handed out (book §6.5)");                                    \
    } while (0)

/* ------------------------------------------------------------ the seed example */

static job dl_a = {"a", 3, 0, PROPAGATE}, dl_b = {"b", 1, 0, PROPAGATE}, dl_c = {"c", 2, 0, PROPAGATE};

static int main_downloads(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[3] = {start(&dl_a), start(&dl_b), start(&dl_c)};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])};
    kt_as_completed *it = NULL;
    NEW_IT(fs, 3, INFINITY, &it);
    DRAIN(it);
    kt_as_completed_free(it);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void as_completed_downloads_in_completion_order(void **state)
{
    (void)state;
    run_main(main_downloads, NULL);
    KT_CHECK_STR(LOG.buf, "b:done@1 got:b@1 c:done@2 got:c@2 a:done@3 got:a@3",
                 "as_completed hands the downloads out in completion order, each as soon as it is "
                 "done (book §6.5; asyncio/downloads.py)");
}

/* ------------------------------------------------------------ case 077 */

static job j_slow = {"slow", 3, 0, PROPAGATE}, j_fast = {"fast", 1, 0, PROPAGATE},
           j_bad = {"bad", 2, E_VALUE, PROPAGATE};

static int main_077(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[3] = {start(&j_slow), start(&j_fast), start(&j_bad)};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])};
    kt_as_completed *it = NULL;
    NEW_IT(fs, 3, INFINITY, &it);
    kt_future *f = NULL;
    void *v = NULL;
    int rc = kt_as_completed_next(it, &f, &v);
    KT_CHECK(rc == 0 && f == fs[1], "the first future handed out is the first to complete, in *fut_out (book §6.5)");
    kt_log_add(&LOG, "got:%s", (char *)v);
    DRAIN(it);
    kt_as_completed_free(it);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void as_completed_goes_on_after_an_error(void **state)
{
    (void)state;
    run_main(main_077, NULL);
    KT_CHECK_STR(LOG.buf, "fast:done@1 got:fast bad:done@2 raised:E_VALUE@2 slow:done@3 got:slow@3",
                 "each next() gives that future's result or its error, and iteration goes on after "
                 "an error (book §6.5; asyncio case 077)");
}

/* ------------------------------------------------------------ case 079 */

static job j_t = {"t", 0, 0, PROPAGATE};

static int main_079(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t = start(&j_t);
    kt_future *fs[3] = {FUT(t), FUT(t), FUT(t)};
    kt_as_completed *it = NULL;
    NEW_IT(fs, 3, INFINITY, &it);
    DRAIN(it);
    kt_as_completed_free(it);
    kt_log_add(&LOG, "empty:");
    NEW_IT(NULL, 0, INFINITY, &it);
    DRAIN(it);
    kt_as_completed_free(it);
    kt_task_release(t);
    return 0;
}

static void as_completed_collapses_duplicates(void **state)
{
    (void)state;
    run_main(main_079, NULL);
    KT_CHECK_STR(LOG.buf, "t:done@0 got:t@0 empty:",
                 "a future given three times is handed out once; no futures, no items (book §6.5; "
                 "asyncio case 079)");
}

/* ------------------------------------------------------------ timeout */

static job j_a = {"a", 1, 0, PROPAGATE}, j_b = {"b", 5, 0, PROPAGATE}, j_c = {"c", 6, 0, PROPAGATE};

static int main_timeout(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[3] = {start(&j_b), start(&j_a), start(&j_c)};
    kt_future *fs[3] = {FUT(t[0]), FUT(t[1]), FUT(t[2])};
    kt_as_completed *it = NULL;
    NEW_IT(fs, 3, 2, &it);
    DRAIN(it);
    kt_as_completed_free(it);
    kt_log_add(&LOG, "b-cancelled=%d", kt_future_cancelled(fs[0]));
    kt_await(fs[0], NULL);
    kt_await(fs[2], NULL);
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
    return 0;
}

static void as_completed_timeout_ends_the_rest(void **state)
{
    (void)state;
    run_main(main_timeout, NULL);
    KT_CHECK_STR(LOG.buf, "a:done@1 got:a@1 raised:TIMEDOUT@2 raised:TIMEDOUT@2 b-cancelled=0 b:done@5 c:done@6",
                 "after the timeout every remaining next() gives KT_ETIMEDOUT at once, then KT_ESTOP; "
                 "nothing is cancelled (book §6.5; asyncio/as_completed_rules.py)");
}

/* ------------------------------------------------------------ a cancelled next() */

static int consumer(void *arg, void **result)
{
    (void)result;
    int rc = kt_as_completed_next(arg, NULL, NULL);
    kt_log_add(&LOG, "consumer->%s@%g", code_name(rc), now());
    return rc;
}

static int main_cancel_next(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *t[2] = {start(&dl_b), start(&dl_c)};
    kt_future *fs[2] = {FUT(t[0]), FUT(t[1])};
    kt_as_completed *it = NULL;
    NEW_IT(fs, 2, INFINITY, &it);
    kt_task *c = spawn(kt_get_running_loop(), consumer, it);
    kt_sleep(0.5);
    kt_task_cancel(c, NULL);
    kt_await_task(c, NULL);
    DRAIN(it);
    kt_as_completed_free(it);
    kt_task_release(c);
    kt_task_release(t[0]);
    kt_task_release(t[1]);
    return 0;
}

static void as_completed_cancelled_next_loses_nothing(void **state)
{
    (void)state;
    run_main(main_cancel_next, NULL);
    KT_CHECK_STR(LOG.buf, "consumer->CANCELLED@0.5 b:done@1 got:b@1 c:done@2 got:c@2",
                 "a task cancelled while parked in kt_as_completed_next gets KT_ECANCELLED and takes "
                 "nothing: the iterator still hands out every future (book §6.5)");
}

/* ------------------------------------------------------------ freed early */

static int main_free_early(void *arg, void **result)
{
    (void)arg;
    (void)result;
    for (int round = 0; round < 2; round++) {
        kt_future *fs[2];
        kt_future_new(kt_get_running_loop(), &fs[0]);
        kt_future_new(kt_get_running_loop(), &fs[1]);
        kt_as_completed *it = NULL;
        NEW_IT(fs, 2, 5, &it);
        kt_future_set_result(fs[1], (void *)"one");
        void *v = NULL;
        int rc = kt_as_completed_next(it, NULL, &v);
        kt_log_add(&LOG, "round%d:%s", round, rc == 0 ? (char *)v : code_name(rc));
        kt_future_set_result(fs[0], (void *)"zero"); /* its callback is queued ... */
        kt_as_completed_free(it);                    /* ... and runs after the free */
        kt_future_release(fs[0]);
        kt_future_release(fs[1]);
        kt_sleep(0);
    }
    return 0;
}

static void as_completed_freed_early_leaks_nothing(void **state)
{
    (void)state;
    run_main(main_free_early, NULL);
    KT_CHECK_STR(LOG.buf, "round0:one round1:one",
                 "an iterator freed before the end (twice, on one loop) drops its callbacks, timer "
                 "and references without a crash or a leak (book §6.5)");
}

/* ------------------------------------------------------------ arguments */

static void as_completed_rejects_bad_arguments(void **state)
{
    (void)state;
    kt_loop *loop = new_loop(), *other = NULL;
    KT_CHECK_OK(kt_loop_new(&other, KT_CLOCK_VIRTUAL), "a second loop (given code)");
    kt_future *f = NULL, *x = NULL;
    kt_future_new(loop, &f);
    kt_future_new(other, &x);
    kt_future *with_null[2] = {f, NULL}, *mixed[2] = {f, x};
    kt_as_completed *it = (kt_as_completed *)&it;
    KT_CHECK_ERR(kt_as_completed_new(NULL, &f, 1, 1, &it), KT_EINVAL, "kt_as_completed_new: NULL loop (book §6.2)");
    KT_CHECK(it == NULL, "kt_as_completed_new sets *out to NULL on an error (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_new(loop, &f, 1, 1, NULL), KT_EINVAL, "kt_as_completed_new: NULL out (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_new(loop, NULL, 1, 1, &it), KT_EINVAL,
                 "kt_as_completed_new: a NULL array with n > 0 (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_new(loop, with_null, 2, 1, &it), KT_EINVAL,
                 "kt_as_completed_new: a NULL element (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_new(loop, &f, 1, NAN, &it), KT_EINVAL,
                 "kt_as_completed_new: a NaN timeout (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_new(loop, mixed, 2, 1, &it), KT_EWRONGLOOP,
                 "kt_as_completed_new: a future of another loop is KT_EWRONGLOOP (book §6.2)");
    KT_CHECK_ERR(kt_as_completed_next(NULL, NULL, NULL), KT_EINVAL, "kt_as_completed_next(NULL) (book §6.5)");
    KT_CHECK_OK(kt_as_completed_new(loop, &f, 1, INFINITY, &it), "a valid iterator (book §6.5)");
    kt_future *got = (kt_future *)&got;
    KT_CHECK_ERR(kt_as_completed_next(it, &got, NULL), KT_ENOTCORO,
                 "kt_as_completed_next outside a task's coroutine is KT_ENOTCORO (book §6.5)");
    KT_CHECK(got == NULL, "kt_as_completed_next clears *fut_out on an error (book §6.5)");
    kt_as_completed_free(it);
    kt_as_completed_free(NULL);
    kt_future_release(f);
    kt_future_release(x);
    KT_CHECK_OK(kt_loop_close(other), "the other loop closes: nothing of it leaked (book §6.2)");
    close_loop(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(as_completed_downloads_in_completion_order, 3, "completion order (book §6.5)"),
    KT_TEST(as_completed_goes_on_after_an_error, 2, "an error does not end the iteration (book §6.5)"),
    KT_TEST(as_completed_collapses_duplicates, 2, "duplicates collapse; empty gives nothing (book §6.5)"),
    KT_TEST(as_completed_timeout_ends_the_rest, 3, "the timeout gives KT_ETIMEDOUT for the rest (book §6.5)"),
    KT_TEST(as_completed_cancelled_next_loses_nothing, 2, "a cancelled next() takes nothing (book §6.5)"),
    KT_TEST(as_completed_freed_early_leaks_nothing, 2, "an iterator freed early leaks nothing (book §6.5)"),
    KT_TEST(as_completed_rejects_bad_arguments, 2, "bad arguments are clear errors (book §6.2)"),
};

KT_MAIN("Lab 06 — combinators: as_completed", tests)
