/* io.h — watching file descriptors from the loop: readers and writers (Lab 02).
 *
 * A reader is a callback the loop runs whenever an fd is readable; a writer,
 * whenever it is writable. The loop finds out which fds are ready with a
 * poller (poller.h) in the one place it waits, and queues their callbacks
 * as ordinary handles: within one iteration, the callbacks that were already
 * ready run first, then the I/O callbacks, then the timers that came due
 * (book §2.4). Readiness is level-triggered: a reader keeps being called,
 * once per iteration, for as long as the fd has data (or is at end of file)
 * and the reader is not removed.
 *
 * Each fd has at most one reader and one writer. Adding a second replaces
 * the first (which will not run again, even if already queued). Removing one
 * cancels it, so a reader removed by an earlier callback of the same
 * iteration does not run in that iteration either.
 *
 * The loop never closes, reads or writes your fds. Remove the reader and
 * writer of an fd before you close it: closing first is a bug the loop
 * survives (book §2.6) but that loses events. Remove them before
 * kt_loop_close, or let kt_loop_close drop them.
 *
 * The fd must be valid. The backend comes from KETTLE_POLLER (poller.h),
 * chosen at the first kt_add_reader/kt_add_writer of a loop.
 *
 * Every function here is [lab 02]: yours in labs/02-io/io.c.
 */
#ifndef KETTLE_IO_H
#define KETTLE_IO_H

#include "kettle/loop.h"

/* [book:add_reader] */
/* Call cb(loop, arg) whenever fd is readable (data, end of file, or an
 * error waiting to be read), until kt_remove_reader. Replaces fd's reader
 * if it has one. Returns 0, KT_EINVAL for a NULL loop or cb or a negative
 * fd (or an unknown KETTLE_POLLER), KT_EFDLIMIT when the backend cannot
 * watch an fd that large (select: fd >= FD_SETSIZE), KT_ENOMEM, or -errno
 * (-EBADF, -EPERM for a regular file under epoll).
 * Twin: loop.add_reader(fd, callback, *args). [lab 02] */
int kt_add_reader(kt_loop *loop, int fd, kt_callback_fn cb, void *arg);

/* Stop watching fd for reading. Returns 1 if fd had a reader (it is
 * cancelled: it will not run, not even if already queued for this
 * iteration), 0 if it had none, KT_EINVAL for a NULL loop or negative fd.
 * Twin: loop.remove_reader(fd), which returns True or False. [lab 02] */
int kt_remove_reader(kt_loop *loop, int fd);
/* [/book:add_reader] */

/* [book:add_writer] */
/* Call cb(loop, arg) whenever fd is writable (there is room in its buffer),
 * until kt_remove_writer. An idle connected socket is writable at once, so
 * add a writer only while you have something to write. Errors as for
 * kt_add_reader. Twin: loop.add_writer(fd, callback, *args). [lab 02] */
int kt_add_writer(kt_loop *loop, int fd, kt_callback_fn cb, void *arg);

/* Stop watching fd for writing: 1 removed, 0 had none, or KT_EINVAL.
 * Twin: loop.remove_writer(fd). [lab 02] */
int kt_remove_writer(kt_loop *loop, int fd);
/* [/book:add_writer] */

/* The name of the poller backend this loop uses ("select" or "epoll"), or
 * NULL before its first reader or writer. [given] */
const char *kt_loop_poller_name(const kt_loop *loop);

#endif
