/* test_server.c — Lab 09: start_server, serve_forever, close (book §9.5). */
#include "stream_test.h"

#include <stdio.h>

/* An echo handler: each line back, until end of file. */
static int echo_lines(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)arg;
    for (;;) {
        kt_chunk b = {0};
        int rc = kt_stream_readline(r, &b);
        if (rc < 0 || b.len == 0) {
            kt_chunk_free(&b);
            return rc;
        }
        rc = kt_stream_write(w, b.data, b.len);
        kt_chunk_free(&b);
        if (rc < 0 || (rc = kt_stream_drain(w)) < 0)
            return rc;
    }
}

/* ------------------------------------------------------------ argument checks */

static int args_body(void *arg, void **result)
{
    (void)result;
    kt_loop *loop = arg;
    kt_server *s = NULL;
    KT_CHECK_ERR(kt_start_server(NULL, echo_lines, NULL, "127.0.0.1", 0, NULL, &s), KT_EINVAL,
                 "a NULL loop is KT_EINVAL (book §9.5)");
    KT_CHECK_ERR(kt_start_server(loop, NULL, NULL, "127.0.0.1", 0, NULL, &s), KT_EINVAL,
                 "a NULL handler is KT_EINVAL (book §9.5)");
    KT_CHECK_ERR(kt_start_server(loop, echo_lines, NULL, "127.0.0.1", -1, NULL, &s), KT_EINVAL,
                 "a negative port is KT_EINVAL (book §9.5)");
    KT_CHECK_ERR(kt_start_server(loop, echo_lines, NULL, "127.0.0.1", 0, NULL, NULL), KT_EINVAL,
                 "a NULL out is KT_EINVAL (book §9.5)");
    KT_CHECK_OK(kt_start_server(loop, echo_lines, NULL, "127.0.0.1", 0, NULL, &s),
                "kt_start_server with good arguments works (book §9.5)");
    KT_CHECK(kt_server_is_serving(s), "a new server is serving (book §9.5)");
    kt_server_release(s);
    return 0;
}

static void server_calls_check_arguments(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_server *s = NULL;
    KT_CHECK_ERR(kt_start_server(loop, echo_lines, NULL, "127.0.0.1", 0, NULL, &s), KT_ENOTCORO,
                 "kt_start_server is a coroutine: KT_ENOTCORO outside a task (book §9.5)");
    KT_CHECK_ERR(kt_server_close(NULL), KT_EINVAL, "kt_server_close(NULL) is KT_EINVAL (book §9.5)");
    KT_CHECK_ERR(kt_server_serve_forever(NULL), KT_EINVAL, "serve_forever(NULL) is KT_EINVAL (book §9.5)");
    kt_server_release(NULL);
    KT_CHECK_OK(RUN(loop, args_body, loop), "the checks ran in a task");
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ many clients at once */

#define CLIENTS 64

typedef struct many_ctx {
    kt_loop *loop;
    int port;
    int answered;
    int max_active;
    kt_server *srv;
} many_ctx;

typedef struct client_arg {
    many_ctx *m;
    int id;
} client_arg;

static int one_client(void *arg, void **result)
{
    (void)result;
    client_arg *a = arg;
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    int rc = kt_open_connection(a->m->loop, "127.0.0.1", a->m->port, NULL, &r, &w);
    if (rc < 0)
        return rc;
    char line[32];
    int n = snprintf(line, sizeof line, "hello %d\n", a->id);
    /* two halves, so that the server must put the line together */
    kt_stream_write(w, line, 3);
    KT_CHECK_OK(kt_sleep(0.001 * (a->id % 5)), "kt_sleep");
    kt_stream_write(w, line + 3, (size_t)n - 3);
    size_t act = kt_server_active(a->m->srv);
    if ((int)act > a->m->max_active)
        a->m->max_active = (int)act;
    kt_chunk b = {0};
    rc = kt_stream_readline(r, &b);
    if (rc == 0 && b.len == (size_t)n && memcmp(b.data, line, (size_t)n) == 0)
        a->m->answered++;
    kt_chunk_free(&b);
    kt_stream_close(w);
    kt_stream_wait_closed(w);
    RELEASE_PAIR(r, w);
    return 0;
}

static int many_main(void *arg, void **result)
{
    (void)result;
    many_ctx *m = arg;
    KT_CHECK_OK(kt_start_server(m->loop, echo_lines, NULL, "127.0.0.1", 0, NULL, &m->srv), "kt_start_server");
    m->port = kt_server_port(m->srv);
    kt_task *t[CLIENTS];
    client_arg a[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        a[i] = (client_arg){m, i};
        KT_CHECK_OK(kt_create_task(m->loop, one_client, &a[i], &t[i]), "kt_create_task");
    }
    for (int i = 0; i < CLIENTS; i++) {
        KT_CHECK_OK(kt_await_task(t[i], NULL), "each client connects, is answered and closes (book §9.5)");
        kt_task_release(t[i]);
    }
    kt_server_close(m->srv);
    KT_CHECK_OK(kt_server_wait_closed(m->srv), "kt_server_wait_closed");
    kt_server_release(m->srv);
    return 0;
}

static void many_clients_at_once(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    many_ctx m = {.loop = new_loop()};
    KT_CHECK_OK(RUN(m.loop, many_main, &m), "the main task");
    KT_CHECK_INT(m.answered, CLIENTS, "every one of 64 simultaneous clients gets its own line back (book §9.5)");
    KT_CHECK(m.max_active > 1, "the server serves connections at the same time: one task per connection (book §9.5)");
    CLOSE_LOOP(m.loop);
    KT_CHECK_INT(kt_open_fd_count(), before, "every socket of every connection is closed in the end (book §9.5)");
    KT_CHECK_STR(HANDLER.buf, "", "nothing may reach the exception handler (book §9.5)");
}

/* ------------------------------------------------------------ close lets handlers finish */

static int slow_goodbye(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)r;
    (void)arg;
    kt_log_add(&LOG, "handler-starts@%g", kt_loop_time(kt_get_running_loop()));
    KT_CHECK_OK(kt_sleep(1), "kt_sleep");
    kt_stream_write(w, "bye\n", 4);
    kt_log_add(&LOG, "handler-ends@%g", kt_loop_time(kt_get_running_loop()));
    return 0;
}

typedef struct close_ctx {
    kt_loop *loop;
    kt_server *srv;
} close_ctx;

static int close_main(void *arg, void **result)
{
    (void)result;
    close_ctx *c = arg;
    KT_CHECK_OK(kt_start_server(c->loop, slow_goodbye, NULL, "127.0.0.1", 0, NULL, &c->srv), "kt_start_server");
    int port = kt_server_port(c->srv);
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_OK(kt_open_connection(c->loop, "127.0.0.1", port, NULL, &r, &w), "kt_open_connection");
    KT_CHECK_OK(kt_sleep(0.5), "kt_sleep");
    KT_CHECK_OK(kt_server_close(c->srv), "kt_server_close");
    kt_log_add(&LOG, "closed@%g", kt_loop_time(c->loop));
    KT_CHECK(!kt_server_is_serving(c->srv), "a closed server is not serving (book §9.5)");
    kt_stream_reader *r2 = NULL;
    kt_stream_writer *w2 = NULL;
    KT_CHECK_ERR(kt_open_connection(c->loop, "127.0.0.1", port, NULL, &r2, &w2), -ECONNREFUSED,
                 "close stops accepting: the listening socket is closed at once (book §9.5)");
    KT_CHECK_OK(kt_server_wait_closed(c->srv), "kt_server_wait_closed");
    kt_log_add(&LOG, "wait_closed@%g", kt_loop_time(c->loop));
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b), "read_all");
    kt_log_add(&LOG, "client-got:%s", b.data);
    kt_chunk_free(&b);
    RELEASE_PAIR(r, w);
    kt_server_release(c->srv);
    return 0;
}

static void close_stops_accepting_and_lets_handlers_finish(void **state)
{
    (void)state;
    close_ctx c = {.loop = new_loop()};
    KT_CHECK_OK(RUN(c.loop, close_main, &c), "the main task");
    KT_CHECK_STR(LOG.buf, "handler-starts@0 closed@0.5 handler-ends@1 wait_closed@1 client-got:bye\n",
                 "close stops accepting but the running handler finishes (its answer arrives), and "
                 "wait_closed returns only after it (book §9.5)");
    CLOSE_LOOP(c.loop);
}

/* ------------------------------------------------------------ close with a reply still pending */

/* The reply is a MiB the client does not read yet: the accepted socket's
 * send buffer is shrunk and the client's reader pauses at 2 KiB (its limit
 * is 1 KiB), so most of the reply waits in the server's write buffer when
 * the server closes. As in asyncio, server.close() closes the listening
 * socket only: the reply must still arrive whole, then end of file. */
typedef struct pending_ctx {
    kt_loop *loop;
    kt_server *srv;
    bool drain;        /* the handler waits in drain; else it returns at once */
    int handler_rc;    /* what its write (and drain) returned */
    bool handler_done; /* it has returned */
    size_t pending;    /* the write buffer right after the write */
} pending_ctx;

static int big_reply(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)r;
    pending_ctx *p = arg;
    int small = 4096;
    setsockopt(kt_stream_fd(w), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    char *data = pattern(MIB);
    int rc = kt_stream_write(w, data, MIB);
    free(data);
    p->pending = kt_stream_write_buffer_size(w);
    if (rc == 0 && p->drain)
        rc = kt_stream_drain(w);
    p->handler_rc = rc;
    p->handler_done = true;
    return rc;
}

static int wait_closed_task(void *arg, void **result)
{
    (void)result;
    pending_ctx *p = arg;
    int rc = kt_server_wait_closed(p->srv);
    kt_log_add(&LOG, "wait_closed:%s:handler-done=%d", rc == 0 ? "OK" : kt_strerror(rc), p->handler_done);
    return rc;
}

static int pending_main(void *arg, void **result)
{
    (void)result;
    pending_ctx *p = arg;
    KT_CHECK_OK(kt_start_server(p->loop, big_reply, p, "127.0.0.1", 0, NULL, &p->srv), "kt_start_server");
    kt_stream_options small_reader = {1024, 0};
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_OK(kt_open_connection(p->loop, "127.0.0.1", kt_server_port(p->srv), &small_reader, &r, &w),
                "kt_open_connection");
    KT_CHECK_OK(kt_sleep(0.5), "kt_sleep"); /* the handler has written, the sockets are full */
    KT_CHECK(p->pending > 0, "setup: a MiB must not fit in the sockets' buffers (the test's own setup); "
             "%zu bytes left in the write buffer", p->pending);
    KT_CHECK_OK(kt_server_close(p->srv), "kt_server_close with a reply pending returns 0 (book §9.5)");
    KT_CHECK_INT(kt_server_active(p->srv), p->drain ? 1 : 0,
                 "closing the server does not end the handlers it started: one waiting in drain is "
                 "still running (book §9.5)");
    kt_task *waiter = NULL;
    KT_CHECK_OK(kt_create_task(p->loop, wait_closed_task, p, &waiter), "kt_create_task");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b),
                "the client reads the reply to its end: a clean end of file, no error (book §9.5)");
    KT_CHECK(is_pattern(&b, MIB),
             "closing the server must not cut a reply still buffered on a connection it accepted (%s): "
             "the client gets the whole MiB, in order, then end of file; got %zu bytes (book §9.4, §9.5)",
             p->drain ? "its handler waiting in drain" : "its handler already returned", b.len);
    kt_chunk_free(&b);
    KT_CHECK_OK(kt_await_task(waiter, NULL), "kt_server_wait_closed returns 0 (book §9.5)");
    kt_task_release(waiter);
    RELEASE_PAIR(r, w);
    kt_server_release(p->srv);
    return 0;
}

static void close_with_a_reply_pending(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    for (int drain = 0; drain < 2; drain++) {
        kt_log_init(&LOG);
        pending_ctx p = {.loop = new_loop(), .drain = drain};
        KT_CHECK_OK(RUN(p.loop, pending_main, &p), "the main task");
        KT_CHECK_ERR(p.handler_rc, 0,
                     drain ? "a handler waiting in drain when the server closes is not disturbed: drain "
                             "returns 0 once the client reads (book §9.4, §9.5)"
                           : "kt_stream_write never waits and returns 0 (book §9.4)");
        KT_CHECK_STR(LOG.buf, "wait_closed:OK:handler-done=1",
                     "wait_closed returns 0 once the handler has returned, whether or not its reply is "
                     "still being sent (book §9.5)");
        CLOSE_LOOP(p.loop);
        KT_CHECK_INT(kt_open_fd_count(), before,
                     "a connection closed after its pending reply was sent leaves no fd behind (book §9.5)");
    }
}

/* ------------------------------------------------------------ serve_forever */

static void close_later(kt_loop *loop, void *srv)
{
    (void)loop;
    kt_log_add(&LOG, "close");
    kt_server_close(srv);
}

static int forever_main(void *arg, void **result)
{
    (void)result;
    close_ctx *c = arg;
    KT_CHECK_OK(kt_start_server(c->loop, echo_lines, NULL, "127.0.0.1", 0, NULL, &c->srv), "kt_start_server");
    KT_CHECK_OK(kt_call_later(c->loop, 2, close_later, c->srv, NULL), "kt_call_later");
    int rc = kt_server_serve_forever(c->srv);
    kt_log_add(&LOG, "serve_forever:%s@%g", rc == KT_ECANCELLED ? "cancelled" : kt_strerror(rc),
               kt_loop_time(c->loop));
    KT_CHECK_ERR(kt_server_serve_forever(c->srv), KT_EINVALSTATE,
                 "serve_forever on a closed server is KT_EINVALSTATE (book §9.5)");
    kt_server_release(c->srv);
    return 0;
}

static void serve_forever_ends_when_closed(void **state)
{
    (void)state;
    close_ctx c = {.loop = new_loop()};
    for (int round = 0; round < 2; round++) {
        kt_log_init(&LOG);
        KT_CHECK_OK(RUN(c.loop, forever_main, &c), "the main task");
        KT_CHECK_STR(LOG.buf, round == 0 ? "close serve_forever:cancelled@2" : "close serve_forever:cancelled@4",
                     "serve_forever waits until the server is closed, then returns KT_ECANCELLED (asyncio: "
                     "CancelledError) (book §9.5)");
    }
    CLOSE_LOOP(c.loop);
}

/* ------------------------------------------------------------ two life cycles, fds, a failing handler */

static int failing_handler(kt_stream_reader *r, kt_stream_writer *w, void *arg)
{
    (void)r;
    (void)arg;
    CHECK_FD_FLAGS(kt_stream_fd(w), "a server's accepted socket");
    return E_VALUE;
}

static int cycle_main(void *arg, void **result)
{
    (void)result;
    close_ctx *c = arg;
    KT_CHECK_OK(kt_start_server(c->loop, failing_handler, NULL, "127.0.0.1", 0, NULL, &c->srv), "kt_start_server");
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_OK(kt_open_connection(c->loop, "127.0.0.1", kt_server_port(c->srv), NULL, &r, &w),
                "kt_open_connection");
    kt_chunk b = {0};
    KT_CHECK_OK(kt_stream_read_all(r, &b),
                "the server closes the connection when its handler returns, even with an error (book §9.5)");
    kt_chunk_free(&b);
    RELEASE_PAIR(r, w);
    kt_server_close(c->srv);
    KT_CHECK_OK(kt_server_wait_closed(c->srv), "kt_server_wait_closed");
    kt_server_release(c->srv);
    return 0;
}

static void server_two_life_cycles_no_leak(void **state)
{
    (void)state;
    int before = kt_open_fd_count();
    for (int round = 0; round < 2; round++) {
        close_ctx c = {.loop = new_loop()};
        KT_CHECK_OK(RUN(c.loop, cycle_main, &c), "the main task");
        KT_CHECK(strstr(HANDLER.buf, "handler") != NULL,
                 "a handler's error goes to the loop's exception handler (book §9.5); got \"%s\"", HANDLER.buf);
        CLOSE_LOOP(c.loop);
        KT_CHECK_INT(kt_open_fd_count(), before, "a server and its connections leave no fd behind (book §9.5)");
    }
}

static const kt_test_case tests[] = {
    KT_TEST(server_calls_check_arguments, 1, "start_server and friends check their arguments (book §9.5)"),
    KT_TEST(many_clients_at_once, 4, "64 simultaneous clients, one task each, nothing leaks (book §9.5)"),
    KT_TEST(close_stops_accepting_and_lets_handlers_finish, 3, "close stops accepting and lets handlers finish (book §9.5)"),
    KT_TEST(close_with_a_reply_pending, 2, "a server closed with a reply still buffered: the reply arrives whole, nothing leaks (book §9.5)"),
    KT_TEST(serve_forever_ends_when_closed, 2, "serve_forever returns KT_ECANCELLED when the server closes (book §9.5)"),
    KT_TEST(server_two_life_cycles_no_leak, 2, "two servers back to back; handler errors reported; no fd leak (book §9.5)"),
};

KT_MAIN("Lab 09 — servers", tests)
