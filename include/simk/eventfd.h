/*
 * simk's eventfd (Linux's): a counter behind a file descriptor, read and
 * written 8 bytes at a time with simk_read/simk_write, pollable, and the
 * completion signal of Linux AIO requests (SIMK_IOCB_FLAG_RESFD). Thread
 * context only; a descriptor or a negative errno.
 */
#ifndef SIMK_INCLUDE_EVENTFD_H
#define SIMK_INCLUDE_EVENTFD_H

#ifdef __cplusplus
extern "C" {
#endif

#define SIMK_EFD_SEMAPHORE 1
#define SIMK_EFD_NONBLOCK 04000	 /* SIMK_O_NONBLOCK */
#define SIMK_EFD_CLOEXEC 02000000 /* SIMK_O_CLOEXEC */

int simk_eventfd(unsigned initval, int flags);

#ifdef __cplusplus
}
#endif
#endif
