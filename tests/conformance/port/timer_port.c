/* timer_create(3C) with SIGEV_PORT: each expiration of the timer queues a
 * PORT_SOURCE_TIMER event to the port named in the port_notify_t, with
 * portev_object the timer id and portev_user the notify's user value. A
 * periodic timer nobody retrieves has one event outstanding: later
 * expirations count as overruns, and the event's portev_events says how
 * many expirations it stands for (1 + timer_getoverrun). timer_delete
 * takes back an event still queued. */
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
	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)77};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	timer_t t;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
	struct itimerspec its = {.it_value = {0, 100000}, .it_interval = {0, 100000}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	usleep(550); /* expirations at 100, 200, 300, 400, 500 us */
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_TIMER);
	CHECK(pe.portev_object == (uintptr_t)t && pe.portev_user == (void *)77);
	CHECK(pe.portev_events == 5);
	CHECK(timer_getoverrun(t) == 4);
	/* the next one comes by itself */
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_events == 1);
	CHECK(timer_getoverrun(t) == 0);
	struct itimerspec cur;
	CHECK(timer_gettime(t, &cur) == 0);
	CHECK(cur.it_interval.tv_nsec == 100000);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 100000);

	/* a one-shot timer, then delete with its event queued */
	timer_t t2;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &t2) == 0);
	struct itimerspec once = {.it_value = {0, 1000}};
	CHECK(timer_settime(t2, 0, &once, NULL) == 0);
	CHECK(timer_delete(t) == 0);
	usleep(10);
	uint_t n = 0;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 1);
	CHECK(timer_delete(t2) == 0);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);
	CHECK(close(port) == 0);
	return 0;
}
