/*
 * The system calls of eventfd: one descriptor and one user-side stub
 * (simk_<name>, declared in include/simk/eventfd.h) per call. A stub packs
 * its arguments and enters the kernel through syscall_invoke(); the
 * handler adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/eventfd.h"

#include "kern/syscall.h"
#include "syscalls/eventfd/eventfd.h"


_Static_assert(SIMK_EFD_SEMAPHORE == EFD_SEMAPHORE && SIMK_EFD_NONBLOCK == EFD_NONBLOCK &&
		   SIMK_EFD_CLOEXEC == EFD_CLOEXEC,
	       "eventfd flags (include/simk/eventfd.h)");

static int64_t h_eventfd(const int64_t *a)
{
	return sys_eventfd((unsigned)a[0], (int)a[1]);
}

static const struct syscall_desc desc_eventfd = {
    .name = "eventfd",
    .subsys = "eventfd",
    .fn = h_eventfd,
    .nargs = 2,
    .arg = {SA_UINT, SA_OFLAGS},
    .res = SA_FD,
};

int simk_eventfd(unsigned initval, int flags)
{
	const int64_t a[] = {(int64_t)initval, (int64_t)flags};
	return (int)syscall_invoke(&desc_eventfd, a);
}

static const struct syscall_desc *const eventfd_syscall_table[] = {
    &desc_eventfd,
};

void eventfd_syscalls_register(void)
{
	syscall_register_table(eventfd_syscall_table, (int)(sizeof(eventfd_syscall_table) /
							    sizeof(eventfd_syscall_table[0])));
}
