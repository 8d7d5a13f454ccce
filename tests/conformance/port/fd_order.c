/* Events of several descriptors are retrieved in the order the descriptors
 * became ready, each exactly once, whatever the order of association; a
 * descriptor ready at association time fires at that moment. */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	int p[4][2];
	for (int i = 0; i < 4; i++) {
		CHECK(pipe(p[i]) == 0);
		CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[i][0], POLLIN,
				     (void *)(uintptr_t)i) == 0);
	}
	int order[4] = {2, 0, 3, 1};
	for (int i = 0; i < 4; i++)
		CHECK(write(p[order[i]][1], "x", 1) == 1);
	port_event_t list[8];
	uint_t n = 4;
	CHECK(port_getn(port, list, 8, &n, NULL) == 0 && n == 4);
	for (int i = 0; i < 4; i++) {
		CHECK(list[i].portev_object == (uintptr_t)p[order[i]][0]);
		CHECK(list[i].portev_user == (void *)(uintptr_t)order[i]);
	}
	/* a user event in between keeps its place */
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[1][1], POLLOUT, NULL) == 0);
	CHECK(port_send(port, 9, NULL) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[2][1], POLLOUT, NULL) == 0);
	n = 3;
	CHECK(port_getn(port, list, 8, &n, NULL) == 0 && n == 3);
	CHECK(list[0].portev_source == PORT_SOURCE_FD && list[0].portev_object == (uintptr_t)p[1][1]);
	CHECK(list[1].portev_source == PORT_SOURCE_USER);
	CHECK(list[2].portev_object == (uintptr_t)p[2][1]);
	for (int i = 0; i < 4; i++)
		CHECK(close(p[i][0]) == 0 && close(p[i][1]) == 0);
	CHECK(close(port) == 0);
	return 0;
}
