/* nonblock.c — Lab 00: non-blocking reads and writes, and a polling loop.
 *
 * Book chapter 0. Nothing here may ever wait for data: a read or write on a
 * non-blocking fd answers at once, and the polling loop decides when to
 * pause. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/nonblock.h"

/* [book:set_nonblocking] */
int kt_set_nonblocking(int fd, bool on)
{
    /* TODO(lab 00): read the fd's status flags with fcntl(fd, F_GETFL), set or
     * clear O_NONBLOCK in them, and write them back with F_SETFL. Keep the
     * other flags. Return -errno if either fcntl fails.
     */
    (void)fd; (void)on;
    return KT_ENOTIMPL;
}
/* [/book:set_nonblocking] */

int kt_is_nonblocking(int fd)
{
    /* TODO(lab 00): 1 if O_NONBLOCK is set in fcntl(fd, F_GETFL), else 0;
     * -errno if fcntl fails.
     */
    (void)fd;
    return KT_ENOTIMPL;
}

/* [book:read_some] */
ssize_t kt_read_some(int fd, void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return KT_EINVAL;
    /* TODO(lab 00): call read(2) once. Three answers are normal: bytes (> 0),
     * end of file (0), and "nothing yet" (-1 with errno EAGAIN or
     * EWOULDBLOCK: return KT_EAGAIN). A signal can interrupt the call
     * (EINTR): then simply try again. Any other error: return -errno.
     */
    (void)fd; (void)buf; (void)len;
    return KT_ENOTIMPL;
}
/* [/book:read_some] */

ssize_t kt_write_some(int fd, const void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return KT_EINVAL;
    /* TODO(lab 00): the mirror image of kt_read_some with write(2): the
     * number written, KT_EAGAIN when nothing fits (EAGAIN/EWOULDBLOCK),
     * retry on EINTR, -errno otherwise.
     */
    (void)fd; (void)buf; (void)len;
    return KT_ENOTIMPL;
}

static void pause_for(double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* [book:drain] */
/* Read everything fd has right now. Returns 1 if it reached EOF, 0 if it
 * ran dry (KT_EAGAIN), or a negative error. */
static int drain(int fd, kt_chunk_fn on_chunk, void *arg, kt_watch_stats *st)
{
    char buf[4096];
    /* TODO(lab 00): loop on kt_read_some: count every try in st->checks;
     * give each chunk to on_chunk and add its size to st->bytes; stop with 1
     * at EOF; stop with 0 on KT_EAGAIN (and count it in st->empty_checks)
     * — a drained fd is not an error; return any other error.
     */
    (void)fd; (void)on_chunk; (void)arg; (void)st; (void)buf;
    return KT_ENOTIMPL;
}
/* [/book:drain] */

/* [book:watch] */
int kt_watch_kettles(const int *fds, size_t n, double interval, kt_chunk_fn on_chunk, void *arg,
                     kt_watch_stats *stats)
{
    if ((fds == NULL && n > 0) || on_chunk == NULL || !isfinite(interval) || interval < 0)
        return KT_EINVAL;
    kt_watch_stats local = {0};
    kt_watch_stats *st = stats ? stats : &local;
    *st = (kt_watch_stats){0};
    /* TODO(lab 00): make every fd non-blocking, then go round: drain() each
     * fd still open, in order, and remember which reached EOF. Count each
     * round in st->rounds. When a round read no byte at all and some fds are
     * still open, count a sleep and pause `interval` seconds (pause_for).
     * Stop when every fd has reached EOF (return 0) or on the first error.
     */
    (void)pause_for; (void)drain; (void)arg;
    return KT_ENOTIMPL;
}
/* [/book:watch] */
