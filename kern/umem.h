/*
 * User memory: each process owns regions of a simulated user address space.
 * Addresses are simulated (they start at 0x10000 and grow page by page in
 * allocation order), never host pointers, so they are the same on every
 * run and can appear in the trace and in results (a Linux AIO context id
 * is the user address of its ring).
 *
 * Kernel code touches user memory only through copyin/copyout (or a
 * checked view, umem_map_read / umem_map_write); an address range the
 * current process does not own yields -EFAULT, never a host crash.
 *
 * Pages carry a protection (UMEM_PROT_READ | UMEM_PROT_WRITE, like
 * mprotect; every page starts read-write). copyin needs every page of the
 * range readable, copyout every page writable, else -EFAULT with no byte
 * copied: a copy is all or nothing. umem_map_kernel is the kernel's own
 * mapping of pages it keeps using (Linux's kmap of the AIO ring pages) and
 * the harness's view: it checks ownership only.
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

/* Page protections (the bits are independent: a write-only page cannot be
 * read, stricter than x86, where PROT_WRITE implies PROT_READ). */
#define UMEM_PROT_NONE 0
#define UMEM_PROT_READ 1
#define UMEM_PROT_WRITE 2

/* Allocates zeroed user memory (rounded up to pages) in p; returns the
 * user address or 0 on ENOMEM. */
uaddr_t umem_alloc(struct simk_proc *p, size_t len);
/* Frees a region by its start address; -EINVAL if not a region start. */
int umem_free(struct simk_proc *p, uaddr_t addr);
int copyin(uaddr_t src, void *dst, size_t len);
int copyout(const void *src, uaddr_t dst, size_t len);
int copyin_proc(struct simk_proc *p, uaddr_t src, void *dst, size_t len);
int copyout_proc(struct simk_proc *p, const void *src, uaddr_t dst, size_t len);
/*
 * Sets the protection of the pages of [addr, addr + len), like mprotect:
 * addr not page-aligned or prot with another bit: -EINVAL; len 0: 0;
 * a range that wraps or is not entirely inside one region (every page
 * owned): -ENOMEM, nothing changed; no memory for the page table: -ENOMEM.
 * len is rounded up to whole pages. Any context.
 */
int umem_protect(struct simk_proc *p, uaddr_t addr, size_t len, int prot);
/* Host views of [addr, addr+len) in p (len > 0), NULL when not entirely
 * owned: _read needs every page readable, _write every page writable (the
 * caller only stores through it), _kernel only ownership (see the top). */
const void *umem_map_read(struct simk_proc *p, uaddr_t addr, size_t len);
void *umem_map_write(struct simk_proc *p, uaddr_t addr, size_t len);
void *umem_map_kernel(struct simk_proc *p, uaddr_t addr, size_t len);
/* Copies every region of parent into child at the same addresses, with
 * their page protections (fork). */
int umem_fork(struct simk_proc *parent, struct simk_proc *child);
/* Frees every region of p (process exit). The test inline: most
 * processes (a scenario's) never map user memory, and every process exit
 * and run end asks. */
void umem_release_space(struct simk_proc *p);
static inline void umem_release(struct simk_proc *p)
{
	if (p->umem != NULL)
		umem_release_space(p);
}

/*
 * Identity regions: host memory that p owns at its own host address (a
 * guest program's globals, stacks and heap, docs/guest.md), so the user
 * address a guest passes is the pointer it holds. copyin/copyout and the
 * map functions accept them like simulated regions; an address in neither
 * is -EFAULT. The host range must lie outside the simulated address space
 * [UMEM_SIM_BASE, UMEM_SIM_LIMIT) (x86-64 Linux maps shared objects, mmap
 * and thread stacks far above it).
 *
 * Determinism: host addresses differ from run to run, so they never reach
 * the trace. umem_trace_addr() gives each address of an identity region
 * a deterministic alias — UMEM_ALIAS_BASE + (registration number << 32) +
 * offset in the region — and every other host address UMEM_ALIAS_WILD;
 * the system-call entry records pointer arguments that way.
 *
 * check (may be NULL) refines a region whose bytes are not all usable (a
 * heap arena: only live blocks): it gets the host range, already inside
 * the region, and says whether it is usable. Regions are released with
 * the process (umem_release) or by umem_unmap_identity; the memory itself
 * stays the caller's. fork (umem_fork) of a process with identity regions
 * is -ENOSYS — the child could not have the same host memory at the same
 * addresses — unless the process has a view (umem_ident_set_view): the
 * owner then keeps one image per process at those addresses, only one
 * of them resident, and the view says where a process's bytes are now
 * (the addresses themselves when resident, its saved image otherwise).
 * Such a fork copies the table (aliases included) with the same view and
 * check arguments; the owner re-points them with the calls below.
 */
#define UMEM_SIM_BASE 0x10000ULL
#define UMEM_SIM_LIMIT (1ULL << 46)
#define UMEM_ALIAS_BASE (1ULL << 46)
#define UMEM_ALIAS_WILD 0xfffffffffffff000ULL /* a host address in no region */
#define UMEM_IDENT_LEN_MAX (1ULL << 32)		  /* bytes of one identity region */
#define UMEM_IDENT_MAX 65536			  /* identity regions of one process */

typedef bool (*umem_ident_check_fn)(void *arg, uintptr_t addr, size_t len);

/* Registers [host, host + len) of p (any context): 0, -EINVAL (NULL, len
 * 0 or above UMEM_IDENT_LEN_MAX, prot with another bit, a range that
 * wraps or meets the simulated space), -EEXIST (overlaps an identity
 * region), -ENOMEM. label names the region in messages ("stack", "heap")
 * and must live as long as the run. Emits kern:umem_map_identity with the
 * alias and length. */
int umem_map_identity(struct simk_proc *p, void *host, size_t len, int prot, const char *label,
		      umem_ident_check_fn check, void *check_arg);
/* Where the bytes [addr, addr + len) of p's identity regions are now
 * (NULL: nowhere usable). */
typedef void *(*umem_ident_view_fn)(void *arg, uintptr_t addr, size_t len);
/* Sets p's view (any context; creates the table): 0 or -ENOMEM. */
int umem_ident_set_view(struct simk_proc *p, umem_ident_view_fn view, void *arg);
/* Sets the check argument of p's region that starts at host: 0 or -EINVAL. */
int umem_ident_set_check_arg(struct simk_proc *p, void *host, void *check_arg);
/* Drops the identity region that starts at host: 0 or -EINVAL. */
int umem_unmap_identity(struct simk_proc *p, void *host);
/* The deterministic value of user address a of p for traces and hashes:
 * a itself when it is not a host address of an identity region (0,
 * simulated addresses, small integers), its alias when it is, and
 * UMEM_ALIAS_WILD for any other address above the simulated space. */
uint64_t umem_trace_addr(struct simk_proc *p, uaddr_t a);
/* The label and offset of an identity address (messages): true when a
 * lies in an identity region of p. */
bool umem_ident_describe(struct simk_proc *p, uaddr_t a, const char **label, uint64_t *off);

#endif
