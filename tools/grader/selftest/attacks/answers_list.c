/* kind: 1
 * tries: replace the harness's entry (kt_test_main) to answer --list: hide failing tests, infinite limits
 * base: starter
 * expect: defines `kt_test_main`
 */
#include <stdio.h>
#include <stddef.h>

int kt_test_main(const char *title, const void *cases, size_t n, int argc, char **argv);
int kt_test_main(const char *title, const void *cases, size_t n, int argc, char **argv)
{
    (void)title;
    (void)cases;
    (void)n;
    (void)argc;
    (void)argv;
    printf("passes\t1000\t99999\tfree points\n");
    return 0;
}

static void attack_hook(void)
{
}
