/* test_gen_nest.c — Lab 03: generators driving generators (book §3.7).
 *
 * A body may create and drive another generator: the C picture of Python's
 * `yield from`. Every level must see itself as kt_gen_current(), and every
 * switch must come back to the right stack. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "ktest.h"

#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

/* ---- yield from ---------------------------------------------------------- */

/* Yields lo, lo+1, ..., hi-1, then returns their sum. */
typedef struct {
    long lo, hi;
} range;

static int range_body(void *arg, void **result)
{
    range *r = arg;
    long sum = 0;
    for (long i = r->lo; i < r->hi; i++) {
        int rc = kt_gen_yield(V(i), NULL);
        if (rc != 0)
            return rc;
        sum += i;
    }
    *result = V(sum);
    return 0;
}

/* Python:
 *     def outer():
 *         a = yield from range_gen(0, 3)
 *         b = yield from range_gen(10, 12)
 *         return a + b
 * Each inner generator is driven by hand: forward what it yields, stop on
 * KT_ESTOP and keep its result. */
/* [book:yield_from] */
static int yield_from(range *r, long *sum)
{
    kt_gen *inner = NULL;
    int rc = kt_gen_new(&inner, range_body, r, 0);
    if (rc != 0)
        return rc;
    void *v = NULL;
    while ((rc = kt_gen_send(inner, NULL, &v)) == 0) {
        rc = kt_gen_yield(v, NULL);
        if (rc != 0)
            break; /* an error thrown into us: pass it on (simplified) */
    }
    if (rc == KT_ESTOP) {
        *sum += N(v);
        rc = 0;
    }
    kt_gen_free(inner);
    return rc;
}
/* [/book:yield_from] */

static int outer_body(void *arg, void **result)
{
    (void)arg;
    long sum = 0;
    range a = {0, 3}, b = {10, 12};
    int rc = yield_from(&a, &sum);
    if (rc == 0)
        rc = yield_from(&b, &sum);
    *result = V(sum);
    return rc;
}

static void nested_generators_yield_from(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, outer_body, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    kt_log log;
    kt_log_init(&log);
    void *v = NULL;
    int rc, n = 0;
    while ((rc = kt_gen_send(g, NULL, &v)) == 0 && n++ < 100)
        kt_log_add(&log, "%ld", N(v));
    KT_CHECK_STR(log.buf, "0 1 2 10 11",
                 "a generator that drives inner generators and yields what they yield must pass every value "
                 "through, in order (Python: yield from) (book §3.7)");
    KT_CHECK_ERR(rc, KT_ESTOP, "the outer generator returns after both inner ones (book §3.7)");
    KT_CHECK_INT(N(v), 0 + 1 + 2 + 10 + 11,
                 "the outer result is the sum of the inner results, each taken from an inner KT_ESTOP (book §3.7)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- the current pointer at every level ------------------------------------ */

/* Level `depth` logs who is current as it starts, around driving the next
 * level, and after each of its own yields. Names: main, L1, L2, L3. */
typedef struct level {
    int depth;
    kt_log *log;
    kt_gen *self; /* filled by whoever created it */
} level;

static const char *who(kt_gen *g, level *levels)
{
    if (g == NULL)
        return "main";
    for (int i = 0; i < 3; i++)
        if (levels[i].self == g)
            return (const char *[]){"L1", "L2", "L3"}[i];
    return "??";
}

static level *all_levels;

static int level_body(void *arg, void **result)
{
    (void)result;
    level *me = arg;
    kt_log_add(me->log, "%d:%s", me->depth, who(kt_gen_current(), all_levels));
    if (me->depth < 3) {
        level *next = &all_levels[me->depth];
        int rc = kt_gen_new(&next->self, level_body, next, 0);
        if (rc != 0)
            return rc;
        while ((rc = kt_gen_send(next->self, NULL, NULL)) == 0) {
            kt_log_add(me->log, "%d:%s", me->depth, who(kt_gen_current(), all_levels));
            kt_gen_yield(NULL, NULL);
            kt_log_add(me->log, "%d:%s", me->depth, who(kt_gen_current(), all_levels));
        }
        kt_gen_free(next->self);
        next->self = NULL;
        kt_log_add(me->log, "%d:%s", me->depth, who(kt_gen_current(), all_levels));
        return rc == KT_ESTOP ? 0 : rc;
    }
    kt_gen_yield(NULL, NULL);
    kt_log_add(me->log, "%d:%s", me->depth, who(kt_gen_current(), all_levels));
    return 0;
}

static void current_pointer_right_at_every_level(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    level levels[3] = {{1, &log, NULL}, {2, &log, NULL}, {3, &log, NULL}};
    all_levels = levels;
    KT_CHECK_OK(kt_gen_new(&levels[0].self, level_body, &levels[0], 0), "kt_gen_new must make a generator (book §3.6)");
    int rc, n = 0;
    while ((rc = kt_gen_send(levels[0].self, NULL, NULL)) == 0 && n++ < 10)
        kt_log_add(&log, "0:%s", who(kt_gen_current(), levels));
    KT_CHECK_ERR(rc, KT_ESTOP, "the outermost generator finishes after the inner ones (book §3.7)");
    KT_CHECK_STR(log.buf, "1:L1 2:L2 3:L3 2:L2 1:L1 0:main 1:L1 2:L2 3:L3 2:L2 1:L1",
                 "kt_gen_current() must name the innermost running generator at every level, and the "
                 "generator a send returns to must become current again (main is NULL) (book §3.7); "
                 "each word is depth:current");
    KT_CHECK_OK(kt_gen_free(levels[0].self), "kt_gen_free of a finished generator succeeds (book §3.6)");
    all_levels = NULL;
}

/* ---- sending into a running generator ---------------------------------------- */

typedef struct {
    kt_gen *outer;
    int into_outer, into_self, throw_outer, outer_state;
} cycle_probe;

static int inner_pokes_outer(void *arg, void **result)
{
    (void)result;
    cycle_probe *p = arg;
    p->outer_state = kt_gen_getstate(p->outer);
    p->into_outer = kt_gen_send(p->outer, NULL, NULL);
    p->throw_outer = kt_gen_throw(p->outer, KT_ECANCELLED, NULL);
    p->into_self = kt_gen_send(kt_gen_current(), NULL, NULL);
    return 0;
}

static int outer_drives_inner(void *arg, void **result)
{
    (void)result;
    cycle_probe *p = arg;
    kt_gen *inner = NULL;
    int rc = kt_gen_new(&inner, inner_pokes_outer, p, 0);
    if (rc != 0)
        return rc;
    rc = kt_gen_send(inner, NULL, NULL);
    kt_gen_free(inner);
    return rc == KT_ESTOP ? 0 : rc;
}

static void send_into_running_generator_refused(void **state)
{
    (void)state;
    cycle_probe p = {NULL, 1, 1, 1, -1};
    KT_CHECK_OK(kt_gen_new(&p.outer, outer_drives_inner, &p, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(p.outer, NULL, NULL), KT_ESTOP,
                 "the outer generator finishes once its inner one has (book §3.7)");
    KT_CHECK(p.outer_state == KT_GEN_RUNNING,
             "a generator blocked in a send to the generator it drives is still GEN_RUNNING (book §3.6, §3.7); got %s (%d)",
             kt_gen_state_name(p.outer_state), p.outer_state);
    KT_CHECK_ERR(p.into_outer, KT_ERUNNING,
                 "an inner generator sending into the generator that drives it gets KT_ERUNNING: that "
                 "generator's body is executing (Python: ValueError \"generator already executing\") (book §3.6)");
    KT_CHECK_ERR(p.throw_outer, KT_ERUNNING, "throwing into a running generator is KT_ERUNNING too (book §3.6)");
    KT_CHECK_ERR(p.into_self, KT_ERUNNING, "a body sending into its own generator gets KT_ERUNNING (book §3.6)");
    KT_CHECK_OK(kt_gen_free(p.outer), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- resumed from different stacks ----------------------------------------- */

/* A counter: yields 1, 2, 3, ... adding whatever is sent. */
static int accumulator(void *arg, void **result)
{
    (void)arg;
    (void)result;
    long total = 0;
    void *sent = NULL;
    for (;;) {
        int rc = kt_gen_yield(V(total), &sent);
        if (rc != 0)
            return rc;
        total += N(sent);
    }
}

/* Sends (long)arg into the shared accumulator from inside another generator. */
static kt_gen *shared_acc;

static int sends_to_shared(void *arg, void **result)
{
    return kt_gen_send(shared_acc, arg, result) == 0 ? 0 : KT_EINVALSTATE;
}

static void generator_resumed_from_different_stacks(void **state)
{
    (void)state;
    KT_CHECK_OK(kt_gen_new(&shared_acc, accumulator, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    void *v = NULL;
    KT_CHECK_ERR(kt_gen_send(shared_acc, NULL, &v), 0, "the accumulator yields 0 first (book §3.6)");
    kt_log log;
    kt_log_init(&log);
    for (long i = 1; i <= 4; i++) {
        if (i % 2 == 0) {
            kt_gen *helper = NULL;
            KT_CHECK_OK(kt_gen_new(&helper, sends_to_shared, V(i), 0), "kt_gen_new must make a generator (book §3.6)");
            int rc = kt_gen_send(helper, NULL, &v);
            KT_CHECK_ERR(rc, KT_ESTOP,
                         "a generator may be resumed from inside another generator's body; the send must "
                         "return to that body's stack (book §3.4, §3.7)");
            KT_CHECK_OK(kt_gen_free(helper), "kt_gen_free of a finished generator succeeds (book §3.6)");
            kt_log_add(&log, "g%ld", N(v));
        } else {
            KT_CHECK_ERR(kt_gen_send(shared_acc, V(i), &v), 0, "the accumulator yields its total (book §3.6)");
            kt_log_add(&log, "m%ld", N(v));
        }
    }
    KT_CHECK_STR(log.buf, "m1 g3 m6 g10",
                 "a generator resumed alternately from main and from other generators' bodies keeps its "
                 "state and returns to whoever resumed it this time (book §3.4, §3.7)");
    KT_CHECK_OK(kt_gen_free(shared_acc), "kt_gen_free of a suspended generator succeeds (book §3.6)");
    shared_acc = NULL;
}

/* ---- closing cascades ---------------------------------------------------------- */

/* Holds an inner generator; on any error out of its yield, frees it. */
static int holds_inner(void *arg, void **result)
{
    (void)result;
    kt_log *log = arg;
    kt_gen *inner = NULL;
    int rc = kt_gen_new(&inner, range_body, &(range){0, 100}, 0);
    if (rc != 0)
        return rc;
    kt_gen_send(inner, NULL, NULL);
    rc = kt_gen_yield(NULL, NULL);
    kt_log_add(log, "outer:got%s inner:%s", rc == KT_EGENERATOREXIT ? "exit" : "?",
               kt_gen_state_name(kt_gen_getstate(inner)));
    int frc = kt_gen_free(inner);
    kt_log_add(log, "inner-freed:%d", frc);
    return rc;
}

static void free_cascades_through_nested_generators(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, holds_inner, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the outer body yields while its inner generator is suspended (book §3.7)");
    KT_CHECK_ERR(kt_gen_free(g), 0, "freeing the outer generator succeeds (book §3.6)");
    KT_CHECK_STR(log.buf, "outer:gotexit inner:GEN_SUSPENDED inner-freed:0",
                 "freeing a suspended generator closes it, and its cleanup may switch into (and free) "
                 "generators it holds (book §3.6, §3.7)");
}

/* ---- one current pointer per thread ---------------------------------------------- */

typedef struct {
    kt_gen *seen;       /* kt_gen_current() in the new thread */
    int yield_rc;       /* kt_gen_yield in the new thread, outside generators */
    int run_rc;         /* running a generator of its own in the thread */
    long run_value;
} thread_probe;

static void *thread_main(void *arg)
{
    thread_probe *t = arg;
    t->seen = kt_gen_current();
    t->yield_rc = kt_gen_yield(NULL, NULL);
    kt_gen *g = NULL;
    t->run_rc = kt_gen_new(&g, range_body, &(range){5, 8}, 0);
    if (t->run_rc == 0) {
        void *v = NULL;
        while ((t->run_rc = kt_gen_send(g, NULL, &v)) == 0)
            ;
        t->run_value = N(v);
        kt_gen_free(g);
    }
    return NULL;
}

static int starts_thread(void *arg, void **result)
{
    (void)result;
    pthread_t th;
    if (pthread_create(&th, NULL, thread_main, arg) != 0)
        return KT_ENOMEM;
    pthread_join(th, NULL);
    return kt_gen_yield(kt_gen_current(), NULL);
}

static void current_pointer_is_per_thread(void **state)
{
    (void)state;
    thread_probe t = {(kt_gen *)&t, 1, 1, 0};
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, starts_thread, &t, 0), "kt_gen_new must make a generator (book §3.6)");
    void *v = NULL;
    KT_CHECK_ERR(kt_gen_send(g, NULL, &v), 0, "the body yields after joining its thread (book §3.7)");
    KT_CHECK(t.seen == NULL,
             "another thread, started while a generator runs here, runs no generator: kt_gen_current() "
             "there must be NULL; make the pointer _Thread_local (book §3.7)");
    KT_CHECK_ERR(t.yield_rc, KT_ENOTCORO, "kt_gen_yield in that other thread is KT_ENOTCORO (book §3.7)");
    KT_CHECK_ERR(t.run_rc, KT_ESTOP, "the other thread can run generators of its own (book §3.7)");
    KT_CHECK_INT(t.run_value, 5 + 6 + 7, "its generator returns the right result (book §3.7)");
    KT_CHECK(v == g, "after the thread ends, this thread's current generator is still the body's own (book §3.7)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a suspended generator succeeds (book §3.6)");
}

static const kt_test_case tests[] = {
    KT_TEST(nested_generators_yield_from, 3, "a generator can drive others and pass on what they yield (book §3.7)"),
    KT_TEST(current_pointer_right_at_every_level, 3, "kt_gen_current() is the innermost running generator at every level (book §3.7)"),
    KT_TEST(send_into_running_generator_refused, 2, "a running generator refuses send and throw: KT_ERUNNING (book §3.6)"),
    KT_TEST(generator_resumed_from_different_stacks, 2, "a generator returns to whoever resumed it, from any stack (book §3.4, §3.7)"),
    KT_TEST(free_cascades_through_nested_generators, 2, "closing an outer generator lets its cleanup close inner ones (book §3.7)"),
    KT_TEST(current_pointer_is_per_thread, 2, "the current generator is per thread (_Thread_local) (book §3.7)"),
};

KT_MAIN("Lab 03 — generators inside generators", tests)
