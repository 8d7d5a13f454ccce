/*
 * simk system calls of POSIX AIO (aio_read ... lio_listio, Solaris's
 * aio_waitn) and the Solaris aioread/aiowrite/aiowait/aiocancel family,
 * with the layouts of struct aiocb and aio_result_t in user memory (see
 * docs/paio.md). Thread context only; results >= 0 or a negative errno
 * (aio_error returns the request's errno, positive, or 0).
 */
#ifndef SIMK_INCLUDE_PAIO_H
#define SIMK_INCLUDE_PAIO_H

#include <stdint.h>

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

int simk_aio_read(simk_uaddr_t aiocbp);
int simk_aio_write(simk_uaddr_t aiocbp);
int simk_aio_fsync(int op, simk_uaddr_t aiocbp);
int simk_aio_error(simk_uaddr_t aiocbp);
int64_t simk_aio_return(simk_uaddr_t aiocbp);
int simk_aio_cancel(int fd, simk_uaddr_t aiocbp);
int simk_aio_suspend(simk_uaddr_t list, int nent, simk_uaddr_t timeout);
int simk_lio_listio(int mode, simk_uaddr_t list, int nent, simk_uaddr_t sig);
int simk_aio_waitn(simk_uaddr_t list, uint32_t nent, simk_uaddr_t nwait, simk_uaddr_t timeout);
int simk_aioread(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		 simk_uaddr_t resultp);
int simk_aiowrite(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		  simk_uaddr_t resultp);
int simk_aiocancel(simk_uaddr_t resultp);
/* The user address of the completed aio_result_t, or a negative errno. */
int64_t simk_aiowait(simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
