/* bench_util.h — what every driver in bench/ needs: a clock to time with, and
 * a way out that says what failed.
 *
 * Include it after the system headers of a file compiled with _GNU_SOURCE
 * (die names the program with program_invocation_short_name). die is there
 * only when kettle/errors.h came first: raw_echo_http.c, the baseline that
 * uses nothing of Kettle, takes now() alone.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock: differences are what a bench reports. */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#ifdef KETTLE_ERRORS_H
/* A Kettle call failed: say which and why ("bench_sync: ping: ..."), and
 * stop; a bench that carried on would time the wrong thing. */
static inline void die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, kt_strerror(rc));
    exit(1);
}
#endif

#endif
