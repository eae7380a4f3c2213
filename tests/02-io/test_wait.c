/* test_wait.c — Lab 02: how the loop calls the poller's wait (io.c's poll hook).
 *
 * This binary is linked with -Wl,--wrap=epoll_wait,--wrap=select,
 * --wrap=clock_gettime (test_wait.ldflags): every call the backends make to
 * epoll_wait or select lands in __wrap_epoll_wait / __wrap_select below,
 * which record the timeout they were given, can fail once with EINTR as if
 * a signal had arrived, and can answer "nothing ready" at once instead of
 * really waiting. The clock wrapper lets a test move the monotonic clock
 * forward, so "2 seconds passed before the signal" needs no sleeping; it
 * also holds the clock still while a test runs, so a timeout it checks is
 * exactly the one the loop computed however long the test was descheduled
 * between making a timer and the wait (a loaded machine can stall it for
 * longer than any tolerance). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "loop_fixtures.h"

int __real_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int __wrap_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int __real_select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv);
int __wrap_select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv);
int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

static int calls;            /* waits made (epoll_wait or select) */
static int timeouts[16];     /* the timeout of each, in ms (-1: none) */
static int eintr_at = -1;    /* fail the call with this index with EINTR */
static double eintr_elapsed; /* seconds the clock moves at that EINTR */
static int fake_idle;        /* answer "nothing ready" without waiting */
static double clock_offset;  /* added to CLOCK_MONOTONIC */
static int clock_held;       /* CLOCK_MONOTONIC stays at held_at (+ the offset) */
static struct timespec held_at;

/* Returns -1 (EINTR), 0 (idle), or 1 (make the real call). */
static int record(int timeout_ms)
{
    int i = calls++;
    if (i < 16)
        timeouts[i] = timeout_ms;
    if (i == eintr_at) {
        clock_offset += eintr_elapsed;
        errno = EINTR;
        return -1;
    }
    return fake_idle ? 0 : 1;
}

int __wrap_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    int r = record(timeout);
    return r == 1 ? __real_epoll_wait(epfd, events, maxevents, timeout) : r;
}

int __wrap_select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    int r = record(tv ? (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000) : -1);
    if (r == 0) { /* nothing ready: select empties the sets */
        if (rd)
            FD_ZERO(rd);
        if (wr)
            FD_ZERO(wr);
        if (ex)
            FD_ZERO(ex);
    }
    return r == 1 ? __real_select(nfds, rd, wr, ex, tv) : r;
}

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
    int rc = __real_clock_gettime(id, ts);
    if (rc == 0 && id == CLOCK_MONOTONIC && clock_held)
        *ts = held_at;
    if (rc == 0 && id == CLOCK_MONOTONIC && clock_offset > 0) {
        long long ns = ts->tv_nsec + (long long)(clock_offset * 1e9);
        ts->tv_sec += (time_t)(ns / 1000000000);
        ts->tv_nsec = (long)(ns % 1000000000);
    }
    return rc;
}

static void reset(void)
{
    calls = 0;
    memset(timeouts, 0, sizeof timeouts);
    eintr_at = -1;
    eintr_elapsed = 0;
    fake_idle = 0;
    clock_offset = 0;
}

/* Every loop of this file runs on a monotonic clock held still from its
 * creation on: time moves only when a test moves it (clock_offset). */
static kt_loop *new_loop(kt_clock_kind kind)
{
    reset();
    clock_held = 0;
    __real_clock_gettime(CLOCK_MONOTONIC, &held_at);
    clock_held = 1;
    return kt_test_loop(kind);
}

static void make_pair(int sv[2])
{
    KT_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0,
             "test setup: socketpair failed: %s", strerror(errno));
}

static void close_pair(int sv[2])
{
    close(sv[0]);
    close(sv[1]);
}

/* ------------------------------------------------------------ §2.5 EINTR */

static void eintr_is_retried_with_what_is_left_of_the_timeout(void **state)
{
    (void)state;
    kt_loop *loop = new_loop(KT_CLOCK_REAL);
    int sv[2];
    make_pair(sv);
    KT_CHECK_OK(kt_add_reader(loop, sv[0], say, "reader-must-not-run"),
                "kt_add_reader on a valid socket must succeed (book §2.4)");
    KT_CHECK_OK(kt_call_later(loop, 5.0, say, "timer", NULL), "kt_call_later (Lab 01) must work");
    reset();
    fake_idle = 1;       /* no real waiting */
    eintr_at = 0;        /* the first wait is interrupted by a signal... */
    eintr_elapsed = 2.0; /* ...after 2 of its 5 seconds */
    int rc = kt_loop_run_once(loop);
    KT_CHECK_OK(rc, "EINTR from the wait is not an error: a signal interrupted it, so wait again (book §2.5)");
    KT_CHECK_INT(calls, 2, "after EINTR the wait must be made again, once (book §2.5)");
    KT_CHECK(timeouts[0] >= 4900 && timeouts[0] <= 5000,
             "the first wait lasts until the nearest timer, 5 s away (book §2.4)\n"
             "  expected: 4900..5000 ms\n  got:      %d ms", timeouts[0]);
    KT_CHECK(timeouts[1] >= 2900 && timeouts[1] <= 3000,
             "after EINTR the wait is retried with what is LEFT of the timeout (2 s of 5 s had passed), not the "
             "whole timeout again: note the deadline before waiting and recompute from kt_monotonic() "
             "(book §2.5)\n  expected: 2900..3000 ms\n  got:      %d ms", timeouts[1]);
    KT_CHECK_STR(LOG.buf, "", "nothing was ready, so nothing may run (book §2.5)");
    kt_remove_reader(loop, sv[0]);
    clock_offset = 0;
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
    close_pair(sv);
}

static void eintr_during_a_blocking_wait_is_retried(void **state)
{
    (void)state;
    kt_loop *loop = new_loop(KT_CLOCK_VIRTUAL);
    int sv[2];
    make_pair(sv);
    KT_CHECK_OK(kt_add_reader(loop, sv[0], say, "reader"), "kt_add_reader on a valid socket must succeed (book §2.4)");
    reset();
    fake_idle = 1;
    eintr_at = 1; /* the virtual clock looks first (timeout 0), then blocks (-1): interrupt that */
    int rc = kt_loop_run_once(loop);
    KT_CHECK_OK(rc, "EINTR from a wait without a timeout is retried, not returned (book §2.5)");
    KT_CHECK(calls == 3 && timeouts[0] == 0 && timeouts[1] == -1 && timeouts[2] == -1,
             "with no timer and nothing ready the loop looks (timeout 0), then blocks (no timeout); an EINTR "
             "there is retried, still without a timeout (book §2.5)\n"
             "  expected: 3 waits with timeouts 0, -1, -1 ms\n  got:      %d waits with timeouts %d, %d, %d ms",
             calls, timeouts[0], timeouts[1], timeouts[2]);
    kt_remove_reader(loop, sv[0]);
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
    close_pair(sv);
}

/* ------------------------------------------------------------ §2.4 the wait's timeout */

static void no_system_call_when_nothing_is_watched_and_timeout_is_zero(void **state)
{
    (void)state;
    kt_loop *loop = new_loop(KT_CLOCK_VIRTUAL);
    int sv[2];
    make_pair(sv);
    /* Install the I/O layer, then leave it with nothing to watch. */
    KT_CHECK_OK(kt_add_reader(loop, sv[0], say, "reader"), "kt_add_reader on a valid socket must succeed (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    reset();
    KT_CHECK_OK(kt_call_soon(loop, say, "soon", NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_OK(kt_call_later(loop, 1.0, say, "timer", NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_STR(LOG.buf, "soon timer", "the callbacks must run (book §2.4)");
    KT_CHECK_INT(calls, 0,
                 "with no fd watched there is nothing to look at: a wait with timeout 0 must not make a system "
                 "call at all (libuv skips it too) (book §2.4)");
    /* With an fd watched, ready callbacks do not skip the look: I/O is
     * polled every iteration, with timeout 0, or it would starve. */
    KT_CHECK_OK(kt_add_reader(loop, sv[0], say, "reader"), "kt_add_reader on a valid socket must succeed (book §2.4)");
    reset();
    KT_CHECK_OK(kt_call_soon(loop, say, "soon2", NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK(calls == 1 && timeouts[0] == 0,
             "with an fd watched and a callback ready the loop still looks at the fds, with timeout 0, so I/O is "
             "never starved by busy callbacks (book §2.4)\n  expected: 1 wait of 0 ms\n  got:      %d waits, "
             "first %d ms", calls, timeouts[0]);
    kt_remove_reader(loop, sv[0]);
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
    close_pair(sv);
}

static void the_wait_lasts_until_the_nearest_timer(void **state)
{
    (void)state;
    kt_loop *loop = new_loop(KT_CLOCK_REAL);
    int sv[2];
    make_pair(sv);
    KT_CHECK_OK(kt_add_reader(loop, sv[0], say, "reader"), "kt_add_reader on a valid socket must succeed (book §2.4)");
    KT_CHECK_OK(kt_call_later(loop, 7.0, say, "late", NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_call_later(loop, 3.0, say, "early", NULL), "kt_call_later (Lab 01) must work");
    reset();
    fake_idle = 1;
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK(calls == 1 && timeouts[0] >= 2900 && timeouts[0] <= 3000,
             "the poll must be given the loop's timeout: until the nearest timer, 3 s away (book §2.4)\n"
             "  expected: 1 wait of 2900..3000 ms\n  got:      %d waits, first %d ms", calls, timeouts[0]);
    KT_CHECK_OK(kt_add_writer(loop, sv[0], say, "writer"), "kt_add_writer on a valid socket must succeed (book §2.4)");
    fake_idle = 0; /* really look: the socket is writable */
    reset();
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_STR(LOG.buf, "writer", "a writable socket's writer runs (book §2.4)");
    KT_CHECK(calls == 1 && timeouts[0] > 2000,
             "the poll waits up to the timer's deadline (it returns early because the socket is writable) "
             "(book §2.4); got %d waits, first %d ms", calls, timeouts[0]);
    kt_remove_writer(loop, sv[0]);
    kt_remove_reader(loop, sv[0]);
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
    close_pair(sv);
}

static const kt_test_case tests[] = {
    KT_TEST(eintr_is_retried_with_what_is_left_of_the_timeout, 3,
            "EINTR from the wait is retried with the timeout recomputed (book §2.5)"),
    KT_TEST(eintr_during_a_blocking_wait_is_retried, 2, "EINTR during a wait without timeout is retried (book §2.5)"),
    KT_TEST(no_system_call_when_nothing_is_watched_and_timeout_is_zero, 2,
            "no poll system call when no fd is watched and the timeout is 0 (book §2.4)"),
    KT_TEST(the_wait_lasts_until_the_nearest_timer, 2, "the poll's timeout comes from the nearest timer (book §2.4)"),
};

KT_MAIN("Lab 02 — the wait", tests)
