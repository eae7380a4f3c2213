/* kind: 3
 * tries: a test's output that clears the screen and draws a fake full-marks table
 * base: starter
 * expect: Lab 01: 0/{max01} points
 */
#include <stdio.h>

static void attack_hook(void)
{
    printf("\033[2J\033[H\033[32m  PASS   51/51   everything\033[0m\n\033[8m");
    fprintf(stderr, "\033]0;full marks\007\033[1A\033[2K");
}
