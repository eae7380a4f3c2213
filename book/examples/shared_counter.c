/* shared_counter.c — threads share memory, so they can lose each other's
 * updates (book §A.2).
 *
 * Four threads each add 1 to a shared counter N times, three ways:
 *   racy:    read the counter, then write back the value + 1 (two steps);
 *   mutex:   the same two steps, but inside a lock;
 *   atomic:  one indivisible read-modify-write.
 * The racy way uses relaxed atomic loads and stores, so every access is
 * well defined in C11 (no data race, no undefined behaviour) and yet the
 * read-then-write can interleave with another thread's and lose updates.
 * A plain `counter++` from several threads would be worse: undefined.
 *
 * How many updates the racy way loses depends on timing, so the output
 * varies; the mutex and atomic totals are always exact, and the program
 * checks that.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

enum { THREADS = 4, ADDS = 500000 };

static atomic_long racy_counter;
static long locked_counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long atomic_counter;

/* [book:racy] */
static void *add_racy(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        long seen = atomic_load_explicit(&racy_counter, memory_order_relaxed);
        /* another thread may write here, between our read and our write */
        atomic_store_explicit(&racy_counter, seen + 1, memory_order_relaxed);
    }
    return NULL;
}
/* [/book:racy] */

/* [book:locked] */
static void *add_locked(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        pthread_mutex_lock(&counter_lock);
        locked_counter = locked_counter + 1; /* nobody else can be here now */
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}
/* [/book:locked] */

static void *add_atomic(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++)
        atomic_fetch_add_explicit(&atomic_counter, 1, memory_order_relaxed);
    return NULL;
}

static void run(void *(*body)(void *))
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, body, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
}

/* The lost update, replayed by hand in one thread so it always happens. */
static void replay(void)
{
    long counter = 41;
    long a = counter;   /* thread A reads 41 */
    long b = counter;   /* thread B reads 41 */
    counter = a + 1;    /* A writes 42 */
    counter = b + 1;    /* B writes 42: A's update is gone */
    printf("replay: A and B each added 1 to 41 and the counter says %ld\n\n", counter);
}

int main(void)
{
    const long want = (long)THREADS * ADDS;
    replay();

    run(add_racy);
    run(add_locked);
    run(add_atomic);
    long racy = atomic_load(&racy_counter);
    long atomic = atomic_load(&atomic_counter);

    printf("%d threads x %d additions each; the right total is %ld\n", THREADS, ADDS, want);
    printf("  racy   (load, then store): %8ld  (%ld updates lost)\n", racy, want - racy);
    printf("  mutex  (lock around both): %8ld\n", locked_counter);
    printf("  atomic (fetch_add):        %8ld\n", atomic);
    if (locked_counter != want || atomic != want) {
        fprintf(stderr, "the mutex and atomic totals must be exact\n");
        return 1;
    }
    return 0;
}
