/*
 * POSIX AIO: the subsystem, per-process state, the request hash, result
 * publication and the completion ("retire") of a request.
 *
 * The invariant everything else leans on: a request *ends* exactly once
 * (paio_publish moves it to DONE or CANCELED and stores its result in the
 * caller's control block), and it is *retired* exactly once, when nothing
 * runs it any more (paio_retire: notification, lio accounting, done queue,
 * waiters). Cancellation of a queued request ends and retires it at once;
 * cancellation at a blocking point ends it at once and leaves the retiring
 * to the worker that was interrupted. Both steps are counted per run and
 * checked at the end (leak_check).
 *
 * The hash maps the user address of an aiocb (POSIX) or an aio_result_t
 * (Solaris interface) to the process's request, from submission until the
 * result is reaped (aio_return, aiowait). A second submission of an aiocb
 * whose request has not ended is refused with EINVAL (Solaris libc aio.c: the hash
 * insert fails); one whose request ended but was never reaped replaces it.
 *
 * See docs/paio.md for the whole design.
 */
#include "sim/access.h"
#include "syscalls/posix_aio/paio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kmem.h"
#include "syscalls/posix_aio/paio_priv.h"

#define PAIO_WORKERS_MAX 1024 /* read/write workers per process, at most */

static KMEM_TYPE(kmt_proc, "paio.proc");
static KMEM_TYPE(kmt_req, "paio.req");
static KMEM_TYPE(kmt_note, "paio.note");
static KMEM_TYPE(kmt_lio, "paio.lio");

int paio_subsys_slot = -1; /* sim_subsys_register() */

struct paio_run *paio_run(void)
{
	struct paio_run *run = sim_subsys_need(sim_cur(), paio_subsys_slot);
	KASSERT(run != NULL, "posix aio used outside a simulation");
	return run;
}

/* ---- settings ------------------------------------------------------------ */

void paio_config_default(struct paio_config *c)
{
	/* Solaris libc aio.c: _min_workers, _max_workers, _minworkload */
	c->min_workers = 4;
	c->max_workers = 256;
	c->min_workload = 2;
	c->max_requests = 1024;
	c->kaio = true;
	c->sigq_retry_ns = 1000000;
}

int paio_configure(const struct paio_config *c)
{
	if (c->min_workers < 1 || c->max_workers < c->min_workers ||
	    c->max_workers > PAIO_WORKERS_MAX || c->min_workload < 1 || c->max_requests < 1 ||
	    c->sigq_retry_ns == 0)
		return -EINVAL;
	paio_run()->cfg = *c;
	return 0;
}

void paio_get_config(struct paio_config *c)
{
	*c = paio_run()->cfg;
}

uint64_t paio_sigev_fn_register(paio_sigev_fn fn, void *ctx)
{
	struct paio_run *run = paio_run();
	if (fn == NULL || run->nfns >= PAIO_SIGEV_FN_MAX)
		return 0;
	run->fns[run->nfns].fn = fn;
	run->fns[run->nfns].ctx = ctx;
	return PAIO_FN_BASE + 16 * (uint64_t)run->nfns++;
}

/* The handle of (fn, ctx), registering it on first use (scenarios). */
uint64_t paio_sigev_fn_lookup(paio_sigev_fn fn, void *ctx)
{
	struct paio_run *run = paio_run();
	for (int i = 0; i < run->nfns; i++)
		if (run->fns[i].fn == fn && run->fns[i].ctx == ctx)
			return PAIO_FN_BASE + 16 * (uint64_t)i;
	return paio_sigev_fn_register(fn, ctx);
}

/* Host-process-wide, set by the guest runtime when it registers. */
static struct simk_paio_thread_hooks thread_hooks;

void simk_paio_set_thread_hooks(const struct simk_paio_thread_hooks *h)
{
	if (h == NULL)
		thread_hooks = (struct simk_paio_thread_hooks){0};
	else
		thread_hooks = *h;
}

int simk_paio_init_pool(int threads)
{
	sim_assert_thread_context(__func__);
	struct paio_proc *pp = paio_proc_of(sim_proc_current(), false);
	if (pp != NULL && pp->workers_created > 0)
		return 1;
	struct paio_config c = paio_run()->cfg;
	c.max_workers = threads < 1 ? 1 : threads > PAIO_WORKERS_MAX ? PAIO_WORKERS_MAX : threads;
	/* glibc starts a thread per request while none is idle: one worker
	 * first, and a worker with one request queued counts as loaded */
	c.min_workers = 1;
	c.min_workload = 1;
	int e = paio_configure(&c);
	KASSERT(e == 0, "aio_init: a pool of %d workers refused (%d)", c.max_workers, e);
	return 0;
}

/* The thread a code-address SIGEV_THREAD runs: ctx is the code address. */
static void code_thread(int64_t value, void *ctx)
{
	thread_hooks.start((uint64_t)(uintptr_t)ctx, value);
}

uint64_t paio_sigev_code_handle(uint64_t code)
{
	if (thread_hooks.valid == NULL || thread_hooks.start == NULL || !thread_hooks.valid(code))
		return 0;
	return paio_sigev_fn_lookup(code_thread, (void *)(uintptr_t)code);
}

/* ---- per-process state -------------------------------------------------- */

/* Thread or host context. NULL when create is false and p never used AIO,
 * or on ENOMEM. */
struct paio_proc *paio_proc_of(struct simk_proc *p, bool create)
{
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp != NULL || !create)
		return pp;
	pp = kmem_zalloc(&kmt_proc, sizeof(*pp));
	if (pp == NULL)
		return NULL;
	pp->p = p;
	spin_init(&pp->lock, "paio");
	list_init(&pp->workers);
	list_init(&pp->notes);
	list_init(&pp->doneq);
	list_init(&pp->soldoneq);
	list_init(&pp->kaioq);
	list_init(&pp->freeq);
	list_init(&pp->lio_kevs);
	waitq_init(&pp->done_wq, "aio_done");
	waitq_init(&pp->exit_wq, "aio_exit");
	list_push_back(&paio_run()->procs, &pp->all);
	p->subsys[paio_subsys_slot] = pp;
	return pp;
}

/* ---- requests, notes, list heads ----------------------------------------- */

/* Lock held or not yet visible. NULL on ENOMEM. */
struct paio_req *paio_req_alloc(struct paio_proc *pp)
{
	struct paio_req *r = kmem_zalloc(&kmt_req, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->pp = pp;
	r->fd = -1;
	list_init(&r->link);
	pp->live++;
	return r;
}

/*
 * Lock held. The request leaves every structure now; its memory and its
 * file reference go to the free queue, released by paio_unlock after the
 * lock is dropped (file_put may sleep).
 */
void paio_req_free(struct paio_req *r)
{
	struct paio_proc *pp = r->pp;
	spin_assert_held(&pp->lock);
	KASSERT(!r->in_hash, "freeing a request still in use");
	KASSERT(r->where == PW_NONE, "freeing a request still in use");
	KASSERT(r->note == NULL, "freeing a request with pending work");
	KASSERT(r->lio == NULL, "freeing a request with pending work");
	pp->live--;
	list_push_back(&pp->freeq, &r->link);
	r->where = PW_FREEQ;
}

/* A request that was never made visible (no hash, no queue): free now.
 * Thread context, lock not held. */
void paio_req_discard(struct paio_req *r)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	pp->live--;
	if (r->note != NULL)
		paio_note_free(r->note);
	if (r->kev.attached)
		paio_kev_detach(&r->kev);
	if (r->fp != NULL)
		file_put(r->fp);
	kmem_free(&kmt_req, r);
}

void paio_unlock(struct paio_proc *pp)
{
	struct list_node todo;
	list_init(&todo);
	while (!list_empty(&pp->freeq)) {
		struct list_node *n = pp->freeq.next;
		list_del(n);
		list_push_back(&todo, n);
	}
	spin_unlock(&pp->lock);
	/* only threads free requests (interrupt-context completions never
	 * drop the last hold on one) */
	KASSERT(list_empty(&todo) || !sim_in_irq(), "aio request freed in interrupt context");
	while (!list_empty(&todo)) {
		struct paio_req *r = list_entry(todo.next, struct paio_req, link);
		list_del(&r->link);
		if (r->kev.attached)
			paio_kev_detach(&r->kev);
		if (r->fp != NULL)
			file_put(r->fp);
		kmem_free(&kmt_req, r);
	}
}

struct paio_note *paio_note_alloc(void)
{
	struct paio_note *n = kmem_zalloc(&kmt_note, sizeof(*n));
	if (n == NULL)
		return NULL;
	list_init(&n->link);
	n->port_fd = -1;
	paio_run()->notes_live++;
	return n;
}

void paio_note_free(struct paio_note *n)
{
	paio_run()->notes_live--;
	kmem_free(&kmt_note, n);
}

struct paio_lio *paio_lio_alloc(void)
{
	return kmem_zalloc(&kmt_lio, sizeof(struct paio_lio));
}

/* A list head no entry ever saw. */
void paio_lio_free_unused(struct paio_lio *lio)
{
	KASSERT(lio->queued == 0, "freeing a used list head");
	KASSERT(lio->kev == NULL, "freeing a used list head");
	if (lio->note != NULL)
		paio_note_free(lio->note);
	kmem_free(&kmt_lio, lio);
}

/* Lock held. Drops one reference of the list; the last one hands the
 * list notification (LIO_NOWAIT) to the notification worker, behind the
 * notes of the entries (a kevent too, so that it never arrives before
 * them), and frees the head. */
void paio_lio_put(struct paio_proc *pp, struct paio_lio *lio)
{
	spin_assert_held(&pp->lock);
	KASSERT(lio->refs > 0, "lio reference count underflows");
	if (--lio->refs > 0)
		return;
	/* a kevent's attachment stays on pp->lio_kevs until its event was taken */
	lio->kev = NULL;
	if (lio->note != NULL) {
		if (lio->queued > 0) {
			bool kev = lio->note->kind == SIMK_SIGEV_KEVENT;
			lio->note->data = kev ? (lio->failed > 0 ? EIO : 0) : lio->failed;
			pp->st.lio_notes++;
			trace_emit(TR_INFO, "paio:lio_notify", pp->p->pid,
				   paio_taddr(pp->p, lio->note->object), lio->queued, lio->failed);
			paio_note_queue(pp, lio->note);
		} else {
			paio_note_free(lio->note);
		}
		lio->note = NULL;
	}
	kmem_free(&kmt_lio, lio);
}

/* ---- the hash ------------------------------------------------------------- */

/*
 * A key's chain. Chosen from the key's deterministic alias, not its value:
 * a guest program's aiocb is a host address that differs from process to
 * process (ASLR), and the chains' order is what aio_cancel(fd, NULL) walks,
 * so hashing the raw address made a guest's cancel order, and so its trace
 * hash, change from one process to the next. Simulated addresses are their
 * own alias. A request remembers its chain (r->bucket), so taking it out
 * does not depend on its region still being mapped.
 */
static unsigned hash_of(const struct paio_proc *pp, uaddr_t key)
{
	uint64_t h = (umem_trace_addr(pp->p, key) >> 3) * 0x9e3779b97f4a7c15ULL;
	return (unsigned)(h >> 58) & (PAIO_HASH_SIZE - 1);
}

struct paio_req *paio_hash_find(struct paio_proc *pp, uaddr_t key)
{
	if (pp == NULL)
		return NULL;
	for (struct paio_req *r = pp->hash[hash_of(pp, key)]; r != NULL; r = r->hnext)
		if (r->key == key)
			return r;
	return NULL;
}

void paio_hash_insert(struct paio_proc *pp, struct paio_req *r)
{
	KASSERT(!r->in_hash, "aio hash: key %#llx twice", (unsigned long long)r->key);
	KASSERT(paio_hash_find(pp, r->key) == NULL, "aio hash: key %#llx twice",
		(unsigned long long)r->key);
	unsigned b = hash_of(pp, r->key);
	r->bucket = b;
	r->hnext = pp->hash[b];
	pp->hash[b] = r;
	r->in_hash = true;
}

void paio_hash_remove(struct paio_proc *pp, struct paio_req *r)
{
	KASSERT(r->in_hash, "aio hash: removing a request that is not there");
	struct paio_req **pr = &pp->hash[r->bucket];
	while (*pr != r) {
		KASSERT(*pr != NULL, "aio hash: request lost from its chain");
		pr = &(*pr)->hnext;
	}
	*pr = r->hnext;
	r->hnext = NULL;
	r->in_hash = false;
}

/* ---- results ------------------------------------------------------------- */

static const char *state_name(enum paio_state s)
{
	static const char *const names[] = {"new", "queued", "inprogress", "done", "canceled"};
	return names[s];
}

bool paio_ended(const struct paio_req *r)
{
	return r->state == PAIO_DONE || r->state == PAIO_CANCELED;
}

void paio_store_state(struct paio_req *r, int aio_state)
{
	if (r->api != PAIO_API_POSIX)
		return;
	int32_t v = aio_state;
	(void)copyout_proc(r->pp->p, &v, r->key + offsetof(struct simk_aiocb, aio_state),
			   sizeof(v));
}

/* Stores a result into a control block (no request involved). */
void paio_store_result(struct simk_proc *p, uaddr_t resultp, int64_t ret, int err)
{
	int32_t e = err;
	(void)copyout_proc(p, &ret, resultp + offsetof(struct simk_aio_result, aio_return),
			   sizeof(ret));
	(void)copyout_proc(p, &e, resultp + offsetof(struct simk_aio_result, aio_errno), sizeof(e));
}

/* A submission of the aiocb at aiocbp failed with err: (-1, err) and
 * AIOCB_FAILED in the block, for aio_error and aio_return. */
int paio_copyin_aiocb(uaddr_t aiocbp, struct simk_aiocb *cb)
{
	sim_assert_thread_context(__func__);
	if (aiocbp == 0)
		return -EINVAL;
	if (copyin(aiocbp, cb, sizeof(*cb)) != 0)
		return -EFAULT;
	return 0;
}

bool paio_sigev_kind_valid(int kind)
{
	return kind == SIMK_SIGEV_NONE || kind == SIMK_SIGEV_SIGNAL || kind == SIMK_SIGEV_THREAD ||
	       kind == SIMK_SIGEV_PORT || kind == SIMK_SIGEV_KEVENT;
}

bool paio_aiocb_writable(struct simk_proc *p, uaddr_t aiocbp)
{
	return umem_map_write(p, aiocbp, sizeof(struct simk_aiocb)) != NULL;
}

bool paio_buf_ok(struct simk_proc *p, int op, uaddr_t buf, size_t n)
{
	KASSERT(op == PAIO_OP_READ || op == PAIO_OP_WRITE, "transfer buffer of op %d", op);
	return op == PAIO_OP_READ ? umem_map_write(p, buf, n) != NULL
				  : umem_map_read(p, buf, n) != NULL;
}

void paio_store_fail(struct simk_proc *p, uaddr_t aiocbp, int err)
{
	paio_store_result(p, aiocbp + offsetof(struct simk_aiocb, aio_resultp), -1, err);
	int32_t st = AIOCB_FAILED;
	(void)copyout_proc(p, &st, aiocbp + offsetof(struct simk_aiocb, aio_state), sizeof(st));
}

/*
 * The request ends: its result goes into the kernel request and into the
 * caller's aio_result_t, in the order each interface promises (POSIX:
 * return value, then error, so an error other than EINPROGRESS means the
 * return value is there; Solaris: error, then return value, which leaves
 * AIO_INPROGRESS last). A user store that faults (the caller freed the
 * memory) is ignored: the kernel copy is what aio_error/aio_return use.
 *
 * may_preempt (thread context, lock not held): a switch point between the
 * two stores, where another CPU could look at the block. The state changes
 * only after both stores, so every kernel view (aio_error, aio_suspend,
 * cancel) still sees the request in progress during the window.
 * Otherwise: any context, lock held or not.
 */
void paio_publish(struct paio_req *r, int64_t ret, int err, enum paio_state final, bool may_preempt)
{
	struct paio_proc *pp = r->pp;
	KASSERT(!paio_ended(r), "request ends twice (state %s)", state_name(r->state));
	KASSERT(r->op != PAIO_OP_PIECE, "request ends twice (state %s)", state_name(r->state));
	KASSERT(final == PAIO_DONE || final == PAIO_CANCELED, "bad final state");
	r->ret = ret;
	r->err = err;
	int32_t e = err;
	uaddr_t rp = r->resultp;
	uaddr_t ra = rp + offsetof(struct simk_aio_result, aio_return);
	uaddr_t ea = rp + offsetof(struct simk_aio_result, aio_errno);
	if (r->api == PAIO_API_POSIX) {
		(void)copyout_proc(pp->p, &ret, ra, sizeof(ret));
		if (may_preempt)
			preempt_point();
		(void)copyout_proc(pp->p, &e, ea, sizeof(e));
	} else {
		(void)copyout_proc(pp->p, &e, ea, sizeof(e));
		if (may_preempt)
			preempt_point();
		(void)copyout_proc(pp->p, &ret, ra, sizeof(ret));
	}
	KASSERT(!paio_ended(r), "request ended by someone else during its publication");
	r->state = final;
	paio_store_state(r, AIOCB_DONE);
	pp->outstanding--;
	if (r->api == PAIO_API_POSIX)
		pp->outstanding_posix--;
	else
		pp->outstanding_sol--;
	KASSERT(pp->outstanding >= 0, "outstanding count underflows");
	KASSERT(pp->outstanding_posix >= 0, "outstanding count underflows");
	KASSERT(pp->outstanding_sol >= 0, "outstanding count underflows");
	pp->st.ended++;
	if (final == PAIO_CANCELED)
		pp->st.canceled++;
	trace_emit(TR_INFO, final == PAIO_CANCELED ? "paio:canceled" : "paio:done", pp->p->pid,
		   paio_taddr(pp->p, r->key), ret, err);
}

/*
 * Lock held. The completion work of an ended request that nothing runs any
 * more (Solaris libc aio.c _aiodone): list accounting, the notification (queued to
 * the notification worker; a kevent is posted right here, it never
 * blocks), the done queue of aio_waitn (POSIX, SIGEV_NONE) or aiowait
 * (Solaris interface), and every waiter. Frees the request if it was
 * already reaped. Any context.
 */
void paio_retire(struct paio_req *r)
{
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	KASSERT(paio_ended(r), "retire of a request in state %s (retired %d)", state_name(r->state),
		r->retired);
	KASSERT(!r->retired, "retire of a request in state %s (retired %d)", state_name(r->state),
		r->retired);
	r->retired = true;
	pp->active--;
	if (r->api == PAIO_API_POSIX)
		pp->active_posix--;
	KASSERT(pp->active >= 0, "active count underflows");
	KASSERT(pp->active_posix >= 0, "active count underflows");
	if (r->where == PW_KAIO) {
		list_del(&r->link);
		r->where = PW_NONE;
	}
	if (r->note != NULL) {
		r->note->data = r->err != 0 ? -(int64_t)r->err : r->ret;
		paio_note_queue(pp, r->note);
		r->note = NULL;
	}
	if (r->kev.attached) {
		/* posted now (never blocks); the knote stays attached to the
		 * request until it is freed. A request whose result was already
		 * taken (aio_return after a cancel at a blocking point) posts
		 * nothing: its knote goes with it. */
		if (r->reaped) {
			pp->st.notes_dropped++;
		} else {
			paio_kev_fire(&r->kev, r->err);
			pp->st.notes_sent++;
		}
	}
	/* after the request's own notification: the list's comes last */
	if (r->lio != NULL) {
		struct paio_lio *lio = r->lio;
		r->lio = NULL;
		if (r->err != 0)
			lio->failed++;
		paio_lio_put(pp, lio);
	}
	if (!r->reaped) {
		if (r->api == PAIO_API_POSIX && r->sigev == SIMK_SIGEV_NONE) {
			list_push_back(&pp->doneq, &r->link);
			r->where = PW_DONEQ;
			pp->doneq_n++;
		} else if (r->api == PAIO_API_SOLARIS) {
			if (r->state == PAIO_CANCELED) {
				/* a canceled aioread is never returned by aiowait */
				paio_hash_remove(pp, r);
				r->reaped = true;
			} else {
				list_push_back(&pp->soldoneq, &r->link);
				r->where = PW_SOLDONEQ;
				pp->sol_unreaped++;
			}
		}
	}
	waitq_wake_all(&pp->done_wq);
	if (r->reaped)
		paio_req_detach_free(r);
}

/* Lock held. Releases what a retired, reaped request still holds. */
void paio_req_detach_free(struct paio_req *r)
{
	spin_assert_held(&r->pp->lock);
	KASSERT(r->retired, "freeing a live request");
	KASSERT(r->reaped, "freeing a live request");
	KASSERT(r->note == NULL, "freeing a request with its notification");
	paio_req_free(r);
}

/*
 * Lock held. The result of r was taken (aio_return, aiowait) or is
 * superseded: r leaves the hash and the done queues, and is freed now if
 * it is retired (otherwise when it is).
 */
void paio_reap(struct paio_req *r)
{
	spin_assert_held(&r->pp->lock);
	struct paio_proc *pp = r->pp;
	KASSERT(paio_ended(r), "reaping a request in state %s", state_name(r->state));
	KASSERT(!r->reaped, "reaping a request in state %s", state_name(r->state));
	if (r->in_hash)
		paio_hash_remove(pp, r);
	if (r->where == PW_DONEQ) {
		list_del(&r->link);
		r->where = PW_NONE;
		pp->doneq_n--;
	} else if (r->where == PW_SOLDONEQ) {
		list_del(&r->link);
		r->where = PW_NONE;
		pp->sol_unreaped--;
	}
	r->reaped = true;
	if (r->retired)
		paio_req_detach_free(r);
}

/*
 * Thread context, lock not held. A new submission with this key: -EINVAL
 * while the key's request is in flight (Solaris libc aio.c: the hash insert fails);
 * a request that ended but was never reaped is superseded now, before the
 * new one attaches anything under the same key (its knote first of all).
 */
int paio_claim_key(struct paio_proc *pp, uaddr_t key)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&pp->lock);
	spin_lock(&pp->lock);
	struct paio_req *old = paio_hash_find(pp, key);
	int rc = 0;
	if (old != NULL && !paio_ended(old))
		rc = -EINVAL;
	else if (old != NULL)
		paio_reap(old);
	paio_unlock(pp);
	return rc;
}

/* ---- the subsystem --------------------------------------------------------- */

static void add_stats(struct paio_stats *a, const struct paio_stats *b)
{
	a->workers_created += b->workers_created;
	a->submitted += b->submitted;
	a->ended += b->ended;
	a->canceled += b->canceled;
	a->kaio += b->kaio;
	a->kaio_fallback += b->kaio_fallback;
	a->notes_sent += b->notes_sent;
	a->notes_dropped += b->notes_dropped;
	a->lio_notes += b->lio_notes;
}

static void proc_stats(struct paio_proc *pp, struct paio_stats *out)
{
	*out = pp->st;
	out->workers = pp->nworkers;
	out->workers_idle = 0;
	for (struct list_node *n = pp->workers.next; n != &pp->workers; n = n->next) {
		struct paio_worker *w = list_entry(n, struct paio_worker, ring);
		if (w->idle)
			out->workers_idle++;
	}
	out->workers_created = pp->workers_created;
	out->notify_workers = pp->notifier != NULL ? 1 : 0;
	out->requests_live = pp->live;
	out->outstanding = pp->outstanding;
}

void paio_get_stats(struct simk_proc *p, struct paio_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (p != NULL) {
		struct paio_proc *pp = p->subsys[paio_subsys_slot];
		if (pp != NULL)
			proc_stats(pp, out);
		return;
	}
	struct paio_run *run = paio_run();
	*out = run->gone;
	for (struct list_node *n = run->procs.next; n != &run->procs; n = n->next) {
		struct paio_stats ps;
		proc_stats(list_entry(n, struct paio_proc, all), &ps);
		add_stats(out, &ps);
		out->workers += ps.workers;
		out->workers_idle += ps.workers_idle;
		out->notify_workers += ps.notify_workers;
		out->requests_live += ps.requests_live;
		out->outstanding += ps.outstanding;
	}
}

/* Teardown: how often what could not be canceled is tried again, and a
 * liveness guard on the tries (a device request completes long before). */
#define PAIO_EXIT_RECANCEL_NS 1000000ULL
#define PAIO_EXIT_RECANCELS_MAX 1000000

static bool all_retired(void *arg)
{
	struct paio_proc *pp = arg;
	return pp->active == 0;
}

/*
 * The last thread of p exits (thread context; the files of p are still
 * open: the VFS hook runs after ours). Everything outstanding is canceled;
 * what cannot be canceled (on the device, or not at a blocking point) is
 * waited for, uninterruptibly; then the workers drain their queues (the
 * notification worker sends what is left) and exit, and every remaining
 * request is freed.
 */
static void paio_proc_exit(struct simk_proc *p)
{
	sim_assert_may_sleep(__func__);
	struct paio_proc *pp = p->subsys[paio_subsys_slot];
	if (pp == NULL)
		return;
	sim_opaque_enter(); /* dfs: not annotated, every step it spans is global */
	trace_emit(TR_INFO, "paio:teardown", p->pid, pp->outstanding, pp->live, pp->nworkers);
	spin_lock(&pp->lock);
	pp->closing = true;
	paio_unlock(pp);
	/* A request that was not at a blocking point when canceled (a worker
	 * had taken it but not yet started to wait in the pipe) may block
	 * there afterwards, with nobody left to wake it: cancel again every
	 * PAIO_EXIT_RECANCEL_NS until everything retired (a pipe read the
	 * exiting process would never feed used to hang its exit). */
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_EXIT_RECANCELS_MAX, "aio teardown: requests never retire");
		int c = 0, nc = 0, d = 0;
		paio_cancel_fd(pp, -1, NULL, &c, &nc, &d);
		if (waitq_wait(&pp->done_wq, false, false, nc > 0 ? PAIO_EXIT_RECANCEL_NS : SIMK_FOREVER,
			       all_retired, pp) == 0)
			break;
	}
	paio_pool_stop(pp);
	/* everything is retired and no worker runs: reap what is left */
	spin_lock(&pp->lock);
	for (int b = 0; b < PAIO_HASH_SIZE; b++)
		while (pp->hash[b] != NULL)
			paio_reap(pp->hash[b]);
	KASSERT(list_empty(&pp->doneq), "aio teardown: done queues not empty");
	KASSERT(list_empty(&pp->soldoneq), "aio teardown: done queues not empty");
	KASSERT(list_empty(&pp->kaioq), "aio teardown: done queues not empty");
	KASSERT(pp->live == 0, "aio teardown: %d requests live, %d outstanding", pp->live,
		pp->outstanding);
	KASSERT(pp->outstanding == 0, "aio teardown: %d requests live, %d outstanding", pp->live,
		pp->outstanding);
	paio_unlock(pp);
	paio_lio_kevs_gc(pp, true);
	paio_pool_free(pp);
	struct paio_run *run = paio_run();
	struct paio_stats ps;
	proc_stats(pp, &ps);
	add_stats(&run->gone, &ps);
	list_del(&pp->all);
	waitq_destroy(&pp->done_wq);
	waitq_destroy(&pp->exit_wq);
	p->subsys[paio_subsys_slot] = NULL;
	kmem_free(&kmt_proc, pp);
	sim_opaque_leave();
}

static int paio_create(struct simk *s)
{
	struct paio_run *run = sim_zalloc(sizeof(*run));
	if (run == NULL)
		return -1;
	paio_config_default(&run->cfg);
	list_init(&run->procs);
	s->subsys[paio_subsys_slot] = run;
	return 0;
}

/* Host context, after every user thread exited: every process is gone, so
 * no AIO state may remain. What remains is a bug: it is counted for
 * leak_check (kmem reports the blocks too, and reclaims them). */
static void paio_end(struct simk *s)
{
	struct paio_run *run = s->subsys[paio_subsys_slot];
	if (run == NULL)
		return;
	for (struct list_node *n = run->procs.next; n != &run->procs; n = n->next) {
		struct paio_proc *pp = list_entry(n, struct paio_proc, all);
		run->leftover_procs++;
		run->leftover_reqs += pp->live;
		run->leftover_workers += pp->workers_live;
	}
}

static void paio_destroy(struct simk *s)
{
	free(s->subsys[paio_subsys_slot]);
	s->subsys[paio_subsys_slot] = NULL;
}

static int paio_leak_check(struct simk *s, char *msg, size_t len)
{
	struct paio_run *run = s->subsys[paio_subsys_slot];
	if (run == NULL)
		return 0;
	const struct paio_stats *g = &run->gone;
	if (run->leftover_procs || run->leftover_reqs || run->leftover_workers) {
		snprintf(
		    msg, len,
		    "posix aio leak: %d processes with AIO state, %d requests, %d workers left "
		    "at the end of the run",
		    run->leftover_procs, run->leftover_reqs, run->leftover_workers);
		return 1;
	}
	if (g->submitted != g->ended) {
		snprintf(msg, len, "posix aio: %llu requests submitted but %llu ended",
			 (unsigned long long)g->submitted, (unsigned long long)g->ended);
		return 1;
	}
	if (run->notes_live != 0) {
		snprintf(msg, len, "posix aio: %d notifications never sent", run->notes_live);
		return 1;
	}
	return 0;
}

static const struct sim_subsys paio_subsys = {
    .name = "posix_aio",
    .create = paio_create,
    .proc_exit = paio_proc_exit,
    .end = paio_end,
    .destroy = paio_destroy,
    .leak_check = paio_leak_check,
    .check = paio_check,
    .lazy = true, /* made at first use: most runs never touch it */
};

void paio_register(void)
{
	paio_subsys_slot = sim_subsys_register(&paio_subsys);
	fd_register_close_observer(paio_close_observer);
	paio_scn_register();
}
