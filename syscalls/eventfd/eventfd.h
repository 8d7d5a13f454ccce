/*
 * eventfd: a file that holds a 64-bit counter (Linux eventfd(2)).
 *
 * What it offers
 * --------------
 * - sys_eventfd(initval, flags): a descriptor of a new FT_EVENTFD file.
 *   flags: EFD_CLOEXEC, EFD_NONBLOCK, EFD_SEMAPHORE; anything else -EINVAL.
 * - read(2) of 8 bytes or more: waits (interruptibly) until the counter is
 *   non-zero, then returns it and resets it to 0 (EFD_SEMAPHORE: returns 1
 *   and decrements it). Non-blocking on an empty counter: -EAGAIN. Fewer
 *   than 8 bytes: -EINVAL.
 * - write(2) of 8 bytes or more: adds the value; 0xffffffffffffffff is
 *   -EINVAL; a sum that would pass 0xfffffffffffffffe waits (non-blocking:
 *   -EAGAIN) until a read makes room.
 * - poll: POLLIN while the counter is non-zero, POLLOUT while a write of 1
 *   would not block, POLLERR when the counter overflowed (reached
 *   0xffffffffffffffff, which only eventfd_signal can do).
 * - The kernel side (Linux AIO's IOCB_FLAG_RESFD): eventfd_fget() and
 *   eventfd_signal(), which never sleeps and may run in interrupt context.
 *
 * System calls, and the file of each
 * ---------------------------------
 *   eventfd   eventfd.c   (and read/write/poll of the file, and the kernel
 *                          side)
 *
 * What the caller guarantees
 * --------------------------
 * - sys_eventfd: thread context of a user process.
 * - eventfd_fget: thread context; eventfd_signal: any context, with a
 *   reference on the file held.
 */
#ifndef SIMK_EVENTFD_H
#define SIMK_EVENTFD_H

#include <fcntl.h>
#include <stdint.h>

#include "vfs/file.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

#define EVENTFD_COUNT_MAX UINT64_MAX /* overflow: POLLERR */

int sys_eventfd(unsigned initval, int flags);
/* Same as sys_eventfd for a given process (tests, the kernel). */
int eventfd_create_for(struct simk_proc *p, unsigned initval, int flags);

/* Takes a reference on the eventfd behind fd in p: 0, -EBADF (not open)
 * or -EINVAL (not an eventfd). */
int eventfd_fget(struct simk_proc *p, int fd, struct file **out);
/* Adds n to the counter (stopping at EVENTFD_COUNT_MAX) and wakes readers
 * and pollers. Returns what was added. Any context, never sleeps. */
uint64_t eventfd_signal(struct file *fp, uint64_t n);
/* Current counter (tests). */
uint64_t eventfd_count(const struct file *fp);

#endif
