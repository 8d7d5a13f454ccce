/* The timeout idiom: a SIGALRM handler that longjmp()s out of a blocked
 * pause() back to the setjmp() point. After the jump the handler's mask
 * is still in force (glibc's longjmp does not restore the mask: SIGALRM
 * stays blocked) until the program unblocks it; the idiom then works a
 * second time. */
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

static jmp_buf env;
static volatile sig_atomic_t jumps;

static void on_alarm(int sig)
{
	(void)sig;
	jumps++;
	longjmp(env, 1);
}

int main(void)
{
	CHECK(signal(SIGALRM, on_alarm) != SIG_ERR);
	sigset_t cur, alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	for (int round = 1; round <= 2; round++) {
		if (setjmp(env) == 0) {
			CHECK(alarm(1) == 0);
			for (;;)
				pause();
		}
		CHECK(jumps == round);
		CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && sigismember(&cur, SIGALRM));
		CHECK(sigprocmask(SIG_UNBLOCK, &alrm, NULL) == 0);
	}
	return 0;
}
