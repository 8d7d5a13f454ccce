/*
 * POSIX AIO: the two notification types that go through other
 * subsystems — SIGEV_PORT (event ports, syscalls/portfs/port.h: PORT_SOURCE_AIO
 * through port_dispatch) and SIGEV_KEVENT (kqueue, syscalls/kqueue/kq.h: the
 * EVFILT_AIO attachment point). Kept in one file so that the rest of
 * POSIX AIO knows neither subsystem.
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>

#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"
#include "syscalls/posix_aio/paio_priv.h"

_Static_assert(sizeof(port_notify_t) == sizeof(struct simk_aio_port_notify),
	       "port_notify_t layouts differ");

/* Thread context. 0 when port_fd is an event port of p; -EBADF, -EBADFD. */
int paio_port_check(struct simk_proc *p, int port_fd)
{
	sim_assert_thread_context(__func__);
	struct port *port;
	int rc = port_hold_fd(p, port_fd, &port);
	if (rc == 0)
		port_rele(port);
	return rc;
}

/* Notification worker (thread context; sleeps interruptibly while the port
 * is full). A non-shareable PORT_SOURCE_AIO event owned by p. */
int paio_port_send(struct simk_proc *p, int port_fd, int events, uint64_t object, uint64_t user)
{
	sim_assert_may_sleep(__func__);
	return port_dispatch(p, port_fd, PORT_DISPATCH_NOSHARE, PORT_SOURCE_AIO, events, object,
			     user);
}

/* Thread context (may sleep). 0, -EBADF (kqfd is not a kqueue of p),
 * -ENOMEM. */
int paio_kev_attach(struct simk_proc *p, int kqfd, uaddr_t ident, uint64_t udata,
		    struct paio_kev *kev)
{
	sim_assert_may_sleep(__func__);
	kq_aio_hook_init(&kev->hook);
	int rc = kq_aio_attach(p, kqfd, ident, udata, &kev->hook);
	if (rc == 0)
		kev->attached = true;
	return rc;
}

/* Any context, never sleeps; at most once. error: 0 or the positive
 * errno of the request (of a list: EIO when an entry failed). */
void paio_kev_fire(struct paio_kev *kev, int error)
{
	KASSERT(kev->attached, "kevent notification fired twice");
	KASSERT(!kev->fired, "kevent notification fired twice");
	kev->fired = true;
	kq_aio_complete(&kev->hook, error);
}

/* Thread context (may sleep): drops a knote whose event was not taken. */
void paio_kev_detach(struct paio_kev *kev)
{
	sim_assert_may_sleep(__func__);
	if (kev->attached)
		kq_aio_detach(&kev->hook);
	kev->attached = false;
}

/* True while a knote is still attached (its event not yet taken). */
bool paio_kev_pending(const struct paio_kev *kev)
{
	return kev->attached && !list_empty(&kev->hook.knotes);
}
