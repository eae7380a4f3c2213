/* poll_epoll.c — Lab 02: the epoll(7) backend of the poller (poller.h).
 *
 * epoll keeps the interest list inside the kernel: you register an fd once
 * (epoll_ctl), and each wait (epoll_wait) returns only the fds that are
 * ready, so a wait costs time in proportion to the busy fds, not to all the
 * watched ones (book §2.2). The epoll instance is itself an fd, which the
 * poller owns, opens close-on-exec and closes in destroy.
 *
 * Interest is level-triggered (no EPOLLET): an fd with unread data is
 * reported at every wait, like select reports it (book §2.3).
 *
 * Twin: selectors.EpollSelector; Redis's ae_epoll.c has the same shape.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/poller.h"

struct kt_poller {
    int epfd;                  /* the epoll instance */
    struct epoll_event *evbuf; /* where epoll_wait writes, grown on demand */
    int evcap;                 /* its capacity */
};

/* What we ask epoll for, in its own bits. */
static uint32_t to_epoll(int events)
{
    return (events & KT_POLL_READ ? EPOLLIN : 0) | (events & KT_POLL_WRITE ? EPOLLOUT : 0);
}

/* Each registration carries fd and the directions asked for in its data
 * word, so a wait can report an error or hang-up (which epoll always
 * reports, asked or not) as exactly the directions that were asked. */
static uint64_t pack(int fd, int events)
{
    return (uint64_t)(uint32_t)fd | ((uint64_t)(uint32_t)events << 32);
}

/* [book:epoll_create] */
static int epoll_create_poller(kt_poller **out)
{
    if (out == NULL)
        return KT_EINVAL;
    /* TODO(lab 02): allocate the poller and open the epoll instance with
     * epoll_create1(EPOLL_CLOEXEC) — close-on-exec, so a child process
     * started by the program does not inherit it. On failure free what you
     * made and return KT_ENOMEM or -errno.
     */
    *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:epoll_create] */

static void epoll_destroy_poller(kt_poller *p)
{
    if (p == NULL)
        return;
    /* TODO(lab 02): close the epoll fd (the kernel forgets every
     * registration with it) and free the buffer and the poller.
     */
    free(p);
}

static int check_args(int fd, int events)
{
    if (fd < 0 || events == 0 || (events & ~(KT_POLL_READ | KT_POLL_WRITE)) != 0)
        return KT_EINVAL;
    return 0;
}

/* [book:epoll_ctl] */
static int epoll_add(kt_poller *p, int fd, int events)
{
    int rc = check_args(fd, events);
    if (rc < 0)
        return rc;
    /* TODO(lab 02): register fd with epoll_ctl(EPOLL_CTL_ADD) for
     * to_epoll(events), with pack(fd, events) in ev.data.u64. Return 0 or
     * -errno (-EBADF for a closed fd, -EPERM for a regular file).
     */
    (void)p; (void)pack; (void)to_epoll;
    return KT_ENOTIMPL;
}

static int epoll_modify(kt_poller *p, int fd, int events)
{
    int rc = check_args(fd, events);
    if (rc < 0)
        return rc;
    /* TODO(lab 02): change the registration with EPOLL_CTL_MOD. If epoll
     * answers ENOENT, the fd was closed while watched and its number has
     * been reused by a new file that epoll has never seen (book §2.6):
     * register it afresh with epoll_add. Other failures are -errno.
     */
    (void)p;
    return KT_ENOTIMPL;
}

static int epoll_remove(kt_poller *p, int fd)
{
    if (fd < 0)
        return KT_EINVAL;
    /* TODO(lab 02): EPOLL_CTL_DEL the fd. Closing an fd removes it from
     * epoll by itself, so EBADF (closed) and ENOENT (closed, number reused)
     * mean "already gone": not errors. Return 0.
     */
    (void)p;
    return KT_ENOTIMPL;
}
/* [/book:epoll_ctl] */

/* [book:epoll_wait] */
static int epoll_wait_poller(kt_poller *p, double timeout, kt_poll_event *out, int max)
{
    if (max <= 0)
        return KT_EINVAL;
    /* TODO(lab 02): make sure evbuf holds max events (realloc, KT_ENOMEM),
     * call epoll_wait(epfd, evbuf, max, kt_timeout_ms(timeout)); on -1
     * return -errno (EINTR included: the caller retries). For each event,
     * unpack fd and the directions asked from data.u64; report READ when
     * EPOLLIN came, WRITE when EPOLLOUT came, and on EPOLLERR or EPOLLHUP
     * every direction asked, so the callback's read or write meets the
     * error or the end of file. Return how many were stored in out[].
     */
    (void)p; (void)timeout; (void)out;
    return KT_ENOTIMPL;
}
/* [/book:epoll_wait] */

const kt_poller_ops kt_poller_epoll = {
    .name = "epoll",
    .create = epoll_create_poller,
    .destroy = epoll_destroy_poller,
    .add = epoll_add,
    .modify = epoll_modify,
    .remove = epoll_remove,
    .wait = epoll_wait_poller,
};
