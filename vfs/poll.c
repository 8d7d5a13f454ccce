/*
 * Readiness hooks and poll(2).
 *
 * The invariant: a listener is on exactly the list of l->head, or on none
 * (head == NULL). pollwakeup walks the list with the next element saved
 * before each call, which is what allows a callback to detach itself (and
 * only itself) while the walk goes on.
 */
#include "vfs/poll.h"

#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "simk/vfs.h" /* struct simk_pollfd */
#include "vfs/file.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: listeners detached from one poll head; past it the loop is a livelock bug. */
#define POLL_HEAD_DRAIN_MAX 1000000
/* Liveness guard: wake-ups of one poll; past it the loop is a livelock bug. */
#define POLL_ROUNDS_MAX 10000000

static KMEM_TYPE(kt_pollwait, "vfs.poll.wait");

void poll_head_init(struct poll_head *h, const char *name)
{
	list_init(&h->listeners);
	h->nlisteners = 0;
	h->name = name;
	h->wakeups = 0;
}

void poll_listener_init(struct poll_listener *l, poll_fn fn, void *priv, unsigned interest)
{
	list_init(&l->link);
	l->head = NULL;
	l->fn = fn;
	l->priv = priv;
	l->interest = interest;
}

void poll_listen(struct poll_head *h, struct poll_listener *l)
{
	KASSERT(l->head == NULL, "listener already attached to %s", l->head->name);
	KASSERT(l->fn != NULL, "listener without a callback");
	list_push_back(&h->listeners, &l->link);
	l->head = h;
	h->nlisteners++;
}

void poll_unlisten(struct poll_listener *l)
{
	struct poll_head *h = l->head;
	if (h == NULL)
		return;
	KASSERT(h->nlisteners > 0, "poll head %s listener count", h->name);
	list_del(&l->link);
	l->head = NULL;
	h->nlisteners--;
}

/* Listener callbacks run with preemption disabled: a switch inside one
 * would let another thread change the listener list under this walk. */
void pollwakeup(struct poll_head *h, unsigned events)
{
	h->wakeups++;
	preempt_disable();
	int n = h->nlisteners;
	struct list_node *it = h->listeners.next;
	for (int i = 0; it != &h->listeners; i++) {
		KASSERT(i <= n, "poll head %s: listener list grew during a wake-up", h->name);
		struct list_node *next = it->next;
		struct poll_listener *l = list_entry(it, struct poll_listener, link);
		if ((events & (l->interest | POLL_ALWAYS)) || (l->interest & POLL_ANYCHANGE))
			l->fn(l, events);
		it = next;
	}
	preempt_enable();
}

void poll_head_destroy(struct poll_head *h)
{
	for (int guard = 0; !list_empty(&h->listeners); guard++) {
		KASSERT(guard < POLL_HEAD_DRAIN_MAX, "poll head %s does not drain", h->name);
		struct poll_listener *l = list_entry(h->listeners.next, struct poll_listener, link);
		poll_unlisten(l);
		l->fn(l, POLLFREE);
	}
	KASSERT(h->nlisteners == 0, "poll head %s destroyed with listeners", h->name);
}

/* ---- poll(2) --------------------------------------------------------------- */

_Static_assert(sizeof(struct simk_pollfd) == 8, "struct pollfd layout");

struct pollwait {
	struct simk_thread *thread;
	bool triggered;
	struct poll_listener l;
	struct file *fp;
};

static void poll_wake_fn(struct poll_listener *l, unsigned events)
{
	struct pollwait *w = l->priv;
	if (events & POLLFREE)
		return; /* already detached by poll_head_destroy; the file ref keeps fp */
	w->triggered = true;
	thread_wake(w->thread, 0);
}

/* One scan: fills revents, attaches listeners on the first pass. */
static int poll_scan(struct simk_pollfd *pfd, struct pollwait *w, unsigned n, bool attach)
{
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		pfd[i].revents = 0;
		if (pfd[i].fd < 0)
			continue;
		if (w[i].fp == NULL) {
			pfd[i].revents = POLLNVAL;
			ready++;
			continue;
		}
		struct poll_head *ph = NULL;
		unsigned interest = (uint16_t)pfd[i].events;
		unsigned m = file_poll(w[i].fp, interest, attach ? &ph : NULL);
		if (attach && ph != NULL) {
			poll_listener_init(&w[i].l, poll_wake_fn, &w[i], interest);
			poll_listen(ph, &w[i].l);
		}
		pfd[i].revents = (int16_t)m;
		if (m != 0)
			ready++;
	}
	return ready;
}

int sys_poll(uaddr_t fds, unsigned nfds, int timeout_ms)
{
	struct simk_proc *p = sim_proc_current();
	KASSERT(p != NULL, "sys_poll outside thread context");
	int result;
	if (nfds > FD_MAX) {
		result = -EINVAL;
		goto out;
	}
	size_t n = nfds;
	struct simk_pollfd *pfd = NULL;
	struct pollwait *w = NULL;
	if (n > 0) {
		pfd = kmem_zalloc(&kt_pollwait, n * sizeof(*pfd));
		w = kmem_zalloc(&kt_pollwait, n * sizeof(*w));
		if (pfd == NULL || w == NULL) {
			result = -ENOMEM;
			goto free;
		}
		if (copyin(fds, pfd, n * sizeof(*pfd)) != 0) {
			result = -EFAULT;
			goto free;
		}
	}
	struct simk_thread *self = sim_thread_current();
	for (size_t i = 0; i < n; i++) {
		w[i].thread = self;
		poll_listener_init(&w[i].l, poll_wake_fn, &w[i], 0);
		if (pfd[i].fd >= 0 && fd_get(p, pfd[i].fd, &w[i].fp) != 0)
			w[i].fp = NULL;
	}
	uint64_t deadline =
	    timeout_ms < 0 ? SIMK_FOREVER : sim_now() + (uint64_t)timeout_ms * 1000000ull;
	bool first = true;
	for (int round = 0;; round++) {
		KASSERT(round < POLL_ROUNDS_MAX, "poll loop does not converge");
		thread_prepare_sleep("poll", true);
		result = poll_scan(pfd, w, (unsigned)n, first);
		first = false;
		if (result > 0 || timeout_ms == 0) {
			thread_cancel_sleep();
			break;
		}
		uint64_t now = sim_now();
		if (deadline != SIMK_FOREVER && now >= deadline) {
			thread_cancel_sleep();
			result = 0;
			break;
		}
		int r = thread_sleep(deadline == SIMK_FOREVER ? SIMK_FOREVER : deadline - now);
		if (r == -EINTR) {
			result = -EINTR;
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		poll_unlisten(&w[i].l);
		if (w[i].fp != NULL)
			file_put(w[i].fp);
	}
	if (result >= 0 && n > 0 && copyout(pfd, fds, n * sizeof(*pfd)) != 0)
		result = -EFAULT;
free:
	if (pfd != NULL)
		kmem_free(&kt_pollwait, pfd);
	if (w != NULL)
		kmem_free(&kt_pollwait, w);
out:
	return result;
}
