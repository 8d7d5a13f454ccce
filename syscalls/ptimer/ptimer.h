/*
 * POSIX per-process timers in virtual time: timer_create with SIGEV_NONE,
 * SIGEV_SIGNAL or SIGEV_PORT (an event port, PORT_SOURCE_TIMER),
 * timer_settime (relative, absolute with TIMER_ABSTIME, periodic),
 * timer_gettime, timer_getoverrun and timer_delete.
 *
 * What it offers
 * --------------
 * - Timers live in the process that created them; ids are small integers
 *   from 0, lowest free first. A process's timers are deleted when it
 *   exits; a forked child inherits none (POSIX).
 * - Expirations: SIGEV_SIGNAL queues sigev_signo with si_code SI_TIMER and
 *   the sigev_value; SIGEV_PORT sends one PORT_SOURCE_TIMER event (object =
 *   timer id, user = portnfy_user) through the timer's one event slot; its
 *   portev_events is the number of expirations it stands for (1 + the
 *   overruns), as on illumos. While the previous notification was not yet taken (signal
 *   still pending, port event still queued), a new expiration only counts
 *   an overrun; timer_getoverrun returns the overruns of the last
 *   notification taken.
 * - Clocks: CLOCK_REALTIME and CLOCK_MONOTONIC are both the virtual clock.
 *
 * System calls, and the file of each
 * ---------------------------------
 *   timer_create, timer_settime, timer_gettime,   ptimer.c
 *   timer_getoverrun, timer_delete
 * Behind them: ptimer_port.c (SIGEV_PORT: PORT_SOURCE_TIMER over port.h).
 *
 * What the caller guarantees: sys_* run in thread context of a user
 * process.
 */
#ifndef SIMK_SYSCALLS_PTIMER_H
#define SIMK_SYSCALLS_PTIMER_H

#include <stdint.h>

#include "simk/ptimer.h" /* SIMK_CLOCK_*, SIMK_TIMER_ABSTIME */

#include "kern/umem.h"
#include "syscalls/sigevent.h"

#define PTIMER_MAX 32		     /* timers per process (-EAGAIN past it) */
#define PTIMER_OVERRUN_MAX INT32_MAX /* DELAYTIMER_MAX */

/* sevp: user address of a struct simk_sigevent, or 0 (SIGEV_SIGNAL with
 * SIGALRM and the timer id as value). timerid: user address of an int32.
 * 0, -EINVAL (clock, notify type, signal), -EAGAIN (too many timers or the
 * port's event limit), -EFAULT, -EBADF / -EBADFD (SIGEV_PORT port),
 * -ENOMEM. */
int sys_timer_create(int clockid, uaddr_t sevp, uaddr_t timerid);
/* new_value, old_value: user addresses of struct simk_itimerspec
 * (old_value may be 0). it_value {0,0} disarms. 0, -EINVAL (bad timer,
 * flags or nsec out of [0, 1e9)), -EFAULT (new_value unreadable: nothing
 * changed; old_value unwritable: the new setting stands, as on Linux and
 * illumos). */
int sys_timer_settime(int timerid, int flags, uaddr_t new_value, uaddr_t old_value);
int sys_timer_gettime(int timerid, uaddr_t cur);
/* 0 or -EINVAL. A queued port event of the timer is taken back. */
int sys_timer_delete(int timerid);
/* Overruns of the last notification taken (>= 0), or -EINVAL. */
int sys_timer_getoverrun(int timerid);

/* Registers the subsystem (after portfs: a process's timers are deleted
 * before its ports close). */
void ptimer_register(void);

#endif
