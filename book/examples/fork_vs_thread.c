/* fork_vs_thread.c — what it costs to start a process, a thread, or just
 * call a function (book §A.4).
 *
 * Each way runs the same tiny piece of work many times and we print the
 * cost of one start, and how many plain function calls it is worth. The
 * times depend on the machine, its load and the sanitizers, so they change
 * from run to run; the order of magnitude between the rows is the point.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The "work": one write to memory. volatile keeps the compiler from
 * deleting the calls, so we measure calling, not nothing. */
static volatile int sink;

static void work(void)
{
    sink = sink + 1;
}

/* Called through a volatile pointer so the call cannot be inlined away. */
static void (*volatile work_ptr)(void) = work;

/* [book:starts] */
static double time_calls(int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++)
        work_ptr();
    return (now() - t0) / n;
}

static void *thread_main(void *arg)
{
    (void)arg;
    work();
    return NULL;
}

static double time_threads(int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
            perror("pthread_create");
            exit(1);
        }
        pthread_join(t, NULL);
    }
    return (now() - t0) / n;
}

static double time_processes(int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {      /* the child: do the work and leave at once */
            work();
            _exit(0);        /* _exit, not exit: skip the parent's atexit handlers */
        }
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child failed\n");
            exit(1);
        }
    }
    return (now() - t0) / n;
}
/* [/book:starts] */

int main(void)
{
    fflush(stdout); /* nothing buffered may be copied into the children */
    double call = time_calls(1000000);
    double thread = time_threads(1000);
    double process = time_processes(100);

    printf("%-26s %14s %16s\n", "way to run the work", "time per run", "function calls");
    printf("%-26s %11.3f us %16.0f\n", "function call", call * 1e6, 1.0);
    printf("%-26s %11.3f us %16.0f\n", "pthread_create + join", thread * 1e6, thread / call);
    printf("%-26s %11.3f us %16.0f\n", "fork + waitpid", process * 1e6, process / call);
    printf("(times change with the machine and its load; compare orders of magnitude)\n");
    return 0;
}
