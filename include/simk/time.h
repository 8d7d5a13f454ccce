/*
 * Time values in simulated user memory: struct timespec, struct itimerspec
 * and struct timeval, with Linux x86-64's layouts (64-bit fields). Times
 * are virtual.
 */
#ifndef SIMK_INCLUDE_TIME_H
#define SIMK_INCLUDE_TIME_H

#include <stdint.h>

#define SIMK_NSEC_PER_SEC 1000000000LL

/* Clock ids (Linux's). Every one is the virtual clock. */
#define SIMK_CLOCK_REALTIME 0
#define SIMK_CLOCK_MONOTONIC 1
#define SIMK_CLOCK_MONOTONIC_RAW 4
#define SIMK_CLOCK_REALTIME_COARSE 5
#define SIMK_CLOCK_MONOTONIC_COARSE 6
#define SIMK_CLOCK_BOOTTIME 7

/* struct timespec (16 bytes). */
struct simk_timespec {
	int64_t tv_sec;
	int64_t tv_nsec; /* [0, SIMK_NSEC_PER_SEC) */
};

/* struct itimerspec (32 bytes). */
struct simk_itimerspec {
	struct simk_timespec it_interval;
	struct simk_timespec it_value;
};

/* struct timeval (16 bytes; Solaris aiowait). */
struct simk_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

#endif
