/* PORT_SOURCE_FD is one-shot (port_associate(3C)): a pipe's read end
 * associated for POLLIN fires once when data arrives; further writes queue
 * nothing more, because the association is no longer armed. Associating
 * again re-arms it, and since the pipe is still readable the event is
 * queued at once. After the data is read, a new association waits for the
 * next write. portev_object is the descriptor, portev_user the value given. */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

static uint_t queued(int port)
{
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0);
	return n;
}

int main(void)
{
	int port = port_create();
	int p[2];
	CHECK(port >= 0 && pipe(p) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)7) == 0);
	CHECK(queued(port) == 0);
	CHECK(write(p[1], "a", 1) == 1);
	CHECK(queued(port) == 1);
	CHECK(write(p[1], "b", 1) == 1);
	CHECK(queued(port) == 1);
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_FD);
	CHECK(pe.portev_object == (uintptr_t)p[0]);
	CHECK(pe.portev_events == POLLIN);
	CHECK(pe.portev_user == (void *)7);
	/* not re-armed: more data, no event */
	CHECK(write(p[1], "c", 1) == 1);
	CHECK(queued(port) == 0);
	/* re-arm: readable now, fires at once */
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)8) == 0);
	CHECK(queued(port) == 1);
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_user == (void *)8);
	/* drain, re-arm: waits for the next write */
	char buf[8];
	CHECK(read(p[0], buf, sizeof(buf)) == 3);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)9) == 0);
	CHECK(queued(port) == 0);
	CHECK(write(p[1], "d", 1) == 1);
	CHECK(port_get(port, &pe, NULL) == 0 && pe.portev_user == (void *)9);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(port) == 0);
	return 0;
}
