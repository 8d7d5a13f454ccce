/*
 * Running the guest's first frame at a fixed place. guest_call_on_stack
 * is the engine's simk_call_on_stack (sim/ctx_x86_64.S); the guest's
 * main() has its own entry (guest_stack_x86_64.S). Where there is no
 * assembly version the guest's frames start wherever the runtime's end,
 * so stack addresses in the trace may differ between builds of simk on
 * such machines (docs/guest.md, "Determinism").
 */
#include "guest/guest.h"
#include "sim/ctx.h"

void *guest_call_on_stack(void *(*fn)(void *), void *arg, void *sp)
{
#if defined(__x86_64__)
	void *usp; /* the caller's stack is not the engine's concern here */
	return simk_call_on_stack(fn, arg, sp, &usp);
#else
	(void)sp;
	return fn(arg);
#endif
}

#if !defined(__x86_64__)
int guest_call_main_on_stack(int (*main)(int, char **, char **), int argc, char **argv, char **envp,
			     void *sp)
{
	(void)sp;
	return main(argc, argv, envp);
}
#endif
