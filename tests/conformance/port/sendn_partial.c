/* port_sendn(3C) with some bad entries: the sends that can be done are
 * done, the return value is the number submitted (less than nent), and
 * errors[] holds 0 for each good entry and the errno of each failure:
 * EBADF for what is not a descriptor, EBADFD for a descriptor that is not a
 * port. Every entry bad: returns 0. */
#include <errno.h>
#include <port.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int a = port_create();
	int b = port_create();
	int p[2];
	CHECK(a >= 0 && b >= 0 && pipe(p) == 0);
	int ports[5] = {a, -1, p[0], b, 777};
	int errs[5] = {-1, -1, -1, -1, -1};
	CHECK(port_sendn(ports, errs, 5, 8, NULL) == 2);
	CHECK(errs[0] == 0 && errs[1] == EBADF && errs[2] == EBADFD && errs[3] == 0);
	CHECK(errs[4] == EBADF);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(a, &pe, &zero) == 0 && pe.portev_events == 8);
	CHECK(port_get(b, &pe, &zero) == 0 && pe.portev_events == 8);
	CHECK_ERR(port_get(a, &pe, &zero), ETIME);

	int bad[2] = {p[1], -5};
	int berr[2] = {0, 0};
	CHECK(port_sendn(bad, berr, 2, 1, NULL) == 0);
	CHECK(berr[0] == EBADFD && berr[1] == EBADF);

	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(a) == 0 && close(b) == 0);
	return 0;
}
