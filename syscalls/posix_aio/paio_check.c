/*
 * POSIX AIO: the whole-structure consistency check (SQLite-style), run at
 * every system-call exit in the sanitizer build and callable from any
 * test.
 *
 * pp->lock (a spinlock, never held across a sleep) protects everything it
 * reads, and a spinlock holder never switches away, so at a switch point
 * with no spinlock held each process's AIO state is between two complete
 * updates.
 *
 * Invariants, for every process that used AIO:
 *  - the worker list holds nworkers read/write workers of this process;
 *    each worker's queue holds exactly `queued` requests of this process,
 *    marked PW_WORKQ and assigned to it, `load` of them reads or writes;
 *    an idle worker's queue is empty (adding work clears idle);
 *  - every request on the done queue (doneq_n of them), the Solaris done
 *    queue, the kernel-async queue and the free queue is of this process
 *    and marked as being there; the ones on the done queues have ended
 *    and retired, the kernel-async ones are on that path;
 *  - every request in the hash is findable by its key in its bucket;
 *  - the counts nest: outstanding (not ended) splits into POSIX and
 *    Solaris, and is at most active (not retired), itself at most live
 *    (allocated); active_posix is at most active.
 */
#include "syscalls/posix_aio/paio_priv.h"

/* One more node of a list walked: a list longer than the count bounding
 * it (or a cycle) is itself the inconsistency. */
static void walk_step(int walked, int max, const char *what, int pid)
{
	KASSERT(walked <= max, "paio_check: %s of pid %d longer than its count %d", what, pid, max);
}

static void check_req_on(const struct paio_proc *pp, const struct paio_req *r,
			 enum paio_where where, const char *list)
{
	KASSERT(r->pp == pp, "paio_check: a request of another process on pid %d's %s", pp->p->pid,
		list);
	KASSERT(r->where == where, "paio_check: request %llu on pid %d's %s marked where %d",
		(unsigned long long)r->seq, pp->p->pid, list, r->where);
}

static void check_worker(const struct paio_proc *pp, const struct paio_worker *w)
{
	int pid = pp->p->pid;
	KASSERT(w->pp == pp, "paio_check: worker %d of pid %d belongs elsewhere", w->index, pid);
	int n = 0, load = 0;
	for (const struct list_node *it = w->queue.next; it != &w->queue; it = it->next) {
		walk_step(++n, w->queued, "a worker queue", pid);
		const struct paio_req *r = list_entry(it, struct paio_req, link);
		check_req_on(pp, r, PW_WORKQ, "worker queue");
		KASSERT(r->worker == w,
			"paio_check: request %llu queued on worker %d, assigned to "
			"another",
			(unsigned long long)r->seq, w->index);
		load += r->op == PAIO_OP_READ || r->op == PAIO_OP_WRITE;
	}
	KASSERT(n == w->queued, "paio_check: worker %d of pid %d queues %d requests, queued %d",
		w->index, pid, n, w->queued);
	KASSERT(load == w->load, "paio_check: worker %d of pid %d has %d reads/writes, load %d",
		w->index, pid, load, w->load);
	KASSERT(!w->idle || n == 0, "paio_check: worker %d of pid %d idle with %d queued", w->index,
		pid, n);
}

/* Requests on one of pp's lists; returns how many. */
static int check_list(const struct paio_proc *pp, const struct list_node *head,
		      enum paio_where where, const char *name)
{
	int n = 0;
	for (const struct list_node *it = head->next; it != head; it = it->next) {
		walk_step(++n, pp->live, name, pp->p->pid);
		const struct paio_req *r = list_entry(it, struct paio_req, link);
		check_req_on(pp, r, where, name);
		if (where == PW_DONEQ || where == PW_SOLDONEQ) {
			KASSERT(paio_ended(r),
				"paio_check: request %llu on a done queue, not ended",
				(unsigned long long)r->seq);
			KASSERT(r->retired, "paio_check: request %llu on a done queue, not retired",
				(unsigned long long)r->seq);
		}
		if (where == PW_KAIO)
			KASSERT(r->kaio,
				"paio_check: request %llu on the kernel-async queue is not "
				"kernel-async",
				(unsigned long long)r->seq);
	}
	return n;
}

static void check_hash(struct paio_proc *pp)
{
	int n = 0;
	for (int b = 0; b < PAIO_HASH_SIZE; b++) {
		for (const struct paio_req *r = pp->hash[b]; r != NULL; r = r->hnext) {
			walk_step(++n, pp->live, "request hash", pp->p->pid);
			KASSERT(r->in_hash, "paio_check: request %llu in the hash says it is not",
				(unsigned long long)r->seq);
			KASSERT(paio_hash_find(pp, r->key) == r,
				"paio_check: request %llu not findable by its key %#llx",
				(unsigned long long)r->seq, (unsigned long long)r->key);
		}
	}
}

static void check_counts(const struct paio_proc *pp)
{
	int pid = pp->p->pid;
	KASSERT(pp->outstanding == pp->outstanding_posix + pp->outstanding_sol,
		"paio_check: pid %d outstanding %d != %d POSIX + %d Solaris", pid, pp->outstanding,
		pp->outstanding_posix, pp->outstanding_sol);
	KASSERT(pp->outstanding_posix >= 0, "paio_check: pid %d outstanding_posix %d", pid,
		pp->outstanding_posix);
	KASSERT(pp->outstanding_sol >= 0, "paio_check: pid %d outstanding_sol %d", pid,
		pp->outstanding_sol);
	KASSERT(pp->outstanding <= pp->active, "paio_check: pid %d outstanding %d > active %d", pid,
		pp->outstanding, pp->active);
	KASSERT(pp->active_posix <= pp->active, "paio_check: pid %d active_posix %d > active %d",
		pid, pp->active_posix, pp->active);
	KASSERT(pp->active <= pp->live, "paio_check: pid %d active %d > live %d", pid, pp->active,
		pp->live);
}

static void check_proc(struct paio_proc *pp)
{
	int n = 0;
	for (const struct list_node *it = pp->workers.next; it != &pp->workers; it = it->next) {
		walk_step(++n, pp->nworkers, "worker list", pp->p->pid);
		const struct paio_worker *w = list_entry(it, struct paio_worker, ring);
		KASSERT(!w->notifier,
			"paio_check: the notification worker of pid %d is on the "
			"read/write worker list",
			pp->p->pid);
		check_worker(pp, w);
	}
	KASSERT(n == pp->nworkers, "paio_check: pid %d lists %d workers, nworkers %d", pp->p->pid,
		n, pp->nworkers);
	int done = check_list(pp, &pp->doneq, PW_DONEQ, "done queue");
	KASSERT(done == pp->doneq_n, "paio_check: pid %d done queue holds %d, doneq_n %d",
		pp->p->pid, done, pp->doneq_n);
	(void)check_list(pp, &pp->soldoneq, PW_SOLDONEQ, "Solaris done queue");
	(void)check_list(pp, &pp->kaioq, PW_KAIO, "kernel-async queue");
	(void)check_list(pp, &pp->freeq, PW_FREEQ, "free queue");
	check_hash(pp);
	check_counts(pp);
}

void paio_check(struct simk *s)
{
	(void)s;
	struct paio_run *run = paio_run();
	int procs = 0;
	for (struct list_node *it = run->procs.next; it != &run->procs; it = it->next) {
		KASSERT(++procs <= SIM_MAX_PROCS, "paio_check: the run's process list loops");
		check_proc(list_entry(it, struct paio_proc, all));
	}
	KASSERT(run->notes_live >= 0, "paio_check: notes_live %d", run->notes_live);
}
