/* kind: 1
 * tries: from inside a lab function, write PASS on every fd (one is the grader's channel) and exit 0
 * base: starter
 * expect: a verdict not written by the test harness
 */
#include <unistd.h>

static void attack_hook(void)
{
    for (int fd = 3; fd < 64; fd++)
        if (write(fd, "PASS\n", 5) < 0)
            continue;
    _exit(0);
}
