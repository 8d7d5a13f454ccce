/* A handler can be interrupted by another signal that its mask does not
 * block: SIGUSR1's handler raises SIGUSR2, whose handler runs nested
 * inside it, before raise returns; with SIGUSR2 in SIGUSR1's sa_mask it
 * runs only after SIGUSR1's handler returned. */
#include <signal.h>

#include "check.h"

static volatile char log_[16];
static volatile int n;

static void on_usr2(int sig)
{
	(void)sig;
	log_[n++] = '2';
}

static void on_usr1(int sig)
{
	(void)sig;
	log_[n++] = '(';
	raise(SIGUSR2);
	log_[n++] = ')';
}

static void install(int block_usr2)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_usr1;
	sigemptyset(&a.sa_mask);
	if (block_usr2)
		sigaddset(&a.sa_mask, SIGUSR2);
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
}

int main(void)
{
	CHECK(signal(SIGUSR2, on_usr2) != SIG_ERR);
	install(0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(n == 3 && log_[0] == '(' && log_[1] == '2' && log_[2] == ')');
	n = 0;
	install(1);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(n == 3 && log_[0] == '(' && log_[1] == ')' && log_[2] == '2');
	return 0;
}
