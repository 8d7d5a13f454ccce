/* nanosleep interrupted by a handled signal fails with EINTR and stores
 * the time left in rem, even with SA_RESTART (sleeps are never
 * restarted, signal(7)); sleep() returns the whole seconds left. */
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
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_alarm;
	a.sa_flags = SA_RESTART;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	CHECK(alarm(2) == 0);
	struct timespec req = {10, 0}, rem = {0, 0};
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK(alarms == 1);
	/* 8 s left, give or take the few nanoseconds the calls cost */
	long left_ns = rem.tv_sec * 1000000000L + rem.tv_nsec;
	CHECK(left_ns > 7990000000L && left_ns < 8010000000L);

	CHECK(alarm(3) == 0);
	unsigned left = sleep(10);
	CHECK(alarms == 2);
	CHECK(left == 7);
	return 0;
}
