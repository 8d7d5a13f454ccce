/* kqueue: EVFILT_SIGNAL, EVFILT_FS and EVFILT_AIO (with a kernel test
 * source standing in for POSIX AIO). */
#include "kq_test.h"

#define MS 1000000ull

static void t_signal(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	int kq = simk_kqueue();
	struct kevent ev[4];
	VEQ(kq_change(kq, SIMK_SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, 8), 0);
	VEQ(kq_change(kq, SIMK_SIGUSR2, EVFILT_SIGNAL, EV_ADD, 0, 0, 9), 0);
	VEQ(kq_poll(kq, ev, 4), 0);
	/* ignored and blocked signals still count */
	VEQ(sig_ignore(p, SIMK_SIGUSR1, true), 0);
	uint64_t old;
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ull << (SIMK_SIGUSR2 - 1), &old), 0);
	for (int i = 0; i < 3; i++)
		VEQ(sig_kill_proc(p, SIMK_SIGUSR1), 0);
	VEQ(sig_kill_proc(p, SIMK_SIGUSR2), 0);
	VEQ(sig_kill_proc(p, SIMK_SIGUSR2), 0); /* coalesced as pending, counted twice */
	VEQ(kq_poll(kq, ev, 4), 2);
	for (int i = 0; i < 2; i++) {
		VEQ(ev[i].filter, EVFILT_SIGNAL);
		VEQ(ev[i].flags & EV_CLEAR, EV_CLEAR);
		VEQ(ev[i].data, ev[i].ident == SIMK_SIGUSR1 ? 3 : 2);
	}
	VEQ(kq_poll(kq, ev, 4), 0); /* counts since the last retrieval */
	VEQ(sig_kill_proc(p, SIMK_SIGUSR1), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 1);
	/* the signal itself is untouched: USR2 is still pending (blocked) */
	VCHECK(sig_pending(sim_thread_current(), SIMK_SIGUSR2));
	VEQ(sig_procmask(SIMK_SIG_SETMASK, old, NULL), 0);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR2);
	VEQ(simk_close(kq), 0);
}

Test(kq_signal, counts_deliveries_even_ignored_or_blocked)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_signal, NULL);
}

/* Another process's signals are not ours; a sender in another thread wakes
 * a waiter. */
static int g_pid;

static void t_sender(void *arg)
{
	(void)arg;
	vt_sleep(MS);
	VEQ(sig_kill_proc(sim_proc_by_pid(g_pid), SIMK_SIGTERM), 0);
}

static void other_proc(void *arg)
{
	(void)arg;
	vt_sleep(3 * MS);
}

static void t_signal_wait(void *arg)
{
	(void)arg;
	g_pid = sim_proc_current()->pid;
	int kq = simk_kqueue();
	VEQ(sig_ignore(sim_proc_current(), SIMK_SIGTERM, true), 0);
	VEQ(kq_change(kq, SIMK_SIGTERM, EVFILT_SIGNAL, EV_ADD, 0, 0, 0), 0);
	int other = proc_fork("other", other_proc, NULL);
	VEQ(sig_kill_proc(sim_proc_by_pid(other), SIMK_SIGTERM), 0);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 0);
	struct simk_thread *t = kthread_create(sim_proc_current(), "sender", t_sender, NULL, false);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(ev[0].data, 1);
	VEQ(kthread_join(t, NULL), 0);
	VEQ(proc_wait(other, NULL), other);
	VEQ(simk_close(kq), 0);
}

Test(kq_signal, only_the_kqueue_owner_signals_and_wakeup)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_signal_wait, NULL);
}

/* ---- EVFILT_FS ---- */

static void t_fs(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, 0, EVFILT_FS, EV_ADD, 0, 0, 3), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	vt_setup(); /* create the device and mount */
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, FSEV_MOUNT);
	VEQ(ev[0].flags & EV_CLEAR, EV_CLEAR);
	VEQ(kq_poll(kq, ev, 2), 0);
	fs_report(FSEV_LOWDISK);
	fs_report(FSEV_SPACE_OK);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, FSEV_LOWDISK | FSEV_SPACE_OK); /* accumulated */
	VEQ(vfs_unmount(), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].fflags, FSEV_UNMOUNT);
	VEQ(simk_close(kq), 0);
}

Test(kq_fs, mount_unmount_and_space_events)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_fs, NULL);
}

/* A low-space event from the filesystem's own allocator. */
static void t_fs_lowdisk(void *arg)
{
	(void)arg;
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, 0, EVFILT_FS, EV_ADD, 0, 0, 0), 0);
	int fd = vt_open("/big", O_CREAT | O_RDWR, 0644);
	static char chunk[65536];
	uint32_t seen = 0;
	for (int i = 0; i < 200 && !(seen & FSEV_LOWDISK); i++) {
		if (vt_write_str(fd, "") < 0)
			break;
		ssize_t r = simk_write(fd, vt_ubytes(chunk, sizeof(chunk)), sizeof(chunk));
		if (r <= 0)
			break;
		int n = kq_poll(kq, ev, 2);
		if (n == 1)
			seen |= ev[0].fflags;
	}
	VEQ(seen & FSEV_LOWDISK, FSEV_LOWDISK);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_fs, low_space_from_the_filesystem)
{
	kq_run1(2, SIMK_POLICY_FIFO, true, t_fs_lowdisk, NULL);
}

/* ---- EVFILT_AIO: a kernel test source plays POSIX AIO ---- */

struct test_aio {
	struct kq_aio_hook hook;
	struct callout done;
	int error;
};

static void test_aio_done(void *arg)
{
	struct test_aio *r = arg; /* interrupt context */
	kq_aio_complete(&r->hook, r->error);
}

static void t_aio(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	int kq = simk_kqueue();
	static struct test_aio req[3];
	uaddr_t aiocb = vt_ubuf(3 * 64);
	for (int i = 0; i < 3; i++) {
		kq_aio_hook_init(&req[i].hook);
		callout_init(&req[i].done, "test_aio");
		req[i].error = i == 1 ? EIO : 0;
		VEQ(kq_aio_attach(p, kq, aiocb + (uaddr_t)i * 64, 100 + (uint64_t)i, &req[i].hook),
		    0);
		callout_reset(&req[i].done, (uint64_t)(i + 1) * MS, test_aio_done, &req[i]);
	}
	VEQ(kq_aio_attach(p, 99, aiocb, 0, &req[0].hook), -EBADF);
	int pfd[2];
	uaddr_t up = vt_ubuf(8);
	VEQ(simk_pipe(up), 0);
	vt_uget(up, pfd, sizeof(pfd));
	VEQ(kq_aio_attach(p, pfd[0], aiocb, 0, &req[0].hook), -EBADF); /* not a kqueue */
	VEQ(kqueue_knotes_live(), 3);
	struct kevent ev[4];
	VEQ(kq_poll(kq, ev, 4), 0);
	for (int i = 0; i < 3; i++) {
		VEQ(kq_kevent(kq, NULL, 0, ev, 4, KQ_FOREVER), 1);
		VEQ(ev[0].filter, EVFILT_AIO);
		VEQ(ev[0].ident, aiocb + (uaddr_t)i * 64);
		VEQ(ev[0].udata, 100 + (uint64_t)i);
		VEQ(ev[0].data, i == 1 ? EIO : 0);
		VEQ(ev[0].flags & (EV_EOF | EV_ONESHOT), EV_EOF | EV_ONESHOT);
	}
	VEQ(kqueue_knotes_live(), 0); /* delivered once */
	VEQ(kq_poll(kq, ev, 4), 0);
	for (int i = 0; i < 3; i++) {
		kq_aio_detach(&req[i].hook); /* nothing left: no-op */
		VCHECK(list_empty(&req[i].hook.knotes));
	}
	/* a request freed before its event was retrieved: the knote goes */
	kq_aio_hook_init(&req[0].hook);
	VEQ(kq_aio_attach(p, kq, aiocb, 7, &req[0].hook), 0);
	kq_aio_complete(&req[0].hook, 0);
	VEQ(kq_pending(kq), 1);
	kq_aio_detach(&req[0].hook);
	VEQ(kq_pending(kq), 0);
	VEQ(kqueue_knotes_live(), 0);
	/* completion before the attach: queued at once */
	kq_aio_hook_init(&req[1].hook);
	kq_aio_complete(&req[1].hook, ECANCELED);
	VEQ(kq_aio_attach(p, kq, aiocb + 64, 8, &req[1].hook), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, ECANCELED);
	/* the kqueue closes first: the hook loses its knote, completion posts
	 * nothing */
	kq_aio_hook_init(&req[2].hook);
	VEQ(kq_aio_attach(p, kq, aiocb + 128, 9, &req[2].hook), 0);
	VEQ(simk_close(kq), 0);
	VCHECK(list_empty(&req[2].hook.knotes));
	kq_aio_complete(&req[2].hook, 0);
	kq_aio_detach(&req[2].hook);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(kq_aio, attach_complete_once_detach_and_close)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_aio, NULL);
}
