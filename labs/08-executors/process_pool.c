/* process_pool.c — Lab 08: a pool of worker processes.
 *
 * The workers are forked when the pool is made, each with its own
 * socketpair. A job travels as a frame: which registry entry, then the
 * argument bytes; the answer comes back as the job's return code, then the
 * result bytes. One manager thread in the parent hands queued jobs to idle
 * workers and reads their answers, waiting in poll() on every worker's
 * socket and on an eventfd that submit and shutdown write to. When a
 * worker's socket reaches end of file while the pool still needs it, the
 * worker is dead: the pool is broken. CPython's twin is ProcessPoolExecutor
 * and its executor_manager_thread in Lib/concurrent/futures/process.py
 * (book §8.5).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kettle/errors.h"
#include "kettle/executor.h"

#define EXIT_JOB UINT32_MAX /* the frame that tells a worker to leave */

/* [book:frames] */
typedef struct job_frame {    /* parent -> worker, then len argument bytes */
    uint32_t job;             /* index in the registry, or EXIT_JOB */
    uint32_t pad;
    uint64_t len;
} job_frame;

typedef struct reply_frame {  /* worker -> parent, then len result bytes */
    int32_t rc;               /* the job's return code */
    uint32_t pad;
    uint64_t len;
} reply_frame;
/* [/book:frames] */

typedef struct pjob {
    struct pjob *next;
    uint32_t index;
    unsigned char *arg;
    size_t len;
    kt_cfuture *future; /* the pool's reference */
} pjob;

typedef struct worker {
    pid_t pid;
    int fd;      /* the parent's end of the socketpair, -1 once closed */
    bool reaped; /* waited for (the pid stays, for kt_process_pool_pids) */
    pjob *job;   /* the job it is running (manager thread only) */
} worker;

/* [book:ppool_struct] */
struct kt_process_pool {
    const kt_job *jobs;
    size_t njobs;
    worker *workers;
    size_t nworkers;
    int wake_fd;               /* eventfd: submit and shutdown wake the manager */
    pthread_t manager;
    pthread_mutex_t lock;      /* guards the queue and the flags */
    pjob *head, **tail;
    bool shutdown, broken;
    pthread_mutex_t join_lock; /* one joiner of the manager at a time */
    bool joined;
};
/* [/book:ppool_struct] */

/* ---- given: whole reads and writes -------------------------------------- */

/* Write all of buf: 0, or -errno (EPIPE when the other end died; MSG_NOSIGNAL
 * keeps SIGPIPE from killing us). */
static int send_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly len bytes: 0, 1 at a clean end of file before the first
 * byte, or -errno (-EPIPE for an end of file in the middle). */
static int recv_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return got == 0 ? 1 : -EPIPE;
        got += (size_t)n;
    }
    return 0;
}

static void free_bytes(void *p)
{
    free(p);
}

/* ---- the worker process ------------------------------------------------- */

/* [book:worker_process] */
/* The body of a worker: never returns. It keeps only its socket (every
 * other inherited fd is closed: a copy of another worker's socket would
 * hide that worker's death from the parent), then serves frames until end
 * of file or EXIT_JOB. */
static void worker_process(const kt_job *jobs, int fd)
{
    /* TODO(lab 08): close every fd but 0, 1, 2 and fd (close_range). Loop:
     * recv_all a job_frame (end of file or EXIT_JOB: _exit(0)), then its
     * argument (malloc'd), run jobs[job].fn(arg, len, &result, &rlen), send
     * a reply_frame {rc, len} and the result bytes, free both. _exit, never
     * exit: the parent's atexit handlers are not ours to run.
     */
    (void)jobs; (void)fd;
    _exit(0);
}
/* [/book:worker_process] */

/* ---- the manager thread ------------------------------------------------- */

static void fail_job(pjob *j, int error)
{
    kt_cfuture_set_error(j->future, error);
    kt_cfuture_release(j->future);
    free(j->arg);
    free(j);
}

/* Kill (when asked) and reap every worker, and close their sockets. */
static void reap_workers(kt_process_pool *pool, bool kill_them)
{
    for (size_t i = 0; i < pool->nworkers; i++) {
        worker *w = &pool->workers[i];
        if (w->fd >= 0) {
            close(w->fd);
            w->fd = -1;
        }
        if (w->pid > 0 && !w->reaped) {
            if (kill_them)
                kill(w->pid, SIGKILL);
            while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                ;
            w->reaped = true;
        }
    }
}

/* [book:broken] */
/* A worker died: BrokenProcessPool. Every queued and running job fails, the
 * other workers are killed and every worker is reaped. */
static void break_pool(kt_process_pool *pool)
{
    /* TODO(lab 08): under the lock set broken and take the queue. Fail the
     * taken jobs and every worker's running job with KT_EBROKENPOOL, then
     * reap_workers(pool, true).
     */
    (void)pool; (void)fail_job; (void)reap_workers;
}
/* [/book:broken] */

/* Give queued jobs to idle workers. Returns 0, or -1 if a worker died. */
static int dispatch(kt_process_pool *pool)
{
    /* TODO(lab 08): for each worker without a job, pop the oldest queued
     * job (under the lock); skip (and free) one whose future was cancelled
     * (kt_cfuture_set_running_or_notify_cancel says 0); send its job_frame
     * and argument; a failed send means the worker is dead: keep the job on
     * the worker (break_pool fails it) and return -1.
     */
    (void)pool; (void)send_all;
    return -1;
}

/* A worker's socket is readable: read its whole answer. Returns 0, or -1
 * if the worker died (end of file, a short frame). */
static int collect(worker *w)
{
    /* TODO(lab 08): recv_all a reply_frame, then exactly len bytes into a
     * kt_bytes (malloc'd: header plus data), however large (the worker's
     * send blocks until we read, so read it all). Any failure, or an
     * answer from a worker with no job, is a dead worker: -1. Else finish
     * the job's future (kt_cfuture_set_result_owned with free_bytes, or
     * kt_cfuture_set_error for a negative rc), free the job, w->job = NULL.
     */
    (void)w; (void)recv_all; (void)free_bytes;
    return -1;
}

static bool all_idle(kt_process_pool *pool)
{
    for (size_t i = 0; i < pool->nworkers; i++)
        if (pool->workers[i].job != NULL)
            return false;
    return true;
}

/* Tell every worker to leave, then reap them. */
static void stop_workers(kt_process_pool *pool)
{
    job_frame bye = {EXIT_JOB, 0, 0};
    for (size_t i = 0; i < pool->nworkers; i++)
        if (pool->workers[i].fd >= 0)
            send_all(pool->workers[i].fd, &bye, sizeof bye);
    reap_workers(pool, false);
}

/* [book:manager] */
static void *manager_main(void *arg)
{
    kt_process_pool *pool = arg;
    size_t n = pool->nworkers;
    struct pollfd *fds = calloc(n + 1, sizeof *fds);
    if (fds == NULL) {
        break_pool(pool);
        return NULL;
    }
    /* TODO(lab 08): loop: dispatch (a dead worker: break_pool, leave).
     * If the pool is shut down, the queue is empty and every worker is idle:
     * stop_workers and leave. Otherwise poll the eventfd (drain it) and
     * every worker socket (POLLIN; POLLHUP/POLLERR too: a dead worker) with
     * no timeout, and collect from each ready worker (-1: break_pool, leave).
     */
    (void)dispatch; (void)collect; (void)all_idle; (void)stop_workers; (void)break_pool;
    free(fds);
    return NULL;
}
/* [/book:manager] */

static void wake_manager(kt_process_pool *pool)
{
    uint64_t one = 1;
    ssize_t r = write(pool->wake_fd, &one, sizeof one);
    (void)r; /* EAGAIN: the counter is full, the manager will wake anyway */
}

/* ---- the pool ------------------------------------------------------------ */

/* [book:fork] */
/* Fork worker i. Returns 0 or -errno. */
static int start_worker(kt_process_pool *pool, size_t i)
{
    /* TODO(lab 08): socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC); fork;
     * the child runs worker_process with its end; the parent closes the
     * child's end and keeps pid and its own end. On a fork failure close
     * both ends.
     */
    (void)pool; (void)i; (void)worker_process;
    return KT_ENOTIMPL;
}
/* [/book:fork] */

static void free_pool(kt_process_pool *pool)
{
    if (pool->wake_fd >= 0)
        close(pool->wake_fd);
    pthread_mutex_destroy(&pool->join_lock);
    pthread_mutex_destroy(&pool->lock);
    free(pool->workers);
    free(pool);
}

int kt_process_pool_new(const kt_job *jobs, size_t njobs, size_t workers, kt_process_pool **out)
{
    if (out != NULL)
        *out = NULL;
    if (jobs == NULL || njobs == 0 || workers == 0 || out == NULL)
        return KT_EINVAL;
    for (size_t i = 0; i < njobs; i++)
        if (jobs[i].name == NULL || jobs[i].fn == NULL)
            return KT_EINVAL;
    kt_process_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return KT_ENOMEM;
    pool->jobs = jobs;
    pool->njobs = njobs;
    pool->nworkers = workers;
    pool->tail = &pool->head;
    pool->wake_fd = -1;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_mutex_init(&pool->join_lock, NULL);
    pool->workers = calloc(workers, sizeof *pool->workers);
    if (pool->workers == NULL) {
        free_pool(pool);
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < workers; i++)
        pool->workers[i].fd = -1;
    pool->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int rc = pool->wake_fd < 0 ? -errno : 0;
    for (size_t i = 0; i < workers && rc == 0; i++)
        rc = start_worker(pool, i);
    if (rc == 0) {
        rc = -pthread_create(&pool->manager, NULL, manager_main, pool);
    }
    if (rc < 0) {
        reap_workers(pool, true);
        free_pool(pool);
        return rc;
    }
    *out = pool;
    return 0;
}

static int find_job(const kt_process_pool *pool, const char *name)
{
    for (size_t i = 0; i < pool->njobs; i++)
        if (strcmp(pool->jobs[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* [book:psubmit] */
int kt_process_pool_submit(kt_process_pool *pool, const char *name, const void *arg, size_t len,
                           kt_cfuture **out)
{
    if (out != NULL)
        *out = NULL;
    if (pool == NULL || name == NULL || out == NULL || (arg == NULL && len > 0))
        return KT_EINVAL;
    int index = find_job(pool, name);
    if (index < 0)
        return KT_EINVAL; /* C has no pickle: only registered jobs can travel */
    /* TODO(lab 08): make the future (yours and the job's reference) and a
     * pjob with a copy of the argument. Under the lock: KT_EBROKENPOOL if
     * broken, KT_ESHUTDOWN if shut down (free what you made); else append.
     * Then wake_manager. *out = the future.
     */
    (void)arg; (void)len; (void)wake_manager;
    return KT_ENOTIMPL;
}
/* [/book:psubmit] */

int kt_process_pool_shutdown(kt_process_pool *pool, bool wait, bool cancel_futures)
{
    if (pool == NULL)
        return KT_EINVAL;
    /* TODO(lab 08): as the thread pool's: set shutdown under the lock, with
     * cancel_futures take the queue (cancel and free those jobs), wake the
     * manager; with wait join it once (pool->join_lock, pool->joined): it
     * leaves only after every worker is reaped.
     */
    (void)wait; (void)cancel_futures;
    return KT_ENOTIMPL;
}

void kt_process_pool_free(kt_process_pool *pool)
{
    if (pool == NULL)
        return;
    kt_process_pool_shutdown(pool, true, false);
    free_pool(pool);
}

bool kt_process_pool_broken(kt_process_pool *pool)
{
    if (pool == NULL)
        return false;
    pthread_mutex_lock(&pool->lock);
    bool broken = pool->broken;
    pthread_mutex_unlock(&pool->lock);
    return broken;
}

size_t kt_process_pool_pids(kt_process_pool *pool, pid_t *out, size_t cap)
{
    if (pool == NULL)
        return 0;
    /* The pids are written before the manager starts and never change. */
    for (size_t i = 0; i < pool->nworkers && i < cap && out != NULL; i++)
        out[i] = pool->workers[i].pid;
    return pool->nworkers;
}
