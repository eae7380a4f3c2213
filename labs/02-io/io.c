/* io.c — Lab 02: readers and writers on the loop.
 *
 * The loop of Lab 01 waits in exactly one place, kt__loop_wait, which calls
 * loop->io_ops->poll when an I/O layer is installed. This file is that
 * layer: a table of fds, each with at most one reader and one writer
 * handle, a poller backend (poll_select.c or poll_epoll.c) that watches
 * them, and a poll hook that turns "fd 7 is readable" into "fd 7's reader
 * handle is appended to loop->ready". loop.c does the rest: it has already
 * queued the callbacks that were ready, it appends the due timers after
 * ours, and it runs them all (book §2.4). loop.c does not change.
 *
 * Twin: the add_reader/_process_events half of asyncio's
 * BaseSelectorEventLoop (Lib/asyncio/selector_events.py).
 */
#include <stdlib.h>
#include <string.h>

#include "kettle/errors.h"
#include "kettle/io.h"
#include "kettle/loop_impl.h"
#include "kettle/poller.h"

/* [book:io_state] */
/* What the loop knows about one fd. */
typedef struct kt_io_watch {
    kt_handle *reader; /* the reader's handle (this table holds one reference), or NULL */
    kt_handle *writer; /* the writer's handle, or NULL */
    int events;        /* what the poller is watching this fd for right now (KT_POLL_*) */
} kt_io_watch;

/* The I/O layer of one loop, in loop->io. */
typedef struct kt_io {
    const kt_poller_ops *ops; /* the backend */
    kt_poller *poller;        /* its state */
    kt_io_watch *watches;     /* indexed by fd: O(1) lookup, grown on demand */
    int nwatches;             /* length of watches[] */
    size_t watched;           /* how many fds have events != 0 */
    kt_poll_event *events;    /* where one wait stores what it found */
    int nevents;              /* capacity of events[] */
} kt_io;
/* [/book:io_state] */

/* ------------------------------------------------------------ given: picking a backend */

int kt_poller_by_name(const char *name, const kt_poller_ops **out)
{
    static const kt_poller_ops *const all[] = { &kt_poller_epoll, &kt_poller_select };
    if (out == NULL)
        return KT_EINVAL;
    *out = NULL;
    if (name == NULL || name[0] == '\0') {
        *out = &kt_poller_epoll; /* the Linux default, like selectors.DefaultSelector */
        return 0;
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(all[i]->name, name) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return KT_EINVAL;
}

int kt_poller_choose(const kt_poller_ops **out)
{
    return kt_poller_by_name(getenv("KETTLE_POLLER"), out);
}

const char *kt_loop_poller_name(const kt_loop *loop)
{
    if (loop == NULL || loop->io == NULL)
        return NULL;
    return ((const kt_io *)loop->io)->ops->name;
}

static size_t io_count(const kt_loop *loop)
{
    return ((const kt_io *)loop->io)->watched;
}

/* ------------------------------------------------------------ the poll hook */

/* [book:queue_handle] */
/* Append h to the ready queue; the queue takes its own reference, which
 * loop.c drops after running the callback. */
static void queue_handle(kt_loop *loop, kt_handle *h)
{
    /* TODO(lab 02): if h is NULL, cancelled, or already queued
     * (kt_list_node_linked), do nothing. Else take a reference for the ready
     * queue (kt__handle_ref) and append h to loop->ready.
     */
    (void)loop; (void)h;
}
/* [/book:queue_handle] */

/* [book:io_poll] */
/* kt__loop_wait calls this: wait up to `timeout` seconds for the watched
 * fds, then queue the readers and writers of the fds found ready. */
static int io_poll(kt_loop *loop, double timeout)
{
    kt_io *io = loop->io;
    /* TODO(lab 02): three parts (book §2.4, §2.5).
     * 1. With no fd watched and timeout 0 there is nothing to look at:
     * return 0 without a system call (libuv does the same).
     * 2. Make room: io->events must hold io->watched events (at least 1).
     * 3. Call io->ops->wait. If it returns -EINTR (a signal arrived), call
     * it again — but with what is LEFT of the timeout: note the deadline
     * (kt_monotonic() + timeout) before the first call and recompute
     * from it, never below 0. A timeout of 0 or < 0 stays as it is.
     * Any other error is returned.
     * 4. For each event, queue the fd's reader if READ came, then its writer
     * if WRITE came (queue_handle), in the order the poller reported.
     */
    (void)io; (void)timeout; (void)queue_handle;
    return KT_ENOTIMPL;
}
/* [/book:io_poll] */

/* [book:io_destroy] */
/* kt_loop_close calls this: give back every handle and the backend. */
static void io_destroy(kt_loop *loop)
{
    kt_io *io = loop->io;
    if (io == NULL)
        return;
    /* TODO(lab 02): drop the table's reference to every reader and writer
     * (kt__handle_unref), destroy the poller (io->ops->destroy), free the
     * arrays and io, and set loop->io and loop->io_ops back to NULL.
     */
    free(io);
    loop->io = NULL;
    loop->io_ops = NULL;
}
/* [/book:io_destroy] */

static const kt_io_ops io_ops = {
    .poll = io_poll,
    .count = io_count,
    .destroy = io_destroy,
};

/* ------------------------------------------------------------ the fd table */

/* [book:io_get] */
/* The loop's I/O layer, installed at the first call that needs it. */
static int io_get(kt_loop *loop, kt_io **out)
{
    if (loop->io != NULL) {
        *out = loop->io;
        return 0;
    }
    const kt_poller_ops *ops;
    if (kt_poller_choose(&ops) < 0) {
        kt_error_context ctx = {
            .message = "KETTLE_POLLER names no poller backend (use select or epoll)",
            .error = KT_EINVAL,
        };
        kt_loop_call_exception_handler(loop, &ctx);
        return KT_EINVAL;
    }
    /* TODO(lab 02): allocate a zeroed kt_io (calloc, KT_ENOMEM), create the
     * poller with ops->create (on failure free io and return the error),
     * then install: loop->io = io, loop->io_ops = &io_ops. *out = io.
     */
    (void)ops; (void)io_ops;
    *out = NULL;
    return KT_ENOTIMPL;
}
/* [/book:io_get] */

/* [book:grow] */
/* Make watches[] long enough to index fd. */
static int grow(kt_io *io, int fd)
{
    /* TODO(lab 02): if fd < nwatches there is room. Else realloc watches[]
     * to at least fd + 1 entries — double it, so n fds cost O(n) copies in
     * all — and zero the new entries (KT_ENOMEM on failure).
     */
    (void)io; (void)fd;
    return KT_ENOTIMPL;
}
/* [/book:grow] */

/* [book:set_interest] */
/* Tell the poller that fd must now be watched for `events` (0: not at all),
 * choosing add, modify or remove from what it watched before. The poller is
 * told even when the events have not changed: the fd number may now name a
 * new file that was opened after the old one was closed while watched, and
 * the backend must get the chance to register it (book §2.6). */
static int set_interest(kt_io *io, int fd, int events)
{
    kt_io_watch *w = &io->watches[fd];
    /* TODO(lab 02): nothing to do if both w->events and events are 0. From 0
     * to something: ops->add, and count the fd in io->watched. From
     * something to 0: ops->remove, and uncount it. Else ops->modify (also
     * when the events are the same). On an error leave w->events as it was
     * and return the error; else record the new events.
     */
    (void)w; (void)events;
    return KT_ENOTIMPL;
}
/* [/book:set_interest] */

/* The reader or the writer slot of a watch. */
static kt_handle **slot(kt_io_watch *w, int dir)
{
    return dir == KT_POLL_READ ? &w->reader : &w->writer;
}

/* [book:add_handler] */
/* kt_add_reader (dir = KT_POLL_READ) and kt_add_writer (KT_POLL_WRITE). */
static int add_handler(kt_loop *loop, int fd, kt_callback_fn cb, void *arg, int dir)
{
    if (loop == NULL || cb == NULL || fd < 0)
        return KT_EINVAL;
    kt_io *io;
    int rc = io_get(loop, &io);
    if (rc < 0)
        return rc;
    /* TODO(lab 02): grow the table to fd; make the new handle
     * (kt__handle_new, KT_ENOMEM); watch fd for its current events plus
     * `dir` (set_interest) — if that fails, unref the new handle and return
     * the error, leaving the old handler in place. Then, if the slot
     * already held a handler, cancel it (kt_handle_cancel: it must not run,
     * even if already queued) and drop the table's reference; store the new.
     */
    (void)io; (void)slot; (void)set_interest; (void)grow; (void)dir; (void)arg;
    return KT_ENOTIMPL;
}
/* [/book:add_handler] */

/* [book:remove_handler] */
static int remove_handler(kt_loop *loop, int fd, int dir)
{
    if (loop == NULL || fd < 0)
        return KT_EINVAL;
    kt_io *io = loop->io;
    /* TODO(lab 02): return 0 when there is no I/O layer yet, fd is past the
     * table, or the slot is empty. Else empty the slot, stop watching
     * `dir` (set_interest with the other direction only; if the poller
     * refuses — the fd was closed while watched — stop watching it
     * altogether), cancel the handle (so a queued run is skipped: case 023),
     * drop the table's reference, and return 1.
     */
    (void)io; (void)dir;
    return KT_ENOTIMPL;
}
/* [/book:remove_handler] */

int kt_add_reader(kt_loop *loop, int fd, kt_callback_fn cb, void *arg)
{
    return add_handler(loop, fd, cb, arg, KT_POLL_READ);
}

int kt_remove_reader(kt_loop *loop, int fd)
{
    return remove_handler(loop, fd, KT_POLL_READ);
}

int kt_add_writer(kt_loop *loop, int fd, kt_callback_fn cb, void *arg)
{
    return add_handler(loop, fd, cb, arg, KT_POLL_WRITE);
}

int kt_remove_writer(kt_loop *loop, int fd)
{
    return remove_handler(loop, fd, KT_POLL_WRITE);
}
