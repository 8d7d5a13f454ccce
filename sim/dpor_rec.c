/*
 * Recording the steps of a dfs run and what each one accessed
 * (sim/access.h, sim/dpor.h).
 *
 * The invariant: at most one step is open, and it belongs to whoever runs
 * now — the thread the scheduler handed the CPU to, or the interrupt being
 * delivered. Every access is appended to it; accesses outside any step
 * (host setup before the run, teardown after it) concern no interleaving
 * and are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/dpor.h"

struct dpor_rec *sim_rec_active;

static void *grow(void *p, uint32_t *cap, size_t elem, uint32_t need)
{
	if (need <= *cap)
		return p;
	uint32_t ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(p, (size_t)ncap * elem);
	if (np == NULL)
		sim_panic("dfs: out of host memory for the step record");
	*cap = ncap;
	return np;
}

static void tid_init(struct dpor_rec *r, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		r->pend[i] = -1;
		r->nsteps[i] = 0;
		r->pend_join[i] = 0;
		r->exit_step[i] = -1;
		r->exit_pid[i] = 0;
		r->exit_user[i] = 0;
	}
}

static void fit_tid(struct dpor_rec *r, int tid)
{
	KASSERT(tid >= 0, "dfs: negative thread id %d", tid);
	uint32_t need = (uint32_t)tid + 1;
	if (need <= r->ntid)
		return;
	uint32_t ncap = r->ntid ? r->ntid : 64;
	while (ncap < need)
		ncap *= 2;
	r->pend = realloc(r->pend, ncap * sizeof(*r->pend));
	r->nsteps = realloc(r->nsteps, ncap * sizeof(*r->nsteps));
	r->pend_join = realloc(r->pend_join, ncap * sizeof(*r->pend_join));
	r->exit_step = realloc(r->exit_step, ncap * sizeof(*r->exit_step));
	r->exit_pid = realloc(r->exit_pid, ncap * sizeof(*r->exit_pid));
	r->exit_user = realloc(r->exit_user, ncap * sizeof(*r->exit_user));
	if (!r->pend || !r->nsteps || !r->pend_join || !r->exit_step || !r->exit_pid ||
	    !r->exit_user)
		sim_panic("dfs: out of host memory for the step record");
	tid_init(r, r->ntid, ncap);
	r->ntid = ncap;
}

static void fit_pid(struct dpor_rec *r, int pid)
{
	KASSERT(pid >= 1, "dfs: bad pid %d", pid);
	uint32_t need = (uint32_t)pid + 1, old = r->npid;
	if (need <= old)
		return;
	r->rsteps = grow(r->rsteps, &r->npid, sizeof(*r->rsteps), need);
	for (uint32_t i = old; i < r->npid; i++)
		r->rsteps[i] = 0;
}

void rec_reset(struct dpor_rec *r)
{
	r->n = 0;
	r->nacc = 0;
	r->open = -1;
	r->next_node = -1;
	r->overflow = false;
	r->mute = false;
	r->yielder = 0;
	r->nirq_dis = 0;
	r->tid_hi = 1; /* the interrupt thread, 0 */
	r->pid_hi = 0;
	tid_init(r, 0, r->ntid);
	for (uint32_t i = 0; i < r->npid; i++)
		r->rsteps[i] = 0;
}

void rec_free(struct dpor_rec *r)
{
	free(r->st);
	free(r->acc);
	free(r->pend);
	free(r->nsteps);
	free(r->pend_join);
	free(r->exit_step);
	free(r->exit_pid);
	free(r->exit_user);
	free(r->rsteps);
	free(r->irq_dis);
	memset(r, 0, sizeof(*r));
}

static struct simk_thread *thread_of(struct simk *s, int tid)
{
	return tid >= 1 && tid <= s->nthreads ? s->threads[tid - 1] : NULL;
}

void rec_close(struct simk *s)
{
	struct dpor_rec *r = s->rec;
	if (r == NULL || r->open < 0)
		return;
	struct dpor_step *st = &r->st[r->open];
	struct simk_thread *t = st->tid > 0 ? thread_of(s, st->tid) : NULL;
	/* A thread whose accesses are not annotated may have touched
	 * anything: its step depends on every other. */
	if (t != NULL && (!t->annotated || t->opaque > 0))
		st->flags |= STEP_GLOBAL;
	r->open = -1;
}

static struct dpor_step *step_new(struct dpor_rec *r)
{
	if (r->n >= DPOR_STEPS_MAX) {
		r->overflow = true;
		r->next_node = -1;
		return NULL;
	}
	r->st = grow(r->st, &r->cap, sizeof(*r->st), r->n + 1);
	struct dpor_step *st = &r->st[r->n];
	memset(st, 0, sizeof(*st));
	st->acc = r->nacc;
	st->enabler = -1;
	st->node = r->next_node;
	r->next_node = -1;
	r->open = (int32_t)r->n++;
	return st;
}

void rec_begin(struct simk *s, int tid, int32_t enabler, uint32_t flags)
{
	struct dpor_rec *r = s->rec;
	if (r == NULL)
		return;
	rec_close(s);
	fit_tid(r, tid);
	struct dpor_step *st = step_new(r);
	if (st == NULL)
		return;
	st->tid = tid;
	st->idx = ++r->nsteps[tid];
	if ((uint32_t)tid >= r->tid_hi)
		r->tid_hi = (uint32_t)tid + 1;
	st->yielder = r->yielder;
	st->enabler = enabler >= 0 ? enabler : r->pend[tid];
	st->join = r->pend_join[tid];
	st->flags = flags;
	if (st->join != 0)
		st->enabler = -1; /* the join covers it */
	struct simk_thread *t = thread_of(s, tid);
	if (t != NULL && t->opaque > 0)
		st->flags |= STEP_GLOBAL;
	r->pend[tid] = -1;
	r->pend_join[tid] = 0;
	if (tid > 0) {
		/* Who may run depends on who yielded last: a step that lets a
		 * yielder run again changes that, and so does a yield (below); any
		 * other step of a thread depends on it. */
		bool frees = r->yielder > 0 && tid != r->yielder;
		sim_access_slow(SIM_OID_YIELD, frees ? SIM_ACC_WRITE : SIM_ACC_READ);
		if (r->yielder > 0)
			r->yielder = 0;
	}
}

void sim_rec_exit_slow(int tid, int pid, bool user)
{
	struct simk *s = sim_cur();
	struct dpor_rec *r = s != NULL ? s->rec : NULL;
	if (r == NULL || r->open < 0)
		return;
	fit_tid(r, tid);
	r->exit_step[tid] = r->open;
	r->exit_pid[tid] = pid;
	r->exit_user[tid] = user;
}

void sim_rec_reaper_begin_slow(int pid)
{
	struct simk *s = sim_cur();
	struct dpor_rec *r = s != NULL ? s->rec : NULL;
	if (r == NULL || r->open < 0)
		return;
	/* reversing a race with the reaper means running the other step
	 * before the exit that led to it: same node */
	int32_t node = r->st[r->open].node;
	rec_close(s);
	fit_pid(r, pid);
	r->next_node = node;
	struct dpor_step *st = step_new(r);
	if (st == NULL)
		return;
	st->tid = -pid;
	st->idx = ++r->rsteps[pid];
	if ((uint32_t)pid >= r->pid_hi)
		r->pid_hi = (uint32_t)pid + 1;
	st->join = pid;
}

void sim_rec_mute_slow(bool on)
{
	struct simk *s = sim_cur();
	if (s != NULL && s->rec != NULL)
		s->rec->mute = on;
}

void sim_rec_join_users_slow(int tid)
{
	struct simk *s = sim_cur();
	struct dpor_rec *r = s != NULL ? s->rec : NULL;
	if (r == NULL)
		return;
	fit_tid(r, tid);
	r->pend_join[tid] = -1;
	r->pend[tid] = -1;
}

void rec_yield(struct simk *s, int tid, bool away)
{
	struct dpor_rec *r = s->rec;
	if (r == NULL)
		return;
	if (away)
		r->yielder = tid;
	/* the yielder's step just ended: its yield is part of it. Whether it
	 * yields to anyone depends on who else can run, which every step of
	 * another thread may change: a yield conflicts with them all. */
	if (r->open < 0 && r->n > 0 && r->st[r->n - 1].tid == tid) {
		r->open = (int32_t)(r->n - 1);
		sim_access_slow(SIM_OID_YIELD, SIM_ACC_WRITE);
		r->open = -1;
	}
}

void rec_irq_disabled(struct simk *s)
{
	struct dpor_rec *r = s->rec;
	if (r == NULL || r->open < 0 || r->mute)
		return;
	if (r->nirq_dis > 0 && r->irq_dis[r->nirq_dis - 1] == r->open)
		return;
	r->irq_dis = grow(r->irq_dis, &r->irq_dis_cap, sizeof(*r->irq_dis), r->nirq_dis + 1);
	r->irq_dis[r->nirq_dis++] = r->open;
}

void rec_flag(struct simk *s, uint32_t flags)
{
	struct dpor_rec *r = s->rec;
	if (r != NULL && r->open >= 0)
		r->st[r->open].flags |= flags;
}

int32_t rec_open_step(void)
{
	struct simk *s = sim_cur();
	return s != NULL && s->rec != NULL ? s->rec->open : -1;
}

void sim_access_slow(uint64_t oid, enum sim_acc_mode mode)
{
	struct simk *s = sim_cur();
	struct dpor_rec *r = s != NULL ? s->rec : NULL;
	if (r == NULL || r->open < 0 || r->mute)
		return;
	struct dpor_step *st = &r->st[r->open];
	if (st->flags & STEP_GLOBAL)
		return; /* already dependent with everything */
	struct dpor_acc *a = r->acc + st->acc;
	for (uint32_t i = 0; i < st->nacc; i++) {
		if (a[i].oid == oid) {
			a[i].mode |= mode;
			return;
		}
	}
	if (st->nacc >= DPOR_STEP_ACC_MAX) {
		st->flags |= STEP_GLOBAL; /* bounded work per step: give up precision */
		return;
	}
	KASSERT(st->acc + st->nacc == r->nacc, "dfs: accesses of a closed step");
	r->acc = grow(r->acc, &r->acc_cap, sizeof(*r->acc), r->nacc + 1);
	r->acc[r->nacc].oid = oid;
	r->acc[r->nacc].mode = mode;
	r->nacc++;
	st->nacc++;
}

void sim_access_global(void)
{
	struct simk *s = sim_cur();
	if (s != NULL)
		rec_flag(s, STEP_GLOBAL);
}

uint64_t sim_obj_new(void)
{
	static uint32_t outside; /* objects made with no simulation: host code */
	struct simk *s = sim_cur();
	if (s == NULL)
		return SIM_OID(SIM_OID_DYN, (uint64_t)0xffffff << 32 | ++outside);
	/* a lazy subsystem's create takes host ids (sim_subsys_need) */
	struct simk_thread *t = s->in_irq || s->subsys_making ? NULL : s->current;
	uint64_t creator = t != NULL ? (uint64_t)t->tid : 0;
	uint64_t seq = t != NULL ? ++t->obj_seq : ++s->obj_seq_host;
	return SIM_OID(SIM_OID_DYN, creator << 32 | (seq & 0xffffffffu));
}

void sim_annotated(bool on)
{
	struct simk *s = sim_cur();
	if (s != NULL && s->current != NULL && !s->in_irq)
		s->current->annotated = on;
}

void sim_opaque_enter(void)
{
	struct simk *s = sim_cur();
	if (s == NULL)
		return;
	if (s->current != NULL && !s->in_irq)
		s->current->opaque++;
	rec_flag(s, STEP_GLOBAL);
}

void sim_opaque_leave(void)
{
	struct simk *s = sim_cur();
	if (s == NULL || s->current == NULL || s->in_irq)
		return;
	KASSERT(s->current->opaque > 0, "sim_opaque_leave without sim_opaque_enter");
	s->current->opaque--;
}

void sim_rec_enable_slow(int tid)
{
	struct simk *s = sim_cur();
	struct dpor_rec *r = s != NULL ? s->rec : NULL;
	if (r == NULL || r->open < 0 || r->mute)
		return;
	fit_tid(r, tid);
	r->pend[tid] = r->open;
}

bool dpor_conflict(uint32_t ma, uint32_t mb)
{
	if ((ma | mb) & SIM_ACC_WRITE)
		return true;
	/* an update commutes with an update, not with a look */
	return ((ma & SIM_ACC_ADD) && (mb & SIM_ACC_READ)) ||
	       ((mb & SIM_ACC_ADD) && (ma & SIM_ACC_READ));
}

bool dpor_dependent(const struct dpor_acc *a, uint32_t na, uint32_t fa, const struct dpor_acc *b,
		    uint32_t nb, uint32_t fb)
{
	if ((fa | fb) & (STEP_GLOBAL | STEP_BARRIER))
		return true;
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++)
			if (a[i].oid == b[j].oid && dpor_conflict(a[i].mode, b[j].mode))
				return true;
	return false;
}

void simk_annotated(bool on)
{
	sim_annotated(on);
}

void simk_access(uint64_t id, bool write)
{
	sim_access(SIM_OID(SIM_OID_USER, id), write ? SIM_ACC_WRITE : SIM_ACC_READ);
}
