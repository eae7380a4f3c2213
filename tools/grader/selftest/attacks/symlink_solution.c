/* kind: 2
 * tries: labs/01-callbacks/loop.c is a symbolic link to the solution in the grading copy
 * base: starter
 * setup: symlink-solution
 * expect: loop.c is a symbolic link
 */
static void attack_hook(void)
{
}
