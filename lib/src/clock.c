/* clock.c — real and virtual clocks (see clock.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <time.h>

#include "kettle/clock.h"
#include "kettle/errors.h"

double kt_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kt_clock_init(kt_clock *c, kt_clock_kind kind)
{
    c->kind = kind;
    c->virtual_now = 0.0;
}

double kt_clock_now(const kt_clock *c)
{
    return c->kind == KT_CLOCK_VIRTUAL ? c->virtual_now : kt_monotonic();
}

void kt_clock_advance_to(kt_clock *c, double when)
{
    if (c->kind == KT_CLOCK_VIRTUAL && when > c->virtual_now)
        c->virtual_now = when;
}

int kt_clock_sleep(kt_clock *c, double seconds)
{
    if (isnan(seconds) || seconds < 0)
        return KT_EINVAL;
    if (c->kind == KT_CLOCK_VIRTUAL) {
        c->virtual_now += seconds;
        return 0;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    /* nanosleep writes the time still left when a signal interrupts it. */
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 0;
}
