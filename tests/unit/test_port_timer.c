/* POSIX timers in virtual time, and PORT_SOURCE_TIMER. */
#include "port_test.h"

static int tcreate(int clock, int notify, int signo, uint64_t value, int port, uint64_t user)
{
	struct simk_sigevent sev = {
	    .sigev_notify = notify, .sigev_signo = signo, .sigev_value = value};
	if (notify == SIMK_SIGEV_PORT) {
		port_notify_t pn = {.portnfy_port = port, .portnfy_user = user};
		sev.sigev_value = vt_ubytes(&pn, sizeof(pn));
	}
	uaddr_t id = vt_ubuf(4);
	int r = simk_timer_create(clock, vt_ubytes(&sev, sizeof(sev)), id);
	if (r != 0)
		return r;
	int32_t v;
	vt_uget(id, &v, 4);
	return v;
}

static int tset(int id, int flags, uint64_t value_ns, uint64_t interval_ns,
		struct simk_itimerspec *old)
{
	struct simk_itimerspec its = {
	    .it_interval = {(int64_t)(interval_ns / 1000000000),
			    (int64_t)(interval_ns % 1000000000)},
	    .it_value = {(int64_t)(value_ns / 1000000000), (int64_t)(value_ns % 1000000000)},
	};
	uaddr_t uold = old ? vt_ubuf(sizeof(*old)) : 0;
	int r = simk_timer_settime(id, flags, vt_ubytes(&its, sizeof(its)), uold);
	if (r == 0 && old)
		vt_uget(uold, old, sizeof(*old));
	return r;
}

static uint64_t tleft(int id)
{
	struct simk_itimerspec its;
	uaddr_t u = vt_ubuf(sizeof(its));
	VEQ(simk_timer_gettime(id, u), 0);
	vt_uget(u, &its, sizeof(its));
	return (uint64_t)its.it_value.tv_sec * 1000000000 + (uint64_t)its.it_value.tv_nsec;
}

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	int f = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t id = vt_ubuf(4);
	struct simk_sigevent sev = {.sigev_notify = SIMK_SIGEV_NONE};
	uaddr_t usev = vt_ubytes(&sev, sizeof(sev));
	VEQ(simk_timer_create(7, usev, id), -EINVAL);
	VEQ(simk_timer_create(SIMK_CLOCK_REALTIME, 0x10, id), -EFAULT);
	VEQ(simk_timer_create(SIMK_CLOCK_REALTIME, usev, 0x10), -EFAULT);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_THREAD, 0, 0, 0, 0), -EINVAL);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, 9, 0, 0, 0, 0), -EINVAL);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_SIGNAL, 0, 0, 0, 0), -EINVAL);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_SIGNAL, 65, 0, 0, 0), -EINVAL);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_PORT, 0, 0, 77, 0), -EBADF);
	VEQ(tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_PORT, 0, 0, f, 0), -EBADFD);
	struct simk_sigevent sp = {.sigev_notify = SIMK_SIGEV_PORT, .sigev_value = 0};
	VEQ(simk_timer_create(SIMK_CLOCK_REALTIME, vt_ubytes(&sp, sizeof(sp)), id), -EFAULT);
	VEQ(pt_stats().slots_live, 0);
	/* timers per process */
	int ids[PTIMER_MAX];
	for (int i = 0; i < PTIMER_MAX; i++) {
		ids[i] = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_NONE, 0, 0, 0, 0);
		VEQ(ids[i], i); /* lowest free id */
	}
	VEQ(tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_NONE, 0, 0, 0, 0), -EAGAIN);
	VEQ(simk_timer_delete(ids[3]), 0);
	VEQ(tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_NONE, 0, 0, 0, 0), 3);
	/* settime / gettime / delete errors */
	VEQ(tset(99, 0, 1000, 0, NULL), -EINVAL);
	VEQ(tset(0, 0x10, 1000, 0, NULL), -EINVAL);
	struct simk_itimerspec bad = {.it_value = {0, 1000000000}};
	VEQ(simk_timer_settime(0, 0, vt_ubytes(&bad, sizeof(bad)), 0), -EINVAL);
	bad.it_value.tv_nsec = -1;
	VEQ(simk_timer_settime(0, 0, vt_ubytes(&bad, sizeof(bad)), 0), -EINVAL);
	bad = (struct simk_itimerspec){.it_value = {-1, 0}};
	VEQ(simk_timer_settime(0, 0, vt_ubytes(&bad, sizeof(bad)), 0), -EINVAL);
	bad = (struct simk_itimerspec){.it_value = {1, 0}, .it_interval = {0, -5}};
	VEQ(simk_timer_settime(0, 0, vt_ubytes(&bad, sizeof(bad)), 0), -EINVAL);
	VEQ(simk_timer_settime(0, 0, 0x10, 0), -EFAULT);
	struct simk_itimerspec good = {.it_value = {1, 0}};
	VEQ(simk_timer_settime(0, 0, vt_ubytes(&good, sizeof(good)), 0x10), -EFAULT);
	VEQ(simk_timer_gettime(99, vt_ubuf(32)), -EINVAL);
	VEQ(simk_timer_gettime(0, 0x10), -EFAULT);
	VEQ(simk_timer_getoverrun(99), -EINVAL);
	VEQ(simk_timer_delete(99), -EINVAL);
	for (int i = 0; i < PTIMER_MAX; i++)
		VEQ(simk_timer_delete(i), 0);
	VEQ(simk_timer_delete(0), -EINVAL);
	/* the port's event limit */
	struct port_limits l;
	port_limits_get(&l);
	l.events_max = 1;
	VEQ(port_limits_set(&l), 0);
	int p2 = simk_port_create();
	VEQ(tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_PORT, 0, 0, p2, 0), 0);
	VEQ(tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_PORT, 0, 0, p2, 0), -EAGAIN);
	VEQ(simk_timer_delete(0), 0);
	VEQ(simk_close(p2), 0);
	VEQ(simk_close(port), 0);
	VEQ(simk_close(f), 0);
}

Test(port_timer, errors_einval_efault_ebadf_ebadfd_eagain)
{
	pt_run1(t_errors, NULL);
}

static void t_relative_port(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int id = tcreate(SIMK_CLOCK_REALTIME, SIMK_SIGEV_PORT, 0, 0, port, 0xfeed);
	VEQ(id, 0);
	VEQ(tleft(id), 0); /* disarmed */
	vt_sleep(500);
	VEQ(tset(id, 0, 2000, 0, NULL), 0);
	VEQ(tleft(id), 2000);
	port_event_t ev;
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), 2500);
	VEQ(ev.portev_source, PORT_SOURCE_TIMER);
	VEQ(ev.portev_object, (uint64_t)id);
	VEQ(ev.portev_user, 0xfeed);
	VEQ(ev.portev_events, 1);
	VEQ(simk_timer_getoverrun(id), 0);
	VEQ(tleft(id), 0); /* one shot */
	/* absolute, in the future and in the past */
	VEQ(tset(id, SIMK_TIMER_ABSTIME, 10000, 0, NULL), 0);
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), 10000);
	VEQ(tset(id, SIMK_TIMER_ABSTIME, 5, 0, NULL), 0);
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), 10000); /* fired at once */
	/* settime returns the old setting; value 0 disarms */
	struct simk_itimerspec old;
	VEQ(tset(id, 0, 3000, 700, NULL), 0);
	vt_sleep(1000);
	VEQ(tset(id, 0, 0, 0, &old), 0);
	VEQ(old.it_value.tv_nsec, 2000);
	VEQ(old.it_interval.tv_nsec, 700);
	vt_sleep(10000);
	VEQ(pt_get(port, &ev, &pt_poll), -ETIME);
	VEQ(simk_timer_delete(id), 0);
	VEQ(simk_close(port), 0);
	VEQ(pt_stats().slots_live, 0);
}

Test(port_timer, relative_absolute_and_disarm_in_virtual_time)
{
	pt_run1(t_relative_port, NULL);
}

static void t_periodic_overrun(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int id = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_PORT, 0, 0, port, 1);
	VEQ(tset(id, 0, 1000, 1000, NULL), 0);
	vt_sleep(5500);		/* 5 expirations, nobody retrieves */
	VEQ(pt_count(port), 1); /* one slot per timer */
	port_event_t ev;
	VEQ(pt_get(port, &ev, &pt_poll), 0);
	VEQ(ev.portev_events, 5);
	VEQ(simk_timer_getoverrun(id), 4);
	VEQ(pt_get(port, &ev, NULL), 0);
	VEQ(sim_now(), 6000);
	VEQ(ev.portev_events, 1);
	VEQ(simk_timer_getoverrun(id), 0);
	VEQ(tleft(id), 1000);
	vt_sleep(2500); /* 7000, 8000 */
	/* delete takes the queued event back */
	VEQ(pt_count(port), 1);
	VEQ(simk_timer_delete(id), 0);
	VEQ(pt_count(port), 0);
	VEQ(simk_close(port), 0);
	struct port_stats st = pt_stats();
	VEQ(st.events_removed, 1);
	VEQ(st.slots_live, 0);
}

Test(port_timer, periodic_expirations_not_retrieved_count_as_overruns)
{
	pt_run1(t_periodic_overrun, NULL);
}

static void t_signal(void *arg)
{
	(void)arg;
	int id = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_SIGNAL, SIMK_SIGUSR1, 0x42, 0, 0);
	VEQ(id, 0);
	VEQ(tset(id, 0, 1000, 1000, NULL), 0);
	vt_sleep(3500); /* 3 expirations, the signal stays pending */
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	VEQ(si.code, SIMK_SI_TIMER);
	VEQ(si.value, 0x42);
	VEQ(sig_dequeue(&si), 0);
	vt_sleep(1000); /* the next one latches the overruns of the last */
	VEQ(simk_timer_getoverrun(id), 2);
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	/* default sigevent: SIGALRM with the id as value */
	uaddr_t uid = vt_ubuf(4);
	VEQ(simk_timer_create(SIMK_CLOCK_REALTIME, 0, uid), 0);
	int32_t id2;
	vt_uget(uid, &id2, 4);
	VEQ(id2, 1);
	VEQ(simk_timer_delete(id), 0);
	VEQ(tset(id2, 0, 10, 0, NULL), 0);
	vt_sleep(100);
	VEQ(sig_dequeue(&si), SIMK_SIGALRM);
	VEQ(si.value, 1);
	VEQ(simk_timer_delete(id2), 0);
	/* SIGEV_NONE: runs, tells nobody */
	int id3 = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_NONE, 0, 0, 0, 0);
	VEQ(tset(id3, 0, 5000, 0, NULL), 0);
	vt_sleep(2000);
	VEQ(tleft(id3), 3000);
	vt_sleep(5000);
	VEQ(sig_dequeue(&si), 0);
	VEQ(tleft(id3), 0);
	/* left armed: the process's exit deletes it */
}

Test(port_timer, sigev_signal_and_sigev_none)
{
	pt_run1(t_signal, NULL);
}

/* A timer whose port is closed goes on without notification; timers are
 * per process (a forked child has none of the parent's). */
static int child_overrun;
static void t_tchild(void *arg)
{
	(void)arg;
	child_overrun = simk_timer_getoverrun(0);
}

static void t_port_close(void *arg)
{
	(void)arg;
	int port = simk_port_create();
	int id = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_PORT, 0, 0, port, 1);
	VEQ(tset(id, 0, 1000, 1000, NULL), 0);
	int c = proc_fork("child", t_tchild, NULL);
	int st;
	VEQ(proc_wait(c, &st), c);
	VEQ(child_overrun, -EINVAL);
	vt_sleep(2500);
	VEQ(pt_count(port), 1);
	VEQ(simk_close(port), 0); /* discards the event, frees the slot */
	VEQ(pt_stats().slots_live, 0);
	vt_sleep(2300);
	VEQ(tleft(id), 200); /* still running */
	VEQ(simk_timer_delete(id), 0);
}

Test(port_timer, closing_the_port_detaches_its_timers_and_children_have_none)
{
	pt_run1(t_port_close, NULL);
}

/* An expiration while the previous event is in its delivery callback is
 * queued once that delivery ends (nothing lost, nothing doubled), under
 * many schedules. */
static struct {
	int port;
	int id;
	uint64_t total;
	bool stop;
} race;
static uint64_t resent;

static void t_race_getter(void *arg)
{
	(void)arg;
	while (!race.stop) {
		/* wake at the very instant of an expiration */
		vt_sleep(2000 - sim_now() % 1000); /* armed before the timer re-arms */
		port_event_t ev;
		int r = pt_get(race.port, &ev, &pt_poll);
		if (r == 0) {
			race.total += (uint64_t)ev.portev_events;
			VEQ(simk_timer_getoverrun(race.id), ev.portev_events - 1);
		}
	}
}

static void t_race(void *arg)
{
	(void)arg;
	race.port = simk_port_create();
	race.total = 0;
	race.stop = false;
	race.id = tcreate(SIMK_CLOCK_MONOTONIC, SIMK_SIGEV_PORT, 0, 0, race.port, 0);
	VEQ(tset(race.id, 0, 1000, 1000, NULL), 0);
	struct simk_thread *g =
	    kthread_create(sim_proc_current(), "getter", t_race_getter, NULL, false);
	vt_sleep(20500); /* 20 expirations */
	VEQ(tset(race.id, 0, 0, 0, NULL), 0);
	race.stop = true;
	VEQ(kthread_join(g, NULL), 0);
	port_event_t ev;
	if (pt_get(race.port, &ev, &pt_poll) == 0)
		race.total += (uint64_t)ev.portev_events;
	VEQ(race.total, 20);
	resent += pt_stats().events_resent;
	VEQ(simk_timer_delete(race.id), 0);
	VEQ(simk_close(race.port), 0);
}

Test(port_timer, no_expiration_lost_or_doubled_under_random_schedules)
{
	resent = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_race, NULL);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	/* the race was really run: some expirations came during a delivery */
	cr_assert_gt(resent, 0);
}
