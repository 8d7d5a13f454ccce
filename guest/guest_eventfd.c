/*
 * <sys/eventfd.h> (syscalls/eventfd/) for guests. The host's header is
 * the guest's: glibc's EFD_SEMAPHORE, EFD_CLOEXEC and EFD_NONBLOCK are
 * Linux's values, which the simulated kernel uses (checked below). An
 * eventfd is a descriptor of the simulated VFS, so read, write, poll and
 * close on it are the ordinary guest calls (guest_unistd.c, guest_ipc.c);
 * eventfd_read and eventfd_write are those 8-byte transfers, with glibc's
 * results (0, or -1 and errno).
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>

#include "guest/guest.h"
#include "simk/eventfd.h"
#include "simk/vfs.h"

#define FAMILY "sys/eventfd.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

_Static_assert(EFD_SEMAPHORE == SIMK_EFD_SEMAPHORE && EFD_CLOEXEC == SIMK_EFD_CLOEXEC &&
		   EFD_NONBLOCK == SIMK_EFD_NONBLOCK,
	       "eventfd flags");
_Static_assert(sizeof(eventfd_t) == 8, "eventfd_t");

int __wrap_eventfd(unsigned int count, int flags)
{
	GUEST_ENTER("eventfd");
	return (int)GUEST_RET(simk_eventfd(count, flags));
}

int __wrap_eventfd_read(int fd, eventfd_t *value)
{
	GUEST_ENTER("eventfd_read");
	int64_t r = simk_read(fd, U(value), sizeof(*value));
	return (int)GUEST_RET(r < 0 ? r : (r == (int64_t)sizeof(*value) ? 0 : -EINVAL));
}

/* The value goes to the kernel from the thread's scratch memory. */
int __wrap_eventfd_write(int fd, eventfd_t value)
{
	GUEST_ENTER("eventfd_write");
	memcpy(gt_->scratch, &value, sizeof(value));
	int64_t r = simk_write(fd, U(gt_->scratch), sizeof(value));
	return (int)GUEST_RET(r < 0 ? r : (r == (int64_t)sizeof(value) ? 0 : -EINVAL));
}

const struct guest_call guest_calls_eventfd[] = {
    GUEST_WRAP(eventfd, "EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC; read/write/poll/close are the "
			"usual calls"),
    GUEST_WRAP(eventfd_read, ""),
    GUEST_WRAP(eventfd_write, "0xffffffffffffffff is EINVAL; a full counter blocks (EAGAIN "
			      "non-blocking)"),
};
const int guest_calls_eventfd_n = GUEST_NCALLS(guest_calls_eventfd);
