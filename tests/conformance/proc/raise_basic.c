/* raise(sig) sends sig to the calling thread: its handler has run when
 * raise returns 0; blocked, it stays pending for that thread and runs at
 * the unblocking; two raises of a standard signal while blocked give one
 * delivery (standard signals do not queue). */
#include <signal.h>

#include "check.h"

static volatile sig_atomic_t n, last;

static void h(int sig)
{
	n++;
	last = sig;
}

int main(void)
{
	CHECK(signal(SIGTERM, h) != SIG_ERR);
	CHECK(signal(SIGINT, h) != SIG_ERR);
	CHECK(raise(SIGTERM) == 0 && n == 1 && last == SIGTERM);
	CHECK(raise(SIGINT) == 0 && n == 2 && last == SIGINT);

	sigset_t b;
	sigemptyset(&b);
	sigaddset(&b, SIGINT);
	CHECK(sigprocmask(SIG_BLOCK, &b, NULL) == 0);
	CHECK(raise(SIGINT) == 0 && raise(SIGINT) == 0 && raise(SIGINT) == 0);
	CHECK(n == 2);
	CHECK(sigprocmask(SIG_UNBLOCK, &b, NULL) == 0);
	CHECK(n == 3 && last == SIGINT);
	return 0;
}
