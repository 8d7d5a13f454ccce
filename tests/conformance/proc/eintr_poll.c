/* poll blocked on a pipe with nothing to read, interrupted by a handled
 * signal, fails with EINTR even though the handler has SA_RESTART: poll
 * is never restarted (signal(7)). The pipe is then still empty. */
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_alarm;
	a.sa_flags = SA_RESTART;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	int p[2];
	CHECK(pipe(p) == 0);
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(alarm(1) == 0);
	CHECK_ERR(poll(&pf, 1, -1), EINTR);
	CHECK(alarms == 1);
	CHECK(poll(&pf, 1, 0) == 0);
	return 0;
}
