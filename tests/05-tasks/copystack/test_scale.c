/* test_scale.c — tasks on copied stacks (COPYSTACK=1 only; book §3.14).
 *
 * What issue 13 asked of the scale build: far more pending tasks than one
 * stack each allowed, a parent's locals still valid in the tasks it hands
 * them to, and running out of memory as KT_ENOMEM from kt_create_task or the
 * task's first step, never a crash. malloc, calloc, realloc and mmap are
 * wrapped (test_scale.ldflags) so that a test can make them fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "../task_test.h"
#include "kettle/copystack.h"

#define V(n) ((void *)(intptr_t)(n))
#define N(p) ((long)(intptr_t)(p))

/* ---- allocation failures on demand ---------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

static long allocations_left = -1; /* -1: no limit */
static int mmap_fails;

static int allocation_allowed(void)
{
    if (allocations_left == 0)
        return 0;
    if (allocations_left > 0)
        allocations_left--;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return allocation_allowed() ? __real_malloc(n) : NULL;
}

void *__wrap_calloc(size_t n, size_t size)
{
    return allocation_allowed() ? __real_calloc(n, size) : NULL;
}

void *__wrap_realloc(void *p, size_t n)
{
    return allocation_allowed() ? __real_realloc(p, n) : NULL;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (mmap_fails) {
        errno = ENOMEM;
        return MAP_FAILED;
    }
    return __real_mmap(addr, len, prot, flags, fd, off);
}

/* ---- many sleeping tasks ---------------------------------------------------- */

static int sleeps_one_second(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return kt_sleep(1.0);
}

#define SLEEPERS 40000 /* one stack each stopped at 32,749 */

static void forty_thousand_sleeping_tasks_complete(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task **t = calloc(SLEEPERS, sizeof *t);
    KT_CHECK(t != NULL, "the test itself is out of memory");
    for (long i = 0; i < SLEEPERS; i++)
        t[i] = spawn(loop, sleeps_one_second, NULL);
    run_all(loop);
    long failed = 0;
    for (long i = 0; i < SLEEPERS; i++) {
        failed += outcome(t[i], NULL) != 0;
        kt_task_release(t[i]);
    }
    free(t);
    KT_CHECK_INT(failed, 0,
                 "%d tasks sleeping at once must all wake and finish: a pending task holds a few hundred "
                 "copied bytes, not a mapped stack (book §3.14)",
                 SLEEPERS);
    KT_CHECK_DBL(kt_loop_time(loop), 1.0, 1e-9, "they all sleep the same second, together (book §5.4)");
    close_loop(loop);
}

/* ---- a parent's locals, handed to its children ------------------------------ */

typedef struct tally {
    long sum;
    long visits;
} tally;

/* Adds its share to the parent's tally, around bare yields that let every
 * other task run (and, unpinned, copy the parent out). */
static int adds_to_parent(void *arg, void **result)
{
    (void)result;
    tally *t = arg;
    for (int i = 0; i < 3; i++) {
        t->visits++;
        int rc = kt_sleep(0);
        if (rc != 0)
            return rc;
    }
    t->sum += 10;
    return 0;
}

/* Keeps its own local and checks it after every yield. */
static int busy_neighbour(void *arg, void **result)
{
    long mine = N(arg) * 1000;
    for (int i = 0; i < 6; i++) {
        mine++;
        int rc = kt_sleep(0);
        if (rc != 0)
            return rc;
    }
    *result = V(mine - N(arg) * 1000);
    return 0;
}

#define CHILDREN 5

static int parent(void *arg, void **result)
{
    (void)arg;
    tally mine = {0, 0}; /* on this task's stack */
    kt_loop *loop = kt_get_running_loop();
    kt_task *kids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++)
        if (kt_create_task(loop, adds_to_parent, &mine, &kids[i]) != 0)
            return KT_EINVALSTATE;
    for (int i = 0; i < CHILDREN; i++) {
        kt_await_task(kids[i], NULL);
        kt_task_release(kids[i]);
    }
    *result = V(mine.sum * 100 + mine.visits);
    return 0;
}

static void a_parents_locals_stay_put_for_its_children(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    /* Neighbours first: they share the parent's stack and run between every
     * step of the children. */
    kt_task *n1 = spawn(loop, busy_neighbour, V(1));
    kt_task *n2 = spawn(loop, busy_neighbour, V(2));
    kt_task *p = spawn(loop, parent, NULL);
    run_all(loop);
    void *v = NULL;
    KT_CHECK_ERR(outcome(p, &v), 0, "the parent finishes (book §5.2)");
    KT_CHECK_INT(N(v), CHILDREN * 10 * 100 + CHILDREN * 3,
                 "children that get a pointer to their parent's local see it and update it while the "
                 "parent is suspended: a task that hands out &local is pinned (book §3.14)");
    KT_CHECK_ERR(outcome(n1, &v), 0, "a neighbour finishes (book §5.2)");
    KT_CHECK_INT(N(v), 6, "a task sharing the pinned task's stack keeps its own locals (book §3.14)");
    KT_CHECK_ERR(outcome(n2, &v), 0, "a neighbour finishes (book §5.2)");
    KT_CHECK_INT(N(v), 6, "a task sharing the pinned task's stack keeps its own locals (book §3.14)");
    kt_copystack_stats s;
    kt_copystack_get_stats(&s);
    KT_CHECK(s.pins >= 1, "the parent passing &local to kt_create_task is pinned (book §3.14)");
    kt_task_release(n1);
    kt_task_release(n2);
    kt_task_release(p);
    close_loop(loop);
}

/* ---- out of memory ------------------------------------------------------------ */

static int returns_at_once(void *arg, void **result)
{
    *result = arg;
    return 0;
}

#define MAX_TRIES 100000

static void create_task_gives_enomem_when_memory_runs_out(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task **t = calloc(MAX_TRIES, sizeof *t);
    KT_CHECK(t != NULL, "the test itself is out of memory");
    long made = 0;
    int rc = 0;
    kt_task *failed = V(1);
    allocations_left = 301; /* the machine is full after this */
    while (made < MAX_TRIES && (rc = kt_create_task(loop, returns_at_once, V(made), &failed)) == 0) {
        t[made++] = failed;
        failed = V(1);
    }
    allocations_left = -1;
    KT_CHECK_ERR(rc, KT_ENOMEM, "kt_create_task must fail with KT_ENOMEM once memory runs out (book §3.14)");
    KT_CHECK(failed == NULL, "a kt_create_task that failed sets *out to NULL (book §5.3)");
    KT_CHECK(made > 0, "some tasks fit before memory ran out");
    run_all(loop);
    long wrong = 0;
    for (long i = 0; i < made; i++) {
        void *v = NULL;
        wrong += outcome(t[i], &v) != 0 || N(v) != i;
        kt_task_release(t[i]);
    }
    free(t);
    KT_CHECK_INT(wrong, 0, "the tasks made before memory ran out still run to the end (book §3.14)");
    close_loop(loop);
}

static void first_step_gives_enomem_when_memory_runs_out(void **state)
{
    (void)state;
    kt_loop *loop = new_loop();
    kt_task *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = spawn(loop, sleeps_one_second, NULL);
    allocations_left = 0; /* nothing more: the coroutines cannot be made */
    int rc = kt_loop_run_once(loop);
    allocations_left = -1;
    KT_CHECK_OK(rc, "the loop itself goes on when a task's first step runs out of memory");
    for (int i = 0; i < 4; i++) {
        KT_CHECK_ERR(outcome(t[i], NULL), KT_ENOMEM,
                     "a task whose coroutine cannot be made finishes with KT_ENOMEM at its first step "
                     "(book §3.14)");
        kt_task_release(t[i]);
    }
    run_all(loop);
    close_loop(loop);
}

/* In a thread of its own, so that it has no shared stack yet: the first
 * step must map one, and mmap fails. Then mmap works again. */
static void *steps_without_mmap(void *arg)
{
    (void)arg;
    int *codes = __real_calloc(2, sizeof *codes);
    kt_loop *loop = NULL;
    if (codes == NULL || kt_loop_new(&loop, KT_CLOCK_VIRTUAL) != 0)
        return codes;
    for (int round = 0; round < 2; round++) {
        kt_task *t = NULL;
        kt_create_task(loop, sleeps_one_second, NULL, &t);
        mmap_fails = round == 0;
        while (kt_loop_run_once(loop) == 0)
            ;
        mmap_fails = 0;
        codes[round] = kt_future_result(kt_task_future(t), NULL) + 1000;
        kt_task_release(t);
    }
    kt_loop_close(loop);
    return codes;
}

static void first_step_gives_enomem_when_no_stack_can_be_mapped(void **state)
{
    (void)state;
    pthread_t th;
    KT_CHECK(pthread_create(&th, NULL, steps_without_mmap, NULL) == 0, "the test itself could not start a thread");
    void *r = NULL;
    pthread_join(th, &r);
    int *codes = r;
    KT_CHECK(codes != NULL, "the test's thread could not make its loop");
    int first = codes[0] - 1000, second = codes[1] - 1000;
    free(codes);
    KT_CHECK_ERR(first, KT_ENOMEM,
                 "when no shared stack can be mapped, the task's first step fails with KT_ENOMEM (book §3.14)");
    KT_CHECK_ERR(second, 0, "once memory is back, the next task runs normally (book §3.14)");
}

static const kt_test_case tests[] = {
    /* 40,000 tasks under ASan: some seconds alone, over 10 on a loaded machine */
    KT_TEST_TIMEOUT(forty_thousand_sleeping_tasks_complete, 3, 60, "40,000 sleeping tasks all finish (book §3.14)"),
    KT_TEST(a_parents_locals_stay_put_for_its_children, 3, "a task that hands out &local is pinned (book §3.14)"),
    KT_TEST(create_task_gives_enomem_when_memory_runs_out, 2, "out of memory: KT_ENOMEM from kt_create_task (book §3.14)"),
    KT_TEST(first_step_gives_enomem_when_memory_runs_out, 2, "out of memory: KT_ENOMEM at the first step (book §3.14)"),
    KT_TEST(first_step_gives_enomem_when_no_stack_can_be_mapped, 2, "no stack to map: KT_ENOMEM at the first step (book §3.14)"),
};

KT_MAIN("Copied stacks — tasks at scale", tests)
