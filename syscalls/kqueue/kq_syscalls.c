/*
 * The system calls of kqueue: one descriptor and one user-side stub
 * (simk_<name>, declared in include/simk/kq.h) per call. A stub packs its
 * arguments and enters the kernel through syscall_invoke(); the handler
 * adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/kq.h"

#include "kern/syscall.h"
#include "syscalls/kqueue/kq.h"

static int64_t h_kqueue(const int64_t *a)
{
	(void)a;
	return sys_kqueue();
}

static const struct syscall_desc desc_kqueue = {
    .name = "kqueue",
    .subsys = "kq",
    .fn = h_kqueue,
    .nargs = 0,
    .arg = {},
    .res = SA_FD,
};

int simk_kqueue(void)
{
	return (int)syscall_invoke(&desc_kqueue, NULL);
}

static int64_t h_kevent(const int64_t *a)
{
	return sys_kevent((int)a[0], (uaddr_t)a[1], (int)a[2], (uaddr_t)a[3], (int)a[4],
			  (uaddr_t)a[5]);
}

static const struct syscall_desc desc_kevent = {
    .name = "kevent",
    .subsys = "kq",
    .fn = h_kevent,
    .nargs = 6,
    .arg = {SA_FD, SA_KEVENT_PTR, SA_INT, SA_KEVENT_PTR, SA_INT, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_kevent(int kq, simk_uaddr_t changelist, int nchanges, simk_uaddr_t eventlist, int nevents,
		simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)kq,	 (int64_t)changelist, (int64_t)nchanges,
			     (int64_t)eventlist, (int64_t)nevents,    (int64_t)timeout};
	return (int)syscall_invoke(&desc_kevent, a);
}

static const struct syscall_desc *const kq_syscall_table[] = {
    &desc_kqueue,
    &desc_kevent,
};

void kq_syscalls_register(void)
{
	syscall_register_table(kq_syscall_table,
			       (int)(sizeof(kq_syscall_table) / sizeof(kq_syscall_table[0])));
}
