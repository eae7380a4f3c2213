/* amdahl.c — how much faster can N cores make a program? (book §D.4)
 *
 * If a fraction p of the work can be spread over n cores and the rest
 * cannot, the best speedup is 1 / ((1 - p) + p / n). The serial part sets a
 * ceiling, 1 / (1 - p), that no number of cores can break.
 */
#include <stdio.h>

/* [book:amdahl] */
static double speedup(double p, double n)
{
    return 1.0 / ((1.0 - p) + p / n);
}
/* [/book:amdahl] */

int main(void)
{
    const double parallel[] = {0.50, 0.90, 0.95, 0.99};
    const int cores[] = {1, 2, 4, 8, 16, 64};

    printf("parallel part |");
    for (size_t j = 0; j < sizeof cores / sizeof cores[0]; j++)
        printf(" %3d cores", cores[j]);
    printf(" | ceiling\n");
    for (size_t i = 0; i < sizeof parallel / sizeof parallel[0]; i++) {
        printf("          %2.0f%% |", parallel[i] * 100);
        for (size_t j = 0; j < sizeof cores / sizeof cores[0]; j++)
            printf(" %8.2fx", speedup(parallel[i], cores[j]));
        printf(" | %6.0fx\n", 1.0 / (1.0 - parallel[i]));
    }
    return 0;
}
