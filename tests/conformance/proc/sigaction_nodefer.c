/* Without SA_NODEFER a handler's own signal is blocked while it runs: a
 * second one raised inside waits and runs after it (depth 1 each time).
 * With SA_NODEFER it is delivered at once, nested inside the first
 * handler (depth 2). */
#include <signal.h>

#include "check.h"

static volatile sig_atomic_t depth, max_depth, calls;

static void h(int sig)
{
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (calls == 1)
		raise(sig);
	depth--;
}

static void install(int flags)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = h;
	a.sa_flags = flags;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGHUP, &a, NULL) == 0);
}

int main(void)
{
	install(0);
	CHECK(raise(SIGHUP) == 0);
	CHECK(calls == 2 && max_depth == 1);

	calls = max_depth = 0;
	install(SA_NODEFER);
	CHECK(raise(SIGHUP) == 0);
	CHECK(calls == 2 && max_depth == 2);

	/* SA_NODEFER does not remove sa_mask's signals */
	sigset_t cur;
	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0 && sigismember(&cur, SIGHUP) == 0);
	return 0;
}
