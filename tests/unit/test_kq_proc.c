/* kqueue: EVFILT_PROC (exit, fork, exec, NOTE_TRACK, zombies). */
#include "kq_test.h"
#include "syscalls/kqueue/kq_priv.h"

#define MS 1000000ull

static void child_exit7(void *arg)
{
	(void)arg;
	vt_sleep(2 * MS);
	proc_exit(7);
}

static void t_exit(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_exit7, NULL);
	VCHECK(pid > 0);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_EXIT | NOTE_EXEC, 0, 9), 0);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(ev[0].ident, (uint64_t)pid);
	VEQ(ev[0].fflags, NOTE_EXIT);
	VEQ(ev[0].data, SIMK_W_EXITED(7)); /* the wait(2) status, as FreeBSD */
	VEQ(simk_wexitstatus((int)ev[0].data), 7);
	VEQ(ev[0].udata, 9);
	VEQ(ev[0].flags & (EV_EOF | EV_ONESHOT | EV_CLEAR), EV_EOF | EV_ONESHOT | EV_CLEAR);
	VEQ(kqueue_knotes_live(), 0); /* one-shot: gone after retrieval */
	int st = -1;
	VEQ(proc_wait(pid, &st), pid);
	VEQ(st, SIMK_W_EXITED(7));
	/* reaped: no such process any more */
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, 0), -ESRCH);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_exit_with_status_eof_oneshot)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_exit, NULL);
}

static void child_quick(void *arg)
{
	proc_exit((int)(intptr_t)arg);
}

/* A zombie that exited with 3: NOTE_FORK cannot be watched any more,
 * NOTE_EXIT fires at once with its wait status; ev[0] is that event. */
static void zombie_note_exit(int kq, int pid, struct kevent ev[2])
{
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_FORK, 0, 0), -ESRCH);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, NOTE_EXIT);
	VEQ(ev[0].data, SIMK_W_EXITED(3));
}

/* A child that died before the registration but is still a zombie fires
 * NOTE_EXIT at once; without NOTE_EXIT it cannot be watched. */
static void t_zombie(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_quick, (void *)(intptr_t)3);
	vt_sleep(MS); /* it exits meanwhile */
	VCHECK(proc_is_zombie(sim_proc_by_pid(pid)));
	struct kevent ev[2];
	zombie_note_exit(kq, pid, ev);
	VEQ(ev[0].flags & (EV_EOF | EV_ONESHOT), EV_EOF | EV_ONESHOT);
	VEQ(kqueue_knotes_live(), 0);
	/* deleting a dead process's knote before retrieval is fine too */
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_DELETE, 0, 0, 0), 0);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, zombie_fires_note_exit_at_once)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_zombie, NULL);
}

/* The same when the run's first kqueue is made after the exit: kqueue's
 * state is made at its first use, and learns the exits before it from the
 * kernel's record (what its exit observer would have kept). */
static void t_zombie_before_any_kqueue(void *arg)
{
	(void)arg;
	int pid = proc_fork("child", child_quick, (void *)(intptr_t)3);
	vt_sleep(MS); /* it exits meanwhile, with no kqueue in the run yet */
	VCHECK(proc_is_zombie(sim_proc_by_pid(pid)));
	int kq = simk_kqueue();
	VCHECK(kq >= 0);
	VCHECK(kq_pinfo(pid)->exited);
	VEQ(kq_pinfo(pid)->status, SIMK_W_EXITED(3));
	VCHECK(!kq_pinfo(sim_proc_current()->pid)->exited);
	struct kevent ev[2];
	zombie_note_exit(kq, pid, ev);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, zombie_before_the_first_kqueue_fires_note_exit)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_zombie_before_any_kqueue, NULL);
}

static void grandchild(void *arg)
{
	(void)arg;
	vt_sleep(5 * MS);
	proc_exit(5);
}

static void child_fork_exec(void *arg)
{
	(void)arg;
	vt_sleep(MS);
	int g = proc_fork("grandchild", grandchild, NULL);
	VCHECK(g > 0);
	vt_sleep(MS);
	proc_exec(sim_proc_current(), "newimage");
	vt_sleep(10 * MS);
	VEQ(proc_wait(g, NULL), g);
	proc_exit(1);
}

/* NOTE_FORK and NOTE_EXEC, and the changes between retrievals coalesce. */
static void t_fork_exec(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_fork_exec, NULL);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_FORK | NOTE_EXEC, 0, 0), 0);
	struct kevent ev[4];
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].fflags, NOTE_FORK);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].fflags, NOTE_EXEC);
	/* NOTE_EXIT not asked: the exit still detaches and ends the knote */
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
	VEQ(ev[0].fflags, 0);
	VEQ(ev[0].flags & EV_EOF, EV_EOF);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_fork_and_note_exec)
{
	kq_run1(3, SIMK_POLICY_FIFO, false, t_fork_exec, NULL);
}

/* NOTE_TRACK: the knote follows the child; the child's event carries
 * NOTE_CHILD and the parent's pid; tracking is inherited. */
static void t_track(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_fork_exec, NULL);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_EXIT | NOTE_FORK, 0,
		      44),
	    0);
	struct kevent ev[4];
	int gpid = 0;
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 2);
	for (int i = 0; i < 2; i++) {
		VEQ(ev[i].udata, 44);
		if (ev[i].ident == (uint64_t)pid) {
			VEQ(ev[i].fflags, NOTE_FORK);
		} else {
			gpid = (int)ev[i].ident;
			VEQ(ev[i].fflags, NOTE_CHILD);
			VEQ(ev[i].data, pid); /* the parent's pid */
		}
	}
	VCHECK(gpid > 0);
	VEQ(kqueue_knotes_live(), 2);
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1); /* the grandchild exits */
	VEQ(ev[0].ident, (uint64_t)gpid);
	VEQ(ev[0].fflags, NOTE_EXIT);
	VEQ(ev[0].data, SIMK_W_EXITED(5));
	VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1); /* then the child */
	VEQ(ev[0].ident, (uint64_t)pid);
	VEQ(ev[0].fflags, NOTE_EXIT);
	VEQ(ev[0].data, SIMK_W_EXITED(1));
	VEQ(kqueue_knotes_live(), 0);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_track_follows_children)
{
	kq_run1(4, SIMK_POLICY_FIFO, false, t_track, NULL);
}

/* NOTE_TRACKERR: the registration on the child fails (allocation faults
 * injected at every step of the fork, one run each). Whatever fails, the
 * run leaks nothing, and the parent's knote reports NOTE_TRACKERR exactly
 * when the child got no knote. */
static int g_nth, g_trackerr_seen, g_child_seen, g_fork_failed;

static void child_fork_fault(void *arg)
{
	(void)arg;
	vt_sleep(MS);
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%llu",
		 (unsigned long long)(sim_fault_hits("kmem/alloc/enomem") + (uint64_t)g_nth));
	vt_fault(spec);
	int g = proc_fork("grandchild", child_quick, (void *)0);
	vt_fault("kmem/alloc/enomem:off");
	if (g < 0) {
		g_fork_failed++;
		proc_exit(2);
	}
	VEQ(proc_wait(g, NULL), g);
	proc_exit(0);
}

static void t_trackerr(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_fork_fault, NULL);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_EXIT, 0, 0), 0);
	struct kevent ev[4];
	bool trackerr = false, child = false, exited = false;
	while (!exited) {
		int n = kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER);
		VCHECK(n > 0);
		for (int i = 0; i < n; i++) {
			if (ev[i].ident == (uint64_t)pid) {
				trackerr |= (ev[i].fflags & NOTE_TRACKERR) != 0;
				exited |= (ev[i].fflags & NOTE_EXIT) != 0;
			} else {
				child = true;
				VEQ(ev[i].fflags & NOTE_CHILD, NOTE_CHILD);
			}
		}
	}
	int st;
	VEQ(proc_wait(pid, &st), pid);
	if (st == 0)
		VCHECK(trackerr != child); /* exactly one of the two */
	g_trackerr_seen += trackerr;
	g_child_seen += child;
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_trackerr_when_the_child_cannot_be_watched)
{
	g_trackerr_seen = g_child_seen = g_fork_failed = 0;
	for (g_nth = 1; g_nth <= 12; g_nth++)
		kq_run1(5, SIMK_POLICY_FIFO, false, t_trackerr, NULL);
	cr_assert_gt(g_trackerr_seen, 0, "no run reported NOTE_TRACKERR");
	cr_assert_gt(g_child_seen, 0, "no run tracked the child");
}

/* ---- NOTE_TRACK registers the child recursively, lock before knote ---- */


static uint64_t kstat(const char *name)
{
	uint64_t v = UINT64_MAX;
	VEQ(kqueue_stat(name, &v), 0);
	return v;
}

static int g_knotes_after_fork;
static bool g_forked;

static void gchild_late_exit(void *arg)
{
	(void)arg;
	vt_sleep(5 * MS);
	proc_exit(0);
}

/* Forks once after 1 ms; notes what exists when fork returns. */
static void child_forks_once(void *arg)
{
	(void)arg;
	vt_sleep(MS);
	int g = proc_fork("grandchild", gchild_late_exit, NULL);
	VCHECK(g > 0);
	g_forked = true;
	g_knotes_after_fork = kqueue_knotes_live();
	VEQ(proc_wait(g, NULL), g);
	proc_exit(0);
}

/* The fork hands the tracking knote to its filter, which registers the
 * child on the kqueue as a recursion of the registration lock's owner:
 * when fork returns, the child's knote exists, and the one registration
 * went through the recursive path. */
static void t_track_recursive(void *arg)
{
	(void)arg;
	uint64_t v;
	VEQ(kqueue_stat("no_such_counter", &v), -EINVAL);
	g_forked = false;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_forks_once, NULL);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_FORK | NOTE_EXIT, 0,
		      0),
	    0);
	VEQ(kstat("reg_recursive"), 0);
	vt_sleep(2 * MS);
	VCHECK(g_forked);
	VEQ(g_knotes_after_fork, 2); /* registered before fork returned */
	VEQ(kstat("reg_recursive"), 1);
	VEQ(kstat("track_registered"), 1);
	VEQ(kstat("track_lock_waits"), 0);
	struct kevent ev[4];
	VEQ(kq_poll(kq, ev, 4), 2); /* NOTE_FORK and the child's NOTE_CHILD */
	VEQ(ev[0].fflags | ev[1].fflags, NOTE_FORK | NOTE_CHILD);
	int exits = 0;
	while (exits < 2) {
		int n = kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER);
		VCHECK(n > 0);
		for (int i = 0; i < n; i++)
			exits += (ev[i].fflags & NOTE_EXIT) != 0;
	}
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_track_registers_the_child_recursively_from_the_filter)
{
	kq_run1(6, SIMK_POLICY_FIFO, false, t_track_recursive, NULL);
}

/* A thread holds the registration lock while the tracked process forks:
 * the fork waits for the lock *without owning the parent's knote*, so the
 * lock's owner can still take that knote (as a registrar modifying it
 * does). Taking the knote first and the lock second would deadlock here:
 * kq_knote_acquire below would sleep forever. */
static void t_track_lock_order(void *arg)
{
	(void)arg;
	g_forked = false;
	int kq = simk_kqueue();
	int pid = proc_fork("child", child_forks_once, NULL);
	VEQ(kq_change(kq, (uint64_t)pid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_FORK | NOTE_EXIT, 0,
		      0),
	    0);
	struct file *fp;
	struct kqueue *k = kqueue_from_fd(sim_proc_current(), kq, &fp);
	VCHECK(k != NULL);
	kq_reg_lock(k);
	vt_sleep(2 * MS); /* the child forks at 1 ms and waits for the lock */
	VCHECK(!g_forked);
	VEQ(kstat("track_lock_waits"), 1);
	VEQ(kqueue_knotes_live(), 1); /* the grandchild is not registered yet */
	struct knote *kn = kqueue_lookup(k, EVFILT_PROC, (uint64_t)pid);
	VCHECK(kn != NULL);
	VCHECK(kq_knote_acquire(kn)); /* free: the waiting fork does not own it */
	vt_sleep(MS);
	VCHECK(!g_forked);
	kq_knote_release(kn);
	kq_reg_unlock(k);
	vt_sleep(MS);
	VCHECK(g_forked);
	VEQ(g_knotes_after_fork, 2);
	VEQ(kstat("reg_recursive"), 1);
	VEQ(kstat("track_registered"), 1);
	file_put(fp);
	struct kevent ev[4];
	VEQ(kq_poll(kq, ev, 4), 2);
	VEQ(ev[0].fflags | ev[1].fflags, NOTE_FORK | NOTE_CHILD);
	VEQ(proc_wait(pid, NULL), pid);
	VEQ(simk_close(kq), 0);
}

Test(kq_proc, note_track_takes_the_registration_lock_before_the_parent_knote)
{
	kq_run1(7, SIMK_POLICY_FIFO, false, t_track_lock_order, NULL);
}
