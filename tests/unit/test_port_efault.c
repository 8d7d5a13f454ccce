/*
 * Event ports: results written back to user memory that is readable but
 * not writable (kern/umem page protections) — port_get's event, port_getn's
 * list and *nget, the alert, port_sendn's errors. Checked before anything
 * is taken: nothing lost. Made unwritable while the call runs: the events
 * taken are lost, as in the reference (one copyout after the retrieval).
 */
#include "port_test.h"

#define PG UMEM_PAGE

static uaddr_t poll_ts(void)
{
	return vt_ubytes(&pt_poll, sizeof(pt_poll));
}

/* ---- port_get ---- */

static void t_get(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VCHECK(port >= 0);
	VEQ(simk_port_send(port, 5, 0x77), 0);
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	port_event_t marker;
	memset(&marker, 0xab, sizeof(marker));
	vt_uput(pe, &marker, sizeof(marker));
	uint64_t delivered = pt_stats().events_delivered;
	vt_protect(pe, PG, UMEM_PROT_READ);
	VEQ(simk_port_get(port, pe, poll_ts()), -EFAULT);
	VEQ(simk_port_get(port, pe, 0), -EFAULT); /* would not wait either */
	vt_protect(pe, PG, UMEM_PROT_NONE);
	VEQ(simk_port_get(port, pe, poll_ts()), -EFAULT);
	VEQ(pt_count(port), 1); /* nothing was taken */
	VEQ(pt_stats().events_delivered, delivered);
	vt_protect(pe, PG, UMEM_PROT_READ);
	port_event_t same;
	vt_uget(pe, &same, sizeof(same));
	VCHECK(memcmp(&same, &marker, sizeof(same)) == 0);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, 5);
	VEQ(ev.portev_user, 0x77);
	VEQ(simk_close(port), 0);
}

Test(port_efault, port_get_into_readonly_event_takes_nothing)
{
	pt_run1(t_get, NULL);
}

/* ---- port_getn ---- */

static void t_getn(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VEQ(simk_port_send(port, 1, 1), 0);
	VEQ(simk_port_send(port, 2, 2), 0);
	/* a list whose second slot is on a read-only page */
	uaddr_t two = vt_ubuf(2 * PG);
	vt_protect(two + PG, PG, UMEM_PROT_READ);
	uaddr_t list = two + PG - sizeof(port_event_t);
	uint32_t want = 2;
	uaddr_t ng = vt_ubytes(&want, sizeof(want));
	VEQ(simk_port_getn(port, list, 2, ng, poll_ts()), -EFAULT);
	VEQ(pt_count(port), 2); /* nothing taken */
	uint32_t n;
	vt_uget(ng, &n, sizeof(n));
	VEQ(n, 2); /* *nget is not written on EFAULT */
	/* only the slots the queued events need are checked: with one event
	 * queued, max 2 stores into the writable slot only */
	port_event_t ev[2];
	unsigned one = 1;
	VEQ(pt_getn(port, ev, 1, &one, &pt_poll), 0);
	VEQ(ev[0].portev_events, 1);
	want = 1;
	vt_uput(ng, &want, sizeof(want));
	VEQ(simk_port_getn(port, list, 2, ng, poll_ts()), 0);
	vt_uget(ng, &n, sizeof(n));
	VEQ(n, 1);
	port_event_t got;
	vt_uget(list, &got, sizeof(got));
	VEQ(got.portev_events, 2);
	VEQ(simk_close(port), 0);
}

Test(port_efault, port_getn_checks_the_slots_it_will_fill_before_taking)
{
	pt_run1(t_getn, NULL);
}

static void t_nget_ro(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VEQ(simk_port_send(port, 3, 3), 0);
	uaddr_t list = vt_ubuf(4 * sizeof(port_event_t));
	uint32_t want = 1;
	uaddr_t ng = vt_ubytes(&want, sizeof(want));
	vt_protect(ng, PG, UMEM_PROT_READ);
	uint64_t delivered = pt_stats().events_delivered;
	/* *nget is read, but could not be written: refused before the event
	 * is taken (it used to be taken, stored, and the call said EFAULT) */
	VEQ(simk_port_getn(port, list, 4, ng, poll_ts()), -EFAULT);
	VEQ(pt_count(port), 1);
	VEQ(pt_stats().events_delivered, delivered);
	port_event_t ev;
	vt_uget(list, &ev, sizeof(ev));
	VEQ(ev.portev_events, 0);			    /* the list was not written */
	VEQ(simk_port_getn(port, list, 0, ng, 0), -EFAULT); /* the count too */
	vt_protect(ng, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_port_getn(port, list, 4, ng, poll_ts()), 0);
	uint32_t n;
	vt_uget(ng, &n, sizeof(n));
	VEQ(n, 1);
	VEQ(simk_close(port), 0);
}

Test(port_efault, port_getn_readonly_nget_takes_nothing)
{
	pt_run1(t_nget_ro, NULL);
}

/* *nget made read-only by another thread while the caller waits. */
static int w_port;
static uaddr_t w_list, w_ng;
static int w_ret;

static void waiter(void *arg)
{
	(void)arg;
	w_ret = simk_port_getn(w_port, w_list, 4, w_ng, 0);
}

static void t_nget_while_waiting(void *arg)
{
	(void)arg;
	w_port = simk_port_create();
	w_list = vt_ubuf(4 * sizeof(port_event_t));
	uint32_t want = 1;
	w_ng = vt_ubytes(&want, sizeof(want));
	w_ret = 1;
	struct simk_thread *t = kthread_create(sim_proc_current(), "waiter", waiter, NULL, false);
	VCHECK(t != NULL);
	vt_sleep(1000); /* it waits */
	VEQ(w_ret, 1);
	vt_protect(w_ng, PG, UMEM_PROT_READ);
	uint64_t delivered = pt_stats().events_delivered;
	VEQ(simk_port_send(w_port, 9, 9), 0);
	VEQ(kthread_join(t, NULL), 0);
	VEQ(w_ret, -EFAULT);
	/* the event was taken and stored, only its count could not be: lost */
	VEQ(pt_count(w_port), 0);
	VEQ(pt_stats().events_delivered, delivered + 1);
	port_event_t ev;
	vt_uget(w_list, &ev, sizeof(ev));
	VEQ(ev.portev_events, 9);
	uint32_t n;
	vt_uget(w_ng, &n, sizeof(n));
	VEQ(n, 1);
	VEQ(simk_close(w_port), 0);
}

Test(port_efault, nget_made_readonly_while_waiting_loses_the_events)
{
	pt_run1(t_nget_while_waiting, NULL);
}

/* A kernel source whose callback makes the caller's list read-only: the
 * window between the check and the copyout, where the reference loses the
 * events it moved to its kernel buffer. */
static uaddr_t cb_list;
static int cb_calls;

static int protecting_cb(void *arg, int *events, int pid, int flag, struct port_kevent *k)
{
	(void)arg;
	(void)events;
	(void)pid;
	(void)k;
	if (flag != PORT_CALLBACK_DEFAULT)
		return 0;
	if (cb_calls++ == 0)
		vt_protect(cb_list, PG, UMEM_PROT_READ);
	return 0;
}

static void t_list_in_callback(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	cb_list = vt_ubuf(2 * sizeof(port_event_t));
	cb_calls = 0;
	for (int i = 0; i < 3; i++) {
		struct port_kevent *k = NULL;
		VEQ(port_alloc_event_fd(NULL, port, PORT_ALLOC_DEFAULT, PORT_SOURCE_AIO, &k), 0);
		port_init_event(k, 0x100 + (uint64_t)i, 0, protecting_cb, NULL);
		port_set_event(k, 1);
		port_send_event(k);
	}
	VEQ(pt_stats().slots_live, 3);
	uint64_t delivered = pt_stats().events_delivered;
	uint32_t want = 2;
	uaddr_t ng = vt_ubytes(&want, sizeof(want));
	VEQ(simk_port_getn(port, cb_list, 2, ng, poll_ts()), -EFAULT);
	VEQ(cb_calls, 2);
	VEQ(pt_count(port), 1); /* two taken (max 2), the third stays */
	VEQ(pt_stats().events_delivered, delivered + 2);
	VEQ(pt_stats().slots_live, 1); /* DEFAULT slots freed by delivery */
	port_event_t ev;
	vt_uget(cb_list, &ev, sizeof(ev));
	VEQ(ev.portev_object, 0); /* none stored */
	vt_protect(cb_list, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_object, 0x102);
	VEQ(simk_close(port), 0);
}

Test(port_efault, list_made_readonly_during_retrieval_loses_the_events_taken)
{
	pt_run1(t_list_in_callback, NULL);
}

/* ---- alert, sendn ---- */

static void t_alert(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 4, 0x44), 0);
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	vt_protect(pe, PG, UMEM_PROT_READ);
	uint64_t alerts = pt_stats().alerts_delivered;
	VEQ(simk_port_get(port, pe, poll_ts()), -EFAULT);
	VEQ(pt_stats().alerts_delivered, alerts);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0); /* the alert is still there */
	VEQ(ev.portev_source, PORT_SOURCE_ALERT);
	VEQ(ev.portev_events, 4);
	VEQ(pt_stats().alerts_delivered, alerts + 1);
	VEQ(simk_close(port), 0);
}

Test(port_efault, alert_into_readonly_event_is_efault_and_stays)
{
	pt_run1(t_alert, NULL);
}

static void t_sendn(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int32_t ports[2] = {port, 99};
	uaddr_t up = vt_ubytes(ports, sizeof(ports));
	int32_t errs[2] = {-7, -7};
	uaddr_t ue = vt_ubytes(errs, sizeof(errs));
	vt_protect(ue, PG, UMEM_PROT_READ);
	/* the sends are done; only the error report cannot be written */
	VEQ(simk_port_sendn(up, ue, 2, 6, 0x66), -EFAULT);
	VEQ(pt_count(port), 1);
	int32_t back[2];
	vt_uget(ue, back, sizeof(back));
	VEQ(back[0], -7);
	VEQ(back[1], -7);
	/* with no error the errors array is never written */
	VEQ(simk_port_sendn(up, ue, 1, 6, 0x66), 1);
	VEQ(pt_count(port), 2);
	VEQ(simk_close(port), 0);
}

Test(port_efault, sendn_readonly_errors_is_efault_after_the_sends)
{
	pt_run1(t_sendn, NULL);
}

/* ---- POSIX timers (PORT_SOURCE_TIMER) ---- */

static void t_timers(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	port_notify_t pn = {.portnfy_port = port, .portnfy_user = 0x99};
	struct simk_sigevent sev = {.sigev_notify = SIMK_SIGEV_PORT,
				    .sigev_value = vt_ubytes(&pn, sizeof(pn))};
	uaddr_t usev = vt_ubytes(&sev, sizeof(sev));
	uaddr_t ro = vt_ubuf(PG);
	vt_protect(ro, PG, UMEM_PROT_READ);
	uint64_t slots = pt_stats().slots_live;
	/* the id cannot be stored: the new timer is destroyed, its port slot
	 * freed, its id free again */
	VEQ(simk_timer_create(SIMK_CLOCK_MONOTONIC, usev, ro), -EFAULT);
	VEQ(pt_stats().slots_live, slots);
	VEQ(simk_timer_delete(0), -EINVAL);
	uaddr_t uid = vt_ubuf(4);
	VEQ(simk_timer_create(SIMK_CLOCK_MONOTONIC, usev, uid), 0);
	int32_t id = -1;
	vt_uget(uid, &id, sizeof(id));
	VEQ(id, 0);
	/* old_value cannot be stored: EFAULT, but the new setting stands (as
	 * on Linux and illumos) and fires */
	struct simk_itimerspec its = {.it_value = {0, 1000}};
	uaddr_t uits = vt_ubytes(&its, sizeof(its));
	uint64_t t0 = sim_now();
	VEQ(simk_timer_settime(id, 0, uits, ro), -EFAULT);
	VEQ(simk_timer_gettime(id, ro), -EFAULT);
	port_event_t ev;
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), t0 + 1000);
	VEQ(ev.portev_source, PORT_SOURCE_TIMER);
	VEQ(ev.portev_user, 0x99);
	VEQ(simk_timer_delete(id), 0);
	VEQ(simk_close(port), 0);
}

Test(port_efault, timer_results_into_readonly_memory)
{
	pt_run1(t_timers, NULL);
}
