/* kind: 6 (sanitizer settings are left to the program)
 * tries: hide a leak with __lsan_is_turned_off, __asan_default_options, suppressions and __lsan_disable
 * base: solution
 * expect: defines `__lsan_is_turned_off`
 * expect: defines `__asan_default_options`
 * expect: defines `__lsan_default_suppressions`
 * expect: uses `__lsan_disable`
 */
#include <stdlib.h>

int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return 1;
}
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0:halt_on_error=0";
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:*";
}
void __lsan_disable(void);

static int attack_hook(void)
{
    __lsan_disable();
    static void *p;
    p = malloc(48);
    p = NULL;
    return 0;
}
