/*
 * POSIX asynchronous I/O (aio_read, aio_write, aio_fsync, aio_error,
 * aio_return, aio_cancel, aio_suspend, lio_listio), Solaris's aio_waitn,
 * and the older Solaris interface (aioread, aiowrite, aiocancel, aiowait)
 * on aio_result_t.
 *
 * What it offers
 * --------------
 * The execution model of the reference (OpenSolaris libc
 * port/aio/aio.c), moved into the simulated kernel: every process that uses AIO gets
 * its own pool of worker threads (kernel daemon threads working for that
 * process through struct uio), each with its own FIFO queue, chosen
 * round-robin with a preference for idle workers, plus one notification
 * worker that sends signals, starts SIGEV_THREAD threads, and posts to
 * event ports and kqueues. Requests on O_DIRECT files first try the
 * kernel-asynchronous path (file_aio_submit) and fall back to the pool
 * when the file says -EOPNOTSUPP. docs/paio.md has the whole story:
 * request states, cancel windows, the fsync fan-out, every errno.
 *
 * Control blocks live in the calling process's simulated user memory
 * (kern/umem.h) with the fixed layouts below; the kernel keys its
 * requests by the user address of the aiocb (POSIX) or of the
 * aio_result_t (Solaris interface).
 *
 * Return values follow the project's convention (a result >= 0 or a
 * negative errno), with each call's own meaning of the result:
 *  - sys_aio_error: >= 0 is the request's status (0, EINPROGRESS, or its
 *    positive errno); < 0 is a failure of the call itself (-EINVAL for an
 *    aiocb that names no request, -EFAULT).
 *  - sys_aio_return: the byte count, or the request's error as a negative
 *    errno (-EIO, -ECANCELED...), exactly once; later calls -EINVAL;
 *    -EINPROGRESS while the request runs; -EFAULT (the result stays) when
 *    the aiocb is not writable.
 *  - sys_aio_cancel: AIO_CANCELED, AIO_NOTCANCELED or AIO_ALLDONE.
 *  - sys_aiowait: the user address of a completed aio_result_t (its
 *    result stored there again first), 0 when the time limit expired, or a
 *    negative errno (-EFAULT, the request kept, when it cannot be stored).
 *
 * Memory the kernel stores into must be writable when the call starts:
 * the aiocb of a submission or of aio_return, the aio_result_t of
 * aioread/aiowrite, the buffer of a read, aio_waitn's list and *nwait;
 * -EFAULT otherwise, with nothing done.
 *
 * System calls, and the file of each
 * ---------------------------------
 *   aio_read, aio_write, lio_listio                 paio_submit.c
 *   aio_fsync                                       paio_fsync.c (the fan-out)
 *   aio_error, aio_return, aio_suspend, aio_waitn,  paio_wait.c
 *   aiowait
 *   aio_cancel, aiocancel                           paio_cancel.c
 *   aioread, aiowrite                               paio_solaris.c
 * Behind them: paio.c (per-run and per-process state, the hash, results),
 * paio_pool.c (workers), paio_notify.c (the notification worker),
 * paio_ext.c (event ports and kqueues), paio_check.c, paio_scn.c.
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* are called in thread context of a user process; they may sleep.
 * - paio_configure and paio_sigev_fn_register are called on a created
 *   simulation (host context before simk_run, or from its threads).
 */
#ifndef SIMK_SYSCALLS_POSIX_AIO_H
#define SIMK_SYSCALLS_POSIX_AIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/umem.h"
#include "sim/engine.h"

/* struct simk_sigevent, struct simk_timespec and SIGEV_* are shared with
 * the event-port and timer calls. */
#include "simk/paio.h"
#include "syscalls/sigevent.h"

/* ---- user-memory layouts ------------------------------------------------ */

/*
 * struct simk_aiocb (88 bytes) and aio_result_t (struct simk_aio_result,
 * 16 bytes) are public: include/simk/paio.h. For the Solaris interface
 * aio_return is AIO_INPROGRESS until the request ends; the kernel stores
 * aio_errno first, then aio_return. For POSIX requests (embedded in struct
 * aiocb) the kernel stores aio_return first, then aio_errno, which is
 * EINPROGRESS until the request ends.
 */
_Static_assert(sizeof(struct simk_aio_result) == 16, "aio_result_t layout");
_Static_assert(sizeof(struct simk_aiocb) == 88, "aiocb layout");

/* port_notify_t: what SIGEV_PORT's sigev_value points to, 16 bytes. */
struct simk_aio_port_notify {
	int32_t portnfy_port; /* event port fd */
	int32_t portnfy_pad;
	uint64_t portnfy_user; /* the event's user value */
};
_Static_assert(sizeof(struct simk_aio_port_notify) == 16, "port_notify_t layout");

/* aio_state values the kernel stores in the aiocb. */
#define AIOCB_NONE 0	   /* never submitted (or the caller cleared it) */
#define AIOCB_QUEUED 1	   /* waiting on a worker queue */
#define AIOCB_INPROGRESS 2 /* a worker runs it */
#define AIOCB_KAIO 3	   /* accepted by the kernel-async path */
#define AIOCB_DONE 4	   /* ended; aio_return not called yet */
#define AIOCB_FAILED 5	   /* refused at submission (error in aio_resultp) */
#define AIOCB_RETURNED 6   /* aio_return was called */

/* aio_cancel results (Solaris numbers). */
#define AIO_CANCELED 0
#define AIO_ALLDONE 1
#define AIO_NOTCANCELED 2

/* lio_listio modes and opcodes (Solaris numbers). */
#define LIO_NOWAIT 0
#define LIO_WAIT 1
#define LIO_NOP 0
#define LIO_READ 1
#define LIO_WRITE 2

/* Solaris: aio_return of a pending request of the aioread interface. */
#define AIO_INPROGRESS (-2)

/* Limits. */
#define AIO_LISTIO_MAX 4096 /* entries of lio_listio / aio_suspend / aio_waitn */

/* The events value of a SIGEV_PORT notification (port_event.portev_events)
 * and of the list notification of lio_listio. */
#define PAIO_EV_READ 1
#define PAIO_EV_WRITE 2
#define PAIO_EV_FSYNC 3
#define PAIO_EV_LIO 4

/* ---- system calls -------------------------------------------------------- */

int sys_aio_read(uaddr_t aiocbp);
int sys_aio_write(uaddr_t aiocbp);
/* op: O_SYNC (fsync) or O_DSYNC (fdatasync). */
int sys_aio_fsync(int op, uaddr_t aiocbp);
int sys_aio_error(uaddr_t aiocbp);
ssize_t sys_aio_return(uaddr_t aiocbp);
/* aiocbp 0: every request of the process on fd. */
int sys_aio_cancel(int fd, uaddr_t aiocbp);
/* list: user address of nent aiocb addresses (uint64_t, 0 entries are
 * ignored); timeout: user address of a struct simk_timespec or 0 (none). */
int sys_aio_suspend(uaddr_t list, int nent, uaddr_t timeout);
/* sig: user address of a struct simk_sigevent or 0 (LIO_NOWAIT only). */
int sys_lio_listio(int mode, uaddr_t list, int nent, uaddr_t sig);
/* list: room for nent aiocb addresses; nwait: user address of a uint32_t
 * (in: how many to wait for; out: how many were stored). */
int sys_aio_waitn(uaddr_t list, uint32_t nent, uaddr_t nwait, uaddr_t timeout);

/* Solaris interface. whence: SEEK_SET / SEEK_CUR / SEEK_END. */
int sys_aioread(int fd, uaddr_t buf, int bufsz, int64_t offset, int whence, uaddr_t resultp);
int sys_aiowrite(int fd, uaddr_t buf, int bufsz, int64_t offset, int whence, uaddr_t resultp);
int sys_aiocancel(uaddr_t resultp);
/* timeout: user address of a struct simk_timeval, or 0 to wait forever. */
int64_t sys_aiowait(uaddr_t timeout);

/* ---- run settings ---------------------------------------------------------- */

struct paio_config {
	int min_workers;	/* started with a process's first request (4) */
	int max_workers;	/* read/write workers per process (256) */
	int min_workload;	/* queued requests that make a worker "loaded" (2) */
	int max_requests;	/* outstanding requests per process (1024): EAGAIN */
	bool kaio;		/* try the kernel-async path on O_DIRECT files (true) */
	uint64_t sigq_retry_ns; /* notification worker: retry a full signal queue (1 ms) */
};
void paio_config_default(struct paio_config *c);
/* For the current simulation; applies to processes that start AIO later.
 * -EINVAL for inconsistent values (min < 1, max < min, workload < 1...). */
int paio_configure(const struct paio_config *c);
void paio_get_config(struct paio_config *c);

/* ---- SIGEV_THREAD ----------------------------------------------------------- */

/*
 * Simulated programs have no code addresses, so sigev_function holds
 * a handle made here: the notification worker starts a thread in the
 * requesting process that calls fn(sigev_value, ctx). Handles belong to the
 * current run (at most PAIO_SIGEV_FN_MAX); 0 means the table is full.
 */
#define PAIO_SIGEV_FN_MAX 32
typedef void (*paio_sigev_fn)(int64_t sigval, void *ctx);
uint64_t paio_sigev_fn_register(paio_sigev_fn fn, void *ctx);

/* ---- inspection (tests, scenarios) ------------------------------------------- */

struct paio_stats {
	int workers;		/* live read/write workers */
	int workers_idle;	/* of which waiting for work */
	int workers_created;	/* read/write workers ever created */
	int notify_workers;	/* live notification workers */
	int requests_live;	/* allocated requests (in flight or not yet reaped) */
	int outstanding;	/* requests not yet ended */
	uint64_t submitted;	/* requests accepted */
	uint64_t ended;		/* requests that ended (done or canceled) */
	uint64_t canceled;	/* of which by cancellation */
	uint64_t kaio;		/* accepted by the kernel-async path */
	uint64_t kaio_fallback; /* O_DIRECT requests the file sent to the pool */
	uint64_t notes_sent;	/* notifications delivered */
	uint64_t notes_dropped; /* notifications whose target was gone */
	uint64_t lio_notes;	/* list notifications */
};
/* Counters of one process (zero if it never used AIO), or of the whole
 * run when p is NULL (live counts summed over processes). */
void paio_get_stats(struct simk_proc *p, struct paio_stats *out);

/* Registered once from syscalls/builtin.c. */
void paio_register(void);

#endif
