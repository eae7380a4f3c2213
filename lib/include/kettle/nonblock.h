/* nonblock.h — Lab 00: blocking and non-blocking file descriptors.
 *
 * A blocking read waits until data comes; a non-blocking read answers at
 * once, with data or with "nothing yet" (EAGAIN). Lab 00 makes one file
 * descriptor non-blocking, reads and writes what is there without ever
 * waiting, and then watches several pipes by checking each in turn, like
 * checking a kettle every minute instead of standing beside it. Book
 * chapter 0 explains why that works and what it wastes.
 *
 * Every function here is [lab 00]: yours in labs/00-nonblock/nonblock.c.
 */
#ifndef KETTLE_NONBLOCK_H
#define KETTLE_NONBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Turn O_NONBLOCK on or off for fd, keeping the fd's other status flags.
 * Returns 0, or -errno (-EBADF for a bad fd).
 * Twin: socket.setblocking(not on), os.set_blocking(fd, not on). [lab 00] */
int kt_set_nonblocking(int fd, bool on);

/* Whether O_NONBLOCK is set on fd: 1 yes, 0 no, or -errno.
 * Twin: os.get_blocking(fd) (inverted). [lab 00] */
int kt_is_nonblocking(int fd);

/* Read at most len bytes that are available now, never waiting on a
 * non-blocking fd. Returns the number of bytes read (> 0), 0 at end of file
 * (the writer closed its end), KT_EAGAIN when nothing is there yet, or
 * -errno. A read interrupted by a signal (EINTR) is retried, not returned.
 * KT_EINVAL for a NULL buf with len > 0.
 * Twin: os.read(fd, n) on a non-blocking fd (BlockingIOError = KT_EAGAIN). [lab 00] */
ssize_t kt_read_some(int fd, void *buf, size_t len);

/* Write as many of the len bytes as fit now. Returns the number written
 * (>= 1 when len > 0), KT_EAGAIN when none fit, or -errno (-EPIPE when the
 * reader is gone; see the book for SIGPIPE). EINTR is retried.
 * Twin: os.write(fd, data) on a non-blocking fd. [lab 00] */
ssize_t kt_write_some(int fd, const void *buf, size_t len);

/* What kt_watch_kettles hands you for each chunk it reads. */
typedef void (*kt_chunk_fn)(int fd, const char *data, size_t len, void *arg);

/* [book:watch_stats] */
/* What a watch cost: how often it looked, and how often for nothing. */
typedef struct kt_watch_stats {
    unsigned long rounds;       /* passes over all the fds still open */
    unsigned long checks;       /* reads tried, one fd at a time */
    unsigned long empty_checks; /* reads that found nothing (KT_EAGAIN) */
    unsigned long sleeps;       /* rounds that found nothing anywhere and slept */
    size_t bytes;               /* bytes delivered to on_chunk */
} kt_watch_stats;
/* [/book:watch_stats] */

/* Watch several fds until every one reaches end of file, by polling: make
 * each fd non-blocking, then go round them in order; from each, read
 * everything that is there now (until KT_EAGAIN or EOF) and pass every chunk
 * to on_chunk in the order read. An fd at EOF is dropped from the round.
 * When a whole round found nothing anywhere, sleep `interval` seconds (the
 * "check the kettle every minute" pause) before the next. stats may be NULL.
 * Returns 0 when all fds reached EOF, KT_EINVAL for bad arguments (NULL fds
 * with n > 0, NULL on_chunk, an interval that is negative, NaN or infinite), or the first
 * -errno a read returned (the watch stops there).
 * No asyncio twin: this is what an event loop replaces (book §0.4). [lab 00] */
int kt_watch_kettles(const int *fds, size_t n, double interval, kt_chunk_fn on_chunk, void *arg,
                     kt_watch_stats *stats);

#endif
