/* port_create(3C) and close(2): a port is a file descriptor (the lowest
 * free one, like open), distinct for every call; fstat works on it and,
 * as illumos's port_getattr, gives the number of queued events as st_size; dup
 * gives a second name for the same port, and once every descriptor is
 * closed each port call says EBADF. A descriptor that is not a port is
 * EBADFD for every port call (illumos port.c: the file's vnode is not a
 * port). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <port.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int a = port_create();
	int b = port_create();
	CHECK(a >= 0 && b >= 0 && a != b);
	struct stat st;
	CHECK(fstat(a, &st) == 0 && st.st_size == 0);
	CHECK(port_send(a, 1, NULL) == 0 && port_send(a, 2, NULL) == 0);
	CHECK(fstat(a, &st) == 0 && st.st_size == 2);
	port_event_t two[2];
	uint_t got = 2;
	CHECK(port_getn(a, two, 2, &got, NULL) == 0 && got == 2);
	CHECK(fstat(a, &st) == 0 && st.st_size == 0);

	/* dup: the same port under two names */
	int d = dup(a);
	CHECK(d >= 0);
	CHECK(port_send(d, 3, (void *)33) == 0);
	port_event_t pe;
	CHECK(port_get(a, &pe, NULL) == 0);
	CHECK(pe.portev_events == 3 && pe.portev_user == (void *)33);
	CHECK(close(a) == 0);
	CHECK(port_send(d, 4, NULL) == 0); /* the port lives while d does */
	CHECK(port_get(d, &pe, NULL) == 0 && pe.portev_events == 4);
	CHECK(close(d) == 0);

	/* closed: EBADF for every call */
	struct timespec zero = {0, 0};
	uint_t n = 1;
	CHECK_ERR(port_send(a, 1, NULL), EBADF);
	CHECK_ERR(port_get(a, &pe, &zero), EBADF);
	CHECK_ERR(port_getn(a, &pe, 1, &n, &zero), EBADF);
	CHECK_ERR(port_alert(a, PORT_ALERT_SET, 1, NULL), EBADF);
	CHECK_ERR(port_associate(a, PORT_SOURCE_FD, 0, POLLIN, NULL), EBADF);
	CHECK_ERR(port_dissociate(a, PORT_SOURCE_FD, 0), EBADF);
	CHECK_ERR(port_send(-1, 1, NULL), EBADF);
	CHECK_ERR(port_send(100000, 1, NULL), EBADF);

	/* not a port: EBADFD */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_ERR(port_send(p[0], 1, NULL), EBADFD);
	CHECK_ERR(port_get(p[0], &pe, &zero), EBADFD);
	CHECK_ERR(port_getn(p[1], &pe, 1, &n, &zero), EBADFD);
	CHECK_ERR(port_alert(p[0], PORT_ALERT_SET, 1, NULL), EBADFD);
	CHECK_ERR(port_associate(p[0], PORT_SOURCE_FD, (uintptr_t)p[1], POLLOUT, NULL), EBADFD);
	CHECK_ERR(port_dissociate(p[0], PORT_SOURCE_FD, (uintptr_t)p[1]), EBADFD);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(b) == 0);
	return 0;
}
