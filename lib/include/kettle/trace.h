/* trace.h — a record of what the runtime did, for pictures of a run.
 *
 * Set KETTLE_TRACE=path in the environment of any Kettle program (a demo, a
 * test binary) and the given runtime writes a trace of the run to that file:
 * every loop iteration (how long it waited and why it woke), every callback
 * and timer it ran, I/O readiness, and the life of every task and future
 * (created, stepped, suspended on which future, cancelled, done with what).
 * The file is Chrome's trace-event JSON, which Perfetto (ui.perfetto.dev) and
 * Chromium's chrome://tracing open; `tools/trace/timeline.py` draws it as an
 * SVG timeline offline (`make trace LAB=05 APP=sleepers`). Book: "Seeing a
 * run" in chapter 5.
 *
 * No lab code traces anything: the hooks sit in the given code around the
 * labs (kt__handle_new, kt__loop_wait, kt__future_new, kt__task_attach, ...,
 * and Lab 08's thread pool submit and concurrent future).
 * Off by default; off, each hook costs one well-predicted branch.
 *
 * Timestamps are the loop's clock: a virtual clock gives virtual time. Every
 * event is at least 1 µs after the one before it, so that the order of
 * events in one instant of virtual time still shows.
 *
 * Twin: none in asyncio; the nearest are PYTHONASYNCIODEBUG=1's slow
 * callback warnings and Perfetto traces of a Python program.
 */
#ifndef KETTLE_TRACE_H
#define KETTLE_TRACE_H

#include <stdbool.h>

#include "kettle/loop.h"

/* Start writing a trace to `path` (the file is truncated). kt_loop_new does
 * this for you when KETTLE_TRACE is set. Returns 0, KT_EINVAL (NULL or empty
 * path), KT_EINVALSTATE (a trace is already being written) or -errno from
 * opening the file. [given] */
int kt_trace_start(const char *path);

/* Finish the trace file and stop tracing. Also runs at exit. Safe to call
 * when no trace is on. [given] */
void kt_trace_stop(void);

/* Is a trace being written? [given] */
bool kt_trace_enabled(void);

/* Mark a stretch of work on the calling thread (an executor job, a worker's
 * task): appears as a slice named `name` on that thread's track (`name` is
 * copied at once). Lab 08's thread pools mark each job this way, named after
 * its function. [given] */
void kt_trace_begin(const char *name);
void kt_trace_end(const char *name);

#endif
