/* poll_select.c — Lab 02: the select(2) backend of the poller (poller.h).
 *
 * select is the oldest and most portable way to wait on many fds: hand the
 * kernel a bitmap of fds to read and one to write, and it overwrites both
 * with the fds that are ready. Two costs come with it (book §2.2): every
 * call copies and scans bitmaps as long as the highest fd, however few fds
 * are busy; and the bitmaps have a fixed size, FD_SETSIZE bits, so an fd at
 * or past it cannot be watched at all (FD_SET beyond it writes past the
 * end of the fd_set: memory corruption, not an error).
 *
 * Twin: selectors.SelectSelector; Redis's ae_select.c has the same shape.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "kettle/errors.h"
#include "kettle/poller.h"

/* [book:select_state] */
struct kt_poller {
    fd_set readfds;  /* the fds watched for reading: the interest, kept across waits */
    fd_set writefds; /* the fds watched for writing */
    int maxfd;       /* the highest fd in either set, -1 when both are empty */
};
/* [/book:select_state] */

/* [book:check_fd] */
/* Check the arguments every interest change shares. */
static int check_fd(int fd, int events)
{
    /* TODO(lab 02): a negative fd, or events that are 0 or have bits other
     * than KT_POLL_READ|KT_POLL_WRITE, is KT_EINVAL. An fd >= FD_SETSIZE is
     * KT_EFDLIMIT: FD_SET cannot hold it (book §2.2). An fd that is not open
     * (fcntl(fd, F_GETFD) fails) is -EBADF, so the mistake shows here and not
     * later as a failing select. Else 0.
     */
    (void)fd; (void)events;
    return KT_ENOTIMPL;
}
/* [/book:check_fd] */

static int select_create(kt_poller **out)
{
    if (out == NULL)
        return KT_EINVAL;
    /* TODO(lab 02): allocate the poller, empty both sets (FD_ZERO), set
     * maxfd to -1, store it in *out. KT_ENOMEM if allocation fails.
     */
    *out = NULL;
    return KT_ENOTIMPL;
}

static void select_destroy(kt_poller *p)
{
    free(p); /* select owns no fd: nothing else to release */
}

/* [book:select_set] */
/* Make fd's bits in the two sets say `events` (0: not watched). */
static int select_set(kt_poller *p, int fd, int events)
{
    /* TODO(lab 02): FD_SET or FD_CLR fd in readfds and writefds to match
     * events, then keep maxfd right: raise it to fd when fd is watched; when
     * fd was the highest and is no longer watched, walk maxfd down to the
     * next fd still in a set (or -1).
     */
    (void)p; (void)fd; (void)events;
    return KT_ENOTIMPL;
}
/* [/book:select_set] */

static int select_add(kt_poller *p, int fd, int events)
{
    int rc = check_fd(fd, events);
    return rc < 0 ? rc : select_set(p, fd, events);
}

static int select_modify(kt_poller *p, int fd, int events)
{
    return select_add(p, fd, events); /* with bitmaps, add and modify are the same */
}

static int select_remove(kt_poller *p, int fd)
{
    if (fd < 0)
        return KT_EINVAL;
    if (fd >= FD_SETSIZE)
        return 0; /* add refused it, so it is not here */
    return select_set(p, fd, 0);
}

/* [book:select_wait] */
static int select_wait(kt_poller *p, double timeout, kt_poll_event *out, int max)
{
    /* TODO(lab 02): select overwrites the sets it is given, so copy the
     * interest sets to local fd_sets first (the interest must survive the
     * call). Turn timeout into a struct timeval from kt_timeout_ms (NULL
     * for no limit). Call select(maxfd + 1, ...); on -1 return -errno (EINTR
     * included: the caller retries). Then scan fds 0..maxfd and store each
     * ready one in out[] with the directions found ready, up to max.
     * Return how many were stored.
     */
    (void)p; (void)timeout; (void)out; (void)max;
    return KT_ENOTIMPL;
}
/* [/book:select_wait] */

const kt_poller_ops kt_poller_select = {
    .name = "select",
    .create = select_create,
    .destroy = select_destroy,
    .add = select_add,
    .modify = select_modify,
    .remove = select_remove,
    .wait = select_wait,
};
