/* test_queue.c — Lab 07: Queue, LifoQueue, PriorityQueue (book §7.9).
 *
 * Shared cases 107, 109, 111, 113, and the scenarios queue_maxsize_join.py,
 * queue_cancelled_getter.py, queue_cancelled_putter.py and priority_and_lifo.py
 * in tests/07-sync/scenarios. */
#include "sync_test.h"

typedef struct ctx {
    kt_loop *loop;
    kt_queue *q;
    const char *name;
    int n;
} ctx;

static void new_queue(kt_loop *loop, size_t maxsize, kt_queue **out)
{
    KT_CHECK_OK(kt_queue_new(loop, maxsize, out), "kt_queue_new with a valid loop must work (book §7.9)");
    KT_CHECK(*out != NULL, "kt_queue_new must hand back the queue in *out (book §7.9)");
}

static void free_queue(kt_queue *q)
{
    KT_CHECK_OK(kt_queue_free(q), "a queue nobody waits in can be freed (book §7.3)");
}

static char ITEMS[] = "0123456789";
#define ITEM(i) ((void *)&ITEMS[i])
#define NUM(p) ((int)((char *)(p) - ITEMS))

/* ------------------------------------------------------------ case 107 */

static int main_107(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(kt_queue_put(c->q, ITEM(i)), "put on an unbounded queue must work (book §7.9)");
    kt_log_add(&LOG, "qsize:%zu empty:%d full:%d", kt_queue_qsize(c->q), kt_queue_empty(c->q), kt_queue_full(c->q));
    for (int i = 0; i < 3; i++) {
        void *v = NULL;
        KT_CHECK_OK(kt_queue_get(c->q, &v), "get on a non-empty queue must work (book §7.9)");
        kt_log_add(&LOG, "%d", NUM(v));
    }
    void *v = ITEM(9);
    kt_log_add(&LOG, "empty:%d get_nowait:%s", kt_queue_empty(c->q), code_name(kt_queue_get_nowait(c->q, &v)));
    KT_CHECK(v == ITEM(9), "a refused get_nowait must not write *item_out (book §7.9)");
    kt_queue *b = NULL;
    new_queue(c->loop, 1, &b);
    KT_CHECK_OK(kt_queue_put_nowait(b, ITEM(1)), "put_nowait on a queue with room must work (book §7.9)");
    kt_log_add(&LOG, "put_nowait:%s full:%d qsize:%zu", code_name(kt_queue_put_nowait(b, ITEM(2))),
               kt_queue_full(b), kt_queue_qsize(b));
    KT_CHECK_OK(kt_queue_get_nowait(b, &v), "get_nowait on a non-empty queue must work (book §7.9)");
    KT_CHECK(v == ITEM(1), "the refused put_nowait must not have replaced the item (book §7.9)");
    free_queue(b);
    return 0;
}

static void queue_fifo_sizes_and_nowait_errors(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 0, &c.q);
    SPAWN(loop, main_107, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "qsize:3 empty:0 full:0 0 1 2 empty:1 get_nowait:QUEUEEMPTY put_nowait:QUEUEFULL full:1 qsize:1",
                 "a queue is FIFO; maxsize 0 is never full; get_nowait on an empty queue is "
                 "KT_EQUEUEEMPTY and put_nowait on a full one KT_EQUEUEFULL, the queue unchanged "
                 "(book §7.9; asyncio case 107)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 109 */

static int consumer(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    void *v = NULL;
    int rc = kt_queue_get(c->q, &v);
    if (rc == 0)
        kt_log_add(&LOG, "%s:got%d", c->name, NUM(v));
    else
        kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    return rc;
}

static int main_109(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w[3] = {{c->loop, c->q, "c0", 0}, {c->loop, c->q, "c1", 0}, {c->loop, c->q, "c2", 0}};
    kt_task *t[3];
    for (int i = 0; i < 3; i++)
        SPAWN(c->loop, consumer, &w[i], &t[i]);
    kt_sleep(0);
    for (int i = 0; i < 3; i++)
        KT_CHECK_OK(kt_queue_put_nowait(c->q, ITEM(i)), "put_nowait must work (book §7.9)");
    for (int i = 0; i < 3; i++) {
        kt_await_task(t[i], NULL);
        kt_task_release(t[i]);
    }
    return 0;
}

static void queue_getters_are_served_fifo(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 0, &c.q);
    SPAWN(loop, main_109, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "c0:got0 c1:got1 c2:got2",
                 "blocked getters are served in the order they started waiting, one item each "
                 "(book §7.9; asyncio case 109)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 111 */

static int main_111(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    KT_CHECK_OK(kt_call_soon(c->loop, say, "callback", NULL), "kt_call_soon must work (Lab 01)");
    KT_CHECK_OK(kt_queue_join(c->q), "join on a fresh queue must work (book §7.9)");
    kt_log_add(&LOG, "join-fresh");
    KT_CHECK_OK(kt_queue_put_nowait(c->q, ITEM(0)), "put_nowait must work (book §7.9)");
    kt_log_add(&LOG, "unfinished:%zu", kt_queue_unfinished(c->q));
    KT_CHECK_OK(kt_queue_task_done(c->q), "task_done after a put must work, even with no get (book §7.9)");
    KT_CHECK_OK(kt_queue_join(c->q), "join must work (book §7.9)");
    kt_log_add(&LOG, "join-after-task_done qsize:%zu", kt_queue_qsize(c->q));
    kt_sleep(0);
    void *v;
    kt_queue_get_nowait(c->q, &v);
    return 0;
}

static void queue_join_with_nothing_unfinished_does_not_yield(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 0, &c.q);
    SPAWN(loop, main_111, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "join-fresh unfinished:1 join-after-task_done qsize:1 callback",
                 "join with nothing unfinished returns at once without yielding; task_done counts puts, "
                 "not gets (book §7.9; asyncio case 111)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ case 113 */

/* [book:case113] */
static int main_113(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w1 = {c->loop, c->q, "c1", 0}, w2 = {c->loop, c->q, "c2", 0};
    kt_task *t1, *t2;
    SPAWN(c->loop, consumer, &w1, &t1);
    kt_sleep(0);
    SPAWN(c->loop, consumer, &w2, &t2);
    kt_sleep(0);
    kt_queue_put_nowait(c->q, ITEM(1)); /* wakes c1 ... */
    void *v = NULL;
    KT_CHECK_OK(kt_queue_get_nowait(c->q, &v), "get_nowait on a non-empty queue must work (book §7.9)");
    kt_log_add(&LOG, "thief:got%d", NUM(v)); /* ... but the item is stolen first */
    kt_sleep(0);
    kt_queue_put_nowait(c->q, ITEM(2));
    kt_sleep(0);
    kt_queue_put_nowait(c->q, ITEM(3));
    kt_await_task(t1, NULL);
    kt_await_task(t2, NULL);
    kt_task_release(t1);
    kt_task_release(t2);
    return 0;
}
/* [/book:case113] */

static void queue_robbed_getter_waits_again_at_the_end(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 0, &c.q);
    SPAWN(loop, main_113, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "thief:got1 c2:got2 c1:got3",
                 "a wake-up is not an item: a woken getter that finds the queue empty (someone took the "
                 "item first) waits again, at the end of the line (book §7.9; asyncio case 113)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ maxsize, join, task_done */

static int producer(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    for (int i = 0; i < c->n; i++) {
        KT_CHECK_OK(kt_queue_put(c->q, ITEM(i)), "put must work (book §7.9)");
        kt_log_add(&LOG, "put:%s%d:%zu", c->name, i, kt_queue_qsize(c->q));
    }
    return 0;
}

static int worker(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    for (;;) {
        void *v;
        int rc = kt_queue_get(c->q, &v);
        if (rc < 0)
            return rc;
        kt_log_add(&LOG, "got%d", NUM(v));
        KT_CHECK_OK(kt_queue_task_done(c->q), "task_done after a get must work (book §7.9)");
    }
}

static int main_bounded(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx a = {c->loop, c->q, "a", 3}, b = {c->loop, c->q, "b", 2};
    kt_task *pa, *pb, *w;
    SPAWN(c->loop, producer, &a, &pa);
    SPAWN(c->loop, producer, &b, &pb);
    kt_sleep(0);
    kt_log_add(&LOG, "full:%d", kt_queue_full(c->q));
    SPAWN(c->loop, worker, c, &w);
    kt_await_task(pa, NULL);
    kt_await_task(pb, NULL);
    KT_CHECK_OK(kt_queue_join(c->q), "join must work (book §7.9)");
    kt_log_add(&LOG, "joined:%zu", kt_queue_unfinished(c->q));
    kt_task_cancel(w, NULL);
    kt_await_task(w, NULL);
    kt_log_add(&LOG, "too-many:%s", code_name(kt_queue_task_done(c->q)));
    kt_task_release(pa);
    kt_task_release(pb);
    kt_task_release(w);
    return 0;
}

static void queue_maxsize_blocks_putters_and_join_waits(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 2, &c.q);
    SPAWN(loop, main_bounded, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf,
                 "put:a0:1 put:a1:2 full:1 got0 got1 put:a2:1 put:b0:2 got2 got0 put:b1:1 got1 joined:0 "
                 "too-many:EINVALSTATE",
                 "put on a full queue waits until a get makes room, putters served in order; join "
                 "returns when every put has its task_done; one task_done too many is KT_EINVALSTATE "
                 "(book §7.9; scenario queue_maxsize_join.py)");
    KT_CHECK_INT(kt_queue_unfinished(c.q), 0, "a refused task_done must not change the count (book §7.9)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelled getter */

static int main_cancel_getter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w1 = {c->loop, c->q, "g1", 0}, w2 = {c->loop, c->q, "g2", 0};
    kt_task *t1, *t2;
    SPAWN(c->loop, consumer, &w1, &t1);
    SPAWN(c->loop, consumer, &w2, &t2);
    kt_sleep(0);
    kt_queue_put_nowait(c->q, ITEM(7)); /* wakes g1 ... */
    kt_task_cancel(t1, NULL);           /* ... which is cancelled before it runs */
    kt_await_task(t1, NULL);
    kt_await_task(t2, NULL);
    kt_log_add(&LOG, "qsize:%zu", kt_queue_qsize(c->q));
    kt_task_release(t1);
    kt_task_release(t2);
    return 0;
}

static void queue_cancelled_getter_passes_the_item_on(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 0, &c.q);
    SPAWN(loop, main_cancel_getter, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "g1:CANCELLED g2:got7 qsize:0",
                 "a getter woken by put and cancelled before it runs passes the wake-up to the next "
                 "getter, so the item is not stranded (book §7.9; scenario queue_cancelled_getter.py)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ cancelled putter */

static int putter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    int rc = kt_queue_put(c->q, ITEM(c->n));
    kt_log_add(&LOG, "%s:%s", c->name, code_name(rc));
    return rc;
}

static int main_cancel_putter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx w1 = {c->loop, c->q, "p1", 1}, w2 = {c->loop, c->q, "p2", 2};
    kt_task *t1, *t2;
    void *v = NULL;
    KT_CHECK_OK(kt_queue_put_nowait(c->q, ITEM(0)), "put_nowait on an empty queue must work (book §7.9)");
    SPAWN(c->loop, putter, &w1, &t1);
    SPAWN(c->loop, putter, &w2, &t2);
    kt_sleep(0);
    KT_CHECK_OK(kt_queue_get_nowait(c->q, &v), "get_nowait on a full queue must work (book §7.9)");
    kt_log_add(&LOG, "got%d", NUM(v)); /* wakes p1 ... */
    kt_task_cancel(t1, NULL);          /* ... which is cancelled before it runs */
    kt_await_task(t1, NULL);
    kt_await_task(t2, NULL);
    v = NULL;
    kt_log_add(&LOG, "holds:%s", code_name(kt_queue_get_nowait(c->q, &v)));
    kt_log_add(&LOG, "%d", v ? NUM(v) : -1);
    kt_task_release(t1);
    kt_task_release(t2);
    return 0;
}

static void queue_cancelled_putter_passes_the_slot_on(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 1, &c.q);
    SPAWN(loop, main_cancel_putter, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf, "got0 p1:CANCELLED p2:OK holds:OK 2",
                 "a putter woken by get and cancelled before it runs passes the wake-up to the next "
                 "putter, so the free slot is used (book §7.9; scenario queue_cancelled_putter.py)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ robbed putter, maxsize 0, LIFO getter */

static int lifo_getter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    void *v = NULL;
    int rc = kt_queue_get(c->q, &v);
    kt_log_add(&LOG, "lifo-got:%s:%d", code_name(rc), v ? NUM(v) : -1);
    return rc;
}

static int main_robbed_putter(void *arg, void **result)
{
    (void)result;
    ctx *c = arg;
    ctx p0 = {c->loop, c->q, "p0", 2}, p1 = {c->loop, c->q, "p1", 3};
    kt_task *t0, *t1;
    void *v = NULL;
    KT_CHECK_OK(kt_queue_put_nowait(c->q, ITEM(0)), "put_nowait on an empty queue must work (book §7.9)");
    SPAWN(c->loop, putter, &p0, &t0);
    SPAWN(c->loop, putter, &p1, &t1);
    kt_sleep(0);
    KT_CHECK_OK(kt_queue_get_nowait(c->q, &v), "get_nowait on a full queue must work (book §7.9)");
    kt_log_add(&LOG, "took%d", NUM(v)); /* wakes p0 ... */
    KT_CHECK_OK(kt_queue_put_nowait(c->q, ITEM(1)),
                "put_nowait into the slot get_nowait just freed must work (book §7.9)"); /* ... robbed */
    kt_sleep(0);
    kt_sleep(0);
    kt_log_add(&LOG, "qsize:%zu", kt_queue_qsize(c->q));
    for (int i = 0; i < 3; i++) {
        KT_CHECK_OK(kt_queue_get(c->q, &v), "get must work (book §7.9)");
        kt_log_add(&LOG, "got%d", NUM(v));
    }
    kt_await_task(t0, NULL);
    kt_await_task(t1, NULL);
    kt_task_release(t0);
    kt_task_release(t1);

    kt_queue *unbounded = NULL;
    new_queue(c->loop, 0, &unbounded);
    for (int i = 0; i < 5; i++)
        KT_CHECK_OK(kt_queue_put_nowait(unbounded, ITEM(i)), "maxsize 0 is unbounded: put_nowait must work (book §7.9)");
    kt_log_add(&LOG, "maxsize0:full=%d:qsize=%zu", kt_queue_full(unbounded), kt_queue_qsize(unbounded));
    while (kt_queue_get_nowait(unbounded, &v) == 0)
        ;
    free_queue(unbounded);

    kt_queue *lifo = NULL;
    KT_CHECK_OK(kt_lifo_queue_new(c->loop, 0, &lifo), "kt_lifo_queue_new must work (book §7.9)");
    ctx g = {c->loop, lifo, "g", 0};
    kt_task *tg;
    SPAWN(c->loop, lifo_getter, &g, &tg);
    kt_sleep(0);
    KT_CHECK_OK(kt_queue_put_nowait(lifo, ITEM(1)), "put_nowait must work (book §7.9)"); /* wakes g ... */
    KT_CHECK_OK(kt_queue_put_nowait(lifo, ITEM(2)), "put_nowait must work (book §7.9)"); /* ... newest first */
    kt_await_task(tg, NULL);
    kt_task_release(tg);
    KT_CHECK_OK(kt_queue_get_nowait(lifo, &v), "one item is left in the LIFO queue (book §7.9)");
    kt_log_add(&LOG, "lifo-left:%d", NUM(v));
    free_queue(lifo);
    return 0;
}

static void queue_robbed_putter_waits_again_at_the_end(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    ctx c = {.loop = loop};
    new_queue(loop, 1, &c.q);
    SPAWN(loop, main_robbed_putter, &c, NULL);
    RUN_ALL(loop);
    KT_CHECK_STR(LOG.buf,
                 "took0 qsize:1 got1 p1:OK got3 p0:OK got2 maxsize0:full=0:qsize=5 lifo-got:OK:2 lifo-left:1",
                 "a wake-up is not a slot: a putter woken by get that finds the queue full again waits "
                 "again at the end of the line (p1 puts before p0); maxsize 0 is never full; a LIFO "
                 "getter woken by a put takes the newest item when it runs (book §7.9; scenario "
                 "queue_robbed_putter.py)");
    free_queue(c.q);
    CLOSE_LOOP(loop);
}

/* ------------------------------------------------------------ priority and LIFO */

static void queue_priority_order_is_stable_and_lifo_is_a_stack(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_queue *pq = NULL, *lq = NULL;
    KT_CHECK_OK(kt_priority_queue_new(loop, 0, &pq), "kt_priority_queue_new must work (book §7.9)");
    static const struct { double prio; const char *item; } in[] = {
        {2, "b1"}, {1, "a1"}, {2, "b2"}, {1, "a2"}, {0, "z"}, {2, "b3"},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        KT_CHECK_OK(kt_queue_put_priority_nowait(pq, in[i].prio, (void *)in[i].item),
                    "put_priority_nowait on a priority queue must work (book §7.9)");
    while (!kt_queue_empty(pq)) {
        void *v = NULL;
        KT_CHECK_OK(kt_queue_get_nowait(pq, &v), "get_nowait must work (book §7.9)");
        kt_log_add(&LOG, "%s", (char *)v);
    }
    KT_CHECK_OK(kt_lifo_queue_new(loop, 0, &lq), "kt_lifo_queue_new must work (book §7.9)");
    for (int i = 0; i < 4; i++)
        KT_CHECK_OK(kt_queue_put_nowait(lq, ITEM(i)), "put_nowait must work (book §7.9)");
    kt_log_add(&LOG, "|");
    while (!kt_queue_empty(lq)) {
        void *v = NULL;
        KT_CHECK_OK(kt_queue_get_nowait(lq, &v), "get_nowait must work (book §7.9)");
        kt_log_add(&LOG, "%d", NUM(v));
    }
    KT_CHECK_STR(LOG.buf, "z a1 a2 b1 b2 b3 | 3 2 1 0",
                 "a priority queue gives the lowest priority first and equal priorities in put order; "
                 "a LIFO queue gives the last item put first (book §7.9; scenario priority_and_lifo.py)");
    free_queue(pq);
    free_queue(lq);
    CLOSE_LOOP(loop);
}

static const kt_test_case tests[] = {
    KT_TEST(queue_fifo_sizes_and_nowait_errors, 3, "FIFO order, sizes, QueueEmpty/QueueFull (book §7.9)"),
    KT_TEST(queue_getters_are_served_fifo, 2, "blocked getters are served FIFO (book §7.9)"),
    KT_TEST(queue_join_with_nothing_unfinished_does_not_yield, 2, "join on nothing unfinished (book §7.9)"),
    KT_TEST(queue_robbed_getter_waits_again_at_the_end, 2, "a woken getter owns no item (book §7.9)"),
    KT_TEST(queue_maxsize_blocks_putters_and_join_waits, 3, "maxsize, join, task_done (book §7.9)"),
    KT_TEST(queue_cancelled_getter_passes_the_item_on, 3, "a cancelled getter passes the item on (book §7.9)"),
    KT_TEST(queue_cancelled_putter_passes_the_slot_on, 2, "a cancelled putter passes the slot on (book §7.9)"),
    KT_TEST(queue_robbed_putter_waits_again_at_the_end, 2, "a woken putter owns no slot (book §7.9)"),
    KT_TEST(queue_priority_order_is_stable_and_lifo_is_a_stack, 3,
            "priority order (stable) and LIFO order (book §7.9)"),
};

KT_MAIN("Lab 07 — queues", tests)
