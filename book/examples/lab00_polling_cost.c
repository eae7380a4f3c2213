/* lab00_polling_cost.c — what a polling watcher pays (book §0.5).
 *
 * A simulation, not a measurement. Three kettles (pipes) boil at fixed
 * moments: each moment, a writer puts a few bytes in its pipe, and at the
 * end it closes the pipe. A watcher polls them exactly as Lab 00's
 * kt_watch_kettles does: go round the open pipes, read each one dry, drop
 * it at end of file, and sleep `interval` after a round that found nothing.
 * We run the same morning with four intervals and count what it cost.
 *
 * Time is whole milliseconds and nothing really sleeps, so the output is
 * the same on every machine and every run.
 */
#include <stdio.h>

enum { KETTLES = 3, MAX_BOILS = 4 };

typedef struct {
    const char *name;
    int boils[MAX_BOILS]; /* when bytes arrive, in ms, ascending */
    int nboils;
    int closes_at;        /* when the writer closes its end */
} kettle;

/* [book:morning] */
static const kettle morning[KETTLES] = {
    {"A", {253, 1408, 2051}, 3, 2110},
    {"B", {907, 2633}, 2, 2702},
    {"C", {2996}, 1, 3004},
};
/* [/book:morning] */

typedef struct {
    long rounds, checks, empty_checks, sleeps;
    long chunks_late_ms; /* summed over every boil: read time - boil time */
    int worst_ms;
    int boils;
} cost;

/* One visit to kettle k at time now, like drain() in nonblock.c: read until
 * the pipe answers "nothing yet" (EAGAIN) or end of file. Returns 1 if the
 * pipe reached end of file. */
static int visit(const kettle *k, int *next, int now, int *got, cost *c)
{
    for (;;) {
        c->checks++;
        int arrived = 0;
        while (*next + arrived < k->nboils && k->boils[*next + arrived] <= now)
            arrived++;
        if (arrived > 0) { /* one read takes every byte waiting in the pipe */
            for (int i = 0; i < arrived; i++) {
                int late = now - k->boils[*next + i];
                c->chunks_late_ms += late;
                if (late > c->worst_ms)
                    c->worst_ms = late;
                c->boils++;
            }
            *next += arrived;
            *got = 1;
            continue;
        }
        if (*next == k->nboils && now >= k->closes_at)
            return 1; /* read returned 0: end of file */
        c->empty_checks++;
        return 0;     /* EAGAIN: this kettle is dry for now */
    }
}

static cost watch(int interval_ms)
{
    cost c = {0};
    int next[KETTLES] = {0};
    int open[KETTLES] = {1, 1, 1};
    int still_open = KETTLES;
    int now = 0;
    while (still_open > 0) {
        c.rounds++;
        int got = 0;
        for (int k = 0; k < KETTLES; k++) {
            if (open[k] && visit(&morning[k], &next[k], now, &got, &c)) {
                open[k] = 0;
                still_open--;
            }
        }
        if (still_open > 0 && !got) {
            c.sleeps++;
            now += interval_ms; /* "check the kettle again in a minute" */
        }
    }
    return c;
}

int main(void)
{
    static const int intervals[] = {1, 10, 100, 1000};
    printf("interval | rounds | reads | empty reads | sleeps | mean wait | worst wait\n");
    for (size_t i = 0; i < sizeof intervals / sizeof intervals[0]; i++) {
        cost c = watch(intervals[i]);
        printf("%5d ms | %6ld | %5ld | %5ld (%2ld%%) | %6ld | %6.1f ms | %7d ms\n", intervals[i], c.rounds,
               c.checks, c.empty_checks, 100 * c.empty_checks / c.checks, c.sleeps,
               (double)c.chunks_late_ms / c.boils, c.worst_ms);
    }
    return 0;
}
