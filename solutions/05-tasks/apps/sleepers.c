/* sleepers.c — three tasks sleep 3, 2 and 1 seconds: together, then in turn.
 *
 *     make run LAB=05 APP=sleepers                  virtual clock (instant)
 *     make run LAB=05 APP=sleepers ARGS=--real      the real clock (9 s in all)
 *
 * Prints a timeline of what each coroutine does and when. The book's §5.4
 * timeline is this program's output. The Python twin:
 *
 *     async def sleeper(name, d):
 *         print(f"{name}: sleeps {d} s"); await asyncio.sleep(d); print(f"{name}: wakes")
 *     async def main():
 *         ts = [asyncio.create_task(sleeper(n, d)) for n, d in (("a", 3), ("b", 2), ("c", 1))]
 *         for t in ts: await t            # together: 3 s
 *         for n, d in (("a", 3), ("b", 2), ("c", 1)):
 *             await sleeper(n, d)         # in turn: 6 s
 */
#include <stdio.h>
#include <string.h>

#include "kettle/kettle.h"

/* [book:example] */
typedef struct sleeper {
    const char *name;
    double seconds;
} sleeper;

static double t0;

static void say(const char *who, const char *what, double seconds)
{
    printf("t=%.0f  %-5s %s", kt_loop_time(kt_get_running_loop()) - t0, who, what);
    if (seconds >= 0)
        printf(" %.0f s", seconds);
    printf("\n");
}

static int sleeper_body(void *arg, void **result)
{
    sleeper *s = arg;
    say(s->name, "sleeps", s->seconds);
    int rc = kt_sleep(s->seconds); /* await asyncio.sleep(seconds) */
    if (rc < 0)
        return rc;
    say(s->name, "wakes", -1);
    *result = (void *)s->name;
    return 0;
}

static sleeper trio[3] = {{"a", 3}, {"b", 2}, {"c", 1}};

static int main_body(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    t0 = kt_loop_time(loop);

    say("main", "creates tasks a, b, c", -1);
    kt_task *t[3];
    for (int i = 0; i < 3; i++) {
        int rc = kt_create_task(loop, sleeper_body, &trio[i], &t[i]);
        if (rc < 0)
            return rc;
    }
    for (int i = 0; i < 3; i++) { /* await each: they all sleep at once */
        char line[32];
        snprintf(line, sizeof line, "awaits %s", trio[i].name);
        say("main", line, -1);
        void *name = NULL;
        kt_await_task(t[i], &name);
        snprintf(line, sizeof line, "got %s", (const char *)name);
        say("main", line, -1);
        kt_task_release(t[i]);
    }
    say("main", "together: done after", kt_loop_time(loop) - t0);

    double t1 = kt_loop_time(loop);
    for (int i = 0; i < 3; i++) /* the same bodies called in turn, no tasks */
        sleeper_body(&trio[i], result);
    say("main", "in turn: done after", kt_loop_time(loop) - t1);
    return 0;
}
/* [/book:example] */

int main(int argc, char **argv)
{
    kt_run_options opts = {KT_CLOCK_VIRTUAL, NULL, NULL};
    if (argc > 1 && strcmp(argv[1], "--real") == 0)
        opts.clock = KT_CLOCK_REAL;
    int rc = kt_run(main_body, NULL, NULL, &opts);
    if (rc < 0) {
        fprintf(stderr, "sleepers: %s\n", kt_strerror(rc));
        return 1;
    }
    return 0;
}
