/* A signal a process sends itself, unblocked in the calling thread, is
 * delivered before kill returns (POSIX); pid 0 (the process group) and -1
 * (every process one may signal) reach the caller as well, and so does
 * -pid of its own group. */
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t n;

static void h(int sig)
{
	(void)sig;
	n++;
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(n == 1);
	CHECK(kill(0, SIGUSR1) == 0);
	CHECK(n == 2);
	CHECK(kill(-1, SIGUSR1) == 0);
	CHECK(n == 3);
	CHECK(kill(-getpid(), SIGUSR1) == 0);
	CHECK(n == 4);
	return 0;
}
