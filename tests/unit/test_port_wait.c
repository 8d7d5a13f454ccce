/* Event ports: waiters — ordering, wake-ups, alert while waiting, close
 * while waiting. */
#include "port_test.h"

struct waiter_arg {
	int port;
	unsigned max, nget;
	const struct simk_timespec *to;
	int result;
	unsigned got;
	port_event_t ev[8];
	uint64_t done_at;
	int order; /* finishing order */
};

static int finish_seq;

static void t_waiter(void *arg)
{
	struct waiter_arg *w = arg;
	unsigned n = w->nget;
	w->result = pt_getn(w->port, w->ev, w->max, &n, w->to);
	w->got = n;
	w->done_at = sim_now();
	w->order = ++finish_seq;
}

static struct simk_thread *spawn_waiter(struct waiter_arg *w, int port, unsigned max, unsigned nget)
{
	memset(w, 0, sizeof(*w));
	w->port = port;
	w->max = max;
	w->nget = nget;
	w->result = 1;
	return kthread_create(sim_proc_current(), "waiter", t_waiter, w, false);
}

/* The waiter that wants fewer events is served first, whatever the order
 * the threads went to sleep in. */
static void t_order(void *arg)
{
	(void)arg;
	static struct waiter_arg big, small;
	finish_seq = 0;
	int port = simk_port_create();
	spawn_waiter(&big, port, 2, 2);
	vt_sleep(100); /* big sleeps first */
	spawn_waiter(&small, port, 1, 1);
	vt_sleep(100);
	VEQ(big.result, 1);
	VEQ(small.result, 1);
	VEQ(simk_port_send(port, 1, 1), 0);
	vt_sleep(100);
	VEQ(small.result, 0);
	VEQ(small.got, 1);
	VEQ(small.ev[0].portev_user, 1);
	VEQ(big.result, 1); /* still waiting: one event is not two */
	VEQ(simk_port_send(port, 2, 2), 0);
	VEQ(simk_port_send(port, 4, 4), 0);
	vt_sleep(100);
	VEQ(big.result, 0);
	VEQ(big.got, 2);
	VEQ(big.ev[0].portev_user + big.ev[1].portev_user, 6);
	VEQ(simk_close(port), 0);
}

Test(port_wait, waiter_wanting_fewer_events_is_woken_first)
{
	pt_run1(t_order, NULL);
}

/* Equal counts: first come, first served. Two events sent back to back
 * reach both waiters: the first one, done, wakes the next. */
static void t_fifo_and_next(void *arg)
{
	(void)arg;
	static struct waiter_arg a, b;
	finish_seq = 0;
	int port = simk_port_create();
	spawn_waiter(&a, port, 1, 1);
	vt_sleep(100);
	spawn_waiter(&b, port, 1, 1);
	vt_sleep(100);
	VEQ(simk_port_send(port, 1, 1), 0);
	VEQ(simk_port_send(port, 2, 2), 0);
	vt_sleep(100);
	VEQ(a.result, 0);
	VEQ(b.result, 0);
	VEQ(a.ev[0].portev_user, 1);
	VEQ(b.ev[0].portev_user, 2);
	VEQ(a.order, 1);
	VEQ(b.order, 2);
	VEQ(simk_close(port), 0);
}

Test(port_wait, equal_counts_are_served_in_arrival_order_and_the_next_is_woken)
{
	pt_run1(t_fifo_and_next, NULL);
}

/* A waiter that wants 3 with max 8 waits until 3 are there, then takes
 * everything there is (up to max). */
static void t_wait_for_n(void *arg)
{
	(void)arg;
	static struct waiter_arg w;
	int port = simk_port_create();
	spawn_waiter(&w, port, 8, 3);
	vt_sleep(100);
	VEQ(simk_port_send(port, 1, 1), 0);
	vt_sleep(100);
	VEQ(simk_port_send(port, 1, 2), 0);
	vt_sleep(100);
	VEQ(w.result, 1);
	/* three then four more, with no switch point in between */
	VEQ(simk_port_send(port, 1, 3), 0);
	VEQ(simk_port_send(port, 1, 4), 0);
	vt_sleep(100);
	VEQ(w.result, 0);
	VEQ(w.got, 4);
	VEQ(w.done_at, 300);
	VEQ(simk_close(port), 0);
}

Test(port_wait, getn_waits_for_nget_then_returns_up_to_max)
{
	pt_run1(t_wait_for_n, NULL);
}

/* Alert while threads wait: every one returns the alert at once. */
static void t_alert_waiters(void *arg)
{
	(void)arg;
	static struct waiter_arg w[3];
	int port = simk_port_create();
	spawn_waiter(&w[0], port, 1, 1);
	spawn_waiter(&w[1], port, 4, 4);
	spawn_waiter(&w[2], port, 8, 2);
	VEQ(simk_port_send(port, 1, 1), 0); /* not enough for anyone but w[0] */
	vt_sleep(100);
	VEQ(w[0].result, 0);
	VEQ(w[0].ev[0].portev_source, PORT_SOURCE_USER);
	VEQ(w[1].result, 1);
	VEQ(w[2].result, 1);
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 0x55, 0xabc), 0);
	vt_sleep(100);
	for (int i = 1; i < 3; i++) {
		VEQ(w[i].result, 0);
		VEQ(w[i].got, 1);
		VEQ(w[i].ev[0].portev_source, PORT_SOURCE_ALERT);
		VEQ(w[i].ev[0].portev_events, 0x55);
		VEQ(w[i].ev[0].portev_user, 0xabc);
		VEQ(w[i].done_at, 100);
	}
	VEQ(pt_stats().alerts_delivered, 2);
	VEQ(simk_close(port), 0);
}

Test(port_wait, alert_returns_every_waiting_thread_at_once)
{
	pt_run1(t_alert_waiters, NULL);
}

/* The alert mode ends when its owner process closes the port. */
static void t_alert_owner_child(void *arg)
{
	int port = *(int *)arg;
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 3, 0), 0);
	VEQ(simk_close(port), 0); /* not the last descriptor: the child's alert goes */
}

static void t_alert_owner(void *arg)
{
	(void)arg;
	static int port;
	port = simk_port_create();
	int c = proc_fork("child", t_alert_owner_child, &port);
	VCHECK(c > 0);
	int st;
	VEQ(proc_wait(c, &st), c);
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME); /* no alert any more */
	VEQ(simk_port_alert(port, PORT_ALERT_SET, 4, 0), 0);
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_source, PORT_SOURCE_ALERT);
	VEQ(simk_close(port), 0);
}

Test(port_wait, alert_ends_when_its_owner_closes_the_port)
{
	pt_run1(t_alert_owner, NULL);
}

/* Closing the last descriptor while threads wait: they return EBADFD and
 * close returns only once they left. */
static void t_close_waiters(void *arg)
{
	(void)arg;
	static struct waiter_arg w[2];
	int port = simk_port_create();
	spawn_waiter(&w[0], port, 2, 2);
	spawn_waiter(&w[1], port, 4, 3);
	vt_sleep(100);
	VEQ(simk_port_send(port, 1, 1), 0); /* not enough for either */
	vt_sleep(100);
	VEQ(w[0].result, 1);
	VEQ(w[1].result, 1);
	VEQ(simk_close(port), 0);
	/* close returned only after both left */
	VEQ(w[0].result, -EBADFD);
	VEQ(w[1].result, -EBADFD);
	struct port_stats st = pt_stats();
	VEQ(st.events_sent, 1);
	VEQ(st.events_discarded, 1);
	VEQ(st.ports_live, 0);
	VEQ(st.slots_live, 0);
}

Test(port_wait, close_wakes_waiters_with_ebadfd_and_waits_for_them)
{
	pt_run1(t_close_waiters, NULL);
}

static void t_close_plain(void *arg)
{
	(void)arg;
	static struct waiter_arg w[3];
	int port = simk_port_create();
	spawn_waiter(&w[0], port, 1, 1);
	spawn_waiter(&w[1], port, 4, 2);
	spawn_waiter(&w[2], port, 4, 4);
	vt_sleep(100);
	VEQ(simk_close(port), 0);
	for (int i = 0; i < 3; i++) {
		VEQ(w[i].result, -EBADFD);
		VEQ(w[i].got, w[i].nget); /* *nget untouched on errors other than ETIME */
	}
	VEQ(pt_stats().ports_live, 0);
}

Test(port_wait, every_waiter_returns_ebadfd_when_the_last_descriptor_closes)
{
	pt_run1(t_close_plain, NULL);
}

/* A dup'ed descriptor keeps the port open: closing one is not the last
 * close, waiters keep waiting. */
static void t_close_dup(void *arg)
{
	(void)arg;
	static struct waiter_arg w;
	int port = simk_port_create();
	int dup = simk_dup(port);
	spawn_waiter(&w, port, 1, 1);
	vt_sleep(100);
	VEQ(simk_close(port), 0);
	vt_sleep(100);
	VEQ(w.result, 1);
	VEQ(simk_port_send(dup, 1, 9), 0);
	vt_sleep(100);
	VEQ(w.result, 0);
	VEQ(w.ev[0].portev_user, 9);
	VEQ(simk_close(dup), 0);
	VEQ(pt_stats().ports_live, 0);
}

Test(port_wait, closing_one_of_two_descriptors_keeps_the_port)
{
	pt_run1(t_close_dup, NULL);
}

/* A timed wait: the deadline is absolute across wake-ups that do not
 * satisfy the waiter. */
static void t_timeout_across_wakeups(void *arg)
{
	(void)arg;
	static struct waiter_arg w;
	static const struct simk_timespec to = {0, 1000000};
	int port = simk_port_create();
	spawn_waiter(&w, port, 4, 3);
	w.to = &to;
	vt_sleep(400000);
	VEQ(simk_port_send(port, 1, 1), 0);
	vt_sleep(400000);
	VEQ(simk_port_send(port, 1, 2), 0);
	vt_sleep(400000);
	VEQ(w.result, -ETIME);
	VEQ(w.got, 2);
	VEQ(w.done_at, 1000000);
	VEQ(simk_close(port), 0);
}

Test(port_wait, timeout_is_a_deadline_across_wakeups_and_returns_what_came)
{
	pt_run1(t_timeout_across_wakeups, NULL);
}

/* Randomized schedules: several senders and getters, every event taken
 * exactly once (the port's end-of-run check enforces it too). */
static struct {
	int port;
	int taken;
	uint64_t usum;
	int senders_done;
} mix;

static void t_mix_sender(void *arg)
{
	int base = (int)(intptr_t)arg;
	for (int i = 0; i < 5; i++) {
		VEQ(simk_port_send(mix.port, 1, (uint64_t)(base + i)), 0);
		preempt_point();
	}
	mix.senders_done++;
}

static void t_mix_getter(void *arg)
{
	unsigned want = (unsigned)(intptr_t)arg;
	static const struct simk_timespec to = {0, 50000};
	for (;;) {
		port_event_t ev[4];
		unsigned n = want;
		int r = pt_getn(mix.port, ev, 4, &n, &to);
		VCHECK(r == 0 || r == -ETIME);
		for (unsigned i = 0; i < n; i++) {
			mix.taken++;
			mix.usum += ev[i].portev_user;
		}
		if (r == -ETIME && mix.senders_done == 3 && n == 0)
			return;
	}
}

static void t_mix(void *arg)
{
	(void)arg;
	mix.port = simk_port_create();
	mix.taken = 0;
	mix.usum = 0;
	mix.senders_done = 0;
	struct simk_proc *p = sim_proc_current();
	struct simk_thread *t[6];
	t[0] = kthread_create(p, "s1", t_mix_sender, (void *)(intptr_t)100, false);
	t[1] = kthread_create(p, "s2", t_mix_sender, (void *)(intptr_t)200, false);
	t[2] = kthread_create(p, "s3", t_mix_sender, (void *)(intptr_t)300, false);
	t[3] = kthread_create(p, "g1", t_mix_getter, (void *)(intptr_t)1, false);
	t[4] = kthread_create(p, "g2", t_mix_getter, (void *)(intptr_t)2, false);
	t[5] = kthread_create(p, "g3", t_mix_getter, (void *)(intptr_t)3, false);
	for (int i = 0; i < 6; i++)
		VEQ(kthread_join(t[i], NULL), 0);
	VEQ(mix.taken, 15);
	VEQ(mix.usum, 5 * (100 + 200 + 300) + 3 * 10);
	VEQ(simk_close(mix.port), 0);
}

Test(port_wait, many_senders_and_getters_take_every_event_once_under_random_schedules)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		struct simk_proc *p = simk_proc_create(s, "p");
		simk_thread_create(p, "main", t_mix, NULL);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
}
