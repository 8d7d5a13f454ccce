/*
 * SIGEV_PORT (illumos aio_read(3C), port_create(3C)): a request whose
 * sigevent names a port_notify_t delivers one PORT_SOURCE_AIO event to
 * that port when it completes, with portev_object the aiocb and
 * portev_user the portnfy_user; the result is in place when the event is
 * retrieved, and the event comes once. A LIO_NOWAIT list's sigevent posts
 * one event with portev_object the address of that sigevent (Solaris libc
 * aio.c), after its entries ended. A port descriptor that is not open is
 * EBADF at submission; a port_notify_t at a bad address is EFAULT.
 */
#include <aio.h>
#include <fcntl.h>
#include <port.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
	int port = port_create();
	CHECK(port >= 0);
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char buf[128];
	static int cookie;
	port_notify_t pn = {port, &cookie};
	struct aiocb cb;
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_sigevent.sigev_notify = SIGEV_PORT;
	cb.aio_sigevent.sigev_value.sival_ptr = &pn;
	CHECK(aio_write(&cb) == 0);
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_AIO);
	CHECK(pe.portev_object == (uintptr_t)&cb);
	CHECK(pe.portev_user == &cookie);
	CHECK(aio_error(&cb) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));
	struct timespec zero = {0, 0};
	CHECK_ERR(port_get(port, &pe, &zero), ETIME); /* once */

	/* the list's own event */
	struct aiocb a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.aio_fildes = b.aio_fildes = fd;
	a.aio_buf = buf;
	b.aio_buf = buf + 64;
	a.aio_nbytes = b.aio_nbytes = 64;
	a.aio_lio_opcode = LIO_READ;
	b.aio_lio_opcode = LIO_WRITE;
	b.aio_offset = 64;
	struct aiocb *list[2] = {&a, &b};
	static int list_cookie;
	port_notify_t lpn = {port, &list_cookie};
	struct sigevent sig;
	memset(&sig, 0, sizeof(sig));
	sig.sigev_notify = SIGEV_PORT;
	sig.sigev_value.sival_ptr = &lpn;
	CHECK(lio_listio(LIO_NOWAIT, list, 2, &sig) == 0);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_AIO);
	CHECK(pe.portev_object == (uintptr_t)&sig);
	CHECK(pe.portev_user == &list_cookie);
	CHECK(aio_error(&a) == 0 && aio_error(&b) == 0);
	CHECK(aio_return(&a) == 64 && aio_return(&b) == 64);
	CHECK_ERR(port_get(port, &pe, &zero), ETIME);

	/* errors at submission */
	port_notify_t closed = {55, NULL};
	cb.aio_sigevent.sigev_value.sival_ptr = &closed;
	CHECK_ERR(aio_write(&cb), EBADF);
	cb.aio_sigevent.sigev_value.sival_ptr = NULL;
	CHECK_ERR(aio_write(&cb), EFAULT);
	CHECK(close(port) == 0);
	return 0;
}
