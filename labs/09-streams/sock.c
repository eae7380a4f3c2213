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
    /* TODO(lab 09): make a future, watch fd with kt_add_reader (or
     * kt_add_writer) so that fd_ready completes it, kt_await it, then stop
     * watching and release the future, on every path (also when the await
     * comes back KT_ECANCELLED).
     */
    (void)loop; (void)fd; (void)write; (void)fd_ready;
    return KT_ENOTIMPL;
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
    /* TODO(lab 09): accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC (the new fd
     * must be both, from the start); on EAGAIN wait until lfd is readable
     * and try again; EINTR: try again; anything else is -errno.
     */
    (void)wait_fd;
    return KT_ENOTIMPL;
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
    /* TODO(lab 09): connect(); 0 means connected already (it happens on
     * loopback). EINPROGRESS (or EINTR: the connect goes on in the kernel)
     * means: wait until fd is writable, then the outcome is the socket's
     * pending error, getsockopt(SOL_SOCKET, SO_ERROR): 0 or an errno to
     * return negated.
     */
    return KT_ENOTIMPL;
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
    /* TODO(lab 09): recv at once; on EAGAIN wait until fd is readable and
     * try again; EINTR: try again; else -errno.
     */
    return KT_ENOTIMPL;
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
    /* TODO(lab 09): send (with MSG_NOSIGNAL: a vanished peer must give
     * -EPIPE, not kill the process with SIGPIPE) until all n bytes are out;
     * on EAGAIN wait until fd is writable; EINTR: try again.
     */
    return KT_ENOTIMPL;
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
    /* TODO(lab 09): a numeric host (or none) is converted at once with
     * lookup(..., AI_NUMERICHOST); a name goes through the loop's default
     * executor, because getaddrinfo(3) blocks.
     */
    (void)is_numeric_host; (void)gai_work;
    return KT_ENOTIMPL;
}
