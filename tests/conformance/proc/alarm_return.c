/* alarm returns the seconds left of the previous alarm (0 when none):
 * a new alarm replaces the old one, alarm(0) cancels it and no SIGALRM
 * comes; the time left is rounded as Linux rounds it (to the nearest
 * second, never 0 while some time is left). */
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
	CHECK(alarm(0) == 0);
	CHECK(alarm(10) == 0);
	CHECK(alarm(20) == 10);
	struct timespec t = {3, 0};
	CHECK(nanosleep(&t, NULL) == 0);
	CHECK(alarm(7) == 17);
	t.tv_sec = 6;
	t.tv_nsec = 700000000; /* 0.3 s left: rounds to 0, but some is left: 1 */
	CHECK(nanosleep(&t, NULL) == 0);
	CHECK(alarm(0) == 1);
	t.tv_sec = 30;
	t.tv_nsec = 0;
	CHECK(nanosleep(&t, NULL) == 0); /* cancelled: nothing interrupts it */
	CHECK(alarms == 0);
	CHECK(alarm(2) == 0);
	t.tv_sec = 1;
	t.tv_nsec = 400000000; /* 0.6 s left: rounds up to 1 */
	CHECK(nanosleep(&t, NULL) == 0);
	CHECK(alarm(0) == 1);
	return 0;
}
