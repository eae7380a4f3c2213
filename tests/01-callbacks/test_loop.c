/* test_loop.c — Lab 01: callbacks and timers.
 *
 * Every rule of book chapter 1, one test each. The loops use the virtual
 * clock, so a test that waits an hour takes microseconds. Order tests log
 * words and compare whole sequences, which is what CPython prints for the
 * same scenario (see the asyncio twin named in each test). */
#include <math.h>
#include <stdlib.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

static kt_loop *new_loop(void)
{
    return kt_test_loop(KT_CLOCK_VIRTUAL);
}

/* A macro, so a failure points at the test's own line. */
#define close_loop(loop) \
    KT_CHECK_OK(kt_loop_close(loop), "closing a loop that is not running must work (book §1.7)")

/* Scheduling that must succeed. Macros, so a failure points at the test's line. */
#define soon(loop, cb, arg)                                                     \
    KT_CHECK_OK(kt_call_soon((loop), (cb), (arg), NULL),                        \
                "kt_call_soon with a valid loop and callback must succeed (book §1.2)")
#define later(loop, delay, cb, arg)                                             \
    KT_CHECK_OK(kt_call_later((loop), (delay), (cb), (arg), NULL),              \
                "kt_call_later with a valid delay must succeed (book §1.4)")
#define run_once(loop)                                                          \
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed while there is work (book §1.3)")

/* ------------------------------------------------------------ §1.2 call_soon */

static void call_soon_runs_callbacks_in_fifo_order(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, say, "a");
    soon(loop, say, "b");
    soon(loop, say, "c");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "a b c",
                 "call_soon callbacks run once each, first scheduled first run (book §1.2; asyncio case 001)");
    close_loop(loop);
}

static int counter;
static void bump(kt_loop *loop, void *arg)
{
    (void)loop;
    counter += *(int *)arg;
}

static void callback_gets_its_argument_and_runs_once(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int seven = 7;
    counter = 0;
    soon(loop, bump, &seven);
    run_once(loop);
    KT_CHECK_INT(counter, 7, "the callback must be called with the arg given to kt_call_soon (book §1.2)");
    soon(loop, say, "x");
    run_once(loop);
    KT_CHECK_INT(counter, 7, "a callback runs once: the loop must drop it after running it (book §1.2)");
    close_loop(loop);
}

/* ------------------------------------------------------------ §1.3 one iteration */

static void schedule_late(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "a");
    soon(loop, say, "late");
}

static void callback_scheduled_during_iteration_waits_for_next(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, schedule_late, NULL);
    soon(loop, say, "b");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "a b",
                 "an iteration runs only the callbacks that were ready when it began; one scheduled "
                 "while the loop runs must wait for the next iteration (book §1.3)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "a b late", "the callback scheduled during iteration 1 must run in iteration 2 (book §1.3)");
    close_loop(loop);
}

static void chain(kt_loop *loop, void *arg)
{
    int n = (int)(intptr_t)arg;
    kt_log_add(&LOG, "c%d", n);
    if (n < 5)
        soon(loop, chain, (void *)(intptr_t)(n + 1));
}

static void self_rescheduling_callback_runs_once_per_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, chain, (void *)(intptr_t)1);
    run_once(loop);
    /* The order first: a loop that ran c1..c5 in one go has nothing left,
     * and checking the next run_once's code first would report a deadlock. */
    KT_CHECK_STR(LOG.buf, "c1",
                 "a callback that schedules itself must run once per iteration, or it would starve "
                 "everything else (book §1.3)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "c1 c2", "the rescheduled callback runs in the next iteration, once (book §1.3)");
    close_loop(loop);
}

static kt_handle *doomed;
static void cancel_doomed_and_schedule(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "canceller");
    kt_handle_cancel(doomed);
    soon(loop, say, "late");
}

static void counting_ready_callbacks_lets_a_late_one_in(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, cancel_doomed_and_schedule, NULL);
    KT_CHECK_OK(kt_call_soon(loop, say, "doomed", &doomed), "kt_call_soon must succeed (book §1.2)");
    soon(loop, say, "after");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "canceller after",
                 "run exactly the callbacks that were ready when the iteration began: splice the queue "
                 "onto a local list. Counting them (CPython's ntodo) breaks here: the cancel took one "
                 "out of the queue, so the last pop takes 'late', scheduled during this iteration "
                 "(book §1.3, \"Why not count like CPython?\")");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "canceller after late", "the callback scheduled during iteration 1 runs in iteration 2 (book §1.3)");
    kt_handle_release(doomed);
    close_loop(loop);
}

/* ------------------------------------------------------------ §1.4 timers */

static void timers_fire_in_deadline_order_at_their_time(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 3, say_time, "t3");
    later(loop, 1, say_time, "t1");
    later(loop, 2, say_time, "t2");
    later(loop, 4, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "t1@1 t2@2 t3@3",
                 "timers fire in deadline order, not scheduling order, each when the clock reaches its "
                 "deadline (book §1.4; asyncio case 007)");
    close_loop(loop);
}

static void equal_deadlines_run_in_scheduling_order(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    static const char *words[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int i = 0; i < 8; i++)
        KT_CHECK_OK(kt_call_at(loop, 5.0, say, (void *)words[i], NULL), "kt_call_at must succeed (book §1.4)");
    later(loop, 6, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "a b c d e f g h",
                 "timers with equal deadlines run in the order they were scheduled: Kettle's rule, "
                 "as libuv's (book §1.4)");
    close_loop(loop);
}

static void call_later_zero_runs_after_ready_callbacks(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 0, say, "timer0");
    soon(loop, say, "soon");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "soon timer0",
                 "call_later(0) is a timer, not a ready callback: due timers go to the END of the ready "
                 "queue, after what was already there (book §1.4; asyncio case 009)");
    close_loop(loop);
}

static int rearms;
static void rearm_at_zero(kt_loop *loop, void *unused)
{
    (void)unused;
    if (++rearms < 1000)
        later(loop, 0, rearm_at_zero, NULL);
}

static void timer_rearmed_at_zero_cannot_starve_the_loop(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    rearms = 0;
    later(loop, 0, rearm_at_zero, NULL);
    run_once(loop);
    KT_CHECK_INT(rearms, 1,
                 "collect all due timers BEFORE running any: a timer re-armed at zero delay from its own "
                 "callback must wait for the next iteration, or it starves the loop (book §1.4)");
    run_once(loop);
    KT_CHECK_INT(rearms, 2, "the re-armed timer must run in the next iteration (book §1.4)");
    close_loop(loop);
}

static void handle_when_is_the_deadline(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h = NULL;
    later(loop, 1, say, "x");
    run_once(loop); /* the clock is now at 1 */
    KT_CHECK_OK(kt_call_later(loop, 2.5, say, "y", &h), "kt_call_later must succeed (book §1.4)");
    KT_CHECK(h != NULL, "kt_call_later must hand back a handle when handle_out is not NULL (book §1.2)");
    KT_CHECK_DBL(kt_handle_when(h), 3.5, 1e-9,
                 "a timer's deadline is the loop time when it was scheduled plus the delay (book §1.4)");
    kt_handle_release(h);
    close_loop(loop);
}

static unsigned long long rng = 88172645463325252ull;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static double last_time;
static int out_of_order, fired;
static void check_monotonic(kt_loop *loop, void *deadline)
{
    double when = *(double *)deadline;
    double now = kt_loop_time(loop);
    if (when < last_time || now < when)
        out_of_order++;
    last_time = when;
    fired++;
}

static void thousands_of_timers_fire_sorted(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    enum { N = 5000 };
    double *deadlines = malloc(N * sizeof *deadlines);
    kt_handle **handles = malloc(N * sizeof *handles);
    for (int i = 0; i < N; i++) {
        deadlines[i] = (double)(next_rand() % 1000) / 10.0;
        KT_CHECK_OK(kt_call_at(loop, deadlines[i], check_monotonic, &deadlines[i], &handles[i]),
                    "kt_call_at must succeed (book §1.4)");
    }
    int cancelled = 0;
    for (int i = 0; i < N; i += 3) { /* cancel a third, from all over the heap */
        kt_handle_cancel(handles[i]);
        cancelled++;
    }
    later(loop, 200, stop, NULL);
    last_time = -1;
    out_of_order = fired = 0;
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_INT(out_of_order, 0,
                 "timers must fire in deadline order and never before their deadline, also after "
                 "cancelling timers from the middle of the heap (book §1.4, §1.6)");
    KT_CHECK_INT(fired, N - cancelled, "every timer not cancelled fires exactly once (book §1.4)");
    for (int i = 0; i < N; i++)
        kt_handle_release(handles[i]);
    free(handles);
    free(deadlines);
    close_loop(loop);
}

static int periodic_left;
static void periodic(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "tick@%g", kt_loop_time(loop));
    if (--periodic_left > 0)
        later(loop, 0.5, periodic, NULL);
    else
        kt_loop_stop(loop);
}

static void periodic_callback_built_on_call_later(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    periodic_left = 4;
    later(loop, 0.5, periodic, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "tick@0.5 tick@1 tick@1.5 tick@2",
                 "a callback that re-arms itself with call_later(0.5) runs every half second of loop "
                 "time (book §1.4, the periodic exercise)");
    close_loop(loop);
}

/* ------------------------------------------------------------ §1.5 waiting */

static void virtual_clock_jumps_to_the_next_timer(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 3600, say_time, "hour");
    later(loop, 3600, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "hour@3600",
                 "with nothing ready, the loop waits exactly until the next timer's deadline (book §1.5)");
    close_loop(loop);
}

static void ready_callbacks_mean_no_waiting(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 10, say_time, "timer");
    soon(loop, say_time, "soon");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "soon@0",
                 "when callbacks are ready the wait's timeout must be 0: run them now, do not wait for "
                 "the next timer (book §1.5)");
    close_loop(loop);
}

static void nothing_to_do_is_reported_not_slept(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK,
                 "with nothing ready and no timer, the wait would last for ever: pass the timeout -1 to "
                 "kt__loop_wait and return its error (book §1.5)");
    KT_CHECK_ERR(kt_run_forever(loop), KT_EDEADLOCK,
                 "run_forever must return the error of a failed iteration, not spin (book §1.7)");
    KT_CHECK(!kt_loop_is_running(loop), "after run_forever returns, the loop is not running (book §1.7)");
    close_loop(loop);
}

static void real_clock_timer_never_fires_early(void **state)
{
    (void)state;
    kt_log_init(&LOG);
    kt_loop *loop = NULL;
    KT_CHECK_OK(kt_loop_new(&loop, KT_CLOCK_REAL), "creating a real-clock loop must work");
    double start = kt_loop_time(loop);
    later(loop, 0.02, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    double waited = kt_loop_time(loop) - start;
    KT_CHECK(waited >= 0.02, "a timer must not fire before its deadline: waited only %.4f s of 0.02 s (book §1.5)",
             waited);
    close_loop(loop);
}

/* A stand-in for Lab 02's I/O layer: it watches "one fd" and, when asked to
 * wait, logs the timeout it was given, rounded up to a whole second (on the
 * real clock a timer 5 s away is a little less than 5 s away by the time of
 * the wait, and on a loaded machine maybe half a second less), and makes
 * one callback ready, as a readable fd would. */
static int fake_poll(kt_loop *loop, double timeout)
{
    kt_log_add(&LOG, "poll(%.0f)", ceil(timeout));
    return kt_call_soon(loop, say, "io", NULL);
}
static size_t fake_count(const kt_loop *loop)
{
    (void)loop;
    return 1;
}
static void fake_destroy(kt_loop *loop)
{
    (void)loop;
}
static const kt_io_ops fake_io = {fake_poll, fake_count, fake_destroy};

static void the_loop_waits_only_through_kt__loop_wait(void **state)
{
    (void)state;
    kt_loop *loop = kt_test_loop(KT_CLOCK_REAL); /* the real clock hands the timeout to poll as it is */
    loop->io_ops = &fake_io; /* one fd is "watched" from now on */
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "poll(-1) io",
                 "with nothing ready and no timer, the loop must still wait through kt__loop_wait with "
                 "the timeout -1: only the wait knows whether some I/O could end it (book §1.5)");
    later(loop, 5, say, "t");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "poll(-1) io poll(5) io",
                 "with a timer 5 s away, the wait's timeout is 5 (book §1.5)");
    loop->io_ops = NULL;
    close_loop(loop);
}

/* ------------------------------------------------------------ §1.6 cancel */

static void cancelled_callback_never_runs(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h1 = NULL, *h2 = NULL;
    KT_CHECK_OK(kt_call_soon(loop, say, "h1", &h1), "kt_call_soon must succeed (book §1.2)");
    KT_CHECK_OK(kt_call_soon(loop, say, "h2", &h2), "kt_call_soon must succeed (book §1.2)");
    KT_CHECK(h1 != NULL && h2 != NULL, "kt_call_soon must hand back a handle when asked (book §1.2)");
    KT_CHECK_OK(kt_handle_cancel(h2), "cancelling a pending handle must succeed (book §1.6)");
    KT_CHECK_OK(kt_handle_cancel(h2), "cancelling twice is harmless and returns 0 (book §1.6; asyncio case 005)");
    KT_CHECK(kt_handle_cancelled(h2) && !kt_handle_cancelled(h1), "only the cancelled handle reports cancelled (book §1.6)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "h1", "a cancelled callback never runs (book §1.6; asyncio case 005)");
    kt_handle_release(h1);
    kt_handle_release(h2);
    close_loop(loop);
}

static void cancelled_timer_leaves_the_heap_at_once(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h = NULL;
    KT_CHECK_OK(kt_call_later(loop, 5, say, "never", &h), "kt_call_later must succeed (book §1.4)");
    KT_CHECK_INT(kt_heap_size(&loop->timers), 1, "a timer waits in loop->timers (book §1.4)");
    KT_CHECK_OK(kt_handle_cancel(h), "cancelling a timer must succeed (book §1.6)");
    KT_CHECK_INT(kt_heap_size(&loop->timers), 0,
                 "cancelling a timer removes it from the heap at once, in O(log n) (book §1.6)");
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK,
                 "a loop whose only timer was cancelled has nothing to wait for (book §1.5, §1.6)");
    KT_CHECK_DBL(kt_loop_time(loop), 0, 0, "the loop must not wait for a cancelled timer (book §1.6)");
    KT_CHECK_STR(LOG.buf, "", "a cancelled timer never runs (book §1.6)");
    kt_handle_release(h);
    close_loop(loop);
}

static void cancel_after_the_callback_ran_is_harmless(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h = NULL;
    KT_CHECK_OK(kt_call_soon(loop, say, "ran", &h), "kt_call_soon must succeed (book §1.2)");
    KT_CHECK(h != NULL, "kt_call_soon must hand back a handle when asked (book §1.2)");
    run_once(loop);
    /* The loop has dropped its reference; ours must keep the handle alive. */
    KT_CHECK_OK(kt_handle_cancel(h), "cancelling a handle whose callback already ran is harmless (book §1.6)");
    KT_CHECK(kt_handle_cancelled(h), "after cancel, cancelled() reports true even if it ran (asyncio case 005)");
    KT_CHECK_STR(LOG.buf, "ran", "the callback ran once (book §1.2)");
    kt_handle_release(h);
    close_loop(loop);
}

static kt_handle *victim;
static void cancel_victim(kt_loop *loop, void *unused)
{
    (void)loop;
    (void)unused;
    kt_log_add(&LOG, "canceller");
    kt_handle_cancel(victim);
}

static void cancel_from_an_earlier_callback_in_the_same_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, cancel_victim, NULL);
    KT_CHECK_OK(kt_call_soon(loop, say, "victim", &victim), "kt_call_soon must succeed (book §1.2)");
    soon(loop, say, "after");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "canceller after",
                 "a callback cancelled by an earlier callback of the same iteration must not run, and "
                 "the rest of the iteration must go on (book §1.6; asyncio case 023)");
    kt_handle_release(victim);
    close_loop(loop);
}

static void cancel_a_due_timer_from_a_callback(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, cancel_victim, NULL);
    KT_CHECK_OK(kt_call_later(loop, 0, say, "victim", &victim), "kt_call_later must succeed (book §1.4)");
    run_once(loop); /* the timer is due: it joins this iteration's to-do list, behind the canceller */
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK, "the cancelled timer must be gone: nothing is left (book §1.6)");
    KT_CHECK_STR(LOG.buf, "canceller",
                 "a timer cancelled before it ran must never run, wherever it is queued (book §1.6)");
    kt_handle_release(victim);
    close_loop(loop);
}

static void handle_may_outlive_its_loop(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h = NULL;
    KT_CHECK_OK(kt_call_later(loop, 5, say, "never", &h), "kt_call_later must succeed (book §1.4)");
    close_loop(loop); /* drops the timer; our reference keeps the handle */
    KT_CHECK_OK(kt_handle_cancel(h),
                "cancelling a handle whose loop was closed is harmless: the loop is gone (h->loop is "
                "NULL), so there is nothing to remove (book §1.6)");
    kt_handle_release(h);
}

/* ------------------------------------------------------------ §1.7 run and stop */

static void stopper(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "stop");
    kt_loop_stop(loop);
}

static void stop_lets_the_current_iteration_finish(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, schedule_late, NULL);
    soon(loop, stopper, NULL);
    soon(loop, say, "same-iteration");
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "a stop same-iteration",
                 "stop() lets every callback already ready in this iteration run, then run_forever "
                 "returns; callbacks scheduled meanwhile wait (book §1.7; asyncio case 003)");
    soon(loop, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "a stopped loop can run again (book §1.7)");
    KT_CHECK_STR(LOG.buf, "a stop same-iteration late",
                 "the callback scheduled before the stop runs on the next run_forever (book §1.7)");
    close_loop(loop);
}

static void stop_before_run_forever_runs_one_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, schedule_late, NULL);
    KT_CHECK_OK(kt_loop_stop(loop), "kt_loop_stop must succeed (book §1.7)");
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_STR(LOG.buf, "a",
                 "stop() before run_forever makes it run exactly one iteration (book §1.7)");
    close_loop(loop);
}

static void step_two(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "two");
    kt_loop_stop(loop);
}
static void step_one(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "one");
    soon(loop, step_two, NULL);
}

static void a_stopped_loop_runs_again_from_scratch(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, stop, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    soon(loop, step_one, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "a stopped loop can run again (book §1.7)");
    KT_CHECK_STR(LOG.buf, "one two",
                 "run_forever must clear `stopping` on its way out: the second run goes on until its "
                 "own stop, not one iteration (book §1.7)");
    close_loop(loop);
}

static void stop_before_run_does_not_wait_for_a_far_timer(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 100, say_time, "far");
    KT_CHECK_OK(kt_loop_stop(loop), "kt_loop_stop must succeed (book §1.7)");
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK_DBL(kt_loop_time(loop), 0, 0,
                 "a stop was asked, so the wait's timeout is 0: the one iteration must not wait for a "
                 "timer 100 s away (book §1.5, §1.7)");
    KT_CHECK_STR(LOG.buf, "", "the far timer is not due yet and must not run (book §1.7)");
    close_loop(loop);
}

static int reentry_rc = 1;
static bool running_inside;
static void reenter(kt_loop *loop, void *unused)
{
    (void)unused;
    running_inside = kt_loop_is_running(loop);
    reentry_rc = kt_run_forever(loop);
    kt_loop_stop(loop);
}

static bool still_running_after_refusal;
static void stop_then_reenter(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_loop_stop(loop);
    reentry_rc = kt_run_forever(loop);
    still_running_after_refusal = kt_loop_is_running(loop);
    soon(loop, say, "next");
}

static void refused_reentry_changes_nothing(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, stop_then_reenter, NULL);
    KT_CHECK_OK(kt_run_forever(loop),
                "the stop asked before the refused re-entry must still end the run with 0 (book §1.7)");
    KT_CHECK_ERR(reentry_rc, KT_ERUNNING, "run_forever on a running loop is KT_ERUNNING (book §1.7)");
    KT_CHECK(still_running_after_refusal,
             "refusing a nested run_forever must leave the running loop's `running` flag alone (book §1.7)");
    KT_CHECK_STR(LOG.buf, "",
                 "refusing a nested run_forever must leave `stopping` alone: the stop asked in this "
                 "iteration still ends the run after it (book §1.7)");
    close_loop(loop);
}

static void run_forever_cannot_be_reentered(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, reenter, NULL);
    KT_CHECK_OK(kt_run_forever(loop), "run_forever must return 0 after a stop (book §1.7)");
    KT_CHECK(running_inside, "inside a callback, the loop is running (book §1.7)");
    KT_CHECK_ERR(reentry_rc, KT_ERUNNING,
                 "run_forever on a loop that is already running must fail with KT_ERUNNING "
                 "(book §1.7; asyncio case 011)");
    KT_CHECK(!kt_loop_is_running(loop), "after run_forever returns, the loop is not running (book §1.7)");
    KT_CHECK_ERR(kt_loop_close(loop), 0, "a loop that returned from run_forever can be closed (book §1.7)");
}

static void iterations_are_counted(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    soon(loop, say, "x");
    run_once(loop);
    later(loop, 1, say, "y");
    run_once(loop);
    KT_CHECK_INT(loop->iterations, 2, "each completed iteration adds one to loop->iterations (book §1.3)");
    close_loop(loop);
}

/* ------------------------------------------------------------ §1.8 bad input */

static void bad_arguments_are_rejected(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_handle *h = (kt_handle *)&h; /* any non-NULL garbage: must come back NULL */
    KT_CHECK_ERR(kt_call_soon(NULL, say, "x", NULL), KT_EINVAL, "call_soon with a NULL loop is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_soon(loop, NULL, NULL, &h), KT_EINVAL, "call_soon with a NULL callback is KT_EINVAL (book §1.8)");
    KT_CHECK(h == NULL, "on error, *handle_out must be NULL (book §1.8)");
    KT_CHECK_ERR(kt_call_later(loop, -1, say, "x", NULL), KT_EINVAL,
                 "a negative delay is a bug, reported as KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_later(loop, NAN, say, "x", NULL), KT_EINVAL, "a NaN delay is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_later(loop, INFINITY, say, "x", NULL), KT_EINVAL, "an infinite delay is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_later(loop, 1, NULL, NULL, NULL), KT_EINVAL, "call_later with a NULL callback is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_at(loop, NAN, say, "x", NULL), KT_EINVAL, "call_at a NaN time is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_at(NULL, 1, say, "x", NULL), KT_EINVAL, "call_at with a NULL loop is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_call_later(NULL, 1, say, "x", NULL), KT_EINVAL, "call_later with a NULL loop is KT_EINVAL (book §1.8)");
    h = (kt_handle *)&h;
    KT_CHECK_ERR(kt_call_at(loop, 1, NULL, NULL, &h), KT_EINVAL,
                 "call_at checks its own callback: a NULL callback is KT_EINVAL (book §1.8)");
    KT_CHECK(h == NULL, "on error, *handle_out must be NULL (book §1.8)");
    KT_CHECK_ERR(kt_call_at(loop, INFINITY, say, "x", NULL), KT_EINVAL,
                 "call_at an infinite time is KT_EINVAL: that timer could never fire (book §1.8)");
    KT_CHECK_ERR(kt_handle_cancel(NULL), KT_EINVAL, "cancelling NULL is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_run_forever(NULL), KT_EINVAL, "run_forever(NULL) is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_loop_stop(NULL), KT_EINVAL, "stop(NULL) is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_loop_run_once(NULL), KT_EINVAL, "run_once(NULL) is KT_EINVAL (book §1.8)");
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK, "rejected calls must schedule nothing (book §1.8)");
    close_loop(loop);
}

static void call_at_in_the_past_runs_next_iteration(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    later(loop, 10, say_time, "t");
    run_once(loop); /* now = 10 */
    KT_CHECK_OK(kt_call_at(loop, 2, say_time, "past", NULL),
                "call_at a time already gone by is allowed: it is simply due (book §1.4)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "t@10 past@10", "a timer whose deadline has passed runs on the next iteration (book §1.4)");
    close_loop(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(call_soon_runs_callbacks_in_fifo_order, 2, "call_soon callbacks run in FIFO order (book §1.2)"),
    KT_TEST(callback_gets_its_argument_and_runs_once, 1, "a callback gets its argument and runs once (book §1.2)"),
    KT_TEST(callback_scheduled_during_iteration_waits_for_next, 3,
            "callbacks scheduled while the loop runs wait for the next iteration (book §1.3)"),
    KT_TEST(self_rescheduling_callback_runs_once_per_iteration, 2,
            "a self-rescheduling callback runs once per iteration (book §1.3)"),
    KT_TEST(counting_ready_callbacks_lets_a_late_one_in, 2,
            "an iteration runs the ready queue as it was, even when a callback cancels another (book §1.3)"),
    KT_TEST(iterations_are_counted, 1, "each iteration is counted in loop->iterations (book §1.3)"),
    KT_TEST(timers_fire_in_deadline_order_at_their_time, 2, "timers fire in deadline order (book §1.4)"),
    KT_TEST(equal_deadlines_run_in_scheduling_order, 2, "equal deadlines run in scheduling order (book §1.4)"),
    KT_TEST(call_later_zero_runs_after_ready_callbacks, 2, "due timers queue after ready callbacks (book §1.4)"),
    KT_TEST(timer_rearmed_at_zero_cannot_starve_the_loop, 3,
            "due timers are collected before any runs; a zero re-arm waits an iteration (book §1.4)"),
    KT_TEST(handle_when_is_the_deadline, 1, "a timer's deadline is now + delay (book §1.4)"),
    KT_TEST(thousands_of_timers_fire_sorted, 3, "thousands of timers fire sorted, with cancels (book §1.4, §1.6)"),
    KT_TEST(periodic_callback_built_on_call_later, 2, "a periodic callback built on call_later (book §1.4)"),
    KT_TEST(call_at_in_the_past_runs_next_iteration, 1, "a deadline in the past is simply due (book §1.4)"),
    KT_TEST(virtual_clock_jumps_to_the_next_timer, 2, "the loop waits exactly until the next timer (book §1.5)"),
    KT_TEST(ready_callbacks_mean_no_waiting, 2, "with callbacks ready the timeout is 0 (book §1.5)"),
    KT_TEST(nothing_to_do_is_reported_not_slept, 2, "nothing to wait for is KT_EDEADLOCK, not a hang (book §1.5)"),
    KT_TEST(real_clock_timer_never_fires_early, 1, "a real-clock timer never fires early (book §1.5)"),
    KT_TEST(the_loop_waits_only_through_kt__loop_wait, 2,
            "the loop waits only through kt__loop_wait, also with no timer (book §1.5)"),
    KT_TEST(cancelled_callback_never_runs, 2, "a cancelled callback never runs (book §1.6)"),
    KT_TEST(cancelled_timer_leaves_the_heap_at_once, 2, "a cancelled timer leaves the heap at once (book §1.6)"),
    KT_TEST(cancel_after_the_callback_ran_is_harmless, 2,
            "cancelling after the callback ran is harmless; your reference keeps the handle (book §1.6)"),
    KT_TEST(cancel_from_an_earlier_callback_in_the_same_iteration, 2,
            "a handle cancelled earlier in the same iteration does not run (book §1.6)"),
    KT_TEST(cancel_a_due_timer_from_a_callback, 1, "a due timer cancelled before it runs never runs (book §1.6)"),
    KT_TEST(handle_may_outlive_its_loop, 1, "a handle may outlive its loop (book §1.6)"),
    KT_TEST(stop_lets_the_current_iteration_finish, 3, "stop lets the current iteration finish (book §1.7)"),
    KT_TEST(stop_before_run_forever_runs_one_iteration, 1, "stop before run_forever: one iteration (book §1.7)"),
    KT_TEST(stop_before_run_does_not_wait_for_a_far_timer, 1,
            "stop before run: the one iteration does not wait (book §1.7)"),
    KT_TEST(a_stopped_loop_runs_again_from_scratch, 2, "run_forever clears stopping when it returns (book §1.7)"),
    KT_TEST(run_forever_cannot_be_reentered, 2, "run_forever on a running loop is KT_ERUNNING (book §1.7)"),
    KT_TEST(refused_reentry_changes_nothing, 2,
            "refusing a nested run_forever leaves running and stopping alone (book §1.7)"),
    KT_TEST(bad_arguments_are_rejected, 3, "bad arguments get KT_EINVAL, never a crash (book §1.8)"),
};

KT_MAIN("Lab 01 — callbacks and timers", tests)
