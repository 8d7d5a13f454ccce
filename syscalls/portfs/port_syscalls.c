/*
 * The system calls of illumos event ports: one descriptor and one user-
 * side stub (simk_<name>, declared in include/simk/port.h) per call. A
 * stub packs its arguments and enters the kernel through syscall_invoke();
 * the handler adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/port.h"

#include "kern/syscall.h"
#include "syscalls/portfs/port.h"

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
    .arg = {SA_FD, SA_PORT_SOURCE, SA_HEX, SA_POLL_EVENTS, SA_HEX},
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
    .arg = {SA_FD, SA_PORT_SOURCE, SA_HEX},
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
    .arg = {SA_FD, SA_HEX, SA_HEX},
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
    .arg = {SA_UPTR, SA_UPTR, SA_UINT, SA_HEX, SA_HEX},
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
    .arg = {SA_FD, SA_HEX, SA_HEX, SA_HEX},
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
