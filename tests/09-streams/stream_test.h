/* stream_test.h — helpers shared by the Lab 09 tests (each test_*.c is its
 * own binary and includes this once).
 *
 * Every test uses real sockets on 127.0.0.1 with ports the kernel picks
 * (port 0), and a loop on the virtual clock: a socket that is ready is
 * always seen first (the loop polls before time may jump), so sleeps in
 * tests cost nothing and decide nothing about the network. */
#ifndef KETTLE_STREAM_TEST_H
#define KETTLE_STREAM_TEST_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "kettle/loop_impl.h"
#include "loop_fixtures.h"

#define E_VALUE (KT_EUSER - 1) /* a user error, standing for ValueError */

static kt_log HANDLER; /* what reached the loop's exception handler */

static inline void log_handler(kt_loop *loop, const kt_error_context *ctx, void *arg)
{
    (void)loop;
    (void)arg;
    kt_log_add(&HANDLER, "[%s|%s]", ctx->message ? ctx->message : "?", kt_strerror(ctx->error));
}

static inline kt_loop *new_loop(void)
{
    kt_log_init(&HANDLER);
    kt_loop *loop = kt_test_loop(KT_CLOCK_VIRTUAL);
    kt_loop_set_exception_handler(loop, log_handler, NULL);
    return loop;
}

/* Run iterations until every task is done (bounded: a hang is a failure). */
static inline void drain_tasks(kt_loop *loop)
{
    for (int i = 0; i < 200000 && kt_all_tasks(loop, NULL, 0) > 0; i++) {
        int rc = kt_loop_run_once(loop);
        if (rc == KT_EDEADLOCK)
            break;
        KT_CHECK_OK(rc, "kt_loop_run_once failed while tasks were running");
    }
    /* done callbacks queued by the last task, without waiting on the
     * poller (a socket still watched would make that wait forever) */
    for (int i = 0; i < 16 && !kt_list_empty(&loop->ready); i++)
        kt_loop_run_once(loop);
}

#define CLOSE_LOOP(loop)                                                                              \
    do {                                                                                              \
        drain_tasks(loop);                                                                            \
        KT_CHECK_INT(kt_all_tasks((loop), NULL, 0), 0,                                                \
                     "every task (handlers included) must have finished: a handler still waits on a " \
                     "socket nobody will touch (book §9.5)");                                         \
        KT_CHECK_INT((loop)->live_futures, 0,                                                         \
                     "every future must be released: a drain, read or wait_closed future leaked "     \
                     "(book §9.3)");                                                                  \
        KT_CHECK_OK(kt_loop_close(loop), "the loop must close once everything is released");       \
    } while (0)

/* Run fn(arg) as a task and return what it returned. */
#define RUN(loop, fn, arg) run_main((loop), (fn), (arg), __FILE__, __LINE__)

static inline int run_main(kt_loop *loop, kt_coro_fn fn, void *arg, const char *file, int line)
{
    kt_task *t = NULL;
    if (kt_create_task(loop, fn, arg, &t) < 0)
        kt__fail(file, line, "kt_create_task failed (Lab 05)");
    int rc = kt_run_until_complete(loop, kt_task_future(t), NULL);
    kt_task_release(t);
    return rc;
}

/* Both fd flags every socket of the runtime must carry (book §9.2). */
#define CHECK_FD_FLAGS(fd, what)                                                                    \
    do {                                                                                            \
        int fl_ = fcntl((fd), F_GETFL), fdfl_ = fcntl((fd), F_GETFD);                               \
        KT_CHECK(fl_ >= 0 && (fl_ & O_NONBLOCK),                                                    \
                 "%s must be O_NONBLOCK: a blocking socket stops the whole loop (book §9.2)", what); \
        KT_CHECK(fdfl_ >= 0 && (fdfl_ & FD_CLOEXEC),                                                \
                 "%s must be O_CLOEXEC: a child process must not inherit it (book §9.2)", what);    \
    } while (0)

/* A non-blocking socket pair (AF_UNIX): both ends O_NONBLOCK | O_CLOEXEC. */
#define SOCKPAIR(sv)                                                                                 \
    KT_CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, (sv)),            \
                "socketpair failed (the test's own setup)")

/* A port on 127.0.0.1 that is bound but not listening: connecting to it is
 * refused, and no other program can start listening on it meanwhile. */
static inline int refused_port(int *holder)
{
    *holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    KT_CHECK(*holder >= 0 && bind(*holder, (struct sockaddr *)&a, sizeof a) == 0,
             "binding a holder socket failed (the test's own setup)");
    return kt_sock_port(*holder);
}

/* A finished-with-this pair of client streams. */
#define RELEASE_PAIR(r, w)                \
    do {                                  \
        kt_stream_writer_release(w);      \
        kt_stream_reader_release(r);      \
    } while (0)

#define BYTES_EQ(b, want, ...)                                                       \
    do {                                                                             \
        KT_CHECK((b).data != NULL || (b).len == 0, __VA_ARGS__);                     \
        KT_CHECK_STR((b).data ? (b).data : "", (want), __VA_ARGS__);                 \
        KT_CHECK_INT((b).len, strlen(want), __VA_ARGS__);                            \
    } while (0)


#define MIB (1024 * 1024)

/* n bytes of a pattern a reader can check byte by byte (malloc'd). */
static inline char *pattern(size_t n)
{
    char *p = malloc(n);
    for (size_t i = 0; p != NULL && i < n; i++)
        p[i] = (char)(i % 251);
    return p;
}

/* Whether b holds exactly the first n bytes of the pattern. */
static inline int is_pattern(const kt_chunk *b, size_t n)
{
    if (b->len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (b->data[i] != (char)(i % 251))
            return 0;
    return 1;
}

/* A server and one client on the same loop: duo_main starts a server whose
 * handler is d->handler (its arg is d), connects a client, runs
 * d->client(d, r, w), then closes the server and waits until the handler
 * has returned. d->go is a future the client side may complete to let the
 * handler go on. */
typedef struct duo duo;
struct duo {
    kt_loop *loop;
    kt_stream_handler_fn handler;
    int (*client)(duo *d, kt_stream_reader *r, kt_stream_writer *w);
    size_t limit;
    kt_future *go;
    void *user;
    int port;
    int client_rc;
    int handler_rc;
};

#define GO(d) KT_CHECK_OK(kt_future_set_result((d)->go, NULL), "completing the test's future")
#define WAIT_GO(d) KT_CHECK_OK(kt_await((d)->go, NULL), "awaiting the test's future")

static inline int duo_main(void *arg, void **result)
{
    (void)result;
    duo *d = arg;
    KT_CHECK_OK(kt_future_new(d->loop, &d->go), "kt_future_new");
    kt_server *srv = NULL;
    kt_stream_options o = {d->limit, 0};
    KT_CHECK_OK(kt_start_server(d->loop, d->handler, d, "127.0.0.1", 0, &o, &srv),
                "kt_start_server on 127.0.0.1 port 0 must work (book §9.5)");
    d->port = kt_server_port(srv);
    KT_CHECK(d->port > 0, "the server's port is the one the kernel picked (book §9.5)");
    kt_stream_reader *r = NULL;
    kt_stream_writer *w = NULL;
    KT_CHECK_OK(kt_open_connection(d->loop, "127.0.0.1", d->port, NULL, &r, &w),
                "kt_open_connection to a listening server must work (book §9.5)");
    d->client_rc = d->client ? d->client(d, r, w) : 0;
    KT_CHECK_OK(kt_server_close(srv), "kt_server_close");
    KT_CHECK_OK(kt_server_wait_closed(srv), "kt_server_wait_closed waits for the handlers (book §9.5)");
    RELEASE_PAIR(r, w);
    kt_server_release(srv);
    if (!kt_future_done(d->go))
        kt_future_cancel(d->go, NULL);
    kt_future_release(d->go);
    return 0;
}

#define RUN_DUO(d) KT_CHECK_OK(RUN((d)->loop, duo_main, (d)), "the test's main task")

#endif
