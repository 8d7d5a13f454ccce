/* kqueue: EVFILT_READ / EVFILT_WRITE on pipes, regular files, kqueue
 * descriptors; close races of descriptor knotes. */
#include "kq_test.h"

static void mkpipe(int fds[2])
{
	uaddr_t u = vt_ubuf(2 * sizeof(int));
	VEQ(simk_pipe(u), 0);
	vt_uget(u, fds, 2 * sizeof(int));
}

static void t_pipe_read(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 1), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(vt_write_str(p[1], "hello"), 5);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].ident, (uint64_t)p[0]);
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(ev[0].data, 5); /* bytes readable */
	VEQ(ev[0].flags & EV_EOF, 0);
	VEQ(kq_poll(kq, ev, 2), 1); /* level-triggered: still there */
	uaddr_t b = vt_ubuf(8);
	VEQ(simk_read(p[0], b, 3), 3);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 2);
	VEQ(simk_read(p[0], b, 8), 2);
	VEQ(kq_poll(kq, ev, 2), 0); /* drained: the queued event is dropped silently */
	VEQ(kq_pending(kq), 0);
	/* a waiter is woken by a write */
	VEQ(vt_write_str(p[1], "x"), 1);
	VEQ(kq_kevent(kq, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(simk_read(p[0], b, 8), 1);
	/* the writer closes: EV_EOF, repeated on every call while true */
	VEQ(vt_write_str(p[1], "yz"), 2);
	VEQ(simk_close(p[1]), 0);
	for (int i = 0; i < 3; i++) {
		VEQ(kq_poll(kq, ev, 2), 1);
		VEQ(ev[0].flags & EV_EOF, EV_EOF);
		VEQ(ev[0].flags & EV_NODATA, 0); /* two bytes left */
		VEQ(ev[0].data, 2);
	}
	VEQ(simk_read(p[0], b, 8), 2);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].flags & (EV_EOF | EV_NODATA), EV_EOF | EV_NODATA);
	VEQ(ev[0].data, 0);
	VEQ(simk_close(p[0]), 0);
	VEQ(kqueue_knotes_live(), 0); /* closing the fd removed its knote */
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_rw, pipe_read_data_eof_and_drain)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_pipe_read, NULL);
}

static void t_pipe_write(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)p[1], EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, PIPE_CAPACITY); /* space writable */
	/* fill it up to less than PIPE_BUF free: not writable */
	static char big[PIPE_CAPACITY];
	memset(big, 'a', sizeof(big));
	VEQ(simk_write(p[1], vt_ubytes(big, PIPE_CAPACITY - 100), PIPE_CAPACITY - 100),
	    PIPE_CAPACITY - 100);
	VEQ(kq_poll(kq, ev, 2), 0);
	/* NOTE_LOWAT: fire when at least 50 bytes are free */
	VEQ(kq_change(kq, (uint64_t)p[1], EVFILT_WRITE, EV_ADD, NOTE_LOWAT, 50, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 100);
	VEQ(kq_change(kq, (uint64_t)p[1], EVFILT_WRITE, EV_ADD, NOTE_LOWAT, 200, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	uaddr_t b = vt_ubuf(PIPE_CAPACITY);
	VEQ(simk_read(p[0], b, 150), 150);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 250);
	/* the reader goes: EV_EOF */
	VEQ(simk_close(p[0]), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].flags & EV_EOF, EV_EOF);
	VEQ(simk_close(p[1]), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_rw, pipe_write_space_lowat_and_eof)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_pipe_write, NULL);
}

static void t_pipe_read_lowat(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD, NOTE_LOWAT, 4, 0), 0);
	VEQ(vt_write_str(p[1], "abc"), 3);
	VEQ(kq_poll(kq, ev, 2), 0); /* below the mark */
	VEQ(vt_write_str(p[1], "d"), 1);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 4);
	VEQ(simk_close(p[1]), 0);
	VEQ(simk_read(p[0], vt_ubuf(8), 2), 2);
	VEQ(kq_poll(kq, ev, 2), 1); /* EOF fires below the mark */
	VEQ(ev[0].flags & EV_EOF, EV_EOF);
	VEQ(simk_close(p[0]), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_rw, pipe_read_lowat)
{
	kq_run1(3, SIMK_POLICY_FIFO, false, t_pipe_read_lowat, NULL);
}

/* Regular files: READ data = bytes from the offset to the end; WRITE
 * always fires. Both fire on the same file. */
static void t_regular(void *arg)
{
	(void)arg;
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	int kq = simk_kqueue();
	struct kevent ch[2], ev[4];
	ev_set(&ch[0], (uint64_t)fd, EVFILT_READ, EV_ADD, 0, 0, 0);
	ev_set(&ch[1], (uint64_t)fd, EVFILT_WRITE, EV_ADD, 0, 0, 0);
	VEQ(kq_kevent(kq, ch, 2, NULL, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1); /* empty file: write only */
	VEQ(ev[0].filter, EVFILT_WRITE);
	VEQ(ev[0].data, 0);
	VEQ(vt_write_str(fd, "0123456789"), 10); /* offset now 10 = end */
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(simk_lseek(fd, 4, SIMK_SEEK_SET), 4);
	VEQ(kq_poll(kq, ev, 4), 1);		  /* an lseek is no event (as on BSD)... */
	VEQ(kq_kevent(kq, ch, 2, NULL, 0, 0), 0); /* ...re-adding evaluates again */
	VEQ(kq_poll(kq, ev, 4), 2);
	int16_t f0 = ev[0].filter, f1 = ev[1].filter;
	VCHECK((f0 == EVFILT_READ && f1 == EVFILT_WRITE) ||
	       (f0 == EVFILT_WRITE && f1 == EVFILT_READ));
	VEQ(ev[f0 == EVFILT_READ ? 0 : 1].data, 6); /* 10 - 4 bytes to the end */
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_WRITE, EV_DELETE, 0, 0, 0), 0);
	/* another descriptor extends the file: the waiting reader sees it */
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_END), 10);
	VEQ(kq_poll(kq, ev, 4), 0);
	/* flags are the first EV_ADD's: delete and add again for EV_CLEAR */
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_READ, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	int fd2 = vt_open("/f", O_WRONLY | O_APPEND, 0);
	VEQ(vt_write_str(fd2, "abc"), 3);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 3);
	VEQ(kq_poll(kq, ev, 4), 0); /* EV_CLEAR */
	VEQ(vt_write_str(fd2, "de"), 2);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 5);
	/* NOTE_LOWAT on a file (level-triggered again) */
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_READ, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)fd, EVFILT_READ, EV_ADD, NOTE_LOWAT, 6, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(simk_ftruncate(fd2, 20), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 10);
	VEQ(simk_close(fd2), 0);
	VEQ(simk_close(fd), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_rw, regular_file_read_bytes_to_eof_and_write_always)
{
	kq_run1(4, SIMK_POLICY_FIFO, true, t_regular, NULL);
}

/* A kqueue watching a kqueue: data = pending events of the watched one. */
static void t_kq_on_kq(void *arg)
{
	(void)arg;
	int inner = simk_kqueue(), outer = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(outer, (uint64_t)inner, EVFILT_READ, EV_ADD, 0, 0, 5), 0);
	VEQ(kq_poll(outer, ev, 2), 0);
	VEQ(kq_change(inner, 1, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_change(inner, 2, EVFILT_USER, EV_ADD, NOTE_TRIGGER, 0, 0), 0);
	VEQ(kq_poll(outer, ev, 2), 1);
	VEQ(ev[0].ident, (uint64_t)inner);
	VEQ(ev[0].data, 2);
	VEQ(ev[0].udata, 5);
	VEQ(kq_change(inner, 1, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_change(inner, 2, EVFILT_USER, EV_DELETE, 0, 0, 0), 0);
	VEQ(kq_poll(outer, ev, 2), 0); /* nothing pending any more: dropped */
	/* a waiter on the outer one is woken by an event on the inner one */
	VEQ(kq_change(inner, 3, EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, 2, 0), 0);
	VEQ(kq_kevent(outer, NULL, 0, ev, 2, KQ_FOREVER), 1);
	VEQ(ev[0].data, 1);
	/* poll(2) on a kqueue */
	struct {
		int fd;
		short events, revents;
	} pfd = {inner, POLLIN, 0};
	uaddr_t up = vt_ubytes(&pfd, sizeof(pfd));
	VEQ(simk_poll(up, 1, 0), 1);
	vt_uget(up, &pfd, sizeof(pfd));
	VEQ(pfd.revents & POLLIN, POLLIN);
	/* each watching the other: closing both leaves nothing */
	VEQ(kq_change(inner, (uint64_t)outer, EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(simk_close(inner), 0);
	VEQ(simk_close(outer), 0);
	VEQ(kqueue_knotes_live(), 0);
}

Test(kq_rw, kqueue_watching_a_kqueue)
{
	kq_run1(5, SIMK_POLICY_FIFO, false, t_kq_on_kq, NULL);
}

/* Closing a descriptor removes its knotes in every kqueue of the process,
 * and only those of that descriptor (a dup keeps its own). */
static void t_close_all_kqueues(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int dup = simk_dup(p[0]);
	int kq1 = simk_kqueue(), kq2 = simk_kqueue();
	VEQ(kq_change(kq1, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq2, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq2, (uint64_t)dup, EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq1, (uint64_t)p[1], EVFILT_WRITE, EV_ADD, 0, 0, 0), 0);
	VEQ(kqueue_knotes_live(), 4);
	VEQ(simk_close(p[0]), 0);
	VEQ(kqueue_knotes_live(), 2);
	VEQ(vt_write_str(p[1], "a"), 1);
	struct kevent ev[4];
	VEQ(kq_poll(kq2, ev, 4), 1);
	VEQ(ev[0].ident, (uint64_t)dup);
	/* a new file on the same number is a new registration */
	int p2[2];
	mkpipe(p2);
	VEQ(p2[0], p[0]);
	VEQ(kq_change(kq1, (uint64_t)p2[0], EVFILT_READ, EV_DELETE, 0, 0, 0), -ENOENT);
	/* dup2 over a watched descriptor closes it */
	VEQ(simk_dup2(p2[0], dup), dup);
	VEQ(kq_poll(kq2, ev, 4), 0);
	VEQ(kqueue_knotes_live(), 1);
	VEQ(simk_close(kq1), 0); /* closing a kqueue drops all its knotes */
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq2), 0);
}

Test(kq_rw, closing_an_fd_removes_its_knotes_everywhere)
{
	kq_run1(6, SIMK_POLICY_FIFO, false, t_close_all_kqueues, NULL);
}

/* Registration racing a close of the descriptor, on many interleavings:
 * the knote never outlives the descriptor (kevent then fails with EBADF,
 * succeeds and the knote is gone after the close, or is dropped by the
 * fd_is check). */
static int g_fd, g_kq, g_reg;
static int g_ebadf, g_by_close, g_by_fd_is; /* runs that took each path */

static void t_closer(void *arg)
{
	(void)arg;
	VEQ(simk_close(g_fd), 0);
}

static void t_close_race(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	g_fd = p[0];
	g_kq = simk_kqueue();
	struct simk_thread *c = kthread_create(sim_proc_current(), "closer", t_closer, NULL, false);
	g_reg = kq_change(g_kq, (uint64_t)g_fd, EVFILT_READ, EV_ADD, 0, 0, 0);
	VCHECK(g_reg == 0 || g_reg == -EBADF);
	VEQ(kthread_join(c, NULL), 0);
	VEQ(kqueue_knotes_live(), 0);
	uint64_t by_close = 0, by_fd_is = 0;
	VEQ(kqueue_stat("fdclose_drops", &by_close), 0);
	VEQ(kqueue_stat("attach_closed_drops", &by_fd_is), 0);
	/* exactly one path per run: EBADF, or added and dropped once */
	VEQ((g_reg == -EBADF) + by_close + by_fd_is, 1);
	g_ebadf += g_reg == -EBADF;
	g_by_close += (int)by_close;
	g_by_fd_is += (int)by_fd_is;
	VEQ(vt_write_str(p[1], "a"), -EPIPE);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGPIPE);
	struct kevent ev[2];
	VEQ(kq_poll(g_kq, ev, 2), 0);
	VEQ(simk_close(p[1]), 0);
	VEQ(simk_close(g_kq), 0);
}

Test(kq_rw, registration_vs_close_never_leaves_a_knote)
{
	g_ebadf = g_by_close = g_by_fd_is = 0;
	for (uint64_t seed = 1; seed <= 300; seed++)
		kq_run1(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT, false, t_close_race,
			NULL);
	/* every path is reached (each run also passed the leak checks) */
	cr_assert_gt(g_ebadf, 0, "no run met the closed descriptor (EBADF)");
	cr_assert_gt(g_by_close, 0, "no run had the close observer drop the knote");
	cr_assert_gt(g_by_fd_is, 0, "no run had the fd_is check drop the knote");
}
