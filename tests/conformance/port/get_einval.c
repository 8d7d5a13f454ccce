/* port_get(3C) / port_getn(3C) ERRORS: EINVAL for a timeout whose tv_sec is
 * negative or whose tv_nsec is not in [0, 10^9) — noticed, as in illumos
 * port.c, only when the call would wait: with an event queued the bad
 * timeout is never looked at — nor is an unreadable timeout pointer, which
 * is EFAULT only when the call would wait. EFAULT for an event buffer that
 * is not the caller's memory; a bad buffer costs no event. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_event_t pe;
	struct timespec neg = {-1, 0};
	struct timespec big = {0, 1000000000};
	struct timespec negns = {0, -1};
	CHECK_ERR(port_get(port, &pe, &neg), EINVAL);
	CHECK_ERR(port_get(port, &pe, &big), EINVAL);
	CHECK_ERR(port_get(port, &pe, &negns), EINVAL);
	uint_t n = 1;
	CHECK_ERR(port_getn(port, &pe, 1, &n, &big), EINVAL);

	CHECK(port_send(port, 1, NULL) == 0);
	CHECK(port_get(port, &pe, &big) == 0 && pe.portev_events == 1);

	CHECK(port_send(port, 2, NULL) == 0);
	CHECK_ERR(port_get(port, NULL, NULL), EFAULT);
	CHECK(port_get(port, &pe, (struct timespec *)8) == 0 && pe.portev_events == 2);
	CHECK_ERR(port_get(port, &pe, (struct timespec *)8), EFAULT);
	CHECK(port_send(port, 2, NULL) == 0);
	n = 1;
	CHECK_ERR(port_getn(port, NULL, 1, &n, NULL), EFAULT);
	CHECK_ERR(port_getn(port, &pe, 1, NULL, NULL), EFAULT);
	/* the event is still there */
	n = 0;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 1);
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_events == 2);
	CHECK(close(port) == 0);
	return 0;
}
