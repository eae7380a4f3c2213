/* test_writer.c — Lab 09: StreamWriter and open_connection (book §9.4, §9.5). */
#include "stream_test.h"

#include <netinet/tcp.h>

/* ------------------------------------------------------------ drain waits for a slow reader (case 165) */

static int slow_reader(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    /* The reader's limit is 1 KiB: it stops reading at 2 KiB, and the
     * kernel's buffers (128 KiB here, 4 KiB on the client) cannot hold the
     * rest of the MiB. (Shrinking SO_RCVBUF now, after the handshake, would
     * stall TCP's window: asyncio's case 165 sets it before listening.) */
    WAIT_GO(d);
    kt_log_add(&LOG, "reader-starts");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b), "read_all on the server side");
    KT_CHECK(is_pattern(&b, MIB), "the reader must get the whole MiB, in order (book §9.4)");
    kt_log_add(&LOG, "reader-got-all");
    kt_chunk_free(&b);
    return 0;
}

static int drain_task(void *arg, void **result)
{
    (void)result;
    int rc = kt_stream_drain(arg);
    kt_log_add(&LOG, "drained");
    return rc;
}

static int fast_writer(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)r;
    int small = 4096;
    setsockopt(kt_stream_fd(w), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    KT_CHECK_OK(kt_stream_set_write_limits(w, 16384, -1), "set_write_limits (given)");
    char *data = pattern(MIB);
    KT_CHECK_OK(kt_stream_write(w, data, MIB), "kt_stream_write never waits (book §9.4)");
    free(data);
    KT_CHECK(kt_stream_write_buffer_size(w) > 16384,
             "1 MiB cannot fit in the socket: write keeps the rest in its buffer (book §9.4; case 165)");
    kt_task *t = NULL;
    KT_CHECK_OK(kt_create_task(d->loop, drain_task, w, &t), "kt_create_task");
    KT_CHECK_OK(kt_sleep(0.1), "kt_sleep");
    KT_CHECK(!kt_future_done(kt_task_future(t)),
             "drain must wait while the buffer is above the high-water mark and nobody reads (book §9.4; "
             "asyncio case 165)");
    kt_log_add(&LOG, "go");
    GO(d);
    KT_CHECK_OK(kt_await_task(t, NULL), "drain returns 0 once the buffer is at the low-water mark (book §9.4)");
    KT_CHECK(kt_stream_write_buffer_size(w) <= 4096,
             "drain returns only once the buffer is at or below the low-water mark (high / 4) (book §9.4)");
    kt_task_release(t);
    KT_CHECK_OK(kt_stream_close(w), "kt_stream_close");
    return 0;
}

static void drain_waits_for_a_slow_reader(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = slow_reader, .client = fast_writer, .limit = 1024};
    RUN_DUO(&d);
    KT_CHECK(strncmp(LOG.buf, "go reader-starts", 16) == 0 && strstr(LOG.buf, "drained") != NULL,
             "drain waits until the reader starts reading (book §9.4); got \"%s\"", LOG.buf);
    CLOSE_LOOP(d.loop);
}

typedef struct conn_ctx {
    kt_loop *loop;
    int port;
} conn_ctx;

static int connect_and_release(void *arg, void **result)
{
    (void)result;
    conn_ctx *c = arg;
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_OK(kt_open_connection(c->loop, "127.0.0.1", c->port, NULL, &r, &w),
                "kt_open_connection to a listening socket works (book §9.5)");
    KT_CHECK_ERR(kt_stream_set_write_limits(w, 10, 20), KT_EINVAL, "low above high is KT_EINVAL (book §9.4)");
    KT_CHECK_OK(kt_stream_write(w, "x", 1), "kt_stream_write on a fresh connection works (book §9.4)");
    KT_CHECK_OK(kt_stream_drain(w), "kt_stream_drain under the high-water mark returns at once (book §9.4)");
    RELEASE_PAIR(r, w);
    return 0;
}

static void write_limits_are_checked(void **state)
{
    (void)state;
    KT_CHECK_ERR(kt_stream_set_write_limits(NULL, 1, 0), KT_EINVAL, "a NULL writer is KT_EINVAL (book §9.4)");
    KT_CHECK_ERR(kt_stream_write(NULL, "x", 1), KT_EINVAL, "kt_stream_write(NULL) is KT_EINVAL (book §9.4)");
    KT_CHECK_ERR(kt_stream_drain(NULL), KT_EINVAL, "kt_stream_drain(NULL) is KT_EINVAL (book §9.4)");
    KT_CHECK_ERR(kt_stream_close(NULL), KT_EINVAL, "kt_stream_close(NULL) is KT_EINVAL (book §9.4)");
    KT_CHECK_ERR(kt_stream_wait_closed(NULL), KT_EINVAL, "kt_stream_wait_closed(NULL) is KT_EINVAL (book §9.4)");
    kt_loop *loop = new_loop();
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_ERR(kt_open_connection(loop, "127.0.0.1", 80, NULL, &r, &w), KT_ENOTCORO,
                 "kt_open_connection is a coroutine: KT_ENOTCORO outside a task (book §9.5)");
    KT_CHECK_ERR(kt_open_connection(loop, NULL, 80, NULL, &r, &w), KT_EINVAL, "a NULL host is KT_EINVAL (book §9.5)");
    KT_CHECK_ERR(kt_open_connection(loop, "127.0.0.1", 70000, NULL, &r, &w), KT_EINVAL,
                 "a port past 65535 is KT_EINVAL (book §9.5)");
    int lfd = -1;
    KT_CHECK_OK(kt_tcp_listen("127.0.0.1", 0, 4, &lfd), "kt_tcp_listen (given)");
    conn_ctx c = {loop, kt_sock_port(lfd)};
    KT_CHECK_OK(RUN(loop, connect_and_release, &c), "the connecting task");
    close(lfd);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ a big write, close flushes first */

static int read_all_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)w;
    duo *d = arg;
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b), "read_all on the server side");
    d->handler_rc = is_pattern(&b, 4 * MIB) ? 1 : -(int)b.len;
    kt_chunk_free(&b);
    return 0;
}

static int big_write_then_close(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    (void)d;
    (void)r;
    char *data = pattern(4 * MIB);
    KT_CHECK_OK(kt_stream_write(w, data, MIB), "kt_stream_write (book §9.4)");
    KT_CHECK_OK(kt_stream_write(w, data + MIB, 3 * MIB), "kt_stream_write (book §9.4)");
    free(data);
    KT_CHECK_OK(kt_stream_close(w), "kt_stream_close (book §9.4)");
    KT_CHECK_ERR(kt_stream_write(w, "late", 4), -EPIPE,
                 "writing after close is -EPIPE (book §9.4)");
    KT_CHECK(kt_stream_fd(w) >= 0, "close with data still buffered waits for it to be sent (book §9.4)");
    KT_CHECK_OK(kt_stream_wait_closed(w), "wait_closed returns 0 after a clean close (book §9.4)");
    KT_CHECK_INT(kt_stream_fd(w), -1, "after wait_closed the socket is closed (book §9.4)");
    KT_CHECK_OK(kt_stream_close(w), "a second close does nothing (book §9.4)");
    return 0;
}

static void close_sends_the_buffer_first(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = read_all_handler, .client = big_write_then_close};
    RUN_DUO(&d);
    KT_CHECK_INT(d.handler_rc, 1,
                 "all 4 MiB written before close must reach the peer, in order: close sends the buffer "
                 "before it closes the socket (book §9.4)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ peername (case 167), write_eof */

static int names_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    duo *d = arg;
    struct sockaddr_storage *seen = d->user;
    socklen_t len = sizeof seen[0];
    KT_CHECK_OK(kt_stream_peername(w, &seen[0], &len), "kt_stream_peername (given)");
    len = sizeof seen[1];
    KT_CHECK_OK(kt_stream_sockname(w, &seen[1], &len), "kt_stream_sockname (given)");
    CHECK_FD_FLAGS(kt_stream_fd(w), "a server's accepted socket");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b), "read_all: the client half-closed (book §9.4)");
    kt_log_add(&LOG, "server-got:%s", b.data);
    kt_chunk_free(&b);
    KT_CHECK_OK(kt_stream_write(w, "pong", 4), "writing back on a half-closed connection works (book §9.4)");
    return 0;
}

static int names_client(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    struct sockaddr_storage *seen = d->user, peer, me;
    socklen_t len = sizeof peer;
    CHECK_FD_FLAGS(kt_stream_fd(w), "a socket from kt_open_connection");
    KT_CHECK_OK(kt_stream_peername(w, &peer, &len), "kt_stream_peername (given)");
    len = sizeof me;
    KT_CHECK_OK(kt_stream_sockname(w, &me, &len), "kt_stream_sockname (given)");
    KT_CHECK_INT(ntohs(((struct sockaddr_in *)&peer)->sin_port), d->port,
                 "the client's peer is the server's port (book §9.5; asyncio case 167)");
    KT_CHECK_OK(kt_stream_write(w, "ping", 4), "kt_stream_write");
    KT_CHECK_OK(kt_stream_write_eof(w), "kt_stream_write_eof");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b), "the client reads the answer until the server closes");
    kt_log_add(&LOG, "client-got:%s", b.data);
    kt_chunk_free(&b);
    KT_CHECK(memcmp(&seen[0], &me, sizeof(struct sockaddr_in)) == 0 &&
                 memcmp(&seen[1], &peer, sizeof(struct sockaddr_in)) == 0,
             "the server's peername is the client's sockname and the other way round (asyncio case 167)");
    return 0;
}

static void peername_and_half_close(void **state)
{
    (void)state;
    struct sockaddr_storage seen[2];
    duo d = {.loop = new_loop(), .handler = names_handler, .client = names_client, .user = seen};
    RUN_DUO(&d);
    KT_CHECK_STR(LOG.buf, "server-got:ping client-got:pong",
                 "write_eof sends end of file and the peer can still answer; the server closes the "
                 "connection when its handler returns (book §9.4)");
    CLOSE_LOOP(d.loop);
}

/* ------------------------------------------------------------ connection refused (case 169) */

typedef struct refused_ctx {
    kt_loop *loop;
    int port;
    int rc;
} refused_ctx;

static int refused_body(void *arg, void **result)
{
    (void)result;
    refused_ctx *c = arg;
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    c->rc = kt_open_connection(c->loop, "127.0.0.1", c->port, NULL, &r, &w);
    if (c->rc == 0)
        RELEASE_PAIR(r, w);
    return 0;
}

static void open_connection_refused_leaks_nothing(void **state)
{
    (void)state;
    int holder;
    refused_ctx c = {.loop = new_loop()};
    c.port = refused_port(&holder);
    int before = -1;
    for (int round = 0; round < 3; round++) {
        KT_CHECK_OK(RUN(c.loop, refused_body, &c), "the connecting task");
        KT_CHECK_ERR(c.rc, -ECONNREFUSED,
                     "open_connection where nothing listens is -ECONNREFUSED (book §9.5; asyncio case 169)");
        if (round == 0)
            before = kt_open_fd_count(); /* the poller's own fd is open from now on */
        else
            KT_CHECK_INT(kt_open_fd_count(), before, "a refused open_connection must close its socket (book §9.5)");
    }
    close(holder);
    CLOSE_LOOP(c.loop);
}

/* ------------------------------------------------------------ a reset connection */

static int reset_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)r;
    duo *d = arg;
    /* close with unread data and SO_LINGER 0: the kernel answers RST */
    struct linger lg = {1, 0};
    setsockopt(kt_stream_fd(w), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    WAIT_GO(d);
    return 0;
}

static int write_until_error(duo *d, kt_stream_reader *r, kt_stream_writer *w)
{
    char chunk[4096] = {0};
    KT_CHECK_OK(kt_stream_write(w, chunk, sizeof chunk), "kt_stream_write");
    KT_CHECK_OK(kt_stream_drain(w), "kt_stream_drain");
    GO(d);
    int rc = 0;
    for (int i = 0; i < 1000 && rc == 0; i++) {
        KT_CHECK_OK(kt_sleep(0.01), "kt_sleep");
        rc = kt_stream_write(w, chunk, sizeof chunk);
        if (rc == 0)
            rc = kt_stream_drain(w);
    }
    KT_CHECK(rc == -ECONNRESET || rc == -EPIPE,
             "writing to a reset connection must end in -ECONNRESET or -EPIPE from write or drain (got %s) "
             "(book §9.4)", kt_strerror(rc));
    char b[4];
    long n = kt_stream_read(r, b, sizeof b);
    KT_CHECK(n == -ECONNRESET || n == -EPIPE || n == 0,
             "after the reset, reads give the error or end of file, never block (book §9.3)");
    KT_CHECK_INT(kt_stream_fd(w), -1, "a connection lost to an error is closed at once (book §9.4)");
    return 0;
}

static void reset_connection_reports_an_error(void **state)
{
    (void)state;
    duo d = {.loop = new_loop(), .handler = reset_handler, .client = write_until_error};
    RUN_DUO(&d);
    CLOSE_LOOP(d.loop);
}

static const kt_test_case tests[] = {
    KT_TEST(drain_waits_for_a_slow_reader, 4, "drain waits above the high-water mark until the low one (book §9.4)"),
    KT_TEST(write_limits_are_checked, 1, "writer and open_connection argument checks (book §9.4)"),
    KT_TEST(close_sends_the_buffer_first, 3, "close sends the buffer first; write after close is -EPIPE (book §9.4)"),
    KT_TEST(peername_and_half_close, 2, "peer/sock names mirror; write_eof half-closes; fd flags (book §9.4)"),
    KT_TEST(open_connection_refused_leaks_nothing, 2, "open_connection refused, no fd leak (book §9.5)"),
    KT_TEST(reset_connection_reports_an_error, 2, "a reset connection gives an error, never a hang (book §9.4)"),
};

KT_MAIN("Lab 09 — stream writer", tests)
