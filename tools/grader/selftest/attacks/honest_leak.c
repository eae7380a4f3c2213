/* honest: the solution with a leak in kt_call_soon: the leak check fails the test, naming the student's line
 * base: solution
 * score: some
 * expect: LeakSanitizer:
 * expect: allocated at attack_hook labs/01-callbacks/loop.c:
 */
#include <stdlib.h>

static int attack_hook(void)
{
    static int calls;
    if (++calls == 2) {
        char *p = malloc(48);
        if (p != NULL)
            p[0] = 'x';
    }
    return 0;
}
