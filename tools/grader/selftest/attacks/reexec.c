/* kind: 6
 * tries: set ASAN_OPTIONS=detect_leaks=0 and re-execute the test binary
 * base: solution
 * expect: calls `setenv`
 * expect: calls `execv`
 */
#include <stdlib.h>
#include <unistd.h>

static int attack_hook(void)
{
    if (getenv("KETTLE_ATTACK_AGAIN") == NULL) {
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        setenv("KETTLE_ATTACK_AGAIN", "1", 1);
        char *argv[] = {"/proc/self/exe", NULL};
        execv("/proc/self/exe", argv);
    }
    (void)malloc(48);
    return 0;
}
