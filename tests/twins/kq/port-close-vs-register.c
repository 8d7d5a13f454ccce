/*
 * Twin of scenarios/kq/port-close-vs-register.scn: one thread adds
 * EVFILT_READ on an event port's descriptor while another closes it.
 * Invariant: the add succeeds or fails with EBADF, the close returns (it
 * may wait for the knote while the add still processes it: that wait once
 * never ended), and no knote is left on the closed descriptor: EV_DELETE
 * of it is EBADF (simk's end-of-run check adds: no knote left).
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   ebadf  the add found the descriptor closed;
 *   added  the add succeeded (and the close removed the knote).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq, port;
static int add_result, add_errno;

static void *registrar(void *arg)
{
	struct kevent ch;
	EV_SET(&ch, port, EVFILT_READ, EV_ADD, 0, 0, NULL);
	add_result = kevent(kq, &ch, 1, NULL, 0, NULL);
	add_errno = errno;
	return arg;
}

static void *closer(void *arg)
{
	CHECK(close(port) == 0);
	return arg;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	port = port_create();
	CHECK(port >= 0);

	pthread_t a, b;
	CHECK(pthread_create(&a, NULL, registrar, NULL) == 0);
	CHECK(pthread_create(&b, NULL, closer, NULL) == 0);
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	CHECK(add_result == 0 || (add_result == -1 && add_errno == EBADF));

	struct kevent ch, ev[1];
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, ev, 1, &zero) == 0);
	EV_SET(&ch, port, EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EBADF);
	CHECK(close(kq) == 0);

	const char *outcome = add_result == 0 ? "added" : "ebadf";
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
