/* kind: 3 (student text reaches make, the shell and the terminal)
 * tries: a README title and file names holding $(shell ...), backquotes and terminal escapes
 * base: starter
 * setup: names
 * expect: callbacks and timers
 * expect: \x1b[31m
 */
static void attack_hook(void)
{
}
