/* loop_fixtures.h — what the tests of every lab that runs a loop share:
 * one event log, a fresh loop, and the callbacks that write to the log.
 *
 * Header-only and static, like the test binaries themselves: each test
 * file that includes it gets its own LOG, and an unused helper costs
 * nothing. A lab's own helpers (closing the loop with a message that cites
 * its chapter, spawning tasks, ...) stay in that lab's test files. */
#ifndef KETTLE_LOOP_FIXTURES_H
#define KETTLE_LOOP_FIXTURES_H

#include "ktest.h"
#include "kettle/loop.h"

static kt_log LOG; /* what the callbacks did, in order */

/* A new loop with an empty LOG. Lab 01's kt_loop_new is given code, so
 * failing here means the kit itself is broken, not the lab. */
static inline kt_loop *kt_test_loop(kt_clock_kind clock)
{
    kt_log_init(&LOG);
    kt_loop *loop = NULL;
    KT_CHECK_OK(kt_loop_new(&loop, clock), "creating a loop (given code) must work");
    return loop;
}

/* Callbacks: log the word given as arg; log it with the loop time
 * ("word@3"); stop the loop. */
static inline void say(kt_loop *loop, void *word)
{
    (void)loop;
    kt_log_add(&LOG, "%s", (const char *)word);
}

static inline void say_time(kt_loop *loop, void *word)
{
    kt_log_add(&LOG, "%s@%g", (const char *)word, kt_loop_time(loop));
}

static inline void stop(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_loop_stop(loop);
}

#endif
