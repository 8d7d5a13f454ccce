/* Linux AIO: io_getevents — argument checks, min_nr, the relative timeout
 * in virtual time, signals, and exclusive waiting. */
#include "laio_test.h"

static aio_context_t g_ctx;
static int g_pipe[2];

static void checks_body(void)
{
	g_ctx = lt_setup(4);
	uaddr_t evs = vt_ubuf(4 * sizeof(struct io_event));
	VEQ(simk_io_getevents(0, 0, 1, evs, 0), -EINVAL);
	VEQ(simk_io_getevents(g_ctx + 1, 0, 1, evs, 0), -EINVAL);
	VEQ(simk_io_getevents(g_ctx, 2, 1, evs, 0), -EINVAL); /* min_nr > nr */
	VEQ(simk_io_getevents(g_ctx, -1, 1, evs, 0), -EINVAL);
	VEQ(simk_io_getevents(g_ctx, -2, -1, evs, 0), -EINVAL);
	/* nr 0, min 0: nothing to do */
	VEQ(simk_io_getevents(g_ctx, 0, 0, evs, 0), 0);
	/* bad timeouts, read only when it would wait */
	struct laio_timespec bad[3] = {{-1, 0}, {0, -1}, {0, 1000000000}};
	for (int i = 0; i < 3; i++)
		VEQ(simk_io_getevents(g_ctx, 1, 1, evs, vt_ubytes(&bad[i], 16)), -EINVAL);
	VEQ(simk_io_getevents(g_ctx, 1, 1, evs, 0x5000), -EFAULT);
	/* an event, and an unwritable events array: -EFAULT, the event lost */
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, vt_ubytes("a", 1), 1, 0, 0)), 1);
	VEQ(simk_io_getevents(g_ctx, 1, 1, 0x5000, 0), -EFAULT);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 0, 1, ev, 0), 0);
	/* with an event waiting, a bad timeout is never read */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, vt_ubytes("a", 1), 1, 0, 0)), 1);
	VEQ(simk_io_getevents(g_ctx, 1, 1, evs, vt_ubytes(&bad[0], 16)), 1);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_getevents, argument_checks)
{
	lt_run(checks_body);
}

static void timeout_body(void)
{
	g_ctx = lt_setup(4);
	struct io_event ev[4];
	uint64_t t0 = sim_now();
	/* nothing comes: returns 0 after exactly the timeout */
	VEQ(lt_getevents(g_ctx, 1, 4, ev, 3000000), 0);
	VEQ(sim_now(), t0 + 3000000);
	/* zero timeout: a poll */
	t0 = sim_now();
	VEQ(lt_getevents(g_ctx, 1, 4, ev, 0), 0);
	VEQ(sim_now(), t0);
	/* one event of the two asked for arrives before the timeout: fewer
	 * than min_nr on timeout */
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(512);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 512, 0, 5)), 1);
	t0 = sim_now();
	VEQ(lt_getevents(g_ctx, 2, 4, ev, 1000000), 1);
	VEQ(sim_now(), t0 + 1000000);
	VEQ(ev[0].data, 5);
	/* a huge timeout is as good as none */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 512, 0, 6)), 1);
	struct laio_timespec far = {INT64_MAX, 999999999};
	uaddr_t evs = vt_ubuf(sizeof(ev));
	VEQ(simk_io_getevents(g_ctx, 1, 4, evs, vt_ubytes(&far, 16)), 1);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_getevents, relative_timeout_in_virtual_time)
{
	lt_run(timeout_body);
}

static void min_nr_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4 * 512);
	uaddr_t cbs[4];
	for (int i = 0; i < 4; i++)
		cbs[i] =
		    lt_iocb(IOCB_CMD_PWRITE, fd, buf + (uaddr_t)i * 512, 512, i * 512, (uint64_t)i);
	VEQ(lt_submit(g_ctx, cbs, 4), 4);
	struct io_event ev[4];
	/* waits until 3 are there; takes at most nr = 3 */
	VEQ(lt_getevents(g_ctx, 3, 3, ev, -1), 3);
	VEQ(lt_getevents(g_ctx, 1, 4, ev, -1), 1);
	VEQ(lt_getevents(g_ctx, 0, 4, ev, 0), 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_getevents, waits_for_min_nr_and_takes_at_most_nr)
{
	lt_run(min_nr_body);
}

static struct simk_thread *g_main;

static void signaller(void *arg)
{
	(void)arg;
	vt_sleep(2000000);
	VEQ(sig_kill_thread(g_main, SIMK_SIGUSR1), 0);
}

static void eintr_body(void)
{
	g_ctx = lt_setup(4);
	g_main = sim_thread_current();
	struct simk_thread *t = lt_spawn("sig", signaller, NULL);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), -EINTR);
	lt_join(t);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_getevents, a_signal_interrupts_the_wait_with_eintr)
{
	lt_run(eintr_body);
}

/* Two threads wait for one completion: exactly one is woken and gets it;
 * the other times out with nothing. */
static long g_got[2];

static void waiter(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct io_event ev[1];
	g_got[me] = lt_getevents(g_ctx, 1, 1, ev, 50000000);
}

static void two_waiters_body(void)
{
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	uaddr_t rb = vt_ubuf(8);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 8, 0, 1)), 1);
	struct simk_thread *a = lt_spawn("w0", waiter, (void *)0);
	struct simk_thread *b = lt_spawn("w1", waiter, (void *)1);
	vt_sleep(1000000);
	VEQ(vt_write_str(g_pipe[1], "x"), 1);
	lt_join(a);
	lt_join(b);
	VEQ(g_got[0] + g_got[1], 1);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_getevents, one_completion_wakes_one_exclusive_waiter)
{
	lt_run(two_waiters_body);
}

/* The same run with the trace kept: the completion wakes exactly one of
 * the two sleepers (the other is only ever woken by its timeout). A
 * non-exclusive wait passes the test above, since the loser goes back to
 * sleep, but wakes both here. */
Test(laio_getevents, completion_wakes_only_one_of_two_sleepers)
{
	vt_config_default();
	lt_body_cur = two_waiters_body;
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = 1;
	o.policy = SIMK_POLICY_FIFO;
	o.stack_size = 128 * 1024;
	o.keep_trace = true;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	vt_dev = NULL;
	struct simk_proc *p = simk_proc_create(s, "app");
	simk_thread_create(p, "main", lt_main, NULL);
	VT_RUN_PASS(s);
	int woken = 0, timed_out = 0;
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type != TR_WAKE || strcmp(e->name, "io_getevents") != 0)
			continue;
		if (e->a[1] == 0)
			woken++;
		else if (e->a[1] == -ETIMEDOUT)
			timed_out++;
	}
	cr_expect_eq(woken, 1, "io_getevents sleepers woken by the completion: %d", woken);
	cr_expect_eq(timed_out, 1, "io_getevents sleepers woken by their timeout: %d", timed_out);
	simk_destroy(s);
}

static void destroyer(void *arg)
{
	(void)arg;
	vt_sleep(1000000);
	VEQ(lt_destroy(g_ctx), 0);
}

static void destroyed_while_waiting_body(void)
{
	g_ctx = lt_setup(4);
	struct simk_thread *t = lt_spawn("d", destroyer, NULL);
	struct io_event ev[1];
	/* destroyed under us: nothing will come, -EINVAL rather than forever */
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), -EINVAL);
	lt_join(t);
}

Test(laio_getevents, destroy_wakes_waiters_with_einval)
{
	lt_run(destroyed_while_waiting_body);
}
