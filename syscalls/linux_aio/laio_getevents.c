/*
 * Linux AIO: consuming events — io_getevents and the user-level reaper.
 *
 * Both consume from the ring's head, which lives in user memory: the
 * kernel under ctx->lock, the reaper atomically in user space (no switch
 * point inside one event). Neither trusts head: it is taken modulo the
 * ring size. The kernel compares it with its trusted tail; the reaper,
 * like libaio's, with the tail in the header (the same value).
 *
 * io_getevents sleeps exclusively on the context's wait queue, so one
 * completion wakes one waiter. Its wait entry stays queued for the whole
 * call (the reference's DECLARE_WAITQUEUE): a waiter that was woken but
 * found the event taken by someone else keeps its place.
 */
#include <errno.h>

#include "syscalls/linux_aio/laio_priv.h"

#define NSEC_PER_SEC 1000000000LL

/* LAB 02 BEGIN: read_evt */
/* Takes one event off the ring: 1, or 0 when it is empty. */
static int read_evt(struct laio_ctx *ctx, struct io_event *ent)
{
	struct aio_ring *ring = laio_ring(ctx);
	if (ring->head % ctx->ring_nr == ctx->tail)
		return 0; /* empty: no need for the lock */
	int ret = 0;
	spin_lock(&ctx->lock);
	uint32_t head = ring->head % ctx->ring_nr;
	if (head != ctx->tail) {
		*ent = *laio_ring_event(ctx, head);
		head = (head + 1) % ctx->ring_nr;
		ring->head = head;
		ret = 1;
	}
	spin_unlock(&ctx->lock);
	return ret;
}
/* LAB 02 END: read_evt */

/* Wake function of a waiter: wakes its thread, stays queued. */
static int getevents_wake(struct waitq_entry *e, void *key)
{
	(void)key;
	return thread_wake(e->priv, 0) ? 1 : 0;
}

/* Reads the relative timeout: 0 and *ns (SIMK_FOREVER when too far),
 * -EFAULT or -EINVAL. */
static int get_timeout(uaddr_t timeout, uint64_t *ns)
{
	struct laio_timespec ts;
	if (copyin(timeout, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > (UINT64_MAX - 1 - (uint64_t)ts.tv_nsec) / NSEC_PER_SEC)
		*ns = SIMK_FOREVER;
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

/* LAB 03 BEGIN: read_events */
static long read_events(struct laio_ctx *ctx, long min_nr, long nr, uaddr_t events, uaddr_t timeout)
{
	uint64_t start = sim_now();
	struct io_event ent;
	long i = 0;
	int ret = 0;
	bool retried = false;
	for (;;) {
		/* the fast path: what is there, without sleeping */
		while (i < nr) {
			ret = read_evt(ctx, &ent);
			if (ret <= 0)
				break;
			if (copyout(&ent, events + (uaddr_t)i * sizeof(ent), sizeof(ent)) != 0) {
				ret = -EFAULT; /* the event is lost, as on Linux */
				break;
			}
			i++;
		}
		if (min_nr <= i)
			return i;
		if (ret != 0)
			return i ? i : ret;
		/* retries queued on the context might produce events: run them
		 * here once rather than wait for the worker */
		if (retried || list_empty(&ctx->run_list))
			break;
		retried = true;
		laio_run_all_iocbs(ctx);
	}

	bool timed_out = false;
	uint64_t deadline = SIMK_FOREVER;
	if (timeout != 0) {
		uint64_t ns;
		int r = get_timeout(timeout, &ns);
		if (r != 0)
			return i ? i : r;
		if (ns != SIMK_FOREVER)
			deadline = start + ns;
		if (deadline <= sim_now())
			timed_out = true;
	}
	struct simk_thread *me = sim_thread_current();
	struct waitq_entry wait;
	waitq_entry_init_func(&wait, getevents_wake, me);
	wait.thread = me;
	waitq_add_exclusive(&ctx->wait, &wait);
	while (i < nr) {
		ret = 0;
		bool prepared = false;
		for (int bound = 0;; bound++) {
			KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "io_getevents spins");
			thread_prepare_sleep("io_getevents", true);
			prepared = true;
			ret = read_evt(ctx, &ent);
			if (ret != 0)
				break;
			if (min_nr <= i)
				break;
			if (timed_out)
				break; /* only after one more look at the ring */
			if (ctx->dead) {
				ret = -EINVAL; /* destroyed under us: nothing will come */
				break;
			}
			uint64_t left = SIMK_FOREVER;
			if (deadline != SIMK_FOREVER) {
				uint64_t now = sim_now();
				left = deadline > now ? deadline - now : 0;
			}
			int r = thread_sleep(left);
			prepared = false;
			if (r == -ETIMEDOUT)
				timed_out = true;
			else if (r == -EINTR) {
				ret = -EINTR;
				break;
			}
		}
		if (prepared)
			thread_cancel_sleep();
		if (ret <= 0)
			break;
		if (copyout(&ent, events + (uaddr_t)i * sizeof(ent), sizeof(ent)) != 0) {
			ret = -EFAULT;
			break;
		}
		i++;
	}
	waitq_remove(&ctx->wait, &wait);
	return i ? i : ret;
}
/* LAB 03 END: read_events */

long sys_io_getevents(aio_context_t ctx_id, long min_nr, long nr, uaddr_t events, uaddr_t timeout)
{
	struct laio_ctx *ctx = laio_lookup_ctx(sim_proc_current(), ctx_id);
	if (ctx == NULL)
		return -EINVAL;
	long ret = -EINVAL;
	if (min_nr <= nr && min_nr >= 0 && nr >= 0)
		ret = read_events(ctx, min_nr, nr, events, timeout);
	laio_put_ctx(ctx);
	return ret;
}

/*
 * This is user code: it sees the ring through the process's own page
 * protections (the kernel's ring accesses above do not). A ring that is
 * not mapped at all is -EINVAL as before; a mapped one the program may not
 * read (the header, or the events when there is one to take), or whose
 * head it may not write when it has an event to take, is -EFAULT (the
 * program would take SIGSEGV) with nothing taken.
 */
int laio_user_reap(struct simk_proc *p, aio_context_t ctx, struct io_event *out, int max)
{
	if (umem_map_kernel(p, ctx, sizeof(struct aio_ring)) == NULL)
		return -EINVAL;
	const struct aio_ring *ring = umem_map_read(p, ctx, sizeof(*ring));
	if (ring == NULL)
		return -EFAULT;
	if (ring->magic != AIO_RING_MAGIC || ring->header_length != sizeof(struct aio_ring) ||
	    ring->nr < 2)
		return -EINVAL;
	uint32_t nr = ring->nr;
	size_t evs_len = (size_t)nr * sizeof(struct io_event);
	if (umem_map_kernel(p, ctx + sizeof(*ring), evs_len) == NULL)
		return -EINVAL; /* shorter than its header says */
	const struct io_event *evs = umem_map_read(p, ctx + sizeof(*ring), evs_len);
	uint32_t *headp = umem_map_write(p, ctx + offsetof(struct aio_ring, head), sizeof(*headp));
	bool has_event = ring->head % nr != ring->tail % nr;
	if (max > 0 && has_event && (evs == NULL || headp == NULL))
		return -EFAULT; /* the program faults before it takes anything */
	int n = 0;
	while (n < max) {
		uint32_t head = ring->head % nr;
		uint32_t tail = ring->tail;
		if (head == tail % nr)
			break;
		out[n++] = evs[head];
		*headp = (head + 1) % nr; /* the event is copied before head moves */
	}
	trace_emit(TR_INFO, "laio:user_reap", (int64_t)ctx, n, ring->head, ring->tail);
	return n;
}
