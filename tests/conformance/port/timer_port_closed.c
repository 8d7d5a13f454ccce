/* A SIGEV_PORT timer whose port goes away: closing the port discards the
 * timer's queued event, and the timer keeps running without notification
 * (timer_gettime still counts down, timer_settime and timer_delete work).
 * A new port that reuses the descriptor number receives nothing from the
 * old timer. One-shot timers queue exactly one event; re-arming queues the
 * next. */
#include <errno.h>
#include <port.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)3};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	timer_t t;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &t) == 0);
	struct itimerspec once = {.it_value = {0, 50000}};
	CHECK(timer_settime(t, 0, &once, NULL) == 0);
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_events == 1);
	struct timespec ms = {0, 1000000};
	CHECK_ERR(port_get(port, &pe, &ms), ETIME); /* one-shot: nothing more */
	CHECK(timer_settime(t, 0, &once, NULL) == 0);
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_user == (void *)3);

	struct itimerspec per = {.it_value = {0, 10000}, .it_interval = {0, 10000}};
	CHECK(timer_settime(t, 0, &per, NULL) == 0);
	usleep(25);
	CHECK(close(port) == 0);
	int again = port_create();
	CHECK(again == port);
	usleep(100);
	uint_t n = 0;
	CHECK(port_getn(again, &pe, 0, &n, NULL) == 0 && n == 0);
	struct itimerspec cur;
	CHECK(timer_gettime(t, &cur) == 0);
	CHECK(cur.it_interval.tv_nsec == 10000);
	CHECK(timer_delete(t) == 0);
	CHECK(close(again) == 0);
	return 0;
}
