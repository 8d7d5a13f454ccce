/* Several pending real-time signals are delivered lowest number first
 * (POSIX), whatever the order they were sent in; handlers see each
 * value. sigqueue's errors: EINVAL for a bad number, ESRCH for a pid
 * nobody has; signal 0 only checks the target. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile int seen[8], vals[8], n;

static void h(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	seen[n] = sig;
	vals[n] = si->si_value.sival_int;
	n++;
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = h;
	a.sa_flags = SA_SIGINFO;
	sigemptyset(&a.sa_mask);
	sigset_t set;
	sigemptyset(&set);
	for (int s = SIGRTMIN; s <= SIGRTMIN + 3; s++) {
		CHECK(sigaction(s, &a, NULL) == 0);
		sigaddset(&set, s);
	}
	/* blocked while all four are sent, so all four are pending at once */
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	int order[4] = {3, 0, 2, 1};
	for (int i = 0; i < 4; i++) {
		union sigval v = {.sival_int = order[i]};
		CHECK(sigqueue(getpid(), SIGRTMIN + order[i], v) == 0);
	}
	CHECK(n == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(n == 4);
	for (int i = 0; i < 4; i++)
		CHECK(seen[i] == SIGRTMIN + i && vals[i] == i);

	union sigval v = {.sival_int = 0};
	CHECK_ERR(sigqueue(getpid(), 65, v), EINVAL);
	CHECK_ERR(sigqueue(getpid(), -1, v), EINVAL);
	CHECK_ERR(sigqueue(424242, SIGRTMIN, v), ESRCH);
	CHECK(sigqueue(getpid(), 0, v) == 0);
	return 0;
}
