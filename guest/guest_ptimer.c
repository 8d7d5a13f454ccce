/*
 * POSIX timers of <time.h> for guests (timer_create ... timer_getoverrun,
 * syscalls/ptimer/): timers on the virtual clock whose expirations are
 * counted (SIGEV_NONE) or queued to an illumos event port (SIGEV_PORT,
 * docs/port.md "PORT_SOURCE_TIMER") or sent as a signal (SIGEV_SIGNAL,
 * and a NULL sevp: SIGALRM with the timer's id as its value, as on Linux),
 * which the runtime delivers like any other (guest_signal.c);
 * SIGEV_THREAD is EINVAL (simk runs no user code on the kernel's behalf).
 *
 * The guest's struct sigevent is simk's (guest/include/bits/types/
 * sigevent_t.h replaces glibc's: notify, signo, value, function — struct
 * simk_sigevent), so it goes to the kernel as it is. The guest's timer_t
 * is glibc's pointer type while the kernel stores an int id: the id comes back through
 * the thread's scratch buffer. struct itimerspec has the kernel's layout.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "guest/guest.h"
#include "guest/include/sys/port.h"
#include "simk/ptimer.h"

#define FAMILY "time.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

_Static_assert(sizeof(struct itimerspec) == sizeof(struct simk_itimerspec),
	       "struct itimerspec is struct simk_itimerspec");
_Static_assert(SIGEV_PORT == SIMK_SIGEV_PORT, "SIGEV_PORT");

static int timer_id(timer_t t)
{
	return (int)(intptr_t)t;
}

int __wrap_timer_create(clockid_t clock, const void *sevp, timer_t *timerid)
{
	GUEST_ENTER("timer_create");
	struct guest_run *r = guest_run_of(gt_);
	if (r == NULL)
		return (int)GUEST_RET(-EFAULT);
	if (sevp != NULL && !guest_user_readable(r, sevp, sizeof(struct simk_sigevent)))
		return (int)GUEST_RET(-EFAULT);
	if (timerid == NULL || !guest_user_writable(r, timerid, sizeof(*timerid)))
		return (int)GUEST_RET(-EFAULT);
	int32_t *id = (int32_t *)(void *)gt_->scratch;
	int rc = simk_timer_create((int)clock, U(sevp), U(id));
	if (rc == 0)
		*timerid = (timer_t)(intptr_t)*id;
	return (int)GUEST_RET(rc);
}

int __wrap_timer_settime(timer_t t, int flags, const struct itimerspec *new_value,
			 struct itimerspec *old_value)
{
	GUEST_ENTER("timer_settime");
	return (int)GUEST_RET(simk_timer_settime(timer_id(t), flags, U(new_value), U(old_value)));
}

int __wrap_timer_gettime(timer_t t, struct itimerspec *cur)
{
	GUEST_ENTER("timer_gettime");
	return (int)GUEST_RET(simk_timer_gettime(timer_id(t), U(cur)));
}

int __wrap_timer_delete(timer_t t)
{
	GUEST_ENTER("timer_delete");
	return (int)GUEST_RET(simk_timer_delete(timer_id(t)));
}

int __wrap_timer_getoverrun(timer_t t)
{
	GUEST_ENTER("timer_getoverrun");
	return (int)GUEST_RET(simk_timer_getoverrun(timer_id(t)));
}

const struct guest_call guest_calls_ptimer[] = {
    GUEST_WRAP(timer_create, "CLOCK_REALTIME, CLOCK_MONOTONIC; SIGEV_NONE, SIGEV_SIGNAL and "
			     "illumos's SIGEV_PORT (docs/port.md); timer_t holds the kernel's "
			     "int id"),
    GUEST_WRAP(timer_settime, "relative or TIMER_ABSTIME, on the virtual clock"),
    GUEST_WRAP(timer_gettime, ""),
    GUEST_WRAP(timer_delete, ""),
    GUEST_WRAP(timer_getoverrun, "SIGEV_PORT: the overruns of the last event retrieved"),
};
const int guest_calls_ptimer_n = GUEST_NCALLS(guest_calls_ptimer);
