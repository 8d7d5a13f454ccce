/* sigprocmask's three ways: SIG_BLOCK adds, SIG_UNBLOCK removes,
 * SIG_SETMASK replaces; oldset always gets the mask before the call; a
 * NULL set only reads the mask (and `how` is then not looked at, as on
 * Linux); an unknown `how` with a set is EINVAL and changes nothing.
 * pthread_sigmask is the same but returns the error number. */
#define _GNU_SOURCE /* sigisemptyset */
#include <pthread.h>
#include <signal.h>

#include "check.h"

static sigset_t of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

int main(void)
{
	sigset_t s = of(SIGUSR1, SIGHUP), old, cur;
	CHECK(sigprocmask(SIG_BLOCK, &s, &old) == 0);
	CHECK(sigisemptyset(&old));
	s = of(SIGUSR2, 0);
	CHECK(sigprocmask(SIG_BLOCK, &s, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) && sigismember(&old, SIGHUP) && !sigismember(&old, SIGUSR2));
	s = of(SIGHUP, 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0);
	CHECK(sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGHUP));
	s = of(SIGTERM, 0);
	CHECK(sigprocmask(SIG_SETMASK, &s, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) && sigismember(&old, SIGUSR2));
	CHECK(sigprocmask(12345, NULL, &cur) == 0);
	CHECK(sigismember(&cur, SIGTERM) && !sigismember(&cur, SIGUSR1));
	s = of(SIGINT, 0);
	CHECK_ERR(sigprocmask(-1, &s, NULL), EINVAL);
	CHECK_ERR(sigprocmask(3, &s, NULL), EINVAL);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && !sigismember(&cur, SIGINT));

	CHECK(pthread_sigmask(99, &s, NULL) == EINVAL);
	CHECK(pthread_sigmask(SIG_BLOCK, &s, &old) == 0);
	CHECK(sigismember(&old, SIGTERM) && !sigismember(&old, SIGINT));
	sigset_t none;
	sigemptyset(&none);
	CHECK(pthread_sigmask(SIG_SETMASK, &none, NULL) == 0);
	CHECK(pthread_sigmask(SIG_SETMASK, NULL, &cur) == 0 && sigisemptyset(&cur));
	return 0;
}
