/*
 * simk system calls of illumos event ports (port_create ... port_getn),
 * with illumos's argument orders, sources and event bits and the layout
 * of port_event_t in user memory (see docs/port.md). Thread context only;
 * results >= 0 or a negative errno (the kernel convention, not libc's -1).
 */
#ifndef SIMK_INCLUDE_PORT_H
#define SIMK_INCLUDE_PORT_H

#include <stdint.h>

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

int simk_port_create(void);
int simk_port_associate(int port, int source, uint64_t object, int events, uint64_t user);
int simk_port_dissociate(int port, int source, uint64_t object);
int simk_port_send(int port, int events, uint64_t user);
int simk_port_sendn(simk_uaddr_t ports, simk_uaddr_t errors, unsigned nent, int events,
		    uint64_t user);
int simk_port_alert(int port, int flags, int events, uint64_t user);
int simk_port_get(int port, simk_uaddr_t pe, simk_uaddr_t timeout);
int simk_port_getn(int port, simk_uaddr_t list, unsigned max, simk_uaddr_t nget,
		   simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
