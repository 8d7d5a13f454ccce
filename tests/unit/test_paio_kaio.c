/* POSIX AIO: the kernel-asynchronous path (O_DIRECT) and its fallback. */
#include "paio_test.h"

#include "sim/eventq.h"

static void t_direct(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uint8_t pat[4096];
	vt_fill(pat, sizeof(pat), 31, 0);
	uaddr_t src = vt_ubytes(pat, sizeof(pat)); /* page aligned */
	uaddr_t w = pt_cb(fd, src, 4096, 0);
	VEQ(simk_aio_write(w), 0);
	VEQ(pt_get(w).aio_state, AIOCB_KAIO);
	VEQ(simk_aio_cancel(fd, w), AIO_NOTCANCELED); /* on the device */
	VEQ(pt_result(w), 4096);
	uaddr_t dst = vt_ubuf(4096);
	uaddr_t r = pt_cb(fd, dst, 4096, 0);
	VEQ(simk_aio_read(r), 0);
	VEQ(pt_result(r), 4096);
	uint8_t got[4096];
	vt_uget(dst, got, sizeof(got));
	VCHECK(memcmp(got, pat, sizeof(got)) == 0);
	struct paio_stats st = pt_stats();
	VEQ(st.kaio, 2);
	VEQ(st.kaio_fallback, 0);
	/* misaligned: the file refuses at submission */
	uaddr_t bad = pt_cb(fd, src + 1, 512, 0);
	VEQ(simk_aio_write(bad), -EINVAL);
	VEQ(simk_aio_error(bad), EINVAL);
	bad = pt_cb(fd, src, 100, 0);
	VEQ(simk_aio_read(bad), -EINVAL);
	VEQ(pt_stats().outstanding, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_kaio, o_direct_requests_take_the_kernel_async_path)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_direct, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

Test(paio_kaio, kaio_can_be_switched_off)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	c.kaio = false;
	cr_assert_eq(paio_configure(&c), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_direct, NULL);
	enum simk_outcome o = simk_run(s);
	/* the pool does the O_DIRECT transfer synchronously: the state is
	 * never AIOCB_KAIO, so the first check fails */
	cr_assert_eq(o, SIMK_FAIL_EXPECT, "%s", simk_failure_reason(s));
	cr_assert(strstr(simk_failure_reason(s), "AIOCB_KAIO") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

/* aio_fsync waits for earlier kernel-async writes of its file, which sit
 * on no worker queue. */
static void t_fsync_after_kaio(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t src = vt_ubuf(8192);
	uaddr_t w1 = pt_cb(fd, src, 4096, 0);
	uaddr_t w2 = pt_cb(fd, src + 4096, 4096, 4096);
	VEQ(simk_aio_write(w1), 0);
	VEQ(simk_aio_write(w2), 0);
	uaddr_t f = pt_cb(fd, 0, 0, 0);
	VEQ(simk_aio_fsync(O_SYNC, f), 0);
	VEQ(pt_wait(f), 0);
	VEQ(simk_aio_error(w1), 0);
	VEQ(simk_aio_error(w2), 0);
	VEQ(simk_aio_return(w1), 4096);
	VEQ(simk_aio_return(w2), 4096);
	VEQ(simk_aio_return(f), 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_kaio, fsync_waits_for_earlier_kernel_async_writes)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct simk *s = pt_sim(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_fsync_after_kaio, NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

/* ---- a file type of our own, to drive every answer of aio_submit ---- */

enum fake_mode { FAKE_ACCEPT, FAKE_NOTSUP, FAKE_EIO };
static enum fake_mode fake_mode;
static struct kaio_req *fake_req;
static struct sim_event fake_ev;
static int fake_reads;

static void fake_complete(struct sim_event *ev)
{
	(void)ev;
	struct kaio_req *r = fake_req;
	fake_req = NULL;
	r->done(r, 64);
}

static int fake_submit(struct file *fp, struct kaio_req *r)
{
	(void)fp;
	if (fake_mode == FAKE_NOTSUP)
		return -EOPNOTSUPP;
	if (fake_mode == FAKE_EIO)
		return -EIO;
	fake_req = r;
	event_init(&fake_ev, "fake-aio", fake_complete, NULL);
	event_schedule_in(&fake_ev, 1000000);
	return 0;
}

static int fake_cancel(struct file *fp, struct kaio_req *r)
{
	(void)fp;
	if (fake_req != r || !event_cancel(&fake_ev))
		return -EAGAIN;
	fake_req = NULL;
	r->done(r, -ECANCELED);
	return 0;
}

static ssize_t fake_read(struct file *fp, struct uio *uio, int ioflags)
{
	(void)fp;
	(void)ioflags;
	fake_reads++;
	char k[32];
	memset(k, 'k', sizeof(k));
	size_t n = uio->resid < sizeof(k) ? uio->resid : sizeof(k);
	int r = uiomove(k, n, uio);
	return r != 0 ? r : (ssize_t)n;
}

static int fake_seek(struct file *fp, int64_t off)
{
	(void)fp;
	(void)off;
	return 0;
}

static const struct file_ops fake_ops = {
    .name = "fake-aio",
    .read = fake_read,
    .seek = fake_seek,
    .aio_submit = fake_submit,
    .aio_cancel = fake_cancel,
};

static int fake_open(void)
{
	struct simk_proc *p = sim_proc_current();
	struct file *fp = file_alloc(FT_OTHER, &fake_ops, NULL, O_RDWR | O_DIRECT);
	VCHECK(fp != NULL);
	int fd = fd_alloc(p, 0);
	VCHECK(fd >= 0);
	fd_install(p, fd, fp, 0);
	return fd;
}

static void t_fake(void *arg)
{
	(void)arg;
	int fd = fake_open();
	uaddr_t buf = vt_ubuf(64);
	/* accepted, then canceled before the "device" took it: the file
	 * completes it from inside aio_cancel */
	fake_mode = FAKE_ACCEPT;
	uaddr_t a = pt_cb(fd, buf, 64, 0);
	VEQ(simk_aio_read(a), 0);
	VEQ(pt_get(a).aio_state, AIOCB_KAIO);
	VEQ(simk_aio_cancel(fd, a), AIO_CANCELED);
	VEQ(simk_aio_error(a), ECANCELED);
	VEQ(simk_aio_return(a), -ECANCELED);
	/* accepted and completed from the "interrupt" */
	uaddr_t b = pt_cb(fd, buf, 64, 0);
	VEQ(simk_aio_read(b), 0);
	VEQ(pt_result(b), 64);
	VEQ(fake_reads, 0); /* no thread read anything */
	/* not supported: the pool does it */
	fake_mode = FAKE_NOTSUP;
	uaddr_t c = pt_cb(fd, buf, 64, 0);
	VEQ(simk_aio_read(c), 0);
	VEQ(pt_result(c), 32);
	VEQ(fake_reads, 1);
	/* refused: the submission fails with the file's errno */
	fake_mode = FAKE_EIO;
	uaddr_t d = pt_cb(fd, buf, 64, 0);
	VEQ(simk_aio_read(d), -EIO);
	VEQ(simk_aio_error(d), EIO);
	struct paio_stats st = pt_stats();
	VEQ(st.kaio, 2);
	VEQ(st.kaio_fallback, 1);
	VEQ(st.canceled, 1);
	VEQ(st.outstanding, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_kaio, file_answers_accept_cancel_fallback_and_refuse)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	fake_reads = 0;
	fake_req = NULL;
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fake, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* close(2) of the descriptor cancels an accepted request through the file. */
static void t_fake_close(void *arg)
{
	(void)arg;
	int fd = fake_open();
	fake_mode = FAKE_ACCEPT;
	uaddr_t a = pt_cb(fd, vt_ubuf(64), 64, 0);
	VEQ(simk_aio_read(a), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_aio_error(a), ECANCELED);
	VEQ(simk_aio_return(a), -ECANCELED);
}

Test(paio_kaio, close_cancels_an_accepted_request)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	fake_req = NULL;
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fake_close, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
