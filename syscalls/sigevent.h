/*
 * User-memory layouts shared by the asynchronous-notification calls:
 * struct simk_timespec (timeouts, timer values) and struct simk_sigevent
 * (timer_create, aio_*, lio_listio), with the SIGEV_* notification types
 * including illumos's SIGEV_PORT.
 *
 * These are the layouts a simulated process writes into its user memory
 * (kern/umem.h); kernel code copies them in with copyin. They are fixed
 * and host-independent (little-endian host assumed, like the rest of simk).
 *
 * What the caller guarantees: nothing; this header only defines layouts.
 */
#ifndef SIMK_SYSCALLS_SIGEVENT_H
#define SIMK_SYSCALLS_SIGEVENT_H

#include <stdint.h>

#define SIMK_NSEC_PER_SEC 1000000000LL

/* struct timespec in user memory (16 bytes). */
struct simk_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
_Static_assert(sizeof(struct simk_timespec) == 16, "simk_timespec layout");

/* struct itimerspec in user memory (32 bytes). */
struct simk_itimerspec {
	struct simk_timespec it_interval;
	struct simk_timespec it_value;
};
_Static_assert(sizeof(struct simk_itimerspec) == 32, "simk_itimerspec layout");

/* Notification types (Linux numbers for the first three; SIGEV_PORT is
 * illumos's idea, SIGEV_KEVENT BSD's; both given numbers of our own that
 * no Linux value uses). */
#define SIMK_SIGEV_SIGNAL 0
#define SIMK_SIGEV_NONE 1
#define SIMK_SIGEV_THREAD 2
#define SIMK_SIGEV_PORT 4   /* sigev_value is the user address of a port_notify_t */
#define SIMK_SIGEV_KEVENT 5 /* sigev_signo is a kqueue fd, sigev_value the udata */

/* struct sigevent in user memory (24 bytes). sigev_value is the sigval
 * (an integer or a user address). SIGEV_THREAD's function is the user
 * address sigev_notify_function (the simulation does not run it; see the
 * subsystem that implements SIGEV_THREAD). */
struct simk_sigevent {
	int32_t sigev_notify;
	int32_t sigev_signo;
	uint64_t sigev_value;
	uint64_t sigev_notify_function;
};
_Static_assert(sizeof(struct simk_sigevent) == 24, "simk_sigevent layout");

#endif
