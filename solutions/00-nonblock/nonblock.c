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
    /* BEGIN SOLUTION
     * TODO(lab 00): read the fd's status flags with fcntl(fd, F_GETFL), set or
     * clear O_NONBLOCK in them, and write them back with F_SETFL. Keep the
     * other flags. Return -errno if either fcntl fails.
     * starter: (void)fd; (void)on;
     * starter: return KT_ENOTIMPL;
     */
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    int want = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    if (want != flags && fcntl(fd, F_SETFL, want) < 0)
        return -errno;
    return 0;
    /* END SOLUTION */
}
/* [/book:set_nonblocking] */

int kt_is_nonblocking(int fd)
{
    /* BEGIN SOLUTION
     * TODO(lab 00): 1 if O_NONBLOCK is set in fcntl(fd, F_GETFL), else 0;
     * -errno if fcntl fails.
     * starter: (void)fd;
     * starter: return KT_ENOTIMPL;
     */
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    return (flags & O_NONBLOCK) != 0;
    /* END SOLUTION */
}

/* [book:read_some] */
ssize_t kt_read_some(int fd, void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return KT_EINVAL;
    /* BEGIN SOLUTION
     * TODO(lab 00): call read(2) once. Three answers are normal: bytes (> 0),
     * end of file (0), and "nothing yet" (-1 with errno EAGAIN or
     * EWOULDBLOCK: return KT_EAGAIN). A signal can interrupt the call
     * (EINTR): then simply try again. Any other error: return -errno.
     * starter: (void)fd; (void)buf; (void)len;
     * starter: return KT_ENOTIMPL;
     */
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return KT_EAGAIN;
        return -errno;
    }
    /* END SOLUTION */
}
/* [/book:read_some] */

ssize_t kt_write_some(int fd, const void *buf, size_t len)
{
    if (buf == NULL && len > 0)
        return KT_EINVAL;
    /* BEGIN SOLUTION
     * TODO(lab 00): the mirror image of kt_read_some with write(2): the
     * number written, KT_EAGAIN when nothing fits (EAGAIN/EWOULDBLOCK),
     * retry on EINTR, -errno otherwise.
     * starter: (void)fd; (void)buf; (void)len;
     * starter: return KT_ENOTIMPL;
     */
    for (;;) {
        ssize_t n = write(fd, buf, len);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return KT_EAGAIN;
        return -errno;
    }
    /* END SOLUTION */
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
    /* BEGIN SOLUTION
     * TODO(lab 00): loop on kt_read_some: count every try in st->checks;
     * give each chunk to on_chunk and add its size to st->bytes; stop with 1
     * at EOF; stop with 0 on KT_EAGAIN (and count it in st->empty_checks)
     * — a drained fd is not an error; return any other error.
     * starter: (void)fd; (void)on_chunk; (void)arg; (void)st; (void)buf;
     * starter: return KT_ENOTIMPL;
     */
    for (;;) {
        st->checks++;
        ssize_t n = kt_read_some(fd, buf, sizeof buf);
        if (n > 0) {
            on_chunk(fd, buf, (size_t)n, arg);
            st->bytes += (size_t)n;
            continue;
        }
        if (n == 0)
            return 1;
        if (n == KT_EAGAIN) {
            st->empty_checks++;
            return 0;
        }
        return (int)n;
    }
    /* END SOLUTION */
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
    /* BEGIN SOLUTION
     * TODO(lab 00): make every fd non-blocking, then go round: drain() each
     * fd still open, in order, and remember which reached EOF. Count each
     * round in st->rounds. When a round read no byte at all and some fds are
     * still open, count a sleep and pause `interval` seconds (pause_for).
     * Stop when every fd has reached EOF (return 0) or on the first error.
     * starter: (void)pause_for; (void)drain; (void)arg;
     * starter: return KT_ENOTIMPL;
     */
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (done == NULL)
        return KT_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = kt_set_nonblocking(fds[i], true);
    size_t open = n;
    while (rc == 0 && open > 0) {
        st->rounds++;
        size_t before = st->bytes;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (done[i])
                continue;
            int r = drain(fds[i], on_chunk, arg, st);
            if (r < 0)
                rc = r;
            else if (r == 1) {
                done[i] = true;
                open--;
            }
        }
        if (rc == 0 && open > 0 && st->bytes == before) {
            st->sleeps++;
            pause_for(interval);
        }
    }
    free(done);
    return rc;
    /* END SOLUTION */
}
/* [/book:watch] */
