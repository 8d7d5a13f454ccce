/* sigaction and signal refuse what cannot be changed: signal 0, a number
 * past 64 and a negative one are EINVAL; SIGKILL and SIGSTOP cannot be
 * caught or ignored (EINVAL, with the action unchanged); glibc keeps
 * signals 32 and 33 for itself and refuses them as well (simk follows
 * glibc). signal() reports the same errors with SIG_ERR. */
#include <signal.h>

#include "check.h"

static void h(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigaction a, o;
	memset(&a, 0, sizeof(a));
	a.sa_handler = h;
	sigemptyset(&a.sa_mask);
	CHECK_ERR(sigaction(0, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(-1, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(65, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(1000, NULL, &o), EINVAL);
	CHECK_ERR(sigaction(SIGKILL, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &a, NULL), EINVAL);
	a.sa_handler = SIG_IGN;
	CHECK_ERR(sigaction(SIGKILL, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &a, NULL), EINVAL);
	CHECK(sigaction(SIGKILL, NULL, &o) == 0 && o.sa_handler == SIG_DFL);
	CHECK_ERR(sigaction(32, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(33, &a, NULL), EINVAL);
	CHECK(sigaction(SIGRTMIN, &a, NULL) == 0);
	CHECK(sigaction(SIGRTMAX, &a, NULL) == 0);
	CHECK(SIGRTMIN == 34 && SIGRTMAX == 64);

	errno = 0;
	CHECK(signal(SIGKILL, h) == SIG_ERR && errno == EINVAL);
	errno = 0;
	CHECK(signal(0, h) == SIG_ERR && errno == EINVAL);
	errno = 0;
	CHECK(signal(SIGSTOP, SIG_IGN) == SIG_ERR && errno == EINVAL);
	return 0;
}
