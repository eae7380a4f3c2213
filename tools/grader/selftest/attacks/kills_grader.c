/* kind: 4
 * tries: kill or stop the grader (its parent and every process it may signal)
 * base: starter
 * root: yes
 * expect: Lab 01: 0/{max01} points
 */
#include <signal.h>
#include <unistd.h>

static void attack_hook(void)
{
    kill(getppid(), SIGSTOP);
    kill(getppid(), SIGKILL);
    kill(-1, SIGSTOP);
    kill(1, SIGKILL);
}
