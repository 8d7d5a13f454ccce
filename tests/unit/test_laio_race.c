/*
 * Linux AIO races, explored over many seeds under the random and PCT
 * policies. Each body checks that no event is lost or duplicated; the
 * subsystem's end-of-run check (every submitted request ended exactly
 * once, aio_nr back to 0, no kmem leak) runs after every run. The same
 * races are scenarios in scenarios/laio/ (explored by pytest with
 * 1,000+ seeds per policy).
 */
#include "laio_test.h"

#define RACE_SEEDS 150

static aio_context_t g_ctx;
static int g_pipe[2];
static int g_fd;
static uaddr_t g_cb;
static long g_res[4];
static int g_seen[4]; /* outcomes seen over the seeds of one test */

static void race_config(void)
{
	vt_config_default();
	vt_cfg.dev.reorder = true;
	vt_cfg.dev.latency = blk_latency_uniform(20000, 120000);
}

/* Runs body for RACE_SEEDS seeds under random and under pct. */
static void explore(lt_body_fn body)
{
	for (int pol = 0; pol < 2; pol++) {
		for (uint64_t seed = 1; seed <= RACE_SEEDS; seed++) {
			race_config();
			lt_run_policy(body, seed, pol ? SIMK_POLICY_PCT : SIMK_POLICY_RANDOM);
		}
	}
}

/* ---- 1. two threads in io_getevents for one completion ---- */

static void getter(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct io_event ev[2];
	g_res[me] = lt_getevents(g_ctx, 1, 2, ev, 20000000);
	if (g_res[me] == 1)
		VEQ(ev[0].data, 42);
}

static void two_getters_body(void)
{
	g_ctx = lt_setup(4);
	g_fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(512);
	g_res[0] = g_res[1] = -1;
	struct simk_thread *a = lt_spawn("get0", getter, (void *)0);
	struct simk_thread *b = lt_spawn("get1", getter, (void *)1);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 512, 0, 42)), 1);
	lt_join(a);
	lt_join(b);
	/* exactly one got it, the other timed out with nothing */
	VEQ(g_res[0] + g_res[1], 1);
	VCHECK(g_res[0] == 0 || g_res[0] == 1);
	g_seen[g_res[0]] = 1;
	VEQ(lt_ring(g_ctx).head, lt_ring(g_ctx).tail);
	VEQ(simk_close(g_fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, two_getevents_one_completion)
{
	memset(g_seen, 0, sizeof(g_seen));
	explore(two_getters_body);
	cr_assert(g_seen[0] && g_seen[1], "both waiters won in some runs");
}

/* ---- 2. completion and timeout due at the same virtual instant ---- */

static void submit_at_zero(void *arg)
{
	(void)arg;
	uaddr_t buf = vt_ubuf(512);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 512, 0, 7)), 1);
}

static void same_instant_body(void)
{
	g_ctx = lt_setup(4);
	g_fd = lt_open_direct("/d");
	/* the waiter's timeout and the completion (fixed latency L, submitted
	 * by another thread at the same instant; a direct write is read back
	 * before it completes: two requests) are both due at t0 + 2L */
	uint64_t t0 = sim_now();
	struct simk_thread *t = lt_spawn("submit", submit_at_zero, NULL);
	struct io_event ev[1];
	long n = lt_getevents(g_ctx, 1, 1, ev, 2 * 100000);
	VCHECK(n == 0 || n == 1);
	VCHECK(sim_now() <= t0 + 2 * 100000);
	g_seen[n] = 1;
	if (n == 0) /* the timeout won: the event is not lost */
		n = lt_getevents(g_ctx, 1, 1, ev, -1);
	VEQ(n, 1);
	VEQ(ev[0].data, 7);
	VEQ(lt_getevents(g_ctx, 0, 1, ev, 0), 0);
	lt_join(t);
	VEQ(simk_close(g_fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, completion_and_timeout_at_the_same_instant)
{
	memset(g_seen, 0, sizeof(g_seen));
	for (int pol = 0; pol < 2; pol++) {
		for (uint64_t seed = 1; seed <= RACE_SEEDS; seed++) {
			vt_config_default();
			vt_cfg.dev.latency = blk_latency_fixed(100000);
			lt_run_policy(same_instant_body, seed,
				      pol ? SIMK_POLICY_PCT : SIMK_POLICY_RANDOM);
		}
	}
	cr_assert(g_seen[0] && g_seen[1], "the timeout and the completion each won sometimes");
}

/* ---- 3. io_cancel against the completion ---- */

static void canceller(void *arg)
{
	(void)arg;
	struct io_event ev;
	memset(&ev, 0, sizeof(ev));
	g_res[0] = lt_cancel(g_ctx, g_cb, &ev);
	if (g_res[0] == 0) {
		VEQ(ev.data, 5);
		VCHECK(ev.res == 1 || ev.res == -ECANCELED || ev.res == -EINTR);
	} else {
		VCHECK(g_res[0] == -EAGAIN || g_res[0] == -EINVAL);
	}
}

static void completer(void *arg)
{
	(void)arg;
	VEQ(vt_write_str(g_pipe[1], "z"), 1);
}

static void cancel_vs_complete_body(void)
{
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	uaddr_t buf = vt_ubuf(8);
	g_cb = lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 1, 0, 5);
	VEQ(lt_submit1(g_ctx, g_cb), 1);
	struct simk_thread *a = lt_spawn("cancel", canceller, NULL);
	struct simk_thread *b = lt_spawn("write", completer, NULL);
	/* a waiter makes the kick run the retry at once */
	struct io_event ev[2];
	long n = lt_getevents(g_ctx, 1, 2, ev, 1000000);
	VCHECK(n == 0 || n == 1);
	lt_join(a);
	lt_join(b);
	if (n == 1) {
		VCHECK(g_res[0] != 0); /* completed: the cancel did not */
		VEQ(ev[0].res, 1);
		VEQ(lt_getevents(g_ctx, 1, 2, ev, 5000000), 0);
	} else if (g_res[0] == 0) {
		/* cancelled: no event, ever */
		n = lt_getevents(g_ctx, 1, 2, ev, 5000000);
		VEQ(n, 0);
	} else {
		/* not cancelled: exactly one event */
		n = lt_getevents(g_ctx, 1, 2, ev, -1);
		VEQ(n, 1);
		VEQ(ev[0].res, 1);
		VEQ(lt_getevents(g_ctx, 1, 2, ev, 5000000), 0);
	}
	struct laio_stats st = lt_stats();
	VEQ(st.ended_cancel + st.ended_event, 1);
	g_seen[g_res[0] == 0 ? 0 : g_res[0] == -EAGAIN ? 1 : 2] = 1;
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, io_cancel_against_completion)
{
	memset(g_seen, 0, sizeof(g_seen));
	explore(cancel_vs_complete_body);
	cr_assert(g_seen[0] && g_seen[2], "cancel won, completion won (%d %d %d)", g_seen[0],
		  g_seen[1], g_seen[2]);
}

/* ---- 4. io_destroy with requests in flight from another thread ---- */

static void submitter_waiter(void *arg)
{
	(void)arg;
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cbs[4] = {
	    lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 4096, 0, 1),
	    lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 2),
	    lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 512, 8192, 3),
	    lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 4),
	};
	long r = lt_submit(g_ctx, cbs, 4);
	VCHECK(r == 4 || r == -EINVAL || (r >= 0 && r < 4));
	struct io_event ev[4];
	long n = lt_getevents(g_ctx, 4, 4, ev, -1);
	/* destroyed under us: what came before, or -EINVAL */
	VCHECK(n == -EINVAL || (n >= 0 && n <= 4));
	/* the end of the pipe's writers wakes every listener still attached
	 * (POLLHUP) while the destroy may still be cancelling them */
	VEQ(simk_close(g_pipe[1]), 0);
}

static void destroy_inflight_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, 0);
	g_fd = lt_open_direct("/d");
	struct simk_thread *a = lt_spawn("sub", submitter_waiter, NULL);
	VEQ(lt_destroy(g_ctx), 0);
	lt_join(a);
	struct laio_stats st = lt_stats();
	VEQ(st.reqs_live, 0);
	VEQ(st.contexts_live, 0);
	VEQ(st.submitted, st.ended_event + st.ended_torn + st.ended_cancel);
	VEQ(laio_aio_nr(), 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_fd), 0);
}

Test(laio_race, io_destroy_with_requests_in_flight_from_another_thread)
{
	explore(destroy_inflight_body);
}

/* ---- 5. a pipe AIO kicked while its retry runs ---- */

static void drainer(void *arg)
{
	(void)arg;
	uaddr_t b = vt_ubuf(PIPE_CAPACITY);
	size_t want = PIPE_CAPACITY + 3 * 4096;
	size_t got = 0;
	while (got < want) {
		ssize_t n = simk_read(g_pipe[0], b, 4096);
		VCHECK(n > 0);
		got += (size_t)n;
		sim_yield();
	}
}

static void kicked_while_running_body(void)
{
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	uaddr_t fill = vt_ubuf(PIPE_CAPACITY);
	VEQ(simk_write(g_pipe[1], fill, PIPE_CAPACITY), PIPE_CAPACITY);
	uaddr_t wb = vt_ubuf(3 * 4096);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_pipe[1], wb, 3 * 4096, 0, 9)), 1);
	struct simk_thread *d = lt_spawn("drain", drainer, NULL);
	struct io_event ev[2];
	VEQ(lt_getevents(g_ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 3 * 4096);
	VEQ(ev[0].data, 9);
	lt_join(d);
	VEQ(lt_getevents(g_ctx, 0, 2, ev, 0), 0);
	if (lt_stats().kicks_running > 0)
		g_seen[0] = 1;
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, pipe_aio_kicked_while_its_retry_runs)
{
	memset(g_seen, 0, sizeof(g_seen));
	explore(kicked_while_running_body);
	cr_assert(g_seen[0], "a kick arrived while the retry ran in some run");
}

/* ---- 6. the ring full, a reaper freeing slots concurrently ---- */

#define RING_REQS 300

static long g_reaped, g_submitted;

static void reaper(void *arg)
{
	(void)arg;
	struct io_event ev[16];
	bool seen[RING_REQS] = {0};
	while (g_reaped < RING_REQS) {
		int n = laio_user_reap(sim_proc_current(), g_ctx, ev, 16);
		VCHECK(n >= 0);
		for (int i = 0; i < n; i++) {
			VCHECK(ev[i].data < RING_REQS && !seen[ev[i].data]);
			seen[ev[i].data] = true;
			VEQ(ev[i].res, 1);
		}
		g_reaped += n;
		sim_yield();
	}
}

static void ring_full_body(void)
{
	g_ctx = lt_setup(1); /* 126 usable slots */
	g_fd = vt_open("/b", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubytes("r", 1);
	g_reaped = g_submitted = 0;
	struct simk_thread *r = lt_spawn("reaper", reaper, NULL);
	while (g_submitted < RING_REQS) {
		uaddr_t cb =
		    lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 1, g_submitted, (uint64_t)g_submitted);
		long n = lt_submit1(g_ctx, cb);
		VCHECK(n == 1 || n == -EAGAIN);
		if (n == 1)
			g_submitted++;
		else
			sim_yield();
	}
	lt_join(r);
	VEQ(g_reaped, RING_REQS);
	VEQ(simk_close(g_fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, ring_full_with_a_concurrent_reaper)
{
	for (int pol = 0; pol < 2; pol++)
		for (uint64_t seed = 1; seed <= 40; seed++) {
			race_config();
			lt_run_policy(ring_full_body, seed,
				      pol ? SIMK_POLICY_PCT : SIMK_POLICY_RANDOM);
		}
}

/* ---- 7. close of the fd while its request is in flight ---- */

static void closer(void *arg)
{
	(void)arg;
	VEQ(simk_close(g_fd), 0);
}

static void close_inflight_body(void)
{
	g_ctx = lt_setup(4);
	g_fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	struct simk_thread *c = lt_spawn("close", closer, NULL);
	long r = lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_fd, buf, 4096, 0, 3));
	/* the close came first (-EBADF) or the request holds the file */
	VCHECK(r == 1 || r == -EBADF);
	struct io_event ev[1];
	if (r == 1) {
		VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
		VEQ(ev[0].res, 4096);
	}
	g_seen[r == 1 ? (lt_stats().deferred_fputs ? 1 : 2) : 0] = 1;
	lt_join(c);
	VEQ(lt_getevents(g_ctx, 0, 1, ev, 0), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_race, close_while_the_request_is_in_flight)
{
	memset(g_seen, 0, sizeof(g_seen));
	explore(close_inflight_body);
	cr_assert(g_seen[0] && g_seen[1], "close first, close in flight (%d %d %d)", g_seen[0],
		  g_seen[1], g_seen[2]);
}
