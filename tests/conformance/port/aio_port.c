/* PORT_SOURCE_AIO: POSIX AIO requests with SIGEV_PORT notification (the
 * way illumos servers collect AIO completions). Each completion queues one
 * event with source PORT_SOURCE_AIO, portev_object the aiocb's address and
 * portev_user the port_notify_t's user value; the request is done when the
 * event is retrieved (aio_error 0, aio_return the byte count). Two
 * requests in flight give two events, retrieved by one port_getn. A
 * notify naming something that is not a descriptor is EBADF at
 * submission, a descriptor that is not a port EBADFD (Solaris libc aio.c
 * checks the port when the request is made). */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <port.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void notify(struct aiocb *cb, port_notify_t *pn)
{
	cb->aio_sigevent.sigev_notify = SIGEV_PORT;
	cb->aio_sigevent.sigev_value.sival_ptr = pn;
}

int main(void)
{
	int port = port_create();
	int fd = open("/aio", O_CREAT | O_RDWR, 0644);
	CHECK(port >= 0 && fd >= 0);
	static char out[512], in[512];
	memset(out, 'w', sizeof(out));

	port_notify_t pn = {.portnfy_port = port, .portnfy_user = (void *)0x111};
	struct aiocb w = {.aio_fildes = fd, .aio_buf = out, .aio_nbytes = sizeof(out)};
	notify(&w, &pn);
	CHECK(aio_write(&w) == 0);
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_AIO);
	CHECK(pe.portev_object == (uintptr_t)&w && pe.portev_user == (void *)0x111);
	int write_events = pe.portev_events;
	CHECK(aio_error(&w) == 0);
	CHECK(aio_return(&w) == (ssize_t)sizeof(out));

	/* two reads in flight, one getn for both */
	port_notify_t pn2 = {.portnfy_port = port, .portnfy_user = (void *)0x222};
	struct aiocb r1 = {.aio_fildes = fd, .aio_buf = in, .aio_nbytes = 256, .aio_offset = 0};
	struct aiocb r2 = {.aio_fildes = fd, .aio_buf = in + 256, .aio_nbytes = 256,
			   .aio_offset = 256};
	notify(&r1, &pn2);
	notify(&r2, &pn2);
	CHECK(aio_read(&r1) == 0 && aio_read(&r2) == 0);
	port_event_t list[4];
	uint_t n = 2;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0 && n == 2);
	CHECK(list[0].portev_object != list[1].portev_object);
	for (int i = 0; i < 2; i++) {
		CHECK(list[i].portev_source == PORT_SOURCE_AIO);
		CHECK(list[i].portev_user == (void *)0x222);
		CHECK(list[i].portev_events != write_events); /* a read, not a write */
		struct aiocb *cb = (struct aiocb *)list[i].portev_object;
		CHECK(cb == &r1 || cb == &r2);
		CHECK(aio_error(cb) == 0 && aio_return(cb) == 256);
	}
	CHECK(memcmp(in, out, sizeof(in)) == 0);

	/* the notify's port is checked at submission */
	port_notify_t bad = {.portnfy_port = 999};
	struct aiocb b = {.aio_fildes = fd, .aio_buf = in, .aio_nbytes = 1};
	notify(&b, &bad);
	CHECK_ERR(aio_read(&b), EBADF);
	int p[2];
	CHECK(pipe(p) == 0);
	bad.portnfy_port = p[0];
	CHECK_ERR(aio_read(&b), EBADFD);

	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);
	CHECK(close(p[0]) == 0 && close(p[1]) == 0 && close(fd) == 0 && close(port) == 0);
	return 0;
}
