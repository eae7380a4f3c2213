/* fastctx.c — swapcontext and setcontext without the signal mask (see
 * fastctx.h). [given]
 *
 * The x86-64 version follows glibc's sysdeps/unix/sysv/linux/x86_64/
 * getcontext.S, swapcontext.S and setcontext.S minus the rt_sigprocmask call, so it reads
 * and writes ucontext_t exactly where glibc does:
 *
 *   save (get, swap)  rbx rbp r12-r15 into gregs, the return address into
 *                     REG_RIP, the caller's stack pointer (above the return
 *                     address) into REG_RSP; uc_mcontext.fpregs points at
 *                     __fpregs_mem, which gets the x87 control word (and an
 *                     empty x87 register stack, as the ABI guarantees at a
 *                     call) and MXCSR. The status flags are not preserved
 *                     across calls by the ABI, so they are not saved.
 *   load              x87 control word through uc_mcontext.fpregs, MXCSR,
 *                     rsp, rbx rbp r12-r15, then the argument registers
 *                     rdi rsi rdx rcx r8 r9, and "return" to REG_RIP by
 *                     pushing it and executing ret.
 *
 * That last part is what makes a makecontext'd context start: makecontext
 * puts the entry function in REG_RIP, its arguments in the argument
 * registers, uc_link in REG_RBX, and a stack in REG_RSP whose top slot holds
 * glibc's __start_context, which the entry returns into.
 *
 * Offsets come from offsetof on the real structures, handed to the assembly
 * as immediate operands ("i") of an asm statement whose text defines the two
 * functions in .text. Written in assembly because no C code may run while
 * the stack pointer is being replaced.
 */
#define _GNU_SOURCE /* REG_RBX and the other gregs indices */
#include <stddef.h>
#include <ucontext.h>

#include "kettle/fastctx.h"

#if KT_FASTCTX_ASM

#define KT_GREG(r) (offsetof(ucontext_t, uc_mcontext.gregs) + (r) * sizeof(greg_t))

/* Save the caller's state into the context in rdi (shared by kt_getcontext
 * and kt_swapcontext). The floating-point part is written as an fnstenv
 * image (control word, status 0, all x87 tags empty), so that glibc's
 * setcontext, which loads it with fldenv, may load this context too. */
#define KT_SAVE \
        "    movq %%rbx, %c[rbx](%%rdi)\n" \
        "    movq %%rbp, %c[rbp](%%rdi)\n" \
        "    movq %%r12, %c[r12](%%rdi)\n" \
        "    movq %%r13, %c[r13](%%rdi)\n" \
        "    movq %%r14, %c[r14](%%rdi)\n" \
        "    movq %%r15, %c[r15](%%rdi)\n" \
        "    movq (%%rsp), %%rcx\n" \
        "    movq %%rcx, %c[rip](%%rdi)\n" \
        "    leaq 8(%%rsp), %%rcx\n" /* the caller's rsp after its ret */ \
        "    movq %%rcx, %c[rsp](%%rdi)\n" \
        "    leaq %c[fpmem](%%rdi), %%rcx\n" \
        "    movq %%rcx, %c[fpregs](%%rdi)\n" \
        "    movl $0, (%%rcx)\n" \
        "    fnstcw (%%rcx)\n" \
        "    movl $0, 4(%%rcx)\n" \
        "    movl $0xffff, 8(%%rcx)\n" \
        "    stmxcsr %c[mxcsr](%%rdi)\n"

/* Never called: it exists to carry the assembly and its operands. `used`
 * keeps the compiler from dropping it. */
__attribute__((used)) static void kt_fastctx_asm(void)
{
    __asm__ volatile(
        ".pushsection .text\n"
        ".p2align 4\n"
        ".globl kt_getcontext\n"
        ".type kt_getcontext, @function\n"
        "kt_getcontext:\n"
        KT_SAVE
        "    xorl %%eax, %%eax\n"
        "    ret\n"
        ".size kt_getcontext, . - kt_getcontext\n"
        ".p2align 4\n"
        ".globl kt_swapcontext\n"
        ".type kt_swapcontext, @function\n"
        "kt_swapcontext:\n"
        KT_SAVE
        "    movq %%rsi, %%rdi\n"
        /* fall through: load to (now in rdi) */
        ".globl kt_setcontext\n"
        ".type kt_setcontext, @function\n"
        "kt_setcontext:\n"
        "    movq %c[fpregs](%%rdi), %%rcx\n"
        "    fldcw (%%rcx)\n"
        "    ldmxcsr %c[mxcsr](%%rdi)\n"
        "    movq %c[rsp](%%rdi), %%rsp\n"
        "    movq %c[rbx](%%rdi), %%rbx\n"
        "    movq %c[rbp](%%rdi), %%rbp\n"
        "    movq %c[r12](%%rdi), %%r12\n"
        "    movq %c[r13](%%rdi), %%r13\n"
        "    movq %c[r14](%%rdi), %%r14\n"
        "    movq %c[r15](%%rdi), %%r15\n"
        "    pushq %c[rip](%%rdi)\n"
        "    movq %c[rsi](%%rdi), %%rsi\n"
        "    movq %c[rdx](%%rdi), %%rdx\n"
        "    movq %c[rcx](%%rdi), %%rcx\n"
        "    movq %c[r8](%%rdi), %%r8\n"
        "    movq %c[r9](%%rdi), %%r9\n"
        "    movq %c[rdi](%%rdi), %%rdi\n"
        "    xorl %%eax, %%eax\n"
        "    ret\n"
        ".size kt_setcontext, . - kt_setcontext\n"
        ".size kt_swapcontext, . - kt_swapcontext\n"
        ".popsection\n"
        :
        : [rbx] "i"(KT_GREG(REG_RBX)), [rbp] "i"(KT_GREG(REG_RBP)),
          [r12] "i"(KT_GREG(REG_R12)), [r13] "i"(KT_GREG(REG_R13)),
          [r14] "i"(KT_GREG(REG_R14)), [r15] "i"(KT_GREG(REG_R15)),
          [rdi] "i"(KT_GREG(REG_RDI)), [rsi] "i"(KT_GREG(REG_RSI)),
          [rdx] "i"(KT_GREG(REG_RDX)), [rcx] "i"(KT_GREG(REG_RCX)),
          [r8] "i"(KT_GREG(REG_R8)), [r9] "i"(KT_GREG(REG_R9)),
          [rip] "i"(KT_GREG(REG_RIP)), [rsp] "i"(KT_GREG(REG_RSP)),
          [fpregs] "i"(offsetof(ucontext_t, uc_mcontext.fpregs)),
          [fpmem] "i"(offsetof(ucontext_t, __fpregs_mem)),
          [mxcsr] "i"(offsetof(ucontext_t, __fpregs_mem.mxcsr)));
}

#else /* the portable fallback: glibc's own calls */

int kt_getcontext(struct ucontext_t *ctx)
{
    return getcontext(ctx);
}

int kt_swapcontext(struct ucontext_t *from, const struct ucontext_t *to)
{
    return swapcontext(from, to);
}

int kt_setcontext(const struct ucontext_t *to)
{
    return setcontext(to);
}

#endif
