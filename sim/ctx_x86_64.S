/*
 * simk_ctx_swap(void **save_sp, void *new_sp)
 * Saves the callee-saved registers on the current stack, stores the stack
 * pointer into *save_sp, loads new_sp and restores the same set from there.
 * Everything else is caller-saved under the System V ABI. MXCSR and the
 * x87 control word are deliberately not switched (ldmxcsr/fldcw cost more
 * than the rest of the switch): simulated code never changes FP modes, and
 * a new coroutine inherits the host's defaults.
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
	movq %rsp, (%rdi)
	movq %rsi, %rsp
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

/*
 * void *simk_call_on_stack(void *(*fn)(void *), void *arg, void *sp, void **usp)
 * Calls fn(arg) with the stack pointer at sp (aligned down to 16), after
 * storing in *usp the lowest address of the caller's stack still in use;
 * returns fn's result on the caller's stack (sim_kstack_call).
 */
	.globl simk_call_on_stack
	.type simk_call_on_stack, @function
simk_call_on_stack:
	.cfi_startproc
	pushq %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq %rsp, (%rcx)
	andq $-16, %rdx
	movq %rdx, %rsp
	movq %rdi, %rax
	movq %rsi, %rdi
	callq *%rax
	movq %rbp, %rsp
	popq %rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size simk_call_on_stack, .-simk_call_on_stack
#endif
	.section .note.GNU-stack,"",@progbits
