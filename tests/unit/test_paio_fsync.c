/* POSIX AIO: aio_fsync — the fan-out over every worker, errors, cancel. */
#include "paio_test.h"

#define SIG (SIMK_SIGRTMIN + 2)

/*
 * Writes spread over four workers, then aio_fsync: every write's
 * notification is queued before the fsync's (a request is notified when
 * it retires), so the fsync retired after every write. And after a power
 * cut, the data is there.
 */
static void t_fanout(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIG - 1), NULL), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uint8_t pat[8 * 1024];
	vt_fill(pat, sizeof(pat), 11, 0);
	uaddr_t buf = vt_ubytes(pat, sizeof(pat));
	uaddr_t w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = pt_cb(fd, buf + 1024 * i, 1024, 1024 * i);
		pt_sigev(w[i], SIMK_SIGEV_SIGNAL, SIG, (uint64_t)i, 0);
		VEQ(simk_aio_write(w[i]), 0);
	}
	uaddr_t f = pt_cb(fd, 0, 0, 0);
	pt_sigev(f, SIMK_SIGEV_SIGNAL, SIG, 99, 0);
	VEQ(simk_aio_fsync(O_SYNC, f), 0);
	VEQ(pt_wait(f), 0);
	for (int i = 0; i < 8; i++)
		VCHECK(simk_aio_error(w[i]) != EINPROGRESS);
	VEQ(simk_aio_return(f), 0);
	vt_sleep(1000);
	VEQ(sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIG - 1), NULL), 0);
	struct siginfo_sim si;
	int n = 0;
	while (sig_dequeue(&si) != 0) {
		VEQ(si.signo, SIG);
		if (n < 8)
			VCHECK(si.value >= 0 && si.value < 8);
		else
			VEQ(si.value, 99);
		n++;
	}
	VEQ(n, 9);
	for (int i = 0; i < 8; i++)
		VEQ(simk_aio_return(w[i]), 1024);
	VEQ(simk_close(fd), 0);
	vt_crash_remount(0);
	int fd2 = vt_open("/f", O_RDONLY, 0);
	uint8_t got[8 * 1024];
	VEQ(vt_pread(fd2, got, sizeof(got), 0), (long long)sizeof(got));
	VCHECK(memcmp(got, pat, sizeof(got)) == 0);
	VEQ(simk_close(fd2), 0);
}

Test(paio_fsync, fsync_retires_after_every_earlier_write_and_makes_them_durable)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(4, 4, 1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fanout, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The same under random schedules: the order holds for every seed. */
Test(paio_fsync, fsync_order_holds_under_random_schedules)
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct simk *s = pt_sim(seed, SIMK_POLICY_RANDOM);
		pt_config(4, 6, 1);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_fanout, NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int ro = vt_open("/f", O_RDONLY, 0);
	uaddr_t cb = pt_cb(fd, 0, 0, 0);
	VEQ(simk_aio_fsync(0, cb), -EINVAL);
	VEQ(simk_aio_fsync(O_RDWR, cb), -EINVAL);
	VEQ(simk_aio_fsync(O_SYNC, 0), -EINVAL);
	VEQ(simk_aio_fsync(O_SYNC, 0x100), -EFAULT);
	VEQ(simk_aio_fsync(O_SYNC, pt_cb(ro, 0, 0, 0)), -EBADF);
	uaddr_t bad = pt_cb(42, 0, 0, 0);
	VEQ(simk_aio_fsync(O_DSYNC, bad), -EBADF);
	VEQ(simk_aio_error(bad), EBADF);
	pt_sigev(cb, 77, 0, 0, 0);
	VEQ(simk_aio_fsync(O_SYNC, cb), -EINVAL);
	pt_sigev(cb, SIMK_SIGEV_NONE, 0, 0, 0);
	VEQ(simk_aio_fsync(O_DSYNC, cb), 0);
	VEQ(pt_result(cb), 0);
	VEQ(simk_aio_fsync(O_SYNC, cb), 0);
	VEQ(pt_result(cb), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(ro), 0);
}

Test(paio_fsync, bad_op_mode_and_descriptor)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_errors, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* One worker blocked in a pipe read: the fsync's piece waits behind it,
 * so the fsync is queued and can be canceled; its piece goes too. */
static void t_cancel_queued_fsync(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t blocker = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(blocker), 0);
	vt_sleep(1000);
	uaddr_t f = pt_cb(fd, 0, 0, 0);
	VEQ(simk_aio_fsync(O_SYNC, f), 0);
	vt_sleep(1000);
	VEQ(simk_aio_error(f), EINPROGRESS);
	VEQ(pt_get(f).aio_state, AIOCB_QUEUED);
	VEQ(pt_stats().requests_live, 3); /* blocker, fsync, its piece */
	VEQ(simk_aio_cancel(fd, f), AIO_CANCELED);
	VEQ(pt_stats().requests_live, 2);
	VEQ(simk_aio_return(f), -ECANCELED);
	VEQ(vt_write_str(pfd[1], "q"), 1);
	VEQ(pt_result(blocker), 1);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_fsync, queued_fsync_is_canceled_with_its_pieces)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(1, 1, 4);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_queued_fsync, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The fsync waits for a write that sits behind a blocked read on another
 * worker's queue: it cannot end before that write. */
static void t_waits_for_other_worker(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t blocker = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(blocker), 0); /* worker 0 */
	vt_sleep(1000);
	/* worker 1 is idle: takes the first write; the second goes behind
	 * the blocker (round robin, no idle worker, not loaded) */
	uaddr_t w1 = pt_cb(fd, vt_ubuf(512), 512, 0);
	uaddr_t w2 = pt_cb(fd, vt_ubuf(512), 512, 512);
	VEQ(simk_aio_write(w1), 0);
	VEQ(simk_aio_write(w2), 0);
	uaddr_t f = pt_cb(fd, 0, 0, 0);
	VEQ(simk_aio_fsync(O_DSYNC, f), 0);
	vt_sleep(10 * 1000 * 1000);
	VEQ(simk_aio_error(w1), 0);
	VEQ(simk_aio_error(w2), EINPROGRESS);
	VEQ(simk_aio_error(f), EINPROGRESS); /* still waiting for w2's worker */
	VEQ(vt_write_str(pfd[1], "q"), 1);
	VEQ(pt_result(f), 0);
	VEQ(simk_aio_error(w2), 0);
	VEQ(simk_aio_return(w1), 512);
	VEQ(simk_aio_return(w2), 512);
	VEQ(pt_result(blocker), 1);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_fsync, fsync_waits_for_writes_queued_on_other_workers)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(2, 2, 8);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_waits_for_other_worker, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
