/* While a handler runs, the thread's mask is the mask it had plus the
 * action's sa_mask plus the signal itself; when the handler returns the
 * mask is back as it was. A signal of sa_mask sent from inside the
 * handler waits until the handler returned, then runs. */
#include <signal.h>

#include "check.h"

static sigset_t inside;
static volatile int order[4], n;

static void on_usr2(int sig)
{
	(void)sig;
	order[n++] = 2;
}

static void on_usr1(int sig)
{
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &inside);
	raise(SIGUSR2); /* in sa_mask: held back */
	order[n++] = 1;
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_usr1;
	sigemptyset(&a.sa_mask);
	sigaddset(&a.sa_mask, SIGUSR2);
	sigaddset(&a.sa_mask, SIGHUP);
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
	CHECK(signal(SIGUSR2, on_usr2) != SIG_ERR);

	sigset_t before, after;
	sigemptyset(&before);
	sigaddset(&before, SIGINT);
	CHECK(sigprocmask(SIG_SETMASK, &before, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(n == 2 && order[0] == 1 && order[1] == 2);

	CHECK(sigismember(&inside, SIGINT) == 1);  /* the old mask */
	CHECK(sigismember(&inside, SIGUSR2) == 1); /* sa_mask */
	CHECK(sigismember(&inside, SIGHUP) == 1);
	CHECK(sigismember(&inside, SIGUSR1) == 1); /* the signal itself */
	CHECK(sigismember(&inside, SIGTERM) == 0);

	CHECK(sigprocmask(SIG_BLOCK, NULL, &after) == 0);
	CHECK(sigismember(&after, SIGINT) == 1);
	CHECK(sigismember(&after, SIGUSR1) == 0 && sigismember(&after, SIGUSR2) == 0);
	CHECK(sigismember(&after, SIGHUP) == 0);
	return 0;
}
