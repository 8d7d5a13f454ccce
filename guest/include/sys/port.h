/*
 * <sys/port.h> for simk guests: the types and constants of illumos event
 * ports (port_event_t, file_obj_t, port_notify_t, PORT_SOURCE_*,
 * PORT_ALERT_*, FILE_*), with illumos's values and LP64 layouts, which
 * are also the simulated kernel's (include/simk/port.h). <port.h>
 * declares the calls. Only names glibc does not define are added here, so
 * a program written for illumos compiles unchanged next to the host's
 * <poll.h>, <time.h> and <signal.h>. docs/port.md, "Guest programs".
 */
#ifndef _SIMK_GUEST_SYS_PORT_H
#define _SIMK_GUEST_SYS_PORT_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* illumos's basic types that glibc lacks (identical redefinitions are
 * allowed in C11, so another simk header may declare them too) */
typedef unsigned int uint_t;
typedef unsigned short ushort_t;
typedef struct timespec timestruc_t;
typedef struct timespec timespec_t;

/* event sources */
#define PORT_SOURCE_AIO 1
#define PORT_SOURCE_TIMER 2
#define PORT_SOURCE_USER 3
#define PORT_SOURCE_FD 4
#define PORT_SOURCE_ALERT 5
#define PORT_SOURCE_MQ 6 /* no message queues in simk: EINVAL */
#define PORT_SOURCE_FILE 7

/* port_alert(3C) flags */
#define PORT_ALERT_SET 0x01
#define PORT_ALERT_UPDATE 0x02
#define PORT_ALERT_INVALID (PORT_ALERT_SET | PORT_ALERT_UPDATE)

/* SIGEV_PORT for timer_create and POSIX AIO: sigev_value.sival_ptr points
 * at a port_notify_t. illumos's number, the same as in simk's
 * <bits/sigevent-consts.h>, which <signal.h> reads. */
#ifndef SIGEV_PORT
#define SIGEV_PORT 4
#endif

/* An event, as port_get(3C) returns it (24 bytes). */
typedef struct port_event {
	int portev_events;	 /* the source's event bits */
	ushort_t portev_source;	 /* PORT_SOURCE_* */
	ushort_t portev_pad;	 /* unused */
	uintptr_t portev_object; /* fd, file_obj_t address, timer id, aiocb address */
	void *portev_user;	 /* the user value given at association or send */
} port_event_t;

/* What SIGEV_PORT's sigev_value points to (16 bytes). */
#ifndef _SIMK_PORT_NOTIFY_T
#define _SIMK_PORT_NOTIFY_T
typedef struct port_notify {
	int portnfy_port;   /* the port the events go to */
	void *portnfy_user; /* their portev_user */
} port_notify_t;
#endif

/* PORT_SOURCE_FILE: the watched file and the times the caller last saw
 * (80 bytes). */
typedef struct file_obj {
	timestruc_t fo_atime;
	timestruc_t fo_mtime;
	timestruc_t fo_ctime;
	uintptr_t fo_pad[3];
	char *fo_name; /* absolute path */
} file_obj_t;

/* PORT_SOURCE_FILE events */
#define FILE_ACCESS 0x00000001
#define FILE_MODIFIED 0x00000002
#define FILE_ATTRIB 0x00000004
#define FILE_TRUNC 0x00100000
#define FILE_NOFOLLOW 0x10000000
/* exception events: reported whether asked for or not; they end the watch */
#define FILE_DELETE 0x00000010
#define FILE_RENAME_TO 0x00000020
#define FILE_RENAME_FROM 0x00000040
#define UNMOUNTED 0x20000000
#define MOUNTEDOVER 0x40000000
#define FILE_EXCEPTION (UNMOUNTED | FILE_DELETE | FILE_RENAME_TO | FILE_RENAME_FROM | MOUNTEDOVER)

#ifdef __cplusplus
}
#endif
#endif
