/*
 * POSIX AIO races that involve the event-port and kqueue subsystems,
 * explored here over 1,000 seeds under random and under PCT schedules
 * (their scenario versions need the port and kqueue scenario operations):
 *  - a SIGEV_PORT completion while the port is being closed;
 *  - SIGEV_KEVENT (EV_ONESHOT) never delivered twice, with a collector,
 *    a canceller and the owner taking the result, all at once.
 * Every request ends exactly once (the subsystem's end-of-run check) and
 * nothing leaks (kmem, ports, knotes).
 */
#include "paio_test.h"

#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"

#define RACE_RUNS 1000

/* ---- SIGEV_PORT vs close ---------------------------------------------------- */

static int r_port, r_pipe[2];
static uaddr_t r_cb;
static int r_got, r_get_rc;
static bool r_closed;

static void port_closer(void *arg)
{
	(void)arg;
	VEQ(simk_close(r_port), 0);
	r_closed = true;
}

static void port_getter(void *arg)
{
	(void)arg;
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	r_get_rc = simk_port_get(r_port, pe, pt_timespec(0, 200000));
	if (r_get_rc == 0) {
		port_event_t ev;
		vt_uget(pe, &ev, sizeof(ev));
		VEQ(ev.portev_source, PORT_SOURCE_AIO);
		VEQ(ev.portev_object, r_cb);
		VEQ(ev.portev_events, PAIO_EV_READ);
		VEQ(ev.portev_user, 0xcafe);
		r_got++;
	}
}

static void pipe_writer(void *arg)
{
	(void)arg;
	VEQ(vt_write_str(r_pipe[1], "p"), 1);
}

static void t_port_close(void *arg)
{
	(void)arg;
	r_port = simk_port_create();
	VCHECK(r_port >= 0);
	pt_pipe(r_pipe);
	struct simk_aio_port_notify pn = {r_port, 0, 0xcafe};
	r_cb = pt_cb(r_pipe[0], vt_ubuf(1), 1, 0);
	pt_sigev(r_cb, SIMK_SIGEV_PORT, 0, vt_ubytes(&pn, sizeof(pn)), 0);
	VEQ(simk_aio_read(r_cb), 0);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *t[3];
	t[0] = kthread_create(p, "getter", port_getter, NULL, false);
	t[1] = kthread_create(p, "writer", pipe_writer, NULL, false);
	t[2] = kthread_create(p, "closer", port_closer, NULL, false);
	for (int i = 0; i < 3; i++)
		VEQ(kthread_join(t[i], NULL), 0);
	VEQ(pt_result(r_cb), 1); /* the request ended once, normally */
	vt_sleep(1000000);	 /* the notification worker is done */
	struct paio_stats st = pt_stats();
	VEQ(st.notes_sent + st.notes_dropped, 1);
	/* delivered means: sent, and retrieved before the close or dropped
	 * with it; dropped means the port was gone when it was sent */
	if (r_got == 1)
		VEQ(st.notes_sent, 1);
	else
		VCHECK(r_get_rc == -ETIME || r_get_rc == -EBADFD || r_get_rc == -EBADF);
	VCHECK(r_closed);
	VEQ(simk_close(r_pipe[0]), 0);
	VEQ(simk_close(r_pipe[1]), 0);
}

static void explore(simk_thread_fn fn, enum simk_policy pol, int *outcomes, int n)
{
	for (uint64_t seed = 1; seed <= RACE_RUNS; seed++) {
		struct simk *s = pt_sim(seed, pol);
		r_got = 0;
		r_get_rc = 1;
		r_closed = false;
		simk_thread_create(simk_proc_create(s, "p"), "main", fn, NULL);
		PT_RUN_PASS(s);
		if (outcomes != NULL) {
			struct paio_stats st;
			paio_get_stats(NULL, &st);
			int k = (int)st.notes_sent * 2 + r_got;
			if (k < n)
				outcomes[k]++;
		}
		simk_destroy(s);
	}
}

Test(paio_race, sigev_port_completion_while_the_port_closes_random)
{
	int out[4] = {0};
	explore(t_port_close, SIMK_POLICY_RANDOM, out, 4);
	/* both fates of the event happen: dropped (sent 0) and delivered */
	cr_assert_gt(out[0], 0, "never dropped");
	cr_assert_gt(out[3], 0, "never retrieved");
}

Test(paio_race, sigev_port_completion_while_the_port_closes_pct)
{
	int out[4] = {0};
	explore(t_port_close, SIMK_POLICY_PCT, out, 4);
	cr_assert_gt(out[0] + out[2], 0);
	cr_assert_gt(out[3], 0);
}

/* ---- SIGEV_KEVENT (EV_ONESHOT) ------------------------------------------------ */

static int k_kq, k_pipe[2];
static uaddr_t k_cb;
static int k_events, k_cancel_rc;
static bool k_stop;

static void collector(void *arg)
{
	(void)arg;
	uaddr_t evs = vt_ubuf(4 * sizeof(struct kevent));
	for (int i = 0; i < 40 && !k_stop; i++) {
		int n = simk_kevent(k_kq, 0, 0, evs, 4, pt_timespec(0, 20000));
		VCHECK(n >= 0);
		for (int e = 0; e < n; e++) {
			struct kevent kev;
			vt_uget(evs + (uaddr_t)e * sizeof(kev), &kev, sizeof(kev));
			VEQ(kev.filter, EVFILT_AIO);
			VEQ(kev.ident, k_cb);
			VEQ(kev.udata, 0x0e0e);
			VCHECK(kev.data == 0 || kev.data == ECANCELED);
			k_events++;
		}
	}
}

static void kev_canceller(void *arg)
{
	(void)arg;
	k_cancel_rc = simk_aio_cancel(k_pipe[0], k_cb);
}

static void kev_writer(void *arg)
{
	(void)arg;
	VEQ(vt_write_str(k_pipe[1], "k"), 1);
}

static void t_kevent_once(void *arg)
{
	(void)arg;
	k_kq = simk_kqueue();
	VCHECK(k_kq >= 0);
	pt_pipe(k_pipe);
	k_cb = pt_cb(k_pipe[0], vt_ubuf(1), 1, 0);
	pt_sigev(k_cb, SIMK_SIGEV_KEVENT, k_kq, 0x0e0e, 0);
	k_events = 0;
	k_stop = false;
	VEQ(simk_aio_read(k_cb), 0);
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *t[3];
	t[0] = kthread_create(p, "collector", collector, NULL, false);
	t[1] = kthread_create(p, "writer", kev_writer, NULL, false);
	t[2] = kthread_create(p, "canceller", kev_canceller, NULL, false);
	VEQ(kthread_join(t[1], NULL), 0);
	VEQ(kthread_join(t[2], NULL), 0);
	ssize_t res = pt_result(k_cb); /* the owner takes the result, racing the collector */
	if (k_cancel_rc == AIO_CANCELED)
		VEQ(res, -ECANCELED);
	else
		VEQ(res, 1);
	k_stop = true;
	VEQ(kthread_join(t[0], NULL), 0);
	VCHECK(k_events <= 1); /* never twice */
	/* a request canceled at its blocking point is freed when its worker
	 * unwinds: then its knote goes too */
	for (int i = 0; i < 100 && pt_stats().requests_live > 0; i++)
		vt_sleep(1000);
	VEQ(pt_stats().requests_live, 0);
	/* nothing is left to deliver later either */
	uaddr_t evs = vt_ubuf(sizeof(struct kevent));
	VEQ(simk_kevent(k_kq, 0, 0, evs, 1, pt_timespec(0, 0)), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(k_kq), 0);
	VEQ(simk_close(k_pipe[0]), 0);
	VEQ(simk_close(k_pipe[1]), 0);
}

static void explore_kev(enum simk_policy pol, int *seen)
{
	for (uint64_t seed = 1; seed <= RACE_RUNS; seed++) {
		struct simk *s = pt_sim(seed, pol);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_kevent_once, NULL);
		PT_RUN_PASS(s);
		seen[k_events]++;
		simk_destroy(s);
	}
}

Test(paio_race, sigev_kevent_oneshot_never_delivered_twice_random)
{
	int seen[2] = {0};
	explore_kev(SIMK_POLICY_RANDOM, seen);
	/* retrieved before the owner took the result, or gone with it */
	cr_assert_gt(seen[1], 0);
	cr_assert_gt(seen[0], 0);
}

Test(paio_race, sigev_kevent_oneshot_never_delivered_twice_pct)
{
	int seen[2] = {0};
	explore_kev(SIMK_POLICY_PCT, seen);
	cr_assert_gt(seen[1], 0);
}
