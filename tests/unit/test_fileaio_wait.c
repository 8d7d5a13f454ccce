/* examples/fileaio: partial submission, cancel outcomes, waiting with a
 * minimum and a timeout, waking a waiting thread. */
#include "paio_test.h"

#include "examples/fileaio/fileaio.h"

static void mk(struct faio_req **r, int n)
{
	for (int i = 0; i < n; i++)
		VEQ(faio_req_create(&r[i]), FAIO_OK);
}

static void rm(struct faio_req **r, int n)
{
	for (int i = 0; i < n; i++)
		VEQ(faio_req_destroy(r[i]), FAIO_OK);
}

/* The kernel takes 3 requests per process: a batch of 5 is refused whole
 * (EAGAIN); a batch with a bad descriptor is taken except that entry. */
static void t_partial(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int pfd[2];
	pt_pipe(pfd);
	struct faio_ctx *ctx;
	VEQ(faio_ctx_create(&ctx, 0), FAIO_OK);
	struct faio_req *r[5];
	mk(r, 5);
	uaddr_t buf = vt_ubuf(5 * 8);
	for (int i = 0; i < 5; i++)
		VEQ(faio_req_prepare_read(r[i], pfd[0], 0, buf + 8 * i, 1, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, r, 5), FAIO_ERR_RESOURCES);
	for (int i = 0; i < 5; i++)
		VEQ(faio_req_state(r[i]), FAIO_PREPARED); /* none was taken: resubmit later */
	VEQ(faio_ctx_pending(ctx), 0);
	VEQ(faio_ctx_submit(ctx, r, 3), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, r + 3, 2), FAIO_ERR_RESOURCES);
	VEQ(faio_ctx_pending(ctx), 3);
	VEQ(vt_write_str(pfd[1], "abc"), 3);
	struct faio_req *out[5];
	uint32_t got;
	VEQ(faio_ctx_wait(ctx, 3, FAIO_WAIT_FOREVER, out, 5, &got), FAIO_OK);
	VEQ(got, 3);
	/* room again: the other two, with a bad descriptor in the middle */
	VEQ(faio_req_prepare_write(r[0], fd, 0, buf, 8, NULL), FAIO_OK);
	VEQ(faio_req_prepare_write(r[1], 77, 0, buf, 8, NULL), FAIO_OK);
	struct faio_req *b[3] = {r[0], r[1], r[3]};
	VEQ(faio_req_prepare_write(r[3], fd, 8, buf, 8, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, b, 3), -EIO);
	VEQ(faio_req_state(r[1]), FAIO_COMPLETED);
	VEQ(faio_req_get_rc(r[1], NULL), -EBADF);
	VEQ(faio_req_state(r[0]), FAIO_SUBMITTED);
	VEQ(faio_req_state(r[3]), FAIO_SUBMITTED);
	VEQ(faio_ctx_pending(ctx), 2);
	VEQ(faio_ctx_wait(ctx, 2, FAIO_WAIT_FOREVER, out, 5, &got), FAIO_OK);
	VEQ(got, 2);
	VEQ(pt_stats().requests_live, 0);
	rm(r, 5);
	VEQ(faio_ctx_destroy(ctx), FAIO_OK);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(fileaio, partial_submission_is_sorted_out_with_aio_error)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	c.max_requests = 3;
	cr_assert_eq(paio_configure(&c), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_partial, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* Cancel: blocked in a pipe (canceled; no wait returns it), finished but
 * not waited for (completed), on the disk (in progress), not submitted. */
static void t_cancel(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR | O_SYNC, 0644);
	struct faio_ctx *ctx;
	VEQ(faio_ctx_create(&ctx, 0), FAIO_OK);
	struct faio_req *r[4];
	mk(r, 4);
	uaddr_t buf = vt_ubuf(4096);
	VEQ(faio_req_prepare_read(r[0], pfd[0], 0, buf, 8, NULL), FAIO_OK);
	VEQ(faio_req_prepare_write(r[1], fd, 0, buf, 4096, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, r, 2), FAIO_OK);
	vt_sleep(1000);
	VEQ(faio_req_cancel(r[0]), FAIO_OK);
	VEQ(faio_req_get_rc(r[0], NULL), FAIO_ERR_CANCELED);
	VEQ(faio_req_cancel(r[0]), FAIO_ERR_COMPLETED);
	VEQ(faio_req_cancel(r[1]), FAIO_ERR_IN_PROGRESS); /* on the disk */
	VEQ(faio_req_cancel(r[2]), FAIO_ERR_COMPLETED);	  /* never used */
	VEQ(faio_req_prepare_write(r[2], fd, 4096, buf, 512, NULL), FAIO_OK);
	VEQ(faio_req_cancel(r[2]), FAIO_ERR_NOT_SUBMITTED);
	VEQ(faio_ctx_pending(ctx), 1);
	struct faio_req *out[4];
	uint32_t got;
	VEQ(faio_ctx_wait(ctx, 1, FAIO_WAIT_FOREVER, out, 4, &got), FAIO_OK);
	VEQ(got, 1);
	VCHECK(out[0] == r[1]); /* the canceled one never comes back */
	size_t n;
	VEQ(faio_req_get_rc(r[1], &n), FAIO_OK);
	VEQ(n, 4096);
	/* completed in the kernel but not yet waited for: too late to cancel */
	VEQ(faio_req_prepare_write(r[3], fd, 0, buf, 16, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, &r[3], 1), FAIO_OK);
	vt_sleep(50 * 1000 * 1000);
	VEQ(faio_req_cancel(r[3]), FAIO_ERR_COMPLETED);
	VEQ(faio_ctx_wait(ctx, 1, FAIO_WAIT_FOREVER, out, 4, &got), FAIO_OK);
	VCHECK(got == 1 && out[0] == r[3]);
	VEQ(pt_stats().requests_live, 0);
	rm(r, 4);
	VEQ(faio_ctx_destroy(ctx), FAIO_OK);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(fileaio, cancel_outcomes)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_cancel, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A minimum count and a timeout: two pipe reads, one byte arrives. */
static void t_min_timeout(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	struct faio_ctx *ctx;
	VEQ(faio_ctx_create(&ctx, 0), FAIO_OK);
	struct faio_req *r[2];
	mk(r, 2);
	uaddr_t buf = vt_ubuf(2);
	VEQ(faio_req_prepare_read(r[0], pfd[0], 0, buf, 1, NULL), FAIO_OK);
	VEQ(faio_req_prepare_read(r[1], pfd[0], 0, buf + 1, 1, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, r, 2), FAIO_OK);
	VEQ(vt_write_str(pfd[1], "z"), 1);
	struct faio_req *out[2];
	uint32_t got;
	uint64_t t0 = sim_now();
	VEQ(faio_ctx_wait(ctx, 2, 5000000, out, 2, &got), FAIO_ERR_TIMEOUT);
	VEQ(sim_now() - t0, 5000000);
	VEQ(got, 1); /* what did complete is returned */
	VEQ(faio_req_state(out[0]), FAIO_COMPLETED);
	VEQ(faio_ctx_pending(ctx), 1);
	/* min 1 returns as soon as one is there */
	VEQ(vt_write_str(pfd[1], "y"), 1);
	VEQ(faio_ctx_wait(ctx, 1, 5000000, out, 2, &got), FAIO_OK);
	VEQ(got, 1);
	rm(r, 2);
	VEQ(faio_ctx_destroy(ctx), FAIO_OK);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(fileaio, wait_with_minimum_and_timeout)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_min_timeout, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* One thread waits forever; another wakes it. A wake-up that comes before
 * the wait is not lost either. */
static struct faio_ctx *wctx;
static int waiter_rc;
static uint64_t waiter_back_ns;

static void waiter(void *arg)
{
	(void)arg;
	struct faio_req *out[2];
	uint32_t got = 9;
	waiter_rc = faio_ctx_wait(wctx, 1, FAIO_WAIT_FOREVER, out, 2, &got);
	waiter_back_ns = sim_now();
	VEQ(got, 0);
}

static void t_wakeup(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	VEQ(faio_ctx_create(&wctx, 0), FAIO_OK);
	struct faio_req *r;
	mk(&r, 1);
	VEQ(faio_req_prepare_read(r, pfd[0], 0, vt_ubuf(1), 1, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(wctx, &r, 1), FAIO_OK);
	waiter_rc = 1;
	struct simk_thread *t = kthread_create(sim_proc_current(), "waiter", waiter, NULL, false);
	vt_sleep(2000000);
	VEQ(waiter_rc, 1); /* still waiting */
	VEQ(faio_ctx_wakeup(wctx), FAIO_OK);
	int code;
	VEQ(kthread_join(t, &code), 0);
	VEQ(waiter_rc, FAIO_ERR_INTERRUPTED);
	VEQ(waiter_back_ns, 2000000 + 350000); /* woken at once (setup took 350us) */
	/* woken before waiting: the next wait returns at once */
	VEQ(faio_ctx_wakeup(wctx), FAIO_OK);
	struct faio_req *out[2];
	uint32_t got;
	VEQ(faio_ctx_wait(wctx, 1, FAIO_WAIT_FOREVER, out, 2, &got), FAIO_ERR_INTERRUPTED);
	/* and only once */
	VEQ(faio_ctx_wait(wctx, 1, 1000, out, 2, &got), FAIO_ERR_TIMEOUT);
	VEQ(faio_req_cancel(r), FAIO_OK);
	rm(&r, 1);
	VEQ(faio_ctx_destroy(wctx), FAIO_OK);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(fileaio, wakeup_of_a_waiting_thread)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_wakeup, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The wake-up races the waiter entering kevent: under every schedule the
 * waiter comes back interrupted, never stuck. */
static void t_wakeup_race(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	VEQ(faio_ctx_create(&wctx, 0), FAIO_OK);
	struct faio_req *r;
	mk(&r, 1);
	VEQ(faio_req_prepare_read(r, pfd[0], 0, vt_ubuf(1), 1, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(wctx, &r, 1), FAIO_OK);
	waiter_rc = 1;
	struct simk_thread *t = kthread_create(sim_proc_current(), "waiter", waiter, NULL, false);
	VEQ(faio_ctx_wakeup(wctx), FAIO_OK);
	int code;
	VEQ(kthread_join(t, &code), 0);
	VEQ(waiter_rc, FAIO_ERR_INTERRUPTED);
	/* the worker may hold the read between taking it and blocking:
	 * in progress, not cancelable yet; later it is */
	int c = FAIO_ERR_IN_PROGRESS;
	for (int i = 0; i < 100 && c == FAIO_ERR_IN_PROGRESS; i++) {
		c = faio_req_cancel(r);
		if (c == FAIO_ERR_IN_PROGRESS)
			vt_sleep(1000);
	}
	VEQ(c, FAIO_OK);
	rm(&r, 1);
	VEQ(faio_ctx_destroy(wctx), FAIO_OK);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(fileaio, wakeup_racing_the_wait_is_never_lost)
{
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_wakeup_race, NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}
