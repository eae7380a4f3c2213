/* sock.c — the loop's socket coroutines (Lab 09, book §9.2).
 *
 * Each call tries its system call at once. Only when the kernel says
 * EAGAIN (EINPROGRESS for connect) does the task park: a future, a reader
 * or writer on the fd that completes it, kt_await, and the watch removed
 * again whatever woke us (ready, or cancelled). Then the call is tried
 * again: readiness is a hint, not a promise (another task may have taken
 * the data, or the wake-up was spurious).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kettle/kettle.h"

/* A coroutine call must come from a task of this very loop. */
static int check_coro(kt_loop *loop)
{
    if (loop == NULL)
        return KT_EINVAL;
    if (kt_current_task(loop) == NULL)
        return KT_ENOTCORO;
    return 0;
}

/* A blocking fd would stop the whole loop in recv/send: refuse it. */
static int check_nonblocking(int fd)
{
    if (fd < 0)
        return KT_EINVAL;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    return (fl & O_NONBLOCK) ? 0 : KT_EINVAL;
}

static void fd_ready(kt_loop *loop, void *fut)
{
    (void)loop;
    if (!kt_future_done(fut))
        kt_future_set_result(fut, NULL);
}

/* [book:wait_fd] */
/* Park the running task until fd is readable (write == false) or writable.
 * Returns 0, KT_ECANCELLED, or an error from add_reader/add_writer. */
static int wait_fd(kt_loop *loop, int fd, bool write)
{
    /* BEGIN SOLUTION
     * TODO(lab 09): make a future, watch fd with kt_add_reader (or
     * kt_add_writer) so that fd_ready completes it, kt_await it, then stop
     * watching and release the future, on every path (also when the await
     * comes back KT_ECANCELLED).
     * starter: (void)loop; (void)fd; (void)write; (void)fd_ready;
     * starter: return KT_ENOTIMPL;
     */
    kt_future *fut = NULL;
    int rc = kt_future_new(loop, &fut);
    if (rc < 0)
        return rc;
    rc = write ? kt_add_writer(loop, fd, fd_ready, fut) : kt_add_reader(loop, fd, fd_ready, fut);
    if (rc == 0) {
        rc = kt_await(fut, NULL);
        /* Remove the watch before the future goes: the loop's handle
         * points at it. */
        if (write)
            kt_remove_writer(loop, fd);
        else
            kt_remove_reader(loop, fd);
    }
    kt_future_release(fut);
    return rc;
    /* END SOLUTION */
}
/* [/book:wait_fd] */

int kt_sock_accept(kt_loop *loop, int lfd, int *fd_out, struct sockaddr *addr, socklen_t *addrlen)
{
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    if (fd_out == NULL || (addr != NULL && addrlen == NULL))
        return KT_EINVAL;
    if ((rc = check_nonblocking(lfd)) < 0)
        return rc;
    /* BEGIN SOLUTION
     * TODO(lab 09): accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC (the new fd
     * must be both, from the start); on EAGAIN wait until lfd is readable
     * and try again; EINTR: try again; anything else is -errno.
     * starter: (void)wait_fd;
     * starter: return KT_ENOTIMPL;
     */
    for (;;) {
        int fd = accept4(lfd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            *fd_out = fd;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        if ((rc = wait_fd(loop, lfd, false)) < 0)
            return rc;
    }
    /* END SOLUTION */
}

/* [book:sock_connect] */
int kt_sock_connect(kt_loop *loop, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    if (addr == NULL || addrlen == 0)
        return KT_EINVAL;
    if ((rc = check_nonblocking(fd)) < 0)
        return rc;
    /* BEGIN SOLUTION
     * TODO(lab 09): connect(); 0 means connected already (it happens on
     * loopback). EINPROGRESS (or EINTR: the connect goes on in the kernel)
     * means: wait until fd is writable, then the outcome is the socket's
     * pending error, getsockopt(SOL_SOCKET, SO_ERROR): 0 or an errno to
     * return negated.
     * starter: return KT_ENOTIMPL;
     */
    if (connect(fd, addr, addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EINTR)
        return -errno;
    if ((rc = wait_fd(loop, fd, true)) < 0)
        return rc;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
    /* END SOLUTION */
}
/* [/book:sock_connect] */

/* [book:sock_recv] */
long kt_sock_recv(kt_loop *loop, int fd, void *buf, size_t n)
{
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    if (buf == NULL && n > 0)
        return KT_EINVAL;
    if ((rc = check_nonblocking(fd)) < 0)
        return rc;
    if (n == 0)
        return 0;
    /* BEGIN SOLUTION
     * TODO(lab 09): recv at once; on EAGAIN wait until fd is readable and
     * try again; EINTR: try again; else -errno.
     * starter: return KT_ENOTIMPL;
     */
    for (;;) {
        ssize_t got = recv(fd, buf, n, 0);
        if (got >= 0)
            return (long)got;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        if ((rc = wait_fd(loop, fd, false)) < 0)
            return rc;
    }
    /* END SOLUTION */
}
/* [/book:sock_recv] */

int kt_sock_sendall(kt_loop *loop, int fd, const void *buf, size_t n)
{
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    if (buf == NULL && n > 0)
        return KT_EINVAL;
    if ((rc = check_nonblocking(fd)) < 0)
        return rc;
    /* BEGIN SOLUTION
     * TODO(lab 09): send (with MSG_NOSIGNAL: a vanished peer must give
     * -EPIPE, not kill the process with SIGPIPE) until all n bytes are out;
     * on EAGAIN wait until fd is writable; EINTR: try again.
     * starter: return KT_ENOTIMPL;
     */
    const char *p = buf;
    while (n > 0) {
        ssize_t put = send(fd, p, n, MSG_NOSIGNAL);
        if (put >= 0) {
            p += put;
            n -= (size_t)put;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        if ((rc = wait_fd(loop, fd, true)) < 0)
            return rc;
    }
    return 0;
    /* END SOLUTION */
}

/* A numeric host needs no lookup (asyncio's _ipaddr_info shortcut). */
static bool is_numeric_host(const char *host)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return host != NULL && (inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1);
}

static int lookup(const char *host, const char *port, int flags, struct addrinfo **out)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags;
    int rc = getaddrinfo(host, port, &hints, out);
    if (rc == 0)
        return 0;
    if (rc == EAI_MEMORY)
        return KT_ENOMEM;
    if (rc == EAI_SYSTEM)
        return errno ? -errno : KT_EGAI;
    return KT_EGAI;
}

/* A name lookup handed to a worker thread. Two owners, the waiting task and
 * the worker: the task may be cancelled and leave while getaddrinfo still
 * runs, so the last one to let go frees it. */
typedef struct gai_job {
    int refs; /* atomic */
    char *host, *port;
    struct addrinfo *ai;
    int rc;
} gai_job;

static void gai_job_unref(gai_job *j)
{
    if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    if (j->ai != NULL)
        freeaddrinfo(j->ai);
    free(j->host);
    free(j->port);
    free(j);
}

/* Runs on a worker thread: only the job, no loop state. */
static int gai_work(void *arg, void **result)
{
    gai_job *j = arg;
    *result = NULL;
    j->rc = lookup(j->host, j->port, 0, &j->ai);
    gai_job_unref(j);
    return 0;
}

int kt_getaddrinfo(kt_loop *loop, const char *host, const char *port, struct addrinfo **out)
{
    int rc = check_coro(loop);
    if (rc < 0)
        return rc;
    if (out == NULL || (host == NULL && port == NULL))
        return KT_EINVAL;
    *out = NULL;
    /* BEGIN SOLUTION
     * TODO(lab 09): a numeric host (or none) is converted at once with
     * lookup(..., AI_NUMERICHOST); a name goes through the loop's default
     * executor, because getaddrinfo(3) blocks.
     * starter: (void)is_numeric_host; (void)gai_work;
     * starter: return KT_ENOTIMPL;
     */
    if (host == NULL || is_numeric_host(host))
        return lookup(host, port, AI_NUMERICHOST | (host == NULL ? AI_PASSIVE : 0), out);
    /* A name: getaddrinfo(3) may wait seconds for DNS, and the loop must
     * not. So it runs on a thread of the loop's default executor (Lab 08),
     * as asyncio's loop.getaddrinfo does, while this task waits. */
    gai_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return KT_ENOMEM;
    j->refs = 2; /* this task's, and the worker's */
    j->host = strdup(host);
    j->port = port ? strdup(port) : NULL;
    kt_future *f = NULL;
    if (j->host == NULL || (port != NULL && j->port == NULL))
        rc = KT_ENOMEM;
    else
        rc = kt_run_in_executor(loop, NULL, gai_work, j, &f);
    if (rc < 0) {
        j->refs = 1; /* the worker never got it */
        gai_job_unref(j);
        return rc;
    }
    rc = kt_await(f, NULL);
    kt_future_release(f);
    if (rc == 0) {
        rc = j->rc;
        *out = j->ai; /* the worker is done with it: it completed f */
        j->ai = NULL;
    }
    gai_job_unref(j);
    return rc;
    /* END SOLUTION */
}
