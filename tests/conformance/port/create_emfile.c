/* port_create(3C) ERRORS: a port is a descriptor, so when the process has
 * no free descriptor left port_create fails with EMFILE, and succeeds again
 * once one is closed. (The system-wide limit on ports, EAGAIN, is a run
 * setting of simk — port_limits in scenarios — far above the descriptor
 * limit.) */
#include <errno.h>
#include <port.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	long max = sysconf(_SC_OPEN_MAX);
	CHECK(max > 3);
	int *fds = calloc((size_t)max, sizeof(int));
	CHECK(fds != NULL);
	int n = 0;
	for (;;) {
		int p = port_create();
		if (p < 0) {
			CHECK(errno == EMFILE);
			break;
		}
		CHECK(n < max);
		fds[n++] = p;
	}
	CHECK(n >= max - 3 && n <= max); /* the console's descriptors are taken */
	/* each port works: the last one created, and the first */
	CHECK(port_send(fds[n - 1], 1, NULL) == 0);
	CHECK(port_send(fds[0], 2, NULL) == 0);
	/* a free descriptor makes room for one port */
	CHECK(close(fds[n / 2]) == 0);
	int again = port_create();
	CHECK(again == fds[n / 2]);
	CHECK_ERR(port_create(), EMFILE);
	for (int i = 0; i < n; i++)
		CHECK(close(fds[i]) == 0);
	free(fds);
	return 0;
}
