/* timer_create(3C) ERRORS with SIGEV_PORT and the other timer calls: a
 * portnfy_port that is not a descriptor is EBADF, one that is not a port
 * EBADFD; a NULL notify pointer is EFAULT; an unknown clock or
 * notification EINVAL. timer_settime with a nanosecond field out of range
 * is EINVAL; a deleted timer is EINVAL for every call. A SIGEV_NONE timer
 * counts down with nothing delivered; TIMER_ABSTIME in the past fires at
 * once. */
#include <errno.h>
#include <port.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	int p[2];
	CHECK(port >= 0 && pipe(p) == 0);
	timer_t t;
	port_notify_t pn = {.portnfy_port = 555};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	CHECK_ERR(timer_create(CLOCK_REALTIME, &sev, &t), EBADF);
	pn.portnfy_port = p[0];
	CHECK_ERR(timer_create(CLOCK_REALTIME, &sev, &t), EBADFD);
	sev.sigev_value.sival_ptr = NULL;
	CHECK_ERR(timer_create(CLOCK_REALTIME, &sev, &t), EFAULT);
	pn.portnfy_port = port;
	sev.sigev_value.sival_ptr = &pn;
	CHECK_ERR(timer_create(12345, &sev, &t), EINVAL);
	sev.sigev_notify = 77;
	CHECK_ERR(timer_create(CLOCK_REALTIME, &sev, &t), EINVAL);

	/* SIGEV_NONE: armed, nothing delivered */
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	CHECK(timer_create(CLOCK_REALTIME, &none, &t) == 0);
	struct itimerspec bad = {.it_value = {0, 1000000000}};
	CHECK_ERR(timer_settime(t, 0, &bad, NULL), EINVAL);
	struct itimerspec its = {.it_value = {1, 0}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	struct itimerspec cur;
	CHECK(timer_gettime(t, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 || cur.it_value.tv_sec == 1);
	CHECK(cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
	CHECK(timer_delete(t) == 0);
	CHECK_ERR(timer_delete(t), EINVAL);
	CHECK_ERR(timer_gettime(t, &cur), EINVAL);
	CHECK_ERR(timer_settime(t, 0, &its, NULL), EINVAL);
	CHECK_ERR(timer_getoverrun(t), EINVAL);

	/* absolute time in the past: fires at once */
	sev.sigev_notify = SIGEV_PORT;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &t) == 0);
	struct itimerspec past = {.it_value = {0, 1}};
	CHECK(timer_settime(t, TIMER_ABSTIME, &past, NULL) == 0);
	port_event_t pe;
	struct timespec ms = {0, 1000000};
	CHECK(port_get(port, &pe, &ms) == 0 && pe.portev_source == PORT_SOURCE_TIMER);
	CHECK(timer_delete(t) == 0);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(port) == 0);
	return 0;
}
