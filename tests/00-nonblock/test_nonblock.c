/* test_nonblock.c — Lab 00: blocking vs non-blocking.
 *
 * read(2) and write(2) are wrapped at link time (test_nonblock.ldflags:
 * -Wl,--wrap=read,--wrap=write), so a test can make the next calls fail
 * with EINTR, the way a signal arriving at the wrong moment would. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"

/* ------------------------------------------------------------ injected EINTR */

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);

static int read_eintrs, write_eintrs; /* how many calls to fail with EINTR */

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    if (read_eintrs > 0) {
        read_eintrs--;
        errno = EINTR;
        return -1;
    }
    return __real_read(fd, buf, len);
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    if (write_eintrs > 0) {
        write_eintrs--;
        errno = EINTR;
        return -1;
    }
    return __real_write(fd, buf, len);
}

/* ------------------------------------------------------------ helpers */

static void make_pipe(int p[2])
{
    KT_CHECK(pipe2(p, O_CLOEXEC) == 0, "test setup: pipe2 failed");
}

static void put(int fd, const char *s)
{
    KT_CHECK(__real_write(fd, s, strlen(s)) == (ssize_t)strlen(s), "test setup: writing to the pipe failed");
}

static int status_flags(int fd)
{
    return fcntl(fd, F_GETFL);
}

/* ------------------------------------------------------------ §0.2 O_NONBLOCK */

static void set_nonblocking_turns_the_flag_on_and_off(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    KT_CHECK_OK(kt_set_nonblocking(p[0], true), "kt_set_nonblocking on a valid fd must succeed (book §0.2)");
    KT_CHECK(status_flags(p[0]) & O_NONBLOCK, "after kt_set_nonblocking(fd, true), fcntl(F_GETFL) must show O_NONBLOCK (book §0.2)");
    KT_CHECK(!(status_flags(p[1]) & O_NONBLOCK), "only the fd you asked for changes: the other end stays blocking (book §0.2)");
    KT_CHECK_OK(kt_set_nonblocking(p[0], false), "turning O_NONBLOCK off must succeed (book §0.2)");
    KT_CHECK(!(status_flags(p[0]) & O_NONBLOCK), "after kt_set_nonblocking(fd, false), O_NONBLOCK must be cleared (book §0.2)");
    close(p[0]);
    close(p[1]);
}

static void set_nonblocking_keeps_the_other_flags(void **state)
{
    (void)state;
    char path[] = "/tmp/kettle-lab00-XXXXXX";
    int fd = mkstemp(path);
    KT_CHECK(fd >= 0, "test setup: mkstemp failed");
    unlink(path);
    KT_CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0, "test setup: setting O_APPEND failed");
    KT_CHECK_OK(kt_set_nonblocking(fd, true), "kt_set_nonblocking must succeed (book §0.2)");
    KT_CHECK(status_flags(fd) & O_APPEND,
             "read the flags with F_GETFL and add O_NONBLOCK to them: setting only O_NONBLOCK wipes out "
             "the fd's other flags, here O_APPEND (book §0.2)");
    KT_CHECK_OK(kt_set_nonblocking(fd, false), "kt_set_nonblocking must succeed (book §0.2)");
    KT_CHECK(status_flags(fd) & O_APPEND, "clearing O_NONBLOCK must keep O_APPEND too (book §0.2)");
    close(fd);
}

static void is_nonblocking_reports_the_flag(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    KT_CHECK_INT(kt_is_nonblocking(p[0]), 0, "a new pipe is blocking: kt_is_nonblocking must say 0 (book §0.2)");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    KT_CHECK_INT(kt_is_nonblocking(p[0]), 1, "with O_NONBLOCK set, kt_is_nonblocking must say 1 (book §0.2)");
    close(p[0]);
    close(p[1]);
}

static void bad_fds_give_ebadf(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    int closed = p[0];
    close(p[0]);
    close(p[1]);
    KT_CHECK_ERR(kt_set_nonblocking(closed, true), -EBADF, "fcntl on a closed fd fails: return -errno, here -EBADF (book §0.6)");
    KT_CHECK_ERR(kt_is_nonblocking(-1), -EBADF, "kt_is_nonblocking(-1) must return -EBADF (book §0.6)");
    char c;
    KT_CHECK_ERR(kt_read_some(closed, &c, 1), -EBADF, "reading a closed fd must return -EBADF, not KT_EAGAIN (book §0.3)");
    KT_CHECK_ERR(kt_read_some(0, NULL, 4), KT_EINVAL, "a NULL buffer with len > 0 is KT_EINVAL (book §0.6)");
}

/* ------------------------------------------------------------ §0.3 read and write without waiting */

static void empty_pipe_read_answers_eagain_at_once(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    char buf[16];
    KT_CHECK_ERR(kt_read_some(p[0], buf, sizeof buf), KT_EAGAIN,
                 "reading an empty non-blocking pipe must answer KT_EAGAIN at once: nothing there yet, "
                 "and that is not an error or an end of file (book §0.3)");
    close(p[0]);
    close(p[1]);
}

static void read_some_returns_what_is_there(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    put(p[1], "hello");
    char buf[16] = {0};
    KT_CHECK_INT(kt_read_some(p[0], buf, 3), 3, "read at most len bytes: asked for 3 of 5 (book §0.3)");
    KT_CHECK_INT(kt_read_some(p[0], buf + 3, sizeof buf - 4), 2, "the next read gets the 2 bytes left (book §0.3)");
    KT_CHECK_STR(buf, "hello", "the bytes must arrive in order (book §0.3)");
    KT_CHECK_ERR(kt_read_some(p[0], buf, sizeof buf), KT_EAGAIN, "then the pipe is empty again: KT_EAGAIN (book §0.3)");
    close(p[0]);
    close(p[1]);
}

static void closed_writer_reads_as_end_of_file(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    put(p[1], "x");
    close(p[1]);
    char buf[8];
    KT_CHECK_INT(kt_read_some(p[0], buf, sizeof buf), 1, "data written before the close is still read (book §0.3)");
    KT_CHECK_INT(kt_read_some(p[0], buf, sizeof buf), 0,
                 "when the writer has closed and the data is gone, read returns 0: end of file, not "
                 "KT_EAGAIN (book §0.3)");
    close(p[0]);
}

static void read_is_retried_after_eintr(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    put(p[1], "tea");
    char buf[8] = {0};
    read_eintrs = 2;
    ssize_t n = kt_read_some(p[0], buf, sizeof buf - 1);
    KT_CHECK_INT(n, 3,
                 "a read interrupted by a signal (EINTR) did not fail, it just did not happen: call read "
                 "again (book §0.3)");
    KT_CHECK_STR(buf, "tea", "after retrying, the data must be read (book §0.3)");
    close(p[0]);
    close(p[1]);
}

static void full_pipe_write_answers_eagain(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    int capacity = fcntl(p[1], F_GETPIPE_SZ);
    static char chunk[4096];
    long total = 0;
    ssize_t n;
    for (int i = 0; i < 10000 && (n = kt_write_some(p[1], chunk, sizeof chunk)) > 0; i++)
        total += n;
    KT_CHECK_INT(total, capacity, "kt_write_some fills the pipe up to its capacity (book §0.3)");
    KT_CHECK_ERR(kt_write_some(p[1], chunk, 1), KT_EAGAIN,
                 "writing to a full non-blocking pipe must answer KT_EAGAIN at once (book §0.3)");
    close(p[0]);
    close(p[1]);
}

static void write_is_retried_after_eintr(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    write_eintrs = 1;
    KT_CHECK_INT(kt_write_some(p[1], "abc", 3), 3, "a write interrupted by a signal (EINTR) must be retried (book §0.3)");
    char buf[4] = {0};
    KT_CHECK_INT(__real_read(p[0], buf, 3), 3, "the bytes must be in the pipe");
    close(p[0]);
    close(p[1]);
}

static void write_to_a_closed_reader_is_epipe(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* as every server does; see the book */
    int p[2];
    make_pipe(p);
    close(p[0]);
    KT_CHECK_ERR(kt_write_some(p[1], "x", 1), -EPIPE, "writing when the reader is gone is -EPIPE (book §0.3)");
    close(p[1]);
}

/* ------------------------------------------------------------ §0.4 watching kettles */

typedef struct {
    char got[3][256];
    int chunks;
    int fds[3];
} sink;

static void collect(int fd, const char *data, size_t len, void *arg)
{
    sink *s = arg;
    s->chunks++;
    for (int i = 0; i < 3; i++) {
        if (s->fds[i] == fd) {
            size_t have = strlen(s->got[i]);
            if (have + len < sizeof s->got[i])
                memcpy(s->got[i] + have, data, len);
            return;
        }
    }
}

static void watch_collects_every_pipe_to_the_end(void **state)
{
    (void)state;
    int p[3][2];
    sink s = {0};
    static const char *msgs[] = {"green tea", "black tea", "oolong"};
    for (int i = 0; i < 3; i++) {
        make_pipe(p[i]);
        s.fds[i] = p[i][0];
        put(p[i][1], msgs[i]);
        close(p[i][1]);
    }
    kt_watch_stats st;
    KT_CHECK_OK(kt_watch_kettles(s.fds, 3, 0.001, collect, &s, &st),
                "kt_watch_kettles must return 0 once every pipe reached end of file (book §0.4)");
    for (int i = 0; i < 3; i++)
        KT_CHECK_STR(s.got[i], msgs[i], "every byte of every pipe must reach on_chunk, tagged with its fd (book §0.4)");
    KT_CHECK_INT(st.bytes, strlen(msgs[0]) + strlen(msgs[1]) + strlen(msgs[2]), "stats.bytes counts the bytes delivered (book §0.4)");
    KT_CHECK_INT(st.sleeps, 0, "a round that read something must not sleep: here the data was all there (book §0.4)");
    KT_CHECK_INT(st.rounds, 1, "read everything an fd has in one visit: all data and EOF fit in one round (book §0.4)");
    for (int i = 0; i < 3; i++) {
        KT_CHECK_INT(kt_is_nonblocking(p[i][0]), 1, "kt_watch_kettles makes every fd non-blocking (book §0.4)");
        close(p[i][0]);
    }
}

typedef struct {
    int fd;
    const char *text;
    int delay_ms;
} slow_writer;

static void *write_slowly(void *arg)
{
    slow_writer *w = arg;
    struct timespec ts = {0, (long)w->delay_ms * 1000000L};
    for (const char *c = w->text; *c; c++) {
        nanosleep(&ts, NULL);
        __real_write(w->fd, c, 1);
    }
    close(w->fd);
    return NULL;
}

static void watch_serves_writers_that_come_and_go(void **state)
{
    (void)state;
    int p[3][2];
    sink s = {0};
    slow_writer w[3] = {{0, "abc", 3}, {0, "", 1}, {0, "xy", 5}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        make_pipe(p[i]);
        s.fds[i] = p[i][0];
        w[i].fd = p[i][1];
    }
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, write_slowly, &w[i]);
    kt_watch_stats st;
    int rc = kt_watch_kettles(s.fds, 3, 0.001, collect, &s, &st);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    KT_CHECK_OK(rc, "kt_watch_kettles must return 0 when all writers are done (book §0.4)");
    KT_CHECK_STR(s.got[0], "abc", "bytes written one at a time, with pauses, must all arrive in order (book §0.4)");
    KT_CHECK_STR(s.got[1], "", "a pipe closed without data just reaches EOF (book §0.4)");
    KT_CHECK_STR(s.got[2], "xy", "bytes written one at a time must all arrive in order (book §0.4)");
    KT_CHECK(st.sleeps > 0 && st.empty_checks > 0,
             "while the writers pause, rounds find nothing: they must be counted as empty checks and the "
             "watcher must sleep between them (sleeps=%lu empty_checks=%lu) (book §0.4, §0.9)",
             st.sleeps, st.empty_checks);
    KT_CHECK(st.checks >= st.empty_checks + (unsigned long)s.chunks,
             "every read tried counts as a check: checks >= empty checks + chunks (book §0.4)");
    for (int i = 0; i < 3; i++)
        close(p[i][0]);
}

/* Pacing: sleep only after a round in which no fd gave a byte, and never
 * once every fd has reached end of file. */
static int late_writer = -1; /* closed by on_chunk, in the middle of round 1 */

static void collect_then_close_late_writer(int fd, const char *data, size_t len, void *arg)
{
    collect(fd, data, len, arg);
    if (late_writer >= 0) {
        close(late_writer);
        late_writer = -1;
    }
}

static void watch_sleeps_only_after_an_empty_round(void **state)
{
    (void)state;
    int quiet[2], busy[2];
    make_pipe(quiet);
    make_pipe(busy);
    put(busy[1], "tea");
    close(busy[1]);
    late_writer = quiet[1];
    sink s = {0};
    s.fds[0] = quiet[0];
    s.fds[1] = busy[0];
    kt_watch_stats st;
    /* Round 1: the quiet pipe is empty, the busy one gives "tea" (and its
     * chunk closes the quiet pipe's writer); round 2: the quiet one ends. */
    KT_CHECK_OK(kt_watch_kettles(s.fds, 2, 0.2, collect_then_close_late_writer, &s, &st),
                "kt_watch_kettles must return 0 once both pipes reached end of file (book §0.4)");
    KT_CHECK_STR(s.got[1], "tea", "every byte must reach on_chunk (book §0.4)");
    KT_CHECK_INT(st.rounds, 2, "round 1 reads the busy pipe to its end, round 2 finds the quiet one closed (book §0.4)");
    KT_CHECK_INT(st.sleeps, 0,
                 "sleep only after a round in which NO fd gave a byte: round 1 read \"tea\", so the next "
                 "round starts at once, even though another fd was empty (book §0.4, §0.9)");
    close(quiet[0]);
    close(busy[0]);
}

static void watch_does_not_sleep_after_the_last_end_of_file(void **state)
{
    (void)state;
    int p[3][2];
    sink s = {0};
    for (int i = 0; i < 3; i++) {
        make_pipe(p[i]);
        s.fds[i] = p[i][0];
        close(p[i][1]); /* closed without a byte */
    }
    kt_watch_stats st;
    KT_CHECK_OK(kt_watch_kettles(s.fds, 3, 0.2, collect, &s, &st),
                "kt_watch_kettles must return 0 once every pipe reached end of file (book §0.4)");
    KT_CHECK_INT(st.rounds, 1, "one round sees every pipe's end of file (book §0.4)");
    KT_CHECK_INT(st.sleeps, 0,
                 "the round that saw the last end of file read no byte, but nothing is left to wait for: "
                 "return, do not sleep (book §0.4)");
    for (int i = 0; i < 3; i++)
        close(p[i][0]);
}

static void watch_stops_at_the_first_error(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    int fds[2] = {p[0], 1000}; /* fd 1000 is not open */
    sink s = {0};
    s.fds[0] = p[0];
    close(p[1]);
    KT_CHECK_ERR(kt_watch_kettles(fds, 2, 0, collect, &s, NULL), -EBADF,
                 "an fd that cannot be read is an error the watch returns (-errno), not an end of file (book §0.4)");
    close(p[0]);
    /* An fd that is open, and can be made non-blocking, but not read: the
     * write end of a pipe. The error comes from the read, in the round. */
    int q[2];
    make_pipe(q);
    KT_CHECK_ERR(kt_watch_kettles(&q[1], 1, 0.001, collect, &s, NULL), -EBADF,
                 "a read that fails ends the watch with that error (-errno): it is not an end of file "
                 "and not a dry pipe to visit again (book §0.4)");
    close(q[0]);
    close(q[1]);
}

static void watch_rejects_bad_arguments(void **state)
{
    (void)state;
    int fd = 0;
    sink s = {0};
    KT_CHECK_ERR(kt_watch_kettles(&fd, 1, 0.1, NULL, NULL, NULL), KT_EINVAL, "a NULL on_chunk is KT_EINVAL (book §0.6)");
    KT_CHECK_ERR(kt_watch_kettles(&fd, 1, -1, collect, &s, NULL), KT_EINVAL, "a negative interval is KT_EINVAL (book §0.6)");
    KT_CHECK_ERR(kt_watch_kettles(&fd, 1, NAN, collect, &s, NULL), KT_EINVAL, "a NaN interval is KT_EINVAL (book §0.6)");
    KT_CHECK_ERR(kt_watch_kettles(&fd, 1, INFINITY, collect, &s, NULL), KT_EINVAL, "an infinite interval is KT_EINVAL (book §0.6)");
    KT_CHECK_ERR(kt_watch_kettles(NULL, 2, 0.1, collect, &s, NULL), KT_EINVAL, "NULL fds with n > 0 is KT_EINVAL (book §0.6)");
    kt_watch_stats st;
    KT_CHECK_OK(kt_watch_kettles(NULL, 0, 0.1, collect, &s, &st), "watching no fds at all is done at once (book §0.4)");
    KT_CHECK_INT(st.rounds, 0, "with no fds there is no round to make (book §0.4)");
}

static const kt_test_case tests[] = {
    KT_TEST(set_nonblocking_turns_the_flag_on_and_off, 2, "kt_set_nonblocking sets and clears O_NONBLOCK (book §0.2)"),
    KT_TEST(set_nonblocking_keeps_the_other_flags, 2, "F_GETFL, add the flag, F_SETFL: other flags stay (book §0.2)"),
    KT_TEST(is_nonblocking_reports_the_flag, 1, "kt_is_nonblocking reports O_NONBLOCK (book §0.2)"),
    KT_TEST(bad_fds_give_ebadf, 1, "a bad fd is -EBADF, a NULL buffer KT_EINVAL (book §0.6)"),
    KT_TEST_TIMEOUT(empty_pipe_read_answers_eagain_at_once, 3, 10,
                    "reading an empty non-blocking pipe answers KT_EAGAIN at once; a timeout here means the read blocked (book §0.3)"),
    KT_TEST(read_some_returns_what_is_there, 2, "read returns what is there, at most len bytes (book §0.3)"),
    KT_TEST(closed_writer_reads_as_end_of_file, 2, "a closed writer reads as 0, end of file (book §0.3)"),
    KT_TEST(read_is_retried_after_eintr, 2, "EINTR is retried, never returned (book §0.3)"),
    KT_TEST_TIMEOUT(full_pipe_write_answers_eagain, 2, 10,
                    "writing to a full non-blocking pipe answers KT_EAGAIN; a timeout here means the write blocked (book §0.3)"),
    KT_TEST(write_is_retried_after_eintr, 1, "EINTR is retried on write too (book §0.3)"),
    KT_TEST(write_to_a_closed_reader_is_epipe, 1, "writing with no reader is -EPIPE (book §0.3)"),
    KT_TEST_TIMEOUT(watch_collects_every_pipe_to_the_end, 3, 10,
                    "the watch reads every pipe to EOF; a timeout means an fd was never dropped at EOF (book §0.4)"),
    KT_TEST_TIMEOUT(watch_serves_writers_that_come_and_go, 3, 10,
                    "the watch serves slow writers and sleeps only after an empty round (book §0.4, §0.9)"),
    KT_TEST_TIMEOUT(watch_sleeps_only_after_an_empty_round, 2, 10,
                    "sleep only after a round that read nothing (book §0.4)"),
    KT_TEST_TIMEOUT(watch_does_not_sleep_after_the_last_end_of_file, 1, 10,
                    "no sleep once every fd reached end of file (book §0.4)"),
    KT_TEST_TIMEOUT(watch_stops_at_the_first_error, 1, 10, "a read error ends the watch with that error (book §0.4)"),
    KT_TEST(watch_rejects_bad_arguments, 1, "bad arguments get KT_EINVAL (book §0.6)"),
};

KT_MAIN("Lab 00 — blocking vs non-blocking", tests)
