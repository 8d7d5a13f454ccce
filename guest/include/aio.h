/*
 * <aio.h> for simk guests: POSIX asynchronous I/O (aio_read ...
 * lio_listio) and Solaris's aio_waitn, run by simk's kernel
 * (syscalls/posix_aio/, docs/paio.md), which follows Solaris libc aio.c.
 *
 * struct aiocb is laid out as the kernel reads and writes it (struct
 * simk_aiocb, include/simk/paio.h): the kernel stores each request's
 * result in aio_resultp (aio_return first, then aio_errno, EINPROGRESS
 * until the request ends) and its view of the request in aio_state.
 * The values of AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE and LIO_* are
 * Solaris's (glibc swaps AIO_NOTCANCELED and AIO_ALLDONE): use the names.
 * This header replaces glibc's (its guard _AIO_H is set, so glibc's is
 * never read as well); struct sigevent is simk's (bits/types/sigevent_t.h).
 * docs/guest.md lists the calls and what differs.
 */
#ifndef _SIMK_AIO_H
#define _SIMK_AIO_H
#define _AIO_H 1

#include <fcntl.h> /* O_SYNC, O_DSYNC for aio_fsync */
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#ifndef O_DSYNC /* glibc hides it in strict ISO C; aio_fsync takes it */
#define O_DSYNC 010000
#endif

#include <bits/sigevent-consts.h>
#include <bits/types/sigevent_t.h>
#include <sys/asynch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* aio_cancel */
#define AIO_CANCELED 0
#define AIO_ALLDONE 1
#define AIO_NOTCANCELED 2
/* lio_listio modes */
#define LIO_NOWAIT 0
#define LIO_WAIT 1
/* aio_lio_opcode */
#define LIO_NOP 0
#define LIO_READ 1
#define LIO_WRITE 2

/* the longest lio_listio list and aio_suspend list */
#define AIO_LISTIO_MAX 4096

struct aiocb {
	int aio_fildes;
	int aio_reqprio; /* >= 0: recorded, does not reorder requests */
	volatile void *aio_buf;
	size_t aio_nbytes;
	off_t aio_offset;
	struct sigevent aio_sigevent;
	int aio_lio_opcode;
	int aio_state;		  /* written by the kernel */
	aio_result_t aio_resultp; /* written by the kernel */
};
typedef struct aiocb aiocb_t;

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct sigevent) == 32 && offsetof(struct sigevent, sigev_value) == 8 &&
		   offsetof(struct sigevent, sigev_notify_function) == 16,
	       "struct sigevent: simk's layout (include/simk/sigevent.h)");
_Static_assert(sizeof(struct aiocb) == 88 && offsetof(struct aiocb, aio_buf) == 8 &&
		   offsetof(struct aiocb, aio_offset) == 24 &&
		   offsetof(struct aiocb, aio_sigevent) == 32 &&
		   offsetof(struct aiocb, aio_lio_opcode) == 64 &&
		   offsetof(struct aiocb, aio_resultp) == 72,
	       "struct aiocb: simk's layout (include/simk/paio.h)");
#endif

int aio_read(struct aiocb *aiocbp);
int aio_write(struct aiocb *aiocbp);
/* op: O_SYNC or O_DSYNC; only aio_fildes and aio_sigevent are read */
int aio_fsync(int op, struct aiocb *aiocbp);
int aio_error(const struct aiocb *aiocbp);
ssize_t aio_return(struct aiocb *aiocbp);
/* aiocbp NULL: every request on fildes */
int aio_cancel(int fildes, struct aiocb *aiocbp);
int aio_suspend(const struct aiocb *const list[], int nent, const struct timespec *timeout);
int lio_listio(int mode, struct aiocb *const list[], int nent, struct sigevent *sig);
/* Solaris: waits until *nwait requests with SIGEV_NONE have completed (or
 * none is in flight), stores them in list and their number in *nwait */
int aio_waitn(struct aiocb *list[], unsigned int nent, unsigned int *nwait,
	      const struct timespec *timeout);

#ifdef __USE_GNU
/* glibc's tuning hints (aio_init(3)): aio_threads bounds the worker pool;
 * the other fields are accepted and change nothing (docs/paio.md). */
struct aioinit {
	int aio_threads;   /* the most workers the pool grows to (default 256) */
	int aio_num;	   /* expected simultaneous requests: a hint */
	int aio_locks;	   /* unused, as in glibc */
	int aio_usedba;	   /* unused */
	int aio_debug;	   /* unused */
	int aio_numusers;  /* unused */
	int aio_idle_time; /* seconds before an idle worker ends: workers never end here */
	int aio_reserved;
};
/* Before the process's first request; afterwards it changes nothing. */
void aio_init(const struct aioinit *init);
#endif

#ifdef _LARGEFILE64_SOURCE
/* off_t is 64 bits: the 64-bit names are the same calls */
#define aiocb64 aiocb
#define aio_read64 aio_read
#define aio_write64 aio_write
#define aio_fsync64 aio_fsync
#define aio_error64 aio_error
#define aio_return64 aio_return
#define aio_cancel64 aio_cancel
#define aio_suspend64 aio_suspend
#define lio_listio64 lio_listio
#define aio_waitn64 aio_waitn
#endif

#ifdef __cplusplus
}
#endif
#endif
