/* POSIX AIO: aio_suspend, aio_waitn, the order of the result stores. */
#include "paio_test.h"

static void t_suspend(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t a = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	uaddr_t b = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(a), 0);
	VEQ(simk_aio_read(b), 0);
	uaddr_t l2[3] = {0, a, b};
	uaddr_t l = pt_list(l2, 3);
	/* nothing done: a timeout in virtual time */
	uint64_t t0 = sim_now();
	VEQ(simk_aio_suspend(l, 3, pt_timespec(0, 2000000)), -EAGAIN);
	VEQ(sim_now() - t0, 2000000);
	VEQ(simk_aio_suspend(l, 3, pt_timespec(0, 0)), -EAGAIN); /* poll */
	/* argument errors */
	VEQ(simk_aio_suspend(l, 0, 0), -EINVAL);
	VEQ(simk_aio_suspend(l, AIO_LISTIO_MAX + 1, 0), -EINVAL);
	VEQ(simk_aio_suspend(l, 3, pt_timespec(0, 1000000000)), -EINVAL);
	VEQ(simk_aio_suspend(l, 3, pt_timespec(-1, 0)), -EINVAL);
	VEQ(simk_aio_suspend(l, 3, 0x100), -EFAULT);
	VEQ(simk_aio_suspend(0x100, 3, 0), -EFAULT);
	/* one completes: returns (NULL entries are ignored) */
	VEQ(vt_write_str(pfd[1], "1"), 1);
	VEQ(simk_aio_suspend(l, 3, 0), 0);
	int done = (simk_aio_error(a) == 0) + (simk_aio_error(b) == 0);
	VEQ(done, 1);
	/* a list of only NULL entries waits for its timeout */
	uaddr_t z[2] = {0, 0};
	VEQ(simk_aio_suspend(pt_list(z, 2), 2, pt_timespec(0, 1000)), -EAGAIN);
	/* an aiocb never submitted counts as done */
	uaddr_t never = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_suspend(pt_list(&never, 1), 1, 0), 0);
	VEQ(vt_write_str(pfd[1], "2"), 1);
	VEQ(pt_result(a), 1);
	VEQ(pt_result(b), 1);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_wait, aio_suspend_any_done_null_ignored_timeout_errors)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_suspend, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* aio_suspend is woken by a completion in another thread's request. */
static uaddr_t shared_cb;
static int pipe_w;

static void writer(void *arg)
{
	(void)arg;
	vt_sleep(5000000);
	VEQ(vt_write_str(pipe_w, "w"), 1);
}

static void t_suspend_woken(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	pipe_w = pfd[1];
	shared_cb = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(shared_cb), 0);
	kthread_create(sim_proc_current(), "writer", writer, NULL, false);
	uint64_t t0 = sim_now();
	VEQ(simk_aio_suspend(pt_list(&shared_cb, 1), 1, 0), 0);
	VCHECK(sim_now() - t0 >= 5000000);
	VEQ(simk_aio_return(shared_cb), 1);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_wait, aio_suspend_wakes_on_completion)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_suspend_woken, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_waitn(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t out = vt_ubuf(8 * 8);
	uaddr_t nw = vt_ubuf(4);
	uint32_t want = 1;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 8, nw, 0), -EAGAIN); /* nothing outstanding */
	uaddr_t cbs[4];
	for (int i = 0; i < 4; i++) {
		cbs[i] = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
		VEQ(simk_aio_read(cbs[i]), 0);
	}
	VEQ(simk_aio_waitn(out, 0, nw, 0), -EINVAL);
	VEQ(simk_aio_waitn(out, AIO_LISTIO_MAX + 1, nw, 0), -EINVAL);
	VEQ(simk_aio_waitn(out, 8, 0, 0), -EINVAL);
	want = 9;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 8, nw, 0), -EINVAL); /* *nwait > nent */
	want = 2;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(0x100, 8, nw, 0), -EFAULT);
	VEQ(simk_aio_waitn(out, 8, 0x100, 0), -EFAULT);
	VEQ(simk_aio_waitn(out, 8, nw, pt_timespec(0, -1)), -EINVAL);
	/* one done, two wanted: the timeout hands out what there is */
	VEQ(vt_write_str(pfd[1], "a"), 1);
	VEQ(simk_aio_waitn(out, 8, nw, pt_timespec(0, 3000000)), -ETIME);
	uint32_t got;
	vt_uget(nw, &got, 4);
	VEQ(got, 1);
	uint64_t first;
	vt_uget(out, &first, 8);
	VEQ(simk_aio_error(first), 0);
	VEQ(simk_aio_return(first), 1);
	/* two more complete: waitn for two gets both */
	VEQ(vt_write_str(pfd[1], "bc"), 2);
	want = 2;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 8, nw, 0), 0);
	vt_uget(nw, &got, 4);
	VEQ(got, 2);
	uint64_t two[2];
	vt_uget(out, two, 16);
	for (int i = 0; i < 2; i++)
		VEQ(simk_aio_return(two[i]), 1);
	/* polling with *nwait = 0 returns at once */
	want = 0;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 8, nw, 0), 0);
	vt_uget(nw, &got, 4);
	VEQ(got, 0);
	/* the last one: its cancellation also lands on the done queue */
	VEQ(simk_close(pfd[0]), 0);
	want = 1;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 8, nw, 0), 0);
	vt_uget(nw, &got, 4);
	VEQ(got, 1);
	vt_uget(out, &first, 8);
	VEQ(simk_aio_return(first), -ECANCELED);
	VEQ(simk_aio_waitn(out, 8, nw, 0), -EAGAIN);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_wait, aio_waitn_counts_times_out_and_hands_each_out_once)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_waitn, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/*
 * The order of the stores: an observer that polls the aiocb's memory sees
 * aio_errno leave EINPROGRESS only after aio_return holds the result, on
 * every schedule (the worker has a switch point between the two stores).
 */
static uaddr_t obs_cb;
static int obs_seen_final;
static bool obs_bad;

static void observer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		struct simk_aiocb c;
		if (copyin(obs_cb, &c, sizeof(c)) != 0)
			break;
		if (c.aio_state == AIOCB_RETURNED)
			break; /* the owner took the result already */
		if (c.aio_resultp.aio_errno != EINPROGRESS && c.aio_state != AIOCB_NONE) {
			if (c.aio_resultp.aio_return != 300)
				obs_bad = true;
			obs_seen_final = 1;
			break;
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
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	obs_cb = pt_cb(fd, vt_ubuf(300), 300, 0);
	struct simk_aiocb c = pt_get(obs_cb);
	c.aio_resultp.aio_errno = EINPROGRESS;
	c.aio_resultp.aio_return = 12345;
	pt_put(obs_cb, &c);
	kthread_create(sim_proc_current(), "observer", observer, NULL, false);
	VEQ(simk_aio_write(obs_cb), 0);
	VEQ(pt_wait(obs_cb), 0);
	for (int i = 0; i < 1000 && !obs_seen_final; i++)
		vt_sleep(1000); /* let the observer see the final state */
	VEQ(simk_aio_return(obs_cb), 300);
	VEQ(simk_close(fd), 0);
}

Test(paio_wait, return_value_is_stored_before_the_error_status)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		obs_seen_final = 0;
		obs_bad = false;
		simk_thread_create(simk_proc_create(s, "p"), "main", t_order, NULL);
		PT_RUN_PASS(s);
		cr_assert(!obs_bad, "seed %llu: error status changed before the return value",
			  (unsigned long long)seed);
		cr_assert(obs_seen_final, "seed %llu: the observer never saw the result",
			  (unsigned long long)seed);
		simk_destroy(s);
	}
}

/* aio_waitn is interrupted by a signal and still stores what completed;
 * aio_error / aio_return on memory the process does not own. */
static void t_waitn_eintr(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t a = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	uaddr_t b = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(a), 0);
	VEQ(simk_aio_read(b), 0);
	VEQ(vt_write_str(pfd[1], "1"), 1);
	vt_sleep(1000);
	VEQ(sig_kill_proc(sim_proc_current(), SIMK_SIGUSR1), 0);
	uaddr_t out = vt_ubuf(16);
	uaddr_t nw = vt_ubuf(4);
	uint32_t want = 2;
	vt_uput(nw, &want, 4);
	VEQ(simk_aio_waitn(out, 2, nw, 0), -EINTR);
	uint32_t got;
	vt_uget(nw, &got, 4);
	VEQ(got, 1);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	uint64_t first;
	vt_uget(out, &first, 8);
	VEQ(simk_aio_return(first), 1);
	VEQ(simk_aio_error(0x100), -EFAULT);
	VEQ(simk_aio_return(0x100), -EFAULT);
	VEQ(simk_aio_error(0), -EINVAL);
	VEQ(simk_aio_return(0), -EINVAL);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_wait, aio_waitn_interrupted_stores_what_completed)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_waitn_eintr, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
