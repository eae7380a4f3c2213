/* tiny_loop.c — an event loop small enough to read in one sitting
 * (book §C.3 and §C.4).
 *
 * The program does not wait for anything itself. It hands the loop
 * callbacks ("run this soon", "run this in 3 seconds") and the loop decides
 * when each one runs. One turn of the loop follows the phases of §C.4:
 * compute how long it may wait, wait, move due timers to the ready queue,
 * then run exactly the callbacks that were ready when the turn began.
 *
 * The clock is virtual: when there is nothing to do, "waiting" jumps the
 * clock straight to the next timer instead of sleeping. That keeps the
 * output identical on every run, and it is what Kettle's tests do too.
 * Lab 01 builds the real thing: a heap of timers, handles, cancellation.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*callback_fn)(void *arg);

typedef struct {
    callback_fn fn;
    void *arg;
    double when; /* timers only: the clock time at which it is due */
} callback;

enum { MAX_READY = 32, MAX_TIMERS = 8 };

/* [book:loop] */
static struct {
    double now;                      /* the virtual clock, in seconds */
    callback ready[MAX_READY];       /* FIFO: runs in the order scheduled */
    int ready_len;
    callback timers[MAX_TIMERS];     /* kept sorted by `when` */
    int timers_len;
    bool stopping;
} loop;

static void call_soon(callback_fn fn, void *arg)
{
    if (loop.ready_len == MAX_READY)
        abort();                     /* a real loop would return an error */
    loop.ready[loop.ready_len++] = (callback){fn, arg, 0};
}

static void call_later(double delay, callback_fn fn, void *arg)
{
    if (loop.timers_len == MAX_TIMERS)
        abort();
    int i = loop.timers_len++;
    /* insertion sort; a timer due at the same time as another goes after it */
    while (i > 0 && loop.timers[i - 1].when > loop.now + delay) {
        loop.timers[i] = loop.timers[i - 1];
        i--;
    }
    loop.timers[i] = (callback){fn, arg, loop.now + delay};
}

static void stop(void)
{
    loop.stopping = true;
}
/* [/book:loop] */

/* [book:run_once] */
static void run_once(void)
{
    /* 1. How long may we wait? Not at all if something is ready (or we are
     *    stopping); else until the next timer. */
    double timeout = -1; /* -1: no limit */
    if (loop.ready_len > 0 || loop.stopping)
        timeout = 0;
    else if (loop.timers_len > 0)
        timeout = loop.timers[0].when - loop.now;

    /* 2. Wait. A real loop calls poll() here; this one has no I/O, so it
     *    jumps its virtual clock instead. With no timer and nothing ready
     *    there is nothing that could ever happen. */
    if (timeout < 0) {
        fprintf(stderr, "nothing ready and no timers: the loop would wait forever\n");
        exit(1);
    }
    loop.now += timeout;

    /* 3. (I/O callbacks would be queued here.) */

    /* 4. Move every due timer to the ready queue, in deadline order. */
    int due = 0;
    while (due < loop.timers_len && loop.timers[due].when <= loop.now) {
        call_soon(loop.timers[due].fn, loop.timers[due].arg);
        due++;
    }
    for (int i = due; i < loop.timers_len; i++)
        loop.timers[i - due] = loop.timers[i];
    loop.timers_len -= due;

    /* 5. Run the callbacks that are ready now, and only those: a callback
     *    scheduled by one of them waits for the next turn. */
    int n = loop.ready_len;
    callback batch[MAX_READY];
    for (int i = 0; i < n; i++)
        batch[i] = loop.ready[i];
    loop.ready_len = 0;
    for (int i = 0; i < n; i++)
        batch[i].fn(batch[i].arg);
}

static void run_forever(void)
{
    int turn = 0;
    /* The stop flag is read after a turn, never before: a stop asked
     * before the run still gets one full turn, as in asyncio. */
    for (;;) {
        run_once();
        printf("      (end of turn %d)\n", ++turn);
        if (loop.stopping)
            break;
    }
    loop.stopping = false;
}
/* [/book:run_once] */

/* [book:callbacks] */
static void say(const char *what)
{
    printf("t=%.1f %s\n", loop.now, what);
}

static void read_page(void *arg)
{
    int page = *(int *)arg;
    say(page == 1 ? "read page 1" : "read page 2");
    if (page == 1) {
        static int next = 2;
        call_soon(read_page, &next);   /* runs in the next turn, not this one */
    }
}

static void put_kettle_on(void *arg)
{
    static int first = 1;
    (void)arg;
    say("put the kettle on");
    call_soon(read_page, &first);
}

static void toast_pops(void *arg)
{
    (void)arg;
    say("toast pops");
}

static void kettle_whistles(void *arg)
{
    (void)arg;
    say("kettle whistles: stop");
    stop();
}

int main(void)
{
    call_soon(put_kettle_on, NULL);
    call_later(3.0, kettle_whistles, NULL);
    call_later(1.0, toast_pops, NULL);
    run_forever();
    return 0;
}
/* [/book:callbacks] */
