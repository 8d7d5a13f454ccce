/*
 * The embedding API's view of user memory (include/simk/umem.h): thin
 * wrappers over kern/umem.h that pick the calling thread's process when
 * none is given. Not system calls: no trace event, no switch point.
 */
#include "simk/umem.h"

#include <errno.h>

#include "kern/umem.h"

static struct simk_proc *proc_or_current(struct simk_proc *p)
{
	if (p != NULL)
		return p;
	return sim_cur() != NULL && !sim_in_irq() ? sim_proc_current() : NULL;
}

simk_uaddr_t simk_umem_alloc(struct simk_proc *p, size_t len)
{
	p = proc_or_current(p);
	return p != NULL ? umem_alloc(p, len) : 0;
}

int simk_umem_free(struct simk_proc *p, simk_uaddr_t addr)
{
	p = proc_or_current(p);
	return p != NULL ? umem_free(p, addr) : -EINVAL;
}

int simk_copyin(struct simk_proc *p, simk_uaddr_t src, void *dst, size_t len)
{
	p = proc_or_current(p);
	return p != NULL ? copyin_proc(p, src, dst, len) : -EFAULT;
}

int simk_copyout(struct simk_proc *p, const void *src, simk_uaddr_t dst, size_t len)
{
	p = proc_or_current(p);
	return p != NULL ? copyout_proc(p, src, dst, len) : -EFAULT;
}
