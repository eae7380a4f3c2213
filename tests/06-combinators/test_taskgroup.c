/* test_taskgroup.c — Lab 06: TaskGroup (book §6.7).
 *
 * Python: shared cases 123-133 and asyncio/taskgroup_rules.py. The
 * ExceptionGroup is KT_EGROUP plus the codes kt_taskgroup_errors reads. */
#include <stdio.h>

#include "comb_test.h"

#define ENTER(tg) KT_CHECK_OK(kt_taskgroup_enter(tg), "kt_taskgroup_enter inside a task must succeed (book §6.7)")
#define CREATE(tg, j, out) \
    KT_CHECK_OK(kt_taskgroup_create_task((tg), job_fn, (j), (out)), \
                "kt_taskgroup_create_task in an open group must succeed (book §6.7)")

/* Log "group->EGROUP[E_VALUE E_KEY]" for what an exit returned. */
static void log_exit(const char *label, kt_taskgroup *tg, int rc)
{
    char buf[160];
    int len = snprintf(buf, sizeof buf, "%s->%s", label, code_name(rc));
    if (rc == KT_EGROUP) {
        int errs[8];
        size_t n = kt_taskgroup_errors(tg, errs, 8);
        len += snprintf(buf + len, sizeof buf - len, "[");
        for (size_t i = 0; i < n && i < 8; i++)
            len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", code_name(errs[i]));
        snprintf(buf + len, sizeof buf - len, "]");
    }
    kt_log_add(&LOG, "%s", buf);
}

/* ------------------------------------------------------------ case 123 */

static job j_failing = {"failing", 1, E_VALUE, PROPAGATE}, j_sibling = {"sibling", 10, 0, PROPAGATE};

static int main_123(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    kt_task *s = NULL;
    ENTER(&tg);
    CREATE(tg, &j_failing, NULL);
    CREATE(tg, &j_sibling, &s);
    int rc = kt_sleep(10);
    kt_log_add(&LOG, "body->%s@%g", code_name(rc), now());
    rc = kt_taskgroup_exit(tg, rc);
    log_exit("group", tg, rc);
    kt_log_add(&LOG, "sibling-cancelled=%d owner-cancelling=%u", kt_future_cancelled(FUT(s)),
               kt_task_cancelling(kt_current_task(kt_get_running_loop())));
    rc = kt_sleep(1);
    kt_log_add(&LOG, "owner-runs-on->%s", code_name(rc));
    kt_taskgroup_release(tg);
    kt_task_release(s);
    return 0;
}

static void taskgroup_first_failure_cancels_siblings_and_owner(void **state)
{
    (void)state;
    run_main(main_123, NULL);
    KT_CHECK_STR(LOG.buf,
                 "failing:done@1 sibling:cancelled@1 body->CANCELLED@1 group->EGROUP[E_VALUE] "
                 "sibling-cancelled=1 owner-cancelling=0 owner-runs-on->OK",
                 "the first failing child cancels its siblings and the owner's body; exit returns "
                 "KT_EGROUP with the error, and takes its cancel of the owner back so that the owner "
                 "runs on (book §6.7; asyncio case 123)");
}

/* ------------------------------------------------------------ a failure while exit waits */

static job j_bad1 = {"bad", 1, E_VALUE, PROPAGATE}, j_slow = {"slow", 5, 0, PROPAGATE};

static int main_fail_in_exit(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_bad1, NULL);
    CREATE(tg, &j_slow, NULL);
    int rc = kt_taskgroup_exit(tg, 0); /* the body ends at once */
    log_exit("group", tg, rc);
    kt_log_add(&LOG, "owner-cancelling=%u@%g", kt_task_cancelling(kt_current_task(kt_get_running_loop())), now());
    rc = kt_sleep(1);
    kt_log_add(&LOG, "owner-runs-on->%s", code_name(rc));
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_failure_while_exit_waits(void **state)
{
    (void)state;
    run_main(main_fail_in_exit, NULL);
    KT_CHECK_STR(LOG.buf, "bad:done@1 slow:cancelled@1 group->EGROUP[E_VALUE] owner-cancelling=1@1 owner-runs-on->OK",
                 "a child that fails while exit already waits still cancels the siblings and the "
                 "owner: the owner's cancel is taken by exit's own wait (exit goes on waiting, it "
                 "is aborting), and since exit's uncancel came before it, 3.11's count stays at 1 "
                 "(book §6.7; asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ the owner cancelled twice in exit */

static job j_tidy = {"tidy", 5, 0, SLOW_CLEANUP};

static int owner_twice(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_tidy, NULL);
    int rc = kt_taskgroup_exit(tg, 0);
    log_exit("group", tg, rc);
    kt_taskgroup_release(tg);
    return rc;
}

static int main_owner_twice(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *o = spawn(kt_get_running_loop(), owner_twice, NULL);
    kt_sleep(1);
    kt_task_cancel(o, NULL);
    kt_sleep(0.5);
    kt_task_cancel(o, NULL);
    kt_await_task(o, NULL);
    kt_log_add(&LOG, "owner-cancelled=%d cancelling=%u@%g", kt_future_cancelled(FUT(o)), kt_task_cancelling(o), now());
    kt_task_release(o);
    return 0;
}

static void taskgroup_owner_cancelled_twice_in_exit(void **state)
{
    (void)state;
    run_main(main_owner_twice, NULL);
    KT_CHECK_STR(LOG.buf, "tidy:cancelled@1 tidy:cleaned@2 group->CANCELLED owner-cancelled=1 cancelling=2@2",
                 "an owner cancelled while exit waits aborts the children once; a second cancel "
                 "during their cleanup only interrupts exit's wait, which goes on until every child "
                 "is done, then KT_ECANCELLED (book §6.7; asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ case 125 */

static job j_w = {"w", 10, 0, SLOW_CLEANUP}, j_x = {"x", 10, E_VALUE, FAIL_CLEANUP};

static int main_125(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    kt_task *w = NULL;
    ENTER(&tg);
    CREATE(tg, &j_w, &w);
    kt_sleep(0);
    kt_log_add(&LOG, "body-fails");
    int rc = kt_taskgroup_exit(tg, E_ZERO);
    log_exit("group1", tg, rc);
    kt_log_add(&LOG, "w-cancelled=%d@%g", kt_future_cancelled(FUT(w)), now());
    kt_taskgroup_release(tg);
    kt_task_release(w);

    ENTER(&tg);
    CREATE(tg, &j_x, NULL);
    kt_sleep(0);
    rc = kt_taskgroup_exit(tg, E_KEY);
    log_exit("group2", tg, rc);
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_body_error_is_collected_too(void **state)
{
    (void)state;
    run_main(main_125, NULL);
    KT_CHECK_STR(LOG.buf,
                 "body-fails w:cancelled@0 w:cleaned@1 group1->EGROUP[E_ZERO] w-cancelled=1@1 "
                 "x:cancelled@1 group2->EGROUP[E_VALUE E_KEY]",
                 "an error of the block itself cancels the children, exit waits for their cleanup, "
                 "and the block's error joins the group's errors (after the children's) "
                 "(book §6.7; asyncio case 125)");
}

/* ------------------------------------------------------------ case 127 */

static job j_zero = {"child", 10, E_ZERO, FAIL_CLEANUP};

/* An owner whose group holds one child (the job in arg) while its body
 * sleeps 10 s; cases 127 and the foreign cancel cancel it meanwhile. */
static int owner_of_one(void *arg, void **result)
{
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, (job *)arg, NULL);
    int rc = kt_sleep(10);
    rc = kt_taskgroup_exit(tg, rc);
    log_exit("group", tg, rc);
    kt_taskgroup_release(tg);
    return rc;
}

static int main_127(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *o = spawn(kt_get_running_loop(), owner_of_one, &j_zero);
    kt_sleep(1);
    kt_task_cancel(o, NULL);
    int rc = kt_await_task(o, NULL);
    kt_log_add(&LOG, "owner->%s cancelled=%d", code_name(rc), kt_future_cancelled(FUT(o)));
    kt_task_release(o);
    return 0;
}

static void taskgroup_child_error_beats_the_owner_cancel(void **state)
{
    (void)state;
    run_main(main_127, NULL);
    KT_CHECK_STR(LOG.buf, "child:cancelled@1 group->EGROUP[E_ZERO] owner->EGROUP cancelled=0",
                 "when the owner is cancelled but a child fails while being cancelled, exit returns "
                 "KT_EGROUP, not KT_ECANCELLED: errors win (book §6.7; asyncio case 127)");
}

/* ------------------------------------------------------------ case 129 */

static job j_lx = {"leafx", 2, 0, PROPAGATE}, j_ly = {"leafy", 1, 0, PROPAGATE};

static int root_129(void *arg, void **result)
{
    (void)result;
    kt_taskgroup *tg = arg;
    kt_sleep(1);
    kt_log_add(&LOG, "root-spawns@%g", now());
    CREATE(tg, &j_lx, NULL);
    CREATE(tg, &j_ly, NULL);
    return 0;
}

static int main_129(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    KT_CHECK_OK(kt_taskgroup_create_task(tg, root_129, tg, NULL), "create_task in an open group (book §6.7)");
    kt_log_add(&LOG, "body-ends");
    int rc = kt_taskgroup_exit(tg, 0);
    kt_log_add(&LOG, "group->%s@%g", code_name(rc), now());
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_child_may_spawn_while_exit_waits(void **state)
{
    (void)state;
    run_main(main_129, NULL);
    KT_CHECK_STR(LOG.buf, "body-ends root-spawns@1 leafy:done@2 leafx:done@3 group->OK@3",
                 "while exit waits, a child may still add tasks to the group, and exit waits for "
                 "them too (book §6.7; asyncio case 129)");
}

/* ------------------------------------------------------------ case 131 */

typedef struct nested { job inner, outer; } nested;

static int main_131(void *arg, void **result)
{
    (void)result;
    nested *n = arg;
    kt_taskgroup *outer = NULL, *inner = NULL;
    ENTER(&outer);
    CREATE(outer, &n->outer, NULL);
    ENTER(&inner);
    CREATE(inner, &n->inner, NULL);
    int rc = kt_taskgroup_exit(inner, 0);
    log_exit("inner", inner, rc);
    rc = kt_taskgroup_exit(outer, rc);
    log_exit("outer", outer, rc);
    kt_taskgroup_release(inner);
    kt_taskgroup_release(outer);
    return 0;
}

static void taskgroup_nested_groups(void **state)
{
    (void)state;
    nested first = {{"innerchild", 1, E_VALUE, PROPAGATE}, {"outerchild", 10, E_KEY, PROPAGATE}};
    run_main(main_131, &first);
    KT_CHECK_STR(LOG.buf, "innerchild:done@1 inner->EGROUP[E_VALUE] outerchild:cancelled@1 outer->EGROUP[EGROUP]",
                 "a failure in the inner group comes out of its exit as KT_EGROUP, which the outer "
                 "group collects as its body's error (a nested group) (book §6.7; asyncio case 131)");
    nested second = {{"innerchild", 10, E_VALUE, PROPAGATE}, {"outerchild", 1, E_KEY, PROPAGATE}};
    run_main(main_131, &second);
    KT_CHECK_STR(LOG.buf, "outerchild:done@1 innerchild:cancelled@1 inner->CANCELLED outer->EGROUP[E_KEY]",
                 "a failure in the outer group cancels the owner; the inner group's exit then "
                 "cancels its children and returns KT_ECANCELLED, and the outer group's errors stay "
                 "flat (book §6.7; asyncio case 131)");
}

/* ------------------------------------------------------------ case 133 */

static job j_a = {"a", 10, 0, PROPAGATE}, j_b = {"b", 2, 0, PROPAGATE}, j_c = {"c", 1, 0, PROPAGATE};

static int main_133(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    kt_task *a = NULL, *b = NULL, *c = NULL;
    ENTER(&tg);
    CREATE(tg, &j_a, &a);
    CREATE(tg, &j_b, &b);
    kt_sleep(1);
    kt_log_add(&LOG, "cancel-a->%d", kt_task_cancel(a, NULL));
    CREATE(tg, &j_c, &c);
    int rc = kt_taskgroup_exit(tg, 0);
    kt_log_add(&LOG, "group->%s@%g a-cancelled=%d b-done=%d c-done=%d", code_name(rc), now(),
               kt_future_cancelled(FUT(a)), kt_future_done(FUT(b)), kt_future_done(FUT(c)));
    kt_taskgroup_release(tg);
    kt_task_release(a);
    kt_task_release(b);
    kt_task_release(c);
    return 0;
}

static void taskgroup_child_cancelled_from_outside_is_no_failure(void **state)
{
    (void)state;
    run_main(main_133, NULL);
    KT_CHECK_STR(LOG.buf, "cancel-a->1 a:cancelled@1 b:done@2 c:done@2 group->OK@2 a-cancelled=1 b-done=1 c-done=1",
                 "a child cancelled directly is not a failure: the group does not abort, the others "
                 "run on and the block ends with 0 (book §6.7; asyncio case 133)");
}

/* ------------------------------------------------------------ two failures at once */

static job j_v = {"v", 1, E_VALUE, PROPAGATE}, j_k = {"k", 1, E_KEY, PROPAGATE};

static int main_two_at_once(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_v, NULL);
    CREATE(tg, &j_k, NULL);
    int rc = kt_sleep(5);
    kt_log_add(&LOG, "body->%s@%g", code_name(rc), now());
    rc = kt_taskgroup_exit(tg, rc);
    log_exit("group", tg, rc);
    kt_log_add(&LOG, "owner-cancelling=%u", kt_task_cancelling(kt_current_task(kt_get_running_loop())));
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_cancels_the_owner_once(void **state)
{
    (void)state;
    run_main(main_two_at_once, NULL);
    KT_CHECK_STR(LOG.buf, "v:done@1 k:done@1 body->CANCELLED@1 group->EGROUP[E_VALUE E_KEY] owner-cancelling=0",
                 "two children failing in one iteration cancel the owner once: the group asks only "
                 "while it is not aborting yet, so exit's single kt_task_uncancel leaves the owner "
                 "at cancelling() 0 (book §6.7; asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ errors in order */

static job j_first = {"first", 1, E_VALUE, PROPAGATE}, j_second = {"second", 10, E_KEY, FAIL_CLEANUP},
           j_third = {"third", 10, E_ZERO, FAIL_CLEANUP};

static int main_order(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_first, NULL);
    CREATE(tg, &j_second, NULL);
    CREATE(tg, &j_third, NULL);
    int rc = kt_taskgroup_exit(tg, 0);
    log_exit("group", tg, rc);
    KT_CHECK_INT(kt_taskgroup_errors(tg, NULL, 0), 3, "kt_taskgroup_errors(tg, NULL, 0) counts the errors (book §6.7)");
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_collects_every_error_in_order(void **state)
{
    (void)state;
    run_main(main_order, NULL);
    KT_CHECK_STR(LOG.buf, "first:done@1 second:cancelled@1 third:cancelled@1 group->EGROUP[E_VALUE E_KEY E_ZERO]",
                 "every child error is collected, in the order the children failed, not only the "
                 "first (book §6.7; asyncio/taskgroup_rules.py)");
    KT_CHECK_STR(HANDLER.buf, "", "the collected errors count as retrieved (book §6.7)");
}

/* ------------------------------------------------------------ a foreign cancel */

static job j_long = {"child", 10, 0, PROPAGATE};

static int main_foreign(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *o = spawn(kt_get_running_loop(), owner_of_one, &j_long);
    kt_sleep(1);
    kt_task_cancel(o, NULL);
    kt_await_task(o, NULL);
    kt_log_add(&LOG, "owner-cancelled=%d", kt_future_cancelled(FUT(o)));
    kt_task_release(o);
    return 0;
}

static void taskgroup_does_not_swallow_a_foreign_cancel(void **state)
{
    (void)state;
    run_main(main_foreign, NULL);
    KT_CHECK_STR(LOG.buf, "child:cancelled@1 group->CANCELLED owner-cancelled=1",
                 "a cancel of the owner from outside passes through exit as KT_ECANCELLED (after the "
                 "children are cancelled and done): the group never swallows it (book §6.7; "
                 "asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ cancelled while exit waits */

static int owner_in_exit(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_long, NULL);
    int rc = kt_taskgroup_exit(tg, 0);
    log_exit("group", tg, rc);
    kt_log_add(&LOG, "exit-returned@%g", now());
    kt_taskgroup_release(tg);
    return rc;
}

static int main_in_exit(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_task *o = spawn(kt_get_running_loop(), owner_in_exit, NULL);
    kt_sleep(1);
    kt_task_cancel(o, NULL);
    kt_await_task(o, NULL);
    kt_log_add(&LOG, "owner-cancelled=%d", kt_future_cancelled(FUT(o)));
    kt_task_release(o);
    return 0;
}

static void taskgroup_owner_cancelled_in_exit_cancels_the_children(void **state)
{
    (void)state;
    run_main(main_in_exit, NULL);
    KT_CHECK_STR(LOG.buf, "child:cancelled@1 group->CANCELLED exit-returned@1 owner-cancelled=1",
                 "an owner cancelled while its exit waits: the children are cancelled, exit waits "
                 "for them and returns KT_ECANCELLED (book §6.7; asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ finished, shutting down */

static job j_one = {"one", 1, 0, PROPAGATE}, j_bad = {"bad", 1, E_VALUE, PROPAGATE};

static int main_states(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    kt_task *t = (kt_task *)&t;
    ENTER(&tg);
    CREATE(tg, &j_one, NULL);
    KT_CHECK_OK(kt_taskgroup_exit(tg, 0), "a group whose child succeeds exits with 0 (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_create_task(tg, job_fn, &j_one, &t), KT_EINVALSTATE,
                 "create_task in a group that has exited is KT_EINVALSTATE (asyncio: \"TaskGroup is "
                 "finished\") (book §6.7)");
    KT_CHECK(t == NULL, "a refused create_task sets *out to NULL (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_exit(tg, 0), KT_EINVALSTATE, "exiting a group twice is KT_EINVALSTATE (book §6.7)");
    kt_taskgroup_release(tg);

    ENTER(&tg);
    CREATE(tg, &j_bad, NULL);
    int rc = kt_sleep(5);
    KT_CHECK_STR(code_name(rc), "CANCELLED", "a failing child cancels the owner's body (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_create_task(tg, job_fn, &j_one, NULL), KT_EINVALSTATE,
                 "create_task in a group that is shutting down is KT_EINVALSTATE (asyncio: "
                 "\"TaskGroup is shutting down\") (book §6.7)");
    rc = kt_taskgroup_exit(tg, rc);
    log_exit("group", tg, rc);
    kt_taskgroup_release(tg);
    return 0;
}

static void taskgroup_refuses_tasks_when_finished_or_shutting_down(void **state)
{
    (void)state;
    run_main(main_states, NULL);
    KT_CHECK_STR(LOG.buf, "one:done@1 bad:done@2 group->EGROUP[E_VALUE]",
                 "no task is created in a finished or a shutting-down group (book §6.7; "
                 "asyncio/taskgroup_rules.py)");
}

/* ------------------------------------------------------------ released without exit */

static int main_abandon(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    ENTER(&tg);
    CREATE(tg, &j_long, NULL);
    kt_sleep(0);
    kt_taskgroup_release(tg); /* never exited: the child is cancelled */
    kt_sleep(1);
    return 0;
}

static void taskgroup_released_without_exit_cancels_its_children(void **state)
{
    (void)state;
    run_main(main_abandon, NULL);
    KT_CHECK_STR(LOG.buf, "child:cancelled@0",
                 "a group released without exit cancels its pending children, and nothing leaks "
                 "(book §6.7)");
}

/* ------------------------------------------------------------ arguments */

static int exit_from_another_task(void *arg, void **result)
{
    (void)result;
    return kt_taskgroup_exit(arg, 0);
}

static int main_args(void *arg, void **result)
{
    (void)arg;
    (void)result;
    kt_taskgroup *tg = NULL;
    KT_CHECK_ERR(kt_taskgroup_enter(NULL), KT_EINVAL, "kt_taskgroup_enter(NULL) is KT_EINVAL (book §6.7)");
    ENTER(&tg);
    KT_CHECK_ERR(kt_taskgroup_create_task(NULL, job_fn, &j_one, NULL), KT_EINVAL,
                 "create_task with a NULL group is KT_EINVAL (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_create_task(tg, NULL, NULL, NULL), KT_EINVAL,
                 "create_task with a NULL coroutine is KT_EINVAL (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_exit(NULL, 0), KT_EINVAL, "kt_taskgroup_exit(NULL) is KT_EINVAL (book §6.7)");
    KT_CHECK_INT(kt_taskgroup_errors(NULL, NULL, 0), 0, "kt_taskgroup_errors(NULL) is 0 (book §6.7)");
    kt_task *other = spawn(kt_get_running_loop(), exit_from_another_task, tg);
    KT_CHECK_ERR(kt_await_task(other, NULL), KT_EINVALSTATE,
                 "kt_taskgroup_exit from a task other than the owner is KT_EINVALSTATE: the block "
                 "belongs to the task that entered it (book §6.7)");
    kt_task_release(other);
    KT_CHECK_OK(kt_taskgroup_exit(tg, 0), "an empty group exits with 0 (book §6.7)");
    KT_CHECK_ERR(kt_taskgroup_exit(tg, 0), KT_EINVALSTATE, "a second kt_taskgroup_exit is KT_EINVALSTATE (book §6.7)");
    kt_taskgroup_release(tg);
    kt_taskgroup_release(NULL);
    return 0;
}

static void taskgroup_rejects_bad_arguments(void **state)
{
    (void)state;
    run_main(main_args, NULL);
    kt_taskgroup *tg = (kt_taskgroup *)&tg;
    KT_CHECK_ERR(kt_taskgroup_enter(&tg), KT_ENOTCORO,
                 "kt_taskgroup_enter outside a task is KT_ENOTCORO (asyncio: \"cannot determine the "
                 "parent task\") (book §6.7)");
    KT_CHECK(tg == NULL, "kt_taskgroup_enter sets *out to NULL on an error (book §6.7)");
}

static const kt_test_case tests[] = {
    KT_TEST(taskgroup_first_failure_cancels_siblings_and_owner, 3,
            "the first failure cancels the siblings and the owner (book §6.7)"),
    KT_TEST(taskgroup_body_error_is_collected_too, 2, "the body's own error joins the group (book §6.7)"),
    KT_TEST(taskgroup_child_error_beats_the_owner_cancel, 2, "errors win over the owner's cancel (book §6.7)"),
    KT_TEST(taskgroup_child_may_spawn_while_exit_waits, 2, "children may spawn while exit waits (book §6.7)"),
    KT_TEST(taskgroup_nested_groups, 3, "nested groups (book §6.7)"),
    KT_TEST(taskgroup_child_cancelled_from_outside_is_no_failure, 2,
            "a child cancelled from outside is no failure (book §6.7)"),
    KT_TEST(taskgroup_failure_while_exit_waits, 2, "a failure while exit waits aborts too (book §6.7)"),
    KT_TEST(taskgroup_owner_cancelled_twice_in_exit, 1, "exit waits for every child (book §6.7)"),
    KT_TEST(taskgroup_cancels_the_owner_once, 1, "the owner is cancelled once (book §6.7)"),
    KT_TEST(taskgroup_collects_every_error_in_order, 2, "every error is collected, in order (book §6.7)"),
    KT_TEST(taskgroup_does_not_swallow_a_foreign_cancel, 3, "a foreign cancel is not swallowed (book §6.7)"),
    KT_TEST(taskgroup_owner_cancelled_in_exit_cancels_the_children, 2,
            "an owner cancelled in exit cancels the children (book §6.7)"),
    KT_TEST(taskgroup_refuses_tasks_when_finished_or_shutting_down, 2,
            "no task in a finished or shutting-down group (book §6.7)"),
    KT_TEST(taskgroup_released_without_exit_cancels_its_children, 1,
            "released without exit: the children are cancelled (book §6.7)"),
    KT_TEST(taskgroup_rejects_bad_arguments, 2, "bad arguments are clear errors (book §6.7)"),
};

KT_MAIN("Lab 06 — combinators: TaskGroup", tests)
