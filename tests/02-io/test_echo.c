/* test_echo.c — Lab 02: the callback echo server (echo.c), run in process.
 *
 * The server and its clients share one loop: the clients are readers and
 * writers too, on non-blocking sockets connected over loopback. Nothing
 * sleeps; a 20-second guard timer only turns a hang into a clear failure.
 * The loop uses the real clock because the kernel moves the bytes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

/* The guard timer stops a test that would hang, well before the grader's own
 * 10 s limit, so that the test can say what went wrong. */
#define GUARD_SECONDS 6.0

static kt_echo_server *server;
static int timed_out;

static void guard(kt_loop *loop, void *unused)
{
    (void)unused;
    timed_out = 1;
    kt_loop_stop(loop);
}

static kt_loop *start(void)
{
    kt_loop *loop = NULL;
    KT_CHECK_OK(kt_loop_new(&loop, KT_CLOCK_REAL), "creating a loop (given code) must work");
    KT_CHECK_OK(kt_echo_server_start(loop, 0, &server),
                "kt_echo_server_start must listen on 127.0.0.1 and add the listening socket's reader (book §2.7)");
    KT_CHECK(kt_echo_server_port(server) > 0, "the server must report the port it listens on");
    timed_out = 0;
    KT_CHECK_OK(kt_call_later(loop, GUARD_SECONDS, guard, NULL, NULL), "kt_call_later (Lab 01) must work");
    return loop;
}

/* A non-blocking client socket connecting to the server. */
static int connect_client(int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    KT_CHECK(fd >= 0, "test setup: socket: %s", strerror(errno));
    if (rcvbuf > 0) /* before connect, so the TCP window is small from the start */
        KT_CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == 0, "test setup: SO_RCVBUF");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)kt_echo_server_port(server)) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    KT_CHECK(rc == 0 || errno == EINPROGRESS, "test setup: connect: %s", strerror(errno));
    return fd;
}

/* ------------------------------------------------------------ many clients */

typedef struct client {
    int fd;
    char *out;          /* what it sends */
    size_t out_len, sent;
    char *in;           /* what came back */
    size_t in_len, in_cap;
    int eof;            /* the server closed the connection */
    int hold_reads;     /* do not read until the server has had to wait (slow reader) */
} client;

static int clients_left;

static void client_done(kt_loop *loop, client *c)
{
    kt_remove_reader(loop, c->fd);
    kt_remove_writer(loop, c->fd);
    c->eof = 1;
    if (--clients_left == 0)
        kt_loop_stop(loop);
}

static void client_read(kt_loop *loop, void *arg)
{
    client *c = arg;
    if (c->hold_reads && kt_echo_server_stats(server).write_waits == 0 && c->sent < c->out_len)
        return; /* a slow reader: let the server's replies pile up first */
    for (;;) {
        if (c->in_len == c->in_cap) {
            c->in_cap = c->in_cap ? 2 * c->in_cap : 4096;
            c->in = realloc(c->in, c->in_cap);
            KT_CHECK(c->in != NULL, "test setup: out of memory");
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            client_done(loop, c); /* end of file (or reset): the server closed */
        return;
    }
}

static void client_write(kt_loop *loop, void *arg)
{
    client *c = arg;
    while (c->sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->sent, c->out_len - c->sent, MSG_NOSIGNAL);
        if (n < 0) {
            KT_CHECK(errno == EAGAIN || errno == EINTR, "test client: send failed: %s", strerror(errno));
            return;
        }
        c->sent += (size_t)n;
    }
    kt_remove_writer(loop, c->fd);
    shutdown(c->fd, SHUT_WR); /* "that is all": the server sees end of file after the data */
}

static void client_init(kt_loop *loop, client *c, size_t len, unsigned seed, int rcvbuf)
{
    memset(c, 0, sizeof *c);
    c->fd = connect_client(rcvbuf);
    c->out = malloc(len);
    KT_CHECK(c->out != NULL, "test setup: out of memory");
    for (size_t i = 0; i < len; i++)
        c->out[i] = (char)('a' + (seed + i * 7 + i / 251) % 26);
    c->out_len = len;
    KT_CHECK_OK(kt_add_writer(loop, c->fd, client_write, c), "kt_add_writer (Lab 02) must work");
    KT_CHECK_OK(kt_add_reader(loop, c->fd, client_read, c), "kt_add_reader (Lab 02) must work");
    clients_left++;
}

static void client_check(const client *c, int i)
{
    KT_CHECK(c->eof, "client %d: the server must close the connection after the client's end of file (book §2.7)", i);
    KT_CHECK(c->in_len == c->out_len && memcmp(c->in, c->out, c->out_len) == 0,
             "client %d must get back exactly the bytes it sent, in order: nothing lost, repeated or mixed with "
             "another client's (book §2.7)\n  expected: %zu bytes\n  got:      %zu bytes%s", i, c->out_len,
             c->in_len, c->in_len == c->out_len ? " (same length, different bytes)" : "");
}

static void client_free(client *c)
{
    close(c->fd);
    free(c->out);
    free(c->in);
}

static void finish(kt_loop *loop)
{
    kt_echo_server_close(server);
    server = NULL;
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
}

enum { CLIENTS = 40 };

static void each_client_gets_back_exactly_its_own_bytes(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = start();
    static client cl[CLIENTS];
    clients_left = 0;
    for (int i = 0; i < CLIENTS; i++)
        client_init(loop, &cl[i], 1000 + 997 * (size_t)i, (unsigned)i, 0);
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK(!timed_out, "the echo did not finish within 6 s: is every connection read, answered and closed at "
                         "end of file? (book §2.7); %d of %d clients still waiting", clients_left, CLIENTS);
    size_t total = 0;
    for (int i = 0; i < CLIENTS; i++) {
        client_check(&cl[i], i);
        total += cl[i].out_len;
    }
    kt_echo_stats st = kt_echo_server_stats(server);
    KT_CHECK_INT(st.accepted, CLIENTS, "the server must accept every connection (book §2.7)");
    KT_CHECK_INT(st.bytes, total, "stats.bytes counts the bytes echoed (book §2.7)");
    KT_CHECK_INT(st.open, 0, "a connection whose client sent end of file must be closed by the server (book §2.7)");
    finish(loop);
    for (int i = 0; i < CLIENTS; i++)
        client_free(&cl[i]);
    KT_CHECK_INT(kt_open_fd_count(), before, "the server must close every socket it opened (book §2.7)");
}

/* A real client cannot shrink the server's buffers, and TCP autotuning lets
 * a send buffer grow to megabytes, so how soon a reply stalls would depend
 * on the machine. The test finds the listening socket by its port and gives
 * it a small send buffer, which accepted sockets inherit (and which turns
 * autotuning off): the server's replies stall after a few kilobytes on any
 * machine. */
static void shrink_server_send_buffer(void)
{
    for (int fd = 0; fd < 1024; fd++) {
        struct sockaddr_in addr;
        socklen_t len = sizeof addr;
        int listening = 0;
        socklen_t ilen = sizeof listening;
        if (getsockname(fd, (struct sockaddr *)&addr, &len) == 0 && addr.sin_family == AF_INET &&
            ntohs(addr.sin_port) == kt_echo_server_port(server) &&
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) == 0 && listening) {
            int size = 8192;
            KT_CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0, "test setup: SO_SNDBUF");
            return;
        }
    }
    KT_FAIL("test setup: the server's listening socket was not found (book §2.7)");
}

static void a_reply_that_does_not_fit_is_finished_by_a_writer(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = start();
    shrink_server_send_buffer();
    static client c;
    clients_left = 0;
    client_init(loop, &c, 1u << 20, 3, 4096);
    c.hold_reads = 1;
    KT_CHECK_OK(kt_run_forever(loop), "kt_run_forever must return 0 after a stop");
    KT_CHECK(!timed_out, "the echo to a slow reader did not finish within 6 s: when send() takes only part of a "
                         "reply, keep the rest, stop reading, and finish it from a writer (book §2.7); got %zu of "
                         "%zu bytes back", c.in_len, c.out_len);
    client_check(&c, 0);
    kt_echo_stats st = kt_echo_server_stats(server);
    KT_CHECK(st.write_waits > 0,
             "a client that does not read fills the server's socket buffer: the server must have waited for room "
             "with a writer at least once (stats.write_waits) (book §2.7)");
    finish(loop);
    client_free(&c);
    KT_CHECK_INT(kt_open_fd_count(), before, "the server must close every socket it opened (book §2.7)");
}

/* The server's end of the connection whose peer is `client`. */
static int accepted_fd_for(int cfd)
{
    struct sockaddr_in mine;
    socklen_t len = sizeof mine;
    KT_CHECK(getsockname(cfd, (struct sockaddr *)&mine, &len) == 0, "test setup: getsockname");
    for (int fd = 0; fd < 1024; fd++) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        if (fd != cfd && getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && peer.sin_family == AF_INET &&
            peer.sin_port == mine.sin_port)
            return fd;
    }
    return -1;
}

static void accepted_sockets_are_nonblocking_and_close_on_exec(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = start();
    int fd = connect_client(0);
    for (int i = 0; i < 1000 && kt_echo_server_stats(server).open < 1 && !timed_out; i++)
        KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_INT(kt_echo_server_stats(server).open, 1, "the server must accept the connection (book §2.7)");
    int conn = accepted_fd_for(fd);
    KT_CHECK(conn >= 0, "the server's end of the connection was not found (book §2.7)");
    KT_CHECK((fcntl(conn, F_GETFD) & FD_CLOEXEC) != 0,
             "an accepted socket must be close-on-exec like every fd the runtime opens (accept4 with "
             "SOCK_CLOEXEC): a program the server starts must not inherit its clients (book §2.7)");
    KT_CHECK((fcntl(conn, F_GETFL) & O_NONBLOCK) != 0,
             "an accepted socket must be non-blocking (accept4 with SOCK_NONBLOCK): one slow client "
             "must never block the loop (book §2.7)");
    close(fd);
    finish(loop);
    KT_CHECK_INT(kt_open_fd_count(), before, "the server must close every socket it opened (book §2.7)");
}

static void noop(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
}

/* After a reply that needed a writer, an idle connection must leave the loop idle. */
static void a_finished_reply_leaves_no_writer_behind(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = start();
    shrink_server_send_buffer();
    enum { LEN = 256 * 1024 };
    char *out = malloc(LEN), *in = malloc(LEN);
    KT_CHECK(out != NULL && in != NULL, "test setup: out of memory");
    for (size_t i = 0; i < LEN; i++)
        out[i] = (char)('a' + i % 26);
    int fd = connect_client(4096);
    /* The client's fd is on the loop too, so that the loop wakes for it. */
    KT_CHECK_OK(kt_add_reader(loop, fd, noop, NULL), "kt_add_reader (Lab 02) must work");
    KT_CHECK_OK(kt_add_writer(loop, fd, noop, NULL), "kt_add_writer (Lab 02) must work");
    size_t sent = 0, got = 0;
    for (int i = 0; i < 1000000 && got < LEN && !timed_out; i++) {
        if (sent < LEN) {
            ssize_t n = send(fd, out + sent, LEN - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            if (sent == LEN)
                kt_remove_writer(loop, fd);
        }
        if (kt_echo_server_stats(server).write_waits > 0 || sent == LEN) {
            ssize_t n = recv(fd, in + got, LEN - got, 0);
            if (n > 0)
                got += (size_t)n;
        }
        if (got == LEN)
            break;
        KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    }
    KT_CHECK(!timed_out && got == LEN, "the echo to a slow reader did not finish within 6 s (book §2.7): got %zu of %d",
             got, LEN);
    KT_CHECK(kt_echo_server_stats(server).write_waits > 0, "the server had to wait with a writer (book §2.7)");
    kt_remove_reader(loop, fd);
    kt_remove_writer(loop, fd);
    /* Now nothing happens until the timer: the next iteration must wait for it. */
    kt_log_init(&LOG);
    KT_CHECK_OK(kt_call_later(loop, 0.05, say, "timer", NULL), "kt_call_later (Lab 01) must work");
    KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_STR(LOG.buf, "timer",
                 "once a reply is all sent, remove the writer: a socket with room is always writable, so a "
                 "writer left on an idle connection wakes the loop at every iteration and it never sleeps "
                 "(book §2.3, §2.7)");
    close(fd);
    free(out);
    free(in);
    finish(loop);
    KT_CHECK_INT(kt_open_fd_count(), before, "the server must close every socket it opened (book §2.7)");
}

static void closing_the_server_closes_every_connection(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    kt_loop *loop = start();
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = connect_client(0);
    for (int i = 0; i < 1000 && kt_echo_server_stats(server).open < 3 && !timed_out; i++)
        KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must succeed");
    KT_CHECK_INT(kt_echo_server_stats(server).open, 3, "the server must accept three connections (book §2.7)");
    kt_echo_server_close(server);
    server = NULL;
    KT_CHECK_INT(loop->io_ops->count(loop), 0,
                 "kt_echo_server_close must remove the reader (and any writer) of every socket it closes: the "
                 "loop must not watch closed fds (book §2.6)");
    for (int i = 0; i < 3; i++) {
        char ch;
        struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
        (void)poll(&pfd, 1, 5000); /* the FIN is normally there already */
        KT_CHECK_INT(recv(fds[i], &ch, 1, 0), 0, "each client sees end of file once the server closed (book §2.7)");
        close(fds[i]);
    }
    KT_CHECK_OK(kt_loop_close(loop), "closing the loop must work");
    KT_CHECK_INT(kt_open_fd_count(), before, "the server must close every socket it opened (book §2.7)");
}

static const kt_test_case tests[] = {
    KT_TEST(each_client_gets_back_exactly_its_own_bytes, 4,
            "the echo server sends each of many clients exactly its own bytes, then closes (book §2.7)"),
    KT_TEST(a_reply_that_does_not_fit_is_finished_by_a_writer, 4,
            "a reply that does not fit the socket buffer is finished by a writer (book §2.7)"),
    KT_TEST(accepted_sockets_are_nonblocking_and_close_on_exec, 1,
            "accepted sockets are non-blocking and close-on-exec (book §2.7)"),
    KT_TEST(a_finished_reply_leaves_no_writer_behind, 2,
            "a reply that is all sent leaves no writer on the connection (book §2.7)"),
    KT_TEST(closing_the_server_closes_every_connection, 2,
            "closing the server removes and closes every connection (book §2.7)"),
};

KT_MAIN("Lab 02 — the echo server", tests)
