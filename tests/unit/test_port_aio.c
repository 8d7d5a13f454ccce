/* Event ports: the kernel-source API (PORT_SOURCE_AIO) exercised by a test
 * source — slot flavours, callbacks and refusal, removal, close callbacks,
 * the static source table, port_dispatch. */
#include "port_test.h"

/* ---- a kernel test source ---- */

struct tsrc {
	int cb_default, cb_close, cb_dissoc;
	int refuse; /* refuse this many delivery attempts */
	int set_events;
	int close_calls, close_last, close_pid;
	struct port_kevent *held[4]; /* slots to free at the last close */
	int nheld;
	uint64_t free_delay_ns; /* 0: free in the close callback */
	struct callout co;
};

static struct tsrc src;

static int tsrc_cb(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	struct tsrc *t = arg;
	(void)pid;
	(void)k;
	if (flag == PORT_CALLBACK_CLOSE) {
		t->cb_close++;
		return 0;
	}
	if (flag == PORT_CALLBACK_DISSOCIATE) {
		t->cb_dissoc++;
		return 0;
	}
	t->cb_default++;
	if (t->refuse > 0) {
		t->refuse--;
		return EACCES;
	}
	if (t->set_events)
		*events = t->set_events;
	return 0;
}

static void tsrc_free_later(void *arg)
{
	struct tsrc *t = arg;
	for (int i = 0; i < t->nheld; i++)
		port_free_event(t->held[i]);
	t->nheld = 0;
}

static void tsrc_close(void *arg, struct port *pp, int pid, bool lastclose)
{
	struct tsrc *t = arg;
	(void)pp;
	t->close_calls++;
	t->close_pid = pid;
	if (!lastclose)
		return;
	t->close_last++;
	if (t->free_delay_ns == 0) {
		tsrc_free_later(t);
	} else {
		callout_init(&t->co, "tsrc_free");
		callout_reset(&t->co, t->free_delay_ns, tsrc_free_later, t);
	}
}

static void tsrc_reset(void)
{
	memset(&src, 0, sizeof(src));
}

static struct port_kevent *alloc_slot(int port, int flags)
{
	struct port_kevent *k = NULL;
	int r = port_alloc_event_fd(NULL, port, flags, PORT_SOURCE_AIO, &k);
	if (r != 0)
		sim_fail(SIMK_FAIL_EXPECT, "port_alloc_event_fd: %d", r);
	return k;
}

/* ---- flavours ---- */

static struct port_kevent *irq_kev;
static void send_irq(void *arg)
{
	(void)arg;
	VCHECK(sim_in_irq());
	port_send_event(irq_kev);
}

static void t_default(void *arg)
{
	(void)arg;
	tsrc_reset();
	src.set_events = 99;
	int port = simk_port_create();
	struct port_kevent *k = alloc_slot(port, PORT_ALLOC_DEFAULT);
	VEQ(pt_stats().slots_live, 1);
	port_init_event(k, 0x1000, 0x2000, tsrc_cb, &src);
	port_set_event(k, 5);
	VEQ(port_kevent_pid(k), sim_proc_current()->pid);
	VEQ(port_kevent_queued(k), false);
	irq_kev = k;
	static struct callout co;
	callout_init(&co, "send");
	callout_reset(&co, 1000, send_irq, NULL); /* sent from interrupt context */
	port_event_t ev;
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), 1000);
	VEQ(ev.portev_source, PORT_SOURCE_AIO);
	VEQ(ev.portev_events, 99); /* the callback's word */
	VEQ(ev.portev_object, 0x1000);
	VEQ(ev.portev_user, 0x2000);
	VEQ(src.cb_default, 1);
	VEQ(pt_stats().slots_live, 0); /* DEFAULT: freed by delivery */
	VEQ(simk_close(port), 0);
}

Test(port_aio, default_slot_sent_from_interrupt_is_freed_by_delivery)
{
	pt_run1(t_default, NULL);
}

/* Events left on the get list go back ahead of events sent while it was
 * being walked: queue order survives a partial retrieval. */
static int order_port;
static int send_during_cb(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	(void)arg;
	(void)events;
	(void)pid;
	(void)k;
	if (flag == PORT_CALLBACK_DEFAULT)
		/* a source callback is kernel code: the handler, not the stub */
		VEQ(sys_port_send(order_port, 3, 0xc), 0); /* no port lock held here */
	return 0;
}

static void t_leftover_order(void *arg)
{
	(void)arg;
	order_port = simk_port_create();
	struct port_kevent *k = alloc_slot(order_port, PORT_ALLOC_DEFAULT);
	port_init_event(k, 0xa, 0xa, send_during_cb, NULL);
	port_set_event(k, 1);
	port_send_event(k);			    /* A */
	VEQ(simk_port_send(order_port, 2, 0xb), 0); /* B */
	port_event_t evs[3];
	unsigned n = 1;
	VEQ(pt_getn(order_port, evs, 1, &n, &pt_poll), 0); /* takes A; C is sent meanwhile */
	VEQ(n, 1);
	VEQ(evs[0].portev_user, 0xa);
	n = 2;
	VEQ(pt_getn(order_port, evs, 3, &n, &pt_poll), 0);
	VEQ(n, 2);
	VEQ(evs[0].portev_user, 0xb); /* B was queued before C */
	VEQ(evs[1].portev_user, 0xc);
	VEQ(simk_close(order_port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_aio, events_left_on_the_get_list_stay_ahead_of_events_sent_meanwhile)
{
	pt_run1(t_leftover_order, NULL);
}

static void t_scached(void *arg)
{
	(void)arg;
	tsrc_reset();
	int port = simk_port_create();
	struct port_kevent *k = alloc_slot(port, PORT_ALLOC_SCACHED);
	port_init_event(k, 1, 2, tsrc_cb, &src);
	for (int round = 0; round < 3; round++) {
		port_set_event(k, 10 + round);
		port_send_event(k);
		VEQ(port_kevent_queued(k), true);
		port_event_t ev;
		VEQ(pt_get(port, &ev, &pt_poll), 0);
		VEQ(ev.portev_events, 10 + round);
		VEQ(port_kevent_queued(k), false);
		VEQ(pt_stats().slots_live, 1); /* back to the source */
	}
	port_free_event(k);
	VEQ(pt_stats().slots_live, 0);
	VEQ(simk_close(port), 0);
}

Test(port_aio, scached_slot_comes_back_to_the_source_and_is_sent_again)
{
	pt_run1(t_scached, NULL);
}

static void t_cached(void *arg)
{
	(void)arg;
	tsrc_reset();
	int port = simk_port_create();
	struct port_kevent *k = alloc_slot(port, PORT_ALLOC_CACHED);
	port_init_event(k, 1, 2, tsrc_cb, &src);
	port_send_event(k);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(pt_stats().slots_live, 1);
	port_send_event(k); /* queued at close: discarded, then freed by the port */
	VEQ(simk_close(port), 0);
	VEQ(src.cb_close, 1);
	VEQ(pt_stats().slots_live, 0);
	VEQ(pt_stats().events_discarded, 1);
}

Test(port_aio, cached_slot_is_freed_by_the_port_at_last_close)
{
	pt_run1(t_cached, NULL);
}

static void t_private(void *arg)
{
	(void)arg;
	struct port_limits l;
	port_limits_get(&l);
	l.events_max = 2;
	VEQ(port_limits_set(&l), 0);
	int port = simk_port_create();
	struct port_kevent *p1 = alloc_slot(port, PORT_ALLOC_PRIVATE);
	struct port_kevent *p2 = alloc_slot(port, PORT_ALLOC_PRIVATE | PORT_ALLOC_NOSHARE);
	struct port_kevent *k;
	VEQ(port_alloc_event_fd(NULL, port, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -EAGAIN);
	VEQ(simk_port_send(port, 1, 0), -EAGAIN);
	port_free_event(p1);
	VEQ(simk_port_send(port, 1, 0), 0);
	port_free_event(p2);
	VEQ(simk_close(port), 0);
}

Test(port_aio, private_slots_count_against_the_event_limit)
{
	pt_run1(t_private, NULL);
}

static void t_private_send(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	struct port_kevent *k = alloc_slot(port, PORT_ALLOC_PRIVATE);
	port_send_event(k);
}

Test(port_aio, sending_a_private_slot_is_a_kernel_panic)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_private_send, NULL);
	enum simk_outcome o = simk_run(s);
	cr_assert_eq(o, SIMK_FAIL_PANIC, "%s", simk_failure_reason(s));
	cr_assert(strstr(simk_failure_reason(s), "private") != NULL, "%s", simk_failure_reason(s));
	simk_destroy(s);
}

static void t_bad_alloc(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	int f = vt_open("/f", O_CREAT | O_RDWR, 0644);
	struct port_kevent *k;
	VEQ(port_alloc_event_fd(NULL, port, PORT_ALLOC_DEFAULT, 0, &k), -EINVAL);
	VEQ(port_alloc_event_fd(NULL, port, PORT_ALLOC_DEFAULT, PORT_SOURCE_MAX, &k), -EINVAL);
	VEQ(port_alloc_event_fd(NULL, port, 0x100, PORT_SOURCE_AIO, &k), -EINVAL);
	VEQ(port_alloc_event_fd(NULL, 55, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -EBADF);
	VEQ(port_alloc_event_fd(NULL, f, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -EBADFD);
	struct port *pp;
	VEQ(port_hold_fd(NULL, f, &pp), -EBADFD);
	VEQ(port_hold_fd(NULL, 55, &pp), -EBADF);
	VEQ(port_hold_fd(NULL, port, &pp), 0);
	port_rele(pp);
	VEQ(pt_stats().slots_live, 0);
	/* a port whose last descriptor is closed refuses slots and sources */
	VEQ(port_hold_fd(NULL, port, &pp), 0);
	VEQ(simk_close(port), 0);
	VEQ(port_alloc_event(pp, NULL, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -EBADFD);
	struct port_source *ps;
	VEQ(port_associate_ksource(pp, PORT_SOURCE_AIO, NULL, NULL, &ps), -EBADFD);
	port_rele(pp);
	VEQ(simk_close(f), 0);
}

Test(port_aio, allocation_errors_einval_ebadf_ebadfd)
{
	pt_run1(t_bad_alloc, NULL);
}

static void t_enomem(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	vt_fault("kmem/alloc/enomem:nth=1");
	struct port_kevent *k;
	VEQ(port_alloc_event_fd(NULL, port, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -ENOMEM);
	VEQ(simk_port_send(port, 1, 0), 0); /* the next allocation works */
	VEQ(simk_close(port), 0);
}

Test(port_aio, allocation_under_enomem_fault_returns_enomem)
{
	pt_run1(t_enomem, NULL);
}

/* ---- refusal, removal ---- */

static void t_refuse(void *arg)
{
	(void)arg;
	tsrc_reset();
	int port = simk_port_create();
	struct port_kevent *a = alloc_slot(port, PORT_ALLOC_DEFAULT);
	port_init_event(a, 0, 0xa, tsrc_cb, &src);
	port_send_event(a);
	VEQ(simk_port_send(port, 1, 0xb), 0);
	src.refuse = 1;
	port_event_t ev[4];
	unsigned n = 1;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 1);
	VEQ(ev[0].portev_user, 0xb); /* a was refused, b delivered */
	VEQ(pt_stats().events_refused, 1);
	VEQ(simk_port_send(port, 1, 0xc), 0);
	n = 1;
	VEQ(pt_getn(port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 2);
	VEQ(ev[0].portev_user, 0xa); /* still first in the queue */
	VEQ(ev[1].portev_user, 0xc);
	VEQ(src.cb_default, 2);
	VEQ(simk_close(port), 0);
}

Test(port_aio, a_refused_event_stays_queued_in_place)
{
	pt_run1(t_refuse, NULL);
}

static void t_remove(void *arg)
{
	(void)arg;
	tsrc_reset();
	int port = simk_port_create();
	struct port_kevent *k = alloc_slot(port, PORT_ALLOC_SCACHED);
	port_init_event(k, 0, 1, tsrc_cb, &src);
	VEQ(port_remove_done_event(k), false); /* never sent */
	port_send_event(k);
	VEQ(pt_count(port), 1);
	VEQ(port_remove_done_event(k), true);
	VEQ(pt_count(port), 0);
	VEQ(pt_stats().events_removed, 1);
	port_send_event(k);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(port_remove_done_event(k), false); /* delivered already */
	port_send_event(k);
	port_free_event(k); /* a queued slot: removed, never delivered */
	VEQ(pt_count(port), 0);
	VEQ(pt_stats().events_removed, 2);
	VEQ(pt_stats().slots_live, 0);
	VEQ(src.cb_default, 1);
	VEQ(simk_close(port), 0);
}

Test(port_aio, remove_done_event_and_free_of_a_queued_event)
{
	pt_run1(t_remove, NULL);
}

/* ---- close callbacks ---- */

static void t_close_child(void *arg)
{
	int port = *(int *)arg;
	VEQ(simk_close(port), 0);
}

static void t_ksource_close(void *arg)
{
	(void)arg;
	static int port;
	tsrc_reset();
	src.free_delay_ns = 1000000;
	port = simk_port_create();
	struct port *pp;
	VEQ(port_hold_fd(NULL, port, &pp), 0);
	struct port_source *ps, *ps2;
	VEQ(port_associate_ksource(pp, PORT_SOURCE_AIO, tsrc_close, &src, &ps), 0);
	VEQ(port_associate_ksource(pp, PORT_SOURCE_AIO, tsrc_close, &src, &ps2), 0);
	VCHECK(ps == ps2); /* counted */
	VEQ(port_dissociate_ksource(pp, PORT_SOURCE_AIO, ps2), 0);
	VEQ(port_dissociate_ksource(pp, PORT_SOURCE_TIMER, ps), -EINVAL);
	VEQ(port_associate_ksource(pp, 0, tsrc_close, &src, NULL), -EINVAL);
	port_rele(pp);
	src.held[src.nheld++] = alloc_slot(port, PORT_ALLOC_SCACHED);
	src.held[src.nheld++] = alloc_slot(port, PORT_ALLOC_DEFAULT);
	int c = proc_fork("child", t_close_child, &port);
	VCHECK(c > 0);
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(src.close_calls, 1); /* the child's close */
	VEQ(src.close_pid, c);
	VEQ(src.close_last, 0);
	uint64_t t0 = sim_now();
	VEQ(simk_close(port), 0);
	VEQ(src.close_last, 1);
	VEQ(src.close_pid, sim_proc_current()->pid);
	VEQ(sim_now() - t0, 1000000); /* waited until the slots came back */
	VEQ(pt_stats().slots_live, 0);
	VEQ(pt_stats().ports_live, 0);
}

Test(port_aio, close_callbacks_for_each_close_and_last_close_waits_for_every_slot)
{
	pt_run1(t_ksource_close, NULL);
}

/* A slot sent after the last close is discarded at once. */
static void late_send(void *arg)
{
	struct tsrc *t = arg;
	port_send_event(t->held[0]);
	tsrc_free_later(t);
}

static void late_close(void *arg, struct port *pp, int pid, bool lastclose)
{
	struct tsrc *t = arg;
	(void)pp;
	(void)pid;
	struct port_kevent *k;
	/* no new slots once the port closes */
	VEQ(port_alloc_event(pp, NULL, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), -EBADFD);
	if (lastclose) {
		callout_init(&t->co, "late");
		callout_reset(&t->co, 500, late_send, t);
	}
}

static void t_late_send(void *arg)
{
	(void)arg;
	tsrc_reset();
	int port = simk_port_create();
	struct port *pp;
	VEQ(port_hold_fd(NULL, port, &pp), 0);
	VEQ(port_associate_ksource(pp, PORT_SOURCE_AIO, late_close, &src, NULL), 0);
	port_rele(pp);
	src.held[src.nheld++] = alloc_slot(port, PORT_ALLOC_SCACHED);
	port_init_event(src.held[0], 0, 0, tsrc_cb, &src);
	VEQ(simk_close(port), 0);
	VEQ(src.cb_close, 1); /* discarded with PORT_CALLBACK_CLOSE */
	struct port_stats st = pt_stats();
	VEQ(st.events_sent, 1);
	VEQ(st.events_discarded, 1);
	VEQ(st.slots_live, 0);
}

Test(port_aio, a_send_after_the_last_close_is_discarded)
{
	pt_run1(t_late_send, NULL);
}

/* A source that never gives its slot back keeps close waiting: the run
 * ends as a deadlock naming the wait. */
static void t_stuck(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	(void)alloc_slot(port, PORT_ALLOC_SCACHED);
	simk_close(port);
}

Test(port_aio, a_slot_never_returned_keeps_close_waiting)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_stuck, NULL);
	enum simk_outcome o = simk_run(s);
	cr_assert_eq(o, SIMK_FAIL_DEADLOCK, "%s", simk_failure_reason(s));
	cr_assert(strstr(simk_failure_reason(s), "port_close_slots") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

/* ---- the static table ---- */

static int static_calls;
static void static_close(void *arg, struct port *pp, int pid, bool lastclose)
{
	(void)arg;
	(void)pp;
	(void)pid;
	if (lastclose)
		static_calls++;
}

static void t_static(void *arg)
{
	(void)arg;
	static_calls = 0;
	int a = simk_port_create(), b = simk_port_create();
	VEQ(simk_close(a), 0);
	VEQ(simk_close(b), 0);
	VEQ(static_calls, 2);
}

Test(port_aio, statically_registered_source_is_told_about_every_port)
{
	port_ksource_register(PORT_SOURCE_AIO, static_close, NULL);
	port_ksource_register(PORT_SOURCE_AIO, static_close, NULL); /* once */
	pt_run1(t_static, NULL);
}

/* ---- port_dispatch ---- */

static struct {
	int port;
	int result;
	uint64_t at;
} disp;

static void t_dispatcher(void *arg)
{
	(void)arg;
	disp.result = port_dispatch(NULL, disp.port, 0, PORT_SOURCE_AIO, 3, 0x30, 0x31);
	disp.at = sim_now();
}

static void t_dispatch_block(void *arg)
{
	(void)arg;
	struct port_limits l;
	port_limits_get(&l);
	l.events_max = 1;
	VEQ(port_limits_set(&l), 0);
	disp.port = simk_port_create();
	disp.result = 1;
	VEQ(simk_port_send(disp.port, 1, 1), 0); /* the port is full */
	kthread_create(sim_proc_current(), "dispatcher", t_dispatcher, NULL, false);
	vt_sleep(1000);
	VEQ(disp.result, 1); /* sleeping for a slot */
	port_event_t ev;
	VEQ(pt_get(disp.port, &ev, NULL), 0); /* frees the slot */
	vt_sleep(1000);
	VEQ(disp.result, 0);
	VEQ(disp.at, 1000);
	VEQ(pt_get(disp.port, &ev, NULL), 0);
	VEQ(ev.portev_source, PORT_SOURCE_AIO);
	VEQ(ev.portev_events, 3);
	VEQ(ev.portev_object, 0x30);
	VEQ(ev.portev_user, 0x31);
	/* errors */
	VEQ(port_dispatch(NULL, disp.port, 0, PORT_SOURCE_USER, 1, 0, 0), -EINVAL);
	VEQ(port_dispatch(NULL, disp.port, 0x8, PORT_SOURCE_AIO, 1, 0, 0), -EINVAL);
	VEQ(port_dispatch(NULL, 77, 0, PORT_SOURCE_AIO, 1, 0, 0), -EBADF);
	/* interrupted while waiting, then the port closed while waiting */
	VEQ(simk_port_send(disp.port, 1, 1), 0);
	disp.result = 1;
	struct simk_thread *t =
	    kthread_create(sim_proc_current(), "dispatcher", t_dispatcher, NULL, false);
	vt_sleep(1000);
	VEQ(sig_kill_thread(t, SIMK_SIGUSR1), 0);
	vt_sleep(1000);
	VEQ(disp.result, -EINTR);
	disp.result = 1;
	kthread_create(sim_proc_current(), "dispatcher", t_dispatcher, NULL, false);
	vt_sleep(1000);
	VEQ(simk_close(disp.port), 0);
	vt_sleep(1000);
	VEQ(disp.result, -EBADFD);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_aio, dispatch_sleeps_for_a_free_slot_eintr_ebadfd_einval)
{
	pt_run1(t_dispatch_block, NULL);
}

/* Non-shareable dispatched events: the other process of a shared port
 * cannot take them; the owner can. */
static struct {
	int port;
	int child_r;
	unsigned child_n;
	port_event_t child_ev[4];
} ns;

static void t_ns_child(void *arg)
{
	(void)arg;
	unsigned n = 1;
	ns.child_r = pt_getn(ns.port, ns.child_ev, 4, &n, &pt_poll);
	ns.child_n = n;
	/* the child's own non-shareable event */
	VEQ(port_dispatch(NULL, ns.port, PORT_DISPATCH_NOSHARE, PORT_SOURCE_AIO, 2, 0, 0x22), 0);
}

static void t_noshare(void *arg)
{
	(void)arg;
	ns.port = simk_port_create();
	VEQ(port_dispatch(NULL, ns.port, PORT_DISPATCH_NOSHARE, PORT_SOURCE_AIO, 1, 0, 0x11), 0);
	VEQ(port_dispatch(NULL, ns.port, 0, PORT_SOURCE_AIO, 1, 0, 0x12), 0); /* shareable */
	int c = proc_fork("child", t_ns_child, NULL);
	VCHECK(c > 0);
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(ns.child_r, 0);
	VEQ(ns.child_n, 1);
	VEQ(ns.child_ev[0].portev_user, 0x12); /* only the shareable one */
	/* the child exited: its private event went with its close */
	port_event_t ev[4];
	unsigned n = 1;
	VEQ(pt_getn(ns.port, ev, 4, &n, &pt_poll), 0);
	VEQ(n, 1);
	VEQ(ev[0].portev_user, 0x11);
	struct port_stats s = pt_stats();
	VEQ(s.events_discarded, 1);
	VCHECK(s.events_refused >= 1);
	VEQ(simk_close(ns.port), 0);
}

Test(port_aio, noshare_events_are_only_for_their_process_and_go_with_its_close)
{
	pt_run1(t_noshare, NULL);
}
