/* port_alert(3C) flags and ERRORS: PORT_ALERT_UPDATE sets the alert only if
 * the port is not alerted already (EBUSY otherwise, the first alert
 * stays); both flags together is EINVAL, and so are neither flag or an
 * unknown bit (the manual page's "flags is invalid"; illumos port.c treats
 * unknown values as SET — simk follows the manual). events 0 ends alert
 * mode whatever the flags. Bad descriptors: EBADF, EBADFD. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	port_event_t pe;
	CHECK(port_alert(port, PORT_ALERT_UPDATE, 5, (void *)5) == 0);
	CHECK_ERR(port_alert(port, PORT_ALERT_UPDATE, 6, (void *)6), EBUSY);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_ALERT && pe.portev_events == 5);
	CHECK(pe.portev_user == (void *)5);

	CHECK_ERR(port_alert(port, PORT_ALERT_SET | PORT_ALERT_UPDATE, 1, NULL), EINVAL);
	CHECK_ERR(port_alert(port, 0, 1, NULL), EINVAL);
	CHECK_ERR(port_alert(port, 0x10, 1, NULL), EINVAL);

	/* UPDATE with events 0 clears too */
	CHECK(port_alert(port, PORT_ALERT_UPDATE, 0, NULL) == 0);
	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);
	CHECK(port_alert(port, PORT_ALERT_UPDATE, 9, NULL) == 0);
	CHECK(port_get(port, &pe, &zero) == 0 && pe.portev_events == 9);
	CHECK(port_alert(port, PORT_ALERT_SET, 0, NULL) == 0);

	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_ERR(port_alert(p[0], PORT_ALERT_SET, 1, NULL), EBADFD);
	CHECK_ERR(port_alert(-1, PORT_ALERT_SET, 1, NULL), EBADF);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(port) == 0);
	return 0;
}
