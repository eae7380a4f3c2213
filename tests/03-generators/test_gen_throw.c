/* test_gen_throw.c — Lab 03: throw, close and free (book §3.6).
 *
 * Bodies record what they see in a kt_log; the tests compare whole logs.
 * LeakSanitizer checks that a body's cleanup really ran: bodies here hold
 * malloc'd memory that only their cleanup frees. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kettle/errors.h"
#include "kettle/gen.h"
#include "kettle/stack.h"
#include "ktest.h"

#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

#define ERR_A (KT_EUSER - 1)
#define ERR_B (KT_EUSER - 2)

/* A short name for a code in logs: "0", "stop", "exit" (GeneratorExit),
 * "A", "B" (the two user errors), or the number. */
static const char *code_name(int rc, char *buf, size_t len)
{
    switch (rc) {
    case 0: return "0";
    case KT_ESTOP: return "stop";
    case KT_EGENERATOREXIT: return "exit";
    case ERR_A: return "A";
    case ERR_B: return "B";
    default: snprintf(buf, len, "%d", rc); return buf;
    }
}
#define CODE(rc) code_name((rc), (char[32]){0}, 32)

/* ---- throw ------------------------------------------------------------- */

/* Yields 1; if an error comes out of the yield it logs it and yields 2
 * ("caught, carrying on"); then returns 3. */
static int catches_one_error(void *arg, void **result)
{
    kt_log *log = arg;
    int rc = kt_gen_yield(V(1), NULL);
    kt_log_add(log, "b:yield1->%s", CODE(rc));
    if (rc != 0) {
        rc = kt_gen_yield(V(2), NULL);
        kt_log_add(log, "b:yield2->%s", CODE(rc));
    }
    *result = V(3);
    return rc;
}

static void throw_caught_by_body(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, catches_one_error, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    void *out = NULL;
    int rc = kt_gen_throw(g, ERR_A, &out);
    KT_CHECK_STR(log.buf, "b:yield1->A",
                 "a thrown error comes out of the body's pending kt_gen_yield as its return value "
                 "(book §3.6)");
    KT_CHECK_ERR(rc, 0,
                 "a body that catches the thrown error and yields again makes throw return 0, as "
                 "Python's generator.throw returns the next yielded value (book §3.6)");
    KT_CHECK_INT(N(out), 2, "throw hands back the value yielded after the error was caught (book §3.6)");
    rc = kt_gen_send(g, NULL, &out);
    KT_CHECK_STR(log.buf, "b:yield1->A b:yield2->0",
                 "after a caught throw, the generator goes on normally: the next send resumes it (book §3.6)");
    KT_CHECK_ERR(rc, KT_ESTOP, "then the body returns (book §3.6)");
    KT_CHECK_INT(N(out), 3, "with KT_ESTOP, *out is the body's result (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* Holds memory across its yields; any error out of a yield is passed on
 * (not caught) after freeing the memory. */
static int passes_errors_on(void *arg, void **result)
{
    (void)result;
    kt_log *log = arg;
    char *buf = malloc(64);
    int rc = 0;
    for (int i = 1; rc == 0; i++) {
        rc = kt_gen_yield(V(i), NULL);
        kt_log_add(log, "b:yield%d->%s", i, CODE(rc));
    }
    free(buf);
    kt_log_add(log, "b:cleanup");
    return rc;
}

static void throw_not_caught_finishes_generator(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields again (book §3.6)");
    void *out = V(-1);
    KT_CHECK_ERR(kt_gen_throw(g, ERR_B, &out), ERR_B,
                 "an error the body does not catch ends the generator and comes back out of throw "
                 "(book §3.6)");
    KT_CHECK(out == NULL, "a generator that failed gives no value: *out must be NULL (book §3.6)");
    KT_CHECK_STR(log.buf, "b:yield1->0 b:yield2->B b:cleanup",
                 "the error is raised at the pending yield, so the body's cleanup after it runs (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "after an uncaught throw the generator is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_throw(g, ERR_A, &out), ERR_A,
                 "an error thrown into a finished generator comes straight back (Python re-raises it) "
                 "(book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "a finished generator stays finished (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static void throw_into_created_never_runs_body(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    void *out = V(-1);
    KT_CHECK_ERR(kt_gen_throw(g, KT_ECANCELLED, &out), KT_ECANCELLED,
                 "an error thrown into a just-created generator ends it at once and comes back out of "
                 "throw (this is how Lab 05 cancels a task before its first step) (book §3.6)");
    KT_CHECK_STR(log.buf, "", "a generator that never started must not run any of its body when thrown into (book §3.6)");
    KT_CHECK(out == NULL, "*out is NULL when no value came back (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "after throw into a just-created generator it is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static void throw_refuses_non_errors(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_throw(g, 0, NULL), KT_EINVAL, "throwing 0 (not an error) is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_throw(g, 5, NULL), KT_EINVAL, "throwing a positive value is KT_EINVAL (book §3.6)");
    KT_CHECK_ERR(kt_gen_throw(g, KT_ESTOP, NULL), KT_EINVAL,
                 "throwing KT_ESTOP is KT_EINVAL: it would read as a return (book §3.6)");
    KT_CHECK_STR(log.buf, "", "a refused throw must not resume the body (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_SUSPENDED, "a refused throw leaves the generator suspended (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a suspended generator succeeds (book §3.6)");
}

/* ---- close ------------------------------------------------------------- */

static void close_runs_body_cleanup(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(g), 0,
                 "closing a generator whose body lets KT_EGENERATOREXIT escape succeeds: 0 (book §3.6)");
    KT_CHECK_STR(log.buf, "b:yield1->exit b:cleanup",
                 "close throws KT_EGENERATOREXIT in at the pending yield, so the body's cleanup runs "
                 "(Python: GeneratorExit and finally blocks) (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "a closed generator is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_close(g), 0, "closing a finished generator again does nothing and returns 0 (book §3.6)");
    KT_CHECK_STR(log.buf, "b:yield1->exit b:cleanup", "closing a finished generator must not run anything (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* On GeneratorExit: `mode` 0 returns normally, 1 returns ERR_A. */
typedef struct {
    kt_log log;
    int mode;
} close_case;

static int on_exit_does(void *arg, void **result)
{
    close_case *c = arg;
    *result = V(42);
    int rc = kt_gen_yield(NULL, NULL);
    kt_log_add(&c->log, "b:%s", CODE(rc));
    return c->mode == 0 ? 0 : ERR_A;
}

static void close_reports_how_body_ended(void **state)
{
    (void)state;
    close_case c = {.mode = 0};
    kt_log_init(&c.log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, on_exit_does, &c, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(g), 0,
                 "a body that returns normally on KT_EGENERATOREXIT is closed fine: close returns 0 "
                 "(book §3.6)");
    KT_CHECK_STR(c.log.buf, "b:exit", "close throws KT_EGENERATOREXIT at the pending yield (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");

    c.mode = 1;
    kt_log_init(&c.log);
    KT_CHECK_OK(kt_gen_new(&g, on_exit_does, &c, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(g), ERR_A,
                 "a body that ends with another error while being closed: close returns that error "
                 "(Python: the new exception escapes close()) (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "it is GEN_CLOSED all the same (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

static void close_created_generator_never_runs_it(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(g), 0, "closing a just-created generator succeeds (book §3.6)");
    KT_CHECK_STR(log.buf, "", "closing a just-created generator must not run its body (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_FINISHED, "a closed generator is GEN_CLOSED (book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), KT_ESTOP, "sending into a closed generator is KT_ESTOP (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* Ignores the first GeneratorExit by yielding again; returns on the second.
 * Python (3.11): the first close() raises RuntimeError "generator ignored
 * GeneratorExit" and leaves it GEN_SUSPENDED; the second close() works. */
static int ignores_first_exit(void *arg, void **result)
{
    (void)result;
    kt_log *log = arg;
    int exits = 0;
    for (;;) {
        int rc = kt_gen_yield(V(exits), NULL);
        kt_log_add(log, "b:%s", CODE(rc));
        if (rc == KT_EGENERATOREXIT && ++exits == 2)
            return 0;
    }
}

static void close_of_body_that_yields_again(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, ignores_first_exit, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_close(g), KT_EBADYIELD,
                 "a body that yields again after KT_EGENERATOREXIT makes close fail with KT_EBADYIELD "
                 "(Python: RuntimeError \"generator ignored GeneratorExit\") (book §3.6)");
    int st = kt_gen_getstate(g);
    KT_CHECK(st == KT_GEN_SUSPENDED,
             "after it ignored GeneratorExit the generator is suspended at its new yield, as in Python "
             "(book §3.6); got %s (%d)",
             kt_gen_state_name(st), st);
    KT_CHECK_ERR(kt_gen_close(g), 0, "the second close throws again, and this time the body returns (book §3.6)");
    KT_CHECK_STR(log.buf, "b:exit b:exit", "each close throws KT_EGENERATOREXIT once (book §3.6)");
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a finished generator succeeds (book §3.6)");
}

/* ---- free -------------------------------------------------------------- */

static void free_of_suspended_generator_closes_it(void **state)
{
    (void)state;
    kt_log log;
    kt_log_init(&log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, passes_errors_on, &log, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields again (book §3.6)");
    KT_CHECK_ERR(kt_gen_free(g), 0, "freeing a suspended generator succeeds (book §3.6)");
    KT_CHECK_STR(log.buf, "b:yield1->0 b:yield2->exit b:cleanup",
                 "freeing a suspended generator closes it first, so its body's cleanup runs and frees what "
                 "it holds (Python closes a generator when it is garbage-collected) (book §3.6)");
}

/* A body whose close fails. It holds memory that its cleanup frees, then on
 * KT_EGENERATOREXIT either ends with another error (ERR_A) or, with
 * yield_again, ignores it and yields; it returns only when closed a second
 * time, so a kt_gen_free that kept closing would end (and show in the log)
 * rather than spin. */
typedef struct {
    kt_log log;
    bool yield_again;
} stubborn;

static int refuses_to_close(void *arg, void **result)
{
    (void)result;
    stubborn *s = arg;
    char *held = malloc(64); /* only the cleanup below frees it */
    int rc = kt_gen_yield(NULL, NULL);
    kt_log_add(&s->log, "b:%s", CODE(rc));
    free(held);
    if (rc != KT_EGENERATOREXIT)
        return rc;
    if (!s->yield_again)
        return ERR_A;
    rc = kt_gen_yield(NULL, NULL);
    kt_log_add(&s->log, "b:again:%s", CODE(rc));
    return 0;
}

/* Python reports a close that fails during garbage collection ("Exception
 * ignored in: <generator ...>") and frees the generator all the same;
 * kt_gen_free returns the error and frees all the same. Stacks come from
 * mmap, which LeakSanitizer does not see: the stack counters do. */
static void free_of_generator_whose_close_fails(void **state)
{
    (void)state;
    kt_stack_stats before, after;
    kt_stack_get_stats(&before);
    stubborn s = {.yield_again = false};
    kt_log_init(&s.log);
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, refuses_to_close, &s, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_free(g), ERR_A,
                 "freeing a suspended generator whose body ends with another error while being closed "
                 "returns that error, as kt_gen_close would, and frees the generator all the same (book §3.6)");
    KT_CHECK_STR(s.log.buf, "b:exit", "kt_gen_free closes the body once, at its pending yield (book §3.6)");
    kt_stack_get_stats(&after);
    KT_CHECK(after.in_use == before.in_use,
             "a generator freed after a failed close gives its stack back (book §3.6); %zu stacks in use, "
             "%zu before", after.in_use, before.in_use);

    s.yield_again = true;
    kt_log_init(&s.log);
    KT_CHECK_OK(kt_gen_new(&g, refuses_to_close, &s, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields first (book §3.6)");
    KT_CHECK_ERR(kt_gen_free(g), KT_EBADYIELD,
                 "freeing a generator whose body yields again after KT_EGENERATOREXIT returns KT_EBADYIELD "
                 "(Python: \"generator ignored GeneratorExit\") and frees it all the same: a generator that "
                 "will not close must not leak (book §3.6)");
    KT_CHECK_STR(s.log.buf, "b:exit",
                 "kt_gen_free closes once: a body that ignored KT_EGENERATOREXIT is not closed again, its "
                 "remaining cleanup never runs (book §3.6)");
    kt_stack_get_stats(&after);
    KT_CHECK(after.in_use == before.in_use,
             "a generator freed while it refuses to close gives its stack back (book §3.6); %zu stacks in "
             "use, %zu before", after.in_use, before.in_use);
}

/* Tries to free and close the generator it runs in; records the codes. */
typedef struct {
    int close_rc, free_rc, state_seen;
} self_ops;

static int frees_itself(void *arg, void **result)
{
    (void)result;
    self_ops *s = arg;
    kt_gen *self = kt_gen_current();
    s->close_rc = kt_gen_close(self);
    s->free_rc = kt_gen_free(self);
    s->state_seen = kt_gen_getstate(self);
    return kt_gen_yield(NULL, NULL);
}

static void running_generator_cannot_be_closed_or_freed(void **state)
{
    (void)state;
    self_ops s = {1, 1, -1};
    kt_gen *g = NULL;
    KT_CHECK_OK(kt_gen_new(&g, frees_itself, &s, 0), "kt_gen_new must make a generator (book §3.6)");
    KT_CHECK_ERR(kt_gen_send(g, NULL, NULL), 0, "the body yields after trying (book §3.6)");
    KT_CHECK_ERR(s.close_rc, KT_ERUNNING,
                 "a body closing its own generator gets KT_ERUNNING (Python: ValueError \"generator "
                 "already executing\") (book §3.6)");
    KT_CHECK_ERR(s.free_rc, KT_ERUNNING,
                 "a body freeing its own generator gets KT_ERUNNING and nothing is freed (book §3.6)");
    KT_CHECK(s.state_seen == KT_GEN_RUNNING, "the body is still GEN_RUNNING after both were refused (book §3.6); got %s (%d)",
             kt_gen_state_name(s.state_seen), s.state_seen);
    KT_CHECK_OK(kt_gen_free(g), "kt_gen_free of a suspended generator succeeds (book §3.6)");
}

static const kt_test_case tests[] = {
    KT_TEST(throw_caught_by_body, 2, "a thrown error comes out of the pending yield; caught, the body goes on (book §3.6)"),
    KT_TEST(throw_not_caught_finishes_generator, 3, "an uncaught thrown error ends the generator and comes back out (book §3.6)"),
    KT_TEST(throw_into_created_never_runs_body, 2, "throw into a just-created generator ends it without running it (book §3.6)"),
    KT_TEST(throw_refuses_non_errors, 1, "throw needs a negative error code other than KT_ESTOP (book §3.6)"),
    KT_TEST(close_runs_body_cleanup, 3, "close throws KT_EGENERATOREXIT so the body's cleanup runs (book §3.6)"),
    KT_TEST(close_reports_how_body_ended, 2, "close returns 0 for a return or GeneratorExit, else the body's error (book §3.6)"),
    KT_TEST(close_created_generator_never_runs_it, 1, "closing a just-created generator runs nothing (book §3.6)"),
    KT_TEST(close_of_body_that_yields_again, 2, "a body that yields while closing makes close fail with KT_EBADYIELD (book §3.6)"),
    KT_TEST(free_of_suspended_generator_closes_it, 3, "freeing a suspended generator closes it first (book §3.6)"),
    KT_TEST(free_of_generator_whose_close_fails, 2, "a generator whose close fails is freed all the same; free returns the error (book §3.6)"),
    KT_TEST(running_generator_cannot_be_closed_or_freed, 2, "a running generator cannot be closed or freed: KT_ERUNNING (book §3.6)"),
};

KT_MAIN("Lab 03 — generators: throw, close, free", tests)
