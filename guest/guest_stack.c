/*
 * guest_call_on_stack where there is no assembly version
 * (guest_stack_x86_64.S): the guest's frames then start wherever the
 * runtime's end, so stack addresses in the trace may differ between
 * builds of simk on such machines (docs/guest.md, "Determinism").
 */
#include "guest/guest.h"

#if !defined(__x86_64__)
void *guest_call_on_stack(void *(*fn)(void *), void *arg, void *sp)
{
	(void)sp;
	return fn(arg);
}

int guest_call_main_on_stack(int (*main)(int, char **, char **), int argc, char **argv, char **envp,
			     void *sp)
{
	(void)sp;
	return main(argc, argv, envp);
}
#endif
