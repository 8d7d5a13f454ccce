/*
 * simk system calls of Linux native AIO (io_setup ... io_getevents), with
 * Linux's argument orders, values and user-memory layouts (struct iocb,
 * struct io_event, struct timespec; see docs/laio.md). A context id is the
 * user address of its ring. Thread context only; results >= 0 or a
 * negative errno, as the raw system calls return them.
 */
#ifndef SIMK_INCLUDE_LAIO_H
#define SIMK_INCLUDE_LAIO_H

#include <stdint.h>

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t simk_aio_context_t;

int simk_io_setup(unsigned nr_events, simk_uaddr_t ctxp);
int simk_io_destroy(simk_aio_context_t ctx);
int64_t simk_io_submit(simk_aio_context_t ctx, int64_t nr, simk_uaddr_t iocbpp);
int simk_io_cancel(simk_aio_context_t ctx, simk_uaddr_t iocb, simk_uaddr_t result);
int64_t simk_io_getevents(simk_aio_context_t ctx, int64_t min_nr, int64_t nr, simk_uaddr_t events,
			  simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
