/*
 * Resource limits: getrlimit / setrlimit of RLIMIT_FSIZE, the one limit a
 * simulated process can hit (the largest file it may write, Linux's
 * numbers and struct layout). Per process, inherited by fork.
 *
 * What it offers
 * --------------
 * - sys_getrlimit / sys_setrlimit (Linux): struct simk_rlimit in user
 *   memory. A process may lower its soft and hard limits, and raise the
 *   soft one up to the hard one; raising the hard one is EPERM (a
 *   simulated process has no privilege). Other resources are EINVAL: simk
 *   has nothing behind them.
 * - proc_fsize_limit(p): the soft limit the VFS applies to writes of p
 *   (Linux generic_write_checks: a write starting at or past it fails with
 *   EFBIG and SIGXFSZ, one crossing it is cut at it).
 *
 * Context: thread context for the system calls; proc_fsize_limit any.
 */
#ifndef SIMK_KERN_RLIMIT_H
#define SIMK_KERN_RLIMIT_H

#include <stdint.h>

#include "simk/proc.h"

#include "kern/umem.h"
#include "sim/engine.h"

/* SIMK_RLIMIT_FSIZE, SIMK_RLIM_INFINITY and struct simk_rlimit (struct
 * rlimit in simulated user memory, 16 bytes) are public: simk/proc.h. */

/* 0, -EINVAL (resource), -EFAULT. */
int sys_getrlimit(int resource, uaddr_t rlim);
/* 0, -EINVAL (resource, cur > max), -EPERM (max above the current max),
 * -EFAULT. */
int sys_setrlimit(int resource, uaddr_t rlim);

/* p's RLIMIT_FSIZE soft limit (SIMK_RLIM_INFINITY: none). */
uint64_t proc_fsize_limit(const struct simk_proc *p);
/* p's limits of resource into *r: 0 or -EINVAL (kernel side, no copy). */
int proc_rlimit_get(const struct simk_proc *p, int resource, struct simk_rlimit *r);
/* fork: the child gets the parent's limits (kern/proc.c). */
void proc_rlimit_inherit(const struct simk_proc *parent, struct simk_proc *child);

#endif
