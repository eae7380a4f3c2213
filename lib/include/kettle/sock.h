/* sock.h — the loop's socket coroutines (Lab 09).
 *
 * A non-blocking socket answers EAGAIN when it is not ready. These calls
 * turn that answer into a wait: they try the system call at once and, when
 * it would block, park the running task on the fd with Lab 02's
 * kt_add_reader / kt_add_writer and a Lab 04 future, then try again when the
 * loop says the fd is ready (book §9.2). That is how asyncio's
 * loop.sock_recv and friends are written (selector_events.py).
 *
 *     Python                                    Kettle (inside a task)
 *     conn, addr = await loop.sock_accept(s)    kt_sock_accept(loop, s, &conn, &addr, &len)
 *     await loop.sock_connect(s, addr)          kt_sock_connect(loop, s, sa, salen)
 *     data = await loop.sock_recv(s, n)         n = kt_sock_recv(loop, s, buf, n)
 *     await loop.sock_sendall(s, data)          kt_sock_sendall(loop, s, data, len)
 *     await loop.getaddrinfo(host, port)        kt_getaddrinfo(loop, host, port, &ai)
 *
 * Every call here is a coroutine: call it from a task of `loop` (else
 * KT_ENOTCORO). The socket must be non-blocking (else KT_EINVAL: a blocking
 * socket would stop the whole loop, which asyncio checks in debug mode and
 * Kettle always). Sockets Kettle creates are O_NONBLOCK and O_CLOEXEC,
 * accepted ones included (book §9.2). If the task is cancelled while it
 * waits, the fd is no longer watched and KT_ECANCELLED comes back.
 * Errors from the system come back as -errno (-ECONNREFUSED, -ECONNRESET,
 * -EPIPE, ...). SIGPIPE is never raised: sends use MSG_NOSIGNAL.
 */
#ifndef KETTLE_SOCK_H
#define KETTLE_SOCK_H

#include <netdb.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "kettle/loop.h"

/* netdb.h declares struct addrinfo only under _POSIX_C_SOURCE (or
 * _GNU_SOURCE); a program that calls kt_getaddrinfo defines one of them. */
struct addrinfo;

/* [book:sock_api] */
/* Accept one connection on the listening socket lfd: *fd_out gets the new
 * socket, O_NONBLOCK and O_CLOEXEC (accept4). addr/addrlen may be NULL; if
 * given, *addrlen must hold the size of *addr, as for accept(2).
 * Returns 0 or -errno. Twin: loop.sock_accept(sock). [lab 09] */
int kt_sock_accept(kt_loop *loop, int lfd, int *fd_out, struct sockaddr *addr, socklen_t *addrlen);

/* Connect fd to addr: connect(2) answers EINPROGRESS at once on a
 * non-blocking socket, so wait until fd is writable, then read the outcome
 * with getsockopt(SO_ERROR). Returns 0, -ECONNREFUSED, ... or -errno.
 * Twin: loop.sock_connect(sock, address). [lab 09] */
int kt_sock_connect(kt_loop *loop, int fd, const struct sockaddr *addr, socklen_t addrlen);

/* Receive up to n bytes into buf: waits until at least one byte (or end of
 * file) is there. Returns the count, 0 at end of file, or -errno. n == 0
 * returns 0 at once. Twin: loop.sock_recv(sock, n). [lab 09] */
long kt_sock_recv(kt_loop *loop, int fd, void *buf, size_t n);

/* Send all n bytes of buf, waiting for room as often as needed. Returns 0
 * or -errno (-EPIPE when the peer is gone: no SIGPIPE). If an error or a
 * cancellation stops it half way, how much was sent is unknown, as in
 * asyncio. Twin: loop.sock_sendall(sock, data). [lab 09] */
int kt_sock_sendall(kt_loop *loop, int fd, const void *buf, size_t n);

/* Resolve host and port (a service name or a number, either may be NULL as
 * for getaddrinfo(3)) for TCP. A numeric address is converted at once; a
 * name is looked up with getaddrinfo(3) in the loop's default executor
 * (Lab 08), because the lookup blocks. *out gets the list: free it with
 * freeaddrinfo. Returns 0, KT_EINVAL (NULL loop or out, both host and
 * port NULL), KT_EGAI when the name does not resolve (socket.gaierror),
 * KT_ENOMEM, or KT_ENOTCORO.
 * Twin: loop.getaddrinfo(host, port, type=SOCK_STREAM). [lab 09] */
int kt_getaddrinfo(kt_loop *loop, const char *host, const char *port, struct addrinfo **out);
/* [/book:sock_api] */

/* [book:sock_helpers] */
/* A non-blocking, close-on-exec TCP socket bound to host:port (numeric
 * host; port 0 picks a free port) and listening with `backlog`, with
 * SO_REUSEADDR. Returns 0 and *fd_out, or -errno. Not a coroutine.
 * Twin: socket.create_server((host, port)) then setblocking(False). [given] */
int kt_tcp_listen(const char *host, int port, int backlog, int *fd_out);

/* The port a socket is bound to (getsockname), or -errno. [given] */
int kt_sock_port(int fd);
/* [/book:sock_helpers] */

#endif
