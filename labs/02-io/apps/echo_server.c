/* echo_server.c — Lab 02's demo: the echo server of echo.c as a program.
 *
 *     make run LAB=02 APP=echo_server ARGS="8007"
 *     nc 127.0.0.1 8007          (in another terminal; type lines, see them back)
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly: every connection is closed,
 * everything freed, and the counters printed. A signal handler may do
 * almost nothing safely, so it only writes one byte into a pipe that the
 * loop watches (the "self-pipe trick"); the pipe's reader, an ordinary
 * callback, stops the loop. asyncio's loop.add_signal_handler works the
 * same way (signal.set_wakeup_fd and a socketpair). KETTLE_POLLER=select
 * runs it on the select backend.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kettle/kettle.h"

static int signal_pipe[2] = { -1, -1 };

/* Runs inside the signal: only async-signal-safe calls (write), and errno
 * is put back so the code the signal interrupted does not see it change. */
static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(signal_pipe[1], &b, 1); /* full pipe: a wake-up is already pending */
    (void)n;
    errno = saved;
}

/* [book:echo_signal] */
/* The signal pipe is readable: a signal came. Runs as a normal callback. */
static void on_signal_pipe(kt_loop *loop, void *arg)
{
    (void)arg;
    /* TODO(lab 02): drain the pipe (read until it returns <= 0: it is
     * non-blocking) and stop the loop with kt_loop_stop.
     */
    (void)loop;
}
/* [/book:echo_signal] */

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8007;
    kt_loop *loop = NULL;
    kt_echo_server *server = NULL;
    int rc = kt_loop_new(&loop, KT_CLOCK_REAL);
    if (rc < 0) {
        fprintf(stderr, "echo_server: kt_loop_new: %s\n", kt_strerror(rc));
        return 1;
    }
    if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        perror("echo_server: pipe2");
        kt_loop_close(loop);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* the poll is still interrupted; the loop retries it (book §2.5) */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rc = kt_add_reader(loop, signal_pipe[0], on_signal_pipe, NULL);
    if (rc == 0)
        rc = kt_echo_server_start(loop, port, &server);
    if (rc < 0) {
        fprintf(stderr, "echo_server: cannot serve on 127.0.0.1:%d: %s\n", port, kt_strerror(rc));
    } else {
        printf("echo server on 127.0.0.1:%d (poller: %s); Ctrl-C stops it\n", kt_echo_server_port(server),
               kt_loop_poller_name(loop));
        fflush(stdout);
        rc = kt_run_forever(loop);
        kt_echo_stats st = kt_echo_server_stats(server);
        printf("\nstopped: connections served: %zu, bytes echoed: %zu, replies that waited for room: %zu\n",
               st.accepted, st.bytes, st.write_waits);
        if (rc < 0)
            fprintf(stderr, "echo_server: the loop failed: %s\n", kt_strerror(rc));
    }
    kt_echo_server_close(server);
    kt_remove_reader(loop, signal_pipe[0]);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    kt_loop_close(loop);
    return rc < 0 ? 1 : 0;
}
