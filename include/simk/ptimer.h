/*
 * simk system calls of POSIX timers (timer_create ... timer_getoverrun) on
 * the virtual clock, with Linux's layouts of struct sigevent and struct
 * itimerspec in user memory (a timer can also notify an event port:
 * SIMK_SIGEV_PORT, docs/port.md). Thread context only; results >= 0 or a
 * negative errno.
 */
#ifndef SIMK_INCLUDE_PTIMER_H
#define SIMK_INCLUDE_PTIMER_H

#include "simk/sigevent.h"
#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIMK_TIMER_ABSTIME 0x1

/* sevp: a struct simk_sigevent or 0 (SIGALRM); timerid: an int32 */
int simk_timer_create(int clockid, simk_uaddr_t sevp, simk_uaddr_t timerid);
/* new_value, old_value: struct simk_itimerspec (old_value may be 0) */
int simk_timer_settime(int timerid, int flags, simk_uaddr_t new_value, simk_uaddr_t old_value);
int simk_timer_gettime(int timerid, simk_uaddr_t cur);
int simk_timer_delete(int timerid);
int simk_timer_getoverrun(int timerid);

#ifdef __cplusplus
}
#endif
#endif
