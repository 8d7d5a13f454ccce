/*
 * simk system calls of POSIX AIO (aio_read ... lio_listio, Solaris's
 * aio_waitn) and of the Solaris aioread/aiowrite/aiowait/aiocancel
 * family, with the layouts of struct aiocb and aio_result_t in user
 * memory. Thread context only; results >= 0 or a negative errno
 * (aio_error returns the request's errno, positive, or 0). docs/paio.md.
 */
#ifndef SIMK_INCLUDE_PAIO_H
#define SIMK_INCLUDE_PAIO_H

#include <stdbool.h>
#include <stdint.h>

#include "simk/sigevent.h"
#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* aio_cancel results */
#define SIMK_AIO_CANCELED 0
#define SIMK_AIO_ALLDONE 1
#define SIMK_AIO_NOTCANCELED 2
/* lio_listio modes and opcodes */
#define SIMK_LIO_NOWAIT 0
#define SIMK_LIO_WAIT 1
#define SIMK_LIO_NOP 0
#define SIMK_LIO_READ 1
#define SIMK_LIO_WRITE 2
/* aio_result_t.aio_return of a Solaris request still running */
#define SIMK_AIO_INPROGRESS (-2)

/* aio_result_t (Solaris, 16 bytes). */
struct simk_aio_result {
	int64_t aio_return;
	int32_t aio_errno;
	int32_t aio_pad;
};

/* struct aiocb (88 bytes). The kernel writes only aio_resultp and
 * aio_state; everything else is the caller's. */
struct simk_aiocb {
	int32_t aio_fildes;
	int32_t aio_reqprio; /* >= 0; recorded, does not reorder requests */
	uint64_t aio_buf;    /* user address */
	uint64_t aio_nbytes;
	int64_t aio_offset;
	struct simk_sigevent aio_sigevent;
	int32_t aio_lio_opcode; /* SIMK_LIO_* (lio_listio) */
	int32_t aio_state;	/* the kernel's view of the request (debugging) */
	struct simk_aio_result aio_resultp;
};

/* struct aiocb's address in every call below */
int simk_aio_read(simk_uaddr_t aiocbp);
int simk_aio_write(simk_uaddr_t aiocbp);
/* op: SIMK_O_SYNC or SIMK_O_DSYNC (simk/vfs.h) */
int simk_aio_fsync(int op, simk_uaddr_t aiocbp);
int simk_aio_error(simk_uaddr_t aiocbp);
int64_t simk_aio_return(simk_uaddr_t aiocbp);
/* aiocbp 0: every request of fd */
int simk_aio_cancel(int fd, simk_uaddr_t aiocbp);
/* list: nent aiocb addresses (0 entries skipped); timeout: a struct
 * simk_timespec or 0 */
int simk_aio_suspend(simk_uaddr_t list, int nent, simk_uaddr_t timeout);
/* sig: a struct simk_sigevent for the whole list, or 0 */
int simk_lio_listio(int mode, simk_uaddr_t list, int nent, simk_uaddr_t sig);
/* list: room for nent aiocb addresses; nwait: uint32, in/out */
int simk_aio_waitn(simk_uaddr_t list, uint32_t nent, simk_uaddr_t nwait, simk_uaddr_t timeout);
/* resultp: a struct simk_aio_result */
int simk_aioread(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		 simk_uaddr_t resultp);
int simk_aiowrite(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		  simk_uaddr_t resultp);
int simk_aiocancel(simk_uaddr_t resultp);
/* timeout: a struct simk_timeval or 0 (wait). The user address of the
 * finished aio_result_t, 0 on timeout, or a negative errno. */
int64_t simk_aiowait(simk_uaddr_t timeout);

/*
 * SIGEV_THREAD for programs whose sigev_function is a real code address
 * (guest programs, guest/guest_aio.c). A sigev_function that is not a
 * handle of the kernel's own table is offered to valid(code) at
 * submission (false: EINVAL); the notification then calls start(code,
 * sigev_value) on a new thread of the requesting process. One pair per
 * host process; NULL removes it.
 */
struct simk_paio_thread_hooks {
	bool (*valid)(uint64_t code);
	void (*start)(uint64_t code, int64_t value);
};
void simk_paio_set_thread_hooks(const struct simk_paio_thread_hooks *h);

/*
 * glibc's aio_init (guest/guest_aio.c): from now on a process's pool grows
 * as glibc's does — no worker before the first request, then a new worker
 * for a request that finds none idle — up to `threads` read/write workers
 * (below 1: 1; above the kernel's limit, 1024: 1024). The setting is the
 * run's, for processes that start AIO later. Thread context. 0 when
 * applied; 1 when the calling process already started its pool (glibc
 * then keeps the thread count it had: the call changes nothing).
 */
int simk_paio_init_pool(int threads);

#ifdef __cplusplus
}
#endif
#endif
