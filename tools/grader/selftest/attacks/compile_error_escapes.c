/* kind: 3
 * tries: a compile error whose quoted source line carries escape sequences
 * base: starter
 * setup: escape-error
 * expect: does not compile
 */
static void attack_hook(void)
{
}
