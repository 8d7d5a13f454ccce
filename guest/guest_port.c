/*
 * <port.h> (illumos event ports, syscalls/portfs/) for guests: each call
 * is the simulated kernel's call of the same name (include/simk/port.h)
 * with libc's convention (-1 and errno). The guest's port_event_t,
 * file_obj_t and port_notify_t have the kernel's layouts (checked below),
 * so the guest's pointers go to the kernel as they are.
 *
 * Two adaptations, because a guest is compiled against the host's glibc
 * headers while the kernel speaks illumos:
 *  - PORT_SOURCE_FD poll bits: glibc's POLLWRNORM (0x100) and POLLWRBAND
 *    (0x200) are illumos's POLLOUT (4) and POLLWRBAND (0x100); the bits
 *    are translated on the way in (port_associate) and out (port_get(n));
 *  - port_sendn: the kernel answers EIO when some sends failed; illumos's
 *    libc returns the number of events submitted (errors[] says which
 *    failed), and so does this one.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>

#include "guest/include/sys/port.h"
#include "guest/include/port.h"

#include "guest/guest.h"
#include "simk/port.h"

#define FAMILY "port.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

_Static_assert(sizeof(port_event_t) == sizeof(struct simk_port_event), "port_event_t");
_Static_assert(offsetof(port_event_t, portev_source) ==
		   offsetof(struct simk_port_event, portev_source),
	       "portev_source");
_Static_assert(offsetof(port_event_t, portev_object) ==
		   offsetof(struct simk_port_event, portev_object),
	       "portev_object");
_Static_assert(offsetof(port_event_t, portev_user) == offsetof(struct simk_port_event, portev_user),
	       "portev_user");
_Static_assert(sizeof(file_obj_t) == sizeof(struct simk_file_obj), "file_obj_t");
_Static_assert(offsetof(file_obj_t, fo_name) == offsetof(struct simk_file_obj, fo_name), "fo_name");
_Static_assert(sizeof(port_notify_t) == sizeof(struct simk_port_notify), "port_notify_t");
_Static_assert(offsetof(port_notify_t, portnfy_user) ==
		   offsetof(struct simk_port_notify, portnfy_user),
	       "portnfy_user");
_Static_assert(PORT_SOURCE_FD == SIMK_PORT_SOURCE_FD && PORT_SOURCE_FILE == SIMK_PORT_SOURCE_FILE,
	       "sources");
_Static_assert(POLLIN == SIMK_PORT_POLLIN && POLLOUT == SIMK_PORT_POLLOUT &&
		   POLLRDBAND == SIMK_PORT_POLLRDBAND && POLLNVAL == SIMK_PORT_POLLNVAL,
	       "the poll bits both systems share");

/* A bit the kernel refuses (EINVAL) for host poll bits illumos lacks
 * (POLLMSG, POLLRDHUP...). */
#define POLL_UNKNOWN 0x40000000

/* glibc's poll bits -> illumos's (the kernel's) */
static int poll_to_kernel(int ev)
{
	int k = ev & 0xff; /* POLLIN ... POLLRDBAND: the same on both */
	if (ev & POLLWRNORM)
		k |= SIMK_PORT_POLLOUT; /* illumos: POLLWRNORM == POLLOUT */
	if (ev & POLLWRBAND)
		k |= SIMK_PORT_POLLWRBAND;
	if (ev & ~(0xff | POLLWRNORM | POLLWRBAND))
		k |= POLL_UNKNOWN;
	return k;
}

/* illumos's poll bits -> glibc's */
static int poll_from_kernel(int k)
{
	int ev = k & 0xff;
	if (k & SIMK_PORT_POLLWRBAND)
		ev |= POLLWRBAND;
	return ev;
}

/* Rewrites the FD events among the n the kernel stored at list. */
static void fd_events_out(struct guest_thread *gt, port_event_t *list, unsigned n)
{
	struct guest_run *r = guest_run_of(gt);
	if (r == NULL || n == 0 || !guest_user_writable(r, list, n * sizeof(*list)))
		return;
	for (unsigned i = 0; i < n; i++)
		if (list[i].portev_source == PORT_SOURCE_FD)
			list[i].portev_events = poll_from_kernel(list[i].portev_events);
}

int __wrap_port_create(void)
{
	GUEST_ENTER("port_create");
	return (int)GUEST_RET(simk_port_create());
}

int __wrap_port_associate(int port, int source, uintptr_t object, int events, void *user)
{
	GUEST_ENTER("port_associate");
	if (source == PORT_SOURCE_FD)
		events = poll_to_kernel(events);
	return (int)GUEST_RET(simk_port_associate(port, source, object, events, U(user)));
}

int __wrap_port_dissociate(int port, int source, uintptr_t object)
{
	GUEST_ENTER("port_dissociate");
	return (int)GUEST_RET(simk_port_dissociate(port, source, object));
}

int __wrap_port_send(int port, int events, void *user)
{
	GUEST_ENTER("port_send");
	return (int)GUEST_RET(simk_port_send(port, events, U(user)));
}

int __wrap_port_sendn(int ports[], int errors[], uint_t nent, int events, void *user)
{
	GUEST_ENTER("port_sendn");
	int r = simk_port_sendn(U(ports), U(errors), nent, events, U(user));
	if (r == -EIO) {
		/* errors[] was stored by the kernel: count the sends that worked */
		int ok = 0;
		for (uint_t i = 0; i < nent; i++)
			ok += errors[i] == 0;
		r = ok;
	}
	return (int)GUEST_RET(r);
}

int __wrap_port_alert(int port, int flags, int events, void *user)
{
	GUEST_ENTER("port_alert");
	return (int)GUEST_RET(simk_port_alert(port, flags, events, U(user)));
}

int __wrap_port_get(int port, port_event_t *pe, const timespec_t *timeout)
{
	GUEST_ENTER("port_get");
	int r = simk_port_get(port, U(pe), U(timeout));
	if (r == 0)
		fd_events_out(gt_, pe, 1);
	return (int)GUEST_RET(r);
}

int __wrap_port_getn(int port, port_event_t list[], uint_t max, uint_t *nget,
		     const timespec_t *timeout)
{
	GUEST_ENTER("port_getn");
	int r = simk_port_getn(port, U(list), max, U(nget), U(timeout));
	/* max 0 only counts; otherwise *nget events were stored, even with ETIME */
	if ((r == 0 || r == -ETIME) && max > 0) {
		struct guest_run *run = guest_run_of(gt_);
		if (run != NULL && guest_user_readable(run, nget, sizeof(*nget)))
			fd_events_out(gt_, list, *nget < max ? *nget : max);
	}
	return (int)GUEST_RET(r);
}

const struct guest_call guest_calls_port[] = {
    GUEST_WRAP(port_create, "at most 8192 ports per run (EAGAIN)"),
    GUEST_WRAP(port_associate,
	       "PORT_SOURCE_FD (pipes, socket pairs, files, ports) and PORT_SOURCE_FILE; "
	       "glibc's POLLWRNORM/POLLWRBAND translated"),
    GUEST_WRAP(port_dissociate, ""),
    GUEST_WRAP(port_send, ""),
    GUEST_WRAP(port_sendn, "returns the number submitted; errors[] names the failures"),
    GUEST_WRAP(port_alert, "flags must be exactly SET or UPDATE (the manual page)"),
    GUEST_WRAP(port_get, "the timeout is virtual; EINTR when a caught signal interrupts it, never restarted"),
    GUEST_WRAP(port_getn, "ETIME keeps the events taken, counted in *nget"),
};
const int guest_calls_port_n = GUEST_NCALLS(guest_calls_port);
