/* test_io.c — Lab 02: readers and writers on the loop (io.c).
 *
 * Every rule of book chapter 2 about kt_add_reader and friends, one test
 * each. The grader runs this file once per poller (tests/02-io/variants:
 * KETTLE_POLLER=select, then epoll), so each rule holds on both backends.
 * Loops use the virtual clock: a timer bounds every test that could
 * otherwise wait for ever, and time only jumps when no fd is ready. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

static kt_loop *new_loop(void)
{
    return kt_test_loop(KT_CLOCK_VIRTUAL);
}

/* The helpers that check are macros, so a failure points at the test's own line. */
#define close_loop(loop) \
    KT_CHECK_OK(kt_loop_close(loop), "closing a loop must work and free its I/O layer (book §2.4)")

/* A connected pair of non-blocking, close-on-exec sockets. */
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

static void put(int fd, const char *s)
{
    KT_CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s), "test setup: write failed");
}

#define run_once(loop) \
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed while fds are watched (book §2.4)")

#define add_reader(loop, fd, cb, arg) \
    KT_CHECK_OK(kt_add_reader((loop), (fd), (cb), (arg)), "kt_add_reader on a valid socket must succeed (book §2.4)")

#define add_writer(loop, fd, cb, arg) \
    KT_CHECK_OK(kt_add_writer((loop), (fd), (cb), (arg)), "kt_add_writer on a valid socket must succeed (book §2.4)")

/* A reader that drains its fd and logs what it read ("EOF" at end of file). */
typedef struct reader {
    int fd;
    const char *name;
    int calls;
} reader;

static void drain_and_log(kt_loop *loop, void *arg)
{
    (void)loop;
    reader *r = arg;
    char buf[256];
    r->calls++;
    ssize_t n = read(r->fd, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        kt_log_add(&LOG, "%s:%s", r->name, buf);
    } else if (n == 0) {
        kt_log_add(&LOG, "%s:EOF", r->name);
    } else {
        kt_log_add(&LOG, "%s:%s", r->name, errno == EAGAIN ? "EAGAIN" : "error");
    }
}

/* ------------------------------------------------------------ §2.4 readers and writers */

static void reader_runs_only_when_its_fd_is_readable(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    reader r = { sv[0], "r", 0 };
    add_reader(loop, sv[0], drain_and_log, &r);
    KT_CHECK_OK(kt_call_later(loop, 1.0, say_time, "timer", NULL), "kt_call_later (Lab 01) must work");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "timer@1",
                 "a reader must not run while its fd has nothing to read; the loop waits for the timer instead "
                 "(book §2.4)");
    put(sv[1], "hi");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "timer@1 r:hi", "once data arrives, the fd's reader runs in the next iteration (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

typedef struct flags {
    int read_a, write_b, read_c, read_d, write_d;
} flags;
static flags F;
static void mark_read_a(kt_loop *l, void *a) { (void)l; (void)a; F.read_a++; }
static void mark_write_b(kt_loop *l, void *a) { (void)l; (void)a; F.write_b++; }
static void mark_read_c(kt_loop *l, void *a) { (void)l; (void)a; F.read_c++; }
static void mark_read_d(kt_loop *l, void *a) { (void)l; (void)a; F.read_d++; }
static void mark_write_d(kt_loop *l, void *a) { (void)l; (void)a; F.write_d++; }

static void readiness_is_reported_for_exactly_the_fds_and_directions_asked(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int a[2], b[2], c[2], d[2], e[2];
    make_pair(a);
    make_pair(b);
    make_pair(c);
    make_pair(d);
    make_pair(e);
    memset(&F, 0, sizeof F);
    put(a[1], "x"); /* a: readable, watched for reading */
    put(b[1], "x"); /* b: readable and writable, watched for writing only */
    /* c: writable but not readable, watched for reading only */
    put(d[1], "x"); /* d: readable and writable, watched for both */
    put(e[1], "x"); /* e: readable, not watched at all */
    add_reader(loop, a[0], mark_read_a, NULL);
    add_writer(loop, b[0], mark_write_b, NULL);
    add_reader(loop, c[0], mark_read_c, NULL);
    add_reader(loop, d[0], mark_read_d, NULL);
    add_writer(loop, d[0], mark_write_d, NULL);
    run_once(loop);
    KT_CHECK(F.read_a == 1 && F.write_b == 1 && F.read_c == 0 && F.read_d == 1 && F.write_d == 1,
             "one iteration must run exactly the readers of readable fds and the writers of writable fds, once "
             "each; a direction nobody asked for is not reported (book §2.4)\n"
             "  expected: read_a=1 write_b=1 read_c=0 read_d=1 write_d=1\n"
             "  got:      read_a=%d write_b=%d read_c=%d read_d=%d write_d=%d",
             F.read_a, F.write_b, F.read_c, F.read_d, F.write_d);
    close_loop(loop);
    close_pair(a);
    close_pair(b);
    close_pair(c);
    close_pair(d);
    close_pair(e);
}

static int io_sock;
static void read_and_remove(kt_loop *loop, void *word)
{
    char buf[16];
    (void)!read(io_sock, buf, sizeof buf);
    kt_log_add(&LOG, "%s", (const char *)word);
    kt_remove_reader(loop, io_sock);
}

static void one_iteration_runs_ready_callbacks_then_io_then_timers(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    io_sock = sv[0];
    put(sv[1], "x"); /* readable before the loop starts */
    add_reader(loop, sv[0], read_and_remove, "io");
    KT_CHECK_OK(kt_call_at(loop, kt_loop_time(loop) - 1, say, "timer", NULL), "kt_call_at (Lab 01) must work");
    KT_CHECK_OK(kt_call_soon(loop, say, "ready", NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_call_soon(loop, stop, NULL, NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK_STR(LOG.buf, "ready io timer",
                 "one iteration runs the callbacks that were already ready, then the I/O callbacks, then the "
                 "timers that came due: the poll hook appends to loop->ready (book §2.4; asyncio case 019)");
    close_loop(loop);
    close_pair(sv);
}

static int writer_sock;
static void write_hello(kt_loop *loop, void *data)
{
    ssize_t n = write(writer_sock, data, 5);
    kt_log_add(&LOG, "sent=%zd", n);
    kt_log_add(&LOG, "remove=%d", kt_remove_writer(loop, writer_sock));
    kt_log_add(&LOG, "again=%d", kt_remove_writer(loop, writer_sock));
    kt_loop_stop(loop);
}

static void writer_runs_when_writable_and_remove_says_whether_it_removed(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    writer_sock = sv[1];
    add_writer(loop, sv[1], write_hello, "hello");
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK_STR(LOG.buf, "sent=5 remove=1 again=0",
                 "an idle connected socket is writable at once, so its writer runs; kt_remove_writer returns 1 "
                 "when it removed a writer and 0 when there was none (book §2.4; asyncio case 021)");
    char buf[8] = { 0 };
    KT_CHECK_INT(read(sv[0], buf, sizeof buf), 5, "the peer must receive what the writer sent");
    KT_CHECK_INT(kt_remove_reader(loop, sv[1]), 0, "kt_remove_reader on an fd without a reader returns 0 (book §2.4)");
    KT_CHECK_INT(kt_remove_writer(loop, 999), 0,
                 "kt_remove_writer on an fd the loop never saw returns 0, not an error (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

static int remover_sock;
static void remover(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "remove=%d", kt_remove_reader(loop, remover_sock));
}

static void removing_a_reader_cancels_its_queued_callback(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    remover_sock = sv[0];
    put(sv[1], "x");
    add_reader(loop, sv[0], say, "reader-must-not-run");
    KT_CHECK_OK(kt_call_soon(loop, remover, NULL, NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_call_soon(loop, stop, NULL, NULL), "kt_call_soon (Lab 01) must work");
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK_STR(LOG.buf, "remove=1",
                 "a reader removed by an earlier callback of the same iteration must not run, even though the "
                 "poll already queued it: removing cancels its handle (book §2.4; asyncio case 023)");
    close_loop(loop);
    close_pair(sv);
}

static void first_reader(kt_loop *loop, void *unused)
{
    (void)loop;
    (void)unused;
    kt_log_add(&LOG, "first");
}

static void second_reader(kt_loop *loop, void *unused)
{
    (void)unused;
    char buf[16];
    (void)!read(remover_sock, buf, sizeof buf);
    kt_log_add(&LOG, "second");
    kt_remove_reader(loop, remover_sock);
}

static void replacer(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_log_add(&LOG, "replace");
    kt_add_reader(loop, remover_sock, second_reader, NULL);
}

static void adding_a_reader_again_replaces_the_old_one(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    remover_sock = sv[0];
    put(sv[1], "x");
    add_reader(loop, sv[0], first_reader, NULL);
    KT_CHECK_OK(kt_call_soon(loop, replacer, NULL, NULL), "kt_call_soon (Lab 01) must work");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "replace",
                 "adding a reader to an fd that has one replaces it: the old reader, already queued by the poll, "
                 "is cancelled and must not run (book §2.4)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "replace second",
                 "after a replacement only the new reader runs (one reader per fd, book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 0,
                 "second_reader removed itself, so nothing is left to remove (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

/* Two readable fds whose readers each remove both readers: whichever runs
 * first must cancel the other, in the same iteration, without a crash. */
static int pair_fds[2];
static int pair_calls;
static void remove_both(kt_loop *loop, void *unused)
{
    (void)unused;
    pair_calls++;
    int a = kt_remove_reader(loop, pair_fds[0]);
    int b = kt_remove_reader(loop, pair_fds[1]);
    kt_log_add(&LOG, "removed=%d", a + b);
}

static void removing_readers_inside_callbacks_is_safe(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    pair_fds[0] = a[0];
    pair_fds[1] = b[0];
    pair_calls = 0;
    put(a[1], "x");
    put(b[1], "x");
    add_reader(loop, a[0], remove_both, NULL);
    add_reader(loop, b[0], remove_both, NULL);
    KT_CHECK_OK(kt_call_later(loop, 5.0, say, "timer", NULL), "kt_call_later (Lab 01) must work");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "removed=2",
                 "a reader that removes itself and another fd's reader in its callback must be safe, and the other "
                 "reader, already queued, must not run in that iteration (book §2.4)");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "removed=2 timer",
                 "removed readers never run again, though their fds are still readable (book §2.4)");
    close_loop(loop);
    close_pair(a);
    close_pair(b);
}

static void reader_and_writer_of_one_fd_are_independent(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    memset(&F, 0, sizeof F);
    add_reader(loop, sv[0], mark_read_d, NULL);
    add_writer(loop, sv[0], mark_write_d, NULL);
    run_once(loop); /* writable, not readable */
    KT_CHECK(F.read_d == 0 && F.write_d == 1,
             "with a reader and a writer on one fd, only the writer runs while the fd is writable but empty "
             "(book §2.4)\n  expected: read=0 write=1\n  got:      read=%d write=%d", F.read_d, F.write_d);
    KT_CHECK_INT(kt_remove_writer(loop, sv[0]), 1, "kt_remove_writer returns 1 when it removed a writer (book §2.4)");
    put(sv[1], "x");
    run_once(loop);
    KT_CHECK(F.read_d == 1 && F.write_d == 1,
             "removing an fd's writer must keep its reader watched (modify the interest, do not drop the fd) "
             "(book §2.4)\n  expected: read=1 write=1\n  got:      read=%d write=%d", F.read_d, F.write_d);
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

/* Reads one byte per call: level-triggered readiness calls it again and again. */
static int one_byte_fd;
static void read_one_byte(kt_loop *loop, void *unused)
{
    (void)unused;
    char ch;
    if (read(one_byte_fd, &ch, 1) == 1)
        kt_log_add(&LOG, "%c@%g", ch, kt_loop_time(loop));
}

static void readiness_is_level_triggered(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    one_byte_fd = sv[0];
    put(sv[1], "abc");
    add_reader(loop, sv[0], read_one_byte, NULL);
    KT_CHECK_OK(kt_call_later(loop, 1.0, say_time, "timer", NULL), "kt_call_later (Lab 01) must work");
    for (int i = 0; i < 4; i++)
        run_once(loop);
    KT_CHECK_STR(LOG.buf, "a@0 b@0 c@0 timer@1",
                 "readiness is level-triggered: a reader that leaves data unread runs again in the next iteration, "
                 "until the fd is drained; only then may the loop wait for the timer (book §2.3)");
    kt_remove_reader(loop, sv[0]);
    close_loop(loop);
    close_pair(sv);
}

static void a_peer_close_reads_as_readable_then_eof(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    reader r = { sv[0], "r", 0 };
    put(sv[1], "bye");
    close(sv[1]);
    add_reader(loop, sv[0], drain_and_log, &r);
    run_once(loop);
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "r:bye r:EOF",
                 "when the peer closes, the fd turns readable and read() returns 0 (end of file) once the data is "
                 "drained; the reader must be called for it (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close(sv[0]);
}

/* ------------------------------------------------------------ §2.4 bad input, §2.2 backends */

static int handler_calls;
static int handler_error;
static void count_handler(kt_loop *loop, const kt_error_context *ctx, void *arg)
{
    (void)loop;
    (void)arg;
    handler_calls++;
    handler_error = ctx->error;
}

/* Bookkeeping after a sequence: add, modify, remove on one fd. */
static size_t watched(kt_loop *loop)
{
    return loop->io_ops != NULL ? loop->io_ops->count(loop) : 0;
}

static void watch_count_follows_add_modify_remove(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2], other[2];
    make_pair(sv);
    make_pair(other);
    add_reader(loop, sv[0], say, "r");
    KT_CHECK_INT(watched(loop), 1, "one fd with a reader: the loop watches 1 fd (book §2.4)");
    add_writer(loop, sv[0], say, "w"); /* the same fd: a modify, not a second fd */
    KT_CHECK_INT(watched(loop), 1, "a reader and a writer on ONE fd are one watched fd (book §2.4)");
    add_reader(loop, sv[0], say, "r2"); /* replacing a reader changes nothing watched */
    add_reader(loop, other[0], say, "o");
    KT_CHECK_INT(watched(loop), 2, "a second fd: 2 watched (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed one (book §2.4)");
    KT_CHECK_INT(watched(loop), 2, "the fd still has its writer, so it is still watched (book §2.4)");
    KT_CHECK_INT(kt_remove_writer(loop, sv[0]), 1, "kt_remove_writer returns 1 when it removed one (book §2.4)");
    KT_CHECK_INT(watched(loop), 1, "an fd with neither reader nor writer is no longer watched (book §2.4)");
    KT_CHECK_INT(kt_remove_writer(loop, sv[0]), 0, "removing twice returns 0 and changes nothing (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, other[0]), 1, "kt_remove_reader returns 1 when it removed one (book §2.4)");
    KT_CHECK_INT(watched(loop), 0, "after add, modify and remove, nothing is watched (book §2.4)");
    KT_CHECK_ERR(kt_loop_run_once(loop), KT_EDEADLOCK,
                 "with nothing watched and no timer the loop has nothing to wait for: KT_EDEADLOCK, "
                 "not a wait for ever (book §2.4, §1.5)");
    KT_CHECK_STR(LOG.buf, "", "no removed reader or writer may run (book §2.4)");
    close_loop(loop);
    close_pair(sv);
    close_pair(other);
}

/* A writer waiting on a full pipe whose reader goes away. */
static void a_writer_hears_that_the_reader_is_gone(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int p[2];
    KT_CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "test setup: pipe2 failed");
    char chunk[4096];
    memset(chunk, 'x', sizeof chunk);
    while (write(p[1], chunk, sizeof chunk) > 0)
        ; /* fill it: the writer now waits for room */
    add_writer(loop, p[1], say, "writer");
    KT_CHECK_OK(kt_call_later(loop, 5, say, "timer", NULL), "kt_call_later must work (Lab 01)");
    close(p[0]); /* the reader is gone: room will never come */
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed (book §2.4)");
    KT_CHECK_STR(LOG.buf, "writer",
                 "a writer whose peer is gone must run at once, so that its write finds the error "
                 "(EPIPE): epoll reports that as EPOLLERR (EPOLLHUP for a reader), which counts as ready "
                 "for every direction asked (book §2.6)");
    KT_CHECK_INT(kt_remove_writer(loop, p[1]), 1, "kt_remove_writer returns 1 when it removed one (book §2.4)");
    close(p[1]);
    close_loop(loop);
}

static void bad_arguments_are_rejected_with_einval(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    KT_CHECK_ERR(kt_add_reader(NULL, sv[0], say, NULL), KT_EINVAL, "kt_add_reader(NULL loop) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_add_reader(loop, sv[0], NULL, NULL), KT_EINVAL, "kt_add_reader(NULL callback) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_add_reader(loop, -1, say, NULL), KT_EINVAL, "kt_add_reader(negative fd) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_add_writer(NULL, sv[0], say, NULL), KT_EINVAL, "kt_add_writer(NULL loop) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_add_writer(loop, sv[0], NULL, NULL), KT_EINVAL, "kt_add_writer(NULL callback) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_add_writer(loop, -5, say, NULL), KT_EINVAL, "kt_add_writer(negative fd) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_remove_reader(NULL, sv[0]), KT_EINVAL, "kt_remove_reader(NULL loop) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_remove_reader(loop, -1), KT_EINVAL, "kt_remove_reader(negative fd) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_remove_writer(NULL, sv[0]), KT_EINVAL, "kt_remove_writer(NULL loop) is KT_EINVAL (book §2.4)");
    KT_CHECK_ERR(kt_remove_writer(loop, -1), KT_EINVAL, "kt_remove_writer(negative fd) is KT_EINVAL (book §2.4)");
    /* A closed fd is an error from the backend, and leaves nothing behind.
     * (A valid reader first, so the backend's own fd is not given the
     * number the closed fd frees.) */
    add_reader(loop, sv[0], say, "ok");
    int dead[2];
    make_pair(dead);
    int dead_fd = dead[0];
    close_pair(dead);
    int rc = kt_add_reader(loop, dead_fd, say, NULL);
    KT_CHECK_ERR(rc, -EBADF, "kt_add_reader on a closed fd must fail with -EBADF on every backend (book §2.4)");
    KT_CHECK_INT(kt_remove_reader(loop, dead_fd), 0, "a refused kt_add_reader must leave no reader behind (book §2.4)");
    /* The valid reader is still there after the errors. */
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

static void an_unknown_poller_name_is_a_clear_error(void **state)
{
    (void)state;
    const char *saved = getenv("KETTLE_POLLER");
    char *copy = saved ? strdup(saved) : NULL;
    const int had_env = copy != NULL;
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    handler_calls = 0;
    kt_loop_set_exception_handler(loop, count_handler, NULL);
    setenv("KETTLE_POLLER", "kqueue", 1);
    int rc = kt_add_reader(loop, sv[0], say, NULL);
    if (copy) {
        setenv("KETTLE_POLLER", copy, 1);
        free(copy);
    } else {
        unsetenv("KETTLE_POLLER");
    }
    KT_CHECK_ERR(rc, KT_EINVAL, "KETTLE_POLLER=kqueue names no backend: kt_add_reader must fail with KT_EINVAL (book §2.2)");
    KT_CHECK(handler_calls == 1 && handler_error == KT_EINVAL,
             "an unknown KETTLE_POLLER must also be reported once to the loop's exception handler, so the user "
             "sees why (book §2.2); handler called %d times", handler_calls);
    KT_CHECK(kt_loop_poller_name(loop) == NULL, "a refused backend must not be installed (book §2.2)");
    add_reader(loop, sv[0], say, "ok");
    const char *want = had_env ? NULL : "epoll";
    const char *name = kt_loop_poller_name(loop);
    KT_CHECK(name != NULL && (want == NULL || strcmp(name, want) == 0),
             "with KETTLE_POLLER unset the loop uses epoll on Linux (book §2.2); got %s", name ? name : "(none)");
    if (getenv("KETTLE_POLLER") != NULL)
        KT_CHECK_STR(name, getenv("KETTLE_POLLER"), "the loop must use the backend KETTLE_POLLER names (book §2.2)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close_pair(sv);
}

/* ------------------------------------------------------------ §2.2 many fds, §2.4 timers */

enum { MANY = 300 };
static int many_fd[MANY][2];
static int many_calls[MANY];

static void many_reader(kt_loop *loop, void *arg)
{
    int i = (int)(intptr_t)arg;
    char buf[8];
    many_calls[i]++;
    (void)!read(many_fd[i][0], buf, sizeof buf);
    kt_remove_reader(loop, many_fd[i][0]);
}

static void hundreds_of_fds_are_all_served(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = new_loop();
    for (int i = 0; i < MANY; i++) {
        make_pair(many_fd[i]);
        many_calls[i] = 0;
        add_reader(loop, many_fd[i][0], many_reader, (void *)(intptr_t)i);
    }
    for (int i = MANY - 1; i >= 0; i -= 2) /* every other pair gets data first */
        put(many_fd[i][1], "x");
    run_once(loop);
    for (int i = MANY - 2; i >= 0; i -= 2)
        put(many_fd[i][1], "x");
    run_once(loop);
    int served = 0, twice = 0;
    for (int i = 0; i < MANY; i++) {
        served += many_calls[i] == 1;
        twice += many_calls[i] > 1;
    }
    KT_CHECK(served == MANY && twice == 0,
             "with %d watched sockets, every readable one must get its reader called exactly once (book §2.2)\n"
             "  expected: %d served, 0 called twice\n  got:      %d served, %d called twice",
             MANY, MANY, served, twice);
    close_loop(loop);
    for (int i = 0; i < MANY; i++)
        close_pair(many_fd[i]);
    KT_CHECK_INT(kt_open_fd_count(), before, "the loop must not leak fds (book §2.4)");
}

static void timers_fire_on_time_while_fds_are_idle(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    int sv[10][2];
    for (int i = 0; i < 10; i++) {
        make_pair(sv[i]);
        add_reader(loop, sv[i][0], say, "reader-must-not-run");
    }
    KT_CHECK_OK(kt_call_later(loop, 2.5, say_time, "b", NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_call_later(loop, 1.0, say_time, "a", NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_call_later(loop, 3.0, stop, NULL, NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK_STR(LOG.buf, "a@1 b@2.5",
                 "with idle fds watched the loop still wakes for each timer, on time: the wait's timeout comes "
                 "from the nearest timer (book §2.4)");
    KT_CHECK_DBL(kt_loop_time(loop), 3.0, 1e-9, "the loop stopped at the 3 s timer (book §2.4)");
    close_loop(loop);
    for (int i = 0; i < 10; i++)
        close_pair(sv[i]);
}

static void closing_the_loop_releases_every_fd_and_handle(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = new_loop();
    int sv[3][2];
    for (int i = 0; i < 3; i++) {
        make_pair(sv[i]);
        add_reader(loop, sv[i][0], say, "r");
        add_writer(loop, sv[i][1], say, "w");
    }
    put(sv[0][1], "x");
    /* Leave the readers and writers registered: kt_loop_close must free them
     * (LeakSanitizer fails this test otherwise) and close the backend's fds. */
    close_loop(loop);
    for (int i = 0; i < 3; i++)
        close_pair(sv[i]);
    KT_CHECK_INT(kt_open_fd_count(), before,
                 "kt_loop_close must free the I/O layer: the poller's own fds (the epoll fd) are closed, the "
                 "caller's fds are left alone (book §2.4)");
}

/* ------------------------------------------------------------ §2.6 fds that go away */

static void a_fd_closed_while_watched_does_not_break_the_loop(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    int old = sv[0];
    add_reader(loop, sv[0], say, "old-reader-must-not-run");
    /* The mistake: close without removing the reader first. */
    close_pair(sv);
    KT_CHECK_INT(kt_remove_reader(loop, old), 1,
                 "removing the reader of an fd that was closed while watched must work and return 1 (epoll "
                 "has already forgotten the fd: EBADF/ENOENT are not errors) (book §2.6)");

    /* Again, and this time the fd number is reused before the reader goes. */
    make_pair(sv);
    KT_CHECK_INT(sv[0], old, "test setup: the lowest free fd number is reused");
    add_reader(loop, sv[0], say, "old-reader-must-not-run");
    close_pair(sv);
    make_pair(sv); /* same numbers, new sockets the backend has never seen */
    KT_CHECK_INT(sv[0], old, "test setup: the lowest free fd number is reused");
    int rc = kt_add_reader(loop, sv[0], say, "new");
    KT_CHECK_OK(rc, "adding a reader for a reused fd number must work even though the old file was closed "
                    "while watched (epoll: MOD fails with ENOENT, so ADD it) (book §2.6)");
    put(sv[1], "x");
    run_once(loop);
    KT_CHECK_STR(LOG.buf, "new", "the reader of the reused fd number must be watched and run (book §2.6)");
    KT_CHECK_INT(kt_remove_reader(loop, sv[0]), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    close_loop(loop);
    close_pair(sv);
    KT_CHECK_INT(kt_open_fd_count(), before, "the loop must not leak fds (book §2.6)");
}

/* An fd the select backend cannot hold: FD_SETSIZE or more. */
static void an_fd_past_fd_setsize_is_refused_only_by_select(void **state)
{
    (void)state;
    struct rlimit saved;
    KT_CHECK(getrlimit(RLIMIT_NOFILE, &saved) == 0, "test setup: getrlimit");
    const int high = FD_SETSIZE + 10;
    if (saved.rlim_cur <= (rlim_t)high) {
        struct rlimit more = saved;
        more.rlim_cur = (rlim_t)high + 1;
        KT_CHECK(more.rlim_cur <= saved.rlim_max, "test setup: the hard fd limit is below %d", high + 1);
        KT_CHECK(setrlimit(RLIMIT_NOFILE, &more) == 0, "test setup: setrlimit");
    }
    kt_loop *loop = new_loop();
    int sv[2];
    make_pair(sv);
    KT_CHECK(dup3(sv[0], high, O_CLOEXEC) == high, "test setup: dup3 to fd %d: %s", high, strerror(errno));
    int rc = kt_add_reader(loop, high, say, "high");
    const char *name = kt_loop_poller_name(loop);
    if (name != NULL && strcmp(name, "select") == 0) {
        KT_CHECK_ERR(rc, KT_EFDLIMIT,
                     "select's fd_set holds fds below FD_SETSIZE (%d) only: fd %d must get KT_EFDLIMIT, never an "
                     "FD_SET past the end of the set (book §2.2)", FD_SETSIZE, high);
        KT_CHECK_INT(kt_remove_reader(loop, high), 0, "a refused kt_add_reader must leave no reader behind (book §2.2)");
    } else {
        KT_CHECK_OK(rc, "epoll has no FD_SETSIZE limit: fd %d must be accepted (book §2.2)", high);
        put(sv[1], "x");
        run_once(loop);
        KT_CHECK_STR(LOG.buf, "high", "epoll must report the high fd readable (book §2.2)");
        KT_CHECK_INT(kt_remove_reader(loop, high), 1, "kt_remove_reader returns 1 when it removed a reader (book §2.4)");
    }
    close(high);
    close_loop(loop);
    close_pair(sv);
    setrlimit(RLIMIT_NOFILE, &saved);
}

static const kt_test_case tests[] = {
    KT_TEST(reader_runs_only_when_its_fd_is_readable, 2,
            "a reader runs when its fd is readable, not before (book §2.4)"),
    KT_TEST(readiness_is_reported_for_exactly_the_fds_and_directions_asked, 3,
            "readiness is reported for exactly the fds and directions asked (book §2.4)"),
    KT_TEST(one_iteration_runs_ready_callbacks_then_io_then_timers, 3,
            "one iteration: ready callbacks, then I/O callbacks, then due timers (book §2.4; asyncio case 019)"),
    KT_TEST(writer_runs_when_writable_and_remove_says_whether_it_removed, 2,
            "a writer runs when its fd is writable; remove returns 1 then 0 (book §2.4; asyncio case 021)"),
    KT_TEST(removing_a_reader_cancels_its_queued_callback, 3,
            "removing a reader cancels its already-queued callback (book §2.4; asyncio case 023)"),
    KT_TEST(adding_a_reader_again_replaces_the_old_one, 2,
            "one reader per fd: adding again replaces and cancels the old one (book §2.4)"),
    KT_TEST(removing_readers_inside_callbacks_is_safe, 3,
            "removing readers inside callbacks, its own or another fd's, is safe in the same iteration (book §2.4)"),
    KT_TEST(reader_and_writer_of_one_fd_are_independent, 2,
            "an fd's reader and writer are watched and removed independently (book §2.4)"),
    KT_TEST(readiness_is_level_triggered, 2,
            "readiness is level-triggered: an fd left with data is reported again (book §2.3)"),
    KT_TEST(a_peer_close_reads_as_readable_then_eof, 2,
            "a peer's close reads as readable, then end of file (book §2.4)"),
    KT_TEST(watch_count_follows_add_modify_remove, 2,
            "after add, modify and remove on one fd the loop knows what it watches (book §2.4)"),
    KT_TEST(a_writer_hears_that_the_reader_is_gone, 2,
            "a writer whose peer is gone runs at once, on every backend (book §2.6)"),
    KT_TEST(bad_arguments_are_rejected_with_einval, 2,
            "NULL loop or callback and negative fds are KT_EINVAL; a closed fd is -EBADF (book §2.4)"),
    KT_TEST(an_unknown_poller_name_is_a_clear_error, 1,
            "an unknown KETTLE_POLLER is KT_EINVAL and reported; unset means epoll (book §2.2)"),
    KT_TEST(hundreds_of_fds_are_all_served, 3, "hundreds of watched fds are all served (book §2.2)"),
    KT_TEST(timers_fire_on_time_while_fds_are_idle, 2,
            "timers fire on time while watched fds are idle (book §2.4)"),
    KT_TEST(closing_the_loop_releases_every_fd_and_handle, 2,
            "kt_loop_close frees every reader, writer and backend fd (book §2.4)"),
    KT_TEST(a_fd_closed_while_watched_does_not_break_the_loop, 2,
            "an fd closed while watched does not break the loop or leak (book §2.6)"),
    KT_TEST(an_fd_past_fd_setsize_is_refused_only_by_select, 2,
            "select refuses fds >= FD_SETSIZE with KT_EFDLIMIT; epoll takes them (book §2.2)"),
};

KT_MAIN("Lab 02 — readers and writers", tests)
