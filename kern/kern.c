/*
 * The "kern" subsystem: per-run state of the kernel services (kernel
 * process, system work queue, thread-exit and child-exit wait queues,
 * per-process bookkeeping of proc.c) and the engine hooks that drive them.
 *
 * Lifetimes: create() at simk_create (host context, nothing allocated from
 * kmem yet); the kernel process and the system work queue appear on first
 * use (kernel_proc(), system_wq(), workqueue_create()), so a run that never
 * uses them has the same pids and tids as before kern existed. end() frees
 * kernel objects still alive when every user thread is done (host context,
 * before the kmem leak check); destroy() frees the host tables, also after
 * a failed run, where kmem reclaims blocks on its own.
 */
#include "kern/kern.h"

#include <stdlib.h>
#include <string.h>

#include "kern/kern_priv.h"
#include "kern/lock.h"
#include "kern/syscall.h"
#include "kern/umem.h"

int kern_subsys_slot = -1; /* sim_subsys_register() */

/* Doubles cap until index n - 1 fits; new entries are zeroed. The first
 * table is in the state's block, a grown one on the host heap. */
void *kern_table_grow(void *arr, void *first, int *cap, int n, size_t elem)
{
	int ncap = *cap;
	while (ncap < n)
		ncap *= 2;
	char *na = arr == first ? malloc((size_t)ncap * elem) : realloc(arr, (size_t)ncap * elem);
	if (na == NULL)
		sim_panic("host out of memory (kern tables)");
	if (arr == first)
		memcpy(na, first, (size_t)*cap * elem);
	memset(na + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
	*cap = ncap;
	return na;
}

static int kern_create(struct simk *s)
{
	struct kern_state *ks = sim_block_take(sizeof(*ks));
	if (ks == NULL)
		return -1;
	ks->exited = ks->exited_first;
	ks->exited_cap = KERN_TABLE_MIN;
	ks->pinfo = ks->pinfo_first;
	ks->pinfo_cap = KERN_TABLE_MIN;
	waitq_init(&ks->thread_exit_wq, "thread-exit");
	waitq_init(&ks->child_wq, "wait-child");
	s->subsys[kern_subsys_slot] = ks;
	return 0;
}

static void kern_thread_exit(struct simk_thread *t)
{
	mutex_check_exit(t); /* after the later layers' hooks released theirs */
	kproc_thread_exit(t);
}

/* The last thread of p exits (thread context). Later layers' hooks ran
 * first (reverse registration order), so files and AIO contexts are gone
 * and nothing copies out to p's user memory any more. */
static void kern_proc_exit(struct simk_proc *p)
{
	kproc_proc_exit(p); /* dead first: no signal is queued after this */
	ksig_proc_exit(p);
}

static void kern_end(struct simk *s)
{
	kwq_end(s);
	ksig_end(s);
	for (int i = 0; i < s->nprocs; i++)
		umem_release(s->procs[i]);
}

static void kern_destroy(struct simk *s)
{
	struct kern_state *ks = s->subsys[kern_subsys_slot];
	if (ks == NULL)
		return;
	if (ks->exited != ks->exited_first)
		free(ks->exited);
	if (ks->pinfo != ks->pinfo_first)
		free(ks->pinfo);
	sim_block_give(ks, sizeof(*ks));
	s->subsys[kern_subsys_slot] = NULL;
}

static const struct sim_subsys kern_subsys = {
    .name = "kern",
    .create = kern_create,
    .proc_exit = kern_proc_exit,
    .thread_exit = kern_thread_exit,
    .end = kern_end,
    .destroy = kern_destroy,
};

void kern_register(void)
{
	kern_subsys_slot = sim_subsys_register(&kern_subsys);
	syscall_trace_view_install();
}
