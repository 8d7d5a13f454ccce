/* sigaction reports the previous action through oact: SIG_DFL at first,
 * then exactly the handler, flags and mask that were installed; a query
 * (act NULL) changes nothing; both pointers NULL is a valid no-op, and
 * SIGKILL's action can be queried though not changed. */
#include <signal.h>

#include "check.h"

static void h1(int sig)
{
	(void)sig;
}

static void h2(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
}

int main(void)
{
	struct sigaction a, o;
	memset(&o, 0xff, sizeof(o));
	CHECK(sigaction(SIGUSR1, NULL, &o) == 0);
	CHECK(o.sa_handler == SIG_DFL);

	memset(&a, 0, sizeof(a));
	a.sa_handler = h1;
	a.sa_flags = SA_RESTART;
	sigemptyset(&a.sa_mask);
	sigaddset(&a.sa_mask, SIGUSR2);
	sigaddset(&a.sa_mask, SIGTERM);
	CHECK(sigaction(SIGUSR1, &a, &o) == 0);
	CHECK(o.sa_handler == SIG_DFL);

	memset(&o, 0, sizeof(o));
	CHECK(sigaction(SIGUSR1, NULL, &o) == 0);
	CHECK(o.sa_handler == h1);
	CHECK((o.sa_flags & SA_RESTART) != 0 && (o.sa_flags & SA_SIGINFO) == 0);
	CHECK(sigismember(&o.sa_mask, SIGUSR2) == 1 && sigismember(&o.sa_mask, SIGTERM) == 1);
	CHECK(sigismember(&o.sa_mask, SIGINT) == 0);

	a.sa_sigaction = h2;
	a.sa_flags = SA_SIGINFO;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGUSR1, &a, &o) == 0);
	CHECK(o.sa_handler == h1);
	CHECK(sigaction(SIGUSR1, NULL, &o) == 0);
	CHECK(o.sa_sigaction == h2 && (o.sa_flags & SA_SIGINFO) != 0);
	CHECK(sigismember(&o.sa_mask, SIGUSR2) == 0);

	CHECK(sigaction(SIGUSR1, NULL, NULL) == 0);
	CHECK(sigaction(SIGKILL, NULL, &o) == 0 && o.sa_handler == SIG_DFL);
	CHECK(sigaction(SIGSTOP, NULL, &o) == 0 && o.sa_handler == SIG_DFL);

	/* signal() returns the previous handler too */
	CHECK(signal(SIGUSR2, h1) == SIG_DFL);
	CHECK(signal(SIGUSR2, SIG_IGN) == h1);
	CHECK(signal(SIGUSR2, SIG_DFL) == SIG_IGN);
	return 0;
}
