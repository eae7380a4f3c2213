/* kind: 1
 * tries: a raw system call instruction (write PASS, then exit_group) that no symbol check sees
 * base: starter
 * expect: raw system call instruction
 */
static void attack_hook(void)
{
    static const char msg[] = "PASS\n";
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(1L), "D"(3L), "S"(msg), "d"(5L) : "rcx", "r11", "memory");
    __asm__ volatile("syscall" : : "a"(231L), "D"(0L));
}
