/* trace.c — write what the runtime does as Chrome trace-event JSON (trace.h).
 *
 * One file, one JSON array, one object per line. Tracks ("threads" to the
 * viewers): one per loop (its iterations, waits and callbacks), one per task
 * (its steps, what it awaits, its cancellations and its end), one for plain
 * futures, one per other thread that marks work with kt_trace_begin.
 *
 * Events go to a buffer of our own flushed with write(2), not to stdio: a
 * forked child (Lab 08's process pool) that exits through exit() must not
 * flush a copy of the parent's half-written trace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kettle/clock.h"
#include "kettle/errors.h"
#include "kettle/future_impl.h"
#include "kettle/loop_impl.h"
#include "kettle/task_impl.h"
#include "kettle/trace_impl.h"

int kt__trace_on;

enum { FUTURES_TRACK = 999, TASK_TRACK_BASE = 1000, THREAD_TRACK_BASE = 100000 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int fd;
    pid_t pid;             /* the process that owns the file */
    char *buf;
    size_t len;
    int events;            /* written so far: the first has no comma */
    double last_ts;        /* µs: every event is at least 1 µs after the last */
    double origin;         /* real time of the trace start, seconds */
    unsigned next_loop, next_object, next_thread;
} T = {.fd = -1};

static _Thread_local unsigned thread_track;

enum { BUF_CAP = 1 << 16 };

static void flush_locked(void)
{
    size_t off = 0;
    while (off < T.len) {
        ssize_t n = write(T.fd, T.buf + off, T.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    T.len = 0;
}

/* Append one event (a JSON object, without separators). */
static void put_locked(const char *fmt, va_list ap)
{
    if (T.len > BUF_CAP - 1024)
        flush_locked();
    if (T.events++ > 0)
        T.buf[T.len++] = ',';
    T.buf[T.len++] = '\n';
    int n = vsnprintf(T.buf + T.len, BUF_CAP - T.len, fmt, ap);
    if (n > 0)
        T.len += (size_t)n < BUF_CAP - T.len ? (size_t)n : BUF_CAP - T.len - 1;
}

static void put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_locked(fmt, ap);
    va_end(ap);
}

/* Now, in µs, on the clock of `loop` (the real clock without one), never
 * earlier than 1 µs after the previous event. Called with mu held. */
static double stamp(const kt_loop *loop)
{
    double now;
    if (loop != NULL && loop->clock.kind == KT_CLOCK_VIRTUAL)
        now = loop->clock.virtual_now * 1e6;
    else
        now = (kt_monotonic() - T.origin) * 1e6;
    if (now < T.last_ts + 1)
        now = T.last_ts + 1;
    T.last_ts = now;
    return now;
}

/* A JSON string body: quotes, backslashes and control bytes escaped. */
static const char *json(const char *s, char *out, size_t cap)
{
    size_t j = 0;
    for (; s != NULL && *s != '\0' && j + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[j++] = '\\';
            out[j++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            j += (size_t)snprintf(out + j, cap - j, "\\u%04x", c);
        } else {
            out[j++] = (char)c;
        }
    }
    out[j] = '\0';
    return out;
}

static void name_track_locked(unsigned tid, const char *name)
{
    char esc[160];
    put("{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":\"%s\"}}", tid,
        json(name, esc, sizeof esc));
    put("{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}",
        tid, tid);
}

static unsigned loop_track_locked(kt_loop *loop)
{
    if (loop->trace_id == 0) {
        loop->trace_id = ++T.next_loop;
        char name[32];
        snprintf(name, sizeof name, "loop %u", loop->trace_id);
        name_track_locked(loop->trace_id, name);
    }
    return loop->trace_id;
}

/* ---- starting and stopping ------------------------------------------------ */

/* fork() while another thread holds mu would leave the child's copy locked
 * forever: hold it across the fork, so both sides start with it free. The
 * child then writes nothing (T.pid is the parent's). */
static void before_fork(void) { pthread_mutex_lock(&mu); }
static void after_fork(void) { pthread_mutex_unlock(&mu); }
static void register_fork_handlers(void) { pthread_atfork(before_fork, after_fork, after_fork); }

int kt_trace_start(const char *path)
{
    if (path == NULL || *path == '\0')
        return KT_EINVAL;
    static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
    pthread_once(&fork_once, register_fork_handlers);
    pthread_mutex_lock(&mu);
    if (T.fd >= 0) {
        pthread_mutex_unlock(&mu);
        return KT_EINVALSTATE;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = -errno;
        pthread_mutex_unlock(&mu);
        return e;
    }
    T.buf = malloc(BUF_CAP);
    if (T.buf == NULL) {
        close(fd);
        pthread_mutex_unlock(&mu);
        return KT_ENOMEM;
    }
    T.fd = fd;
    T.pid = getpid();
    T.len = 0;
    T.events = 0;
    T.last_ts = -1;
    T.origin = kt_monotonic();
    T.buf[T.len++] = '[';
    char exe[256] = "kettle", esc[300];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0)
        exe[n] = '\0';
    put("{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"%s\"}}",
        json(exe, esc, sizeof esc));
    name_track_locked(FUTURES_TRACK, "futures");
    __atomic_store_n(&kt__trace_on, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&mu);
    return 0;
}

void kt_trace_stop(void)
{
    pthread_mutex_lock(&mu);
    if (T.fd < 0) {
        pthread_mutex_unlock(&mu);
        return;
    }
    __atomic_store_n(&kt__trace_on, 0, __ATOMIC_RELEASE);
    if (T.pid == getpid()) { /* a forked child leaves the parent's file alone */
        T.buf[T.len++] = '\n';
        T.buf[T.len++] = ']';
        T.buf[T.len++] = '\n';
        flush_locked();
    }
    close(T.fd);
    T.fd = -1;
    free(T.buf);
    T.buf = NULL;
    kt__symbols_free();
    pthread_mutex_unlock(&mu);
}

bool kt_trace_enabled(void)
{
    return __atomic_load_n(&kt__trace_on, __ATOMIC_ACQUIRE) != 0;
}

static void autostart_once(void)
{
    const char *path = getenv("KETTLE_TRACE");
    if (path == NULL || *path == '\0')
        return;
    int rc = kt_trace_start(path);
    if (rc < 0) {
        fprintf(stderr, "kettle: KETTLE_TRACE=%s: cannot write the trace: %s\n", path, kt_strerror(rc));
        return;
    }
    atexit(kt_trace_stop);
}

void kt__trace_autostart(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, autostart_once);
}

/* Run fn(args) with the lock held, if tracing is (still) on. */
#define LOCKED(...)                                                                                \
    do {                                                                                           \
        pthread_mutex_lock(&mu);                                                                   \
        if (T.fd >= 0 && T.pid == getpid()) {                                                      \
            __VA_ARGS__;                                                                           \
        }                                                                                          \
        pthread_mutex_unlock(&mu);                                                                 \
    } while (0)

/* ---- threads -------------------------------------------------------------- */

static unsigned thread_track_locked(void)
{
    if (thread_track == 0) {
        thread_track = THREAD_TRACK_BASE + ++T.next_thread;
        char name[32];
        snprintf(name, sizeof name, "thread %u", thread_track - THREAD_TRACK_BASE);
        name_track_locked(thread_track, name);
    }
    return thread_track;
}

void kt_trace_begin(const char *name)
{
    if (!KT__TRACING() || name == NULL)
        return;
    char esc[128];
    LOCKED(unsigned tid = thread_track_locked();
           put("{\"ph\":\"B\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"%s\",\"cat\":\"job\"}", tid,
               stamp(NULL), json(name, esc, sizeof esc)));
}

void kt_trace_end(const char *name)
{
    if (!KT__TRACING() || name == NULL)
        return;
    char esc[128];
    LOCKED(unsigned tid = thread_track_locked();
           put("{\"ph\":\"E\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"%s\",\"cat\":\"job\"}", tid,
               stamp(NULL), json(name, esc, sizeof esc)));
}

/* ---- executor jobs ---------------------------------------------------------
 * A thread pool's job runs on a worker thread, inside the lab's own code; the
 * given code around it marks it. The submit names the job (its function) for
 * the future the same thread makes next; the worker that sets that future
 * running opens a slice, and the same worker ends it when it completes the
 * future. One job at a time per thread, as a worker runs them. */

static _Thread_local const void *job_next;    /* named by a submit, not yet claimed */
static _Thread_local const void *job_running; /* the job this thread's slice is for */
static _Thread_local char job_name[128];

void kt__trace_job_next(const void *fn)
{
    job_next = fn;
}

const void *kt__trace_job_claim(void)
{
    const void *fn = job_next;
    job_next = NULL;
    return fn;
}

void kt__trace_job_begin(const void *job, const void *fn)
{
    if (job == NULL || fn == NULL)
        return;
    if (job_running != NULL)
        kt_trace_end(job_name); /* the last job was never completed: close it */
    char sym[128];
    snprintf(job_name, sizeof job_name, "%s", kt__symbol_name(fn, sym, sizeof sym));
    job_running = job;
    kt_trace_begin(job_name);
}

void kt__trace_job_end(const void *job)
{
    if (job == NULL || job != job_running)
        return;
    job_running = NULL;
    kt_trace_end(job_name);
}

/* ---- callbacks ------------------------------------------------------------ */

/* The handle's real callback, kept while its cb runs through trampoline. */
typedef struct wrapped {
    kt_callback_fn cb;
    void *arg;
    kt_handle *h;
    uint64_t io_wait; /* the wait that queued this handle as I/O, or 0 */
} wrapped;

static void trampoline(kt_loop *loop, void *arg)
{
    wrapped *w = arg;
    if (!KT__TRACING()) {
        w->cb(loop, w->arg);
        return;
    }
    double t0 = 0;
    unsigned tid = 0;
    const char *kind = w->h->is_timer ? "timer"
                       : w->io_wait != 0 && w->io_wait == loop->trace_waits ? "io"
                                                                           : "callback";
    LOCKED(tid = loop_track_locked(loop); t0 = stamp(loop));
    w->cb(loop, w->arg);
    char sym[64], esc[160];
    const char *name = kt__symbol_name((const void *)w->cb, sym, sizeof sym);
    LOCKED(double t1 = stamp(loop);
           put("{\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"dur\":%.0f,\"name\":\"%s\","
               "\"cat\":\"%s\",\"args\":{\"iteration\":%llu}}",
               tid, t0, t1 - t0, json(name, esc, sizeof esc), kind,
               (unsigned long long)loop->trace_iters));
}

void kt__trace_handle_new(kt_handle *h)
{
    wrapped *w = malloc(sizeof *w);
    if (w == NULL)
        return; /* the callback runs untraced */
    w->cb = h->cb;
    w->arg = h->arg;
    w->h = h;
    w->io_wait = 0;
    h->cb = trampoline;
    h->arg = w;
    h->traced = 1;
}

void kt__trace_handle_free(kt_handle *h)
{
    if (h->traced && h->cb == trampoline)
        free(h->arg);
}

/* ---- the loop's waits and iterations -------------------------------------- */

void kt__trace_wait_begin(kt_loop *loop, double timeout, kt__trace_wait *w)
{
    (void)timeout;
    w->ready_before = 0;
    w->loop_time = kt_loop_time(loop);
    kt_list_for_each(it, &loop->ready)
        w->ready_before++;
    LOCKED(unsigned tid = loop_track_locked(loop); double ts = stamp(loop);
           if (loop->trace_iter_open)
               put("{\"ph\":\"E\",\"pid\":1,\"tid\":%u,\"ts\":%.0f}", tid, ts);
           ts = stamp(loop); loop->trace_iter_open = 1; loop->trace_iters++;
           put("{\"ph\":\"B\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"iteration %llu\","
               "\"cat\":\"iteration\",\"args\":{\"iteration\":%llu}}",
               tid, ts, (unsigned long long)loop->trace_iters,
               (unsigned long long)loop->trace_iters);
           w->ts = stamp(loop));
}

void kt__trace_wait_end(kt_loop *loop, double timeout, const kt__trace_wait *w, int rc)
{
    loop->trace_waits++;
    size_t ready = 0, io = 0;
    kt_list_for_each(it, &loop->ready) {
        kt_handle *h = kt_container_of(it, kt_handle, link);
        if (++ready > w->ready_before && h->cb == trampoline) {
            ((wrapped *)h->arg)->io_wait = loop->trace_waits;
            io++;
        }
    }
    const kt_heap_node *next = kt_heap_peek(&loop->timers);
    bool timer_due = next != NULL && next->key <= kt_loop_time(loop);
    const char *woke = rc < 0          ? "error"
                       : io > 0        ? "io"
                       : timer_due     ? "timer"
                       : timeout == 0  ? "no wait"
                                       : "timeout";
    char tbuf[32];
    if (timeout < 0)
        snprintf(tbuf, sizeof tbuf, "\"forever\"");
    else
        snprintf(tbuf, sizeof tbuf, "%.6f", timeout);
    LOCKED(unsigned tid = loop_track_locked(loop); double t1 = stamp(loop);
           put("{\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"dur\":%.0f,\"name\":\"wait\","
               "\"cat\":\"wait\",\"args\":{\"timeout\":%s,\"woke\":\"%s\",\"io\":%zu,"
               "\"ready\":%zu,\"waited\":%.6f}}",
               tid, w->ts, t1 - w->ts, tbuf, woke, io, ready, kt_loop_time(loop) - w->loop_time));
}

void kt__trace_loop_close(kt_loop *loop)
{
    LOCKED(if (loop->trace_iter_open) {
        put("{\"ph\":\"E\",\"pid\":1,\"tid\":%u,\"ts\":%.0f}", loop_track_locked(loop), stamp(loop));
        loop->trace_iter_open = 0;
    });
}

/* ---- futures and tasks ---------------------------------------------------- */

static bool is_task(const kt_future *f)
{
    return strcmp(f->cls->name, "Task") == 0;
}

static unsigned task_track(const kt_future *f)
{
    return TASK_TRACK_BASE + f->trace_id;
}

static const char *by_task(const kt_loop *loop, char *buf, size_t cap)
{
    const kt_task *cur = loop->current_task;
    if (cur == NULL)
        return "null";
    snprintf(buf, cap, "\"Task#%u\"", cur->base.trace_id);
    return buf;
}

void kt__trace_future_new(kt_future *f)
{
    char by[32];
    LOCKED(f->trace_id = ++T.next_object;
           if (!is_task(f))
               put("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"%s#%u "
                   "created\",\"cat\":\"future\",\"args\":{\"id\":%u,\"by\":%s}}",
                   FUTURES_TRACK, stamp(f->loop), f->cls->name, f->trace_id, f->trace_id,
                   by_task(f->loop, by, sizeof by)));
}

static const char *outcome(const kt_future *f, char *buf, size_t cap)
{
    switch (f->state) {
    case KT_FUTURE_PENDING: return "pending";
    case KT_FUTURE_CANCELLED: return "cancelled";
    case KT_FUTURE_FINISHED:
        if (f->error == 0)
            return "result";
        snprintf(buf, cap, "error %d", f->error);
        return buf;
    }
    return "?";
}

void kt__trace_future_cancel(kt_future *f, const char *msg, int rc)
{
    char esc[160];
    LOCKED(unsigned tid = is_task(f) ? task_track(f) : FUTURES_TRACK;
           put("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"cancel %s#%u\","
               "\"cat\":\"cancel\",\"args\":{\"id\":%u,\"requested\":%s,\"msg\":\"%s\"}}",
               tid, stamp(f->loop), f->cls->name, f->trace_id, f->trace_id,
               rc == 1 ? "true" : "false", json(msg, esc, sizeof esc)));
}

void kt__trace_future_free(kt_future *f)
{
    if (is_task(f) || f->trace_id == 0)
        return;
    char buf[32];
    LOCKED(put("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"%s#%u freed\","
               "\"cat\":\"future\",\"args\":{\"id\":%u,\"state\":\"%s\"}}",
               FUTURES_TRACK, stamp(f->loop), f->cls->name, f->trace_id, f->trace_id,
               outcome(f, buf, sizeof buf)));
}

void kt__trace_task_attach(kt_task *t)
{
    char sym[64], name[128], by[32];
    const char *fn = kt__symbol_name((const void *)t->fn, sym, sizeof sym);
    LOCKED(if (t->base.trace_id == 0) t->base.trace_id = ++T.next_object;
           snprintf(name, sizeof name, "Task#%u %s", t->base.trace_id, fn);
           name_track_locked(task_track(&t->base), name);
           put("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"create\","
               "\"cat\":\"task\",\"args\":{\"id\":%u,\"fn\":\"%s\",\"by\":%s}}",
               task_track(&t->base), stamp(t->base.loop), t->base.trace_id, fn, t->base.trace_id > 0 ?
               by_task(t->base.loop, by, sizeof by) : "null"));
}

void kt__trace_task_detach(kt_task *t, const char *how)
{
    char buf[32];
    const char *what = how != NULL ? how : outcome(&t->base, buf, sizeof buf);
    LOCKED(put("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"name\":\"done\","
               "\"cat\":\"task\",\"args\":{\"id\":%u,\"outcome\":\"%s\",\"error\":\"%s\"}}",
               task_track(&t->base), stamp(t->base.loop), t->base.trace_id, what,
               t->base.state == KT_FUTURE_FINISHED && t->base.error != 0 ? kt_strerror(t->base.error)
                                                                         : ""));
}

/* Steps do not nest on a thread unless a coroutine runs a loop of its own:
 * a small stack of start times is plenty. */
static _Thread_local double step_start[8];
static _Thread_local unsigned step_depth;

void kt__trace_task_enter(kt_task *t)
{
    double ts = 0;
    LOCKED(ts = stamp(t->base.loop));
    if (step_depth < 8)
        step_start[step_depth] = ts;
    step_depth++;
}

void kt__trace_task_leave(kt_task *t)
{
    if (step_depth == 0)
        return;
    step_depth--;
    double t0 = step_depth < 8 ? step_start[step_depth] : 0;
    const kt_future *w = t->announced;
    char awaits[48] = "null";
    if (w != NULL)
        snprintf(awaits, sizeof awaits, "\"%s#%u\"", w->cls->name, w->trace_id);
    LOCKED(double t1 = stamp(t->base.loop);
           put("{\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.0f,\"dur\":%.0f,\"name\":\"step\","
               "\"cat\":\"step\",\"args\":{\"id\":%u,\"awaits\":%s}}",
               task_track(&t->base), t0, t1 - t0, t->base.trace_id, awaits));
}
