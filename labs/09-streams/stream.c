/* stream.c — StreamReader, StreamWriter, open_connection, start_server
 * (Lab 09, book §9.3–§9.5).
 *
 * One struct kt_conn is asyncio's transport and protocol in one: it owns
 * the socket, a reader callback that fills the read buffer (data_received),
 * a writer callback that empties the write buffer (_write_ready), and the
 * end of the connection (connection_lost). The reader and writer the
 * caller holds are two faces of it.
 *
 * Futures here only wake a task up: they always complete with no value,
 * and the state (data, end of file, an error) lives in the connection. So
 * no future ever carries an error nobody retrieves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kettle/kettle.h"

#define READ_CHUNK (64 * 1024) /* bytes asked of recv() per readable event */
#define ACCEPT_RETRY_DELAY 1.0 /* seconds to stop accepting after EMFILE (asyncio's constant) */

/* ------------------------------------------------------------ given: the structures */

/* A byte buffer: the bytes are data[start .. start+len). Consuming moves
 * start; appending compacts first when the free tail is too small. */
typedef struct kt_buf {
    char *data;
    size_t start, len, cap;
} kt_buf;

/* Tasks waiting for one event (drain, wait_closed): each has its own
 * future, so cancelling one waiter never cancels the others. */
typedef struct kt_waiters {
    kt_future **fut;
    size_t n, cap;
} kt_waiters;

typedef struct kt_conn kt_conn;

struct kt_stream_reader {
    kt_conn *conn;
    kt_buf buf;
    size_t limit;
    bool eof;          /* the peer will send nothing more */
    int error;         /* the error that broke the connection, or 0 */
    bool paused;       /* reading stopped: the buffer is over 2 x limit */
    kt_future *waiter; /* the one task waiting for data, or NULL */
};

struct kt_stream_writer {
    kt_conn *conn;
    kt_buf buf;
    size_t high, low;   /* water marks */
    bool over_high;     /* went above high, not yet back to low: drain waits */
    kt_waiters drainers;
    bool closing;       /* close(): close once the buffer is sent */
    bool eof_pending;   /* write_eof(): shut down once the buffer is sent */
};

struct kt_conn {
    kt_loop *loop;
    int fd;            /* -1 once closed */
    int refs;          /* the reader's, the writer's, and one while open */
    bool reading;      /* on_readable is registered */
    bool writing;      /* on_writable is registered */
    bool lost;         /* connection_lost has run */
    int lost_error;
    kt_waiters closed; /* wait_closed */
    kt_server *server; /* the server that accepted it, or NULL */
    struct sockaddr_storage peer, self;
    socklen_t peerlen, selflen;
    kt_stream_reader reader;
    kt_stream_writer writer;
};

struct kt_server {
    kt_loop *loop;
    int fd;                 /* listening socket, -1 once closed */
    int port;
    int refs;               /* the owner's, and one per open connection */
    kt_stream_handler_fn fn;
    void *arg;
    size_t limit;
    int backlog;
    size_t active;          /* connections whose handler has not finished */
    bool closed;
    kt_handle *retry;       /* accepting paused after EMFILE, resumes here */
    kt_future *forever;     /* serve_forever's future */
    kt_waiters done;        /* wait_closed */
};

/* ------------------------------------------------------------ given: buffers and waiters */

static int buf_reserve(kt_buf *b, size_t more)
{
    if (b->cap - b->start - b->len >= more)
        return 0;
    if (b->start > 0) { /* compact: move what is left to the front */
        memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
        if (b->cap - b->len >= more)
            return 0;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL)
        return KT_ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

static int buf_append(kt_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc == 0) {
        memcpy(b->data + b->start + b->len, p, n);
        b->len += n;
    }
    return rc;
}

static void buf_consume(kt_buf *b, size_t n)
{
    b->start += n;
    b->len -= n;
    if (b->len == 0)
        b->start = 0;
}

static void buf_free(kt_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Add a fresh future for the running task; the list holds one reference,
 * and *fut_out gets another for the waiter. */
static int waiters_add(kt_waiters *w, kt_loop *loop, kt_future **fut_out)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 4;
        kt_future **f = realloc(w->fut, cap * sizeof *f);
        if (f == NULL)
            return KT_ENOMEM;
        w->fut = f;
        w->cap = cap;
    }
    kt_future *f = NULL;
    int rc = kt_future_new(loop, &f);
    if (rc < 0)
        return rc;
    w->fut[w->n++] = f;
    *fut_out = kt_future_ref(f);
    return 0;
}

static void waiters_wake(kt_waiters *w)
{
    for (size_t i = 0; i < w->n; i++) {
        if (!kt_future_done(w->fut[i]))
            kt_future_set_result(w->fut[i], NULL);
        kt_future_release(w->fut[i]);
    }
    w->n = 0;
}

static void waiters_free(kt_waiters *w)
{
    waiters_wake(w);
    free(w->fut);
    memset(w, 0, sizeof *w);
}

/* Wait on a fresh waiter of list w. */
static int waiters_wait(kt_waiters *w, kt_loop *loop)
{
    kt_future *f = NULL;
    int rc = waiters_add(w, loop, &f);
    if (rc < 0)
        return rc;
    rc = kt_await(f, NULL);
    kt_future_release(f);
    return rc;
}

/* A coroutine call must come from a task of the connection's loop. */
static int check_coro(kt_loop *loop)
{
    return kt_current_task(loop) == NULL ? KT_ENOTCORO : 0;
}

/* The handed-back bytes: a malloc'd copy of n buffered bytes, consumed. */
static int take(kt_stream_reader *r, size_t n, kt_chunk *out)
{
    char *d = malloc(n + 1);
    if (d == NULL)
        return KT_ENOMEM;
    memcpy(d, r->buf.data + r->buf.start, n);
    d[n] = '\0';
    buf_consume(&r->buf, n);
    out->data = d;
    out->len = n;
    return 0;
}

static void reader_wake(kt_stream_reader *r)
{
    if (r->waiter != NULL && !kt_future_done(r->waiter))
        kt_future_set_result(r->waiter, NULL);
}

static void conn_unref(kt_conn *c)
{
    if (--c->refs > 0)
        return;
    buf_free(&c->reader.buf);
    buf_free(&c->writer.buf);
    waiters_free(&c->writer.drainers);
    waiters_free(&c->closed);
    free(c);
}

/* ------------------------------------------------------------ the transport's ends */

/* [book:connection_lost] */
/* The end of a connection, clean (err == 0) or not: stop watching the fd,
 * close it, tell the reader (end of file, or the error), wake every drain
 * and wait_closed, and drop the connection's own reference. The caller
 * must not touch c afterwards unless it holds a reference of its own. */
static void connection_lost(kt_conn *c, int err)
{
    /* TODO(lab 09): once only (c->lost). Remove the reader and writer if
     * registered (before close: book §2.6), close the fd and set it to -1,
     * drop the write buffer. The reader gets end of file, or err as its
     * error (then wake it). Wake the drainers and the closed waiters.
     * Last: conn_unref(c), the reference the open socket held.
     */
    (void)c; (void)err; (void)reader_wake; (void)waiters_wake;
}
/* [/book:connection_lost] */

/* ------------------------------------------------------------ reading */

static void on_readable(kt_loop *loop, void *arg);

static void pause_reading(kt_conn *c)
{
    if (c->reading) {
        kt_remove_reader(c->loop, c->fd);
        c->reading = false;
        c->reader.paused = true;
    }
}

/* [book:maybe_resume] */
/* After a read took bytes out: reading may start again once the buffer is
 * at the limit or below (asyncio's _maybe_resume_transport). */
static void maybe_resume(kt_stream_reader *r)
{
    kt_conn *c = r->conn;
    /* TODO(lab 09): if reading is paused and the buffer holds at most
     * r->limit bytes, register on_readable again and clear the flag.
     */
    (void)c; (void)on_readable;
}
/* [/book:maybe_resume] */

/* [book:on_readable] */
/* The loop says the socket is readable: one recv into the buffer (asyncio's
 * _read_ready then data_received / eof_received). */
static void on_readable(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_conn *c = arg;
    kt_stream_reader *r = &c->reader;
    /* TODO(lab 09): make room for READ_CHUNK bytes and recv into the tail
     * of the buffer. Data: count it, wake the waiting reader, and pause
     * reading when the buffer holds more than 2 x limit. 0: end of file:
     * stop reading, set eof, wake the reader (the writer still works: a
     * half-closed connection). EAGAIN/EINTR: nothing. Any other error:
     * connection_lost(c, -errno), after which c may be gone.
     */
    (void)c; (void)r; (void)pause_reading; (void)connection_lost;
}
/* [/book:on_readable] */

/* Arguments of every read call; and the error a read must give first. */
static int reader_check(kt_stream_reader *r)
{
    if (r == NULL)
        return KT_EINVAL;
    return check_coro(r->conn->loop);
}

/* [book:wait_for_data] */
/* Park the reading task until on_readable (or connection_lost) wakes it.
 * If reading was paused, it starts again: the task wants more than the
 * buffer has, so the buffer cannot be the reason to stop any more. */
static int wait_for_data(kt_stream_reader *r)
{
    /* TODO(lab 09): one waiter at a time (KT_EINVALSTATE, asyncio's
     * RuntimeError "... already waiting for incoming data"). Resume a
     * paused reader, make r->waiter, kt_await it, then release it and set
     * r->waiter back to NULL; return what kt_await returned, or the
     * connection's error if one arrived meanwhile.
     */
    (void)r;
    return KT_ENOTIMPL;
}
/* [/book:wait_for_data] */

/* [book:read] */
long kt_stream_read(kt_stream_reader *r, void *buf, size_t n)
{
    int rc = reader_check(r);
    if (rc < 0)
        return rc;
    if (r->error)
        return r->error;
    if (n == 0)
        return 0;
    if (buf == NULL)
        return KT_EINVAL;
    /* TODO(lab 09): wait (wait_for_data) while the buffer is empty and no
     * end of file was seen; then hand over at most n bytes, consume them,
     * and maybe_resume. At end of file with nothing buffered: 0.
     */
    (void)wait_for_data;
    return KT_ENOTIMPL;
}
/* [/book:read] */

int kt_stream_read_all(kt_stream_reader *r, kt_chunk *out)
{
    int rc = reader_check(r);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return KT_EINVAL;
    out->data = NULL;
    out->len = 0;
    if (r->error)
        return r->error;
    /* TODO(lab 09): wait until end of file, then hand over everything. */
    return KT_ENOTIMPL;
}

/* [book:readexactly] */
int kt_stream_readexactly(kt_stream_reader *r, size_t n, kt_chunk *out)
{
    int rc = reader_check(r);
    if (rc < 0)
        return rc;
    if (out == NULL)
        return KT_EINVAL;
    out->data = NULL;
    out->len = 0;
    if (r->error)
        return r->error;
    /* TODO(lab 09): wait until n bytes are buffered and hand them over.
     * If end of file comes first, hand over what there is and return
     * KT_EINCOMPLETE (the partial data is the caller's, as
     * IncompleteReadError.partial).
     */
    (void)n; (void)take;
    return KT_ENOTIMPL;
}
/* [/book:readexactly] */

/* Where sep first occurs in the buffer at or after offset, or -1. */
static long find_sep(const kt_buf *b, size_t offset, const void *sep, size_t seplen)
{
    if (b->len < seplen || offset > b->len - seplen)
        return -1;
    const char *base = b->data + b->start;
    const char *hit = memmem(base + offset, b->len - offset, sep, seplen);
    return hit ? (long)(hit - base) : -1;
}

/* [book:readuntil] */
int kt_stream_readuntil(kt_stream_reader *r, const void *sep, size_t seplen, kt_chunk *out)
{
    int rc = reader_check(r);
    if (rc < 0)
        return rc;
    if (out == NULL || sep == NULL || seplen == 0)
        return KT_EINVAL;
    out->data = NULL;
    out->len = 0;
    if (r->error)
        return r->error;
    /* TODO(lab 09): asyncio's readuntil. Look for sep from `offset` (no
     * need to look again where it cannot start); when it is not there,
     * offset = buffered + 1 - seplen, and if that passes the limit:
     * KT_ELIMITOVERRUN with out->len = offset (nothing consumed). At end of
     * file without sep: the whole buffer as partial data, KT_EINCOMPLETE.
     * Else wait_for_data and look again. Found at index i: if i > limit,
     * KT_ELIMITOVERRUN with out->len = i; else hand over i + seplen bytes
     * and maybe_resume.
     */
    (void)find_sep;
    return KT_ENOTIMPL;
}
/* [/book:readuntil] */

int kt_stream_readline(kt_stream_reader *r, kt_chunk *out)
{
    int rc = kt_stream_readuntil(r, "\n", 1, out);
    /* TODO(lab 09): KT_EINCOMPLETE is not an error for readline: the
     * partial line is the answer (empty at end of file). On
     * KT_ELIMITOVERRUN throw the line away (up to and including its "\n"
     * at out->len, if there; else the whole buffer), maybe_resume, and
     * return KT_ELIMITOVERRUN with *out empty.
     */
    (void)rc; (void)maybe_resume;
    return KT_ENOTIMPL;
}

bool kt_stream_at_eof(const kt_stream_reader *r)
{
    /* TODO(lab 09): end of file seen and nothing left in the buffer. */
    (void)r;
    return false;
}

size_t kt_stream_reader_buffered(const kt_stream_reader *r)
{
    return r ? r->buf.len : 0;
}

bool kt_stream_reader_paused(const kt_stream_reader *r)
{
    return r != NULL && r->paused;
}

/* ------------------------------------------------------------ writing */

static void on_writable(kt_loop *loop, void *arg);

/* [book:on_writable] */
/* The loop says there is room: send what the buffer holds (asyncio's
 * _write_ready). */
static void on_writable(kt_loop *loop, void *arg)
{
    (void)loop;
    kt_conn *c = arg;
    kt_stream_writer *w = &c->writer;
    /* TODO(lab 09): send (MSG_NOSIGNAL) from the buffer and consume what
     * went. An error other than EAGAIN/EINTR: connection_lost(c, -errno).
     * Then, if drain is held back (over_high) and the buffer is at the
     * low-water mark or below, let the drainers go. If the buffer is empty:
     * stop writing, and if close() is waiting for that, connection_lost(c,
     * 0); if write_eof() is, shutdown(SHUT_WR).
     */
    (void)c; (void)w;
}
/* [/book:on_writable] */

/* [book:write] */
int kt_stream_write(kt_stream_writer *w, const void *data, size_t n)
{
    if (w == NULL || (data == NULL && n > 0))
        return KT_EINVAL;
    kt_conn *c = w->conn;
    if (c->lost)
        return c->lost_error ? c->lost_error : -EPIPE;
    if (w->closing || w->eof_pending)
        return -EPIPE;
    if (n == 0)
        return 0;
    /* TODO(lab 09): with nothing buffered yet, send at once what the socket
     * takes (MSG_NOSIGNAL; EAGAIN means none). A send error ends the
     * connection (connection_lost) and comes back from drain, not from
     * here: return 0. Buffer the rest, register on_writable if it is not,
     * and note over_high when the buffer is above the high-water mark.
     */
    (void)on_writable; (void)buf_append;
    return KT_ENOTIMPL;
}
/* [/book:write] */

/* [book:drain] */
int kt_stream_drain(kt_stream_writer *w)
{
    if (w == NULL)
        return KT_EINVAL;
    kt_conn *c = w->conn;
    int rc = check_coro(c->loop);
    if (rc < 0)
        return rc;
    /* TODO(lab 09): a lost connection: its error, or -ECONNRESET if it
     * ended cleanly (asyncio: ConnectionResetError "Connection lost").
     * Not over the high-water mark: return 0 at once. Else wait among the
     * drainers (waiters_wait) and answer as above if the connection was
     * lost meanwhile.
     */
    (void)waiters_wait;
    return KT_ENOTIMPL;
}
/* [/book:drain] */

int kt_stream_close(kt_stream_writer *w)
{
    if (w == NULL)
        return KT_EINVAL;
    kt_conn *c = w->conn;
    if (w->closing || c->lost)
        return 0;
    /* TODO(lab 09): mark closing, stop reading, and if nothing waits to be
     * sent, end the connection now (connection_lost(c, 0)); otherwise
     * on_writable ends it when the buffer is empty.
     */
    return KT_ENOTIMPL;
}

int kt_stream_wait_closed(kt_stream_writer *w)
{
    if (w == NULL)
        return KT_EINVAL;
    kt_conn *c = w->conn;
    int rc = check_coro(c->loop);
    if (rc < 0)
        return rc;
    /* TODO(lab 09): wait among c->closed until connection_lost has run;
     * return the error it ended with (0 if clean).
     */
    return KT_ENOTIMPL;
}

int kt_stream_write_eof(kt_stream_writer *w)
{
    if (w == NULL)
        return KT_EINVAL;
    kt_conn *c = w->conn;
    if (c->lost || w->closing)
        return -EPIPE;
    if (w->eof_pending)
        return 0;
    w->eof_pending = true;
    if (w->buf.len == 0 && shutdown(c->fd, SHUT_WR) < 0)
        return -errno;
    return 0;
}

int kt_stream_set_write_limits(kt_stream_writer *w, long high, long low)
{
    if (w == NULL)
        return KT_EINVAL;
    size_t h = high < 0 ? KT_STREAM_HIGH_WATER : (size_t)high;
    size_t l = low < 0 ? h / 4 : (size_t)low;
    if (l > h)
        return KT_EINVAL;
    w->high = h;
    w->low = l;
    if (w->buf.len > h)
        w->over_high = true;
    return 0;
}

size_t kt_stream_write_buffer_size(const kt_stream_writer *w)
{
    return w ? w->buf.len : 0;
}

static int copy_addr(const struct sockaddr_storage *src, socklen_t srclen, struct sockaddr_storage *addr,
                     socklen_t *len)
{
    if (addr == NULL || len == NULL)
        return KT_EINVAL;
    *addr = *src;
    *len = srclen;
    return 0;
}

int kt_stream_peername(const kt_stream_writer *w, struct sockaddr_storage *addr, socklen_t *len)
{
    return w ? copy_addr(&w->conn->peer, w->conn->peerlen, addr, len) : KT_EINVAL;
}

int kt_stream_sockname(const kt_stream_writer *w, struct sockaddr_storage *addr, socklen_t *len)
{
    return w ? copy_addr(&w->conn->self, w->conn->selflen, addr, len) : KT_EINVAL;
}

int kt_stream_fd(const kt_stream_writer *w)
{
    return w ? w->conn->fd : -1;
}

/* ------------------------------------------------------------ connections */

/* A connection over fd (connected, non-blocking), reading at once. On
 * failure the fd is the caller's to close. */
static int conn_new(kt_loop *loop, int fd, size_t limit, kt_conn **out)
{
    kt_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return KT_ENOMEM;
    c->loop = loop;
    c->fd = fd;
    c->refs = 3;
    c->reader.conn = c;
    c->reader.limit = limit ? limit : KT_STREAM_LIMIT;
    c->writer.conn = c;
    c->writer.high = KT_STREAM_HIGH_WATER;
    c->writer.low = KT_STREAM_HIGH_WATER / 4;
    c->peerlen = sizeof c->peer;
    c->selflen = sizeof c->self;
    getpeername(fd, (struct sockaddr *)&c->peer, &c->peerlen);
    getsockname(fd, (struct sockaddr *)&c->self, &c->selflen);
    /* Small writes go out at once (asyncio sets TCP_NODELAY on every TCP
     * transport): a reply must not wait for Nagle's algorithm. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = kt_add_reader(loop, fd, on_readable, c);
    if (rc < 0) {
        free(c);
        return rc;
    }
    c->reading = true;
    *out = c;
    return 0;
}

void kt_stream_reader_release(kt_stream_reader *r)
{
    if (r != NULL)
        conn_unref(r->conn);
}

void kt_stream_writer_release(kt_stream_writer *w)
{
    if (w == NULL)
        return;
    kt_stream_close(w);
    conn_unref(w->conn);
}

/* [book:open_connection] */
int kt_open_connection(kt_loop *loop, const char *host, int port, const kt_stream_options *opts,
                       kt_stream_reader **r_out, kt_stream_writer **w_out)
{
    if (loop == NULL || host == NULL || port < 0 || port > 65535 || r_out == NULL || w_out == NULL)
        return KT_EINVAL;
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    /* TODO(lab 09): resolve with kt_getaddrinfo (the port as a string);
     * for each address make a socket (SOCK_NONBLOCK | SOCK_CLOEXEC) and
     * kt_sock_connect it; keep the first that connects, close the others,
     * and stop at a cancellation. No address connected: the last error.
     * Then conn_new (close the fd if it fails) and hand out both faces.
     */
    (void)opts; (void)conn_new;
    return KT_ENOTIMPL;
}
/* [/book:open_connection] */

/* ------------------------------------------------------------ servers */

static void server_unref(kt_server *s)
{
    if (--s->refs > 0)
        return;
    waiters_free(&s->done);
    free(s);
}

/* A connection's handler has finished, whichever way (even cancelled
 * before its first step, when the handler never ran): close, release. */
static void handler_done(kt_future *f, void *arg)
{
    kt_conn *c = arg;
    kt_server *s = c->server;
    int rc = kt_future_result(f, NULL);
    if (rc < 0 && rc != KT_ECANCELLED) {
        kt_error_context ctx = {"unhandled error in a connection handler (client_connected_cb)", rc, f};
        kt_loop_call_exception_handler(s->loop, &ctx);
    }
    kt_stream_writer_release(&c->writer);
    kt_stream_reader_release(&c->reader);
    if (--s->active == 0 && s->closed)
        waiters_wake(&s->done);
    server_unref(s);
}

static int run_handler(void *arg, void **result)
{
    (void)result;
    kt_conn *c = arg;
    return c->server->fn(&c->reader, &c->writer, c->server->arg);
}

/* [book:serve_connection] */
/* One accepted socket: a connection, and a task running the handler. */
static int serve_connection(kt_server *s, int fd)
{
    /* TODO(lab 09): conn_new (close fd on failure), note the server in it
     * (c->server; one more server reference and one more active
     * connection), then a task running run_handler(c) with handler_done as
     * the done callback of its future, which cleans up however the task
     * ends. If the task cannot be made, undo all of it.
     */
    (void)s; (void)fd; (void)handler_done; (void)run_handler;
    return KT_ENOTIMPL;
}
/* [/book:serve_connection] */

static void on_acceptable(kt_loop *loop, void *arg);

static void resume_accepting(kt_loop *loop, void *arg)
{
    kt_server *s = arg;
    kt_handle_release(s->retry);
    s->retry = NULL;
    if (!s->closed)
        kt_add_reader(loop, s->fd, on_acceptable, s);
}

/* [book:on_acceptable] */
/* The listening socket is readable: accept up to backlog connections
 * (asyncio's _accept_connection). */
static void on_acceptable(kt_loop *loop, void *arg)
{
    kt_server *s = arg;
    /* TODO(lab 09): up to s->backlog times: accept4 (SOCK_NONBLOCK |
     * SOCK_CLOEXEC) and serve_connection. EAGAIN: done for now. EINTR,
     * ECONNABORTED: go on. Out of fds or memory (EMFILE, ENFILE, ENOBUFS,
     * ENOMEM): stop accepting for ACCEPT_RETRY_DELAY seconds (remove the
     * reader, kt_call_later resume_accepting into s->retry) instead of
     * spinning on a socket that stays readable.
     */
    (void)loop; (void)s; (void)serve_connection; (void)resume_accepting;
}
/* [/book:on_acceptable] */

int kt_start_server(kt_loop *loop, kt_stream_handler_fn fn, void *arg, const char *host, int port,
                    const kt_stream_options *opts, kt_server **out)
{
    if (loop == NULL || fn == NULL || host == NULL || port < 0 || port > 65535 || out == NULL)
        return KT_EINVAL;
    if (opts != NULL && opts->backlog < 0)
        return KT_EINVAL;
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    /* TODO(lab 09): resolve host (kt_getaddrinfo, passive), make a
     * listening socket on the first address (kt_tcp_listen takes a numeric
     * host: getnameinfo gives one), a kt_server holding the caller's
     * reference, and watch the socket with on_acceptable.
     */
    (void)fn; (void)arg; (void)opts; (void)on_acceptable;
    return KT_ENOTIMPL;
}

int kt_server_close(kt_server *s)
{
    if (s == NULL)
        return KT_EINVAL;
    if (s->closed)
        return 0;
    /* TODO(lab 09): stop accepting: remove the reader, close the listening
     * socket (fd -1), cancel a pending accept retry, cancel serve_forever's
     * future; if no handler is running, wake wait_closed now.
     */
    return KT_ENOTIMPL;
}

int kt_server_serve_forever(kt_server *s)
{
    if (s == NULL)
        return KT_EINVAL;
    int rc = check_coro(s->loop);
    if (rc < 0)
        return rc;
    if (s->closed || s->forever != NULL)
        return KT_EINVALSTATE;
    /* TODO(lab 09): await a future of your own (s->forever) that
     * kt_server_close cancels; when the await ends (closed, or this task
     * cancelled), close the server and return KT_ECANCELLED.
     */
    return KT_ENOTIMPL;
}

int kt_server_wait_closed(kt_server *s)
{
    if (s == NULL)
        return KT_EINVAL;
    int rc = check_coro(s->loop);
    if (rc < 0)
        return rc;
    /* TODO(lab 09): return once the server is closed and no handler is
     * running; until then wait among s->done.
     */
    return KT_ENOTIMPL;
}

int kt_server_port(const kt_server *s)
{
    return s ? s->port : KT_EINVAL;
}

bool kt_server_is_serving(const kt_server *s)
{
    return s != NULL && !s->closed;
}

size_t kt_server_active(const kt_server *s)
{
    return s ? s->active : 0;
}

void kt_server_release(kt_server *s)
{
    if (s == NULL)
        return;
    kt_server_close(s);
    server_unref(s);
}
