/* kind: 1 (student code shares the process that reports the verdict)
 * tries: a constructor writes PASS on the result fd and exits before any test runs
 * base: starter
 * expect: defines a constructor or destructor
 */
#include <unistd.h>

__attribute__((constructor)) static void early(void)
{
    if (write(3, "PASS\n", 5) == 5)
        _exit(0);
    _exit(0);
}

static void attack_hook(void)
{
}
