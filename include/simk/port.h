/*
 * simk system calls of illumos event ports (port_create ... port_getn),
 * with illumos's argument orders, sources, event bits and user-memory
 * layouts (port_event_t, file_obj_t, port_notify_t). Thread context only;
 * results >= 0 or a negative errno (the kernel convention, not libc's -1
 * and errno). docs/port.md.
 */
#ifndef SIMK_INCLUDE_PORT_H
#define SIMK_INCLUDE_PORT_H

#include <stdint.h>

#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* event sources */
#define SIMK_PORT_SOURCE_AIO 1
#define SIMK_PORT_SOURCE_TIMER 2
#define SIMK_PORT_SOURCE_USER 3
#define SIMK_PORT_SOURCE_FD 4
#define SIMK_PORT_SOURCE_ALERT 5
#define SIMK_PORT_SOURCE_MQ 6 /* reserved: no message queues (-EINVAL) */
#define SIMK_PORT_SOURCE_FILE 7

/* port_alert flags */
#define SIMK_PORT_ALERT_SET 0x01
#define SIMK_PORT_ALERT_UPDATE 0x02

/* PORT_SOURCE_FD events: illumos's poll bits (POLLWRNORM == POLLOUT) */
#define SIMK_PORT_POLLIN 0x0001
#define SIMK_PORT_POLLPRI 0x0002
#define SIMK_PORT_POLLOUT 0x0004
#define SIMK_PORT_POLLERR 0x0008
#define SIMK_PORT_POLLHUP 0x0010
#define SIMK_PORT_POLLNVAL 0x0020
#define SIMK_PORT_POLLRDNORM 0x0040
#define SIMK_PORT_POLLRDBAND 0x0080
#define SIMK_PORT_POLLWRBAND 0x0100

/* PORT_SOURCE_FILE events */
#define SIMK_FILE_ACCESS 0x00000001
#define SIMK_FILE_MODIFIED 0x00000002
#define SIMK_FILE_ATTRIB 0x00000004
#define SIMK_FILE_DELETE 0x00000010
#define SIMK_FILE_RENAME_TO 0x00000020
#define SIMK_FILE_RENAME_FROM 0x00000040
#define SIMK_FILE_TRUNC 0x00100000
#define SIMK_FILE_NOFOLLOW 0x10000000
#define SIMK_FILE_UNMOUNTED 0x20000000
#define SIMK_FILE_MOUNTEDOVER 0x40000000

/* port_event_t (24 bytes). object: the fd (FD), the file_obj_t address
 * (FILE), the timer id (TIMER), the aiocb address (AIO), 0 for USER and
 * ALERT; user: the value given at association or send. */
struct simk_port_event {
	int32_t portev_events;
	uint16_t portev_source;
	uint16_t portev_pad;
	uint64_t portev_object;
	uint64_t portev_user;
};

/* file_obj_t (80 bytes): the times the caller saw and the user address of
 * the NUL-terminated absolute path. */
struct simk_file_obj {
	struct simk_timespec fo_atime;
	struct simk_timespec fo_mtime;
	struct simk_timespec fo_ctime;
	uint64_t fo_pad[3];
	uint64_t fo_name;
};

/* port_notify_t (16 bytes): what SIGEV_PORT's sigev_value points to. */
struct simk_port_notify {
	int32_t portnfy_port;
	int32_t portnfy_pad;
	uint64_t portnfy_user;
};

int simk_port_create(void);
int simk_port_associate(int port, int source, uint64_t object, int events, uint64_t user);
int simk_port_dissociate(int port, int source, uint64_t object);
int simk_port_send(int port, int events, uint64_t user);
/* ports: nent ints; errors: nent ints (the errno of each failed send) */
int simk_port_sendn(simk_uaddr_t ports, simk_uaddr_t errors, unsigned nent, int events,
		    uint64_t user);
int simk_port_alert(int port, int flags, int events, uint64_t user);
/* pe: a struct simk_port_event; timeout: a struct simk_timespec or 0 */
int simk_port_get(int port, simk_uaddr_t pe, simk_uaddr_t timeout);
/* list: max struct simk_port_event; nget: unsigned, in/out */
int simk_port_getn(int port, simk_uaddr_t list, unsigned max, simk_uaddr_t nget,
		   simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
