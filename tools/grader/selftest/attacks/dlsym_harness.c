/* kind: 1
 * tries: find the harness's functions at run time with dlsym
 * base: starter
 * expect: calls `dlsym`
 */
#define _GNU_SOURCE
#include <dlfcn.h>

static void attack_hook(void)
{
    void (*f)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "kt_test_main");
    if (f != 0)
        f();
}
