/* port_sendn(3C): one user event to each port of a list. When every send
 * works it returns nent and leaves errors[] alone (the manual page fills it
 * only when some send failed; illumos port.c copies it out only then);
 * each port gets
 * the same events and user value. The same port twice in the list gets two
 * events. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int ports[4];
	for (int i = 0; i < 3; i++) {
		ports[i] = port_create();
		CHECK(ports[i] >= 0);
	}
	ports[3] = ports[0];
	int errs[4] = {-1, -1, -1, -1};
	CHECK(port_sendn(ports, errs, 4, 0x55, (void *)0x99) == 4);
	for (int i = 0; i < 4; i++)
		CHECK(errs[i] == -1);
	for (int i = 0; i < 3; i++) {
		uint_t n = 0;
		port_event_t list[4];
		CHECK(port_getn(ports[i], list, 0, &n, NULL) == 0);
		CHECK(n == (i == 0 ? 2u : 1u));
		uint_t want = n;
		CHECK(port_getn(ports[i], list, 4, &n, NULL) == 0 && n == want);
		for (uint_t j = 0; j < n; j++) {
			CHECK(list[j].portev_source == PORT_SOURCE_USER);
			CHECK(list[j].portev_events == 0x55);
			CHECK(list[j].portev_user == (void *)0x99);
		}
	}
	for (int i = 0; i < 3; i++)
		CHECK(close(ports[i]) == 0);
	return 0;
}
