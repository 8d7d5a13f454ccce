/* Event ports: the port as a file, user events, sendn, alert, limits. */
#include "port_test.h"

/* ---- the port is a file ---- */

static void t_create_close(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VCHECK(port >= 0);
	VEQ(pt_stats().ports_live, 1);
	struct simk_stat st = vt_fstat(port);
	VEQ(st.st_type, FT_PORT);
	VEQ(st.st_size, 0);
	VEQ(simk_port_send(port, 5, 0x1234), 0);
	VEQ(vt_fstat(port).st_size, 1);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().ports_live, 0);
	VEQ(pt_stats().slots_live, 0);
	VEQ(pt_stats().events_discarded, 1); /* the queued user event */
	VEQ(simk_port_send(port, 1, 0), -EBADF);
	VEQ(simk_close(port), -EBADF);
}

Test(port_file, create_fstat_close_frees_everything)
{
	pt_run1(t_create_close, NULL);
}

static void t_not_a_port(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	port_event_t ev;
	unsigned n = 1;
	VEQ(simk_port_send(fd, 1, 0), -EBADFD);
	VEQ(simk_port_alert(fd, PORT_ALERT_SET, 1, 0), -EBADFD);
	VEQ(simk_port_associate(fd, PORT_SOURCE_FD, 0, PORT_POLLIN, 0), -EBADFD);
	VEQ(simk_port_dissociate(fd, PORT_SOURCE_FD, 0), -EBADFD);
	VEQ(pt_get(fd, &ev, &pt_poll), -EBADFD);
	VEQ(pt_getn(fd, &ev, 1, &n, &pt_poll), -EBADFD);
	VEQ(simk_port_send(77, 1, 0), -EBADF);
	VEQ(simk_port_send(-1, 1, 0), -EBADF);
	VEQ(pt_get(77, &ev, &pt_poll), -EBADF);
	VEQ(simk_port_alert(77, PORT_ALERT_SET, 1, 0), -EBADF);
	VEQ(simk_port_associate(77, PORT_SOURCE_FD, 0, PORT_POLLIN, 0), -EBADF);
	VEQ(simk_port_dissociate(77, PORT_SOURCE_FD, 0), -EBADF);
	VEQ(simk_close(fd), 0);
}

Test(port_file, calls_on_a_non_port_fd_return_ebadfd_and_closed_fd_ebadf)
{
	pt_run1(t_not_a_port, NULL);
}

static void t_poll(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	struct simk_pollfd {
		int32_t fd;
		int16_t events, revents;
	} pfd = {port, POLLIN, 0};
	uaddr_t u = vt_ubytes(&pfd, sizeof(pfd));
	VEQ(simk_poll(u, 1, 0), 0);
	VEQ(simk_port_send(port, 1, 0), 0);
	VEQ(simk_poll(u, 1, 0), 1);
	vt_uget(u, &pfd, sizeof(pfd));
	VEQ(pfd.revents, POLLIN);
	port_event_t ev;
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(simk_poll(u, 1, 0), 0);
	VEQ(simk_close(port), 0);
}

Test(port_file, poll_reports_pollin_while_events_are_queued)
{
	pt_run1(t_poll, NULL);
}

/* A thread blocked in poll(2) on a port wakes when an event is sent. */
static int poll_woke;
static void t_poll_sleeper(void *arg)
{
	int port = *(int *)arg;
	struct {
		int32_t fd;
		int16_t events, revents;
	} pfd = {port, POLLIN, 0};
	uaddr_t u = vt_ubytes(&pfd, sizeof(pfd));
	VEQ(simk_poll(u, 1, -1), 1);
	poll_woke = 1;
}

static void t_poll_block(void *arg)
{
	(void)arg;
	static int port;
	port = simk_port_create();
	poll_woke = 0;
	kthread_create(sim_proc_current(), "poller", t_poll_sleeper, &port, false);
	vt_sleep(1000);
	VEQ(poll_woke, 0);
	VEQ(simk_port_send(port, 1, 0), 0);
	vt_sleep(1000);
	VEQ(poll_woke, 1);
	VEQ(simk_close(port), 0);
}

Test(port_file, blocking_poll_wakes_on_send)
{
	pt_run1(t_poll_block, NULL);
}

/* ---- user events ---- */

static void t_send_get(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	for (int i = 0; i < 5; i++)
		VEQ(simk_port_send(port, 100 + i, 0x1000 + (uint64_t)i), 0);
	VEQ(pt_count(port), 5);
	port_event_t ev;
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(ev.portev_source, PORT_SOURCE_USER);
	VEQ(ev.portev_events, 100);
	VEQ(ev.portev_user, 0x1000);
	VEQ(ev.portev_object, 0);
	port_event_t evs[8];
	unsigned n = 1;
	VEQ(pt_getn(port, evs, 8, &n, NULL), 0);
	VEQ(n, 4); /* waits for 1, returns up to max */
	for (int i = 0; i < 4; i++) {
		VEQ(evs[i].portev_events, 101 + i); /* queue order */
		VEQ(evs[i].portev_user, 0x1001 + (uint64_t)i);
	}
	VEQ(pt_count(port), 0);
	struct port_stats st = pt_stats();
	VEQ(st.events_sent, 5);
	VEQ(st.events_delivered, 5);
	VEQ(st.slots_live, 0);
	VEQ(simk_close(port), 0);
}

Test(port_user, events_are_delivered_once_in_queue_order)
{
	pt_run1(t_send_get, NULL);
}

static void t_limits(void *arg)
{
	(void)arg;
	struct port_limits l;
	port_limits_get(&l);
	VEQ(l.ports_max, PORT_PORTS_MAX_DEFAULT);
	VEQ(l.events_max, PORT_EVENTS_MAX_DEFAULT);
	l.ports_max = 2;
	l.events_max = 3;
	VEQ(port_limits_set(&l), 0);
	int a = simk_port_create(), b = simk_port_create();
	VCHECK(a >= 0 && b >= 0);
	VEQ(simk_port_create(), -EAGAIN);
	for (int i = 0; i < 3; i++)
		VEQ(simk_port_send(a, 1, 0), 0);
	VEQ(simk_port_send(a, 1, 0), -EAGAIN);
	port_event_t ev;
	VEQ(pt_get(a, &ev, NULL), 0);
	VEQ(simk_port_send(a, 1, 0), 0);
	VEQ(simk_close(b), 0);
	int c = simk_port_create();
	VCHECK(c >= 0);
	l.events_max = 0;
	VEQ(port_limits_set(&l), -EINVAL);
	VEQ(simk_close(a), 0);
	VEQ(simk_close(c), 0);
}

Test(port_user, limits_ports_per_system_and_events_per_port_return_eagain)
{
	pt_run1(t_limits, NULL);
}

static void t_sendn(void *arg)
{
	(void)arg;
	vt_setup();
	struct port_limits l;
	port_limits_get(&l);
	l.events_max = 1;
	l.list_max = 8;
	VEQ(port_limits_set(&l), 0);
	int a = simk_port_create(), b = simk_port_create();
	int f = vt_open("/x", O_CREAT | O_RDWR, 0644);
	int32_t ports[4] = {a, 99, f, b};
	uaddr_t up = vt_ubytes(ports, sizeof(ports));
	uaddr_t ue = vt_ubuf(sizeof(ports));
	VEQ(simk_port_sendn(up, ue, 4, 7, 0x77), -EIO);
	int32_t errs[4];
	vt_uget(ue, errs, sizeof(errs));
	VEQ(errs[0], 0);
	VEQ(errs[1], EBADF);
	VEQ(errs[2], EBADFD);
	VEQ(errs[3], 0);
	/* both ports now full: EAGAIN per entry */
	int32_t full[2] = {a, b};
	uaddr_t uf = vt_ubytes(full, sizeof(full));
	VEQ(simk_port_sendn(uf, ue, 2, 7, 0x77), -EIO);
	vt_uget(ue, errs, 2 * sizeof(int32_t));
	VEQ(errs[0], EAGAIN);
	VEQ(errs[1], EAGAIN);
	port_event_t ev;
	VEQ(pt_get(a, &ev, NULL), 0);
	VEQ(ev.portev_events, 7);
	VEQ(ev.portev_user, 0x77);
	VEQ(pt_get(b, &ev, NULL), 0);
	VEQ(simk_port_sendn(uf, ue, 2, 8, 0), 2); /* all good: the count */
	VEQ(simk_port_sendn(uf, ue, 0, 8, 0), -EINVAL);
	VEQ(simk_port_sendn(uf, ue, 9, 8, 0), -EINVAL);
	VEQ(simk_port_sendn(0, ue, 2, 8, 0), -EFAULT);
	int32_t bad[1] = {99};
	uaddr_t ub = vt_ubytes(bad, sizeof(bad));
	VEQ(simk_port_sendn(ub, 0, 1, 8, 0), -EFAULT); /* errors not writable */
	VEQ(simk_close(a), 0);
	VEQ(simk_close(b), 0);
	VEQ(simk_close(f), 0);
}

Test(port_user, sendn_reports_per_port_errors_with_eio)
{
	pt_run1(t_sendn, NULL);
}

/* ---- alert ---- */

static void t_alert(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VEQ(simk_port_send(port, 1, 0), 0);
	VEQ(simk_port_alert(port, PORT_ALERT_SET | PORT_ALERT_UPDATE, 1, 0), -EINVAL);
	VEQ(simk_port_alert(port, 0, 1, 0), -EINVAL);
	VEQ(simk_port_alert(port, 0x4, 1, 0), -EINVAL);
	VEQ(simk_port_alert(port, PORT_ALERT_UPDATE, 9, 0x99), 0);
	VEQ(simk_port_alert(port, PORT_ALERT_UPDATE, 10, 0), -EBUSY);
	VEQ(simk_port_get(port, 0x10, 0), -EFAULT); /* the alert into unmapped memory */
	port_event_t ev;
	for (int i = 0; i < 3; i++) { /* every get returns it; not consumed */
		VEQ(pt_get(port, &ev, &pt_poll), 0);
		VEQ(ev.portev_source, PORT_SOURCE_ALERT);
		VEQ(ev.portev_events, 9);
		VEQ(ev.portev_user, 0x99);
	}
	port_event_t evs[4];
	unsigned n = 3;
	VEQ(pt_getn(port, evs, 4, &n, NULL), 0); /* no wait for 3: alert at once */
	VEQ(n, 1);
	VEQ(evs[0].portev_source, PORT_SOURCE_ALERT);
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 11, 0x11), 0); /* SET overwrites */
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(ev.portev_events, 11);
	VEQ(pt_count(port), 1); /* the user event is still there */
	VEQ(simk_port_alert(port, PORT_ALERT_SET | PORT_ALERT_UPDATE, 0, 0),
	    0); /* events 0 clears */
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(ev.portev_source, PORT_SOURCE_USER);
	VEQ(simk_port_alert(port, PORT_ALERT_UPDATE, 3, 0), 0); /* not alerted any more */
	VEQ(pt_stats().alerts_delivered, 5);
	VEQ(simk_close(port), 0);
}

Test(port_alert, set_update_clear_and_every_get_returns_the_alert)
{
	pt_run1(t_alert, NULL);
}

/* ---- port_getn arguments ---- */

static void t_getn_args(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	port_event_t evs[4];
	unsigned n;
	for (int i = 0; i < 3; i++)
		VEQ(simk_port_send(port, i, 0), 0);
	n = 77;
	VEQ(pt_getn(port, NULL, 0, &n, NULL), 0); /* max 0: count, no wait */
	VEQ(n, 3);
	n = 5;
	VEQ(pt_getn(port, evs, 4, &n, NULL), -EINVAL); /* nget > max */
	uaddr_t ng = vt_ubuf(4);
	uint32_t one = 1;
	vt_uput(ng, &one, 4);
	VEQ(simk_port_getn(port, 0, 4, ng, 0), -EFAULT);	   /* NULL list */
	VEQ(simk_port_getn(port, 0x10, 4, ng, 0), -EFAULT);	   /* unmapped list */
	VEQ(simk_port_getn(port, vt_ubuf(100), 4, 0, 0), -EFAULT); /* NULL nget */
	VEQ(pt_count(port), 3); /* nothing was taken by failed calls */
	n = 0;
	VEQ(pt_getn(port, evs, 4, &n, NULL), 0); /* nget 0: nothing wanted */
	VEQ(n, 0);
	VEQ(pt_count(port), 3);
	/* bad timeouts are found when the call would wait */
	struct simk_timespec neg = {-1, 0}, big = {0, 1000000000}, negns = {0, -1};
	n = 4;
	VEQ(pt_getn(port, evs, 4, &n, &neg), -EINVAL);
	VEQ(pt_getn(port, evs, 4, &n, &big), -EINVAL);
	VEQ(pt_getn(port, evs, 4, &n, &negns), -EINVAL);
	uaddr_t ng4 = vt_ubuf(4);
	uint32_t four = 4;
	vt_uput(ng4, &four, 4);
	VEQ(simk_port_getn(port, vt_ubuf(200), 4, ng4, 0x10), -EFAULT); /* unreadable timeout */
	port_event_t ev;
	VEQ(pt_get(port, &ev, &neg), 0); /* an event is there: no wait, no check */
	/* zero timeout polls: returns what there is */
	n = 4;
	VEQ(pt_getn(port, evs, 4, &n, &pt_poll), 0);
	VEQ(n, 2);
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME);
	VEQ(simk_close(port), 0);
}

Test(port_getn, arguments_max0_count_einval_efault_and_timeouts)
{
	pt_run1(t_getn_args, NULL);
}

/* A timed-out port_getn returns -ETIME with the events it got counted. */
static void t_getn_etime(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VEQ(simk_port_send(port, 1, 0), 0);
	VEQ(simk_port_send(port, 2, 0), 0);
	port_event_t evs[8];
	unsigned n = 5;
	struct simk_timespec to = pt_ms(10);
	uint64_t t0 = sim_now();
	VEQ(pt_getn(port, evs, 8, &n, &to), -ETIME);
	VEQ(sim_now() - t0, 10000000);
	VEQ(n, 2);
	VEQ(evs[0].portev_events, 1);
	VEQ(evs[1].portev_events, 2);
	n = 1;
	t0 = sim_now();
	VEQ(pt_getn(port, evs, 8, &n, &to), -ETIME);
	VEQ(n, 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &to), -ETIME);
	VEQ(sim_now() - t0, 20000000);
	VEQ(simk_close(port), 0);
}

Test(port_getn, timeout_returns_etime_with_the_events_got)
{
	pt_run1(t_getn_etime, NULL);
}

/* -EINTR on a signal. */
static int intr_result = 1;
static void t_intr_waiter(void *arg)
{
	int port = *(int *)arg;
	port_event_t ev;
	intr_result = pt_get(port, &ev, NULL);
}

static void t_getn_eintr(void *arg)
{
	(void)arg;
	static int port;
	port = simk_port_create();
	struct simk_thread *w =
	    kthread_create(sim_proc_current(), "waiter", t_intr_waiter, &port, false);
	vt_sleep(1000);
	VEQ(intr_result, 1);
	VEQ(sig_kill_thread(w, SIMK_SIGUSR1), 0);
	vt_sleep(1000);
	VEQ(intr_result, -EINTR);
	VEQ(simk_port_send(port, 1, 0), 0); /* still there for the next call */
	VEQ(pt_count(port), 1);
	VEQ(simk_close(port), 0);
}

Test(port_getn, signal_interrupts_a_waiter_with_eintr)
{
	pt_run1(t_getn_eintr, NULL);
}

/* ---- allocation failures ---- */

/* A workload over every source, run with the k-th kernel allocation
 * failing: every call answers (ENOMEM where it could not allocate), and
 * the run's end-of-run checks pass — nothing leaks, every event ends. */
static void t_enomem_workload(void *arg)
{
	int k = (int)(intptr_t)arg;
	/* user memory first: the helpers do not expect to fail */
	uaddr_t upipe = vt_ubuf(8), usev = vt_ubuf(sizeof(struct simk_sigevent));
	uaddr_t upn = vt_ubuf(sizeof(port_notify_t)), uid = vt_ubuf(4);
	uaddr_t uits = vt_ubuf(sizeof(struct simk_itimerspec)), uports = vt_ubuf(8);
	uaddr_t uerrs = vt_ubuf(8), ulist = vt_ubuf(8 * sizeof(port_event_t)), unget = vt_ubuf(4);
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%d", k);
	vt_fault(spec);
	int port = simk_port_create();
	if (port < 0) {
		VCHECK(port == -ENOMEM);
		return;
	}
	for (int i = 0; i < 3; i++) {
		int r = simk_port_send(port, 1, (uint64_t)i);
		VCHECK(r == 0 || r == -ENOMEM);
	}
	int r = simk_pipe(upipe);
	VCHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		int32_t fds[2];
		vt_uget(upipe, fds, sizeof(fds));
		r = simk_port_associate(port, PORT_SOURCE_FD, (uint64_t)fds[1], PORT_POLLOUT, 0);
		VCHECK(r == 0 || r == -ENOMEM);
		simk_close(fds[0]);
	}
	port_notify_t pn = {.portnfy_port = port};
	vt_uput(upn, &pn, sizeof(pn));
	struct simk_sigevent sev = {.sigev_notify = SIMK_SIGEV_PORT, .sigev_value = upn};
	vt_uput(usev, &sev, sizeof(sev));
	r = simk_timer_create(SIMK_CLOCK_MONOTONIC, usev, uid);
	VCHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		struct simk_itimerspec its = {.it_value = {0, 1000}, .it_interval = {0, 1000}};
		vt_uput(uits, &its, sizeof(its));
		int32_t id;
		vt_uget(uid, &id, 4);
		VEQ(simk_timer_settime(id, 0, uits, 0), 0);
	}
	int32_t ports[2] = {port, 77}; /* 77 is no descriptor: the error list is made */
	vt_uput(uports, ports, sizeof(ports));
	r = simk_port_sendn(uports, uerrs, 2, 1, 0);
	VCHECK(r == -ENOMEM || r == -EIO);
	if (r == -EIO) {
		int32_t errs[2];
		vt_uget(uerrs, errs, sizeof(errs));
		VCHECK(errs[1] == EBADF && (errs[0] == 0 || errs[0] == ENOMEM));
	}
	vt_sleep(3500);
	uint32_t one = 1;
	vt_uput(unget, &one, 4);
	struct simk_timespec zero = {0, 0};
	uaddr_t uto = uits; /* reuse: 16 bytes of zeros */
	vt_uput(uto, &zero, sizeof(zero));
	r = simk_port_getn(port, ulist, 8, unget, uto);
	VCHECK(r == 0);
	VEQ(simk_close(port), 0);
}

Test(port_faults, every_allocation_failure_is_answered_without_leak)
{
	for (int k = 1; k <= 40; k++) {
		struct simk *s = pt_sim((uint64_t)k, SIMK_POLICY_FIFO);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_enomem_workload,
				   (void *)(intptr_t)k);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
}
