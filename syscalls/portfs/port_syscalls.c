/*
 * The system calls of illumos event ports: one descriptor and one user-
 * side stub (simk_<name>, declared in include/simk/port.h) per call. A
 * stub packs its arguments and enters the kernel through syscall_invoke();
 * the handler adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/port.h"

#include "kern/syscall.h"
#include "syscalls/portfs/port.h"

#include <stddef.h>

/* The objects (a file_obj_t's address, an fd) and user values are traced as
 * user addresses (SA_UPTR): a guest passes its own pointers there, whose
 * host values differ between runs of simk; the trace keeps their
 * deterministic aliases (kern/umem.h), and small integers as they are. */

/* The public layouts and values (include/simk/port.h) are the kernel's. */
#define SAME_FIELD(a, b, f) (offsetof(a, f) == offsetof(b, f) && sizeof(((a *)0)->f) == sizeof(((b *)0)->f))
_Static_assert(sizeof(struct simk_port_event) == sizeof(port_event_t) &&
		   SAME_FIELD(struct simk_port_event, port_event_t, portev_events) &&
		   SAME_FIELD(struct simk_port_event, port_event_t, portev_source) &&
		   SAME_FIELD(struct simk_port_event, port_event_t, portev_object) &&
		   SAME_FIELD(struct simk_port_event, port_event_t, portev_user),
	       "port_event_t");
_Static_assert(sizeof(struct simk_file_obj) == sizeof(file_obj_t) &&
		   SAME_FIELD(struct simk_file_obj, file_obj_t, fo_atime) &&
		   SAME_FIELD(struct simk_file_obj, file_obj_t, fo_mtime) &&
		   SAME_FIELD(struct simk_file_obj, file_obj_t, fo_ctime) &&
		   SAME_FIELD(struct simk_file_obj, file_obj_t, fo_name),
	       "file_obj_t");
_Static_assert(sizeof(struct simk_port_notify) == sizeof(port_notify_t) &&
		   SAME_FIELD(struct simk_port_notify, port_notify_t, portnfy_port) &&
		   SAME_FIELD(struct simk_port_notify, port_notify_t, portnfy_user),
	       "port_notify_t");
_Static_assert(SIMK_PORT_SOURCE_AIO == PORT_SOURCE_AIO && SIMK_PORT_SOURCE_TIMER == PORT_SOURCE_TIMER &&
		   SIMK_PORT_SOURCE_USER == PORT_SOURCE_USER && SIMK_PORT_SOURCE_FD == PORT_SOURCE_FD &&
		   SIMK_PORT_SOURCE_ALERT == PORT_SOURCE_ALERT && SIMK_PORT_SOURCE_MQ == PORT_SOURCE_MQ &&
		   SIMK_PORT_SOURCE_FILE == PORT_SOURCE_FILE,
	       "sources");
_Static_assert(SIMK_PORT_ALERT_SET == PORT_ALERT_SET && SIMK_PORT_ALERT_UPDATE == PORT_ALERT_UPDATE &&
		   SIMK_PORT_POLLIN == PORT_POLLIN && SIMK_PORT_POLLPRI == PORT_POLLPRI &&
		   SIMK_PORT_POLLOUT == PORT_POLLOUT && SIMK_PORT_POLLERR == PORT_POLLERR &&
		   SIMK_PORT_POLLHUP == PORT_POLLHUP && SIMK_PORT_POLLNVAL == PORT_POLLNVAL &&
		   SIMK_PORT_POLLRDNORM == PORT_POLLRDNORM && SIMK_PORT_POLLRDBAND == PORT_POLLRDBAND &&
		   SIMK_PORT_POLLWRBAND == PORT_POLLWRBAND,
	       "alert flags, poll bits");
_Static_assert(SIMK_FILE_ACCESS == FILE_ACCESS && SIMK_FILE_MODIFIED == FILE_MODIFIED &&
		   SIMK_FILE_ATTRIB == FILE_ATTRIB && SIMK_FILE_DELETE == FILE_DELETE &&
		   SIMK_FILE_RENAME_TO == FILE_RENAME_TO && SIMK_FILE_RENAME_FROM == FILE_RENAME_FROM &&
		   SIMK_FILE_TRUNC == FILE_TRUNC && SIMK_FILE_NOFOLLOW == FILE_NOFOLLOW &&
		   SIMK_FILE_UNMOUNTED == UNMOUNTED && SIMK_FILE_MOUNTEDOVER == MOUNTEDOVER,
	       "file events");

static int64_t h_port_create(const int64_t *a)
{
	(void)a;
	return sys_port_create();
}

static const struct syscall_desc desc_port_create = {
    .name = "port_create",
    .subsys = "port",
    .fn = h_port_create,
    .nargs = 0,
    .arg = {},
    .res = SA_FD,
};

int simk_port_create(void)
{
	return (int)syscall_invoke(&desc_port_create, NULL);
}

static int64_t h_port_associate(const int64_t *a)
{
	return sys_port_associate((int)a[0], (int)a[1], (uint64_t)a[2], (int)a[3], (uint64_t)a[4]);
}

static const struct syscall_desc desc_port_associate = {
    .name = "port_associate",
    .subsys = "port",
    .fn = h_port_associate,
    .nargs = 5,
    .arg = {SA_FD, SA_PORT_SOURCE, SA_UPTR, SA_POLL_EVENTS, SA_UPTR},
    .res = SA_INT,
};

int simk_port_associate(int port, int source, uint64_t object, int events, uint64_t user)
{
	const int64_t a[] = {(int64_t)port, (int64_t)source, (int64_t)object, (int64_t)events,
			     (int64_t)user};
	return (int)syscall_invoke(&desc_port_associate, a);
}

static int64_t h_port_dissociate(const int64_t *a)
{
	return sys_port_dissociate((int)a[0], (int)a[1], (uint64_t)a[2]);
}

static const struct syscall_desc desc_port_dissociate = {
    .name = "port_dissociate",
    .subsys = "port",
    .fn = h_port_dissociate,
    .nargs = 3,
    .arg = {SA_FD, SA_PORT_SOURCE, SA_UPTR},
    .res = SA_INT,
};

int simk_port_dissociate(int port, int source, uint64_t object)
{
	const int64_t a[] = {(int64_t)port, (int64_t)source, (int64_t)object};
	return (int)syscall_invoke(&desc_port_dissociate, a);
}

static int64_t h_port_send(const int64_t *a)
{
	return sys_port_send((int)a[0], (int)a[1], (uint64_t)a[2]);
}

static const struct syscall_desc desc_port_send = {
    .name = "port_send",
    .subsys = "port",
    .fn = h_port_send,
    .nargs = 3,
    .arg = {SA_FD, SA_HEX, SA_UPTR},
    .res = SA_INT,
};

int simk_port_send(int port, int events, uint64_t user)
{
	const int64_t a[] = {(int64_t)port, (int64_t)events, (int64_t)user};
	return (int)syscall_invoke(&desc_port_send, a);
}

static int64_t h_port_sendn(const int64_t *a)
{
	return sys_port_sendn((uaddr_t)a[0], (uaddr_t)a[1], (unsigned)a[2], (int)a[3],
			      (uint64_t)a[4]);
}

static const struct syscall_desc desc_port_sendn = {
    .name = "port_sendn",
    .subsys = "port",
    .fn = h_port_sendn,
    .nargs = 5,
    .arg = {SA_UPTR, SA_UPTR, SA_UINT, SA_HEX, SA_UPTR},
    .res = SA_INT,
};

int simk_port_sendn(simk_uaddr_t ports, simk_uaddr_t errors, unsigned nent, int events,
		    uint64_t user)
{
	const int64_t a[] = {(int64_t)ports, (int64_t)errors, (int64_t)nent, (int64_t)events,
			     (int64_t)user};
	return (int)syscall_invoke(&desc_port_sendn, a);
}

static int64_t h_port_alert(const int64_t *a)
{
	return sys_port_alert((int)a[0], (int)a[1], (int)a[2], (uint64_t)a[3]);
}

static const struct syscall_desc desc_port_alert = {
    .name = "port_alert",
    .subsys = "port",
    .fn = h_port_alert,
    .nargs = 4,
    .arg = {SA_FD, SA_HEX, SA_HEX, SA_UPTR},
    .res = SA_INT,
};

int simk_port_alert(int port, int flags, int events, uint64_t user)
{
	const int64_t a[] = {(int64_t)port, (int64_t)flags, (int64_t)events, (int64_t)user};
	return (int)syscall_invoke(&desc_port_alert, a);
}

static int64_t h_port_get(const int64_t *a)
{
	return sys_port_get((int)a[0], (uaddr_t)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_port_get = {
    .name = "port_get",
    .subsys = "port",
    .fn = h_port_get,
    .nargs = 3,
    .arg = {SA_FD, SA_PORT_EVENT_PTR, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_port_get(int port, simk_uaddr_t pe, simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)port, (int64_t)pe, (int64_t)timeout};
	return (int)syscall_invoke(&desc_port_get, a);
}

static int64_t h_port_getn(const int64_t *a)
{
	return sys_port_getn((int)a[0], (uaddr_t)a[1], (unsigned)a[2], (uaddr_t)a[3],
			     (uaddr_t)a[4]);
}

static const struct syscall_desc desc_port_getn = {
    .name = "port_getn",
    .subsys = "port",
    .fn = h_port_getn,
    .nargs = 5,
    .arg = {SA_FD, SA_PORT_EVENT_PTR, SA_UINT, SA_UPTR, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_port_getn(int port, simk_uaddr_t list, unsigned max, simk_uaddr_t nget,
		   simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)port, (int64_t)list, (int64_t)max, (int64_t)nget,
			     (int64_t)timeout};
	return (int)syscall_invoke(&desc_port_getn, a);
}

static const struct syscall_desc *const port_syscall_table[] = {
    &desc_port_create, &desc_port_associate, &desc_port_dissociate, &desc_port_send,
    &desc_port_sendn,  &desc_port_alert,     &desc_port_get,	    &desc_port_getn,
};

void port_syscalls_register(void)
{
	syscall_register_table(port_syscall_table,
			       (int)(sizeof(port_syscall_table) / sizeof(port_syscall_table[0])));
}
