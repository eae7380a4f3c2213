/* conventions.c — Kettle's conventions in one small file (book: Conventions).
 *
 * 1. Errors are values: a function returns 0 or a negative code, and its
 *    results go out through pointer arguments, set only on success.
 * 2. Ownership is explicit: a shared object carries a reference count; whoever
 *    holds a reference gives it back exactly once, and the last one frees it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kettle/errors.h"

/* [book:errors] */
/* Check a delay for call_later: 0 and *out set, or KT_EINVAL and *out
 * untouched. Twin: Python raises ValueError instead of returning a code. */
static int check_delay(double delay, double *out)
{
    if (out == NULL || isnan(delay) || isinf(delay) || delay < 0)
        return KT_EINVAL;
    *out = delay;
    return 0;
}

static void try_delay(double delay)
{
    double ok_delay = -1;
    int err = check_delay(delay, &ok_delay);
    if (err < 0)
        printf("check_delay(%g) failed: %s\n", delay, kt_strerror(err));
    else
        printf("check_delay(%g) = 0, delay is %g\n", delay, ok_delay);
}
/* [/book:errors] */

/* [book:refcount] */
typedef struct note {
    int refs;        /* how many holders; the last release frees */
    char text[32];
} note;

/* A new note with one reference, owned by the caller. */
static int note_new(note **out, const char *text)
{
    if (out == NULL || text == NULL)
        return KT_EINVAL;
    note *n = calloc(1, sizeof *n);
    if (n == NULL)
        return KT_ENOMEM;
    n->refs = 1;
    snprintf(n->text, sizeof n->text, "%s", text);
    *out = n;
    return 0;
}

/* Take another reference: the caller now owns one more release. */
static note *note_retain(note *n)
{
    n->refs++;
    return n;
}

/* Give back one reference; NULL is ignored, like free(NULL). */
static void note_release(note *n)
{
    if (n != NULL && --n->refs == 0)
        free(n);
}
/* [/book:refcount] */

int main(void)
{
    try_delay(0.5);
    try_delay(-1);
    try_delay(NAN);

    /* [book:refcount_use] */
    note *mine;
    if (note_new(&mine, "whistle") < 0)
        return 1;
    note *queued = note_retain(mine);   /* a queue keeps it too: 2 references */
    note_release(mine);                 /* we are done with it: 1 left */
    printf("the queue still reads \"%s\" (%d reference)\n", queued->text, queued->refs);
    note_release(queued);               /* the last one: freed */
    /* [/book:refcount_use] */
    return 0;
}
