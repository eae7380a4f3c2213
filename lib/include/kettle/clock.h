/* clock.h — the loop's clock: real (monotonic) or virtual.
 *
 * A virtual clock starts at 0.0 and moves only when the loop has nothing to
 * do but wait: then it jumps straight to the next timer. A test that sleeps
 * for an hour of virtual time takes microseconds and cannot flake on a busy
 * machine. Twin: loop.time() (time.monotonic()); the virtual clock is the
 * idea behind test utilities such as Twisted's task.Clock.
 */
#ifndef KETTLE_CLOCK_H
#define KETTLE_CLOCK_H

typedef enum kt_clock_kind {
    KT_CLOCK_REAL,    /* CLOCK_MONOTONIC; waits really wait */
    KT_CLOCK_VIRTUAL, /* starts at 0.0; waits jump time forward */
} kt_clock_kind;

typedef struct kt_clock {
    kt_clock_kind kind;
    double virtual_now; /* seconds, virtual clocks only */
} kt_clock;

void kt_clock_init(kt_clock *c, kt_clock_kind kind);

/* Seconds since an arbitrary fixed point. Never goes backwards. */
double kt_clock_now(const kt_clock *c);

/* Let `seconds` pass: a real clock sleeps (resuming after signals), a
 * virtual one jumps forward. Returns 0 or KT_EINVAL for a negative or NaN
 * duration. */
int kt_clock_sleep(kt_clock *c, double seconds);

/* Virtual clocks only: move to `when` if it is later than now. */
void kt_clock_advance_to(kt_clock *c, double when);

/* The real monotonic clock in seconds, whatever a loop uses. */
double kt_monotonic(void);

#endif
