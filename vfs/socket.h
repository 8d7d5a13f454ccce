/*
 * AF_UNIX stream socket pairs (FT_SOCKET): the socketpair(2) file type
 * kqueue's READ / WRITE / EXCEPT filters are tested on (it lives in vfs/
 * because it is a file type; it was added with kqueue).
 *
 * What it offers
 * --------------
 * - sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv): two connected ends. Bytes
 *   written on one are read on the other; each direction buffers
 *   SOCK_BUF_SIZE bytes.
 * - read/write (and sys_send / sys_recv with flags): a read waits for data
 *   and returns what is there (0 = end of stream: the peer closed or shut
 *   down writing, or this end shut down reading); a blocking write waits
 *   for space until all is written; O_NONBLOCK / MSG_DONTWAIT give
 *   -EAGAIN (or the partial count). Writing when the peer is gone or shut
 *   down reading, or after shutdown(SHUT_WR) here, fails with -EPIPE and
 *   SIGPIPE.
 * - shutdown(fd, SHUT_RD | SHUT_WR | SHUT_RDWR).
 * - One out-of-band byte: send(..., MSG_OOB) sends its last byte as the
 *   urgent byte (the others in band); the receiver sees POLLPRI until it
 *   takes it with recv(..., MSG_OOB) (-EINVAL when there is none). A new
 *   urgent byte replaces one not yet taken.
 * - ioctl FIONREAD (bytes readable, urgent byte excluded) and FIONSPACE
 *   (bytes writable without waiting); fstat: S_IFSOCK, st_size = bytes
 *   readable, st_blksize = SOCK_BUF_SIZE.
 * - Readiness through vfs/poll.h (each end has a poll head; every change
 *   calls pollwakeup with the whole mask):
 *     POLLIN | POLLRDNORM   data to read, or end of stream
 *     POLLRDHUP             end of stream: no more data will arrive
 *     POLLPRI | POLLRDBAND  an urgent byte is waiting
 *     POLLOUT | POLLWRNORM  room to write
 *     POLLERR               writes would fail (-EPIPE): this end shut down
 *                           writing, or the peer shut down reading or closed
 *     POLLHUP               the peer closed, or both directions are shut
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* in thread context of a user process; they may sleep.
 */
#ifndef SIMK_VFS_SOCKET_H
#define SIMK_VFS_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "simk/vfs.h"

#include "kern/umem.h"

/* SIMK_AF_UNIX, SIMK_SOCK_*, SIMK_SHUT_*, SIMK_MSG_*: include/simk/vfs.h */
#define SOCK_BUF_SIZE 8192 /* bytes buffered per direction */

/* sv: user address of int[2]. 0, -EAFNOSUPPORT (domain), -EPROTONOSUPPORT
 * (protocol), -EOPNOTSUPP (type other than SOCK_STREAM), -EFAULT, -EMFILE,
 * -ENOMEM. */
int sys_socketpair(int domain, int type, int protocol, uaddr_t sv);
/* 0, -EBADF, -ENOTSOCK, -EINVAL (how). */
int sys_shutdown(int fd, int how);
/* flags: MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL (others -EINVAL). */
ssize_t sys_send(int fd, uaddr_t buf, size_t len, int flags);
/* flags: MSG_OOB | MSG_PEEK | MSG_DONTWAIT (others -EINVAL). */
ssize_t sys_recv(int fd, uaddr_t buf, size_t len, int flags);

/* Live socket pairs in the run (tests, leak checks). */
int sock_pairs_live(void);

#endif
