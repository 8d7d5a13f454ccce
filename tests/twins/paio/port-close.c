/*
 * Twin of scenarios/paio/port-close.scn: a pipe read notifies by
 * SIGEV_PORT (PORT_SOURCE_AIO, object the aiocb, user the port_notify_t's
 * value) while another thread closes the port. A getter waits on the port
 * with a short timeout, a writer completes the read and a closer closes
 * the port. Whatever the interleaving, the request ends exactly once with
 * its byte, and its notification is either retrieved before the close or
 * lost with the port (port_get: ETIME, or EBADF once the port is gone) —
 * never twice. The kernel's end-of-run checks prove every event slot came
 * back and the notification was sent or dropped once. Differences: the
 * scenario also reads the AIO counters, which a guest cannot see.
 *
 * Argument forbid=got / forbid=lost fails the run when the getter did /
 * did not retrieve the event.
 */
#include <aio.h>
#include <fcntl.h>
#include <port.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port, rd, wr;
static struct aiocb cb;
static port_notify_t pn;
static char one[1];
static int user_value = 51966;
static int got, geterr;

static void *getter(void *arg)
{
	(void)arg;
	port_event_t pe;
	struct timespec ts = {0, 200000};
	if (port_get(port, &pe, &ts) == 0) {
		CHECK(pe.portev_source == PORT_SOURCE_AIO);
		CHECK(pe.portev_object == (uintptr_t)&cb && pe.portev_user == &user_value);
		got = 1;
	} else {
		geterr = errno;
	}
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	CHECK(write(wr, "p", 1) == 1);
	return NULL;
}

static void *closer(void *arg)
{
	(void)arg;
	CHECK(close(port) == 0);
	return NULL;
}

/* forbid=NAME among the arguments and this run reached NAME: say so */
static int forbidden(int argc, char **argv, const char *what)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "forbid=", 7) == 0 && strcmp(argv[i] + 7, what) == 0) {
			printf("outcome %s reached\n", what);
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	port = port_create();
	CHECK(port >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	rd = p[0];
	wr = p[1];
	pn.portnfy_port = port;
	pn.portnfy_user = &user_value;
	cb.aio_fildes = rd;
	cb.aio_buf = one;
	cb.aio_nbytes = 1;
	cb.aio_sigevent.sigev_notify = SIGEV_PORT;
	cb.aio_sigevent.sigev_value.sival_ptr = &pn;
	CHECK(aio_read(&cb) == 0);
	pthread_t g, w, c;
	CHECK(pthread_create(&g, NULL, getter, NULL) == 0);
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	CHECK(pthread_create(&c, NULL, closer, NULL) == 0);
	CHECK(pthread_join(g, NULL) == 0);
	CHECK(pthread_join(w, NULL) == 0);
	CHECK(pthread_join(c, NULL) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	CHECK(aio_return(&cb) == 1); /* the request ended once, normally */
	if (!got)
		CHECK(geterr == ETIME || geterr == EBADF || geterr == EBADFD);
	usleep(1000); /* the notification worker is done */
	CHECK(close(rd) == 0 && close(wr) == 0);
	const char *what = got ? "got" : "lost";
	printf("event %s\n", what);
	return forbidden(argc, argv, what);
}
