/* pause() sleeps until a signal's handler has run and returns -1 EINTR;
 * alarm(n) sends SIGALRM n seconds later on the (virtual) clock, so the
 * wake-up comes exactly n seconds after the alarm was set. */
#include <signal.h>
#include <time.h>
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
	CHECK(signal(SIGALRM, on_alarm) != SIG_ERR);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(alarm(5) == 0);
	CHECK_ERR(pause(), EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(alarms == 1);
	long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	CHECK(ns >= 5000000000L && ns < 5001000000L);

	/* a second alarm, another pause */
	CHECK(alarm(1) == 0);
	CHECK_ERR(pause(), EINTR);
	CHECK(alarms == 2);
	return 0;
}
