/* POSIX AIO: the Solaris interface — aioread, aiowrite, aiowait. */
#include "paio_test.h"

static uaddr_t result_buf(void)
{
	return vt_ubuf(sizeof(struct simk_aio_result));
}

static struct simk_aio_result get_res(uaddr_t r)
{
	struct simk_aio_result res;
	vt_uget(r, &res, sizeof(res));
	return res;
}

static void t_rw(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uint8_t pat[1000];
	vt_fill(pat, sizeof(pat), 41, 0);
	uaddr_t src = vt_ubytes(pat, sizeof(pat));
	uaddr_t r1 = result_buf();
	VEQ(simk_aiowrite(fd, src, 1000, 0, SIMK_SEEK_SET, r1), 0);
	VEQ(get_res(r1).aio_return, AIO_INPROGRESS);
	VEQ(simk_aiowait(0), (int64_t)r1);
	VEQ(get_res(r1).aio_return, 1000);
	VEQ(get_res(r1).aio_errno, 0);
	/* SEEK_END: relative to the size; SEEK_CUR: to the file offset,
	 * which the transfer does not move */
	uaddr_t r2 = result_buf();
	VEQ(simk_aiowrite(fd, src, 10, -10, SIMK_SEEK_END, r2), 0);
	VEQ(simk_aiowait(0), (int64_t)r2);
	VEQ(get_res(r2).aio_return, 10);
	VEQ(simk_lseek(fd, 100, SIMK_SEEK_SET), 100);
	uaddr_t dst = vt_ubuf(50);
	VEQ(simk_aioread(fd, dst, 50, 20, SIMK_SEEK_CUR, r2), 0);
	VEQ(simk_aiowait(0), (int64_t)r2);
	VEQ(get_res(r2).aio_return, 50);
	uint8_t got[50];
	vt_uget(dst, got, sizeof(got));
	VCHECK(memcmp(got, pat + 120, sizeof(got)) == 0);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 100);
	uint8_t tail[10];
	VEQ(vt_pread(fd, tail, 10, 990), 10);
	VCHECK(memcmp(tail, pat, 10) == 0);
	/* nothing in flight any more */
	VEQ(simk_aiowait(0), -EINVAL);
	VEQ(simk_close(fd), 0);
}

Test(paio_solaris, aioread_aiowrite_whence_and_aiowait)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_rw, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int ro = vt_open("/f", O_RDONLY, 0);
	uaddr_t buf = vt_ubuf(64);
	uaddr_t r = result_buf();
	VEQ(simk_aioread(fd, buf, 64, 0, SIMK_SEEK_SET, 0), -EFAULT);
	VEQ(simk_aioread(fd, buf, 64, 0, SIMK_SEEK_SET, 0x100), -EFAULT);
	VEQ(simk_aioread(fd, buf, -1, 0, SIMK_SEEK_SET, r), -EINVAL);
	VEQ(simk_aioread(fd, buf, 64, 0, 9, r), -EINVAL);
	VEQ(simk_aioread(fd, buf, 64, -1, SIMK_SEEK_SET, r), -EINVAL);
	VEQ(simk_aioread(fd, buf, 64, -1, SIMK_SEEK_CUR, r), -EINVAL);
	VEQ(simk_aioread(55, buf, 64, 0, SIMK_SEEK_SET, r), -EBADF);
	VEQ(simk_aiowrite(ro, buf, 64, 0, SIMK_SEEK_SET, r), -EBADF);
	VEQ(simk_aioread(fd, 0x100, 64, 0, SIMK_SEEK_SET, r), -EFAULT);
	/* aiowait: bad timevals, nothing outstanding */
	struct simk_timeval tv = {0, 1000000};
	VEQ(simk_aiowait(vt_ubytes(&tv, sizeof(tv))), -EINVAL);
	tv.tv_usec = -1;
	VEQ(simk_aiowait(vt_ubytes(&tv, sizeof(tv))), -EINVAL);
	VEQ(simk_aiowait(0x100), -EFAULT);
	VEQ(simk_aiowait(0), -EINVAL);
	/* a pending request: poll says 0, a timeout says 0 after the time */
	int pfd[2];
	pt_pipe(pfd);
	VEQ(simk_aioread(pfd[0], buf, 1, 0, SIMK_SEEK_SET, r), 0);
	VEQ(simk_aioread(pfd[0], buf, 1, 0, SIMK_SEEK_SET, r), -EINVAL); /* in flight */
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	VEQ(simk_aiowait(vt_ubytes(&tv, sizeof(tv))), 0);
	tv.tv_usec = 300;
	uint64_t t0 = sim_now();
	VEQ(simk_aiowait(vt_ubytes(&tv, sizeof(tv))), 0);
	VEQ(sim_now() - t0, 300000);
	VEQ(vt_write_str(pfd[1], "s"), 1);
	VEQ(simk_aiowait(0), (int64_t)r);
	VEQ(get_res(r).aio_return, 1);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(ro), 0);
}

Test(paio_solaris, argument_errors_and_aiowait_timeouts)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_errors, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* aiowait is interrupted by a signal. */
static void t_eintr(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t r = result_buf();
	VEQ(simk_aioread(pfd[0], vt_ubuf(1), 1, 0, SIMK_SEEK_SET, r), 0);
	VEQ(sig_kill_proc(sim_proc_current(), SIMK_SIGUSR1), 0);
	VEQ(simk_aiowait(0), -EINTR);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	VEQ(simk_close(pfd[0]), 0); /* cancels it: never handed out */
	VEQ(get_res(r).aio_errno, ECANCELED);
	VEQ(simk_aiowait(0), -EINVAL);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_solaris, aiowait_is_interrupted_by_a_signal)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_eintr, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* Solaris order: aio_errno is stored first, aio_return (AIO_INPROGRESS
 * until then) last: an observer that sees aio_return change sees the
 * final errno. */
static uaddr_t obs_r;
static bool obs_bad, obs_seen;

static void observer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000 && !obs_seen; i++) {
		struct simk_aio_result res;
		if (copyin(obs_r, &res, sizeof(res)) != 0)
			break;
		if (res.aio_return != AIO_INPROGRESS) {
			obs_seen = true;
			if (res.aio_errno != EPIPE || res.aio_return != -1)
				obs_bad = true;
		}
		if (i % 64 == 63)
			vt_sleep(100);
		else
			preempt_point();
	}
}

static void t_order(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(sig_ignore(sim_proc_current(), SIMK_SIGPIPE, true), 0);
	obs_r = result_buf();
	struct simk_aio_result init = {AIO_INPROGRESS, 77, 0};
	vt_uput(obs_r, &init, sizeof(init));
	kthread_create(sim_proc_current(), "observer", observer, NULL, false);
	VEQ(simk_aiowrite(pfd[1], vt_ubuf(8), 8, 0, SIMK_SEEK_SET, obs_r), 0);
	for (int i = 0; i < 1000 && !obs_seen; i++)
		vt_sleep(1000);
	VEQ(simk_aiowait(0), (int64_t)obs_r);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_solaris, error_is_stored_before_the_return_value)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		obs_bad = obs_seen = false;
		simk_thread_create(simk_proc_create(s, "p"), "main", t_order, NULL);
		PT_RUN_PASS(s);
		cr_assert(obs_seen, "seed %llu: observer saw nothing", (unsigned long long)seed);
		cr_assert(!obs_bad, "seed %llu: return value changed before the error",
			  (unsigned long long)seed);
		simk_destroy(s);
	}
}

/* The per-process limit covers the Solaris interface too; a result block
 * in flight cannot be used again. */
static void t_limit(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t r1 = result_buf(), r2 = result_buf();
	VEQ(simk_aioread(pfd[0], vt_ubuf(1), 1, 0, SIMK_SEEK_SET, r1), 0);
	VEQ(simk_aioread(pfd[0], vt_ubuf(1), 1, 0, SIMK_SEEK_SET, r2), -EAGAIN);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_aiowait(0), -EINVAL); /* r1 was canceled by close: never handed out */
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_solaris, per_process_limit_gives_eagain)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	c.max_requests = 1;
	cr_assert_eq(paio_configure(&c), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_limit, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* close(fd) also discards the Solaris requests on fd that completed but
 * were not yet taken by aiowait (Solaris libc aio.c: aiocancel_all empties the
 * done queue of that descriptor); those of other descriptors stay. */
static void t_close_discards_done(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int other = vt_open("/g", O_CREAT | O_RDWR, 0644);
	uaddr_t src = vt_ubuf(64);
	uaddr_t r1 = result_buf(), r2 = result_buf();
	VEQ(simk_aiowrite(fd, src, 64, 0, SIMK_SEEK_SET, r1), 0);
	VEQ(simk_aiowrite(other, src, 64, 0, SIMK_SEEK_SET, r2), 0);
	vt_sleep(10 * 1000 * 1000);
	VEQ(get_res(r1).aio_return, 64); /* done, waiting for aiowait */
	VEQ(get_res(r2).aio_return, 64);
	VEQ(simk_close(fd), 0);
	uaddr_t poll = vt_ubuf(sizeof(struct simk_timeval));
	VEQ(simk_aiowait(poll), (int64_t)r2);
	VEQ(simk_aiowait(poll), -EINVAL); /* r1 is gone with its descriptor */
	VEQ(simk_close(other), 0);
}

Test(paio_solaris, close_discards_completed_requests_not_yet_waited_for)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_close_discards_done, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
