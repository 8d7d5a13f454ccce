/*
 * Twin of scenarios/port/timer-create-vs-close.scn: the main thread creates
 * a SIGEV_PORT timer on a port while another thread closes the port's only
 * descriptor. Invariant: timer_create succeeds (the close then detaches the
 * timer, which keeps running without notification until deleted) or fails
 * with EBADF (the descriptor was gone) or EBADFD (the port's last close
 * began while the create ran); close returns without waiting for the
 * timer, and every thread ends (simk's end-of-run check adds: every event
 * slot came back to the port).
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   made    the timer was made on the open port;
 *   ebadf   the descriptor was closed before the create looked it up;
 *   ebadfd  the close began while the create ran.
 */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port;
static atomic_int closed;

static void *closer(void *arg)
{
	CHECK(close(port) == 0);
	atomic_store(&closed, 1);
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	pthread_t c;
	CHECK(pthread_create(&c, NULL, closer, NULL) == 0);

	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)5};
	struct sigevent sev = {.sigev_notify = SIGEV_PORT, .sigev_value.sival_ptr = &pn};
	timer_t timer;
	const char *outcome;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0) {
		outcome = "made";
		struct itimerspec its = {.it_value = {0, 20000}, .it_interval = {0, 20000}};
		CHECK(timer_settime(timer, 0, &its, NULL) == 0);
		while (!atomic_load(&closed)) /* the close must not wait for this timer */
			usleep(10);
		CHECK(timer_getoverrun(timer) >= 0);
		CHECK(timer_delete(timer) == 0);
	} else {
		CHECK(errno == EBADF || errno == EBADFD);
		outcome = errno == EBADF ? "ebadf" : "ebadfd";
	}
	CHECK(pthread_join(c, NULL) == 0);

	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
