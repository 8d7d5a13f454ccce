/*
 * <time.h> and <sys/time.h> for guests: the virtual clock. Every clock is
 * the simulation's (kern/kern_syscalls.c, clock_gettime): it starts at 0
 * — the epoch, 1 January 1970 — and moves only as the simulation does
 * (sleeps, timeouts, the cost of each step). A sleep is a real sleep of
 * the simulated thread: others run meanwhile, and the clock jumps when
 * nobody can run. Local time is UTC (the host's time zone would make runs
 * differ between machines).
 */
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest/guest.h"
#include "simk/proc.h"

#define FAMILY "time.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))
#define NS 1000000000LL

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	GUEST_ENTER("clock_gettime");
	return (int)GUEST_RET(simk_clock_gettime((int)id, U(ts)));
}

int __wrap_clock_getres(clockid_t id, struct timespec *ts)
{
	GUEST_ENTER("clock_getres");
	return (int)GUEST_RET(simk_clock_getres((int)id, U(ts)));
}

/* The virtual time in ns, through the scratch buffer; -1 on error. */
static int64_t now_ns(struct guest_thread *gt)
{
	int64_t r = simk_clock_gettime(CLOCK_REALTIME, U(gt->scratch));
	if (r < 0)
		return r;
	struct timespec ts;
	memcpy(&ts, gt->scratch, sizeof(ts));
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

int __wrap_gettimeofday(struct timeval *tv, void *tz)
{
	GUEST_ENTER("gettimeofday");
	int64_t now = now_ns(gt_);
	if (now >= 0 && tv != NULL) {
		struct guest_run *r = guest_run_of(gt_);
		if (r == NULL || !guest_user_writable(r, tv, sizeof(*tv))) {
			now = -EFAULT;
		} else {
			tv->tv_sec = (time_t)(now / NS);
			tv->tv_usec = (suseconds_t)(now % NS / 1000);
		}
	}
	if (now >= 0 && tz != NULL) {
		struct guest_run *r = guest_run_of(gt_);
		if (r == NULL || !guest_user_writable(r, tz, 2 * sizeof(int)))
			now = -EFAULT;
		else
			memset(tz, 0, 2 * sizeof(int)); /* UTC, no DST */
	}
	return (int)GUEST_RET(now < 0 ? now : 0);
}

time_t __wrap_time(time_t *t)
{
	GUEST_ENTER("time");
	int64_t now = now_ns(gt_);
	if (now >= 0 && t != NULL) {
		struct guest_run *r = guest_run_of(gt_);
		if (r == NULL || !guest_user_writable(r, t, sizeof(*t)))
			now = -EFAULT;
		else
			*t = (time_t)(now / NS);
	}
	return (time_t)GUEST_RET(now < 0 ? now : now / NS);
}

/* CPU time: the virtual time (a guest thread never waits for a CPU). */
clock_t __wrap_clock(void)
{
	GUEST_ENTER("clock");
	int64_t now = now_ns(gt_);
	GUEST_LEAVE();
	return now < 0 ? (clock_t)-1 : (clock_t)(now / (NS / CLOCKS_PER_SEC));
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	GUEST_ENTER("nanosleep");
	return (int)GUEST_RET(simk_nanosleep(U(req), U(rem)));
}

/* clock_nanosleep returns the error number itself (no errno). */
int __wrap_clock_nanosleep(clockid_t id, int flags, const struct timespec *req,
			   struct timespec *rem)
{
	GUEST_ENTER("clock_nanosleep");
	int64_t r;
	if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME) {
		r = -EINVAL;
	} else if (flags & TIMER_ABSTIME) {
		/* until the virtual clock reaches *req: a relative sleep in scratch */
		struct guest_run *run = guest_run_of(gt_);
		if (run == NULL || !guest_user_readable(run, req, sizeof(*req))) {
			r = -EFAULT;
		} else {
			int64_t now = now_ns(gt_);
			int64_t until = (int64_t)req->tv_sec * NS + req->tv_nsec;
			struct timespec d = {0, 0};
			if (now >= 0 && until > now) {
				d.tv_sec = (time_t)((until - now) / NS);
				d.tv_nsec = (long)((until - now) % NS);
			}
			memcpy(gt_->scratch + 64, &d, sizeof(d));
			r = now < 0 ? now : simk_nanosleep(U(gt_->scratch + 64), 0);
		}
	} else {
		r = simk_nanosleep(U(req), U(rem));
	}
	GUEST_LEAVE();
	return r < 0 ? (int)-r : 0;
}

static int sleep_ns(struct guest_thread *gt, int64_t ns, int64_t *left)
{
	struct timespec req = {(time_t)(ns / NS), (long)(ns % NS)};
	memcpy(gt->scratch, &req, sizeof(req));
	int64_t r = simk_nanosleep(U(gt->scratch), U(gt->scratch + 32));
	if (r == -EINTR && left != NULL) {
		struct timespec rem;
		memcpy(&rem, gt->scratch + 32, sizeof(rem));
		*left = (int64_t)rem.tv_sec * NS + rem.tv_nsec;
	}
	return (int)r;
}

int __wrap_usleep(useconds_t us)
{
	GUEST_ENTER("usleep");
	return (int)GUEST_RET(sleep_ns(gt_, (int64_t)us * 1000, NULL));
}

unsigned __wrap_sleep(unsigned s)
{
	GUEST_ENTER("sleep");
	int64_t left = 0;
	int r = sleep_ns(gt_, (int64_t)s * NS, &left);
	GUEST_LEAVE();
	/* the seconds left, rounded to the nearest as glibc's sleep does */
	return r == -EINTR ? (unsigned)(left / NS + (left % NS >= NS / 2)) : 0;
}

struct tm *__wrap_localtime(const time_t *t)
{
	return gmtime(t);
}

struct tm *__wrap_localtime_r(const time_t *t, struct tm *out)
{
	return gmtime_r(t, out);
}

time_t __wrap_mktime(struct tm *tm)
{
	return timegm(tm);
}

char *__wrap_ctime(const time_t *t)
{
	return asctime(gmtime(t));
}

char *__wrap_ctime_r(const time_t *t, char *buf)
{
	struct tm tm;
	return asctime_r(gmtime_r(t, &tm), buf);
}

void __wrap_tzset(void)
{
}

const struct guest_call guest_calls_time[] = {
    GUEST_WRAP(clock_gettime, "every clock is the virtual clock; REALTIME starts at the epoch"),
    GUEST_WRAP(clock_getres, "1 ns"),
    GUEST_WRAP(gettimeofday, "virtual time; the time zone is UTC"),
    GUEST_WRAP(time, "virtual seconds since the start of the run"),
    GUEST_WRAP(clock, "virtual time (threads never wait for a CPU)"),
    GUEST_WRAP(nanosleep, "sleeps in virtual time: other threads run, the clock jumps"),
    GUEST_WRAP(clock_nanosleep, "REALTIME, MONOTONIC, BOOTTIME; TIMER_ABSTIME"),
    GUEST_WRAP(usleep, ""),
    GUEST_WRAP(sleep, ""),
    GUEST_WRAP(localtime, "UTC"),
    GUEST_WRAP(localtime_r, "UTC"),
    GUEST_WRAP(mktime, "UTC"),
    GUEST_WRAP(ctime, "UTC"),
    GUEST_WRAP(ctime_r, "UTC"),
    GUEST_WRAP(tzset, "no effect: UTC"),
};
const int guest_calls_time_n = GUEST_NCALLS(guest_calls_time);
