/*
 * The system calls of POSIX timers: one descriptor and one user-side stub
 * (simk_<name>, declared in include/simk/ptimer.h) per call. A stub packs
 * its arguments and enters the kernel through syscall_invoke(); the
 * handler adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/ptimer.h"

#include "kern/syscall.h"
#include "syscalls/ptimer/ptimer.h"

static int64_t h_timer_create(const int64_t *a)
{
	return sys_timer_create((int)a[0], (uaddr_t)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_timer_create = {
    .name = "timer_create",
    .subsys = "ptimer",
    .fn = h_timer_create,
    .nargs = 3,
    .arg = {SA_CLOCK_ID, SA_UPTR, SA_UPTR},
    .res = SA_INT,
};

int simk_timer_create(int clockid, simk_uaddr_t sevp, simk_uaddr_t timerid)
{
	const int64_t a[] = {(int64_t)clockid, (int64_t)sevp, (int64_t)timerid};
	return (int)syscall_invoke(&desc_timer_create, a);
}

static int64_t h_timer_settime(const int64_t *a)
{
	return sys_timer_settime((int)a[0], (int)a[1], (uaddr_t)a[2], (uaddr_t)a[3]);
}

static const struct syscall_desc desc_timer_settime = {
    .name = "timer_settime",
    .subsys = "ptimer",
    .fn = h_timer_settime,
    .nargs = 4,
    .arg = {SA_TIMER_ID, SA_HEX, SA_UPTR, SA_UPTR},
    .res = SA_INT,
};

int simk_timer_settime(int timerid, int flags, simk_uaddr_t new_value, simk_uaddr_t old_value)
{
	const int64_t a[] = {(int64_t)timerid, (int64_t)flags, (int64_t)new_value,
			     (int64_t)old_value};
	return (int)syscall_invoke(&desc_timer_settime, a);
}

static int64_t h_timer_gettime(const int64_t *a)
{
	return sys_timer_gettime((int)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_timer_gettime = {
    .name = "timer_gettime",
    .subsys = "ptimer",
    .fn = h_timer_gettime,
    .nargs = 2,
    .arg = {SA_TIMER_ID, SA_UPTR},
    .res = SA_INT,
};

int simk_timer_gettime(int timerid, simk_uaddr_t cur)
{
	const int64_t a[] = {(int64_t)timerid, (int64_t)cur};
	return (int)syscall_invoke(&desc_timer_gettime, a);
}

static int64_t h_timer_delete(const int64_t *a)
{
	return sys_timer_delete((int)a[0]);
}

static const struct syscall_desc desc_timer_delete = {
    .name = "timer_delete",
    .subsys = "ptimer",
    .fn = h_timer_delete,
    .nargs = 1,
    .arg = {SA_TIMER_ID},
    .res = SA_INT,
};

int simk_timer_delete(int timerid)
{
	const int64_t a[] = {(int64_t)timerid};
	return (int)syscall_invoke(&desc_timer_delete, a);
}

static int64_t h_timer_getoverrun(const int64_t *a)
{
	return sys_timer_getoverrun((int)a[0]);
}

static const struct syscall_desc desc_timer_getoverrun = {
    .name = "timer_getoverrun",
    .subsys = "ptimer",
    .fn = h_timer_getoverrun,
    .nargs = 1,
    .arg = {SA_TIMER_ID},
    .res = SA_INT,
};

int simk_timer_getoverrun(int timerid)
{
	const int64_t a[] = {(int64_t)timerid};
	return (int)syscall_invoke(&desc_timer_getoverrun, a);
}

static const struct syscall_desc *const ptimer_syscall_table[] = {
    &desc_timer_create, &desc_timer_settime,	&desc_timer_gettime,
    &desc_timer_delete, &desc_timer_getoverrun,
};

void ptimer_syscalls_register(void)
{
	syscall_register_table(ptimer_syscall_table, (int)(sizeof(ptimer_syscall_table) /
							   sizeof(ptimer_syscall_table[0])));
}
