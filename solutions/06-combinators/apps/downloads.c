/* downloads.c — three downloads (a 3 s, b 1 s, c 2 s) collected three
 * ways: gather, wait(FIRST_COMPLETED) and as_completed.
 *
 *     make run LAB=06 APP=downloads       on the virtual clock (instant)
 *
 * Prints one line per event, "<combinator> <t> <who> <what>", with t in
 * seconds since that combinator started. The book's §6.1 timeline is drawn
 * from this program's output at build time (tools/book/downloads_timeline.py).
 * The Python twin is tests/06-combinators/asyncio/downloads.py:
 *
 *     async def download(name, delay):
 *         await asyncio.sleep(delay); return name
 *     res = await asyncio.gather(download("a", 3), download("b", 1), download("c", 2))
 *     done, pending = await asyncio.wait(tasks, return_when=FIRST_COMPLETED)
 *     for f in asyncio.as_completed(aws): print(await f)
 */
#include <math.h>
#include <stdio.h>

#include "kettle/kettle.h"

typedef struct download {
    const char *name;
    double seconds;
} download;

static const download jobs[3] = {{"a", 3}, {"b", 1}, {"c", 2}};
static const char *section; /* which combinator is running */
static double t0;

static void event(const char *who, const char *what)
{
    printf("%-12s %g %-4s %s\n", section, kt_loop_time(kt_get_running_loop()) - t0, who, what);
}

/* [book:download] */
static int download_body(void *arg, void **result)
{
    const download *d = arg;
    event(d->name, "starts");
    int rc = kt_sleep(d->seconds); /* the network, in this demo */
    if (rc < 0)
        return rc;
    event(d->name, "done");
    *result = (void *)d->name;
    return 0;
}
/* [/book:download] */

static void start_all(kt_task **t, kt_future **fs)
{
    kt_loop *loop = kt_get_running_loop();
    t0 = kt_loop_time(loop);
    for (int i = 0; i < 3; i++) {
        kt_create_task(loop, download_body, (void *)&jobs[i], &t[i]);
        fs[i] = kt_task_future(t[i]);
    }
}

static void release_all(kt_task **t)
{
    for (int i = 0; i < 3; i++)
        kt_task_release(t[i]);
}

/* [book:three_ways] */
static int by_gather(void)
{
    kt_task *t[3];
    kt_future *fs[3], *g = NULL;
    start_all(t, fs);
    int rc = kt_gather(kt_get_running_loop(), fs, 3, false, &g);
    void *v = NULL;
    if (rc == 0)
        rc = kt_await(g, &v); /* res = await asyncio.gather(a, b, c) */
    if (rc == 0) {
        kt_outcome *res = v;
        char what[64];
        snprintf(what, sizeof what, "gets [%s %s %s]", (char *)res[0].value, (char *)res[1].value,
                 (char *)res[2].value);
        event("main", what);
    }
    kt_future_release(g);
    release_all(t);
    return rc;
}

static int by_wait(void)
{
    kt_task *t[3];
    kt_future *fs[3], *done[3], *pending[3];
    start_all(t, fs);
    kt_wait_sets sets = {done, 0, pending, 0};
    int rc = kt_wait(fs, 3, KT_FIRST_COMPLETED, INFINITY, &sets);
    if (rc == 0) {
        char what[64] = "";
        for (size_t i = 0; i < sets.n_done; i++) {
            void *name = NULL;
            kt_future_result(sets.done[i], &name);
            snprintf(what, sizeof what, "gets done {%s}, %zu pending", (char *)name, sets.n_pending);
        }
        event("main", what);
        kt_wait_sets rest = {NULL, 0, NULL, 0};
        rc = kt_wait(fs, 3, KT_ALL_COMPLETED, INFINITY, &rest); /* let the others finish */
    }
    release_all(t);
    return rc;
}

static int by_as_completed(void)
{
    kt_task *t[3];
    kt_future *fs[3];
    start_all(t, fs);
    kt_as_completed *it = NULL;
    int rc = kt_as_completed_new(kt_get_running_loop(), fs, 3, INFINITY, &it);
    void *v = NULL;
    while (rc == 0 && (rc = kt_as_completed_next(it, NULL, &v)) == 0) { /* for f in as_completed(fs) */
        char what[32];
        snprintf(what, sizeof what, "gets %s", (char *)v);
        event("main", what);
    }
    kt_as_completed_free(it);
    release_all(t);
    return rc == KT_ESTOP ? 0 : rc;
}
/* [/book:three_ways] */

static int main_body(void *arg, void **result)
{
    (void)arg;
    (void)result;
    section = "gather";
    int rc = by_gather();
    section = "wait";
    if (rc == 0)
        rc = by_wait();
    section = "as_completed";
    if (rc == 0)
        rc = by_as_completed();
    return rc;
}

int main(void)
{
    printf("# three downloads (a 3 s, b 1 s, c 2 s), virtual clock: <combinator> <t> <who> <what>\n");
    kt_run_options opts = {.clock = KT_CLOCK_VIRTUAL};
    int rc = kt_run(main_body, NULL, NULL, &opts);
    if (rc < 0) {
        fprintf(stderr, "downloads: %s\n", kt_strerror(rc));
        return 1;
    }
    return 0;
}
