/*
 * simk_ctx_swap(void **save_sp, void *new_sp)
 * Saves the callee-saved registers, MXCSR and the x87 control word on the
 * current stack, stores the stack pointer into *save_sp, loads new_sp and
 * restores the same set from there. Everything else is caller-saved under
 * the System V ABI, so this is a complete switch.
 */
#if defined(__x86_64__)
	.text
	.globl simk_ctx_swap
	.type simk_ctx_swap, @function
simk_ctx_swap:
	.cfi_startproc
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.cfi_endproc
	.size simk_ctx_swap, .-simk_ctx_swap

/* First code a new coroutine runs: r12 = argument, r13 = entry function. */
	.globl simk_ctx_start
	.type simk_ctx_start, @function
simk_ctx_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl %ebp, %ebp
	movq %r12, %rdi
	callq *%r13
	ud2
	.cfi_endproc
	.size simk_ctx_start, .-simk_ctx_start
#endif
	.section .note.GNU-stack,"",@progbits
