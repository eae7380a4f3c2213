/* trace_impl.h — the runtime's tracing hooks (see trace.h), called only by
 * given code. Each hook is guarded at its call site by KT__TRACING(), so a
 * run without KETTLE_TRACE pays one predictable branch and no call. */
#ifndef KETTLE_TRACE_IMPL_H
#define KETTLE_TRACE_IMPL_H

#include <stddef.h>

#include "kettle/trace.h"

struct kt_future;
struct kt_task;

/* Non-zero while a trace is being written. */
extern int kt__trace_on;
#define KT__TRACING() __builtin_expect(kt__trace_on != 0, 0)

/* Start the trace named by KETTLE_TRACE, once per process (kt_loop_new). */
void kt__trace_autostart(void);

/* Handles: route the handle's callback through a recording trampoline
 * (kt__handle_new), and free that trampoline with the handle. */
void kt__trace_handle_new(kt_handle *h);
void kt__trace_handle_free(kt_handle *h);

/* One loop wait (kt__loop_wait): `ready_before` is how many handles were
 * ready before the wait, so the hook can tell which ones I/O queued. */
typedef struct kt__trace_wait {
    double ts;          /* µs, trace time */
    double loop_time;   /* the loop's clock when the wait began */
    size_t ready_before;
} kt__trace_wait;
void kt__trace_wait_begin(kt_loop *loop, double timeout, kt__trace_wait *w);
void kt__trace_wait_end(kt_loop *loop, double timeout, const kt__trace_wait *w, int rc);
void kt__trace_loop_close(kt_loop *loop);

/* Futures and tasks. */
void kt__trace_future_new(struct kt_future *f);
void kt__trace_future_cancel(struct kt_future *f, const char *msg, int rc);
void kt__trace_future_free(struct kt_future *f);
void kt__trace_task_attach(struct kt_task *t);
void kt__trace_task_detach(struct kt_task *t, const char *how);
void kt__trace_task_enter(struct kt_task *t);
void kt__trace_task_leave(struct kt_task *t);

/* Executor jobs (Lab 08's given code): a thread pool's submit names the job
 * (kt__trace_job_next, its function) for the next concurrent future made on
 * that thread, which claims the name (kt__trace_job_claim). The worker that
 * sets that future running begins a slice named after the function on its
 * own track (kt__trace_job_begin), and ends it when it completes the future
 * (kt__trace_job_end; a future this thread did not begin is ignored). */
void kt__trace_job_next(const void *fn);
const void *kt__trace_job_claim(void);
void kt__trace_job_begin(const void *job, const void *fn);
void kt__trace_job_end(const void *job);

/* The name of the function at `addr` (symbols.c): from the program's own
 * symbol table, so static functions have names too; else "fn@0x...",
 * written into buf. */
const char *kt__symbol_name(const void *addr, char *buf, size_t len);
void kt__symbols_free(void);

#endif
