/*
 * <port.h> for simk guests: illumos event ports (port_create(3C) ...
 * port_getn(3C)), implemented by the guest runtime (guest/guest_port.c)
 * over the simulated kernel's portfs (syscalls/portfs/, which follows
 * illumos port.c). The types and constants are in <sys/port.h>, as on
 * illumos. PORT_SOURCE_FD takes and returns the host's <poll.h> bits
 * (glibc's POLLWRNORM and POLLWRBAND are translated). docs/port.md,
 * "Guest programs", lists every difference.
 */
#ifndef _SIMK_GUEST_PORT_H
#define _SIMK_GUEST_PORT_H

/* the runtime (guest/guest_port.c) includes <sys/port.h> itself first */
#ifndef _SIMK_GUEST_SYS_PORT_H
#include <sys/port.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

int port_create(void);
int port_associate(int port, int source, uintptr_t object, int events, void *user);
int port_dissociate(int port, int source, uintptr_t object);
int port_send(int port, int events, void *user);
int port_sendn(int ports[], int errors[], uint_t nent, int events, void *user);
int port_alert(int port, int flags, int events, void *user);
int port_get(int port, port_event_t *pe, const timespec_t *timeout);
int port_getn(int port, port_event_t list[], uint_t max, uint_t *nget,
	      const timespec_t *timeout);

#ifdef __cplusplus
}
#endif
#endif
