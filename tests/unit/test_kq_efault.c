/*
 * kqueue: kevent's eventlist readable but not writable (kern/umem page
 * protections). As in the reference, the events of a batch are taken off
 * the queue before the batch is copied out: a fault returns EFAULT and
 * what retrieval did to each knote stands — a level-triggered one is
 * still active and comes again, a one-shot one is gone, a cleared one
 * waits for its next trigger. Changes are applied before errors or
 * receipts are posted.
 */
#include "kq_test.h"

#define PG UMEM_PAGE

/* kevent with no changes into the user address evl, polling. */
static int poll_into(int kq, uaddr_t evl, int nev)
{
	struct kq_timespec ts = {0, 0};
	return simk_kevent(kq, 0, 0, evl, nev, vt_ubytes(&ts, sizeof(ts)));
}

static int late_fd;

static void late_writer(void *arg)
{
	(void)arg;
	vt_sleep(1000);
	VEQ(vt_write_str(late_fd, "d"), 1);
}

static void t_level(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	uaddr_t a = vt_ubuf(2 * sizeof(int));
	VEQ(simk_pipe(a), 0);
	int fds[2];
	vt_uget(a, fds, sizeof(fds));
	VEQ(kq_change(kq, (uint64_t)fds[0], EVFILT_READ, EV_ADD, 0, 0, 0x11), 0);
	VEQ(vt_write_str(fds[1], "abc"), 3);
	uaddr_t ro = vt_ubuf(4 * sizeof(struct kevent));
	vt_protect(ro, PG, UMEM_PROT_READ);
	VEQ(poll_into(kq, ro, 4), -EFAULT);
	/* level-triggered: still active, retrieved by the next call */
	struct kevent ev[4];
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].ident, fds[0]);
	VEQ(ev[0].data, 3);
	VEQ(ev[0].udata, 0x11);
	/* waiting for it: the same, after the wait */
	VEQ(simk_read(fds[0], vt_ubuf(3), 3), 3);
	VEQ(kq_poll(kq, ev, 4), 0);
	late_fd = fds[1];
	struct simk_thread *t = kthread_create(sim_proc_current(), "w", late_writer, NULL, false);
	VCHECK(t != NULL);
	uint64_t t0 = sim_now();
	VEQ(simk_kevent(kq, 0, 0, ro, 4, 0), -EFAULT);
	VEQ(sim_now(), t0 + 1000); /* it waited for the write */
	VEQ(kthread_join(t, NULL), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_efault, readonly_eventlist_level_triggered_event_comes_again)
{
	kq_run1(1, SIMK_POLICY_FIFO, true, t_level, NULL);
}

static void t_oneshot_clear(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	uaddr_t ro = vt_ubuf(4 * sizeof(struct kevent));
	vt_protect(ro, PG, UMEM_PROT_READ);
	struct kevent ev[4];
	/* EV_ONESHOT: retrieval deletes the knote, the event is lost */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_pending(kq), 1);
	VEQ(poll_into(kq, ro, 4), -EFAULT);
	VEQ(kq_pending(kq), 0);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DELETE, 0, 0, 0), -ENOENT);
	/* EV_CLEAR: retrieval reset it; it comes with the next trigger */
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFOR | 0x5, 0, 0), 0);
	VEQ(poll_into(kq, ro, 4), -EFAULT);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, 0, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].fflags, 0); /* the lost retrieval cleared 0x5 too */
	/* two one-shot events in one batch across a writable and a read-only
	 * page: the batch is one copy, neither is stored, both are gone */
	uaddr_t two = vt_ubuf(2 * PG);
	vt_protect(two + PG, PG, UMEM_PROT_READ);
	uaddr_t evl = two + PG - sizeof(struct kevent);
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_change(kq, 4, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, 0), 0);
	VEQ(poll_into(kq, evl, 2), -EFAULT);
	struct kevent first;
	vt_uget(evl, &first, sizeof(first));
	VEQ(first.ident, 0);
	VEQ(kq_pending(kq), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_efault, readonly_eventlist_oneshot_is_lost_clear_is_reset)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_oneshot_clear, NULL);
}

static void t_receipt(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	uaddr_t ro = vt_ubuf(4 * sizeof(struct kevent));
	vt_protect(ro, PG, UMEM_PROT_READ);
	struct kevent ch[2];
	ev_set(&ch[0], 7, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, 0);
	ev_set(&ch[1], 8, EVFILT_USER, EV_ADD, 0, 0, 0);
	uaddr_t uch = vt_ubytes(ch, sizeof(ch));
	/* the receipt cannot be posted: EFAULT, the change stands, and the
	 * changes after it are not applied */
	VEQ(simk_kevent(kq, uch, 2, ro, 4, 0), -EFAULT);
	VEQ(kq_change(kq, 7, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq, 8, EVFILT_USER, EV_DELETE, 0, 0, 0), -ENOENT);
	/* an error that cannot be posted: EFAULT instead of the error */
	ev_set(&ch[0], 9, EVFILT_USER, EV_DELETE, 0, 0, 0);
	VEQ(simk_kevent(kq, vt_ubytes(ch, sizeof(ch[0])), 1, ro, 4, 0), -EFAULT);
	struct kevent z;
	vt_uget(ro, &z, sizeof(z));
	VEQ(z.flags, 0); /* nothing written */
	VEQ(simk_close(kq), 0);
}

Test(kq_efault, readonly_eventlist_receipt_and_error_after_the_change)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_receipt, NULL);
}
