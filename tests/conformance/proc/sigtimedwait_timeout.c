/* sigtimedwait: a zero timeout polls (EAGAIN when nothing is pending);
 * a timeout expires after exactly that much (virtual) time with EAGAIN;
 * tv_nsec outside [0, 1e9) is EINVAL; a pending signal of the set is
 * returned at once, with its siginfo; signals outside the set stay
 * pending. */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long ns_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000000L + t1.tv_nsec - t0->tv_nsec;
}

int main(void)
{
	sigset_t set, p;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	struct timespec zero = {0, 0}, ms250 = {0, 250000000}, t0;
	CHECK_ERR(sigtimedwait(&set, NULL, &zero), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(sigtimedwait(&set, NULL, &ms250), EAGAIN);
	long w = ns_since(&t0);
	CHECK(w >= 250000000L && w < 251000000L);

	struct timespec bad = {0, -1}, bad2 = {1, 1000000000L};
	CHECK_ERR(sigtimedwait(&set, NULL, &bad), EINVAL);
	CHECK_ERR(sigtimedwait(&set, NULL, &bad2), EINVAL);

	sigset_t both;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &both, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(sigtimedwait(&set, &si, &ms250) == SIGUSR1);
	CHECK(ns_since(&t0) < 1000000L);
	CHECK(si.si_signo == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid());
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR2) && !sigismember(&p, SIGUSR1));
	return 0;
}
