/* echo.c — Lab 02: a callback echo server (echo.h), the Tornado IOLoop picture.
 *
 * Three callbacks do all the work, and none of them ever waits:
 *   on_accept    the listening socket is readable: take the new connections;
 *   on_readable  a connection has data: read it and send it straight back,
 *                or, at end of file, close;
 *   on_writable  a reply did not fit in the socket's buffer: send the rest
 *                when there is room, then go back to reading.
 * While a connection has a reply waiting it is not read from: a client that
 * sends without reading fills its own buffers and is slowed down, instead of
 * making the server buffer without limit (back-pressure, book §2.7).
 *
 * The setup (a non-blocking listening socket on 127.0.0.1) is given; the
 * callbacks are yours. apps/echo_server.c is the program around this file.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kettle/echo.h"
#include "kettle/errors.h"
#include "kettle/io.h"
#include "kettle/list.h"

#define ECHO_BUF 16384 /* bytes read at a time */

/* One client connection. */
typedef struct conn {
    kt_list_node link;      /* in server->conns */
    kt_echo_server *server;
    int fd;
    size_t off, len;        /* buf[off..len) is read but not yet sent back */
    char buf[ECHO_BUF];
} conn;

struct kt_echo_server {
    kt_loop *loop;
    int listen_fd;
    int port;
    kt_list conns;          /* every open connection */
    kt_echo_stats stats;
};

static void on_readable(kt_loop *loop, void *arg);
static void on_writable(kt_loop *loop, void *arg);

/* [book:echo_close] */
/* Forget a connection: stop watching it, close it, free it. */
static void conn_close(conn *c)
{
    /* TODO(lab 02): remove the fd's reader AND writer first (the loop must
     * never watch a closed fd, book §2.6), then close the fd, unlink c from
     * the server's list, count it out of stats.open, and free it.
     */
    (void)c;
}
/* [/book:echo_close] */

/* [book:echo_accept] */
/* The listening socket is readable: connections are waiting in its backlog. */
static void on_accept(kt_loop *loop, void *arg)
{
    kt_echo_server *s = arg;
    /* TODO(lab 02): accept connections until accept4 says EAGAIN (take at
     * most 64 per call, so a flood of connects cannot hold up the others).
     * Use accept4(..., SOCK_NONBLOCK | SOCK_CLOEXEC): every connection must
     * be non-blocking. For each, allocate a conn (on failure close the fd),
     * link it into s->conns, count it in stats (accepted, open), and add
     * on_readable as its reader. Other accept errors (EMFILE, ...) go to
     * kt_loop_call_exception_handler; stop accepting until the next call.
     */
    (void)loop; (void)s; (void)on_readable;
}
/* [/book:echo_accept] */

/* Send what is waiting in c->buf. Returns 1 when all of it went, 0 when the
 * socket's buffer is full (try again when writable), -1 on an error. */
static int flush(conn *c)
{
    while (c->off < c->len) {
        /* MSG_NOSIGNAL: a peer that has gone away gives EPIPE, not a SIGPIPE
         * that would kill the whole server. */
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->off += (size_t)n;
        c->server->stats.bytes += (size_t)n;
    }
    c->off = c->len = 0;
    return 1;
}

/* [book:echo_read] */
static void on_readable(kt_loop *loop, void *arg)
{
    conn *c = arg;
    /* TODO(lab 02): recv into c->buf (up to ECHO_BUF bytes). EAGAIN or EINTR:
     * nothing to do now (return). 0 (end of file) or another error:
     * conn_close. Otherwise set off/len and flush(): all sent — keep reading;
     * an error — close; the socket is full — swap the reader for a writer
     * (kt_remove_reader, kt_add_writer with on_writable) and count a
     * write_wait: no more reading until the reply is out.
     */
    (void)loop; (void)c; (void)flush; (void)on_writable; (void)conn_close;
}
/* [/book:echo_read] */

/* [book:echo_write] */
static void on_writable(kt_loop *loop, void *arg)
{
    conn *c = arg;
    /* TODO(lab 02): flush() again. An error: close. Still full: stay as you
     * are (the writer runs again when there is room). All sent: swap the
     * writer back for the reader.
     */
    (void)loop; (void)c;
}
/* [/book:echo_write] */

/* [book:echo_start] */
int kt_echo_server_start(kt_loop *loop, int port, kt_echo_server **out)
{
    if (loop == NULL || out == NULL || port < 0 || port > 65535)
        return KT_EINVAL;
    *out = NULL;
    kt_echo_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return KT_ENOMEM;
    s->loop = loop;
    kt_list_init(&s->conns);

    /* Non-blocking: accept in on_accept must never wait for a connection
     * that a client gave up on between the wake-up and the call. */
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0) {
        int err = -errno;
        free(s);
        return err;
    }
    int one = 1; /* restart the demo at once on the same port */
    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int rc = 0;
    if (bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s->listen_fd, SOMAXCONN) < 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&addr, &len) < 0)
        rc = -errno;
    if (rc == 0)
        rc = kt_add_reader(loop, s->listen_fd, on_accept, s);
    if (rc < 0) {
        close(s->listen_fd);
        free(s);
        return rc;
    }
    s->port = ntohs(addr.sin_port);
    *out = s;
    return 0;
}
/* [/book:echo_start] */

int kt_echo_server_port(const kt_echo_server *s)
{
    return s ? s->port : -1;
}

kt_echo_stats kt_echo_server_stats(const kt_echo_server *s)
{
    kt_echo_stats none = { 0 };
    return s ? s->stats : none;
}

void kt_echo_server_close(kt_echo_server *s)
{
    if (s == NULL)
        return;
    /* TODO(lab 02): close every connection (conn_close), then remove the
     * listening socket's reader, close it and free the server.
     */
    kt_remove_reader(s->loop, s->listen_fd);
    close(s->listen_fd);
    free(s);
}
