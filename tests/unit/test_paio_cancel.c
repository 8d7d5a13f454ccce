/* POSIX AIO: aio_cancel outcomes, the cancel window, close(2), aiocancel. */
#include "paio_test.h"

#define SIG_RT (SIMK_SIGRTMIN + 1)

/* One worker; a pipe read blocks it; a second request waits queued. */
static void t_cancel_queued(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t b1 = vt_ubuf(64), b2 = vt_ubuf(64);
	uaddr_t blocker = pt_cb(pfd[0], b1, 64, 0);
	uaddr_t queued = pt_cb(pfd[0], b2, 64, 0);
	pt_sigev(queued, SIMK_SIGEV_SIGNAL, SIG_RT, 0x5150, 0);
	VEQ(simk_aio_read(blocker), 0);
	VEQ(simk_aio_read(queued), 0);
	vt_sleep(1000); /* the worker takes the blocker and sleeps in the pipe */
	VEQ(simk_aio_error(queued), EINPROGRESS);
	VEQ(pt_get(queued).aio_state, AIOCB_QUEUED);
	VEQ(simk_aio_cancel(pfd[0], queued), AIO_CANCELED);
	/* the result is there as soon as aio_cancel returns */
	VEQ(simk_aio_error(queued), ECANCELED);
	struct simk_aiocb c = pt_get(queued);
	VEQ(c.aio_resultp.aio_return, -1);
	VEQ(c.aio_resultp.aio_errno, ECANCELED);
	VEQ(simk_aio_return(queued), -ECANCELED);
	VEQ(simk_aio_cancel(pfd[0], queued), AIO_ALLDONE); /* not a request any more */
	/* the notification is still sent, by the notification worker */
	vt_sleep(1000);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIG_RT);
	VEQ(si.code, SIMK_SI_ASYNCIO);
	VEQ(si.value, 0x5150);
	/* the blocker is in progress, sleeping in the pipe: interruptible */
	VEQ(pt_get(blocker).aio_state, AIOCB_INPROGRESS);
	VEQ(simk_aio_cancel(pfd[0], blocker), AIO_CANCELED);
	VEQ(simk_aio_error(blocker), ECANCELED);
	VEQ(pt_result(blocker), -ECANCELED);
	VEQ(pt_stats().canceled, 2);
	vt_sleep(1000); /* the worker unwinds from the pipe */
	/* the worker came back: a new read is served */
	VEQ(vt_write_str(pfd[1], "hi"), 2);
	uaddr_t again = pt_cb(pfd[0], b1, 64, 0);
	VEQ(simk_aio_read(again), 0);
	VEQ(pt_result(again), 2);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_cancel, queued_request_is_canceled_with_notification_and_blocked_read_is_interrupted)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(1, 1, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_queued, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A write to a regular file sleeps uninterruptibly on the disk: not a
 * cancel point. */
static void t_cancel_disk_write(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	uint8_t pat[4096];
	vt_fill(pat, sizeof(pat), 3, 0);
	uaddr_t cb = pt_cb(fd, vt_ubytes(pat, sizeof(pat)), sizeof(pat), 0);
	VEQ(simk_aio_write(cb), 0);
	int outcome = -1;
	for (int i = 0; i < 100 && outcome != AIO_NOTCANCELED; i++) {
		vt_sleep(1000);
		if (simk_aio_error(cb) != EINPROGRESS)
			break;
		if (pt_get(cb).aio_state == AIOCB_QUEUED)
			continue;
		outcome = simk_aio_cancel(fd, cb);
		VCHECK(outcome == AIO_NOTCANCELED);
	}
	VEQ(outcome, AIO_NOTCANCELED);
	VEQ(pt_result(cb), 4096); /* it completed normally */
	VEQ(simk_aio_cancel(fd, 0), AIO_ALLDONE);
	VEQ(simk_close(fd), 0);
}

Test(paio_cancel, write_on_the_disk_is_not_canceled)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_disk_write, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_cancel_args(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int fd2 = vt_open("/g", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, vt_ubuf(16), 16, 0);
	VEQ(simk_aio_cancel(-1, cb), -EBADF);
	VEQ(simk_aio_cancel(-1, 0), -EBADF);
	VEQ(simk_aio_cancel(77, 0), -EBADF);
	VEQ(simk_aio_cancel(fd2, cb), -EINVAL); /* aiocb names another fd */
	VEQ(simk_aio_cancel(fd, 0x100), -EFAULT);
	VEQ(simk_aio_cancel(fd, cb), AIO_ALLDONE); /* never submitted */
	VEQ(simk_aio_cancel(fd, 0), AIO_ALLDONE);  /* no AIO in this process yet */
	VEQ(simk_aio_write(cb), 0);
	VEQ(pt_wait(cb), 0);
	VEQ(simk_aio_cancel(fd, cb), AIO_ALLDONE); /* ended, not yet returned */
	VEQ(simk_aio_cancel(fd, 0), AIO_ALLDONE);
	VEQ(simk_aio_return(cb), 16);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(fd2), 0);
}

Test(paio_cancel, argument_errors_and_alldone)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_args, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* aio_cancel(fd, NULL): every request on fd; others are left alone. */
static void t_cancel_fd(void *arg)
{
	(void)arg;
	vt_setup();
	int pa[2], pb[2];
	pt_pipe(pa);
	pt_pipe(pb);
	uaddr_t a[3], b;
	for (int i = 0; i < 3; i++) {
		a[i] = pt_cb(pa[0], vt_ubuf(8), 8, 0);
		VEQ(simk_aio_read(a[i]), 0);
	}
	b = pt_cb(pb[0], vt_ubuf(8), 8, 0);
	VEQ(simk_aio_read(b), 0);
	vt_sleep(1000);
	VEQ(simk_aio_cancel(pa[0], 0), AIO_CANCELED); /* all three: blocked or queued */
	for (int i = 0; i < 3; i++)
		VEQ(pt_result(a[i]), -ECANCELED);
	VEQ(simk_aio_error(b), EINPROGRESS);
	VEQ(simk_aio_cancel(pa[0], 0), AIO_ALLDONE);
	VEQ(vt_write_str(pb[1], "x"), 1);
	VEQ(pt_result(b), 1);
	for (int i = 0; i < 2; i++) {
		VEQ(simk_close(pa[i]), 0);
		VEQ(simk_close(pb[i]), 0);
	}
}

Test(paio_cancel, cancel_by_fd_cancels_only_that_fd)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(2, 2, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_fd, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A mix: one request that cannot be canceled makes the answer
 * AIO_NOTCANCELED, while the queued ones are canceled. */
static void t_cancel_mixed(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	uint8_t pat[4096];
	vt_fill(pat, sizeof(pat), 5, 0);
	uaddr_t buf = vt_ubytes(pat, sizeof(pat));
	uaddr_t w[3];
	for (int i = 0; i < 3; i++) {
		w[i] = pt_cb(fd, buf, sizeof(pat), 4096 * i);
		VEQ(simk_aio_write(w[i]), 0);
	}
	/* one worker: w[0] runs (on the disk), w[1], w[2] wait */
	for (int i = 0; i < 100 && pt_get(w[0]).aio_state == AIOCB_QUEUED; i++)
		vt_sleep(100);
	VEQ(simk_aio_error(w[0]), EINPROGRESS);
	VEQ(simk_aio_cancel(fd, 0), AIO_NOTCANCELED);
	VEQ(pt_result(w[0]), 4096);
	VEQ(pt_result(w[1]), -ECANCELED);
	VEQ(pt_result(w[2]), -ECANCELED);
	VEQ(vt_fstat(fd).st_size, 4096);
	VEQ(simk_close(fd), 0);
}

Test(paio_cancel, fd_cancel_with_one_request_on_the_disk_is_notcanceled)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(1, 1, 8);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_mixed, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* close(fd) cancels what is outstanding on it, through the close
 * observer: a blocked pipe read ends with ECANCELED. */
static void t_close_cancels(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cb1 = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	uaddr_t cb2 = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	VEQ(simk_aio_read(cb1), 0);
	VEQ(simk_aio_read(cb2), 0);
	vt_sleep(1000);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_aio_error(cb1), ECANCELED);
	VEQ(simk_aio_error(cb2), ECANCELED);
	VEQ(pt_result(cb1), -ECANCELED);
	VEQ(pt_result(cb2), -ECANCELED);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_cancel, close_cancels_outstanding_requests_on_the_fd)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(1, 1, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_close_cancels, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A write that cannot be canceled survives close(2): it holds its own
 * reference on the file and completes. */
static void t_close_inflight_write(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	uint8_t pat[4096];
	vt_fill(pat, sizeof(pat), 9, 0);
	uaddr_t cb = pt_cb(fd, vt_ubytes(pat, sizeof(pat)), sizeof(pat), 0);
	VEQ(simk_aio_write(cb), 0);
	for (int i = 0; i < 100 && pt_get(cb).aio_state == AIOCB_QUEUED; i++)
		vt_sleep(100);
	VEQ(simk_close(fd), 0);
	VEQ(pt_result(cb), 4096);
	int fd2 = vt_open("/f", O_RDONLY, 0);
	uint8_t got[4096];
	VEQ(vt_pread(fd2, got, sizeof(got), 0), 4096);
	VCHECK(memcmp(got, pat, sizeof(pat)) == 0);
	VEQ(simk_close(fd2), 0);
}

Test(paio_cancel, write_in_progress_survives_close)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_close_inflight_write, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The process exits with requests blocked and queued: teardown cancels
 * them, waits for the rest, stops the workers; nothing leaks. */
static void t_exit_with_requests(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	for (int i = 0; i < 6; i++)
		VEQ(simk_aio_read(pt_cb(pfd[0], vt_ubuf(8), 8, 0)), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(simk_aio_write(pt_cb(fd, vt_ubuf(512), 512, 0)), 0);
	vt_sleep(100);
	/* exit without aio_return or close */
}

Test(paio_cancel, process_exit_cancels_and_reaps_everything)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(2, 3, 1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_exit_with_requests, NULL);
	PT_RUN_PASS(s);
	struct paio_stats st;
	paio_get_stats(NULL, &st);
	cr_assert_eq(st.workers, 0);
	cr_assert_eq(st.requests_live, 0);
	cr_assert_eq(st.submitted, 7);
	cr_assert_eq(st.ended, 7);
	cr_assert_geq(st.canceled, 6);
	simk_destroy(s);
}

/* Solaris aiocancel: 0, EACCES (in flight but not cancelable), EINVAL. */
static void t_aiocancel(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t r1 = vt_ubuf(sizeof(struct simk_aio_result));
	uaddr_t r2 = vt_ubuf(sizeof(struct simk_aio_result));
	uaddr_t r3 = vt_ubuf(sizeof(struct simk_aio_result));
	VEQ(simk_aiocancel(r1), -EINVAL); /* nothing outstanding */
	int fd = vt_open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	VEQ(simk_aiowrite(fd, vt_ubuf(4096), 4096, 0, SIMK_SEEK_SET, r3), 0);
	VEQ(simk_aioread(pfd[0], vt_ubuf(8), 8, 0, SIMK_SEEK_SET, r1), 0);
	VEQ(simk_aioread(pfd[0], vt_ubuf(8), 8, 0, SIMK_SEEK_SET, r2), 0);
	vt_sleep(1000);
	struct simk_aio_result res;
	vt_uget(r2, &res, sizeof(res));
	VEQ(res.aio_return, AIO_INPROGRESS);
	VEQ(simk_aiocancel(r2), 0);
	vt_uget(r2, &res, sizeof(res));
	VEQ(res.aio_return, -1);
	VEQ(res.aio_errno, ECANCELED);
	VEQ(simk_aiocancel(r2), -EACCES); /* gone; r1 and r3 are still in flight */
	VEQ(simk_aiocancel(r1), 0);	  /* blocked in the pipe */
	/* r3 ends normally; the canceled ones are never handed out */
	VEQ(simk_aiowait(0), (int64_t)r3);
	VEQ(simk_aiowait(0), -EINVAL);
	VEQ(simk_aiocancel(r3), -EINVAL);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_cancel, solaris_aiocancel_outcomes)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(2, 2, 4);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_aiocancel, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The window of the reference: a canceled read that was woken by data
 * before it could unwind has consumed those bytes; its result stays
 * ECANCELED (the result was published by aio_cancel). */
static void t_cancel_then_data(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cb = pt_cb(pfd[0], vt_ubuf(8), 8, 0);
	VEQ(simk_aio_read(cb), 0);
	vt_sleep(1000);
	VEQ(simk_aio_cancel(pfd[0], cb), AIO_CANCELED);
	VEQ(vt_write_str(pfd[1], "xy"), 2); /* before the worker runs again */
	vt_sleep(1000);
	VEQ(pt_result(cb), -ECANCELED);
	uaddr_t n = vt_ubuf(4);
	VEQ(simk_ioctl(pfd[0], SIMK_FIONREAD, n), 0);
	int32_t avail;
	vt_uget(n, &avail, sizeof(avail));
	VEQ(avail, 0); /* the canceled read took them */
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_cancel, canceled_read_woken_by_data_consumed_it_and_stays_canceled)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(1, 1, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel_then_data, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
