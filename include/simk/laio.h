/*
 * simk system calls of Linux native AIO (io_setup ... io_getevents), with
 * Linux's argument orders, values and user-memory layouts (struct iocb,
 * struct io_event; timeouts are struct simk_timespec). A context id is the
 * user address of its ring. Thread context only; results >= 0 or a
 * negative errno, as the raw system calls return them. docs/laio.md.
 */
#ifndef SIMK_INCLUDE_LAIO_H
#define SIMK_INCLUDE_LAIO_H

#include <stdint.h>

#include "simk/time.h"
#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t simk_aio_context_t;

/* aio_lio_opcode */
#define SIMK_IOCB_CMD_PREAD 0
#define SIMK_IOCB_CMD_PWRITE 1
#define SIMK_IOCB_CMD_FSYNC 2
#define SIMK_IOCB_CMD_FDSYNC 3
#define SIMK_IOCB_CMD_NOOP 6
#define SIMK_IOCB_CMD_PREADV 7
#define SIMK_IOCB_CMD_PWRITEV 8

/* aio_flags: signal the eventfd aio_resfd once per completion */
#define SIMK_IOCB_FLAG_RESFD 1u

/* struct iocb (64 bytes, little-endian x86-64). */
struct simk_iocb {
	uint64_t aio_data;	/* returned in io_event.data */
	uint32_t aio_key;	/* written by io_submit */
	uint32_t aio_reserved1; /* must be 0 */
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf;    /* user address; PREADV/PWRITEV: of the iovec array */
	uint64_t aio_nbytes; /* bytes; PREADV/PWRITEV: number of iovecs */
	int64_t aio_offset;
	uint64_t aio_reserved2; /* must be 0 */
	uint32_t aio_flags;	/* SIMK_IOCB_FLAG_RESFD */
	uint32_t aio_resfd;	/* eventfd, with SIMK_IOCB_FLAG_RESFD */
};

/* struct io_event (32 bytes). */
struct simk_io_event {
	uint64_t data; /* aio_data of the request */
	uint64_t obj;  /* user address of the request's iocb */
	int64_t res;   /* bytes transferred, or a negative errno */
	int64_t res2;
};

/* ctxp: a simk_aio_context_t, 0 on entry */
int simk_io_setup(unsigned nr_events, simk_uaddr_t ctxp);
int simk_io_destroy(simk_aio_context_t ctx);
/* iocbpp: nr user addresses of struct simk_iocb */
int64_t simk_io_submit(simk_aio_context_t ctx, int64_t nr, simk_uaddr_t iocbpp);
/* result: a struct simk_io_event */
int simk_io_cancel(simk_aio_context_t ctx, simk_uaddr_t iocb, simk_uaddr_t result);
/* events: nr struct simk_io_event; timeout: a struct simk_timespec or 0 */
int64_t simk_io_getevents(simk_aio_context_t ctx, int64_t min_nr, int64_t nr, simk_uaddr_t events,
			  simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
