/* One descriptor associated with two ports: each port has its own
 * association, so a readiness change queues one event in each, and
 * dissociating it from one port leaves the other's association (and its
 * next event) alone. A socket pair works as a PORT_SOURCE_FD object like a
 * pipe: POLLIN when data is waiting, POLLHUP once the peer has shut down. */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int a = port_create();
	int b = port_create();
	int sv[2];
	CHECK(a >= 0 && b >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(port_associate(a, PORT_SOURCE_FD, (uintptr_t)sv[0], POLLIN, (void *)1) == 0);
	CHECK(port_associate(b, PORT_SOURCE_FD, (uintptr_t)sv[0], POLLIN, (void *)2) == 0);
	CHECK(write(sv[1], "ping", 4) == 4);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(a, &pe, &zero) == 0 && pe.portev_user == (void *)1);
	CHECK(pe.portev_events == POLLIN);
	CHECK(port_get(b, &pe, &zero) == 0 && pe.portev_user == (void *)2);

	char buf[8];
	CHECK(read(sv[0], buf, sizeof(buf)) == 4);
	CHECK(port_associate(a, PORT_SOURCE_FD, (uintptr_t)sv[0], POLLIN, (void *)1) == 0);
	CHECK(port_associate(b, PORT_SOURCE_FD, (uintptr_t)sv[0], POLLIN, (void *)2) == 0);
	CHECK(port_dissociate(a, PORT_SOURCE_FD, (uintptr_t)sv[0]) == 0);
	CHECK(shutdown(sv[1], SHUT_WR) == 0);
	CHECK_ERR(port_get(a, &pe, &zero), ETIME);
	CHECK(port_get(b, &pe, &zero) == 0 && pe.portev_user == (void *)2);
	CHECK(pe.portev_events & (POLLHUP | POLLIN));
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0 && close(a) == 0 && close(b) == 0);
	return 0;
}
