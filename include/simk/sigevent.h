/*
 * struct sigevent in simulated user memory (timer_create, aio_*,
 * lio_listio), with the SIGEV_* notification types including illumos's
 * SIGEV_PORT and BSD's SIGEV_KEVENT.
 */
#ifndef SIMK_INCLUDE_SIGEVENT_H
#define SIMK_INCLUDE_SIGEVENT_H

#include <stdint.h>

/* Notification types (Linux numbers for the first three; SIGEV_PORT is
 * illumos's idea, SIGEV_KEVENT BSD's; both given numbers of our own that
 * no Linux value uses). */
#define SIMK_SIGEV_SIGNAL 0
#define SIMK_SIGEV_NONE 1
#define SIMK_SIGEV_THREAD 2
#define SIMK_SIGEV_PORT 4   /* sigev_value is the user address of a port_notify_t */
#define SIMK_SIGEV_KEVENT 5 /* sigev_signo is a kqueue fd, sigev_value the udata */

/* struct sigevent (32 bytes). sigev_value is the sigval (an integer or a
 * user address). SIGEV_THREAD's function is the user address
 * sigev_function (the simulation does not run it; see the
 * subsystem that implements SIGEV_THREAD). sigev_attributes is POSIX's
 * sigev_notify_attributes (a pthread_attr_t address) or FreeBSD's
 * sigev_notify_kevent_flags: the guest's <signal.h> names it, no kernel
 * call reads it (a SIGEV_THREAD thread is always detached). */
struct simk_sigevent {
	int32_t sigev_notify;
	int32_t sigev_signo;
	uint64_t sigev_value;
	uint64_t sigev_function;
	uint64_t sigev_attributes;
};

#endif
