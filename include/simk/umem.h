/*
 * simk user memory, as an embedder sees it. Pointer arguments of simk
 * system calls are simulated user addresses (simk_uaddr_t), never host
 * pointers: allocate user memory in a process, copy data in and out, pass
 * the address. An address the process does not own makes the call fail
 * with -EFAULT, never a host crash. Addresses are deterministic (they
 * depend only on the order of allocations).
 *
 * These helpers are the embedder's view, not system calls: no trace
 * event, no switch point.
 */
#ifndef SIMK_INCLUDE_UMEM_H
#define SIMK_INCLUDE_UMEM_H

#include <stddef.h>
#include <stdint.h>

#include "simk/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t simk_uaddr_t;

/* p NULL means the calling simulated thread's process (thread context);
 * with a process given, also host context (setup before simk_run). */

/* Zeroed user memory of len bytes (rounded up to pages); 0 when out of
 * memory or outside a process. */
simk_uaddr_t simk_umem_alloc(struct simk_proc *p, size_t len);
/* Frees a region by its start address: 0 or -EINVAL. */
int simk_umem_free(struct simk_proc *p, simk_uaddr_t addr);
/* Copies between user memory and the host: 0 or -EFAULT (nothing copied). */
int simk_copyin(struct simk_proc *p, simk_uaddr_t src, void *dst, size_t len);
int simk_copyout(struct simk_proc *p, const void *src, simk_uaddr_t dst, size_t len);

#ifdef __cplusplus
}
#endif
#endif
