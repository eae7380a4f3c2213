/* exam_score.c — the exam-score example of book §4.1, on your futures.
 *
 * Ada sits an exam and wants her grade at once, but nobody knows it yet:
 * the teacher marks the papers two and a half (virtual) days later. Ada does not
 * wait at the door. She leaves a note ("tell me when it is in") and goes
 * about her days. The grade is a future; the note is a done callback.
 * Bob's paper is lost, so his future finishes with an error instead of a
 * grade, and Bob hears that too.
 *
 * Run it with `make run LAB=04 APP=exam_score` once Lab 04 passes; its
 * Python twin is book/examples/exam_score.py and prints the same lines.
 */
#include <stdio.h>

#include "kettle/kettle.h"

enum { E_PAPER_LOST = KT_EUSER - 1 }; /* our own error code, like a custom exception */

/* [book:example] */
static void mark_papers(kt_loop *loop, void *arg)
{
    kt_future **grades = arg;
    printf("day %g: the teacher marks the papers\n", kt_loop_time(loop));
    kt_future_set_result(grades[0], "B+");
    kt_future_set_error(grades[1], E_PAPER_LOST);
    printf("day %g: marking done (nobody has been told yet)\n", kt_loop_time(loop));
}

static void tell(kt_future *grade, void *name)
{
    void *value = NULL;
    int rc = kt_future_result(grade, &value);
    if (rc == 0)
        printf("day %g: %s hears: grade %s\n", kt_loop_time(kt_future_loop(grade)), (const char *)name,
               (const char *)value);
    else
        printf("day %g: %s hears: no grade (%s)\n", kt_loop_time(kt_future_loop(grade)), (const char *)name,
               rc == E_PAPER_LOST ? "paper lost" : kt_strerror(rc));
}

static void live_a_day(kt_loop *loop, void *unused)
{
    (void)unused;
    printf("day %g: lectures, lunch, the library\n", kt_loop_time(loop));
}

static void stop(kt_loop *loop, void *unused)
{
    (void)unused;
    kt_loop_stop(loop);
}

int main(void)
{
    kt_loop *loop = NULL;
    kt_future *grades[2] = {NULL, NULL};
    if (kt_loop_new(&loop, KT_CLOCK_VIRTUAL) < 0 || kt_future_new(loop, &grades[0]) < 0 ||
        kt_future_new(loop, &grades[1]) < 0) {
        fprintf(stderr, "exam_score: out of memory\n");
        return 1;
    }
    printf("day 0: Ada asks for her grade: done? %s\n", kt_future_done(grades[0]) ? "yes" : "no");
    kt_future_add_done_callback(grades[0], tell, "Ada");
    kt_future_add_done_callback(grades[1], tell, "Bob");
    for (int day = 1; day <= 3; day++)
        kt_call_at(loop, day, live_a_day, NULL, NULL);
    kt_call_at(loop, 2.5, mark_papers, grades, NULL);
    kt_call_at(loop, 3.5, stop, NULL, NULL);

    int rc = kt_run_forever(loop);
    kt_future_release(grades[0]);
    kt_future_release(grades[1]);
    kt_loop_close(loop);
    return rc < 0;
}
/* [/book:example] */
