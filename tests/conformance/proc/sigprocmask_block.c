/* A blocked signal stays pending and its handler does not run; once
 * unblocked it is delivered before sigprocmask returns (POSIX: at least
 * one unblocked pending signal before the call returns). Blocking is
 * per signal: another signal still runs at once. */
#include <signal.h>

#include "check.h"

static volatile sig_atomic_t usr1, usr2;

static void h(int sig)
{
	if (sig == SIGUSR1)
		usr1++;
	else
		usr2++;
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR && signal(SIGUSR2, h) != SIG_ERR);
	sigset_t b, p;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &b, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(usr1 == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(usr2 == 1);
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR1) == 1);
	CHECK(sigismember(&p, SIGUSR2) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &b, NULL) == 0);
	CHECK(usr1 == 1);
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR1) == 0);
	return 0;
}
