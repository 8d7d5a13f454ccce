/*
 * Event ports: PORT_SOURCE_USER — port_send and port_sendn.
 *
 * A user event is the simplest source: a DEFAULT slot, no callback, no
 * owner restriction (user events are shareable without limits: an event a
 * parent sent stays retrievable by its child after the parent closed the
 * port). Sending never waits: at the event limit it fails with EAGAIN.
 */
#include <errno.h>

#include "kern/kmem.h"
#include "kern/umem.h"
#include "syscalls/portfs/port_priv.h"

static KMEM_TYPE(kmt_sendn, "port.sendn");

/* Allocates, fills and queues one user event: 0, -EAGAIN, -EBADFD, -ENOMEM. */
static int user_send(struct port *pp, int events, uint64_t user)
{
	struct port_kevent *k;
	int r = port_alloc_event(pp, NULL, PORT_ALLOC_DEFAULT, PORT_SOURCE_USER, &k);
	if (r != 0)
		return r;
	port_init_event(k, 0, user, NULL, NULL);
	port_set_event(k, events);
	port_send_event(k);
	return 0;
}

int sys_port_send(int port, int events, uint64_t user)
{
	struct file *fp;
	struct port *pp;
	int r = port_getf(port, &fp, &pp);
	if (r != 0)
		return r;
	r = user_send(pp, events, user);
	port_releasef(fp, pp);
	return r;
}

int sys_port_sendn(uaddr_t ports, uaddr_t errors, unsigned nent, int events, uint64_t user)
{
	if (nent == 0 || nent > port_run()->limits.list_max)
		return -EINVAL;
	size_t bytes = (size_t)nent * sizeof(int32_t);
	int32_t *plist = kmem_alloc(&kmt_sendn, bytes);
	if (plist == NULL)
		return -ENOMEM;
	if (copyin(ports, plist, bytes) != 0) {
		kmem_free(&kmt_sendn, plist);
		return -EFAULT;
	}
	int32_t *elist = NULL; /* made on the first error, like the reference */
	unsigned nerr = 0;
	for (unsigned i = 0; i < nent; i++) {
		struct file *fp;
		struct port *pp;
		int r = port_getf(plist[i], &fp, &pp);
		if (r == 0) {
			r = user_send(pp, events, user);
			port_releasef(fp, pp);
		}
		if (r == 0)
			continue;
		if (elist == NULL) {
			elist = kmem_zalloc(&kmt_sendn, bytes);
			if (elist == NULL) {
				kmem_free(&kmt_sendn, plist);
				return -ENOMEM;
			}
		}
		elist[i] = -r;
		nerr++;
	}
	int ret = (int)nent;
	if (nerr > 0) {
		ret = copyout(elist, errors, bytes) != 0 ? -EFAULT : -EIO;
		kmem_free(&kmt_sendn, elist);
	}
	kmem_free(&kmt_sendn, plist);
	trace_emit(TR_INFO, "port:sendn", nent, nerr, events, 0);
	return ret;
}
