#if defined(__x86_64__)
	.text
/*
 * int guest_call_main_on_stack(int (*main)(int, char **, char **), int argc,
 *                              char **argv, char **envp, void *sp)
 *
 * Calls main(argc, argv, envp) with the stack pointer at sp (aligned down
 * to 16 bytes) and returns its result on the caller's stack. The guest's
 * main() is called directly, so that its frame is at the same place in
 * every build (a runtime function in between
 * would move it by its own frame's size, which differs between -O0, -O2
 * and ASan builds).
 */
	.globl	guest_call_main_on_stack
	.hidden	guest_call_main_on_stack
	.type	guest_call_main_on_stack, @function
guest_call_main_on_stack:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	andq	$-16, %r8
	movq	%r8, %rsp
	movq	%rdi, %rax
	movl	%esi, %edi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	callq	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	guest_call_main_on_stack, .-guest_call_main_on_stack
#endif
	.section .note.GNU-stack,"",@progbits
