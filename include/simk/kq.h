/*
 * simk system calls of BSD kqueue, with the BSD filters, flags and the
 * layout of struct kevent in user memory (see docs/kq.md). Thread context
 * only; results >= 0 or a negative errno.
 */
#ifndef SIMK_INCLUDE_KQ_H
#define SIMK_INCLUDE_KQ_H

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

int simk_kqueue(void);
int simk_kevent(int kq, simk_uaddr_t changelist, int nchanges, simk_uaddr_t eventlist, int nevents,
		simk_uaddr_t timeout);

#ifdef __cplusplus
}
#endif
#endif
