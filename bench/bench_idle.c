/* bench_idle.c — the cost of one loop iteration with many idle connections,
 * select backend against epoll backend (book §2.2, the measured figure).
 *
 * Build and run from the top of the kit (plain -O2, no sanitizers):
 *
 *     mkdir -p build && cc -std=c11 -O2 -Ilib/include -o build/bench_idle \
 *         bench/bench_idle.c solutions/02-io/io.c solutions/02-io/poll_select.c \
 *         solutions/02-io/poll_epoll.c solutions/01-callbacks/loop.c \
 *         lib/src/clock.c lib/src/errors.c lib/src/heap.c lib/src/loop_core.c lib/src/poller.c -lm
 *     ./build/bench_idle            # or: ./build/bench_idle 20000  (iterations per point)
 *
 * What it measures: a loop watches N idle socket pairs (a reader on one end
 * of each, no data ever comes) and one busy pair whose reader reads a byte
 * and writes one back, so exactly one fd is ready in every iteration. The
 * time per kt_loop_run_once is what the loop pays for the fds that did
 * nothing. select copies and scans bitmaps up to the highest fd, so its
 * cost grows with N; epoll returns only the ready fd, so its cost does not.
 * select cannot go past FD_SETSIZE (1024) fds: with 2 fds per pair it stops
 * below N = 511, and the table says so.
 *
 * The output is a Markdown table, pasted into book/docs/labs/02-io.md.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kettle/kettle.h"

static int busy[2];

/* The busy connection: take the byte, send one back, stay readable. */
static void ping(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    char ch;
    if (read(busy[0], &ch, 1) == 1 && write(busy[1], &ch, 1) != 1)
        abort();
}

static void idle(kt_loop *loop, void *arg)
{
    (void)loop;
    (void)arg;
    abort(); /* an idle fd must never be reported */
}

/* Microseconds per iteration with n idle pairs on `backend`, or -1 when the
 * backend cannot watch that many fds. */
static double measure(const char *backend, int n, long iterations)
{
    setenv("KETTLE_POLLER", backend, 1); /* read at the loop's first add_reader */
    kt_loop *loop;
    if (kt_loop_new(&loop, KT_CLOCK_REAL) < 0)
        abort();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, busy) < 0)
        abort();
    int (*pairs)[2] = calloc((size_t)n, sizeof *pairs);
    double result = -1;
    int made = 0, rc = 0;
    for (; made < n; made++) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pairs[made]) < 0)
            abort();
        rc = kt_add_reader(loop, pairs[made][0], idle, NULL);
        if (rc < 0) { /* KT_EFDLIMIT: select is full */
            made++;
            goto out;
        }
    }
    if (kt_add_reader(loop, busy[0], ping, NULL) < 0 || write(busy[1], "x", 1) != 1)
        goto out;
    for (long i = 0; i < iterations / 10; i++) /* warm up */
        kt_loop_run_once(loop);
    double t0 = kt_monotonic();
    for (long i = 0; i < iterations; i++)
        if (kt_loop_run_once(loop) < 0)
            abort();
    result = (kt_monotonic() - t0) / (double)iterations * 1e6;
out:
    for (int i = 0; i < made; i++) {
        kt_remove_reader(loop, pairs[i][0]);
        close(pairs[i][0]);
        close(pairs[i][1]);
    }
    kt_remove_reader(loop, busy[0]);
    close(busy[0]);
    close(busy[1]);
    free(pairs);
    kt_loop_close(loop);
    return result;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : 20000;
    static const int sizes[] = { 10, 100, 500, 1000 };
    struct rlimit rl; /* 1000 pairs need 2000+ fds */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
        rl.rlim_cur = 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct utsname u;
    uname(&u);
    printf("Time per loop iteration, one busy connection plus N idle ones (%ld iterations each; %s %s, %ld CPUs)\n\n",
           iterations, u.sysname, u.release, sysconf(_SC_NPROCESSORS_ONLN));
    printf("| idle connections N | select (µs) | epoll (µs) | select / epoll |\n");
    printf("|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double s = measure("select", sizes[i], iterations);
        double e = measure("epoll", sizes[i], iterations);
        char sel[32] = "— (FD_SETSIZE)", ratio[32] = "—";
        if (s >= 0) {
            snprintf(sel, sizeof sel, "%.2f", s);
            snprintf(ratio, sizeof ratio, "%.1f×", s / e);
        }
        printf("| %d | %s | %.2f | %s |\n", sizes[i], sel, e, ratio);
    }
    return 0;
}
