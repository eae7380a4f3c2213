/* honest: the solution with printf debugging, a static helper, malloc/free, getenv; notes beside it
 * base: solution
 * setup: notes
 * score: {max01}
 * expect: Ignored under labs/
 * expect: labs/01-callbacks/notes.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int attack_hook(void)
{
    char *copy = malloc(16);
    if (copy == NULL)
        return 0;
    strcpy(copy, "call_soon");
    if (getenv("KETTLE_TRACE") != NULL)
        fprintf(stderr, "trace: %s\n", copy);
    printf("debug: %s\n", copy);
    free(copy);
    return 0;
}
