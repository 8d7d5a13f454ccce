/* SA_RESETHAND: the disposition goes back to SIG_DFL as the handler is
 * entered (and SA_SIGINFO is cleared): the handler runs once, a query
 * inside and after it sees SIG_DFL, and a second signal then takes the
 * default action — for SIGCHLD, whose default is to ignore it, nothing. */
#include <signal.h>

#include "check.h"

static volatile sig_atomic_t calls;
static void (*volatile seen_inside)(int);

static void h(int sig)
{
	struct sigaction o;
	calls++;
	sigaction(sig, NULL, &o);
	seen_inside = o.sa_handler;
}

int main(void)
{
	struct sigaction a, o;
	memset(&a, 0, sizeof(a));
	a.sa_handler = h;
	a.sa_flags = SA_RESETHAND;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGCHLD, &a, NULL) == 0);
	CHECK(sigaction(SIGCHLD, NULL, &o) == 0 && o.sa_handler == h);
	CHECK((o.sa_flags & SA_RESETHAND) != 0);
	CHECK(raise(SIGCHLD) == 0);
	CHECK(calls == 1 && seen_inside == SIG_DFL);
	CHECK(sigaction(SIGCHLD, NULL, &o) == 0 && o.sa_handler == SIG_DFL);
	CHECK(raise(SIGCHLD) == 0); /* ignored by default */
	CHECK(calls == 1);
	sigset_t p;
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGCHLD) == 0);
	return 0;
}
