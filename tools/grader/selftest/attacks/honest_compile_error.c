/* honest: a lab that does not compile is that lab's failure; Lab 00 (solved) is graded as usual
 * base: starter
 * setup: syntax-error
 * labs: 00 01
 * score: {max00}
 * expect: labs/01-callbacks/loop.c:
 * expect: Lab 00: {max00}/{max00} points
 */
static void attack_hook(void)
{
}
