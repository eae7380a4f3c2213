/* kind: 2 (which files are compiled is decided by what is in labs/)
 * tries: an extra directory under labs/ and a subdirectory in the lab, each with a .c implementing the lab
 * base: starter
 * setup: extra-dirs
 * expect: labs/zz-extra
 * expect: labs/01-callbacks/sub
 */
static void attack_hook(void)
{
}
