/* Linux AIO: io_cancel, io_destroy with requests in flight, process exit,
 * and the deferred release of files held by in-flight requests. */
#include "laio_test.h"

static aio_context_t g_ctx;
static int g_pipe[2];

static void cancel_pipe_body(void)
{
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	uaddr_t rb = vt_ubuf(8);
	uaddr_t cb = lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 8, 0, 77);
	VEQ(lt_submit1(g_ctx, cb), 1);
	struct io_event ev;
	memset(&ev, 0, sizeof(ev));
	VEQ(lt_cancel(g_ctx, cb, &ev), 0);
	VEQ(ev.data, 77);
	VEQ(ev.obj, cb);
	VEQ(ev.res, -ECANCELED);
	/* no event in the ring, and a later write does not produce one */
	VEQ(vt_write_str(g_pipe[1], "late"), 4);
	struct io_event evs[2];
	VEQ(lt_getevents(g_ctx, 1, 2, evs, 5000000), 0);
	VEQ(lt_ring(g_ctx).tail, 0);
	/* a second cancel does not find it */
	VEQ(lt_cancel(g_ctx, cb, &ev), -EINVAL);
	struct laio_stats st = lt_stats();
	VEQ(st.ended_cancel, 1);
	VEQ(st.reqs_live, 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_cancel, cancelled_request_gives_its_event_through_result_only)
{
	lt_run(cancel_pipe_body);
}

static void cancel_errors_body(void)
{
	g_ctx = lt_setup(4);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1);
	struct io_event ev;
	/* never submitted */
	VEQ(lt_cancel(g_ctx, cb, &ev), -EINVAL);
	/* unknown context; unreadable iocb (checked first) */
	VEQ(lt_cancel(g_ctx + 8, cb, &ev), -EINVAL);
	VEQ(lt_cancel(0, 0x3000, &ev), -EFAULT);
	/* on the device: cannot be cancelled, completes normally */
	VEQ(lt_submit1(g_ctx, cb), 1);
	VEQ(lt_cancel(g_ctx, cb, &ev), -EAGAIN);
	struct io_event evs[1];
	VEQ(lt_getevents(g_ctx, 1, 1, evs, -1), 1);
	VEQ(evs[0].res, 4096);
	/* completed: no longer found */
	VEQ(lt_cancel(g_ctx, cb, &ev), -EINVAL);
	/* the key must match what io_submit wrote */
	lt_pipe(g_pipe, 0);
	uaddr_t pc = lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 2);
	VEQ(lt_submit1(g_ctx, pc), 1);
	struct iocb c = lt_iocb_get(pc);
	c.aio_key = 5;
	lt_iocb_put(pc, &c);
	VEQ(lt_cancel(g_ctx, pc, &ev), -EINVAL);
	c.aio_key = KIOCB_KEY;
	lt_iocb_put(pc, &c);
	/* an unwritable result: the request is cancelled, the caller gets
	 * -EFAULT (the event is lost, as on Linux) */
	VEQ(simk_io_cancel(g_ctx, pc, 0x3000), -EFAULT);
	VEQ(lt_stats().ended_cancel, 1);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_cancel, unknown_is_einval_on_device_is_eagain)
{
	lt_run(cancel_errors_body);
}

static void cancel_partial_body(void)
{
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	uaddr_t fill = vt_ubuf(PIPE_CAPACITY);
	VEQ(simk_write(g_pipe[1], fill, PIPE_CAPACITY - 100), PIPE_CAPACITY - 100);
	/* 8 KiB into 100 free bytes: 100 written, the rest waits */
	uaddr_t wb = vt_ubuf(8192);
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, g_pipe[1], wb, 8192, 0, 3);
	VEQ(lt_submit1(g_ctx, cb), 1);
	struct io_event ev;
	VEQ(lt_cancel(g_ctx, cb, &ev), 0);
	VEQ(ev.res, 100); /* what was written before the cancel */
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_cancel, partially_done_request_reports_its_bytes)
{
	lt_run(cancel_partial_body);
}

/* ---- io_destroy ---- */

static void destroy_inflight_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, 0);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cbs[3] = {
	    lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 1), /* cancellable */
	    lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 2),    /* on the device */
	    lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 3),
	};
	VEQ(lt_submit(g_ctx, cbs, 3), 3);
	uint64_t t0 = sim_now();
	VEQ(lt_destroy(g_ctx), 0);
	/* it waited for the device */
	VCHECK(sim_now() >= t0 + 50000);
	struct laio_stats st = lt_stats();
	VEQ(st.ended_torn, 3); /* all three cancelled or discarded: no reader */
	VEQ(st.reqs_live, 0);
	VEQ(st.contexts_live, 0);
	VEQ(laio_aio_nr(), 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(simk_close(fd), 0);
}

Test(laio_destroy, cancels_what_it_can_and_waits_for_the_rest)
{
	lt_run(destroy_inflight_body);
}

/* ---- process exit ---- */

static void exiting_child(void *arg)
{
	(void)arg;
	aio_context_t a = lt_setup(4), b = lt_setup(16);
	lt_pipe(g_pipe, 0);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cbs[2] = {lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 1),
			  lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 2)};
	VEQ(lt_submit(a, cbs, 2), 2);
	VEQ(lt_submit(b, cbs + 1, 1), 1);
	VEQ(laio_aio_nr(), 20);
	/* exit with everything open and in flight */
}

static void exit_body(void)
{
	int pid = proc_fork("child", exiting_child, NULL);
	VCHECK(pid > 0);
	int st;
	VEQ(proc_wait(pid, &st), pid);
	struct laio_stats s = lt_stats();
	VEQ(s.contexts_live, 0);
	VEQ(s.reqs_live, 0);
	VEQ(s.submitted, 3);
	VEQ(s.ended_torn + s.ended_event, 3);
	VEQ(laio_aio_nr(), 0);
}

Test(laio_exit, process_exit_tears_down_every_context)
{
	lt_run(exit_body);
}

/* ---- the aio_fput_routine path ---- */

static void fput_body(void)
{
	g_ctx = lt_setup(4);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 5)), 1);
	/* close while the request is on the device: it holds the last
	 * reference of the file */
	VEQ(simk_close(fd), 0);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, 4096);
	/* the completion (an interrupt) could not release the file: the fput
	 * work did, after the completion */
	struct laio_stats st = lt_stats();
	VEQ(st.deferred_fputs, 1);
	VEQ(lt_destroy(g_ctx), 0);
	VEQ(lt_stats().reqs_live, 0);
	/* same with a pipe request that completes in the retry worker */
	g_ctx = lt_setup(4);
	lt_pipe(g_pipe, 0);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 8, 0, 6)), 1);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(vt_write_str(g_pipe[1], "data"), 4);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, 4);
	VEQ(lt_stats().deferred_fputs, 2);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
	/* same when the last reference is the request's IOCB_FLAG_RESFD
	 * eventfd: it is signalled from the interrupt, released by the work */
	g_ctx = lt_setup(4);
	fd = lt_open_direct("/d");
	int efd = simk_eventfd(0, 0);
	VCHECK(efd >= 0);
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 7);
	lt_iocb_resfd(cb, efd);
	VEQ(lt_submit1(g_ctx, cb), 1);
	VEQ(simk_close(efd), 0);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, 4096);
	VEQ(lt_stats().deferred_fputs, 3);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_fput, file_closed_in_flight_is_released_by_deferred_work)
{
	lt_run(fput_body);
}

/* The ring's last free slot is held by a request waiting for the fput work
 * (which is stuck behind other work): io_submit runs the deferred releases
 * itself and gets its slot, as the reference's aio_get_req does. */
static void blocker_fn(struct work *w)
{
	(void)w;
	vt_sleep(50000000);
}

static void fput_starvation_body(void)
{
	static struct work blocker;
	g_ctx = lt_setup(1); /* 127 slots: 126 usable */
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(512);
	uaddr_t cbs[126];
	for (int i = 0; i < 126; i++)
		cbs[i] = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 512, i * 512, (uint64_t)i);
	/* keep the system work queue busy for 50 ms */
	work_init(&blocker, "blocker", blocker_fn, NULL);
	queue_work(system_wq(), &blocker);
	vt_sleep(1000);
	uint64_t t0 = sim_now();
	VEQ(lt_submit(g_ctx, cbs, 126), 126);
	VEQ(simk_close(fd), 0); /* the requests hold the file now */
	vt_sleep(5000000);	/* all complete; the last one's fput is deferred */
	VEQ(lt_stats().deferred_fputs, 1);
	VEQ(lt_ring(g_ctx).tail, 126);
	/* free one slot with the reaper: it is the deferred request's */
	struct io_event ev[126];
	VEQ(laio_user_reap(sim_proc_current(), g_ctx, ev, 1), 1);
	int fd2 = vt_open("/b", O_CREAT | O_RDWR, 0644);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd2, buf, 1, 0, 1)), 1);
	VCHECK(sim_now() < t0 + 50000000); /* the fput work has not run */
	VEQ(lt_getevents(g_ctx, 126, 126, ev, -1), 126);
	VEQ(simk_close(fd2), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_fput, submit_runs_pending_releases_when_the_ring_looks_full)
{
	lt_run(fput_starvation_body);
}

/* A buffered request runs inline in its submitter and has no cancel
 * method: while the submitter sleeps in it (an fsync waiting for the
 * device), io_cancel from another thread finds the request but cannot
 * cancel it: -EAGAIN, not -EINVAL, and the request still posts its event. */
static uaddr_t g_sync_cb;
static long g_sync_submitted;

static void sync_submitter(void *arg)
{
	(void)arg;
	g_sync_submitted = lt_submit1(g_ctx, g_sync_cb);
}

static void cancel_inline_body(void)
{
	g_ctx = lt_setup(4);
	int fd = vt_open("/s", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubuf(4096);
	VEQ(simk_pwrite(fd, buf, 4096, 0), 4096); /* dirty in the cache */
	g_sync_cb = lt_iocb(IOCB_CMD_FSYNC, fd, 0, 0, 0, 31);
	struct simk_thread *t = lt_spawn("sync", sync_submitter, NULL);
	vt_sleep(1000); /* the fsync now waits for the device */
	VEQ(lt_stats().submitted, 1);
	VEQ(lt_stats().reqs_live, 1);
	struct io_event ev;
	VEQ(lt_cancel(g_ctx, g_sync_cb, &ev), -EAGAIN);
	lt_join(t);
	VEQ(g_sync_submitted, 1);
	struct io_event evs[1];
	VEQ(lt_getevents(g_ctx, 1, 1, evs, 0), 1);
	VEQ(evs[0].data, 31);
	VEQ(evs[0].res, 0);
	VEQ(lt_stats().ended_cancel, 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_cancel, running_inline_request_is_eagain)
{
	lt_run(cancel_inline_body);
}
