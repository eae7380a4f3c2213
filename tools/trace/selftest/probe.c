/* probe.c — a small program for the tracer's self-test (tools/trace/selftest.sh).
 *
 *     probe [--real]
 *
 * main creates three tasks: "sleeper" sleeps 1 s and returns, "failer"
 * returns an error, "victim" sleeps 10 s and is cancelled by main with the
 * message "enough". A pipe becomes readable after main writes to it, so one
 * iteration runs an I/O callback. main also sends "pool_job" to the default
 * thread pool (kt_to_thread, Lab 08), whose given code marks the job on its
 * worker's track. A thread marks a job with kt_trace_begin /
 * kt_trace_end, and a forked child exits through exit() (which must not
 * write a second copy of the trace). Prints what it did, one line each, so
 * the self-test can also compare a traced run with an untraced one. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kettle/kettle.h"

#define USER_ERROR (KT_EUSER - 1)

static int pipefd[2];

static int sleeper(void *arg, void **result)
{
    (void)arg;
    int rc = kt_sleep(1.0);
    *result = NULL;
    return rc;
}

static int failer(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return USER_ERROR;
}

static int victim(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return kt_sleep(10.0);
}

static void on_readable(kt_loop *loop, void *arg)
{
    (void)arg;
    char c;
    if (read(pipefd[0], &c, 1) == 1)
        printf("read %c\n", c);
    kt_remove_reader(loop, pipefd[0]);
}

static void *job(void *arg)
{
    (void)arg;
    kt_trace_begin("probe job");
    kt_trace_end("probe job");
    return NULL;
}

static int pool_job(void *arg, void **result)
{
    (void)arg;
    *result = (void *)(intptr_t)42;
    return 0;
}

static int main_body(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    /* First, while no timer is pending: on the virtual clock, a wait for the
     * thread would otherwise let the clock jump to the tasks' timers. */
    void *answer = NULL;
    int rc = kt_to_thread(pool_job, NULL, &answer);
    printf("to_thread: %s %d\n", kt_strerror(rc), (int)(intptr_t)answer);
    kt_task *s, *f, *v;
    if (kt_create_task(loop, sleeper, NULL, &s) < 0 || kt_create_task(loop, failer, NULL, &f) < 0 ||
        kt_create_task(loop, victim, NULL, &v) < 0)
        return KT_ENOMEM;
    kt_add_reader(loop, pipefd[0], on_readable, NULL);
    if (write(pipefd[1], "x", 1) != 1)
        return KT_EINVAL;
    kt_sleep(0.5);
    printf("cancel victim: %d\n", kt_task_cancel(v, "enough"));
    printf("sleeper: %s\n", kt_strerror(kt_await_task(s, NULL)));
    printf("failer: %s\n", kt_await_task(f, NULL) == USER_ERROR ? "user error" : "?");
    printf("victim: %s\n", kt_strerror(kt_await_task(v, NULL)));
    kt_task_release(s);
    kt_task_release(f);
    kt_task_release(v);
    return 0;
}

int main(int argc, char **argv)
{
    bool real = argc > 1 && strcmp(argv[1], "--real") == 0;
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return 1;
    pthread_t th;
    kt_run_options opts = {.clock = real ? KT_CLOCK_REAL : KT_CLOCK_VIRTUAL};
    int rc = kt_run(main_body, NULL, NULL, &opts);
    printf("run: %s\n", kt_strerror(rc));
    if (pthread_create(&th, NULL, job, NULL) == 0)
        pthread_join(th, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        exit(0); /* runs atexit handlers: the trace must stay the parent's */
    if (pid > 0)
        waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    return rc == 0 ? 0 : 1;
}
