/* Linux AIO: how requests run — O_DIRECT through the device and its
 * interrupt, buffered files inline, pipes by retry and kick — and what the
 * events carry, including device faults and eventfd notification. */
#include "laio_test.h"

static aio_context_t g_ctx;

/* ---- O_DIRECT: the device completes from an interrupt ---- */

static void direct_body(void)
{
	g_ctx = lt_setup(16);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(8192);
	uint8_t data[8192];
	vt_fill(data, sizeof(data), 7, 0);
	vt_uput(buf, data, sizeof(data));
	uint64_t t0 = sim_now();
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 8192, 4096, 0xabc);
	VEQ(lt_submit1(g_ctx, cb), 1);
	/* queued on the device: no event yet, no time spent */
	struct io_event ev[4];
	VEQ(lt_getevents(g_ctx, 0, 4, ev, 0), 0);
	VEQ(sim_now(), t0);
	VEQ(lt_getevents(g_ctx, 1, 4, ev, -1), 1);
	VCHECK(sim_now() >= t0 + 50000); /* the device's latency passed */
	VEQ(ev[0].data, 0xabc);
	VEQ(ev[0].obj, cb);
	VEQ(ev[0].res, 8192);
	VEQ(ev[0].res2, 0);
	/* read it back, vectored, in two pieces */
	uaddr_t rb = vt_ubuf(8192);
	struct laio_iovec v[2] = {{rb, 4096}, {rb + 4096, 4096}};
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREADV, fd, vt_ubytes(v, sizeof(v)), 2, 4096, 1)),
	    1);
	VEQ(lt_getevents(g_ctx, 1, 4, ev, -1), 1);
	VEQ(ev[0].res, 8192);
	uint8_t back[8192];
	vt_uget(rb, back, sizeof(back));
	VCHECK(memcmp(back, data, sizeof(data)) == 0);
	/* a read past the end of file is short; at the end it is 0 */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, fd, rb, 8192, 8192, 2)), 1);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, fd, rb, 512, 65536, 3)), 1);
	VEQ(lt_getevents(g_ctx, 2, 4, ev, -1), 2);
	for (int i = 0; i < 2; i++)
		VEQ(ev[i].res, ev[i].data == 2 ? 4096 : 0);
	/* misaligned: refused by the file, the event says -EINVAL */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf + 1, 512, 0, 4)), 1);
	VEQ(lt_getevents(g_ctx, 1, 4, ev, 0), 1);
	VEQ(ev[0].res, -EINVAL);
	/* fsync of an O_DIRECT file runs inline */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_FSYNC, fd, 0, 0, 0, 5)), 1);
	VEQ(lt_getevents(g_ctx, 1, 4, ev, 0), 1);
	VEQ(ev[0].res, 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, o_direct_completes_from_the_device_interrupt)
{
	lt_run(direct_body);
}

static void many_direct_body(void)
{
	g_ctx = lt_setup(64);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(64 * 512);
	uaddr_t cbs[64];
	for (int i = 0; i < 64; i++) {
		uint8_t sec[512];
		memset(sec, 'a' + i % 26, sizeof(sec));
		vt_uput(buf + (uaddr_t)i * 512, sec, 512);
		cbs[i] =
		    lt_iocb(IOCB_CMD_PWRITE, fd, buf + (uaddr_t)i * 512, 512, i * 512, (uint64_t)i);
	}
	VEQ(lt_submit(g_ctx, cbs, 64), 64);
	struct io_event ev[64];
	bool seen[64] = {0};
	long got = 0;
	while (got < 64) {
		long n = lt_getevents(g_ctx, 1, 64, ev, -1);
		VCHECK(n > 0);
		for (long i = 0; i < n; i++) {
			VEQ(ev[i].res, 512);
			VCHECK(!seen[ev[i].data]);
			seen[ev[i].data] = true;
		}
		got += n;
	}
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, sixty_four_direct_writes_each_complete_once)
{
	vt_config_default();
	vt_cfg.dev.reorder = true;
	vt_cfg.dev.latency = blk_latency_uniform(10000, 90000);
	lt_run_policy(many_direct_body, 3, SIMK_POLICY_RANDOM);
}

/* ---- buffered files: inline ---- */

static void buffered_body(void)
{
	g_ctx = lt_setup(8);
	int fd = vt_open("/b", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubytes("0123456789", 10);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 10, 0, 1)), 1);
	/* the event is in the ring when io_submit returns */
	struct aio_ring r = lt_ring(g_ctx);
	VEQ(r.tail, 1);
	struct io_event ev[2];
	VEQ(lt_getevents(g_ctx, 1, 2, ev, 0), 1);
	VEQ(ev[0].res, 10);
	/* a read across the end of file retries until the end: 10 bytes */
	uaddr_t rb = vt_ubuf(100);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, fd, rb, 100, 0, 2)), 1);
	VEQ(lt_getevents(g_ctx, 1, 2, ev, 0), 1);
	VEQ(ev[0].res, 10);
	char out[10];
	vt_uget(rb, out, 10);
	VCHECK(memcmp(out, "0123456789", 10) == 0);
	/* the file offset is not used or moved (pread/pwrite semantics) */
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 0);
	/* a negative offset is the file's -EINVAL */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, fd, rb, 1, -5, 3)), 1);
	VEQ(lt_getevents(g_ctx, 1, 2, ev, 0), 1);
	VEQ(ev[0].res, -EINVAL);
	/* a buffered request is not cancellable (and already done here) */
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, buffered_io_completes_inline)
{
	lt_run(buffered_body);
}

/* ---- pipes: retry and kick ---- */

static int g_pipe[2];

static void writer_later(void *arg)
{
	const char *s = arg;
	vt_sleep(1000000);
	VEQ(vt_write_str(g_pipe[1], s), (ssize_t)strlen(s));
}

static void pipe_read_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, 0);
	uaddr_t rb = vt_ubuf(64);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 9)), 1);
	struct io_event ev[2];
	VEQ(lt_getevents(g_ctx, 0, 2, ev, 0), 0); /* nothing to read yet */
	uint64_t kicks = lt_stats().kicks;
	struct simk_thread *w = lt_spawn("writer", writer_later, "hello");
	/* the write kicks the request; the worker retries it; a read of a
	 * pipe completes with what is there */
	VEQ(lt_getevents(g_ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].data, 9);
	VEQ(ev[0].res, 5);
	char out[5];
	vt_uget(rb, out, 5);
	VCHECK(memcmp(out, "hello", 5) == 0);
	VCHECK(lt_stats().kicks > kicks);
	lt_join(w);
	/* a writer that closes: end of file, res 0 */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 10)), 1);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_getevents(g_ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, pipe_read_waits_for_a_kick_and_completes_with_what_is_there)
{
	lt_run(pipe_read_body);
}

static void writer_no_waiter(void *arg)
{
	(void)arg;
	VEQ(vt_write_str(g_pipe[1], "abc"), 3);
}

/* Nobody waits in io_getevents: the retry work starts after the delay,
 * or io_getevents runs the queued retry itself before it sleeps. */
static void pipe_delay_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, 0);
	uaddr_t rb = vt_ubuf(64);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 1)), 1);
	lt_join(lt_spawn("w", writer_no_waiter, NULL));
	uint64_t t0 = sim_now();
	struct io_event ev[1];
	/* queued on the run list, not run yet: a zero-timeout getevents runs it */
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, 3);
	VEQ(sim_now(), t0);
	/* again, but leave it to the delayed work */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 2)), 1);
	lt_join(lt_spawn("w", writer_no_waiter, NULL));
	t0 = sim_now();
	vt_sleep(200 * 1000 * 1000);
	struct aio_ring r = lt_ring(g_ctx);
	VEQ(r.tail, 2); /* the worker completed it while we slept */
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, 3);
	/* io_submit drains the run list too (the reference's io_submit_one):
	 * a kicked pipe read completes in the next submission, at once */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 3)), 1);
	lt_join(lt_spawn("w", writer_no_waiter, NULL));
	t0 = sim_now();
	int fd = vt_open("/q", O_CREAT | O_RDWR, 0644);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, rb, 8, 0, 4)), 1);
	VEQ(sim_now(), t0);
	VEQ(lt_ring(g_ctx).tail, 4);
	struct io_event two[2];
	VEQ(lt_getevents(g_ctx, 2, 2, two, 0), 2);
	VEQ(two[0].data, 4);
	VEQ(two[0].res, 8);
	VEQ(two[1].data, 3);
	VEQ(two[1].res, 3);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, queued_retries_run_from_getevents_or_the_delayed_work)
{
	lt_run(pipe_delay_body);
}

static void reader_drain(void *arg)
{
	size_t total = (size_t)(uintptr_t)arg;
	uaddr_t b = vt_ubuf(4096);
	size_t got = 0;
	while (got < total) {
		vt_sleep(100000);
		ssize_t n = simk_read(g_pipe[0], b, 1000);
		VCHECK(n > 0);
		got += (size_t)n;
	}
}

static void pipe_write_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, 0);
	/* fill the pipe but 1000 bytes */
	uaddr_t fill = vt_ubuf(PIPE_CAPACITY);
	VEQ(simk_write(g_pipe[1], fill, PIPE_CAPACITY - 1000), PIPE_CAPACITY - 1000);
	/* an 8 KiB AIO write: partial, then retried until all is written */
	uaddr_t wb = vt_ubuf(8192);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_pipe[1], wb, 8192, 0, 1)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 0, 1, ev, 0), 0);
	struct simk_thread *r =
	    lt_spawn("reader", reader_drain, (void *)(uintptr_t)(PIPE_CAPACITY - 1000 + 8192));
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, 8192);
	lt_join(r);
	VCHECK(lt_stats().retries >= 3);
	/* no reader left: -EPIPE */
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, g_pipe[1], wb, 10, 0, 2)), 1);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, -EPIPE);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, pipe_partial_writes_are_retried_until_complete)
{
	lt_run(pipe_write_body);
}

static void pipe_nonblock_body(void)
{
	g_ctx = lt_setup(8);
	lt_pipe(g_pipe, O_NONBLOCK);
	uaddr_t rb = vt_ubuf(64);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, g_pipe[0], rb, 64, 0, 1)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, 0), 1);
	VEQ(ev[0].res, -EAGAIN);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, nonblocking_pipe_gives_eagain_in_the_event)
{
	lt_run(pipe_nonblock_body);
}

/* ---- eventfd notification ---- */

static void resfd_body(void)
{
	g_ctx = lt_setup(8);
	int efd = simk_eventfd(0, EFD_NONBLOCK);
	int fd = vt_open("/b", O_CREAT | O_RDWR, 0644);
	lt_pipe(g_pipe, 0);
	uaddr_t buf = vt_ubytes("xyz", 3);
	uaddr_t c1 = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 3, 0, 1);
	uaddr_t c2 = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 3, 3, 2);
	uaddr_t c3 = lt_iocb(IOCB_CMD_PREAD, g_pipe[0], buf, 3, 0, 3);
	lt_iocb_resfd(c1, efd);
	lt_iocb_resfd(c2, efd);
	lt_iocb_resfd(c3, efd);
	uaddr_t cbs[3] = {c1, c2, c3};
	VEQ(lt_submit(g_ctx, cbs, 3), 3);
	uaddr_t v = vt_ubuf(8);
	uint64_t n = 0;
	VEQ(simk_read(efd, v, 8), 8);
	vt_uget(v, &n, 8);
	VEQ(n, 2); /* one per completion */
	VEQ(simk_read(efd, v, 8), -EAGAIN);
	/* the eventfd may be closed: the request holds it */
	VEQ(simk_close(efd), 0);
	VEQ(vt_write_str(g_pipe[1], "q"), 1);
	struct io_event ev[3];
	long got = 0;
	while (got < 3)
		got += lt_getevents(g_ctx, 1, 3, ev + got, -1);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(g_pipe[0]), 0);
	VEQ(simk_close(g_pipe[1]), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_exec, resfd_signals_the_eventfd_once_per_completion)
{
	lt_run(resfd_body);
}

/* ---- device faults ---- */

static void fault_write_eio_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	vt_fault("blk/write/eio:p=1");
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, -EIO);
	lt_fault_off("blk/write/eio");
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_faults, write_eio_reports_eio_in_res)
{
	lt_run(fault_write_eio_body);
}

static void fault_read_eio_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	struct io_event ev[1];
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1)), 1);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, 4096);
	vt_fault("blk/read/eio:p=1");
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PREAD, fd, buf, 4096, 0, 2)), 1);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, -EIO);
	lt_fault_off("blk/read/eio");
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_faults, read_eio_reports_eio_in_res)
{
	lt_run(fault_read_eio_body);
}

static void fault_lost_once_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	lt_fault_next("blk/complete/lost", 1);
	uint64_t t0 = sim_now();
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	/* the driver's timer re-issued it: success, one timeout later */
	VEQ(ev[0].res, 4096);
	VCHECK(sim_now() >= t0 + vt_cfg.dev.timeout_ns);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_faults, lost_interrupt_is_retried_by_the_driver)
{
	lt_run(fault_lost_once_body);
}

static void fault_lost_always_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	vt_fault("blk/complete/lost:p=1");
	uint64_t t0 = sim_now();
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1)), 1);
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	/* the driver gives up with -ETIMEDOUT, which the filesystem reports
	 * as -EIO (docs/blkdev.md, vfs/fsio.c) */
	VEQ(ev[0].res, -EIO);
	VCHECK(sim_now() >= t0 + (vt_cfg.dev.retries_max + 1) * vt_cfg.dev.timeout_ns);
	lt_fault_off("blk/complete/lost");
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_faults, interrupts_lost_every_time_end_in_eio)
{
	lt_run(fault_lost_always_body);
}

/* Every device fault point, at the first to the sixth hit, on a mix of
 * O_DIRECT writes, reads and fsyncs: every request ends exactly once with
 * its byte count or -EIO, and the run's invariants (leak check) hold. */
static const char *g_point;
static uint64_t g_k;

static void campaign_body(void)
{
	g_ctx = lt_setup(32);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(8 * 4096);
	lt_fault_next(g_point, g_k);
	uaddr_t cbs[24];
	for (int i = 0; i < 24; i++) {
		uint16_t op = i % 8 == 7   ? IOCB_CMD_FDSYNC
			      : i % 3 == 2 ? IOCB_CMD_PREAD
					   : IOCB_CMD_PWRITE;
		cbs[i] = lt_iocb(op, fd, buf + (uaddr_t)(i % 8) * 4096, 4096, (i % 8) * 4096,
				 (uint64_t)i);
	}
	VEQ(lt_submit(g_ctx, cbs, 12), 12);
	VEQ(lt_submit(g_ctx, cbs + 12, 12), 12);
	struct io_event ev[24];
	bool seen[24] = {0};
	long got = 0;
	while (got < 24) {
		long n = lt_getevents(g_ctx, 1, 24, ev, -1);
		VCHECK(n > 0);
		for (long i = 0; i < n; i++) {
			VCHECK(ev[i].data < 24 && !seen[ev[i].data]);
			seen[ev[i].data] = true;
			int64_t res = ev[i].res;
			VCHECK(res == 4096 || res == 0 || res == -EIO);
		}
		got += n;
	}
	lt_fault_off(g_point);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
	struct laio_stats st = lt_stats();
	VEQ(st.ended_event, st.submitted);
}

Test(laio_faults, every_device_fault_point_loses_no_completion)
{
	static const char *points[] = {"blk/write/eio",	     "blk/read/eio",   "blk/complete/lost",
				       "blk/complete/delay", "blk/queue/full", "blk/write/torn",
				       "blk/flush/eio"};
	for (size_t p = 0; p < sizeof(points) / sizeof(points[0]); p++) {
		for (uint64_t k = 1; k <= 6; k++) {
			g_point = points[p];
			g_k = k;
			vt_config_default();
			vt_cfg.dev.reorder = true;
			vt_cfg.dev.latency = blk_latency_uniform(20000, 80000);
			vt_cfg.dev.timeout_ns = 1000000;
			vt_cfg.dev.delay_ns = 300000;
			lt_run_policy(campaign_body, k, SIMK_POLICY_RANDOM);
		}
	}
}

static void power_cut_body(void)
{
	g_ctx = lt_setup(8);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 1)), 1);
	vfs_power_cut(0, NULL); /* with the write on the device */
	struct io_event ev[1];
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, -EIO);
	/* the dead filesystem refuses new requests: -EIO in the event */
	VEQ(lt_submit1(g_ctx, lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 2)), 1);
	VEQ(lt_getevents(g_ctx, 1, 1, ev, -1), 1);
	VEQ(ev[0].res, -EIO);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(g_ctx), 0);
}

Test(laio_faults, power_cut_fails_requests_in_flight_with_eio)
{
	lt_run(power_cut_body);
}
