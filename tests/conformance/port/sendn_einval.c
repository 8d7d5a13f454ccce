/* port_sendn(3C) ERRORS: nent 0 or above the list maximum (illumos's
 * PORT_MAX_LIST, 8192 in simk) is EINVAL; a ports[] or errors[] array that
 * is not the caller's memory is EFAULT. Nothing is sent with a bad ports[];
 * with a bad errors[] the sends are done and the call fails only if some
 * send failed, when errors[] must be stored (illumos port.c copies it out
 * last, and only then). */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	int ports[1] = {port};
	int errs[1];
	CHECK_ERR(port_sendn(ports, errs, 0, 1, NULL), EINVAL);
	CHECK_ERR(port_sendn(ports, errs, 8193, 1, NULL), EINVAL);
	CHECK_ERR(port_sendn(NULL, errs, 1, 1, NULL), EFAULT);
	uint_t n = 0;
	port_event_t pe;
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 0);
	CHECK(port_sendn(ports, NULL, 1, 1, NULL) == 1);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 1);
	int mixed[2] = {port, -1};
	CHECK_ERR(port_sendn(mixed, NULL, 2, 1, NULL), EFAULT);
	CHECK(port_getn(port, &pe, 0, &n, NULL) == 0 && n == 2);
	CHECK(close(port) == 0);
	return 0;
}
