/* kind: 2
 * tries: #include the solution that sits in the grading copy (relative and absolute paths)
 * base: starter
 * setup: include-solution
 * expect: only the kit's and the system's headers may be included
 */
static void attack_hook(void)
{
}
