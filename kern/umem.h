/*
 * User memory: each process owns regions of a simulated user address space.
 * Addresses are simulated (they start at 0x10000 and grow page by page in
 * allocation order), never host pointers, so they are the same on every
 * run and can appear in the trace and in results (a Linux AIO context id
 * is the user address of its ring).
 *
 * Kernel code touches user memory only through copyin/copyout (or
 * umem_map for a checked view); an address range the current process does
 * not own yields -EFAULT, never a host crash.
 *
 * Context: copyin/copyout use the current thread's process; the _proc
 * variants take the process explicitly (interrupt-context completions).
 */
#ifndef SIMK_UMEM_H
#define SIMK_UMEM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

typedef uint64_t uaddr_t;
#define UMEM_PAGE 4096u

/* Allocates zeroed user memory (rounded up to pages) in p; returns the
 * user address or 0 on ENOMEM. */
uaddr_t umem_alloc(struct simk_proc *p, size_t len);
/* Frees a region by its start address; -EINVAL if not a region start. */
int umem_free(struct simk_proc *p, uaddr_t addr);
int copyin(uaddr_t src, void *dst, size_t len);
int copyout(const void *src, uaddr_t dst, size_t len);
int copyin_proc(struct simk_proc *p, uaddr_t src, void *dst, size_t len);
int copyout_proc(struct simk_proc *p, const void *src, uaddr_t dst, size_t len);
/* Host view of [addr, addr+len) in p, or NULL when not entirely owned. */
void *umem_map(struct simk_proc *p, uaddr_t addr, size_t len);
/* Copies every region of parent into child at the same addresses (fork). */
int umem_fork(struct simk_proc *parent, struct simk_proc *child);
/* Frees every region of p (process exit). */
void umem_release(struct simk_proc *p);

#endif
