/*
 * POSIX AIO: notifications, and the notification worker that sends them.
 *
 * A request (or a LIO_NOWAIT list) that asked for a signal, a thread or an
 * event-port event gets its paio_note allocated at submission, so its
 * completion never fails for want of memory; when the request retires,
 * the note goes on the queue of the process's notification worker, which
 * sends it and frees it. Completions therefore never wait for a receiver
 * (Solaris libc aio.c: "we usually put the request on the notification queue
 * because we don't want to block ... other operations"): a full signal
 * queue or a full event port stalls the notification worker only, never
 * an I/O worker and never a thread that cancels.
 *
 *  SIGEV_SIGNAL  sig_queue_proc(signo, value, SI_ASYNCIO). A full queue
 *                (-EAGAIN) is retried every sigq_retry_ns, as the
 *                reference's blocking __sigqueue does.
 *  SIGEV_THREAD  a new thread of the process runs the registered function
 *                with the value.
 *  SIGEV_PORT    port_dispatch(PORT_SOURCE_AIO, object = the aiocb,
 *                events = PAIO_EV_*, user = portnfy_user), non-shareable:
 *                only the submitting process retrieves it. The port is
 *                looked up by descriptor at send time (as the reference
 *                does): a port closed in the meantime drops the event.
 *  SIGEV_KEVENT  a request's is not queued here: the EVFILT_AIO knote is
 *                attached at submission and posted when the request
 *                retires (posting never blocks), as FreeBSD does. A
 *                list's is queued like the others, so that it comes after
 *                the notes its entries queued before (a list notification
 *                never arrives before the last entry's own).
 *
 * The invariant: every note is sent or dropped exactly once, and counted
 * (notes_sent / notes_dropped); a process that is exiting gets nothing
 * more (its notes are dropped; nobody is left to receive them).
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "syscalls/posix_aio/paio_priv.h"

/* Liveness guard: retries of one signal notification; past it the loop is a livelock bug. */
#define PAIO_SIGNAL_RETRIES_MAX 10000000
/* Liveness guard: notifications the notification worker handles; past it the loop is a livelock bug. */
#define PAIO_NOTIFY_ITEMS_MAX 100000000
/* Liveness guard: kevents of one list collected; past it the loop is a livelock bug. */
#define PAIO_LIO_KEVENTS_MAX 1000000

static KMEM_TYPE(kmt_sigev_thread, "paio.sigev_thread");
static KMEM_TYPE(kmt_kev, "paio.kev");

/* Lock held, any context. Hands n to the notification worker. */
void paio_note_queue(struct paio_proc *pp, struct paio_note *n)
{
	spin_assert_held(&pp->lock);
	KASSERT(!n->queued, "notification queued twice");
	n->queued = true;
	list_push_back(&pp->notes, &n->link);
	paio_notifier_kick(pp);
}

struct sigev_thread_arg {
	paio_sigev_fn fn;
	void *ctx;
	int64_t value;
};

static void sigev_thread_main(void *arg)
{
	struct sigev_thread_arg a = *(struct sigev_thread_arg *)arg;
	kmem_free(&kmt_sigev_thread, arg);
	a.fn(a.value, a.ctx);
}

static bool retry_wait_cond(void *arg)
{
	struct paio_worker *w = arg;
	return w->exit || w->pp->closing;
}

/* Notification worker, lock not held. Returns true when delivered. */
static bool send_signal(struct paio_worker *w, struct paio_note *n)
{
	spin_assert_not_held(&w->pp->lock);
	struct paio_proc *pp = w->pp;
	struct siginfo_sim si = {n->signo, SIMK_SI_ASYNCIO, n->value, pp->p->pid};
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_SIGNAL_RETRIES_MAX, "signal notification retried forever");
		if (pp->closing)
			return false;
		int rc = sig_queue_proc(pp->p, &si);
		if (rc == 0)
			return true;
		if (rc != -EAGAIN)
			return false;
		/* the receiver's queue is full: only this worker waits */
		(void)waitq_wait(&w->wq, false, false, paio_run()->cfg.sigq_retry_ns,
				 retry_wait_cond, w);
	}
}

static bool send_thread(struct paio_proc *pp, struct paio_note *n)
{
	struct paio_run *run = paio_run();
	uint64_t idx = (n->fn - PAIO_FN_BASE) / 16;
	if (pp->closing || n->fn < PAIO_FN_BASE || idx >= (uint64_t)run->nfns)
		return false;
	struct sigev_thread_arg *a = kmem_zalloc(&kmt_sigev_thread, sizeof(*a));
	if (a == NULL)
		return false;
	a->fn = run->fns[idx].fn;
	a->ctx = run->fns[idx].ctx;
	a->value = n->value;
	if (kthread_create(pp->p, "sigev_thread", sigev_thread_main, a, false) == NULL) {
		kmem_free(&kmt_sigev_thread, a);
		return false;
	}
	return true;
}

static ssize_t port_op(struct paio_worker *w, struct paio_req *unused)
{
	(void)unused;
	struct paio_note *n = w->sending;
	return paio_port_send(w->pp->p, n->port_fd, n->events, n->object, (uint64_t)n->value);
}

/* A full port makes port_dispatch sleep (interruptibly) for a free slot:
 * that sleep is this worker's cancel window, so that the exit of the
 * process (which may own the only reader of the port) can end it. */
static bool send_port(struct paio_worker *w, struct paio_note *n)
{
	if (w->pp->closing)
		return false;
	w->sending = n;
	ssize_t rc = paio_in_window(w, NULL, port_op);
	w->sending = NULL;
	return rc == 0;
}

static bool has_notes(void *arg)
{
	struct paio_worker *w = arg;
	return !list_empty(&w->pp->notes) || w->exit;
}

/* The notification worker of one process (kernel daemon thread). */
void paio_notifier_main(void *arg)
{
	struct paio_worker *w = arg;
	struct paio_proc *pp = w->pp;
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_NOTIFY_ITEMS_MAX, "aio notification worker loops");
		spin_lock(&pp->lock);
		if (list_empty(&pp->notes)) {
			if (w->exit) {
				paio_unlock(pp);
				break;
			}
			w->idle = true;
			paio_unlock(pp);
			(void)waitq_wait(&w->wq, false, false, SIMK_FOREVER, has_notes, w);
			w->idle = false;
			continue;
		}
		struct paio_note *n = list_entry(pp->notes.next, struct paio_note, link);
		list_del(&n->link);
		paio_unlock(pp);
		/* the request already retired: its waiters may run first */
		preempt_point();
		bool ok = false;
		switch (n->kind) {
		case SIMK_SIGEV_SIGNAL:
			ok = send_signal(w, n);
			break;
		case SIMK_SIGEV_THREAD:
			ok = send_thread(pp, n);
			break;
		case SIMK_SIGEV_PORT:
			ok = send_port(w, n);
			break;
		case SIMK_SIGEV_KEVENT:
			spin_lock(&pp->lock);
			ok = !pp->closing;
			if (ok)
				paio_kev_fire(n->kev, (int)n->data);
			paio_unlock(pp);
			break;
		default:
			KASSERT(0, "bad notification kind %d", n->kind);
		}
		trace_emit(TR_INFO, ok ? "paio:notify" : "paio:notify_dropped", pp->p->pid, n->kind,
			   paio_taddr(pp->p, n->object), n->data);
		spin_lock(&pp->lock);
		if (ok)
			pp->st.notes_sent++;
		else
			pp->st.notes_dropped++;
		paio_unlock(pp);
		paio_note_free(n);
	}
	paio_worker_exit(w);
}

/* ---- list notifications by kevent ------------------------------------------ */

struct paio_kev *paio_kev_alloc(void)
{
	return kmem_zalloc(&kmt_kev, sizeof(struct paio_kev));
}

void paio_kev_free(struct paio_kev *kev)
{
	kmem_free(&kmt_kev, kev);
}

/*
 * Thread context, lock not held. The knotes of LIO_NOWAIT lists live on
 * pp->lio_kevs after their list ended (FreeBSD keeps the list job until
 * then too). Frees those whose event was retrieved (an EV_ONESHOT knote
 * leaves the hook once delivered), or all of them when the process exits
 * (their knotes are dropped).
 */
void paio_lio_kevs_gc(struct paio_proc *pp, bool all)
{
	sim_assert_thread_context(__func__);
	spin_assert_not_held(&pp->lock);
	for (int bound = 0;; bound++) {
		KASSERT(bound < PAIO_LIO_KEVENTS_MAX, "lio kevent collection does not end");
		struct paio_kev *victim = NULL;
		spin_lock(&pp->lock);
		for (struct list_node *n = pp->lio_kevs.next; n != &pp->lio_kevs; n = n->next) {
			struct paio_kev *k = list_entry(n, struct paio_kev, link);
			if (all || (k->fired && !paio_kev_pending(k))) {
				list_del(&k->link);
				victim = k;
				break;
			}
		}
		paio_unlock(pp);
		if (victim == NULL)
			break;
		paio_kev_detach(victim);
		paio_kev_free(victim);
	}
}
