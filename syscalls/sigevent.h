/*
 * User-memory layouts shared by the asynchronous-notification calls:
 * struct simk_timespec (timeouts, timer values) and struct simk_sigevent
 * (timer_create, aio_*, lio_listio), with the SIGEV_* notification types
 * including illumos's SIGEV_PORT.
 *
 * These are the layouts a simulated process writes into its user memory
 * (kern/umem.h); kernel code copies them in with copyin. They are fixed
 * and host-independent (little-endian host assumed, like the rest of simk).
 * They are part of the public API: include/simk/time.h and sigevent.h
 * define them; kern_syscalls.c asserts their sizes.
 *
 * What the caller guarantees: nothing; this header only defines layouts.
 */
#ifndef SIMK_SYSCALLS_SIGEVENT_H
#define SIMK_SYSCALLS_SIGEVENT_H

#include "simk/sigevent.h"
#include "simk/time.h"

#endif
