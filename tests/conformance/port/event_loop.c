/* The event loop libevent's evport and libuv's sunos backends run: fds
 * are associated once, port_getn collects a batch with a timeout, and each
 * fd that fired is re-associated before the next round (one-shot). What
 * those loops rely on: a regular file is always ready (POLLIN and POLLOUT
 * fire at once); port_getn failing with ETIME still stores and counts the
 * events it took (libuv processes them before looking at the error); an fd
 * closed by the application is dissociated by the close, so re-arming it
 * fails with EBADF and dissociating it with EBADF too; and a batch never
 * holds two events of one association. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <port.h>
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static int pipes[3][2];

static void *feeder(void *arg)
{
	(void)arg;
	for (int round = 0; round < 3; round++) {
		usleep(100);
		for (int i = 0; i < 3; i++)
			CHECK(write(pipes[i][1], "m", 1) == 1);
	}
	return NULL;
}

int main(void)
{
	int port = port_create();
	int file = open("/regular", O_CREAT | O_RDWR, 0644);
	CHECK(port >= 0 && file >= 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)file, POLLIN | POLLOUT, NULL) == 0);
	port_event_t ev[8];
	uint_t n = 1;
	struct timespec zero = {0, 0};
	CHECK(port_getn(port, ev, 8, &n, &zero) == 0 && n == 1);
	CHECK(ev[0].portev_object == (uintptr_t)file);
	CHECK(ev[0].portev_events == (POLLIN | POLLOUT));

	for (int i = 0; i < 3; i++) {
		CHECK(pipe(pipes[i]) == 0);
		CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)pipes[i][0], POLLIN,
				     (void *)(uintptr_t)i) == 0);
	}
	pthread_t t;
	CHECK(pthread_create(&t, NULL, feeder, NULL) == 0);
	int seen[3] = {0, 0, 0};
	int total = 0, rounds = 0;
	while (total < 9) {
		CHECK(++rounds < 100);
		struct timespec to = {0, 50000};
		n = 3; /* a full batch, or what came within 50 us */
		int r = port_getn(port, ev, 8, &n, &to);
		CHECK(r == 0 || errno == ETIME);
		CHECK(n <= 3);
		for (uint_t j = 0; j < n; j++) {
			int i = (int)(uintptr_t)ev[j].portev_user;
			CHECK(i >= 0 && i < 3 && ev[j].portev_object == (uintptr_t)pipes[i][0]);
			for (uint_t k = 0; k < j; k++)
				CHECK(ev[k].portev_user != ev[j].portev_user);
			char c;
			while (read(pipes[i][0], &c, 1) == 1) {
				seen[i]++;
				total++;
				struct pollfd pfd = {.fd = pipes[i][0], .events = POLLIN};
				if (poll(&pfd, 1, 0) == 0)
					break;
			}
			CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)pipes[i][0], POLLIN,
					     (void *)(uintptr_t)i) == 0);
		}
	}
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(seen[0] == 3 && seen[1] == 3 && seen[2] == 3);

	/* the application closes a connection: the association goes with it */
	int fd = pipes[1][0];
	CHECK(close(fd) == 0);
	CHECK_ERR(port_associate(port, PORT_SOURCE_FD, (uintptr_t)fd, POLLIN, NULL), EBADF);
	CHECK_ERR(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)fd), EBADF);
	CHECK(close(pipes[1][1]) == 0);
	for (int i = 0; i < 3; i += 2)
		CHECK(close(pipes[i][0]) == 0 && close(pipes[i][1]) == 0);
	CHECK(close(file) == 0 && close(port) == 0);
	return 0;
}
