/* VFS: pipes (EOF, EPIPE, EAGAIN, PIPE_BUF atomicity), readiness hooks, poll(2). */
#include "vfs_test.h"

static int pfd[2];

static void mkpipe(int flags)
{
	uaddr_t u = vt_ubuf(sizeof(pfd));
	VEQ(simk_pipe2(u, flags), 0);
	vt_uget(u, pfd, sizeof(pfd));
}

static void t_basics(void *arg)
{
	(void)arg;
	mkpipe(0);
	VEQ(pfd[0], 0);
	VEQ(pfd[1], 1);
	VEQ(vt_write_str(pfd[1], "ping"), 4);
	uaddr_t n = vt_ubuf(sizeof(int));
	VEQ(simk_ioctl(pfd[0], SIMK_FIONREAD, n), 0);
	int avail;
	vt_uget(n, &avail, sizeof(avail));
	VEQ(avail, 4);
	struct simk_stat st = vt_fstat(pfd[0]);
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFIFO);
	VEQ(st.st_size, 4);
	VEQ(st.st_type, FT_PIPE);
	VEQ(simk_lseek(pfd[0], 0, SIMK_SEEK_SET), -ESPIPE);
	VEQ(simk_pread(pfd[0], vt_ubuf(4), 4, 0), -ESPIPE);
	VEQ(simk_pwrite(pfd[1], vt_ubuf(4), 4, 0), -ESPIPE);
	VEQ(simk_read(pfd[1], vt_ubuf(4), 4), -EBADF);
	VEQ(simk_write(pfd[0], vt_ubuf(4), 4), -EBADF);
	VEQ(simk_fsync(pfd[0]), -EINVAL);
	VEQ(simk_ftruncate(pfd[1], 0), -EINVAL);
	uaddr_t b = vt_ubuf(16);
	VEQ(simk_read(pfd[0], b, 2), 2);
	VEQ(simk_read(pfd[0], b + 2, 16), 2); /* what is there, no waiting for more */
	char got[4];
	vt_uget(b, got, 4);
	VCHECK(memcmp(got, "ping", 4) == 0);
	VEQ(simk_write(pfd[1], b, 0), 0);
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_read(pfd[0], b, 16), 0); /* EOF: no writer left */
	VEQ(simk_pipe2(vt_ubuf(8), O_APPEND), -EINVAL);
	VEQ(simk_pipe(0x40), -EFAULT);
	VEQ(fd_count(sim_proc_current()), 1); /* the faulted pipe left nothing behind */
}

Test(vfs_pipe, read_write_eof_and_errors)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_basics, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_epipe(void *arg)
{
	(void)arg;
	mkpipe(0);
	VEQ(simk_close(pfd[0]), 0);
	VCHECK(!sig_pending(sim_thread_current(), SIMK_SIGPIPE));
	VEQ(vt_write_str(pfd[1], "x"), -EPIPE);
	VCHECK(sig_pending(sim_thread_current(), SIMK_SIGPIPE));
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGPIPE);
}

Test(vfs_pipe, write_without_readers_is_epipe_and_sigpipe)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_epipe, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_nonblock(void *arg)
{
	(void)arg;
	mkpipe(O_NONBLOCK);
	uaddr_t b = vt_ubuf(PIPE_CAPACITY + PIPE_BUF_SIZE);
	VEQ(simk_read(pfd[0], b, 10), -EAGAIN);
	VEQ(simk_write(pfd[1], b, PIPE_CAPACITY - 100), PIPE_CAPACITY - 100);
	VEQ(simk_write(pfd[1], b, 200), -EAGAIN);	    /* <= PIPE_BUF: all or nothing */
	VEQ(simk_write(pfd[1], b, PIPE_BUF_SIZE + 1), 100); /* > PIPE_BUF: what fits */
	VEQ(simk_write(pfd[1], b, PIPE_BUF_SIZE + 1), -EAGAIN);
	VEQ(simk_read(pfd[0], b, PIPE_CAPACITY), PIPE_CAPACITY);
	VEQ(simk_read(pfd[0], b, 1), -EAGAIN);
	/* FIONBIO turns blocking mode back on; fcntl reports it */
	VEQ(simk_fcntl(pfd[0], SIMK_F_GETFL, 0), O_RDONLY | O_NONBLOCK);
	int zero = 0;
	VEQ(simk_ioctl(pfd[0], SIMK_FIONBIO, vt_ubytes(&zero, sizeof(zero))), 0);
	VEQ(simk_fcntl(pfd[0], SIMK_F_GETFL, 0), O_RDONLY);
}

Test(vfs_pipe, nonblocking_pipe_is_eagain_with_pipe_buf_atomicity)
{
	vt_config_default();
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_nonblock, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A blocking reader sleeps until a writer (another thread) writes. */
static uint64_t write_ns, read_done_ns;

static void writer_later(void *arg)
{
	(void)arg;
	struct waitq wq;
	waitq_init(&wq, "delay");
	waitq_sleep(&wq, false, false, 1000000); /* 1 ms of virtual time */
	waitq_destroy(&wq);
	write_ns = sim_now();
	VEQ(vt_write_str(pfd[1], "wake"), 4);
	VEQ(simk_close(pfd[1]), 0);
}

static void t_blocking_reader(void *arg)
{
	(void)arg;
	mkpipe(0);
	kthread_create(sim_proc_current(), "writer", writer_later, NULL, false);
	uaddr_t b = vt_ubuf(16);
	VEQ(simk_read(pfd[0], b, 16), 4);
	read_done_ns = sim_now();
	VEQ(simk_read(pfd[0], b, 16), 0);
}

Test(vfs_pipe, blocking_reader_is_woken_by_writer)
{
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "reader", t_blocking_reader, NULL);
	VT_RUN_PASS(s);
	cr_assert_eq(write_ns, 1000000);
	cr_assert_eq(read_done_ns, write_ns, "the reader returned at %llu",
		     (unsigned long long)read_done_ns);
	simk_destroy(s);
}

static void interrupter(void *arg)
{
	struct simk_thread *victim = arg;
	struct waitq wq;
	waitq_init(&wq, "delay");
	waitq_sleep(&wq, false, false, 5000);
	waitq_destroy(&wq);
	VEQ(sig_kill_thread(victim, SIMK_SIGUSR1), 0);
}

static void t_eintr(void *arg)
{
	(void)arg;
	mkpipe(0);
	kthread_create(sim_proc_current(), "int", interrupter, sim_thread_current(), false);
	VEQ(simk_read(pfd[0], vt_ubuf(4), 4), -EINTR);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
}

Test(vfs_pipe, blocked_read_is_interrupted_by_a_signal)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_eintr, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A writer blocked on a full pipe: a signal ends the write with what it
 * moved, or EINTR when it moved nothing. */
static void t_write_eintr(void *arg)
{
	(void)arg;
	mkpipe(0);
	uaddr_t big = vt_ubuf(PIPE_CAPACITY + 4096);
	kthread_create(sim_proc_current(), "int", interrupter, sim_thread_current(), false);
	/* fills the pipe, then blocks for the rest */
	VEQ(simk_write(pfd[1], big, PIPE_CAPACITY + 4096), PIPE_CAPACITY);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	kthread_create(sim_proc_current(), "int", interrupter, sim_thread_current(), false);
	VEQ(simk_write(pfd[1], big, 1), -EINTR); /* full: nothing moves */
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
}

Test(vfs_pipe, blocked_write_is_interrupted_by_a_signal)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_write_eintr, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* Every allocation of pipe(2) can fail: ENOMEM, no descriptor, no leak. */
static int pipe_enomem_seen;
static void t_pipe_enomem(void *arg)
{
	int k = (int)(intptr_t)arg;
	uaddr_t u = vt_ubuf(sizeof(pfd));
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%d", k);
	vt_fault(spec);
	int r = simk_pipe(u);
	vt_fault("kmem/alloc/enomem:off");
	VCHECK(r == 0 || r == -ENOMEM);
	if (r == -ENOMEM) {
		pipe_enomem_seen++;
		VEQ(simk_close(0), -EBADF); /* no descriptor was left behind */
		VEQ(simk_close(1), -EBADF);
	} else {
		vt_uget(u, pfd, sizeof(pfd));
		VEQ(vt_write_str(pfd[1], "ok"), 2);
	}
}

Test(vfs_pipe, every_allocation_failure_is_enomem_without_leak)
{
	pipe_enomem_seen = 0;
	for (int k = 1; k <= 8; k++) {
		vt_config_default();
		struct simk *s = vt_sim((uint64_t)k);
		simk_thread_create(simk_proc_create(s, "p"), "t", t_pipe_enomem,
				   (void *)(intptr_t)k);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	cr_assert_geq(pipe_enomem_seen, 4); /* the pipe, its buffer, each file */
}

/* Two writers of PIPE_BUF-sized records under a random scheduler: every
 * record arrives whole. */
#define REC PIPE_BUF_SIZE
#define NREC 12
static int writers_done;

static void rec_writer(void *arg)
{
	uint8_t tag = (uint8_t)(uintptr_t)arg;
	uint8_t rec[REC];
	memset(rec, tag, sizeof(rec));
	uaddr_t b = vt_ubytes(rec, sizeof(rec));
	for (int i = 0; i < NREC; i++)
		VEQ(simk_write(pfd[1], b, REC), REC);
	if (++writers_done == 2)
		VEQ(simk_close(pfd[1]), 0);
}

static void t_atomic(void *arg)
{
	(void)arg;
	writers_done = 0;
	mkpipe(0);
	kthread_create(sim_proc_current(), "w1", rec_writer, (void *)1, false);
	kthread_create(sim_proc_current(), "w2", rec_writer, (void *)2, false);
	static uint8_t all[2 * NREC * REC];
	size_t got = 0;
	uaddr_t b = vt_ubuf(1000);
	for (int guard = 0; guard < 100000; guard++) {
		ssize_t r = simk_read(pfd[0], b, 1000);
		VCHECK(r >= 0);
		if (r == 0)
			break;
		vt_uget(b, all + got, (size_t)r);
		got += (size_t)r;
	}
	VEQ(got, sizeof(all));
	for (size_t i = 0; i < got; i += REC)
		for (size_t k = 1; k < REC; k++)
			VEQ(all[i + k], all[i]);
}

Test(vfs_pipe, pipe_buf_writes_are_never_interleaved)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		vt_config_default();
		struct simk *s = vt_sim_policy(seed, SIMK_POLICY_RANDOM);
		simk_thread_create(simk_proc_create(s, "p"), "reader", t_atomic, NULL);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
}

/* Readiness listeners. */
static unsigned seen[16];
static int nseen;
static struct poll_listener lr, lw;

static void listen_fn(struct poll_listener *l, unsigned ev)
{
	(void)l;
	if (nseen < 16)
		seen[nseen] = ev;
	nseen++;
}

static void t_listeners(void *arg)
{
	(void)arg;
	nseen = 0;
	mkpipe(0);
	struct simk_proc *p = sim_proc_current();
	struct file *rf, *wf;
	VEQ(fd_get(p, pfd[0], &rf), 0);
	VEQ(fd_get(p, pfd[1], &wf), 0);
	struct poll_head *rh, *wh;
	VEQ(file_poll(rf, POLLIN, &rh), 0);
	VEQ(file_poll(wf, POLLOUT, &wh), POLLOUT);
	VCHECK(rh != NULL && wh != NULL && rh != wh);
	poll_listener_init(&lr, listen_fn, NULL, POLLIN);
	poll_listen(rh, &lr);
	VEQ(vt_write_str(pfd[1], "data"), 4);
	VEQ(nseen, 1);
	VEQ(seen[0], POLLIN | POLLRDNORM);
	VEQ(file_poll(rf, POLLIN | POLLRDNORM, NULL), POLLIN | POLLRDNORM);
	/* the write end's listener hears reads */
	poll_listener_init(&lw, listen_fn, NULL, POLLOUT);
	poll_listen(wh, &lw);
	VEQ(simk_read(pfd[0], vt_ubuf(4), 4), 4);
	VEQ(nseen, 2);
	VEQ(seen[1], POLLOUT | POLLWRNORM);
	poll_unlisten(&lw);
	/* writer closes: POLLHUP, even though the listener only wants POLLIN */
	VEQ(simk_close(pfd[1]), 0);
	file_put(wf); /* the last reference of the write end */
	VEQ(nseen, 3);
	VEQ(seen[2], POLLHUP);
	VEQ(file_poll(rf, POLLIN, NULL), POLLHUP);
	/* the read end goes away: POLLFREE detaches the listener */
	VEQ(simk_close(pfd[0]), 0);
	file_put(rf);
	VEQ(nseen, 4);
	VEQ(seen[3], POLLFREE);
	VCHECK(!poll_listening(&lr));
}

Test(vfs_pipe, listeners_hear_pollin_pollhup_and_pollfree)
{
	vt_config_default();
	struct simk *s = vt_sim(6);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_listeners, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_reader_gone(void *arg)
{
	(void)arg;
	nseen = 0;
	mkpipe(0);
	struct file *wf;
	VEQ(fd_get(sim_proc_current(), pfd[1], &wf), 0);
	struct poll_head *wh;
	VEQ(file_poll(wf, POLLOUT, &wh), POLLOUT);
	poll_listener_init(&lw, listen_fn, NULL, POLLOUT);
	poll_listen(wh, &lw);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(nseen, 1);
	VEQ(seen[0], POLLERR);
	poll_unlisten(&lw);
	file_put(wf);
}

Test(vfs_pipe, write_end_listener_hears_pollerr_when_readers_go)
{
	vt_config_default();
	struct simk *s = vt_sim(7);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_reader_gone, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* poll(2) */
struct simk_pollfd_t {
	int32_t fd;
	int16_t events, revents;
};

static void late_writer(void *arg)
{
	(void)arg;
	struct waitq wq;
	waitq_init(&wq, "delay");
	waitq_sleep(&wq, false, false, 2000);
	waitq_destroy(&wq);
	VEQ(vt_write_str(pfd[1], "!"), 1);
}

static void t_poll(void *arg)
{
	(void)arg;
	mkpipe(0);
	struct simk_pollfd_t f[3] = {{pfd[0], POLLIN, 0}, {-1, POLLIN, 0}, {55, POLLIN, 0}};
	uaddr_t uf = vt_ubytes(f, sizeof(f));
	/* fd 55 is not open: POLLNVAL at once */
	VEQ(simk_poll(uf, 3, -1), 1);
	vt_uget(uf, f, sizeof(f));
	VEQ(f[0].revents, 0);
	VEQ(f[1].revents, 0);
	VEQ(f[2].revents, POLLNVAL);
	/* timeout in virtual time */
	uint64_t t0 = sim_now();
	VEQ(simk_poll(uf, 1, 7), 0);
	VEQ(sim_now() - t0, 7000000);
	/* zero timeout polls */
	VEQ(simk_poll(uf, 1, 0), 0);
	/* woken by a write from another thread */
	kthread_create(sim_proc_current(), "w", late_writer, NULL, false);
	VEQ(simk_poll(uf, 1, -1), 1);
	vt_uget(uf, f, sizeof(f));
	VEQ(f[0].revents, POLLIN);
	VEQ(simk_poll(0x50, 1, 0), -EFAULT);
	/* a signal ends a waiting poll with EINTR */
	struct simk_pollfd_t quiet = {pfd[0], POLLIN, 0};
	uaddr_t uq = vt_ubytes(&quiet, sizeof(quiet));
	VEQ(simk_read(pfd[0], vt_ubuf(1), 1), 1); /* the late writer's byte: now empty */
	kthread_create(sim_proc_current(), "int", interrupter, sim_thread_current(), false);
	VEQ(simk_poll(uq, 1, -1), -EINTR);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
	/* its allocations can fail: ENOMEM */
	vt_fault("kmem/alloc/enomem:nth=1");
	VEQ(simk_poll(uq, 1, 0), -ENOMEM);
	vt_fault("kmem/alloc/enomem:off");
	VEQ(simk_poll(uf, FD_MAX + 1, 0), -EINVAL);
	/* the write end polls writable */
	struct simk_pollfd_t w = {pfd[1], POLLOUT | POLLIN, 0};
	uaddr_t uw = vt_ubytes(&w, sizeof(w));
	VEQ(simk_poll(uw, 1, 0), 1);
	vt_uget(uw, &w, sizeof(w));
	VEQ(w.revents, POLLOUT);
}

Test(vfs_pipe, poll_waits_times_out_and_reports_pollnval)
{
	vt_config_default();
	struct simk *s = vt_sim(8);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_poll, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}
