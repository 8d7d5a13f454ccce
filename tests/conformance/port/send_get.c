/* port_send(3C) and port_get(3C): a user event carries the events and user
 * values it was sent with, source PORT_SOURCE_USER, and is retrieved
 * exactly once, in the order sent. events may be any int, 0 and negative
 * included; user any pointer, NULL included. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	static int cookie;
	int values[] = {1, 0, -7, 0x7fffffff};
	void *users[] = {&cookie, NULL, (void *)-1, (void *)0x1234};
	for (int i = 0; i < 4; i++)
		CHECK(port_send(port, values[i], users[i]) == 0);
	port_event_t pe;
	for (int i = 0; i < 4; i++) {
		pe.portev_source = 0;
		CHECK(port_get(port, &pe, NULL) == 0);
		CHECK(pe.portev_source == PORT_SOURCE_USER);
		CHECK(pe.portev_events == values[i]);
		CHECK(pe.portev_user == users[i]);
	}
	/* nothing left: a zero timeout is a poll that finds nothing */
	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);
	CHECK(close(port) == 0);
	return 0;
}
