/* test_future.c — Lab 04: futures.
 *
 * Every rule of book chapter 4, one test each. Loops use the virtual clock.
 * Order tests log words and compare whole sequences with what CPython 3.11
 * prints for the same scenario (the asyncio case named in each message).
 * A "|" in a log marks the end of one loop iteration. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "kettle/errors.h"
#include "kettle/future.h"
#include "kettle/loop.h"
#include "loop_fixtures.h"

/* ------------------------------------------------------------ helpers */

static kt_loop *new_loop(void)
{
    return kt_test_loop(KT_CLOCK_VIRTUAL);
}

static kt_future *new_future(kt_loop *loop)
{
    kt_future *f = NULL;
    KT_CHECK_OK(kt_future_new(loop, &f), "creating a future (given code) must work");
    return f;
}

/* The checking helpers are macros, so a failure points at the test's own
 * line. */

/* Closing refuses while a future is alive, so this also proves that every
 * reference was given back. */
#define close_loop(loop)                                                                           \
    KT_CHECK_ERR(kt_loop_close(loop), 0,                                                           \
                 "once every future is released and the loop has run the done callbacks, nothing " \
                 "holds a future any more and kt_loop_close must succeed; KT_EINVALSTATE means a "  \
                 "reference was never given back: does each scheduled done callback release its "  \
                 "reference after it ran? (book §4.6)")

#define run_once(loop) \
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed while callbacks are queued (book §1.3)")

/* One iteration, then a "|" in the log. */
#define step(loop)                  \
    do {                            \
        run_once(loop);             \
        kt_log_add(&LOG, "|");      \
    } while (0)

/* Run until nothing is left to run (kt_loop_run_once says KT_EDEADLOCK). */
static void drain(kt_loop *loop)
{
    for (int i = 0; i < 100; i++) {
        int rc = kt_loop_run_once(loop);
        if (rc == KT_EDEADLOCK)
            return;
        KT_CHECK_OK(rc, "kt_loop_run_once must succeed while callbacks are queued (book §1.3)");
    }
    KT_FAIL("the loop still had callbacks to run after 100 iterations: does a done callback "
            "schedule itself again and again? (book §4.4)");
}

/* A call_soon callback that logs its word. */
#define soon(loop, word) \
    KT_CHECK_OK(kt_call_soon((loop), say, (void *)(word), NULL), "kt_call_soon must work (Lab 01, book §1.2)")

/* A done callback that logs its word. */
static void done_say(kt_future *f, void *word)
{
    (void)f;
    kt_log_add(&LOG, "%s", (const char *)word);
}

#define add_cb(f, fn, arg)                                                 \
    KT_CHECK_ERR(kt_future_add_done_callback((f), (fn), (void *)(arg)), 0, \
                 "kt_future_add_done_callback with a future and a function must return 0 (book §4.4)")

#define set_result(f, value)                               \
    KT_CHECK_ERR(kt_future_set_result((f), (value)), 0,    \
                 "kt_future_set_result on a pending future must return 0 (book §4.2)")

#define set_error(f, error)                             \
    KT_CHECK_ERR(kt_future_set_error((f), (error)), 0,  \
                 "kt_future_set_error on a pending future with a negative code must return 0 (book §4.3)")

#define cancel(f, msg) \
    KT_CHECK_INT(kt_future_cancel((f), (msg)), 1, "cancelling a pending future must return 1 (true) (book §4.5)")

/* An exception handler that counts reports. */
static struct {
    int count;
    int error;
    char message[160];
    uintptr_t expect_object;
    int object_ok;
} REPORTS;

static void count_reports(kt_loop *loop, const kt_error_context *ctx, void *arg)
{
    (void)loop;
    (void)arg;
    REPORTS.count++;
    REPORTS.error = ctx->error;
    snprintf(REPORTS.message, sizeof REPORTS.message, "%s", ctx->message ? ctx->message : "(null)");
    REPORTS.object_ok = (uintptr_t)ctx->object == REPORTS.expect_object;
}

static void watch_reports(kt_loop *loop, const kt_future *expected)
{
    memset(&REPORTS, 0, sizeof REPORTS);
    REPORTS.expect_object = (uintptr_t)expected;
    kt_loop_set_exception_handler(loop, count_reports, NULL);
}

static int x_value, y_value; /* results are pointers: these give distinct ones */

/* ------------------------------------------------------------ §4.2 states */

static void new_future_is_pending(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    KT_CHECK(!kt_future_done(f), "a new future is pending: kt_future_done is false (book §4.2; asyncio case 025)");
    KT_CHECK(!kt_future_cancelled(f),
             "a new future is pending: kt_future_cancelled is false (book §4.2; asyncio case 025)");
    void *value = &y_value;
    KT_CHECK_ERR(kt_future_result(f, &value), KT_EINVALSTATE,
                 "a pending future has no result yet: kt_future_result returns KT_EINVALSTATE "
                 "(InvalidStateError: Result is not set) (book §4.2; asyncio case 025)");
    KT_CHECK(value == &y_value, "kt_future_result writes *value_out only when it returns 0 (book §4.3)");
    KT_CHECK_ERR(kt_future_error(f), KT_EINVALSTATE,
                 "a pending future has no error yet either: kt_future_error returns KT_EINVALSTATE "
                 "(book §4.2; asyncio case 025)");
    KT_CHECK(kt_future_loop(f) == loop, "a future belongs to the loop it was made for (book §4.2)");
    kt_future_release(f);
    close_loop(loop);
}

static void set_result_finishes_the_future(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    set_result(f, &x_value);
    KT_CHECK(kt_future_done(f), "after set_result the future is done (book §4.2)");
    KT_CHECK(!kt_future_cancelled(f), "a future finished with a result is not cancelled (book §4.2)");
    void *value = NULL;
    KT_CHECK_ERR(kt_future_result(f, &value), 0, "kt_future_result of a finished future returns 0 (book §4.3)");
    KT_CHECK(value == &x_value, "kt_future_result hands back exactly the pointer given to set_result (book §4.3)");
    KT_CHECK_ERR(kt_future_result(f, NULL), 0,
                 "kt_future_result may be asked with value_out NULL, just to check the outcome (book §4.3)");
    KT_CHECK_ERR(kt_future_error(f), 0, "a future finished with a result has no error: kt_future_error is 0 (book §4.3)");

    kt_future *g = new_future(loop);
    set_result(g, NULL);
    value = &y_value;
    KT_CHECK_ERR(kt_future_result(g, &value), 0, "NULL is a result like any other (book §4.3)");
    KT_CHECK(value == NULL, "a future finished with NULL gives back NULL (book §4.3)");
    kt_future_release(f);
    kt_future_release(g);
    close_loop(loop);
}

static void a_future_completes_only_once(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    set_result(f, &x_value);
    KT_CHECK_ERR(kt_future_set_result(f, &y_value), KT_EINVALSTATE,
                 "a future completes once: a second set_result returns KT_EINVALSTATE (book §4.2)");
    KT_CHECK_ERR(kt_future_set_error(f, KT_ETIMEDOUT), KT_EINVALSTATE,
                 "a future completes once: set_error after set_result returns KT_EINVALSTATE (book §4.2)");
    void *value = NULL;
    KT_CHECK_ERR(kt_future_result(f, &value), 0, "a refused second completion changes nothing (book §4.2)");
    KT_CHECK(value == &x_value, "a refused second completion keeps the first result (book §4.2)");

    kt_future *g = new_future(loop);
    set_error(g, KT_ETIMEDOUT);
    KT_CHECK_ERR(kt_future_set_result(g, &x_value), KT_EINVALSTATE,
                 "a future completes once: set_result after set_error returns KT_EINVALSTATE (book §4.2)");
    KT_CHECK_ERR(kt_future_set_error(g, KT_ECLOSED), KT_EINVALSTATE,
                 "a future completes once: a second set_error returns KT_EINVALSTATE (book §4.2)");
    KT_CHECK_ERR(kt_future_error(g), KT_ETIMEDOUT, "a refused second completion keeps the first error (book §4.2)");
    kt_future_release(f);
    kt_future_release(g);
    close_loop(loop);
}

/* ------------------------------------------------------------ §4.3 results and errors */

static void set_error_stores_the_error(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    const int codes[] = {KT_ETIMEDOUT, -EPIPE, KT_EUSER - 7, KT_ECANCELLED};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        kt_future *f = new_future(loop);
        set_error(f, codes[i]);
        KT_CHECK(kt_future_done(f), "a future finished with an error is done (book §4.3)");
        KT_CHECK(!kt_future_cancelled(f),
                 "a future finished with an error is not cancelled, even when the error is KT_ECANCELLED "
                 "(only kt_future_cancel cancels) (book §4.3)");
        void *value = &y_value;
        KT_CHECK_ERR(kt_future_result(f, &value), codes[i],
                     "kt_future_result of a future finished with an error returns that error, like "
                     "result() re-raising the exception (book §4.3; asyncio case 033)");
        KT_CHECK(value == &y_value, "kt_future_result writes *value_out only when it returns 0 (book §4.3)");
        KT_CHECK_ERR(kt_future_error(f), codes[i],
                     "kt_future_error returns the stored error, like exception() (book §4.3; asyncio case 033)");
        kt_future_release(f);
    }
    close_loop(loop);
}

static void set_error_rejects_codes_that_are_not_errors(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    KT_CHECK_ERR(kt_future_set_error(f, 0), KT_EINVAL,
                 "0 means success, not an error: kt_future_set_error(f, 0) returns KT_EINVAL (book §4.3)");
    KT_CHECK_ERR(kt_future_set_error(f, 5), KT_EINVAL,
                 "errors are negative: kt_future_set_error(f, 5) returns KT_EINVAL (book §4.3)");
    KT_CHECK_ERR(kt_future_set_error(f, KT_ESTOP), KT_EINVAL,
                 "KT_ESTOP (StopIteration) cannot finish a future, as in asyncio: KT_EINVAL (book §4.3; asyncio case 033)");
    KT_CHECK(!kt_future_done(f), "a rejected set_error leaves the future pending (book §4.3; asyncio case 033)");
    set_error(f, KT_EUSER);
    KT_CHECK_ERR(kt_future_error(f), KT_EUSER, "after the rejected calls a valid error is stored as usual (book §4.3)");
    kt_future_release(f);
    close_loop(loop);
}

/* ------------------------------------------------------------ §4.4 done callbacks */

static void done_callbacks_are_never_called_inline(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_say, "done-cb");
    set_result(f, &x_value);
    KT_CHECK_STR(LOG.buf, "",
                 "kt_future_set_result must not call done callbacks itself: it schedules them with "
                 "kt_call_soon (book §4.4; asyncio case 027)");
    step(loop);
    KT_CHECK_STR(LOG.buf, "done-cb |",
                 "a done callback runs on the next loop iteration after the future completes "
                 "(book §4.4; asyncio case 027)");

    kt_future *g = new_future(loop);
    add_cb(g, done_say, "error-cb");
    set_error(g, KT_ETIMEDOUT);
    KT_CHECK_STR(LOG.buf, "done-cb |", "kt_future_set_error must not call done callbacks itself either (book §4.4)");
    step(loop);
    KT_CHECK_STR(LOG.buf, "done-cb | error-cb |",
                 "set_error schedules the done callbacks just like set_result (book §4.4)");
    KT_CHECK_ERR(kt_future_error(g), KT_ETIMEDOUT, "the error is still there (book §4.3)");
    kt_future_release(f);
    kt_future_release(g);
    close_loop(loop);
}

static void done_callbacks_interleave_with_call_soon(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_say, "d1");
    add_cb(f, done_say, "d2");
    add_cb(f, done_say, "d3");
    soon(loop, "soon-A");
    set_result(f, NULL);
    soon(loop, "soon-B");
    step(loop);
    KT_CHECK_STR(LOG.buf, "soon-A d1 d2 d3 soon-B |",
                 "done callbacks are queued with kt_call_soon in registration order at the moment the "
                 "future completes, so they sit between what was scheduled before and after "
                 "(book §4.4; asyncio case 029)");
    kt_future_release(f);
    close_loop(loop);
}

static kt_future *EXPECTED_FUTURE;

static void done_check_args(kt_future *f, void *arg)
{
    kt_log_add(&LOG, "%s:%s", f == EXPECTED_FUTURE ? "f" : "wrong-future", arg == &y_value ? "arg" : "wrong-arg");
}

static void done_callback_receives_future_and_arg(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    EXPECTED_FUTURE = f;
    add_cb(f, done_check_args, &y_value);
    set_result(f, &x_value);
    step(loop);
    KT_CHECK_STR(LOG.buf, "f:arg |",
                 "a done callback is called with the future that completed and the arg given to "
                 "kt_future_add_done_callback (book §4.4; asyncio case 029)");
    kt_future_release(f);
    close_loop(loop);
}

static void callback_added_to_done_future_is_scheduled_at_once(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    set_result(f, &x_value);
    soon(loop, "soon-A");
    add_cb(f, done_say, "late-cb");
    KT_CHECK_STR(LOG.buf, "",
                 "adding a callback to a done future schedules it; it is not called inline (book §4.4)");
    soon(loop, "soon-B");
    step(loop);
    KT_CHECK_STR(LOG.buf, "soon-A late-cb soon-B |",
                 "a callback added to a future that is already done is scheduled with kt_call_soon at "
                 "once, between what was scheduled before and after (book §4.4)");
    kt_future_release(f);
    close_loop(loop);
}

static void adds_more(kt_future *f, void *arg)
{
    (void)arg;
    kt_log_add(&LOG, "c1");
    add_cb(f, done_say, "c3");
    soon(kt_future_loop(f), "soon-from-c1");
}

static void callbacks_added_by_callbacks_run_next_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, adds_more, NULL);
    add_cb(f, done_say, "c2");
    set_result(f, &x_value);
    soon(loop, "X");
    step(loop);
    step(loop);
    KT_CHECK_STR(LOG.buf, "c1 c2 X | c3 soon-from-c1 |",
                 "a done callback that adds another callback to its (done) future schedules it at once: "
                 "it runs on the next iteration, in FIFO order with other call_soon traffic "
                 "(book §4.4; CPython prints the same order)");
    kt_future_release(f);
    close_loop(loop);
}

static void done_a(kt_future *f, void *arg)
{
    (void)f;
    kt_log_add(&LOG, "a%s", (const char *)arg);
}

static void done_b(kt_future *f, void *arg)
{
    (void)f;
    kt_log_add(&LOG, "b%s", (const char *)arg);
}

static void remove_done_callback_removes_every_match(void **state)
{
    (void)state;
    static const char one[] = "1", two[] = "2";
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_a, one);
    add_cb(f, done_b, one);
    add_cb(f, done_a, one);
    add_cb(f, done_a, two);
    KT_CHECK_INT(kt_future_remove_done_callback(f, done_a, (void *)one), 2,
                 "kt_future_remove_done_callback removes every registration of the (fn, arg) pair and "
                 "returns how many (book §4.4)");
    KT_CHECK_INT(kt_future_remove_done_callback(f, done_a, (void *)one), 0,
                 "removing a pair that is no longer registered returns 0 (book §4.4)");
    set_result(f, &x_value);
    KT_CHECK_INT(kt_future_remove_done_callback(f, done_b, (void *)one), 0,
                 "once the future is done its callbacks are scheduled: removing one returns 0 and it "
                 "still runs (book §4.4)");
    step(loop);
    KT_CHECK_STR(LOG.buf, "b1 a2 |",
                 "only the removed pair is gone: a different fn, or the same fn with a different arg, "
                 "stays registered, in order (book §4.4)");
    kt_future_release(f);
    close_loop(loop);
}

/* ------------------------------------------------------------ §4.5 cancel */

static void done_report_cancelled(kt_future *f, void *arg)
{
    kt_log_add(&LOG, "%s:cancelled=%d", (const char *)arg, kt_future_cancelled(f));
}

static void cancel_pending_future(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_report_cancelled, "cb");
    cancel(f, NULL);
    KT_CHECK(kt_future_cancelled(f), "a cancelled future is cancelled at once (book §4.5; asyncio case 031)");
    KT_CHECK(kt_future_done(f), "a cancelled future is done (book §4.5; asyncio case 031)");
    KT_CHECK_STR(LOG.buf, "", "cancel schedules the done callbacks; it does not call them inline (book §4.5)");
    KT_CHECK_ERR(kt_future_result(f, NULL), KT_ECANCELLED,
                 "kt_future_result of a cancelled future returns KT_ECANCELLED (book §4.5)");
    KT_CHECK_ERR(kt_future_error(f), KT_ECANCELLED,
                 "kt_future_error of a cancelled future returns KT_ECANCELLED (book §4.5)");
    step(loop);
    KT_CHECK_STR(LOG.buf, "cb:cancelled=1 |",
                 "cancel schedules the done callbacks, which see a cancelled future "
                 "(book §4.5; asyncio case 031)");
    kt_future_release(f);
    close_loop(loop);
}

static void cancel_of_done_future_changes_nothing(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    set_result(f, &x_value);
    KT_CHECK_INT(kt_future_cancel(f, NULL), 0,
                 "cancelling a future that already has its result returns 0 (false) (book §4.5; asyncio case 031)");
    KT_CHECK(!kt_future_cancelled(f), "a refused cancel leaves a finished future finished (book §4.5)");
    void *value = NULL;
    KT_CHECK_ERR(kt_future_result(f, &value), 0, "a refused cancel keeps the result (book §4.5; asyncio case 031)");
    KT_CHECK(value == &x_value, "a refused cancel keeps the result (book §4.5; asyncio case 031)");

    kt_future *g = new_future(loop);
    add_cb(g, done_say, "g-cb");
    cancel(g, NULL);
    KT_CHECK_INT(kt_future_cancel(g, NULL), 0,
                 "cancelling a future twice: the second cancel returns 0 (book §4.5; asyncio case 031)");
    KT_CHECK_ERR(kt_future_set_result(g, &x_value), KT_EINVALSTATE,
                 "a cancelled future is done: set_result returns KT_EINVALSTATE (book §4.2)");
    KT_CHECK_ERR(kt_future_set_error(g, KT_ETIMEDOUT), KT_EINVALSTATE,
                 "a cancelled future is done: set_error returns KT_EINVALSTATE (book §4.2)");
    drain(loop);
    KT_CHECK_STR(LOG.buf, "g-cb",
                 "the done callbacks of a future run once, however often it is cancelled (book §4.5)");
    kt_future_release(f);
    kt_future_release(g);
    close_loop(loop);
}

static kt_future *F1, *F2;

static void cancels_others(kt_future *f, void *arg)
{
    (void)f;
    (void)arg;
    int c2 = kt_future_cancel(F2, NULL);
    int c1 = kt_future_cancel(F1, NULL);
    kt_log_add(&LOG, "k1 cancel-f2=%d cancel-f1=%d", c2, c1);
}

static void cancel_from_inside_a_callback(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    F1 = new_future(loop);
    F2 = new_future(loop);
    add_cb(F1, cancels_others, NULL);
    add_cb(F2, done_report_cancelled, "k2");
    set_result(F1, &x_value);
    soon(loop, "Y");
    step(loop);
    step(loop);
    KT_CHECK_STR(LOG.buf, "k1 cancel-f2=1 cancel-f1=0 Y | k2:cancelled=1 |",
                 "a done callback may cancel another future (1: it was pending) but not its own, which is "
                 "done (0); the cancelled future's callbacks run on the next iteration "
                 "(book §4.5; CPython prints the same order)");
    kt_future_release(F1);
    kt_future_release(F2);
    close_loop(loop);
}

static void cancel_message_is_kept(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    cancel(f, "too late");
    KT_CHECK_STR(kt_future_cancel_message(f), "too late",
                 "kt_future_cancel keeps its message for kt_future_cancel_message, like cancel(msg) "
                 "(book §4.5)");
    kt_future *g = new_future(loop);
    cancel(g, NULL);
    KT_CHECK_STR(kt_future_cancel_message(g), NULL, "a cancel without a message leaves none (book §4.5)");
    kt_future *h = new_future(loop);
    set_result(h, NULL);
    KT_CHECK_INT(kt_future_cancel(h, "ignored"), 0, "cancelling a finished future returns 0 (book §4.5)");
    KT_CHECK_STR(kt_future_cancel_message(h), NULL,
                 "a refused cancel changes nothing, not even the message (book §4.5)");
    kt_future_release(f);
    kt_future_release(g);
    kt_future_release(h);
    close_loop(loop);
}

/* ------------------------------------------------------------ §4.6 who frees a future */

static void done_read_result(kt_future *f, void *arg)
{
    (void)arg;
    void *value = NULL;
    int rc = kt_future_result(f, &value);
    kt_log_add(&LOG, "rc=%d value=%s", rc, value == &x_value ? "x" : "other");
}

static void scheduled_callback_keeps_future_alive(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_read_result, NULL);
    add_cb(f, done_read_result, NULL);
    set_result(f, &x_value);
    kt_future_release(f); /* the creator lets go: only the two callbacks hold it now */
    step(loop);
    KT_CHECK_STR(LOG.buf, "rc=0 value=x rc=0 value=x |",
                 "each scheduled done callback holds a reference on the future until it has run, so "
                 "the creator may release it right after set_result (book §4.6)");
    close_loop(loop);
}

static void loop_close_refuses_while_a_callback_holds_a_future(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_say, "cb");
    set_result(f, &x_value);
    kt_future_release(f);
    watch_reports(loop, NULL);
    KT_CHECK_ERR(kt_loop_close(loop), KT_EINVALSTATE,
                 "a done callback that is scheduled but has not run yet holds a reference on its future, "
                 "so the future is alive and kt_loop_close must refuse (book §4.6)");
    KT_CHECK_INT(REPORTS.count, 1, "a refused kt_loop_close tells the exception handler why (book §4.6)");
    kt_loop_set_exception_handler(loop, NULL, NULL);
    drain(loop);
    KT_CHECK_STR(LOG.buf, "cb", "the callback runs once the loop runs (book §4.4)");
    close_loop(loop);
}

static void releasing_a_pending_future_drops_its_callbacks(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    add_cb(f, done_say, "never");
    add_cb(f, done_say, "never");
    kt_future_release(f);
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK,
                 "a registered callback of a pending future is not scheduled: nothing is left to run "
                 "(book §4.6)");
    KT_CHECK_STR(LOG.buf, "", "the callbacks of a future that never completes never run (book §4.6)");
    KT_CHECK_ERR(kt_loop_close(loop), 0,
                 "a registered (not yet scheduled) done callback holds no reference: releasing the "
                 "creator's reference frees a pending future, so kt_loop_close must succeed (book §4.6)");
}

static void unretrieved_error_is_reported_once_at_last_release(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    watch_reports(loop, f);
    add_cb(f, done_say, "cb-ignores-error");
    set_error(f, KT_ETIMEDOUT);
    kt_future_release(f);
    KT_CHECK_INT(REPORTS.count, 0,
                 "nothing is reported while a scheduled done callback still holds the future (book §4.6)");
    step(loop);
    KT_CHECK_STR(LOG.buf, "cb-ignores-error |", "the done callback runs on the next iteration (book §4.4)");
    KT_CHECK_INT(REPORTS.count, 1,
                 "an error nobody retrieved is reported to the loop's exception handler exactly once, when "
                 "the last reference goes (book §4.6; asyncio case 037)");
    KT_CHECK_STR(REPORTS.message, "Future exception was never retrieved",
                 "the report's message is asyncio's (book §4.6; asyncio case 037)");
    KT_CHECK_ERR(REPORTS.error, KT_ETIMEDOUT, "the report carries the lost error (book §4.6)");
    KT_CHECK(REPORTS.object_ok, "the report's object is the future (book §4.6)");
    close_loop(loop);
    KT_CHECK_INT(REPORTS.count, 1, "the error is reported once, never again (book §4.6)");
}

static void done_read_error(kt_future *f, void *arg)
{
    (void)arg;
    kt_log_add(&LOG, "seen=%s", kt_strerror(kt_future_error(f)));
}

static void retrieved_error_is_not_reported(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    watch_reports(loop, NULL);
    kt_future *f = new_future(loop);
    set_error(f, KT_ETIMEDOUT);
    KT_CHECK_ERR(kt_future_result(f, NULL), KT_ETIMEDOUT, "kt_future_result returns the error (book §4.3)");
    kt_future_release(f);
    KT_CHECK_INT(REPORTS.count, 0,
                 "an error retrieved with kt_future_result is not reported (book §4.6; asyncio case 037)");

    kt_future *g = new_future(loop);
    add_cb(g, done_read_error, NULL);
    set_error(g, KT_ECLOSED);
    kt_future_release(g);
    step(loop);
    KT_CHECK_STR(LOG.buf, "seen=the event loop is closed |", "the done callback sees the error (book §4.4)");
    KT_CHECK_INT(REPORTS.count, 0,
                 "an error retrieved with kt_future_error (here in a done callback) is not reported "
                 "(book §4.6; asyncio case 037)");
    close_loop(loop);
}

static void cancelled_or_successful_future_reports_nothing(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    watch_reports(loop, NULL);
    kt_future *f = new_future(loop);
    cancel(f, NULL);
    kt_future *g = new_future(loop);
    set_result(g, &x_value);
    kt_future_release(f);
    kt_future_release(g);
    drain(loop);
    KT_CHECK_INT(REPORTS.count, 0,
                 "only an unretrieved error is reported: a cancelled future, or one with a result, "
                 "reports nothing (book §4.6; asyncio case 037)");
    close_loop(loop);
}

/* ------------------------------------------------------------ §4.7 bad input */

static void null_future_is_rejected(void **state)
{
    (void)state;
    KT_CHECK(!kt_future_done(NULL), "kt_future_done(NULL) is false (book §4.7)");
    KT_CHECK(!kt_future_cancelled(NULL), "kt_future_cancelled(NULL) is false (book §4.7)");
    KT_CHECK_ERR(kt_future_set_result(NULL, &x_value), KT_EINVAL, "kt_future_set_result(NULL, ...) returns KT_EINVAL (book §4.7)");
    KT_CHECK_ERR(kt_future_set_error(NULL, KT_ETIMEDOUT), KT_EINVAL,
                 "kt_future_set_error(NULL, ...) returns KT_EINVAL (book §4.7)");
    void *value = &y_value;
    KT_CHECK_ERR(kt_future_result(NULL, &value), KT_EINVAL, "kt_future_result(NULL, ...) returns KT_EINVAL (book §4.7)");
    KT_CHECK(value == &y_value, "a failed kt_future_result leaves *value_out alone (book §4.7)");
    KT_CHECK_ERR(kt_future_error(NULL), KT_EINVAL, "kt_future_error(NULL) returns KT_EINVAL (book §4.7)");
    KT_CHECK_ERR(kt_future_add_done_callback(NULL, done_say, NULL), KT_EINVAL,
                 "kt_future_add_done_callback(NULL, ...) returns KT_EINVAL (book §4.7)");
    KT_CHECK_ERR(kt_future_remove_done_callback(NULL, done_say, NULL), KT_EINVAL,
                 "kt_future_remove_done_callback(NULL, ...) returns KT_EINVAL (book §4.7)");
    KT_CHECK_ERR(kt_future_cancel(NULL, NULL), KT_EINVAL, "kt_future_cancel(NULL, ...) returns KT_EINVAL (book §4.7)");
}

static void null_callback_is_rejected(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_future *f = new_future(loop);
    KT_CHECK_ERR(kt_future_add_done_callback(f, NULL, NULL), KT_EINVAL,
                 "a NULL done callback is rejected with KT_EINVAL when added, not when it would run (book §4.7)");
    KT_CHECK_ERR(kt_future_remove_done_callback(f, NULL, NULL), KT_EINVAL,
                 "kt_future_remove_done_callback with a NULL fn returns KT_EINVAL (book §4.7)");
    add_cb(f, done_say, "ok");
    set_result(f, NULL);
    KT_CHECK_ERR(kt_future_add_done_callback(f, NULL, NULL), KT_EINVAL,
                 "a NULL done callback is rejected on a done future too (book §4.7)");
    drain(loop);
    KT_CHECK_STR(LOG.buf, "ok", "a rejected NULL callback was never registered: only the valid one ran (book §4.7)");
    kt_future_release(f);
    close_loop(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(new_future_is_pending, 2, "a new future is pending: not done, no result, no error (book §4.2)"),
    KT_TEST(set_result_finishes_the_future, 2, "set_result finishes the future with that value (book §4.2)"),
    KT_TEST(a_future_completes_only_once, 2, "a future completes once; a second completion is KT_EINVALSTATE (book §4.2)"),
    KT_TEST(set_error_stores_the_error, 2, "set_error stores the code; result and error return it (book §4.3)"),
    KT_TEST(set_error_rejects_codes_that_are_not_errors, 2, "set_error rejects 0, positive codes and KT_ESTOP (book §4.3)"),
    KT_TEST(done_callbacks_are_never_called_inline, 3, "done callbacks are scheduled with kt_call_soon, never called inline (book §4.4)"),
    KT_TEST(done_callbacks_interleave_with_call_soon, 3, "done callbacks are queued in registration order when the future completes (book §4.4)"),
    KT_TEST(done_callback_receives_future_and_arg, 1, "a done callback gets the future and its arg (book §4.4)"),
    KT_TEST(callback_added_to_done_future_is_scheduled_at_once, 2, "adding a callback to a done future schedules it at once (book §4.4)"),
    KT_TEST(callbacks_added_by_callbacks_run_next_iteration, 2, "a callback added by a callback runs on the next iteration (book §4.4)"),
    KT_TEST(remove_done_callback_removes_every_match, 2, "remove_done_callback removes every (fn, arg) match and counts them (book §4.4)"),
    KT_TEST(cancel_pending_future, 3, "cancel on a pending future returns 1 and schedules the callbacks (book §4.5)"),
    KT_TEST(cancel_of_done_future_changes_nothing, 2, "cancel on a done future returns 0 and changes nothing (book §4.5)"),
    KT_TEST(cancel_from_inside_a_callback, 2, "a done callback may cancel another future (book §4.5)"),
    KT_TEST(cancel_message_is_kept, 1, "cancel keeps its message (book §4.5)"),
    KT_TEST(scheduled_callback_keeps_future_alive, 2, "a scheduled done callback holds a reference until it ran (book §4.6)"),
    KT_TEST(loop_close_refuses_while_a_callback_holds_a_future, 1, "kt_loop_close refuses while a future is alive (book §4.6)"),
    KT_TEST(releasing_a_pending_future_drops_its_callbacks, 1, "registered callbacks hold no reference (book §4.6)"),
    KT_TEST(unretrieved_error_is_reported_once_at_last_release, 3, "an unretrieved error is reported once, at the last release (book §4.6)"),
    KT_TEST(retrieved_error_is_not_reported, 2, "a retrieved error is not reported (book §4.6)"),
    KT_TEST(cancelled_or_successful_future_reports_nothing, 1, "cancelled or successful futures report nothing (book §4.6)"),
    KT_TEST(null_future_is_rejected, 1, "a NULL future gets KT_EINVAL (or false), never a crash (book §4.7)"),
    KT_TEST(null_callback_is_rejected, 1, "a NULL done callback gets KT_EINVAL (book §4.7)"),
};

KT_MAIN("Lab 04 — futures", tests)
