/* kettle.h — the one header a program built on Kettle includes.
 *
 * Each module's header names the asyncio function every Kettle function
 * stands in for, so the headers read as a dictionary between the two. */
#ifndef KETTLE_H
#define KETTLE_H

#include "kettle/errors.h"
#include "kettle/clock.h"
#include "kettle/list.h"
#include "kettle/heap.h"
#include "kettle/nonblock.h" /* Lab 00 */
#include "kettle/loop.h"     /* Lab 01 */
#include "kettle/trace.h"    /* given: KETTLE_TRACE=path */
/* kettle-labs: later labs add their headers below, one line each. */
#include "kettle/io.h"       /* Lab 02 */
#include "kettle/poller.h"   /* Lab 02 */
#include "kettle/echo.h"     /* Lab 02 */
#include "kettle/gen.h"      /* Lab 03 (with the given stack.h) */
#include "kettle/future.h"   /* Lab 04 */
#include "kettle/task.h"     /* Lab 05 (a task is a Lab 04 future) */
#include "kettle/sync.h"     /* Lab 07 */
#include "kettle/queue.h"    /* Lab 07 */

#endif
