/* sigsuspend replaces the mask for the time it waits: a signal pending
 * and blocked before the call but not in the temporary mask is delivered
 * at once, with the temporary mask in force while its handler runs; the
 * call returns -1 EINTR and the old mask is back afterwards. A signal
 * that the temporary mask blocks stays pending. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got;
static sigset_t in_handler;

static void h(int sig)
{
	got = sig;
	sigprocmask(SIG_BLOCK, NULL, &in_handler);
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR && signal(SIGUSR2, h) != SIG_ERR);
	sigset_t b, tmp, cur, p;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigaddset(&b, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &b, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);

	sigemptyset(&tmp);
	sigaddset(&tmp, SIGUSR2);
	sigaddset(&tmp, SIGTERM);
	CHECK_ERR(sigsuspend(&tmp), EINTR);
	CHECK(got == SIGUSR1);
	CHECK(sigismember(&in_handler, SIGTERM) && sigismember(&in_handler, SIGUSR2));
	CHECK(sigismember(&in_handler, SIGUSR1)); /* the handler's own signal */

	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0);
	CHECK(sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGTERM));
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR2) && !sigismember(&p, SIGUSR1));

	sigemptyset(&tmp);
	CHECK_ERR(sigsuspend(&tmp), EINTR);
	CHECK(got == SIGUSR2);
	return 0;
}
