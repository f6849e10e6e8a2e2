/* SPDX-License-Identifier: MIT */
/*
 * x86_try(c, vectors): arms the exception catch (see x86_boot.h) and
 * returns 0. The caller's registers are saved by the C runtime's setjmp
 * (src/plat/libc/setjmp.S, linked into every image): struct x86_catch
 * starts with a jmp_buf's layout (rbx, rbp, r12, r13, r14, r15, the
 * caller's rsp, the return address), so one routine saves for both. When a
 * caught exception fires, exception.c restores those registers into the
 * exception frame and returns through iretq to the saved return address
 * with %eax = 1.
 *
 * The catch is armed first because setjmp returns straight to our caller.
 * x86_catch_arm clears c->rip, and exception.c takes a catch whose rip is
 * still 0 for one not armed yet (fatal, as before x86_try), so nothing can
 * resume at a half-saved context; setjmp stores the return address last.
 * x86_catch_arm preserves the callee-saved registers (ABI), so setjmp saves
 * the caller's.
 */
	.text
	.globl x86_try
	.type x86_try, @function
x86_try:
	pushq %rdi /* c; also aligns the stack for the call */
	call x86_catch_arm
	popq %rdi
	jmp setjmp
	.size x86_try, . - x86_try

	.section .note.GNU-stack, "", @progbits
