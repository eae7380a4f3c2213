/* kind: 1
 * tries: call the harness's exported entry with a test that does nothing, so it reports a pass
 * base: starter
 * expect: uses `kt_test_main`
 */
#include <stdlib.h>

typedef struct fake_case {
    const char *name;
    void (*fn)(void **);
    int points;
    double timeout;
    const char *rule;
} fake_case;
extern int kt_test_main(const char *title, const fake_case *cases, size_t n, int argc, char **argv);

static void nothing(void **state)
{
    (void)state;
}

static void attack_hook(void)
{
    static const fake_case c = {"call_soon_runs_callbacks_in_fifo_order", nothing, 1, 0, ""};
    char *argv[] = {"t", "--run", "call_soon_runs_callbacks_in_fifo_order", NULL};
    exit(kt_test_main("x", &c, 1, 3, argv));
}
