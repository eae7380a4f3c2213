/* test_gen_basic.c — Lab 03: send, yield and return (book §3.1, §3.4, §3.6).
 *
 * Each body is an ordinary C function run by a generator. Bodies never call
 * the KT_CHECK macros (a failed check must not leave a generator's stack
 * half-way): they record what they see, and the test checks it afterwards. */
#include <stdint.h>
#include <string.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "ktest.h"

/* Small integers travel through void * as in the C idiom. */
#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

/* ---- ping-pong --------------------------------------------------------- */

/* Yields "ready" (NULL), then answers every value sent with twice that
 * value; a NULL sent ends it, returning how many values it doubled. */
static int doubler(void *arg, void **result)
{
    (void)arg;
    long count = 0;
    void *sent = NULL;
    int rc = kt_gen_yield(NULL, &sent);
    while (rc == 0 && sent != NULL) {
        count++;
        rc = kt_gen_yield(V(N(sent) * 2), &sent);
    }
    *result = V(count);
    return rc;
}

static void ping_pong_values_both_ways(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, doubler, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    void *out = V(-1);
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), 0,
                 "the first send starts the body and returns 0 when it yields (book §3.6)");
    KT_CHECK(out == NULL, "send must hand back the value the body yielded, here NULL (book §3.6); got %ld",
             N(out));
    for (long v = 1; v <= 50; v += 7) {
        KT_CHECK_ERR(kt_gen_send(g, V(v), &out), 0, "a send that makes the body yield again returns 0 (book §3.6)");
        KT_CHECK_INT(N(out), 2 * v,
                     "the value sent comes out of the body's pending kt_gen_yield, and the body's next "
                     "yielded value comes out of send (book §3.1, §3.6); the body doubles what it gets");
    }
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), KT_ESTOP,
                 "when the body returns, send returns KT_ESTOP, Python's StopIteration (book §3.6)");
    KT_CHECK_INT(N(out), 8,
                 "with KT_ESTOP, *out is the body's *result (Python: StopIteration.value) (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- Fibonacci ----------------------------------------------------------- */

/* Yields the first *(long *)arg Fibonacci numbers, then returns the count. */
static int fibonacci(void *arg, void **result)
{
    long n = *(long *)arg;
    long a = 0, b = 1;
    for (long i = 0; i < n; i++) {
        int rc = kt_gen_yield(V(a), NULL);
        if (rc != 0)
            return rc;
        long next = a + b;
        a = b;
        b = next;
    }
    *result = V(n);
    return 0;
}

static void fibonacci_in_order(void **state)
{
    (void)state;
    long n = 15;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, fibonacci, &n, 0), "kt_gen_new must make a generator (book §3.6)");
    kt_log log;
    kt_log_init(&log);
    void *out = NULL;
    int rc;
    int sends = 0;
    while ((rc = kt_gen_send(g, NULL, &out)) == 0 && sends++ < 100)
        kt_log_add(&log, "%ld", N(out));
    KT_CHECK_STR(log.buf, "0 1 1 2 3 5 8 13 21 34 55 89 144 233 377",
                 "a generator keeps its locals between yields, on its own stack (book §3.3): "
                 "next() after next() must walk the Fibonacci sequence");
    KT_CHECK_ERR(rc, KT_ESTOP, "after the last yield the body returns: send returns KT_ESTOP (book §3.6)");
    KT_CHECK_INT(N(out), 15, "with KT_ESTOP, *out is the body's result (StopIteration.value) (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- order of events ------------------------------------------------------ */

static int logged_body(void *arg, void **result)
{
    kt_log *log = arg;
    kt_log_add(log, "b:start");
    void *sent = NULL;
    kt_log_add(log, "b:yield1");
    kt_gen_yield(V(1), &sent);
    kt_log_add(log, "b:got%ld", N(sent));
    kt_log_add(log, "b:yield2");
    kt_gen_yield(V(2), &sent);
    kt_log_add(log, "b:got%ld", N(sent));
    kt_log_add(log, "b:return");
    *result = V(99);
    return 0;
}

static void send_and_yield_take_turns(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, logged_body, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    kt_log_add(&log, "m:new");
    void *out = NULL;
    kt_log_add(&log, "m:send");
    int rc = kt_gen_send(g, NULL, &out);
    kt_log_add(&log, "m:rc%d:got%ld", rc, N(out));
    kt_log_add(&log, "m:send10");
    rc = kt_gen_send(g, V(10), &out);
    kt_log_add(&log, "m:rc%d:got%ld", rc, N(out));
    kt_log_add(&log, "m:send20");
    rc = kt_gen_send(g, V(20), &out);
    kt_log_add(&log, "m:%s:got%ld", rc == KT_ESTOP ? "stop" : "rc?", N(out));
    KT_CHECK_STR(log.buf,
                 "m:new m:send b:start b:yield1 m:rc0:got1 m:send10 b:got10 b:yield2 m:rc0:got2 "
                 "m:send20 b:got20 b:return m:stop:got99",
                 "creating a generator runs none of its body; each send runs the body up to its next "
                 "yield (or its return) and only then comes back (book §3.1, §3.4)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- states --------------------------------------------------------------- */

typedef struct {
    int inside;        /* the state the body saw for itself */
    kt_gen *self_seen; /* kt_gen_current() inside the body */
} state_probe;

static int probing_body(void *arg, void **result)
{
    (void)result;
    state_probe *p = arg;
    p->self_seen = kt_gen_current();
    p->inside = kt_gen_getstate(p->self_seen);
    return kt_gen_yield(NULL, NULL);
}

static void states_follow_getgeneratorstate(void **state)
{
    (void)state;
    state_probe p = {-100, NULL};
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, probing_body, &p, 0), "kt_gen_new must make a generator (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_CREATED, "a new generator is GEN_CREATED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the first send runs the body to its yield (book §3.6)");
    KT_CHECK(p.self_seen == g, "inside its body, kt_gen_current() is the generator itself (book §3.7)");
    KT_CHECK(p.inside == KT_GEN_RUNNING, "seen from inside its body, a generator is GEN_RUNNING (book §3.6); got %s (%d)",
             kt_gen_state_name(p.inside), p.inside);
    st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_SUSPENDED, "a generator stopped at a yield is GEN_SUSPENDED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "the body returns after its only yield (book §3.6)");
    st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "a generator whose body returned is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- return values --------------------------------------------------------- */

static int returns_at_once(void *arg, void **result)
{
    *result = arg;
    return 0;
}

static int returns_nothing(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_gen_yield(V(5), NULL);
    return 0;
}

static void return_value_is_stopiteration_value(void **state)
{
    (void)state;
    static char payload[] = "payload";
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, returns_at_once, payload, 0), "kt_gen_new must make a generator (book §3.6)");
    void *out = NULL;
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), KT_ESTOP,
                 "a body that returns without yielding ends on the first send: KT_ESTOP (book §3.6)");
    KT_CHECK(out == payload, "with KT_ESTOP, *out is exactly the pointer the body stored in *result (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");

    KT_CHECK_OK(kt_gen_new(&g, returns_nothing, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), 0, "the body yields once (book §3.6)");
    KT_CHECK_INT(N(out), 5, "send hands back the yielded value (book §3.6)");
    out = V(-1);
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), KT_ESTOP, "then it returns: KT_ESTOP (book §3.6)");
    KT_CHECK(out == NULL,
             "a body that never sets *result returns NULL, as a Python generator returns None; "
             "do not leave the last yielded value in *out (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- errors ending a body ---------------------------------------------------- */

#define MY_ERROR (KT_EUSER - 1)

static int fails_after_one_yield(void *arg, void **result)
{
    (void)arg;
    *result = V(77); /* must not come out: the body failed */
    kt_gen_yield(V(1), NULL);
    return MY_ERROR;
}

static void body_error_finishes_generator(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, fails_after_one_yield, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    void *out = NULL;
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), 0, "the body yields once (book §3.6)");
    out = V(-1);
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), MY_ERROR,
                 "a body that returns an error code ends the generator, and send returns that code "
                 "(Python: the exception escapes send) (book §3.6)");
    KT_CHECK(out == NULL, "a body that failed gives no value: *out must be NULL (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "a generator whose body failed is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static int returns_estop(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return KT_ESTOP;
}

static void body_ending_with_estop_is_not_a_return(void **state)
{
    (void)state;
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, returns_estop, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_EINVALSTATE,
                 "a body that ends with KT_ESTOP would pass for a normal return; it becomes "
                 "KT_EINVALSTATE, as Python turns StopIteration escaping a generator into RuntimeError "
                 "(PEP 479) (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- refusals --------------------------------------------------------------- */

static int logs_start(void *arg, void **result)
{
    (void)result;
    kt_log_add(arg, "started");
    return kt_gen_yield(NULL, NULL);
}

static void first_send_must_be_null(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, logs_start, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    void *out = V(-1);
    KT_CHECK_ERR(kt_gen_send(g, V(1), &out), KT_EINVAL,
                 "sending a non-NULL value into a just-created generator is refused: no yield is "
                 "waiting to receive it (Python: TypeError \"can't send non-None value to a "
                 "just-started generator\") (book §3.6)");
    KT_CHECK(out == NULL, "a refused send sets *out to NULL (book §3.6)");
    KT_CHECK_STR(log.buf, "", "a refused send must not start the body (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_CREATED, "a refused send leaves the generator GEN_CREATED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_send(g, NULL, &out), 0, "a NULL first send then starts it (book §3.6)");
    KT_CHECK_STR(log.buf, "started", "a NULL first send runs the body to its first yield (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a suspended generator succeeds (book §3.6)");
}

static void send_into_finished_generator(void **state)
{
    (void)state;
    static char payload[] = "x";
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, returns_at_once, payload, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "the body returns at once (book §3.6)");
    for (int i = 0; i < 3; i++) {
        void *out = V(-1);
        KT_CHECK_ERR(kt_gen_send(g, NULL, &out), KT_ESTOP,
                     "sending into a finished generator returns KT_ESTOP again, without running anything "
                     "(Python raises StopIteration again) (book §3.6)");
        KT_CHECK(out == NULL, "StopIteration after the end carries no value: *out must be NULL (book §3.6)");
    }
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static void yield_outside_any_generator(void **state)
{
    (void)state;
    void *sent = V(-1);
    KT_CHECK_ERR(kt_gen_yield(V(1), &sent), KT_ENOTCORO,
                 "kt_gen_yield outside any generator is an error code, never a crash (book §3.6)");
    KT_CHECK(sent == NULL, "a refused yield sets *sent to NULL (book §3.6)");
    /* And again once a generator has run and come back. */
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, doubler, NULL, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields (book §3.6)");
    KT_CHECK(kt_gen_current() == NULL,
             "after a send returns, no generator is running: kt_gen_current() is NULL again (book §3.7)");
    KT_CHECK_ERR(kt_gen_yield(V(1), NULL), KT_ENOTCORO,
                 "after a send returns, the caller is outside any generator again: yield is "
                 "KT_ENOTCORO (book §3.6, §3.7)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a suspended generator succeeds (book §3.6)");
}

static void bad_arguments_get_error_codes(void **state)
{
    (void)state;
    kt_gen *g = (kt_gen *)&g; /* anything but NULL: must be reset */
    KT_CHECK_ERR(kt_gen_new(&g, NULL, NULL, 0), KT_EINVAL, "kt_gen_new without a body is KT_EINVAL (book §3.6)");
    KT_CHECK(g == NULL, "a failed kt_gen_new sets *out to NULL (book §3.6)");
    KT_CHECK_ERR(kt_gen_new(NULL, doubler, NULL, 0), KT_EINVAL, "kt_gen_new with out == NULL is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_new(&g, doubler, NULL, KT_STACK_MIN_SIZE - 1), KT_EINVAL,
                 "a stack smaller than KT_STACK_MIN_SIZE is KT_EINVAL (book §3.5)");
    KT_CHECK_ERR(kt_gen_send(NULL, NULL, NULL), KT_EINVAL, "kt_gen_send(NULL, ...) is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_throw(NULL, MY_ERROR, NULL), KT_EINVAL, "kt_gen_throw(NULL, ...) is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(NULL), KT_EINVAL, "kt_gen_close(NULL) is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_getstate(NULL), KT_EINVAL, "kt_gen_getstate(NULL) is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_free(NULL), 0, "kt_gen_free(NULL) does nothing and returns 0, like free(NULL) (book §3.6)");
}

static const kt_test_case tests[] = {
    KT_TEST(ping_pong_values_both_ways, 3, "values go in with send and come out with yield, both ways (book §3.6)"),
    KT_TEST(fibonacci_in_order, 2, "a generator keeps its locals between yields (book §3.3)"),
    KT_TEST(send_and_yield_take_turns, 3, "creating runs nothing; each send runs the body to its next yield (book §3.1, §3.4)"),
    KT_TEST(states_follow_getgeneratorstate, 2, "created, running, suspended, closed: as inspect.getgeneratorstate (book §3.6)"),
    KT_TEST(return_value_is_stopiteration_value, 2, "a body's return ends it: KT_ESTOP with its result (book §3.6)"),
    KT_TEST(body_error_finishes_generator, 2, "a body's error ends it, and send returns that error (book §3.6)"),
    KT_TEST(body_ending_with_estop_is_not_a_return, 1, "KT_ESTOP escaping a body becomes KT_EINVALSTATE (PEP 479) (book §3.6)"),
    KT_TEST(first_send_must_be_null, 2, "the first send must be NULL, else KT_EINVAL and nothing runs (book §3.6)"),
    KT_TEST(send_into_finished_generator, 1, "sending into a finished generator is KT_ESTOP again (book §3.6)"),
    KT_TEST(yield_outside_any_generator, 2, "yield outside a generator is KT_ENOTCORO (book §3.6)"),
    KT_TEST(bad_arguments_get_error_codes, 1, "bad arguments get KT_EINVAL, never a crash (book §3.6)"),
};

KT_MAIN("Lab 03 — generators: send, yield, return", tests)
