/* sigwait takes a pending signal of its set and returns it in *sig
 * without running its handler; with several pending for the process it
 * takes the lowest number first; each taken signal is no longer pending.
 * As Linux's dequeue_signal does, a signal sent to the thread itself
 * (raise) comes before the process's, whatever its number. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t handled;

static void h(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	sigset_t set, p;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	CHECK(signal(SIGUSR1, h) != SIG_ERR && signal(SIGUSR2, h) != SIG_ERR);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGHUP) == 0);
	int sig = 0;
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGHUP); /* 1 */
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR1); /* 10 */
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR2) && !sigismember(&p, SIGUSR1));
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR2); /* 12 */
	CHECK(handled == 0);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR2));

	CHECK(kill(getpid(), SIGHUP) == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR2);
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGHUP);
	CHECK(handled == 0);
	return 0;
}
