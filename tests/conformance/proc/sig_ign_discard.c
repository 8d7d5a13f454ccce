/* SIG_IGN: a signal sent while it is ignored is discarded — no handler,
 * not pending even while blocked here — and does not interrupt a sleep.
 * SIGCHLD, SIGURG and SIGWINCH are ignored by default (SIG_DFL), so
 * sending them changes nothing either. */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	sigset_t p;
	CHECK(signal(SIGTERM, SIG_IGN) == SIG_DFL);
	CHECK(kill(getpid(), SIGTERM) == 0);
	CHECK(raise(SIGTERM) == 0);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGTERM));

	CHECK(raise(SIGCHLD) == 0 && raise(SIGURG) == 0 && raise(SIGWINCH) == 0);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGCHLD));

	/* an ignored SIGALRM does not cut a sleep short */
	CHECK(signal(SIGALRM, SIG_IGN) == SIG_DFL);
	CHECK(alarm(1) == 0);
	struct timespec t = {3, 0}, rem = {0, 0};
	CHECK(nanosleep(&t, &rem) == 0);
	CHECK(rem.tv_sec == 0 && rem.tv_nsec == 0);
	return 0;
}
