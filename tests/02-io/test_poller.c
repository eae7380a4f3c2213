/* test_poller.c — Lab 02: a poller backend on its own (poll_select.c, poll_epoll.c).
 *
 * Each test talks to the backend KETTLE_POLLER names, through the table of
 * functions in poller.h, without a loop. The grader runs the file once per
 * variant (tests/02-io/variants), so both backends pass the same tests. */
#define _GNU_SOURCE /* dup3 */
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

static const kt_poller_ops *backend(void)
{
    const kt_poller_ops *ops = NULL;
    KT_CHECK_OK(kt_poller_choose(&ops), "KETTLE_POLLER must name select or epoll (tests/02-io/variants)");
    return ops;
}

/* The helpers that check take the caller's file and line (the macros below),
 * so a failure points at the test's own line. */
static kt_poller *create_at(const char *file, int line, const kt_poller_ops *ops)
{
    kt_poller *p = NULL;
    kt__check_ok(file, line, ops->create(&p), "ops->create(&p)", "the %s backend's create must succeed (book §2.2)",
                 ops->name);
    if (p == NULL)
        kt__fail(file, line, "the %s backend's create must hand back a poller (book §2.2)", ops->name);
    return p;
}
#define make_poller(ops) create_at(__FILE__, __LINE__, (ops))

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

static void put(int fd)
{
    KT_CHECK(write(fd, "x", 1) == 1, "test setup: write failed");
}

/* What a wait found, as text sorted by fd: "5:r 7:w 9:rw". Backends may
 * report in any order; the set is what matters. */
static char found[512];
static int wait_text_at(const char *file, int line, const kt_poller_ops *ops, kt_poller *p, double timeout)
{
    kt_poll_event ev[64];
    int n = ops->wait(p, timeout, ev, 64);
    kt__check_ok(file, line, n, "ops->wait(...)", "the %s backend's wait must succeed (book §2.2)", ops->name);
    found[0] = '\0';
    for (int fd = 0; fd < 4096; fd++) {
        for (int i = 0; i < n; i++) {
            if (ev[i].fd != fd)
                continue;
            size_t len = strlen(found);
            snprintf(found + len, sizeof found - len, "%s%d:%s%s", len ? " " : "", fd,
                     ev[i].events & KT_POLL_READ ? "r" : "", ev[i].events & KT_POLL_WRITE ? "w" : "");
        }
    }
    return n;
}
#define wait_text(ops, p, timeout) wait_text_at(__FILE__, __LINE__, (ops), (p), (timeout))

static void wait_reports_exactly_the_fds_and_directions_asked(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    kt_poller *p = make_poller(ops);
    int a[2], b[2], c[2], d[2], e[2];
    make_pair(a);
    make_pair(b);
    make_pair(c);
    make_pair(d);
    make_pair(e);
    put(a[1]); /* a: readable; watched for reading */
    put(b[1]); /* b: readable and writable; watched for writing */
    /* c: writable only; watched for reading */
    put(d[1]); /* d: readable and writable; watched for both */
    put(e[1]); /* e: readable; not watched */
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    KT_CHECK_OK(ops->add(p, b[0], KT_POLL_WRITE), "add(fd, WRITE) must succeed (book §2.2)");
    KT_CHECK_OK(ops->add(p, c[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    KT_CHECK_OK(ops->add(p, d[0], KT_POLL_READ | KT_POLL_WRITE), "add(fd, READ|WRITE) must succeed (book §2.2)");
    wait_text(ops, p, 0);
    char want[128];
    snprintf(want, sizeof want, "%d:r %d:w %d:rw", a[0], b[0], d[0]);
    KT_CHECK_STR(found, want,
                 "a wait reports every ready fd with exactly the directions it is watched for and found ready "
                 "in: no unwatched fd, no direction nobody asked for (book §2.2)");
    ops->destroy(p);
    close_pair(a);
    close_pair(b);
    close_pair(c);
    close_pair(d);
    close_pair(e);
}

static void modify_and_remove_change_what_is_reported(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    kt_poller *p = make_poller(ops);
    int a[2];
    make_pair(a);
    put(a[1]); /* readable and writable */
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_WRITE), "add(fd, WRITE) must succeed (book §2.2)");
    KT_CHECK_OK(ops->modify(p, a[0], KT_POLL_READ), "modify(fd, READ) must succeed (book §2.2)");
    wait_text(ops, p, 0);
    char want[64];
    snprintf(want, sizeof want, "%d:r", a[0]);
    KT_CHECK_STR(found, want, "after modify(fd, READ) only reading is watched (book §2.2)");
    KT_CHECK_OK(ops->remove(p, a[0]), "remove(fd) must succeed (book §2.2)");
    int n = wait_text(ops, p, 0);
    KT_CHECK_INT(n, 0, "after remove(fd) the fd is not reported any more (book §2.2)");
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "an fd can be added again after remove (book §2.2)");
    wait_text(ops, p, 0);
    KT_CHECK_STR(found, want, "an fd added again after remove is reported again (book §2.2)");
    ops->destroy(p);
    close_pair(a);
}

static void readiness_stays_until_the_data_is_read(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    kt_poller *p = make_poller(ops);
    int a[2];
    make_pair(a);
    put(a[1]);
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    KT_CHECK_INT(wait_text(ops, p, 0), 1, "a readable fd is reported (book §2.3)");
    KT_CHECK_INT(wait_text(ops, p, 0), 1,
                 "level-triggered: an fd whose data was not read is reported again at the next wait (no EPOLLET) "
                 "(book §2.3)");
    char ch;
    KT_CHECK_INT(read(a[0], &ch, 1), 1, "test setup: read");
    KT_CHECK_INT(wait_text(ops, p, 0), 0, "once drained, the fd is not reported and wait(0) returns 0 (book §2.3)");
    close(a[1]);
    wait_text(ops, p, 0);
    char want[64];
    snprintf(want, sizeof want, "%d:r", a[0]);
    KT_CHECK_STR(found, want, "a peer's close makes the fd readable (read() will return 0) (book §2.4)");
    KT_CHECK_OK(ops->remove(p, a[0]), "remove(fd) must succeed (book §2.2)");
    ops->destroy(p);
    close(a[0]);
}

static void bad_arguments_are_rejected(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    KT_CHECK_ERR(ops->create(NULL), KT_EINVAL, "create(NULL) is KT_EINVAL (book §2.2)");
    kt_poller *p = make_poller(ops);
    int a[2];
    make_pair(a);
    KT_CHECK_ERR(ops->add(p, -1, KT_POLL_READ), KT_EINVAL, "add(negative fd) is KT_EINVAL (book §2.2)");
    KT_CHECK_ERR(ops->add(p, a[0], 0), KT_EINVAL, "add(fd, no events) is KT_EINVAL (book §2.2)");
    KT_CHECK_ERR(ops->add(p, a[0], 8), KT_EINVAL, "add(fd, unknown event bits) is KT_EINVAL (book §2.2)");
    KT_CHECK_ERR(ops->remove(p, -1), KT_EINVAL, "remove(negative fd) is KT_EINVAL (book §2.2)");
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed after the refusals (book §2.2)");
    KT_CHECK_ERR(ops->modify(p, a[0], 0), KT_EINVAL, "modify(fd, no events) is KT_EINVAL: use remove (book §2.2)");
    KT_CHECK_OK(ops->remove(p, a[0]), "remove(fd) must succeed (book §2.2)");
    ops->destroy(p);
    ops->destroy(NULL);
    close_pair(a);
}

/* The fds open now, as a bitmap over the first 4096 numbers. */
static void open_fds(unsigned char *map)
{
    for (int fd = 0; fd < 4096; fd++)
        map[fd] = fcntl(fd, F_GETFD) >= 0;
}

static void a_poller_owns_only_close_on_exec_fds_and_frees_them(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    static unsigned char before[4096], during[4096];
    int count = kt_open_fd_count();
    open_fds(before);
    kt_poller *p = make_poller(ops);
    open_fds(during);
    for (int fd = 0; fd < 4096; fd++) {
        if (during[fd] && !before[fd])
            KT_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC,
                     "the %s poller's own fd %d must be close-on-exec (epoll_create1(EPOLL_CLOEXEC)), or every "
                     "child process the program starts inherits it (book §2.2)", ops->name, fd);
    }
    int a[2];
    make_pair(a);
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    ops->destroy(p);
    close_pair(a);
    KT_CHECK_INT(kt_open_fd_count(), count, "destroy must close the poller's own fds (book §2.2)");
}

static void closing_a_watched_fd_is_tolerated(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    kt_poller *p = make_poller(ops);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    KT_CHECK_OK(ops->add(p, b[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    int old = a[0];
    close_pair(a);
    KT_CHECK_OK(ops->remove(p, old),
                "remove(fd) of an fd closed while watched must succeed: epoll dropped it already, so EBADF and "
                "ENOENT from EPOLL_CTL_DEL mean 'already gone' (book §2.6)");
    make_pair(a);
    KT_CHECK_INT(a[0], old, "test setup: the lowest free fd number is reused");
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "the reused fd number can be added (book §2.6)");
    /* Close it again while watched, reuse the number again, and modify:
     * epoll no longer knows the number, so MOD must fall back to ADD. */
    close_pair(a);
    make_pair(a);
    KT_CHECK_INT(a[0], old, "test setup: the lowest free fd number is reused");
    KT_CHECK_OK(ops->modify(p, a[0], KT_POLL_READ),
                "modify(fd) of a reused fd number the backend has not seen must register it (epoll: ENOENT from "
                "EPOLL_CTL_MOD, then EPOLL_CTL_ADD) (book §2.6)");
    put(a[1]);
    put(b[1]);
    wait_text(ops, p, 0);
    char want[64];
    snprintf(want, sizeof want, "%d:r %d:r", a[0], b[0]);
    KT_CHECK_STR(found, want, "both the re-registered fd and the untouched one are reported (book §2.6)");
    ops->destroy(p);
    close_pair(a);
    close_pair(b);
}

static void fds_past_fd_setsize_are_refused_only_by_select(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    struct rlimit saved;
    KT_CHECK(getrlimit(RLIMIT_NOFILE, &saved) == 0, "test setup: getrlimit");
    const int high = FD_SETSIZE + 3;
    if (saved.rlim_cur <= (rlim_t)high) {
        struct rlimit more = saved;
        more.rlim_cur = (rlim_t)high + 1;
        KT_CHECK(more.rlim_cur <= saved.rlim_max, "test setup: the hard fd limit is below %d", high + 1);
        KT_CHECK(setrlimit(RLIMIT_NOFILE, &more) == 0, "test setup: setrlimit");
    }
    kt_poller *p = make_poller(ops);
    int a[2];
    make_pair(a);
    KT_CHECK(dup3(a[0], FD_SETSIZE - 1, O_CLOEXEC) == FD_SETSIZE - 1, "test setup: dup3: %s", strerror(errno));
    KT_CHECK(dup3(a[0], FD_SETSIZE, O_CLOEXEC) == FD_SETSIZE, "test setup: dup3: %s", strerror(errno));
    KT_CHECK(dup3(a[0], high, O_CLOEXEC) == high, "test setup: dup3: %s", strerror(errno));
    put(a[1]);
    if (strcmp(ops->name, "select") == 0) {
        KT_CHECK_ERR(ops->add(p, FD_SETSIZE, KT_POLL_READ), KT_EFDLIMIT,
                     "select cannot watch fd FD_SETSIZE (%d): FD_SET would write past the end of the fd_set. "
                     "Refuse it with KT_EFDLIMIT (book §2.2)", FD_SETSIZE);
        KT_CHECK_ERR(ops->add(p, high, KT_POLL_WRITE), KT_EFDLIMIT,
                     "select cannot watch fds past FD_SETSIZE: KT_EFDLIMIT (book §2.2)");
        KT_CHECK_ERR(ops->modify(p, high, KT_POLL_READ), KT_EFDLIMIT,
                     "modify must refuse fds past FD_SETSIZE too: KT_EFDLIMIT (book §2.2)");
        KT_CHECK_OK(ops->add(p, FD_SETSIZE - 1, KT_POLL_READ),
                    "fd FD_SETSIZE - 1 is the last one select can watch: it must be accepted (book §2.2)");
        wait_text(ops, p, 0);
        char want[64];
        snprintf(want, sizeof want, "%d:r", FD_SETSIZE - 1);
        KT_CHECK_STR(found, want, "only the accepted fd is watched; nothing refused may be (book §2.2)");
    } else {
        KT_CHECK_OK(ops->add(p, high, KT_POLL_READ), "epoll has no FD_SETSIZE limit: fd %d must be accepted (book §2.2)",
                    high);
        wait_text(ops, p, 0);
        char want[64];
        snprintf(want, sizeof want, "%d:r", high);
        KT_CHECK_STR(found, want, "epoll must report the high fd (book §2.2)");
        KT_CHECK_OK(ops->remove(p, high), "remove(fd) must succeed (book §2.2)");
    }
    ops->destroy(p);
    close(FD_SETSIZE - 1);
    close(FD_SETSIZE);
    close(high);
    close_pair(a);
    setrlimit(RLIMIT_NOFILE, &saved);
}

enum { MANY = 400 };
static void hundreds_of_fds_are_reported(void **state)
{
    (void)state;
    const kt_poller_ops *ops = backend();
    kt_poller *p = make_poller(ops);
    static int sv[MANY][2];
    static kt_poll_event ev[MANY];
    static unsigned char seen[4096];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < MANY; i++) {
        make_pair(sv[i]);
        KT_CHECK_OK(ops->add(p, sv[i][0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
        if (i % 3 == 0)
            put(sv[i][1]);
    }
    int n = ops->wait(p, 0, ev, MANY);
    KT_CHECK_INT(n, (MANY + 2) / 3, "with %d fds watched, every readable one is reported, once (book §2.2)", MANY);
    for (int i = 0; i < n; i++) {
        KT_CHECK(ev[i].fd >= 0 && ev[i].fd < 4096 && !seen[ev[i].fd], "an fd is reported at most once per wait (book §2.2)");
        seen[ev[i].fd] = 1;
    }
    for (int i = 0; i < MANY; i++)
        KT_CHECK(seen[sv[i][0]] == (i % 3 == 0), "fd %d: reported iff readable (book §2.2)", sv[i][0]);
    n = ops->wait(p, 0, ev, 5);
    KT_CHECK(n >= 1 && n <= 5, "wait stores at most `max` events (book §2.2); it stored %d of max 5", n);
    ops->destroy(p);
    for (int i = 0; i < MANY; i++)
        close_pair(sv[i]);
}

static void wait_honours_its_timeout(void **state)
{
    (void)state;
    const kt_poller_ops *ops = NULL;
    KT_CHECK_ERR(kt_poller_by_name("poll", &ops), KT_EINVAL, "kt_poller_by_name: unknown names are KT_EINVAL");
    KT_CHECK_OK(kt_poller_by_name(NULL, &ops), "kt_poller_by_name(NULL) is the default");
    KT_CHECK_STR(ops->name, "epoll", "the default backend on Linux is epoll (book §2.2)");
    KT_CHECK_INT(kt_timeout_ms(-1), -1, "kt_timeout_ms(-1) is -1: no limit");
    KT_CHECK_INT(kt_timeout_ms(0.0004), 1, "kt_timeout_ms rounds up");
    /* And the backend's wait honours a short timeout with nothing ready. */
    ops = backend();
    kt_poller *p = make_poller(ops);
    int a[2];
    make_pair(a);
    KT_CHECK_OK(ops->add(p, a[0], KT_POLL_READ), "add(fd, READ) must succeed (book §2.2)");
    double t0 = kt_monotonic();
    KT_CHECK_INT(wait_text(ops, p, 0.002), 0, "wait with nothing ready returns 0 when its timeout runs out (book §2.2)");
    KT_CHECK(kt_monotonic() - t0 >= 0.0015, "wait(0.002) must wait, not return at once (book §2.2)");
    ops->destroy(p);
    close_pair(a);
}

static const kt_test_case tests[] = {
    KT_TEST(wait_reports_exactly_the_fds_and_directions_asked, 3,
            "a wait reports exactly the watched fds and directions that are ready (book §2.2)"),
    KT_TEST(modify_and_remove_change_what_is_reported, 2, "modify and remove change what is reported (book §2.2)"),
    KT_TEST(readiness_stays_until_the_data_is_read, 2,
            "level-triggered: readiness stays until the data is read; a close reads as readable (book §2.3)"),
    KT_TEST(bad_arguments_are_rejected, 1, "bad arguments to a backend are KT_EINVAL (book §2.2)"),
    KT_TEST(a_poller_owns_only_close_on_exec_fds_and_frees_them, 2,
            "a poller's own fds are close-on-exec and closed by destroy (book §2.2)"),
    KT_TEST(closing_a_watched_fd_is_tolerated, 2,
            "an fd closed while watched is forgotten quietly; its reused number can be watched (book §2.6)"),
    KT_TEST(fds_past_fd_setsize_are_refused_only_by_select, 2,
            "select refuses fds >= FD_SETSIZE with KT_EFDLIMIT; epoll takes them (book §2.2)"),
    KT_TEST(hundreds_of_fds_are_reported, 2, "hundreds of watched fds are reported, each once (book §2.2)"),
    KT_TEST(wait_honours_its_timeout, 1, "a wait honours its timeout (book §2.2)"),
};

KT_MAIN("Lab 02 — poller backends", tests)
