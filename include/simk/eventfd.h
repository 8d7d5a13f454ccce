/*
 * simk's eventfd (Linux's): a counter behind a file descriptor, read and
 * written 8 bytes at a time with simk_read/simk_write, pollable, and the
 * completion signal of Linux AIO requests (IOCB_FLAG_RESFD). Thread
 * context only; a descriptor or a negative errno.
 */
#ifndef SIMK_INCLUDE_EVENTFD_H
#define SIMK_INCLUDE_EVENTFD_H

#ifdef __cplusplus
extern "C" {
#endif

int simk_eventfd(unsigned initval, int flags);

#ifdef __cplusplus
}
#endif
#endif
