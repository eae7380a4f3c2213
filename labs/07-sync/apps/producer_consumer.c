/* producer_consumer.c — a bakery: one oven bakes ten loaves into a shelf
 * that holds three; two shop assistants sell them; the shop closes when
 * every loaf baked has been sold (Queue.join).
 *
 *     make run LAB=07 APP=producer_consumer                virtual clock (instant)
 *     make run LAB=07 APP=producer_consumer ARGS=--real    the real clock (about 5 s)
 *
 * The oven waits when the shelf is full (a bounded queue's put), the
 * assistants wait when it is empty (get), and main waits on join until each
 * loaf has its task_done. The Python twin:
 *
 *     async def oven(shelf, n):
 *         for i in range(n):
 *             await asyncio.sleep(0.2); await shelf.put(i)      # waits while full
 *     async def assistant(name, shelf, pace):
 *         while True:
 *             loaf = await shelf.get(); await asyncio.sleep(pace); shelf.task_done()
 *     async def main():
 *         shelf = asyncio.Queue(maxsize=3)
 *         staff = [asyncio.create_task(assistant(n, shelf, p)) for n, p in (("ann", 0.9), ("bob", 1.3))]
 *         await oven(shelf, 10); await shelf.join()
 *         for s in staff: s.cancel()
 */
#include <stdio.h>
#include <string.h>

#include "kettle/kettle.h"

/* [book:example] */
typedef struct assistant {
    const char *name;
    double pace; /* seconds to sell one loaf */
    kt_queue *shelf;
    int sold;
} assistant;

static double t0;

static double now(void)
{
    return kt_loop_time(kt_get_running_loop()) - t0;
}

static int oven(kt_queue *shelf, int loaves)
{
    static int numbers[16];
    for (int i = 0; i < loaves; i++) {
        int rc = kt_sleep(0.2); /* baking */
        if (rc < 0)
            return rc;
        numbers[i] = i + 1;
        bool full = kt_queue_full(shelf);
        if (full)
            printf("t=%.1f  oven   loaf %d ready, shelf full: waits\n", now(), i + 1);
        rc = kt_queue_put(shelf, &numbers[i]); /* await shelf.put(loaf) */
        if (rc < 0)
            return rc;
        printf("t=%.1f  oven   loaf %d on the shelf (%zu/%zu)\n", now(), i + 1, kt_queue_qsize(shelf),
               kt_queue_maxsize(shelf));
    }
    return 0;
}

static int assistant_body(void *arg, void **result)
{
    (void)result;
    assistant *a = arg;
    for (;;) {
        void *loaf = NULL;
        int rc = kt_queue_get(a->shelf, &loaf); /* await shelf.get() */
        if (rc < 0)
            return rc; /* cancelled: the shop is closed */
        printf("t=%.1f  %-6s sells loaf %d\n", now(), a->name, *(int *)loaf);
        rc = kt_sleep(a->pace);
        a->sold++;
        kt_queue_task_done(a->shelf); /* shelf.task_done() */
        if (rc < 0)
            return rc;
    }
}

static int main_body(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_loop *loop = kt_get_running_loop();
    t0 = kt_loop_time(loop);
    kt_queue *shelf = NULL;
    int rc = kt_queue_new(loop, 3, &shelf); /* asyncio.Queue(maxsize=3) */
    if (rc < 0)
        return rc;
    assistant staff[2] = {{"ann", 0.9, shelf, 0}, {"bob", 1.3, shelf, 0}};
    kt_task *t[2];
    for (int i = 0; i < 2; i++)
        kt_create_task(loop, assistant_body, &staff[i], &t[i]);

    rc = oven(shelf, 10);
    printf("t=%.1f  main   oven done; waits for the shelf to be sold out (join)\n", now());
    if (rc == 0)
        rc = kt_queue_join(shelf); /* await shelf.join() */
    printf("t=%.1f  main   every loaf sold: ann %d, bob %d; closing\n", now(), staff[0].sold, staff[1].sold);
    for (int i = 0; i < 2; i++) {
        kt_task_cancel(t[i], NULL);
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    kt_queue_free(shelf);
    return rc;
}
/* [/book:example] */

int main(int argc, char **argv)
{
    kt_run_options opts = {KT_CLOCK_VIRTUAL, NULL, NULL};
    if (argc > 1 && strcmp(argv[1], "--real") == 0)
        opts.clock = KT_CLOCK_REAL;
    int rc = kt_run(main_body, NULL, NULL, &opts);
    if (rc < 0) {
        fprintf(stderr, "producer_consumer: %s\n", kt_strerror(rc));
        return 1;
    }
    return 0;
}
