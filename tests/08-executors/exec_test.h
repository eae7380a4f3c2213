/* exec_test.h — helpers shared by the Lab 08 tests (each test_*.c is its
 * own binary and includes this once).
 *
 * Threads are synchronised on futures and condition variables, never on
 * sleeps: a "gate" is a concurrent future that a job blocks on until the
 * test completes it. The tests also run under ThreadSanitizer, so what two
 * threads share goes through a mutex (the SAFE log below) or an atomic. */
#ifndef KETTLE_EXEC_TEST_H
#define KETTLE_EXEC_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktest.h"
#include "kettle/kettle.h"
#include "loop_fixtures.h"

#define E_VALUE (KT_EUSER - 1)

/* A log several threads may write to. */
static kt_log SAFE;
static pthread_mutex_t SAFE_LOCK = PTHREAD_MUTEX_INITIALIZER;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline void safe_log(const char *fmt, ...)
{
    char word[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(word, sizeof word, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&SAFE_LOCK);
    kt_log_add(&SAFE, "%s", word);
    pthread_mutex_unlock(&SAFE_LOCK);
}

/* A gate: a pending concurrent future that jobs wait on. */
#define NEW_GATE(g)                                                                  \
    KT_CHECK_OK(kt_cfuture_new(&(g)), "kt_cfuture_new must work (book §8.3)")
#define OPEN_GATE(g)                                                                 \
    KT_CHECK_OK(kt_cfuture_set_result((g), NULL),                                    \
                "kt_cfuture_set_result on a pending future must succeed (book §8.3)")

/* Work functions: echo the argument; fail with E_VALUE; wait on a gate. */
static inline int work_echo(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static inline int work_fail(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return E_VALUE;
}

static inline int work_wait_gate(void *arg, void **result)
{
    *result = "gate passed";
    return kt_cfuture_result((kt_cfuture *)arg, -1, NULL);
}

/* A job that says it started, then waits on a gate. */
typedef struct two_gates {
    kt_cfuture *started, *gate;
} two_gates;

static inline int work_start_then_wait(void *arg, void **result)
{
    two_gates *g = arg;
    kt_cfuture_set_result(g->started, NULL);
    *result = "gate passed";
    return kt_cfuture_result(g->gate, -1, NULL);
}

/* Wait for a concurrent future and check it succeeded. */
#define WAIT_OK(cf, out)                                                             \
    KT_CHECK_OK(kt_cfuture_result((cf), -1, (out)),                                  \
                "a finished job's future must hold its result (book §8.3)")

/* Is fd close-on-exec (and, when asked, non-blocking)? */
static inline int fd_flags_ok(int fd, int want_nonblock)
{
    int fdf = fcntl(fd, F_GETFD);
    int fl = fcntl(fd, F_GETFL);
    if (fdf < 0 || fl < 0)
        return 0;
    if (!(fdf & FD_CLOEXEC))
        return 0;
    return !want_nonblock || (fl & O_NONBLOCK);
}

/* Which fds below 256 are open now: a snapshot to compare with. */
typedef struct fd_set_snap {
    unsigned char open[256];
} fd_snap;

static inline fd_snap fds_now(void)
{
    fd_snap s;
    for (int fd = 0; fd < 256; fd++)
        s.open[fd] = fcntl(fd, F_GETFD) >= 0;
    return s;
}

/* The loop's own epoll fd is never read or written: it needs no O_NONBLOCK. */
static inline int is_epoll_fd(int fd)
{
    char path[64], target[128];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return strstr(target, "eventpoll") != NULL;
}

/* The first fd open now that was not in `before` and lacks FD_CLOEXEC (or
 * O_NONBLOCK, when asked), or -1. */
static inline int new_fd_without(const fd_snap *before, int want_nonblock)
{
    for (int fd = 0; fd < 256; fd++)
        if (!before->open[fd] && fcntl(fd, F_GETFD) >= 0 &&
            !fd_flags_ok(fd, want_nonblock && !is_epoll_fd(fd)))
            return fd;
    return -1;
}

/* Is thread `tid` of this process on its way out? pthread_join returns as
 * soon as the kernel clears the thread's tid, which it does inside
 * do_exit, a little before it takes the thread off /proc/self/task: for a
 * moment (longer on a loaded machine) a joined thread is still listed. It
 * is marked PF_EXITING (0x4, the ninth field of its stat) from the start
 * of do_exit, before the tid is cleared, and a live thread never is. A
 * thread whose stat is gone has gone too. */
static inline int thread_is_exiting(const char *tid)
{
    char path[300], line[512];
    snprintf(path, sizeof path, "/proc/self/task/%.256s/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')'); /* the name may hold spaces */
    unsigned long flags = 0;
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
        return 0;
    return (flags & 0x4UL) != 0; /* PF_EXITING */
}

static inline void *warm_up(void *arg)
{
    return arg;
}

/* How many live threads this process has (from /proc/self/task; a thread
 * already joined but not yet taken off the list is not counted). The first
 * call starts and joins one thread first: ThreadSanitizer starts a helper
 * thread of its own with the first thread, and it must be in every count. */
static inline int thread_count(void)
{
    static int warmed;
    if (!warmed) {
        pthread_t t;
        if (pthread_create(&t, NULL, warm_up, NULL) == 0)
            pthread_join(t, NULL);
        warmed = 1;
    }
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && !thread_is_exiting(e->d_name))
            n++;
    closedir(d);
    return n;
}

/* Run the loop until the loop future is done (each kt_loop_run_once blocks
 * in the poller until the door or a timer wakes it). */
#define RUN_UNTIL_DONE(loop, f)                                                      \
    do {                                                                             \
        for (int i_ = 0; i_ < 100000 && !kt_future_done(f); i_++)                    \
            KT_CHECK_OK(kt_loop_run_once(loop), "kt_loop_run_once must work (Lab 01)"); \
        KT_CHECK(kt_future_done(f), "the loop future never completed: its result must "  \
                 "come back through the loop's door (book §8.4)");                   \
    } while (0)

#define CLOSE_LOOP(loop)                                                             \
    KT_CHECK_OK(kt_loop_close(loop), "kt_loop_close must succeed once every future is " \
                "released (book §8.6)")

#endif
