/* An SA_SIGINFO handler gets a siginfo_t: si_signo is the signal;
 * kill() gives si_code SI_USER and the sender's pid; raise() and
 * pthread_kill() are tgkill on Linux: SI_TKILL; sigqueue() gives SI_QUEUE
 * and the value. The third argument points at a context. */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile siginfo_t last;
static volatile sig_atomic_t calls;
static void *volatile ctx;

static void h(int sig, siginfo_t *si, void *uc)
{
	CHECK(sig == si->si_signo);
	last = *si;
	ctx = uc;
	calls++;
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = h;
	a.sa_flags = SA_SIGINFO;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
	CHECK(sigaction(SIGRTMIN, &a, NULL) == 0);

	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(calls == 1 && last.si_signo == SIGUSR1 && last.si_code == SI_USER);
	CHECK(last.si_pid == getpid() && ctx != NULL);

	CHECK(raise(SIGUSR1) == 0);
	CHECK(calls == 2 && last.si_code == SI_TKILL && last.si_pid == getpid());

	CHECK(pthread_kill(pthread_self(), SIGUSR1) == 0);
	CHECK(calls == 3 && last.si_code == SI_TKILL);

	union sigval v = {.sival_int = 1234};
	CHECK(sigqueue(getpid(), SIGRTMIN, v) == 0);
	CHECK(calls == 4 && last.si_signo == SIGRTMIN && last.si_code == SI_QUEUE);
	CHECK(last.si_value.sival_int == 1234 && last.si_pid == getpid());
	return 0;
}
