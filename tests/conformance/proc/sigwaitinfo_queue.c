/* Real-time signals queue: three sigqueue()s of SIGRTMIN while it is
 * blocked are three deliveries, in the order sent, each with its value
 * and SI_QUEUE; standard signals do not queue (two kills, one signal).
 * sigwaitinfo returns the signal number and fills the siginfo. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	sigset_t set, p;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		union sigval v = {.sival_int = 100 + i};
		CHECK(sigqueue(getpid(), SIGRTMIN, v) == 0);
	}
	CHECK(kill(getpid(), SIGUSR1) == 0 && kill(getpid(), SIGUSR1) == 0);

	siginfo_t si;
	CHECK(sigwaitinfo(&set, &si) == SIGUSR1);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	for (int i = 0; i < 3; i++) {
		CHECK(sigwaitinfo(&set, &si) == SIGRTMIN);
		CHECK(si.si_signo == SIGRTMIN && si.si_code == SI_QUEUE);
		CHECK(si.si_value.sival_int == 100 + i && si.si_pid == getpid());
		CHECK(sigpending(&p) == 0 && sigismember(&p, SIGRTMIN) == (i < 2));
	}
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	return 0;
}
