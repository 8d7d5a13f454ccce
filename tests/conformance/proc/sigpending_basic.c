/* sigpending reports the signals that are pending and blocked: several
 * at once, thread-directed (raise) and process-directed (kill) alike; a
 * signal leaves the set when it is delivered, and setting SIG_IGN for a
 * pending signal discards it (POSIX). */
#define _GNU_SOURCE /* sigisemptyset */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t hup;

static void on_hup(int sig)
{
	(void)sig;
	hup++;
}

int main(void)
{
	sigset_t b, p;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigaddset(&b, SIGUSR2);
	sigaddset(&b, SIGHUP);
	CHECK(sigprocmask(SIG_BLOCK, &b, NULL) == 0);
	CHECK(signal(SIGHUP, on_hup) != SIG_ERR);
	CHECK(sigpending(&p) == 0);
	CHECK(!sigismember(&p, SIGUSR1) && !sigismember(&p, SIGUSR2) && !sigismember(&p, SIGHUP));

	CHECK(raise(SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(kill(getpid(), SIGHUP) == 0);
	CHECK(sigpending(&p) == 0);
	CHECK(sigismember(&p, SIGUSR1) && sigismember(&p, SIGUSR2) && sigismember(&p, SIGHUP));
	CHECK(!sigismember(&p, SIGTERM));

	/* SIG_IGN discards the pending SIGUSR1 and SIGUSR2 */
	CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	struct sigaction ign;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGUSR2, &ign, NULL) == 0);
	CHECK(sigpending(&p) == 0);
	CHECK(!sigismember(&p, SIGUSR1) && !sigismember(&p, SIGUSR2) && sigismember(&p, SIGHUP));

	/* unblocking delivers SIGHUP; the ignored ones never come */
	CHECK(sigprocmask(SIG_UNBLOCK, &b, NULL) == 0);
	CHECK(hup == 1);
	CHECK(sigpending(&p) == 0 && sigisemptyset(&p));
	return 0;
}
