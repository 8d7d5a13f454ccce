/* POSIX AIO: lio_listio. */
#include "paio_test.h"

#include "syscalls/kqueue/kq.h"
#include "syscalls/portfs/port.h"

#define SIG (SIMK_SIGRTMIN + 4)

static uaddr_t entry(int fd, uaddr_t buf, uint64_t n, int64_t off, int op)
{
	uaddr_t cb = pt_cb(fd, buf, n, off);
	pt_opcode(cb, op);
	return cb;
}

static void t_wait(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uint8_t pat[2048];
	vt_fill(pat, sizeof(pat), 21, 0);
	uaddr_t src = vt_ubytes(pat, sizeof(pat));
	uaddr_t cbs[6];
	for (int i = 0; i < 4; i++)
		cbs[i] = entry(fd, src + 512 * i, 512, 512 * i, LIO_WRITE);
	cbs[4] = 0;				  /* ignored */
	cbs[5] = entry(fd, src, 512, 0, LIO_NOP); /* skipped */
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 6), 6, 0), 0);
	for (int i = 0; i < 4; i++) {
		VEQ(simk_aio_error(cbs[i]), 0); /* all done when LIO_WAIT returns */
		VEQ(simk_aio_return(cbs[i]), 512);
	}
	VEQ(simk_aio_error(cbs[5]), -EINVAL); /* the NOP was never a request */
	uint8_t got[2048];
	VEQ(vt_pread(fd, got, sizeof(got), 0), 2048);
	VCHECK(memcmp(got, pat, sizeof(got)) == 0);
	/* reads back through a second list */
	uaddr_t dst = vt_ubuf(2048);
	for (int i = 0; i < 4; i++)
		cbs[i] = entry(fd, dst + 512 * i, 512, 512 * i, LIO_READ);
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 4), 4, 0), 0);
	vt_uget(dst, got, sizeof(got));
	VCHECK(memcmp(got, pat, sizeof(got)) == 0);
	for (int i = 0; i < 4; i++)
		VEQ(simk_aio_return(cbs[i]), 512);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_lio, lio_wait_returns_when_every_entry_is_done_skipping_null_and_nop)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_wait, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	int ro = vt_open("/f", O_RDONLY, 0);
	uaddr_t buf = vt_ubuf(512);
	uaddr_t good = entry(fd, buf, 512, 0, LIO_WRITE);
	uaddr_t l = pt_list(&good, 1);
	VEQ(simk_lio_listio(7, l, 1, 0), -EINVAL);
	VEQ(simk_lio_listio(LIO_WAIT, l, 0, 0), -EINVAL);
	VEQ(simk_lio_listio(LIO_WAIT, l, AIO_LISTIO_MAX + 1, 0), -EINVAL);
	VEQ(simk_lio_listio(LIO_WAIT, 0x100, 1, 0), -EFAULT);
	VEQ(simk_lio_listio(LIO_NOWAIT, l, 1, 0x100), -EFAULT);
	struct simk_sigevent se = {99, 0, 0, 0, 0};
	VEQ(simk_lio_listio(LIO_NOWAIT, l, 1, vt_ubytes(&se, sizeof(se))), -EINVAL);
	VEQ(pt_stats().submitted, 0); /* none of those queued anything */
	/* entries that cannot be queued get their own error; the others go */
	uaddr_t cbs[5];
	cbs[0] = entry(fd, buf, 512, 0, LIO_WRITE);
	cbs[1] = entry(ro, buf, 512, 0, LIO_WRITE); /* EBADF */
	cbs[2] = entry(fd, buf, 512, -5, LIO_READ); /* EINVAL */
	cbs[3] = entry(fd, buf, 512, 512, 9);	    /* bad opcode: EINVAL */
	cbs[4] = entry(fd, buf, 512, 512, LIO_WRITE);
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 5), 5, 0), -EIO);
	VEQ(simk_aio_error(cbs[0]), 0);
	VEQ(simk_aio_error(cbs[1]), EBADF);
	VEQ(simk_aio_error(cbs[2]), EINVAL);
	VEQ(simk_aio_error(cbs[3]), EINVAL);
	VEQ(simk_aio_error(cbs[4]), 0);
	VEQ(simk_aio_return(cbs[0]), 512);
	VEQ(simk_aio_return(cbs[4]), 512);
	VEQ(simk_aio_return(cbs[1]), -EBADF);
	/* LIO_NOWAIT: -EIO at once, the good entries still complete */
	cbs[0] = entry(fd, buf, 512, 0, LIO_READ);
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 2), 2, 0), -EIO);
	VEQ(pt_result(cbs[0]), 512);
	/* an entry that completes with an error makes LIO_WAIT say EIO */
	int pfd[2];
	pt_pipe(pfd);
	VEQ(simk_close(pfd[0]), 0);
	cbs[0] = entry(pfd[1], buf, 16, 0, LIO_WRITE); /* EPIPE */
	cbs[1] = entry(fd, buf, 16, 0, LIO_WRITE);
	struct siginfo_sim si;
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 2), 2, 0), -EIO);
	VEQ(simk_aio_error(cbs[0]), EPIPE);
	VEQ(simk_aio_return(cbs[0]), -EPIPE);
	VEQ(simk_aio_return(cbs[1]), 16);
	while (sig_dequeue(&si) != 0)
		; /* the SIGPIPE */
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(ro), 0);
}

Test(paio_lio, bad_mode_count_and_per_entry_errors)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_errors, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_limit(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubuf(512);
	uaddr_t cbs[5];
	for (int i = 0; i < 5; i++)
		cbs[i] = entry(fd, buf, 512, 0, LIO_READ);
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 5), 5, 0), -EAGAIN);
	VEQ(pt_stats().submitted, 0); /* nothing was queued */
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 4), 4, 0), 0);
	for (int i = 0; i < 4; i++)
		VEQ(simk_aio_return(cbs[i]), 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_lio, list_over_the_limit_is_refused_whole)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	struct paio_config c;
	paio_config_default(&c);
	c.max_requests = 4;
	cr_assert_eq(paio_configure(&c), 0);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_limit, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* LIO_NOWAIT with a signal: sent once, after the last entry ended. */
static void t_nowait_signal(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIG - 1), NULL), 0);
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cbs[3];
	cbs[0] = entry(fd, vt_ubuf(64), 64, 0, LIO_WRITE);
	cbs[1] = entry(pfd[0], vt_ubuf(4), 4, 0, LIO_READ); /* waits for data */
	cbs[2] = entry(fd, vt_ubuf(64), 64, 64, LIO_WRITE);
	struct simk_sigevent se = {SIMK_SIGEV_SIGNAL, SIG, 0xfeed, 0, 0};
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 3), 3, vt_ubytes(&se, sizeof(se))), 0);
	vt_sleep(10 * 1000 * 1000);
	VEQ(simk_aio_error(cbs[0]), 0);
	VEQ(simk_aio_error(cbs[2]), 0);
	VEQ(simk_aio_error(cbs[1]), EINPROGRESS);
	VCHECK(!sig_pending(sim_thread_current(), SIG)); /* not before the last */
	VEQ(vt_write_str(pfd[1], "abcd"), 4);
	VEQ(pt_result(cbs[1]), 4);
	vt_sleep(1000);
	VEQ(sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIG - 1), NULL), 0);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIG);
	VEQ(si.value, 0xfeed);
	VEQ(si.code, SIMK_SI_ASYNCIO);
	VEQ(sig_dequeue(&si), 0);
	VEQ(pt_stats().lio_notes, 1);
	/* a list none of whose entries was queued sends nothing */
	int ro = vt_open("/f", O_RDONLY, 0);
	uaddr_t bad = entry(ro, vt_ubuf(8), 8, 0, LIO_WRITE);
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(&bad, 1), 1, vt_ubytes(&se, sizeof(se))), -EIO);
	vt_sleep(10 * 1000 * 1000);
	VEQ(sig_dequeue(&si), 0);
	VEQ(pt_stats().lio_notes, 1);
	VEQ(simk_close(ro), 0);
	VEQ(simk_aio_return(cbs[0]), 64);
	VEQ(simk_aio_return(cbs[2]), 64);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_lio, lio_nowait_signal_comes_once_after_the_last_entry)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_nowait_signal, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* LIO_NOWAIT with a kevent: EVFILT_AIO, ident = the list. */
static void t_nowait_kevent(void *arg)
{
	(void)arg;
	vt_setup();
	int kq = simk_kqueue();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cbs[2];
	cbs[0] = entry(fd, vt_ubuf(64), 64, 0, LIO_WRITE);
	cbs[1] = entry(fd, vt_ubuf(64), 64, 64, LIO_WRITE);
	uaddr_t l = pt_list(cbs, 2);
	struct simk_sigevent se = {SIMK_SIGEV_KEVENT, kq, 0xbeef, 0, 0};
	VEQ(simk_lio_listio(LIO_NOWAIT, l, 2, vt_ubytes(&se, sizeof(se))), 0);
	uaddr_t evs = vt_ubuf(sizeof(struct kevent) * 2);
	VEQ(simk_kevent(kq, 0, 0, evs, 2, 0), 1);
	struct kevent ev;
	vt_uget(evs, &ev, sizeof(ev));
	VEQ(ev.filter, EVFILT_AIO);
	VEQ(ev.ident, l);
	VEQ(ev.udata, 0xbeef);
	VEQ(ev.data, 0);
	VEQ(simk_aio_error(cbs[0]), 0);
	VEQ(simk_aio_error(cbs[1]), 0);
	VEQ(simk_aio_return(cbs[0]), 64);
	VEQ(simk_aio_return(cbs[1]), 64);
	/* a list whose entries all fail: no notification; a bad kqueue: EBADF */
	int ro = vt_open("/f", O_RDONLY, 0);
	cbs[0] = entry(ro, vt_ubuf(8), 8, 0, LIO_WRITE);
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 1), 1, vt_ubytes(&se, sizeof(se))), -EIO);
	VEQ(simk_kevent(kq, 0, 0, evs, 2, pt_timespec(0, 1000000)), 0);
	VEQ(pt_stats().lio_notes, 1); /* nothing was posted for it */
	/* a list with an entry that fails in flight: posted once, after the
	 * last entry ended, with EIO as the data */
	int pfd[2];
	pt_pipe(pfd);
	cbs[0] = entry(fd, vt_ubuf(64), 64, 128, LIO_WRITE);
	cbs[1] = entry(pfd[0], vt_ubuf(4), 4, 0, LIO_READ); /* waits for data */
	uaddr_t l2 = pt_list(cbs, 2);
	se.sigev_value = 0xcafe;
	VEQ(simk_lio_listio(LIO_NOWAIT, l2, 2, vt_ubytes(&se, sizeof(se))), 0);
	VEQ(pt_result(cbs[0]), 64);
	VEQ(simk_kevent(kq, 0, 0, evs, 2, pt_timespec(0, 10 * 1000 * 1000)),
	    0); /* not before the last */
	VEQ(simk_aio_cancel(pfd[0], cbs[1]), AIO_CANCELED);
	VEQ(pt_result(cbs[1]), -ECANCELED);
	VEQ(simk_kevent(kq, 0, 0, evs, 2, pt_timespec(0, 10 * 1000 * 1000)), 1);
	vt_uget(evs, &ev, sizeof(ev));
	VEQ(ev.filter, EVFILT_AIO);
	VEQ(ev.ident, l2);
	VEQ(ev.udata, 0xcafe);
	VEQ(ev.data, EIO);
	VEQ(simk_kevent(kq, 0, 0, evs, 2, pt_timespec(0, 10 * 1000 * 1000)), 0); /* once */
	VEQ(pt_stats().lio_notes, 2);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
	se.sigev_value = 0xbeef;
	se.sigev_signo = fd;
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 1), 1, vt_ubytes(&se, sizeof(se))), -EBADF);
	VEQ(simk_close(ro), 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(kq), 0);
}

Test(paio_lio, lio_nowait_kevent_names_the_list)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_nowait_kevent, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* LIO_WAIT is interrupted by a signal; the entries go on. */
static void t_wait_eintr(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cb = entry(pfd[0], vt_ubuf(4), 4, 0, LIO_READ);
	uaddr_t w = pt_cb(pfd[1], vt_ubuf(4), 4, 0);
	pt_sigev(w, SIMK_SIGEV_SIGNAL, SIG, 1, 0);
	/* a second request whose signal interrupts the LIO_WAIT below */
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t n = pt_cb(fd, vt_ubuf(4), 4, 0);
	pt_sigev(n, SIMK_SIGEV_SIGNAL, SIG, 2, 0);
	VEQ(simk_aio_write(n), 0);
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(&cb, 1), 1, 0), -EINTR);
	VEQ(simk_aio_error(cb), EINPROGRESS);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIG);
	VEQ(simk_aio_write(w), 0); /* four bytes into the pipe */
	VEQ(pt_result(cb), 4);
	VEQ(pt_result(w), 4);
	VEQ(pt_result(n), 4);
	while (sig_dequeue(&si) != 0)
		;
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_lio, lio_wait_interrupted_by_a_signal)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_wait_eintr, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* LIO_NOWAIT list notifications by event port and by thread. */
static int lio_thread_calls;
static int64_t lio_thread_value;

static void lio_done(int64_t v, void *ctx)
{
	(void)ctx;
	lio_thread_calls++;
	lio_thread_value = v;
}

static uint64_t lio_fn;

static void t_nowait_port_thread(void *arg)
{
	(void)arg;
	vt_setup();
	int port = simk_port_create();
	VCHECK(port >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cbs[2];
	cbs[0] = entry(fd, vt_ubuf(64), 64, 0, LIO_WRITE);
	cbs[1] = entry(fd, vt_ubuf(64), 64, 64, LIO_WRITE);
	struct simk_aio_port_notify pn = {port, 0, 0xab};
	struct simk_sigevent se = {SIMK_SIGEV_PORT, 0, vt_ubytes(&pn, sizeof(pn)), 0, 0};
	uaddr_t seu = vt_ubytes(&se, sizeof(se));
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 2), 2, seu), 0);
	uaddr_t pe = vt_ubuf(24);
	VEQ(simk_port_get(port, pe, 0), 0);
	uint8_t raw[24];
	vt_uget(pe, raw, sizeof(raw));
	int32_t events;
	uint16_t source;
	uint64_t object, user;
	memcpy(&events, raw, 4);
	memcpy(&source, raw + 4, 2);
	memcpy(&object, raw + 8, 8);
	memcpy(&user, raw + 16, 8);
	VEQ(source, 1); /* PORT_SOURCE_AIO */
	VEQ(events, PAIO_EV_LIO);
	VEQ(object, seu); /* the list's sigevent */
	VEQ(user, 0xab);
	VEQ(simk_aio_error(cbs[0]), 0);
	VEQ(simk_aio_error(cbs[1]), 0);
	VEQ(simk_aio_return(cbs[0]), 64);
	VEQ(simk_aio_return(cbs[1]), 64);
	/* by thread */
	struct simk_sigevent st = {SIMK_SIGEV_THREAD, 0, 77, lio_fn, 0};
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 2), 2, vt_ubytes(&st, sizeof(st))), 0);
	VEQ(pt_result(cbs[0]), 64);
	VEQ(pt_result(cbs[1]), 64);
	for (int i = 0; i < 100 && lio_thread_calls == 0; i++)
		vt_sleep(1000);
	VEQ(lio_thread_calls, 1);
	VEQ(lio_thread_value, 77);
	VEQ(pt_stats().lio_notes, 2);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
}

Test(paio_lio, lio_nowait_port_and_thread_notifications)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	lio_thread_calls = 0;
	lio_fn = paio_sigev_fn_register(lio_done, NULL);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_nowait_port_thread, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
