/*
 * <poll.h> and <sys/socket.h> for guests: waiting on several descriptors
 * and the socket pairs of the simulated VFS (vfs/socket.c). struct pollfd
 * is laid out as struct simk_pollfd (checked in guest_calls.c), so the
 * guest's array goes to the kernel as it is.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "guest/guest.h"
#include "simk/vfs.h"

#define FAMILY "poll.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	GUEST_ENTER("poll");
	if (n > UINT32_MAX)
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(simk_poll(U(fds), (unsigned)n, timeout_ms));
}

int __wrap_socketpair(int domain, int type, int protocol, int sv[2])
{
	GUEST_ENTER("socketpair");
	return (int)GUEST_RET(simk_socketpair(domain, type, protocol, U(sv)));
}

ssize_t __wrap_send(int fd, const void *buf, size_t n, int flags)
{
	GUEST_ENTER("send");
	return GUEST_RET(simk_send(fd, U(buf), n, flags));
}

ssize_t __wrap_recv(int fd, void *buf, size_t n, int flags)
{
	GUEST_ENTER("recv");
	return GUEST_RET(simk_recv(fd, U(buf), n, flags));
}

int __wrap_shutdown(int fd, int how)
{
	GUEST_ENTER("shutdown");
	return (int)GUEST_RET(simk_shutdown(fd, how));
}

const struct guest_call guest_calls_ipc[] = {
    GUEST_WRAP(poll, "pipes, socket pairs, files, the console; the timeout is virtual"),
    GUEST_WRAP(socketpair, "AF_UNIX, SOCK_STREAM only (SOCK_DGRAM: EOPNOTSUPP)"),
    GUEST_WRAP(send, "socket pairs"),
    GUEST_WRAP(recv, "socket pairs"),
    GUEST_WRAP(shutdown, "socket pairs"),
};
const int guest_calls_ipc_n = GUEST_NCALLS(guest_calls_ipc);
