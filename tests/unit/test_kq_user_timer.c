/* kqueue: EVFILT_USER and EVFILT_TIMER. */
#include "kq_test.h"

static int user_fflags(int kq, uint64_t id)
{
	struct kevent ev[2];
	VEQ(kq_change(kq, id, EVFILT_USER, 0, NOTE_TRIGGER, 0, 0), 0);
	int n = kq_poll(kq, ev, 2);
	VEQ(n, 1);
	return (int)ev[0].fflags;
}

static void t_user(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	/* attach: control bits apply to fflags 0; data is copied */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_ADD, NOTE_FFCOPY | 0x0f, 42, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 0); /* not triggered */
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_FFNOP | 0xf0, 7, 0), 0);
	VEQ(user_fflags(kq, 1), 0x0f); /* FFNOP leaves fflags */
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_FFOR | 0x30, 0, 0), 0);
	VEQ(user_fflags(kq, 1), 0x3f);
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_FFAND | 0x21, 0, 0), 0);
	VEQ(user_fflags(kq, 1), 0x21);
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_FFCOPY | 0x100, 0, 0), 0);
	VEQ(user_fflags(kq, 1), 0x100);
	/* only the low 24 bits are flags; NOTE_TRIGGER is never reported */
	VEQ(kq_change(kq, 1, EVFILT_USER, 0, NOTE_FFCOPY | NOTE_TRIGGER | 0xffffff, 5, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, 0xffffff);
	VEQ(ev[0].data, 5); /* data copied from the change, as the reference does */
	/* EV_CLEAR in a modification resets the trigger and data, not fflags */
	VEQ(kq_change(kq, 1, EVFILT_USER, EV_CLEAR, 0, 9, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(user_fflags(kq, 1), 0xffffff);
	VEQ(simk_close(kq), 0);

	/* registered with EV_CLEAR: retrieval resets trigger, data and fflags */
	kq = simk_kqueue();
	VEQ(kq_change(kq, 2, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFOR | 0x3, 8, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, 0x3);
	VEQ(ev[0].data, 8);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kq_change(kq, 2, EVFILT_USER, 0, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, 0); /* cleared by the previous retrieval */
	/* attach with NOTE_TRIGGER fires at once */
	VEQ(kq_change(kq, 3, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].ident, 3);
	VEQ(simk_close(kq), 0);
}

Test(kq_user, trigger_fflags_control_data_and_clear)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_user, NULL);
}

/* ---- timers ---- */

#define MS 1000000ull

static void t_timer_periodic(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	uint64_t t0 = sim_now();
	VEQ(kq_change(kq, 7, EVFILT_TIMER, EV_ADD, 0, 10, 99), 0);
	VEQ(kqueue_timers_live(), 1);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(sim_now() - t0, 10 * MS);
	VEQ(ev[0].ident, 7);
	VEQ(ev[0].data, 1);
	VEQ(ev[0].udata, 99);
	VEQ(ev[0].flags & EV_CLEAR, EV_CLEAR); /* implied */
	vt_sleep(35 * MS);		       /* three more expirations */
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 3);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(sim_now() - t0, 50 * MS); /* periodic, no drift */
	VEQ(ev[0].data, 1);
	/* a disabled timer keeps counting */
	VEQ(kq_change(kq, 7, EVFILT_TIMER, EV_DISABLE, 0, 10, 99), 0);
	vt_sleep(20 * MS);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kq_change(kq, 7, EVFILT_TIMER, EV_ENABLE, 0, 10, 99), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 2);
	VEQ(kq_change(kq, 7, EVFILT_TIMER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kqueue_timers_live(), 0);
	vt_sleep(50 * MS);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_timer, periodic_counts_expirations_in_virtual_ms)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_timer_periodic, NULL);
}

static void t_timer_oneshot_units(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[4];
	uint64_t t0 = sim_now();
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS, 1500, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(sim_now() - t0, 1500000);
	VEQ(kqueue_knotes_live(), 0); /* one-shot: gone */
	VEQ(kqueue_timers_live(), 0);
	t0 = sim_now();
	VEQ(kq_change(kq, 2, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_SECONDS, 2, 0), 0);
	VEQ(kq_change(kq, 3, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_NSECONDS, 700, 0), 0);
	VEQ(kq_change(kq, 4, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_MSECONDS, 3, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].ident, 3);
	VEQ(sim_now() - t0, 700);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].ident, 4);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].ident, 2);
	VEQ(sim_now() - t0, 2000000000ull);
	/* a one-shot of 0 fires at once; a periodic 0 is one unit */
	VEQ(kq_change(kq, 5, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 0, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	t0 = sim_now();
	VEQ(kq_change(kq, 6, EVFILT_TIMER, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(sim_now() - t0, MS);
	VEQ(simk_close(kq), 0); /* closing stops the timer */
	VEQ(kqueue_timers_live(), 0);
}

Test(kq_timer, oneshot_and_units)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_timer_oneshot_units, NULL);
}

static void t_timer_readd(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	uint64_t t0 = sim_now();
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, 0, 10, 0), 0);
	vt_sleep(25 * MS); /* two expirations pending */
	VEQ(kq_pending(kq), 1);
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, 0, 4, 0), 0); /* re-add: reset */
	VEQ(kq_pending(kq), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(ev[0].data, 1);	      /* the old expirations are gone */
	VEQ(sim_now() - t0, 29 * MS); /* restarted with the new period */
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, NOTE_SECONDS | NOTE_NSECONDS, 4, 0), -EINVAL);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1); /* unchanged by the failed re-add */
	VEQ(sim_now() - t0, 33 * MS);
	VEQ(kqueue_timers_live(), 1);
	VEQ(simk_close(kq), 0);
}

Test(kq_timer, readd_resets_the_timer)
{
	kq_run1(3, SIMK_POLICY_FIFO, false, t_timer_readd, NULL);
}

static void t_timer_limit(void *arg)
{
	(void)arg;
	VEQ(kqueue_set_timer_max(3), KQ_TIMER_MAX_DEFAULT);
	int kq1 = simk_kqueue(), kq2 = simk_kqueue();
	VEQ(kq_change(kq1, 1, EVFILT_TIMER, EV_ADD, 0, 10, 0), 0);
	VEQ(kq_change(kq1, 2, EVFILT_TIMER, EV_ADD, 0, 10, 0), 0);
	VEQ(kq_change(kq2, 1, EVFILT_TIMER, EV_ADD, 0, 10, 0), 0);
	VEQ(kq_change(kq2, 2, EVFILT_TIMER, EV_ADD, 0, 10, 0), -ENOMEM); /* run-wide limit */
	VEQ(kq_change(kq1, 1, EVFILT_TIMER, EV_ADD, 0, 20, 0), 0); /* re-add is no new timer */
	VEQ(kqueue_timers_live(), 3);
	VEQ(kq_change(kq1, 2, EVFILT_TIMER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq2, 2, EVFILT_TIMER, EV_ADD, 0, 10, 0), 0);
	VEQ(simk_close(kq1), 0);
	VEQ(kqueue_timers_live(), 2);
	VEQ(simk_close(kq2), 0);
	VEQ(kqueue_timers_live(), 0);
}

Test(kq_timer, too_many_timers_is_enomem)
{
	kq_run1(4, SIMK_POLICY_FIFO, false, t_timer_limit, NULL);
}

/* EV_DELETE racing the expiry, on many seeds: no event after the delete,
 * no callout left armed (the run's leak check and kmem say so). */
static void t_timer_delete_race(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_ADD, NOTE_USECONDS, 1, 0), 0);
	struct rng *r = sim_rng(SIMK_STREAM_WORKLOAD);
	vt_sleep(rng_below(r, 3000));
	VEQ(kq_change(kq, 1, EVFILT_TIMER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kqueue_timers_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_timer, delete_vs_expiry_never_leaks)
{
	for (uint64_t seed = 1; seed <= 200; seed++)
		kq_run1(seed, SIMK_POLICY_RANDOM, false, t_timer_delete_race, NULL);
}
