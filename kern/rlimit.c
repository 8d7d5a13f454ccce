/*
 * RLIMIT_FSIZE per process (kern/rlimit.h). The limits live in kern's
 * per-pid record, which starts zeroed: `fsize_set` false means both
 * limits are infinite, so a process nobody limited needs no setup.
 */
#include "kern/rlimit.h"

#include <errno.h>

#include "kern/kern_priv.h"

static struct simk_rlimit fsize_of(const struct simk_proc *p)
{
	const struct kproc_info *pi = kern_pinfo(p->pid);
	if (!pi->fsize_set)
		return (struct simk_rlimit){SIMK_RLIM_INFINITY, SIMK_RLIM_INFINITY};
	return pi->fsize;
}

uint64_t proc_fsize_limit(const struct simk_proc *p)
{
	return p != NULL ? fsize_of(p).rlim_cur : SIMK_RLIM_INFINITY;
}

void proc_rlimit_inherit(const struct simk_proc *parent, struct simk_proc *child)
{
	struct kproc_info *ci = kern_pinfo(child->pid);
	const struct kproc_info *pi = kern_pinfo(parent->pid);
	ci->fsize_set = pi->fsize_set;
	ci->fsize = pi->fsize;
}

int proc_rlimit_get(const struct simk_proc *p, int resource, struct simk_rlimit *r)
{
	if (resource != SIMK_RLIMIT_FSIZE)
		return -EINVAL;
	*r = fsize_of(p);
	return 0;
}

int sys_getrlimit(int resource, uaddr_t rlim)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "getrlimit outside thread context");
	KASSERT(!sim_in_irq(), "getrlimit outside thread context");
	if (resource != SIMK_RLIMIT_FSIZE)
		return -EINVAL;
	struct simk_rlimit r = fsize_of(cur->proc);
	return copyout(&r, rlim, sizeof(r)) != 0 ? -EFAULT : 0;
}

int sys_setrlimit(int resource, uaddr_t rlim)
{
	struct simk_thread *cur = sim_thread_current();
	KASSERT(cur != NULL, "setrlimit outside thread context");
	KASSERT(!sim_in_irq(), "setrlimit outside thread context");
	struct simk_rlimit r;
	if (copyin(rlim, &r, sizeof(r)) != 0)
		return -EFAULT;
	if (resource != SIMK_RLIMIT_FSIZE || r.rlim_cur > r.rlim_max)
		return -EINVAL;
	struct simk_rlimit old = fsize_of(cur->proc);
	if (r.rlim_max > old.rlim_max)
		return -EPERM; /* only a privileged process may raise the hard limit */
	struct kproc_info *pi = kern_pinfo(cur->proc->pid);
	pi->fsize = r;
	pi->fsize_set = true;
	trace_emit(TR_INFO, "kern:setrlimit", cur->proc->pid, resource, (int64_t)r.rlim_cur,
		   (int64_t)r.rlim_max);
	return 0;
}
