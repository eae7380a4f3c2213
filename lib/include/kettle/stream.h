/* stream.h — streams: buffered reading and writing over a TCP connection (Lab 09).
 *
 * One connection has two faces, as in asyncio: a StreamReader that the loop
 * fills from the socket whenever it is readable (book §9.3), and a
 * StreamWriter whose write() never waits: what the socket cannot take now
 * is kept in a buffer that a writer callback empties later (book §9.4).
 * Two buffers, four marks:
 *
 *   reader  the loop reads into it; above 2 x limit it stops reading
 *           (pause_reading) until a read brings it back to the limit or
 *           below (resume_reading). The limit (64 KiB by default) also caps
 *           how far readuntil/readline look for their separator.
 *   writer  write() appends what send() did not take; above the high-water
 *           mark (64 KiB) drain() waits until the buffer is back down to the
 *           low-water mark (high / 4): that is how a slow reader slows a
 *           fast writer (backpressure).
 *
 *     Python                                    Kettle (inside a task)
 *     r, w = await asyncio.open_connection(h,p) kt_open_connection(loop, h, p, NULL, &r, &w)
 *     line = await r.readline()                 kt_stream_readline(r, &line)
 *     data = await r.readexactly(n)             kt_stream_readexactly(r, n, &data)
 *     w.write(data); await w.drain()            kt_stream_write(w, data, len); kt_stream_drain(w)
 *     w.close(); await w.wait_closed()          kt_stream_close(w); kt_stream_wait_closed(w)
 *     srv = await asyncio.start_server(cb,h,p)  kt_start_server(loop, cb, arg, h, p, NULL, &srv)
 *
 * Ownership: a reader and a writer are two references to one connection.
 * Give each back (kt_stream_reader_release, kt_stream_writer_release) when
 * done; the memory goes when both are back and the socket is closed.
 * Releasing a writer that is not closed closes it (its buffer is still
 * sent first). A server's handler gets its pair from the server and must
 * not release them: the server does, after the handler returns.
 *
 * Bytes that a call hands back (kt_chunk) are the caller's: kt_chunk_free.
 * Only one coroutine may wait on a reader at a time (KT_EINVALSTATE).
 */
#ifndef KETTLE_STREAM_H
#define KETTLE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "kettle/loop.h"

typedef struct kt_stream_reader kt_stream_reader;
typedef struct kt_stream_writer kt_stream_writer;
typedef struct kt_server kt_server;

/* [book:chunk] */
/* A byte string a read hands back: malloc'd data (NUL-terminated for
 * convenience, the NUL not counted in len). Twin: bytes. */
typedef struct kt_chunk {
    char *data;
    size_t len;
} kt_chunk;

/* Free the data and zero the struct (NULL is fine). [given] */
void kt_chunk_free(kt_chunk *b);
/* [/book:chunk] */

#define KT_STREAM_LIMIT (64 * 1024)       /* asyncio.streams._DEFAULT_LIMIT */
#define KT_STREAM_HIGH_WATER (64 * 1024)  /* the transport's default high-water mark */

/* Settings for a connection; a NULL pointer or a zero field means the
 * default. Twin: the limit= argument of open_connection / start_server,
 * and start_server's backlog=. */
typedef struct kt_stream_options {
    size_t limit; /* reader limit; default KT_STREAM_LIMIT */
    int backlog;  /* listen(2) backlog of a server; default 100 */
} kt_stream_options;

/* [book:reader_api] */
/* Read up to n bytes: waits until at least one byte is buffered (or end of
 * file, or an error), then takes at most n without waiting for more.
 * Returns the count, 0 at end of file (and for n == 0, at once), or the
 * connection's error. Twin: await reader.read(n). [lab 09] */
long kt_stream_read(kt_stream_reader *r, void *buf, size_t n);

/* Read everything until end of file into *out. Returns 0 or an error.
 * Twin: await reader.read() / read(-1). [lab 09] */
int kt_stream_read_all(kt_stream_reader *r, kt_chunk *out);

/* Read exactly n bytes into *out. At end of file before n bytes: returns
 * KT_EINCOMPLETE and *out holds the partial data read (everything that was
 * buffered, now consumed). Twin: await reader.readexactly(n), which raises
 * IncompleteReadError(partial, expected=n). [lab 09] */
int kt_stream_readexactly(kt_stream_reader *r, size_t n, kt_chunk *out);

/* Read up to and including the separator sep (seplen >= 1, else
 * KT_EINVAL). KT_ELIMITOVERRUN when the data before the separator is longer
 * than the limit, or no separator appears within limit bytes: nothing is
 * consumed, out->data is NULL and out->len tells how far it looked (the
 * Python error's .consumed). KT_EINCOMPLETE at end of file without the
 * separator: *out holds the partial data (consumed).
 * Twin: await reader.readuntil(separator). [lab 09] */
int kt_stream_readuntil(kt_stream_reader *r, const void *sep, size_t seplen, kt_chunk *out);

/* One line, "\n" included; at end of file the last piece without "\n", then
 * empty lines (len 0). A line longer than the limit: KT_ELIMITOVERRUN, and
 * that line (or the whole buffer, if no "\n" is in it) is thrown away, as
 * asyncio does before raising ValueError. Twin: await reader.readline(). [lab 09] */
int kt_stream_readline(kt_stream_reader *r, kt_chunk *out);

/* True when end of file was seen and the buffer is empty.
 * Twin: reader.at_eof(). [lab 09] */
bool kt_stream_at_eof(const kt_stream_reader *r);

/* How many bytes are buffered and not yet read; whether the loop has
 * stopped reading the socket because of them (book §9.3). [given] */
size_t kt_stream_reader_buffered(const kt_stream_reader *r);
bool kt_stream_reader_paused(const kt_stream_reader *r);
/* [/book:reader_api] */

/* [book:writer_api] */
/* Queue n bytes for sending: sends what the socket takes at once, buffers
 * the rest; never waits. Returns 0, KT_EINVAL, or -EPIPE (or the error that
 * broke the connection) after close or once the connection is lost, where
 * asyncio drops the data without a word (it only logs, after a few).
 * Twin: writer.write(data). [lab 09] */
int kt_stream_write(kt_stream_writer *w, const void *data, size_t n);

/* Wait until the write buffer is at or below the low-water mark, if it went
 * above the high-water mark; otherwise return at once. Returns 0 or the
 * error that broke the connection (-ECONNRESET, -EPIPE, ...).
 * Twin: await writer.drain(). [lab 09] */
int kt_stream_drain(kt_stream_writer *w);

/* Close the connection once the buffer is sent (the reader sees end of file
 * from then on). Not a coroutine; a second call does nothing. Returns 0 or
 * KT_EINVAL. Twin: writer.close(). [lab 09] */
int kt_stream_close(kt_stream_writer *w);

/* Wait until the connection is closed. Returns 0, or the error that broke
 * it. Twin: await writer.wait_closed(). [lab 09] */
int kt_stream_wait_closed(kt_stream_writer *w);

/* Shut the sending side once the buffer is sent (the peer reads end of
 * file; reading still works). Twin: writer.write_eof(). [lab 09] */
int kt_stream_write_eof(kt_stream_writer *w);

/* Set the write buffer's marks: high < 0 means 64 KiB, low < 0 means
 * high / 4; low > high is KT_EINVAL.
 * Twin: writer.transport.set_write_buffer_limits(high, low). [given] */
int kt_stream_set_write_limits(kt_stream_writer *w, long high, long low);

/* Bytes waiting in the write buffer. Twin: transport.get_write_buffer_size(). [given] */
size_t kt_stream_write_buffer_size(const kt_stream_writer *w);

/* The peer's and our own address (getpeername/getsockname, kept from when
 * the connection was made). Returns 0 or KT_EINVAL.
 * Twin: writer.get_extra_info('peername') / ('sockname'). [given] */
int kt_stream_peername(const kt_stream_writer *w, struct sockaddr_storage *addr, socklen_t *len);
int kt_stream_sockname(const kt_stream_writer *w, struct sockaddr_storage *addr, socklen_t *len);

/* The socket, or -1 once closed. Twin: writer.get_extra_info('socket'). [given] */
int kt_stream_fd(const kt_stream_writer *w);
/* [/book:writer_api] */

/* [book:conn_api] */
/* Connect to host:port (a numeric address is used as is, a name goes through
 * kt_getaddrinfo; each address is tried in turn) and hand back the reader
 * and writer of the new connection. A coroutine. Returns 0, KT_EINVAL,
 * KT_ENOTCORO, KT_EGAI, or the connect error of the last address tried
 * (-ECONNREFUSED when nothing listens). Nothing is left open on failure.
 * Twin: asyncio.open_connection(host, port, limit=...). [lab 09] */
int kt_open_connection(kt_loop *loop, const char *host, int port, const kt_stream_options *opts,
                       kt_stream_reader **r_out, kt_stream_writer **w_out);

/* Give back a reference to a connection (NULL is fine). [lab 09] */
void kt_stream_reader_release(kt_stream_reader *r);
void kt_stream_writer_release(kt_stream_writer *w);
/* [/book:conn_api] */

/* [book:server_api] */
/* A connection handler: a coroutine body run as a task of its own for each
 * accepted connection. It may return without closing: the server closes
 * the writer (after its buffer is sent) and releases both when the handler
 * returns. A negative return other than KT_ECANCELLED is reported to the
 * loop's exception handler. Twin: client_connected_cb(reader, writer). */
typedef int (*kt_stream_handler_fn)(kt_stream_reader *r, kt_stream_writer *w, void *arg);

/* Listen on host:port (port 0: a free port, see kt_server_port) and start
 * accepting at once: each connection gets a task running fn(r, w, arg).
 * A coroutine (it may resolve host). *out receives the server: give it
 * back with kt_server_release after kt_server_close. Returns 0, KT_EINVAL,
 * KT_ENOTCORO, KT_EGAI or -errno (-EADDRINUSE, ...).
 * Twin: asyncio.start_server(cb, host, port, limit=, backlog=). [lab 09] */
int kt_start_server(kt_loop *loop, kt_stream_handler_fn fn, void *arg, const char *host, int port,
                    const kt_stream_options *opts, kt_server **out);

/* Wait until the server is closed (by kt_server_close, from any task or
 * callback). Returns KT_ECANCELLED then, as asyncio's serve_forever raises
 * CancelledError when the server is closed; KT_EINVALSTATE if it is closed
 * already or someone else is serving forever on it.
 * Twin: await server.serve_forever(). [lab 09] */
int kt_server_serve_forever(kt_server *srv);

/* Stop accepting: the listening socket is closed now; connections already
 * accepted carry on and their handlers finish. Returns 0 (a second call does
 * nothing) or KT_EINVAL. Twin: server.close(). [lab 09] */
int kt_server_close(kt_server *srv);

/* Wait until the server is closed and every handler has returned. Returns 0.
 * Twin: await server.wait_closed() (as in Python 3.12: 3.11's returns at
 * once after close, without waiting for the handlers). [lab 09] */
int kt_server_wait_closed(kt_server *srv);

/* The bound port; whether it still accepts; how many handlers are running.
 * Twin: server.sockets[0].getsockname()[1], server.is_serving(). [given] */
int kt_server_port(const kt_server *srv);
bool kt_server_is_serving(const kt_server *srv);
size_t kt_server_active(const kt_server *srv);

/* Give the server back (closing it if it is open). NULL is fine. [lab 09] */
void kt_server_release(kt_server *srv);
/* [/book:server_api] */

#endif
