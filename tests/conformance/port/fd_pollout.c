/* PORT_SOURCE_FD with write interest: a pipe's write end is POLLOUT while
 * there is room; once the pipe is full an association waits, and the
 * reader draining it fires the event. glibc's POLLWRNORM is accepted as
 * write interest and reported as POLLOUT (the same bit on illumos). With
 * the read end closed the write end reports POLLERR. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	int p[2];
	CHECK(port >= 0 && pipe(p) == 0);
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLWRNORM, NULL) == 0);
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == POLLOUT);

	static char buf[4096];
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	CHECK(errno == EAGAIN);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, NULL) == 0);
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == POLLOUT);

	CHECK(close(p[0]) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, NULL) == 0);
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_events & POLLERR);
	CHECK(close(p[1]) == 0 && close(port) == 0);
	return 0;
}
