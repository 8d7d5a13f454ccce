/* SIGKILL and SIGSTOP cannot be blocked: asking for it is not an error,
 * the request is silently dropped for them (the mask read back lacks
 * them) while the other signals of the set are blocked. */
#define _GNU_SOURCE /* sigisemptyset */
#include <signal.h>

#include "check.h"

int main(void)
{
	sigset_t all, cur;
	sigfillset(&all);
	CHECK(sigprocmask(SIG_SETMASK, &all, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0);
	CHECK(sigismember(&cur, SIGKILL) == 0);
	CHECK(sigismember(&cur, SIGSTOP) == 0);
	CHECK(sigismember(&cur, SIGTERM) == 1 && sigismember(&cur, SIGUSR1) == 1);
	CHECK(sigismember(&cur, SIGRTMIN) == 1 && sigismember(&cur, SIGRTMAX) == 1);

	sigset_t ks;
	sigemptyset(&ks);
	sigaddset(&ks, SIGKILL);
	sigaddset(&ks, SIGSTOP);
	sigset_t none;
	sigemptyset(&none);
	CHECK(sigprocmask(SIG_SETMASK, &none, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, &ks, NULL) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && sigisemptyset(&cur));
	return 0;
}
