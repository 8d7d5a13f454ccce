/*
 * <sys/asynch.h> for simk guests: the Solaris asynchronous I/O calls on an
 * aio_result_t (aioread, aiowrite, aiowait, aiocancel), as Solaris libc
 * declares them. simk's kernel (syscalls/posix_aio/, docs/paio.md) writes
 * the result: aio_errno first, then aio_return, which reads
 * AIO_INPROGRESS until the request has ended.
 */
#ifndef _SYS_ASYNCH_H
#define _SYS_ASYNCH_H

#include <sys/time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIO_INPROGRESS (-2) /* aio_result_t.aio_return of a request still running */

typedef struct aio_result_t {
	ssize_t aio_return; /* bytes moved, or -1 */
	int aio_errno;	    /* 0, or the request's errno */
} aio_result_t;

/* whence: SEEK_SET, SEEK_CUR or SEEK_END, from the file offset */
int aioread(int fildes, char *bufp, int bufs, off_t offset, int whence, aio_result_t *resultp);
int aiowrite(int fildes, const char *bufp, int bufs, off_t offset, int whence,
	     aio_result_t *resultp);
/* 0 canceled; -1 with EACCES (not canceled) or EINVAL (none in flight) */
int aiocancel(aio_result_t *resultp);
/* the result of a finished request, 0 when the time ran out, or
 * (aio_result_t *)-1 with errno; timeout NULL waits */
aio_result_t *aiowait(const struct timeval *timeout);

#ifdef __cplusplus
}
#endif
#endif
