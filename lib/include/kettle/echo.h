/* echo.h — a callback echo server on the loop (Lab 02's demo).
 *
 * Everything the server does happens in reader and writer callbacks: the
 * listening socket's reader accepts, each connection's reader reads and
 * sends the bytes straight back, and when the peer is slow to take them a
 * writer finishes the job. It is the picture Tornado's IOLoop drew before
 * coroutines: one thread, many connections, no call that blocks.
 *
 * The server logic lives in echo.c (a module, so tests can run it in
 * process); apps/echo_server.c is the program around it, with signals.
 * Twin: asyncio's Protocol-based echo server (loop.create_server), written
 * with add_reader/add_writer by hand.
 */
#ifndef KETTLE_ECHO_H
#define KETTLE_ECHO_H

#include <stddef.h>

#include "kettle/loop.h"

typedef struct kt_echo_server kt_echo_server;

/* What a server has done so far, for tests and for the demo's goodbye. */
typedef struct kt_echo_stats {
    size_t accepted;     /* connections accepted */
    size_t open;         /* connections open now */
    size_t bytes;        /* bytes echoed back */
    size_t write_waits;  /* times a reply did not fit and a writer took over */
} kt_echo_stats;

/* Listen on 127.0.0.1:port (0 picks a free port) with a non-blocking
 * socket and serve every connection on `loop`. Returns 0 and sets *out,
 * KT_EINVAL for a NULL loop/out or a port outside 0..65535, KT_ENOMEM, or
 * -errno (-EADDRINUSE, ...). [given, uses lab 02] */
int kt_echo_server_start(kt_loop *loop, int port, kt_echo_server **out);

/* The port the server listens on (useful after port 0). [given] */
int kt_echo_server_port(const kt_echo_server *s);

/* A copy of the server's counters. [given] */
kt_echo_stats kt_echo_server_stats(const kt_echo_server *s);

/* Stop listening, close every connection (removing their readers and
 * writers first) and free the server. NULL is ignored. [lab 02] */
void kt_echo_server_close(kt_echo_server *s);

#endif
