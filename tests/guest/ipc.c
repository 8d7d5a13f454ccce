/* Pipes, socket pairs, descriptors and poll through the simulated VFS. */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static int wfd;

static void *writer(void *arg)
{
	(void)arg;
	usleep(1000);
	CHECK(write(wfd, "late", 4) == 4);
	return NULL;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* EPIPE below, not the end of the program */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	char b[8] = {0};
	CHECK(read(p[0], b, sizeof(b)) == 3 && memcmp(b, "abc", 3) == 0);

	/* poll: nothing to read, then a writer thread makes it readable */
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	CHECK(poll(&pf, 1, 0) == 0);
	wfd = p[1];
	pthread_t t;
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	CHECK(poll(&pf, 1, -1) == 1 && (pf.revents & POLLIN));
	CHECK(read(p[0], b, 4) == 4 && memcmp(b, "late", 4) == 0);
	CHECK(pthread_join(t, NULL) == 0);

	/* dup, dup2, fcntl */
	int d = dup(p[1]);
	CHECK(d > p[1]);
	CHECK(dup2(p[1], 20) == 20);
	CHECK(write(20, "x", 1) == 1 && read(p[0], b, 1) == 1 && b[0] == 'x');
	CHECK(fcntl(d, F_GETFD) == 0);
	CHECK(fcntl(d, F_SETFD, FD_CLOEXEC) == 0 && fcntl(d, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR(read(p[0], b, 1), EAGAIN);
	int d2 = fcntl(p[1], F_DUPFD, 30);
	CHECK(d2 == 30);
	CHECK_ERR(dup2(p[1], -1), EBADF);
	CHECK_ERR(dup(77), EBADF);
	CHECK_ERR(fcntl(77, F_GETFD), EBADF);
	CHECK(close(d) == 0 && close(20) == 0 && close(d2) == 0);

	/* the last writer closed: end of file; the last reader closed: EPIPE */
	CHECK(close(p[1]) == 0);
	CHECK(fcntl(p[0], F_SETFL, 0) == 0);
	CHECK(read(p[0], b, 1) == 0);
	CHECK(close(p[0]) == 0);
	int q[2];
	CHECK(pipe2(q, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(fcntl(q[0], F_GETFD) == FD_CLOEXEC);
	CHECK(close(q[0]) == 0);
	CHECK_ERR(write(q[1], "x", 1), EPIPE);
	CHECK(close(q[1]) == 0);
	CHECK_ERR(pipe2(q, 0x12345678), EINVAL);

	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[1], b, 4) == 4);
	CHECK(write(sv[1], "pong", 4) == 4 && read(sv[0], b, 4) == 4 && memcmp(b, "pong", 4) == 0);
	CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
	CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	/* simk's sockets are streams: a datagram pair is refused, as documented */
	CHECK_ERR(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), EOPNOTSUPP);
	puts("ipc ok");
	return 0;
}
