/*
 * kqueue: the kqueue descriptor, the change list, errors, flags, waiting
 * (mostly over EVFILT_USER, which needs no other subsystem).
 */
#include "kq_test.h"

static struct kevent ch1(uint64_t ident, int16_t filter, uint16_t flags, uint32_t fflags,
			 int64_t data, uint64_t udata)
{
	struct kevent k;
	ev_set(&k, ident, filter, flags, fflags, data, udata);
	return k;
}

static void trigger(int kq, uint64_t id)
{
	VEQ(kq_change(kq, id, EVFILT_USER, 0, NOTE_TRIGGER, 0, 0), 0);
}

/* ---- the descriptor ---- */

static void t_descriptor(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	VEQ(kq, 0);
	struct simk_stat st = vt_fstat(kq);
	VEQ(st.st_size, 0);
	VEQ(st.st_blksize, sizeof(struct kevent));
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFIFO);
	VEQ(st.st_type, FT_KQUEUE);
	uaddr_t b = vt_ubuf(16);
	VEQ(simk_read(kq, b, 16), -ENXIO);
	VEQ(simk_write(kq, b, 16), -ENXIO);
	VEQ(simk_ioctl(kq, SIMK_FIONREAD, b), -ENOTTY);
	for (int i = 1; i <= 3; i++)
		VEQ(kq_change(kq, (uint64_t)i, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_pending(kq), 3); /* st_size = pending events */
	struct kevent ev[4];
	VEQ(kq_poll(kq, ev, 1), 1);
	VEQ(kq_pending(kq), 3); /* level-triggered: back on the queue */
	VEQ(kqueue_knotes_live(), 3);
	VEQ(simk_close(kq), 0); /* closing drops every knote */
	VEQ(kqueue_knotes_live(), 0);
	VEQ(kq_poll(kq, ev, 1), -EBADF);
}

Test(kq_core, descriptor_stat_read_write_close)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_descriptor, NULL);
}

static void t_sigio(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	int kq = simk_kqueue();
	uaddr_t v = vt_ubuf(sizeof(int));
	int one = 1, pid = p->pid, got = 0;
	vt_uput(v, &pid, sizeof(pid));
	VEQ(simk_ioctl(kq, SIMK_FIOSETOWN, v), 0);
	VEQ(simk_ioctl(kq, SIMK_FIOGETOWN, v), 0);
	vt_uget(v, &got, sizeof(got));
	VEQ(got, pid);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD, 0, 0, 0), 0);
	trigger(kq, 1);
	VCHECK(!sig_pending(sim_thread_current(), SIMK_SIGIO)); /* not async yet */
	struct kevent ev[4];
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DISABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 0); /* drains the disabled one */
	vt_uput(v, &one, sizeof(one));
	VEQ(simk_ioctl(kq, SIMK_FIOASYNC, v), 0);
	trigger(kq, 2); /* first queued event: SIGIO */
	VCHECK(sig_pending(sim_thread_current(), SIMK_SIGIO));
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGIO);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0); /* second queued: none */
	VEQ(kq_pending(kq), 2);
	VCHECK(!sig_pending(sim_thread_current(), SIMK_SIGIO));
	int zero = 0;
	vt_uput(v, &zero, sizeof(zero));
	VEQ(simk_ioctl(kq, SIMK_FIOSETOWN, v), 0);
	int bad = 999;
	vt_uput(v, &bad, sizeof(bad));
	VEQ(simk_ioctl(kq, SIMK_FIOSETOWN, v), -ESRCH);
	bad = -1;
	vt_uput(v, &bad, sizeof(bad));
	VEQ(simk_ioctl(kq, SIMK_FIOSETOWN, v), -EINVAL);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, fioasync_fiosetown_sigio_on_first_queued_event)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_sigio, NULL);
}

/* ---- errors ---- */

static void t_errnos(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[4];
	int pfd[2];
	uaddr_t up = vt_ubuf(sizeof(pfd));
	VEQ(simk_pipe(up), 0);
	vt_uget(up, pfd, sizeof(pfd));
	/* the kqueue descriptor */
	VEQ(kq_poll(42, ev, 1), -EBADF);
	VEQ(kq_poll(pfd[0], ev, 1), -EBADF); /* not a kqueue */
	VEQ(kq_kevent(kq, NULL, 0, ev, -1, 0), -EINVAL);
	VEQ(simk_kevent(kq, 0, -1, 0, 0, 0), -EINVAL);
	/* unknown filters */
	int16_t bad[] = {0, 1, -8, -10, -12, -13, -14, -16, -100};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		VEQ(kq_change(kq, 1, bad[i], EV_ADD, 0, 0, 0), -EINVAL);
	/* descriptor filters on bad descriptors */
	VEQ(kq_change(kq, 99, EVFILT_READ, EV_ADD, 0, 0, 0), -EBADF);
	VEQ(kq_change(kq, 99, EVFILT_WRITE, EV_ADD, 0, 0, 0), -EBADF);
	VEQ(kq_change(kq, 99, EVFILT_EXCEPT, EV_ADD, 0, 0, 0), -EBADF);
	VEQ(kq_change(kq, 99, EVFILT_VNODE, EV_ADD, 0, 0, 0), -EBADF);
	VEQ(kq_change(kq, (uint64_t)1 << 40, EVFILT_READ, EV_ADD, 0, 0, 0), -EBADF);
	/* missing knotes */
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_DELETE, 0, 0, 0), -ENOENT);
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_ENABLE, 0, 0, 0), -ENOENT);
	VEQ(kq_change(kq, (uint64_t)pfd[0], EVFILT_READ, EV_DELETE, 0, 0, 0), -ENOENT);
	/* filter-specific */
	VEQ(kq_change(kq, 4000, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, 0), -ESRCH);
	VEQ(kq_change(kq, 0, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, 0), -ESRCH);
	VEQ(kq_change(kq, (uint64_t)pfd[0], EVFILT_VNODE, EV_ADD, NOTE_WRITE, 0, 0), -EINVAL);
	/* (EVFILT_SIGNAL takes any ident: test_kq_peer.c) */
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, 0, -1, 0), -EINVAL);
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, NOTE_SECONDS | NOTE_USECONDS, 5, 0), -EINVAL);
	VEQ(kq_change(kq, 1, EVFILT_AIO, EV_ADD, 0, 0, 0), -EPERM);
	VEQ(kq_change(kq, (uint64_t)kq, EVFILT_WRITE, EV_ADD, 0, 0, 0), -EOPNOTSUPP);
	/* bad user memory and timeouts */
	VEQ(simk_kevent(kq, 0x10, 1, 0, 0, 0), -EFAULT);
	struct kevent t = ch1(1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0);
	VEQ(simk_kevent(kq, vt_ubytes(&t, sizeof(t)), 1, 0x10, 1, 0), -EFAULT);
	VEQ(kqueue_knotes_live(), 1); /* the change was applied before the copyout failed */
	VEQ(simk_kevent(kq, 0, 0, vt_ubuf(32), 1, 0x10), -EFAULT);
	struct kq_timespec ts = {0, 1000000000};
	VEQ(simk_kevent(kq, 0, 0, vt_ubuf(32), 1, vt_ubytes(&ts, sizeof(ts))), -EINVAL);
	ts = (struct kq_timespec){-1, 0};
	VEQ(simk_kevent(kq, 0, 0, vt_ubuf(32), 1, vt_ubytes(&ts, sizeof(ts))), -EINVAL);
	VEQ(kqueue_knotes_live(), 1);
	VEQ(simk_close(kq), 0);
	VEQ(kqueue_knotes_live(), 0);
}

Test(kq_core, every_errno_of_kevent)
{
	kq_run1(3, SIMK_POLICY_FIFO, false, t_errnos, NULL);
}

/* Failed changes become EV_ERROR events while there is room; then the call
 * fails with the errno; either way it returns without waiting. */
static void t_ev_error(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ch[4] = {
	    ch1(1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 11),
	    ch1(2, EVFILT_USER, EV_DELETE, 0, 0, 22), /* ENOENT */
	    ch1(3, 0, EV_ADD, 0, 0, 33),	      /* EINVAL */
	    ch1(4, EVFILT_USER, EV_ADD, 0, 0, 44),
	};
	struct kevent ev[4];
	uint64_t t0 = sim_now();
	VEQ(kq_kevent(kq, ch, 4, ev, 4, KQ_FOREVER), 2); /* no waiting although 1 is pending */
	VEQ(sim_now(), t0);
	VEQ(ev[0].flags, EV_ERROR);
	VEQ(ev[0].data, ENOENT);
	VEQ(ev[0].ident, 2);
	VEQ(ev[0].udata, 22);
	VEQ(ev[1].flags, EV_ERROR);
	VEQ(ev[1].data, EINVAL);
	VEQ(ev[1].ident, 3);
	VEQ(kqueue_knotes_live(), 2); /* changes after the errors were applied */
	/* room for one error only: the second error fails the call */
	struct kevent ch2[3] = {
	    ch1(7, EVFILT_USER, EV_ENABLE, 0, 0, 0), /* ENOENT: posted */
	    ch1(8, EVFILT_USER, EV_ENABLE, 0, 0, 0), /* ENOENT: no room */
	    ch1(9, EVFILT_USER, EV_ADD, 0, 0, 0),    /* never applied */
	};
	VEQ(kq_kevent(kq, ch2, 3, ev, 1, KQ_FOREVER), -ENOENT);
	VEQ(kqueue_knotes_live(), 2);
	/* no room at all */
	VEQ(kq_kevent(kq, ch2, 1, NULL, 0, KQ_FOREVER), -ENOENT);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, failed_changes_post_ev_error_or_fail_the_call)
{
	kq_run1(4, SIMK_POLICY_FIFO, false, t_ev_error, NULL);
}

static void t_receipt(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ch[3] = {
	    ch1(1, EVFILT_USER, EV_ADD | EV_RECEIPT, NOTE_TRIGGER, 0, 1),
	    ch1(2, EVFILT_USER, EV_ADD | EV_RECEIPT, 0, 0, 2),
	    ch1(3, EVFILT_USER, EV_DELETE | EV_RECEIPT, 0, 0, 3),
	};
	struct kevent ev[4];
	VEQ(kq_kevent(kq, ch, 3, ev, 4, KQ_FOREVER), 3); /* receipts only, no events */
	for (int i = 0; i < 3; i++) {
		VEQ(ev[i].flags, EV_ERROR);
		VEQ(ev[i].ident, (uint64_t)i + 1);
	}
	VEQ(ev[0].data, 0);
	VEQ(ev[1].data, 0);
	VEQ(ev[2].data, ENOENT);
	VEQ(kq_poll(kq, ev, 4), 1); /* knote 1 is triggered */
	VEQ(ev[0].ident, 1);
	VEQ(ev[0].flags & EV_ERROR, 0);
	/* receipts with no room: applied, nothing posted */
	VEQ(kq_kevent(kq, &ch[1], 1, NULL, 0, 0), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, ev_receipt_echoes_every_change)
{
	kq_run1(5, SIMK_POLICY_FIFO, false, t_receipt, NULL);
}

/* More changes than one batch, applied in order. */
static void t_batches(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	enum { N = 100 };
	static struct kevent ch[2 * N];
	for (int i = 0; i < N; i++)
		ch[i] = ch1((uint64_t)i, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, (uint64_t)i);
	for (int i = 0; i < N; i++) /* delete the even ones again */
		ch[N + i] =
		    ch1((uint64_t)i, EVFILT_USER, (i % 2) ? EV_DISABLE : EV_DELETE, 0, 0, 0);
	VEQ(kq_kevent(kq, ch, 2 * N, NULL, 0, 0), 0);
	VEQ(kqueue_knotes_live(), N / 2);
	static struct kevent ev[N];
	VEQ(kq_poll(kq, ev, N), 0); /* all disabled */
	for (int i = 1; i < N; i += 2)
		VEQ(kq_change(kq, (uint64_t)i, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, N), N / 2);
	for (int i = 0; i < N / 2; i++)
		VEQ(ev[i].ident, (uint64_t)(2 * i + 1)); /* queue order = enable order */
	VEQ(simk_close(kq), 0);
}

Test(kq_core, change_list_in_order_across_batches)
{
	kq_run1(6, SIMK_POLICY_FIFO, false, t_batches, NULL);
}

/* ---- flags ---- */

static void t_sysflags(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD | EV_EOF | EV_ERROR | EV_NODATA | EV_FLAG1,
		      NOTE_TRIGGER, 0, 5),
	    0);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].flags, EV_ADD); /* system flags were stripped */
	/* EV_FLAG1 cannot smuggle a kernel AIO registration either */
	VEQ(kq_change(kq, 1, EVFILT_AIO, EV_ADD | EV_FLAG1, 0, 0x1234, 0), -EPERM);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, user_system_flags_are_stripped)
{
	kq_run1(7, SIMK_POLICY_FIFO, false, t_sysflags, NULL);
}

static void t_oneshot_clear_dispatch(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[4];
	/* EV_ONESHOT: returned once, then gone */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD | EV_ONESHOT, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].flags & EV_ONESHOT, EV_ONESHOT);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(kq_poll(kq, ev, 4), 0);
	/* EV_CLEAR: returned once per trigger */
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_CLEAR, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kq_poll(kq, ev, 4), 0);
	trigger(kq, 2);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kqueue_knotes_live(), 1);
	/* no flag: level-triggered, returned every time */
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	for (int i = 0; i < 3; i++)
		VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	/* EV_DISPATCH: returned once, then disabled until re-enabled */
	VEQ(kq_change(kq, 4, EVFILT_USER, EV_ADD | EV_DISPATCH, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kq_change(kq, 4, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1); /* still triggered (level): once more */
	VEQ(kq_poll(kq, ev, 4), 0);
	/* EV_DISPATCH | EV_CLEAR: re-enable without a new trigger gives nothing */
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_ADD | EV_DISPATCH | EV_CLEAR, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].ident, 5);
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 0); /* cleared: nothing to report */
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_DISABLE, 0, 0, 0), 0);
	trigger(kq, 5); /* active while disabled: not queued */
	VEQ(kq_pending(kq), 0);
	VEQ(kq_change(kq, 5, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_pending(kq), 1); /* re-enabling an active knote queues it at once */
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, oneshot_clear_dispatch)
{
	kq_run1(8, SIMK_POLICY_FIFO, false, t_oneshot_clear_dispatch, NULL);
}

/* Disabling does not deactivate; modifying does not reset what fired. */
static void t_disable_modify(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[4];
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD, NOTE_TRIGGER | NOTE_FFCOPY | 0x5, 9, 100), 0);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DISABLE, 0, 9, 100), 0);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ENABLE, 0, 9, 200), 0);
	VEQ(kq_poll(kq, ev, 4), 1); /* still triggered */
	VEQ(ev[0].udata, 100);	    /* a user knote keeps its udata (reference) */
	VEQ(ev[0].fflags, 0x5);	    /* the modification did not reset what fired */
	/* EV_ADD on an existing knote modifies it; other filters take udata */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD, 0, 9, 300), 0);
	VEQ(kqueue_knotes_live(), 1);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].udata, 100);
	struct simk_proc *p = sim_proc_current();
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, 1), 0);
	VEQ(sig_ignore(p, SIMK_SIGUSR1, true), 0);
	VEQ(sig_kill_proc(p, SIMK_SIGUSR1), 0);
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, 2), 0); /* fired: kept */
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_DISABLE, 0, 0, 3), 0);
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ENABLE, 0, 0, 4), 0);
	VEQ(kq_poll(kq, ev, 4), 2);
	int s = ev[0].filter == EVFILT_SIGNAL ? 0 : 1;
	VEQ(ev[s].udata, 4);
	VEQ(ev[s].data, 1);
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_DELETE, 0, 0, 0), 0);
	/* EV_ADD | EV_DISABLE on a new knote: attached, not returned */
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_DISABLE, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].ident, 1);
	/* EV_DELETE wins over the pending event */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].ident, 2);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, disable_keeps_active_and_modify_keeps_fired_state)
{
	kq_run1(9, SIMK_POLICY_FIFO, false, t_disable_modify, NULL);
}

/* ---- waiting ---- */

static void t_timeouts(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	uint64_t t0 = sim_now();
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, 0), 0); /* zero polls */
	VEQ(sim_now(), t0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, 5000000), 0); /* timeout: 0 events, no error */
	VEQ(sim_now() - t0, 5000000);
	VEQ(kq_kevent(kq, NULL, 0, ev, 0, KQ_FOREVER), 0); /* nevents 0: no waiting */
	VEQ(sim_now() - t0, 5000000);
	/* a timer wakes a waiter before its timeout */
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 3, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, 10000000), 1);
	VEQ(sim_now() - t0, 8000000);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, timeouts_in_virtual_time)
{
	kq_run1(10, SIMK_POLICY_FIFO, false, t_timeouts, NULL);
}

static int g_kq;
static int g_result;

static void t_waiter(void *arg)
{
	(void)arg;
	struct kevent ev[1];
	g_result = kq_kevent(g_kq, NULL, 0, ev, 1, KQ_FOREVER);
}

static void t_eintr_main(void *arg)
{
	(void)arg;
	g_kq = simk_kqueue();
	g_result = 1;
	struct simk_thread *w = kthread_create(sim_proc_current(), "waiter", t_waiter, NULL, false);
	vt_sleep(1000000);
	VEQ(g_result, 1); /* still waiting */
	VEQ(sig_kill_thread(w, SIMK_SIGUSR1), 0);
	VEQ(kthread_join(w, NULL), 0);
	VEQ(g_result, -EINTR);
	VEQ(simk_close(g_kq), 0);
}

Test(kq_core, signal_interrupts_a_wait_with_eintr)
{
	kq_run1(11, SIMK_POLICY_FIFO, false, t_eintr_main, NULL);
}

/* Waiters are woken by a trigger from another thread; each event is seen
 * by one of them. */
static int g_seen[3];

static void t_wait_one(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct kevent ev[1];
	int r = kq_kevent(g_kq, NULL, 0, ev, 1, 50000000);
	g_seen[id] = r == 1 ? (int)ev[0].ident : r;
}

static void t_wakeup_main(void *arg)
{
	(void)arg;
	g_kq = simk_kqueue();
	VEQ(kq_change(g_kq, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_change(g_kq, 2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	struct simk_thread *a =
	    kthread_create(sim_proc_current(), "a", t_wait_one, (void *)1, false);
	struct simk_thread *b =
	    kthread_create(sim_proc_current(), "b", t_wait_one, (void *)2, false);
	vt_sleep(1000000);
	trigger(g_kq, 1);
	trigger(g_kq, 2);
	VEQ(kthread_join(a, NULL), 0);
	VEQ(kthread_join(b, NULL), 0);
	VCHECK((g_seen[1] == 1 && g_seen[2] == 2) || (g_seen[1] == 2 && g_seen[2] == 1));
	VEQ(simk_close(g_kq), 0);
}

Test(kq_core, two_waiters_each_get_one_event)
{
	for (uint64_t seed = 1; seed <= 50; seed++)
		kq_run1(seed, SIMK_POLICY_RANDOM, false, t_wakeup_main, NULL);
}

/* ---- registration lock, fork ---- */

#include "syscalls/kqueue/kq_priv.h"

static int g_order[4], g_norder;

static void t_other_registrar(void *arg)
{
	(void)arg;
	g_order[g_norder++] = 1; /* trying */
	VEQ(kq_change(g_kq, 2, EVFILT_USER, EV_ADD, 0, 0, 0), 0);
	g_order[g_norder++] = 3; /* done: only after the owner let go */
}

static void t_reglock(void *arg)
{
	(void)arg;
	g_norder = 0;
	g_kq = simk_kqueue();
	struct file *fp;
	struct kqueue *kq = kqueue_from_fd(sim_proc_current(), g_kq, &fp);
	VCHECK(kq != NULL);
	kq_reg_lock(kq);
	kq_reg_lock(kq); /* recursion: no deadlock */
	struct simk_thread *t =
	    kthread_create(sim_proc_current(), "other", t_other_registrar, NULL, false);
	vt_sleep(1000000); /* the other thread runs and waits for the lock */
	VEQ(g_norder, 1);
	struct kevent kev;
	ev_set(&kev, 1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0);
	VEQ(kqueue_register(kq, &kev), 0); /* nested registration by the owner */
	kq_reg_unlock(kq);
	vt_sleep(1000000);
	VEQ(g_norder, 1); /* still held once */
	g_order[g_norder++] = 2;
	kq_reg_unlock(kq);
	VEQ(kthread_join(t, NULL), 0);
	VEQ(g_norder, 3);
	VEQ(g_order[0] * 100 + g_order[1] * 10 + g_order[2], 123);
	VEQ(kqueue_knotes_live(), 2);
	file_put(fp);
	VEQ(simk_close(g_kq), 0);
}

Test(kq_core, one_registering_thread_at_a_time_and_recursion)
{
	kq_run1(12, SIMK_POLICY_FIFO, false, t_reglock, NULL);
}

static void child_check_fds(void *arg)
{
	int kqfd = (int)(intptr_t)arg;
	struct kevent ev[2];
	VEQ(kq_poll(kqfd, ev, 2), -EBADF);    /* not inherited */
	VEQ(fd_count(sim_proc_current()), 2); /* the pipe's ends are */
	proc_exit(0);
}

static void t_fork_no_inherit(void *arg)
{
	(void)arg;
	int p[2];
	uaddr_t u = vt_ubuf(8);
	VEQ(simk_pipe(u), 0);
	vt_uget(u, p, sizeof(p));
	int kq = simk_kqueue();
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	int pid = proc_fork("child", child_check_fds, (void *)(intptr_t)kq);
	VCHECK(pid > 0);
	int st = -1;
	VEQ(proc_wait(pid, &st), pid);
	VEQ(st, 0);
	VEQ(kqueue_knotes_live(), 1); /* the parent's registration is untouched */
	VEQ(vt_write_str(p[1], "x"), 1);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, kqueue_not_inherited_across_fork)
{
	kq_run1(13, SIMK_POLICY_FIFO, false, t_fork_no_inherit, NULL);
}

/* Process exit closes every kqueue of the process: nothing leaks although
 * the test never closes anything. */
static void t_exit_cleans(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int p[2];
	uaddr_t u = vt_ubuf(8);
	VEQ(simk_pipe(u), 0);
	vt_uget(u, p, sizeof(p));
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, 0, 5, 0), 0);
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, 0, EVFILT_FS, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)kq, EVFILT_READ, EV_ADD, 0, 0, 0), 0); /* itself */
	VEQ(kqueue_knotes_live(), 5);
}

Test(kq_core, process_exit_releases_everything)
{
	kq_run1(14, SIMK_POLICY_FIFO, false, t_exit_cleans, NULL);
}

/* ---- flag combinations ---- */

static void t_flag_combos(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[4];
	/* EV_ADD | EV_DELETE: the add wins (the reference tests EV_ADD first) */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD | EV_DELETE, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kqueue_knotes_live(), 1);
	/* EV_DISABLE | EV_ENABLE in one change: disabled, then enabled */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DISABLE | EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	/* EV_ONESHOT | EV_DISPATCH: one-shot wins, the knote is gone */
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_ONESHOT | EV_DISPATCH, NOTE_TRIGGER, 0, 0),
	    0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kqueue_knotes_live(), 0);
	/* EV_ONESHOT while disabled: not returned, not deleted */
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_ADD | EV_ONESHOT | EV_DISABLE, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kqueue_knotes_live(), 1);
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kqueue_knotes_live(), 0);
	/* EV_ONESHOT | EV_CLEAR on a timer: one expiry, then gone */
	VEQ(kq_change(kq, 4, EVFILT_TIMER, EV_ADD | EV_ONESHOT | EV_CLEAR, 0, 1, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].data, 1);
	VEQ(kqueue_timers_live(), 0);
	/* EV_DISPATCH on a level-triggered pipe: once per enable */
	int p[2];
	uaddr_t u = vt_ubuf(8);
	VEQ(simk_pipe(u), 0);
	vt_uget(u, p, sizeof(p));
	VEQ(vt_write_str(p[1], "abc"), 3);
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD | EV_DISPATCH, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 3);
	/* EV_DISPATCH | EV_CLEAR on the pipe: re-enabling without new data
	 * gives nothing; new data while disabled fires on enable */
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD | EV_DISPATCH | EV_CLEAR, 0, 0, 0),
	    0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(vt_write_str(p[1], "d"), 1);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ENABLE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 4);
	VEQ(simk_close(p[0]), 0);
	VEQ(simk_close(p[1]), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_core, flag_combinations)
{
	kq_run1(15, SIMK_POLICY_FIFO, false, t_flag_combos, NULL);
}

/* Allocation faults at every step of a workload: every call succeeds or
 * reports ENOMEM (or EBADF/EMFILE for a descriptor that could not be
 * made), and the run leaks nothing. */
static int g_fault_nth, g_enomem_seen;

static int one(int kq, uaddr_t uch, uint64_t ident, int16_t filter, uint16_t flags, uint32_t fflags,
	       int64_t data)
{
	struct kevent ch;
	ev_set(&ch, ident, filter, flags, fflags, data, 0);
	vt_uput(uch, &ch, sizeof(ch));
	return simk_kevent(kq, uch, 1, 0, 0, 0);
}

static void t_enomem(void *arg)
{
	(void)arg;
	/* user memory first: it comes from kmem too */
	uaddr_t u = vt_ubuf(8), uch = vt_ubuf(sizeof(struct kevent));
	uaddr_t uev = vt_ubuf(4 * sizeof(struct kevent));
	struct kq_timespec ts = {0, 2000000};
	uaddr_t uts = vt_ubytes(&ts, sizeof(ts));
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%llu",
		 (unsigned long long)(sim_fault_hits("kmem/alloc/enomem") + (uint64_t)g_fault_nth));
	vt_fault(spec);
	int kq = simk_kqueue();
	if (kq < 0) {
		VEQ(kq, -ENOMEM);
		g_enomem_seen++;
		return;
	}
	int sv[2] = {-1, -1};
	int r = simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, u);
	VCHECK(r == 0 || r == -ENOMEM);
	if (r == 0)
		vt_uget(u, sv, sizeof(sv));
	g_enomem_seen += r == -ENOMEM;
	int rs[4];
	rs[0] = one(kq, uch, 1, EVFILT_TIMER, EV_ADD, 0, 1);
	rs[1] = one(kq, uch, 2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0);
	rs[2] = one(kq, uch, (uint64_t)sv[0], EVFILT_READ, EV_ADD, 0, 0);
	rs[3] = one(kq, uch, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0);
	for (int i = 0; i < 4; i++) {
		VCHECK(rs[i] == 0 || rs[i] == -ENOMEM || (i == 2 && sv[0] < 0 && rs[i] == -EBADF));
		g_enomem_seen += rs[i] == -ENOMEM;
	}
	int n = simk_kevent(kq, 0, 0, uev, 4, uts);
	VCHECK(n >= 0);
	if (sv[0] >= 0) {
		VEQ(simk_close(sv[0]), 0);
		VEQ(simk_close(sv[1]), 0);
	}
	VEQ(simk_close(kq), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(kqueue_timers_live(), 0);
}

Test(kq_core, allocation_faults_everywhere_leak_nothing)
{
	g_enomem_seen = 0;
	for (g_fault_nth = 1; g_fault_nth <= 12; g_fault_nth++)
		kq_run1(16, SIMK_POLICY_FIFO, false, t_enomem, NULL);
	cr_assert_gt(g_enomem_seen, 3, "faults were injected into kqueue calls");
}
