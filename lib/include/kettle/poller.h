/* poller.h — one small interface, two backends: select and epoll (Lab 02).
 *
 * A poller answers one question: "which of these fds are ready to read or
 * to write?", waiting up to a timeout for the first answer. Each backend
 * (poll_select.c, poll_epoll.c) fills in the same table of functions, the
 * way Redis keeps ae_select.c and ae_epoll.c behind aeApiCreate,
 * aeApiAddEvent, aeApiDelEvent and aeApiPoll, so the loop (io.c) never
 * knows which one it talks to. Twin: Python's selectors module
 * (SelectSelector, EpollSelector, DefaultSelector).
 *
 * Interest is level-triggered: an fd that is readable is reported at every
 * wait until it has been drained (book §2.3 says why Kettle wants that).
 *
 * The backend used by a loop is picked at run time from the environment
 * variable KETTLE_POLLER (select or epoll; epoll when unset), see
 * kt_poller_choose. Tests and benchmarks may also call a backend directly.
 */
#ifndef KETTLE_POLLER_H
#define KETTLE_POLLER_H

/* Directions of interest, OR-ed together. Twin: selectors.EVENT_READ/WRITE. */
enum {
    KT_POLL_READ = 1,
    KT_POLL_WRITE = 2,
};

/* One ready fd, as a wait reports it. */
typedef struct kt_poll_event {
    int fd;
    int events; /* KT_POLL_READ and/or KT_POLL_WRITE: only directions asked for */
} kt_poll_event;

typedef struct kt_poller kt_poller; /* a backend's private state */

/* [book:poller_ops] */
typedef struct kt_poller_ops {
    const char *name; /* "select" or "epoll" */

    /* Make a poller watching nothing. Returns 0 and sets *out, or
     * KT_ENOMEM / -errno. Twin: selectors.EpollSelector(). [lab 02] */
    int (*create)(kt_poller **out);

    /* Free the poller and any fd it owns. NULL is ignored.
     * Twin: selector.close(). [lab 02] */
    void (*destroy)(kt_poller *p);

    /* Start watching fd (not yet watched) for `events` (non-zero).
     * Returns 0, KT_EINVAL for a negative fd or empty events, KT_EFDLIMIT
     * for an fd this backend cannot watch (select: fd >= FD_SETSIZE), or
     * -errno. Twin: selector.register(fd, events). [lab 02] */
    int (*add)(kt_poller *p, int fd, int events);

    /* Change what an already watched fd is watched for (events non-zero).
     * Same errors as add. Twin: selector.modify(fd, events). [lab 02] */
    int (*modify)(kt_poller *p, int fd, int events);

    /* Stop watching fd. An fd that was closed while watched is forgotten
     * quietly (epoll has already dropped it: EBADF/ENOENT are not errors).
     * Returns 0 or KT_EINVAL. Twin: selector.unregister(fd). [lab 02] */
    int (*remove)(kt_poller *p, int fd);

    /* Wait up to `timeout` seconds (0: only look; < 0: no limit) until at
     * least one watched fd is ready, then store up to `max` ready fds in
     * out[]. Returns how many were stored (0 when the time ran out), or
     * -errno. EINTR is returned, not retried: the caller recomputes the
     * timeout and calls again. Twin: selector.select(timeout). [lab 02] */
    int (*wait)(kt_poller *p, double timeout, kt_poll_event *out, int max);
} kt_poller_ops;
/* [/book:poller_ops] */

extern const kt_poller_ops kt_poller_select; /* poll_select.c [lab 02] */
extern const kt_poller_ops kt_poller_epoll;  /* poll_epoll.c  [lab 02] */

/* The backend called `name` ("select" or "epoll"); NULL or "" means the
 * platform's default, epoll. Returns 0 and sets *out, or KT_EINVAL for an
 * unknown name. Twin: picking a class from the selectors module. [given] */
int kt_poller_by_name(const char *name, const kt_poller_ops **out);

/* The backend named by the environment variable KETTLE_POLLER (default
 * epoll). KT_EINVAL, with *out set to NULL, for an unknown name. [given] */
int kt_poller_choose(const kt_poller_ops **out);

/* A timeout in seconds as whole milliseconds for poll-style calls: -1 stays
 * "no limit", and a positive timeout is rounded UP, so that a wait for
 * 0.4 ms does not become a busy spin of zero-millisecond waits. [given] */
int kt_timeout_ms(double timeout);

#endif
