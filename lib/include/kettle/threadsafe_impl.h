/* threadsafe_impl.h — what Lab 08's modules share about the loop's door.
 *
 * Programs include threadsafe.h; the bridge (bridge.c) needs two more
 * calls: posting a callback that owns something (so that a callback that
 * never runs, because the loop closed, can still free what it owns), and
 * running what the door holds without waiting for the loop to notice.
 */
#ifndef KETTLE_THREADSAFE_IMPL_H
#define KETTLE_THREADSAFE_IMPL_H

#include "kettle/threadsafe.h"

/* kt_waker_call_soon with a `dispose`: if the door closes before cb ran,
 * the closing loop calls dispose(arg) instead (NULL: nothing to free).
 * Same returns; on KT_ECLOSED neither cb nor dispose is ever called. */
int kt__waker_post(kt_waker *w, kt_callback_fn cb, void *arg, void (*dispose)(void *arg));

/* On the loop's thread: run every callback queued in the loop's door now,
 * in order (kt_run's shutdown, after the default pool has finished).
 * Does nothing when the door is not open. */
void kt__waker_run_queued(kt_loop *loop);

#endif
