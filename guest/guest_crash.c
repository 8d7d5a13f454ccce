/*
 * When guest code crashes: SIGSEGV, SIGBUS, SIGFPE or SIGILL raised by an
 * instruction of the guest (or of a libc function it called) ends the run
 * as a failure — the signal, the faulting address, the guest's source
 * line and its call chain — and simk goes on (explore moves to the next
 * seed). A fault in simk's own code (kernel mode, guest.h) is not the
 * guest's: the handler steps aside and the fault takes its normal course
 * (the previous handler, ASan's, or a core dump).
 *
 * How the run ends without unwinding through the signal frame: the
 * handler runs on its own stack (sigaltstack, so a stack overflow can be
 * reported), records what happened, and rewrites the interrupted context
 * to resume in crash_resume() on the crashed thread's own stack. Returning
 * from the handler lands there, in ordinary thread context, which fails
 * the run like any other guest failure; the thread is abandoned. The
 * guest's frames on that stack are dead by then, so crash_resume uses the
 * stack from the guest's first frame down.
 *
 * Infinite loops: guest_spin_exceeded (from the spin budget in
 * guest_tsan.c) fails the run the same way, naming the line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "guest/guest.h"

#define ALT_STACK_SIZE (64 * 1024)
#define SCAN_WORDS 256 /* stack words searched for a return into the guest */

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NSIGNALS ((int)(sizeof(crash_signals) / sizeof(crash_signals[0])))
static struct sigaction previous[NSIGNALS];
static bool installed;

/* What the handler saw, for crash_resume (one crash at a time: the run
 * ends with it). */
static struct {
	struct guest_thread *gt;
	int sig, code;
	uintptr_t addr, pc, caller;
} crash;

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGFPE:
		return "SIGFPE";
	case SIGILL:
		return "SIGILL";
	}
	return "signal";
}

static bool in_guest_text(uintptr_t pc)
{
	struct guest_prog *g = guest_prog_current();
	return g != NULL && pc >= g->text_lo && pc < g->text_hi;
}

/* The guest's call chain, innermost first: "; called from racy.c:12 <-
 * racy.c:40", or "" when the fault is in a function the runtime called
 * (main, a thread's start routine). */
static void backtrace_of(const struct guest_thread *gt, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	int n = gt->nframes < GUEST_SITES_MAX ? gt->nframes : GUEST_SITES_MAX;
	for (int i = n - 1, shown = 0; i >= 0 && shown < 8 && off < len; i--) {
		if (!in_guest_text(gt->frames[i]))
			continue; /* the runtime called this frame */
		char site[160];
		guest_site_format(gt->frames[i], site, sizeof(site));
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					shown == 0 ? "; called from " : " <- ", site);
		shown++;
	}
}

static void __attribute__((noreturn, used)) crash_resume(void)
{
	struct guest_thread *gt = crash.gt;
	char where[200], chain[600];
	if (crash.pc != 0 && in_guest_text(crash.pc))
		guest_pc_format(crash.pc, where, sizeof(where));
	else if (crash.caller != 0)
		guest_site_format(crash.caller, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "?");
	backtrace_of(gt, chain, sizeof(chain));
	gt->site = 0; /* guest_fail would prefix the last call's line */
	struct guest_run *r = guest_run_current();
	if (r != NULL)
		snprintf(r->fail_site, sizeof(r->fail_site), "%s", where);
	const char *what = in_guest_text(crash.pc) ? "" : " (in a library function it called)";
	bool overflow = crash.sig == SIGSEGV && crash.addr < (uintptr_t)gt->stack_lo &&
			(uintptr_t)gt->stack_lo - crash.addr <= 4096;
	char addr[160];
	guest_describe_addr((const void *)crash.addr, addr, sizeof(addr));
	sim_fail(SIMK_FAIL_EXPECT, "%s: %s%s%s at %s%s%s", where, signal_name(crash.sig),
		 overflow ? " (stack overflow)" : "", what,
		 crash.addr < (1ULL << 32) ? "address " : "", addr, chain);
}

/* Aligns the resumed stack as a call would leave it. */
static uintptr_t resume_sp(const struct guest_thread *gt)
{
	uintptr_t top = (uintptr_t)gt->stack_lo + gt->stack_len - GUEST_STACK_RESERVE;
	return (top & ~(uintptr_t)15) - 8;
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	struct guest_thread *gt = guest_thread_in_user_mode();
	int i = 0;
	while (i < NSIGNALS && crash_signals[i] != sig)
		i++;
	if (gt == NULL) {
		/* simk's own fault: give it back to whoever handled it before */
		sigaction(sig, &previous[i], NULL);
		return; /* the instruction faults again */
	}
#if defined(__x86_64__)
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#else
	uintptr_t pc = 0, sp = 0;
#endif
	crash.gt = gt;
	crash.sig = sig;
	crash.code = si->si_code;
	crash.addr = (uintptr_t)si->si_addr;
	crash.pc = pc;
	crash.caller = 0;
	/* in libc: the nearest return address into the guest on the stack */
	for (int w = 0; !in_guest_text(pc) && w < SCAN_WORDS && sp != 0; w++) {
		uintptr_t slot = sp + (uintptr_t)w * sizeof(uintptr_t);
		if (slot - (uintptr_t)gt->stack_lo >= gt->stack_len)
			break;
		uintptr_t v = *(const uintptr_t *)slot;
		if (in_guest_text(v)) {
			crash.caller = v;
			break;
		}
	}
	gt->kernel++; /* from here on, simk's code */
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RSP] = (greg_t)resume_sp(gt);
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)crash_resume;
#else
	(void)uc;
	(void)resume_sp;
	crash_resume(); /* elsewhere: from the signal frame (not tested) */
#endif
}

void guest_crash_install(void)
{
	if (installed)
		return;
	/* static: installed once per host process, never freed */
	static unsigned char alt_stack[ALT_STACK_SIZE] __attribute__((aligned(64)));
	stack_t ss = {.ss_sp = alt_stack, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) != 0) {
		fprintf(stderr, "simk: guest: no alternate signal stack: crashes end simk\n");
		return;
	}
	for (int i = 0; i < NSIGNALS; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = handler;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(crash_signals[i], &sa, &previous[i]);
	}
	installed = true;
}

void guest_spin_exceeded(struct guest_thread *gt, uintptr_t pc)
{
	char where[200], chain[600];
	guest_site_format(pc, where, sizeof(where));
	backtrace_of(gt, chain, sizeof(chain));
	struct guest_run *r = guest_run_current();
	if (r != NULL)
		snprintf(r->fail_site, sizeof(r->fail_site), "%s", where);
	gt->kernel++;
	sim_fail(SIMK_FAIL_EXPECT,
		 "%s: %s (tid %d) ran %llu basic blocks without a switch point: a loop that "
		 "waits for something no system call, lock or atomic can change (build with "
		 "simk-cc --race to make plain loads switch points)%s",
		 where, gt->t->name, gt->tid, (unsigned long long)guest_spin_budget, chain);
}
