/* kqueue behaviours the BSD test suites check (FreeBSD's tests/sys/kqueue
 * and pipe_kqueue tests, libkqueue's read tests): the write end of a pipe,
 * a filter added after the other end closed, EV_HUP, EV_CLEAR on a socket
 * pair after a partial read, signal idents. Our own tests of what they
 * check, written against simk's API. */
#include "kq_test.h"

static void mkpipe(int fds[2])
{
	uaddr_t u = vt_ubuf(2 * sizeof(int));
	VEQ(sys_pipe(u), 0);
	vt_uget(u, fds, 2 * sizeof(int));
}

static void mksock(int sv[2])
{
	uaddr_t u = vt_ubuf(2 * sizeof(int));
	VEQ(sys_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, u), 0);
	vt_uget(u, sv, 2 * sizeof(int));
}

/* Two receipts in one kevent() call: each change comes back as EV_ERROR
 * with its errno (0: registered) in data. */
static void two_receipts(int kq, int fd, int err_read, int err_write)
{
	struct kevent ch[2], ev[2];
	ev_set(&ch[0], (uint64_t)fd, EVFILT_READ, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, 0);
	ev_set(&ch[1], (uint64_t)fd, EVFILT_WRITE, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, 0);
	VEQ(kq_kevent(kq, ch, 2, ev, 2, KQ_FOREVER), 2);
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(ev[0].flags & EV_ERROR, EV_ERROR);
	VEQ(ev[0].data, err_read);
	VEQ(ev[1].filter, EVFILT_WRITE);
	VEQ(ev[1].flags & EV_ERROR, EV_ERROR);
	VEQ(ev[1].data, err_write);
}

/* EVFILT_READ on the write end of a pipe: nothing ever arrives through
 * it, whatever the reader has buffered (the reference's write end has its
 * own, empty, direction); it reports the reader's close as EOF. */
static void t_pipe_write_end_read_filter(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = sys_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)p[1], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(vt_write_str(p[1], "hello"), 5);
	VEQ(kq_poll(kq, ev, 2), 0);
	uaddr_t b = vt_ubuf(8);
	VEQ(sys_read(p[0], b, 2), 2);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(sys_close(p[0]), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].ident, (uint64_t)p[1]);
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(ev[0].flags & (EV_EOF | EV_HUP | EV_CLEAR), EV_EOF | EV_HUP | EV_CLEAR);
	VEQ(ev[0].data, 0);
	VEQ(sys_close(p[1]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, pipe_write_end_read_filter_sees_only_the_readers_close)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_pipe_write_end_read_filter, NULL);
}

/* The reader is gone: EVFILT_WRITE is refused with EPIPE, EVFILT_READ is
 * registered and reports EOF (FreeBSD's pipe_kqueue__closed_read_end). */
static void t_closed_read_end(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	VEQ(sys_close(p[0]), 0);
	int kq = sys_kqueue();
	two_receipts(kq, p[1], 0, EPIPE);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(ev[0].flags & (EV_EOF | EV_CLEAR | EV_RECEIPT), EV_EOF | EV_CLEAR | EV_RECEIPT);
	VEQ(ev[0].data, 0);
	VEQ(kqueue_knotes_live(), 1);
	VEQ(sys_close(p[1]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, write_filter_on_a_pipe_without_reader_is_epipe)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_closed_read_end, NULL);
}

/* The writer is gone: EVFILT_WRITE on the read end is refused with EPIPE
 * too, EVFILT_READ reports the bytes left and EOF
 * (pipe_kqueue__closed_write_end). */
static void t_closed_write_end(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	VEQ(vt_write_str(p[1], "abc"), 3);
	VEQ(sys_close(p[1]), 0);
	int kq = sys_kqueue();
	two_receipts(kq, p[0], 0, EPIPE);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(ev[0].flags & EV_EOF, EV_EOF);
	VEQ(ev[0].data, 3);
	VEQ(sys_close(p[0]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, write_filter_on_a_pipe_without_writer_is_epipe)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_closed_write_end, NULL);
}

/* Registered before the close, both filters are accepted and both fire
 * with EOF when the other end closes
 * (pipe_kqueue__closed_read_end_register_before_close). */
static void t_register_before_close(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = sys_kqueue();
	two_receipts(kq, p[1], 0, 0);
	struct kevent ev[2];
	VEQ(kq_poll(kq, ev, 2), 1); /* writable */
	VEQ(ev[0].filter, EVFILT_WRITE);
	VEQ(ev[0].data, PIPE_CAPACITY);
	VEQ(kq_poll(kq, ev, 2), 0); /* EV_CLEAR */
	VEQ(sys_close(p[0]), 0);
	VEQ(kq_poll(kq, ev, 2), 2);
	for (int i = 0; i < 2; i++) {
		VEQ(ev[i].ident, (uint64_t)p[1]);
		VEQ(ev[i].flags & (EV_EOF | EV_HUP), EV_EOF | EV_HUP);
	}
	VCHECK(ev[0].filter != ev[1].filter);
	VEQ(sys_close(p[1]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, pipe_filters_registered_before_the_close_report_eof)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_register_before_close, NULL);
}

/* EV_HUP (DragonFly): set with EV_EOF when the connection is completely
 * gone, not on a half close. */
static void t_ev_hup(void *arg)
{
	(void)arg;
	int p[2];
	mkpipe(p);
	int kq = sys_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)p[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(sys_close(p[1]), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].flags & (EV_EOF | EV_HUP | EV_NODATA), EV_EOF | EV_HUP | EV_NODATA);
	VEQ(sys_close(p[0]), 0);
	int sv[2];
	mksock(sv);
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_READ, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_WRITE, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1); /* writable only */
	VEQ(ev[0].flags & (EV_EOF | EV_HUP), 0);
	/* the peer stops writing: end of stream for us, but it still reads */
	VEQ(sys_shutdown(sv[1], SIMK_SHUT_WR), 0);
	VEQ(kq_poll(kq, ev, 2), 2);
	for (int i = 0; i < 2; i++) {
		if (ev[i].filter == EVFILT_READ)
			VEQ(ev[i].flags & (EV_EOF | EV_HUP), EV_EOF);
		else
			VEQ(ev[i].flags & (EV_EOF | EV_HUP), 0);
	}
	/* the peer closes: completely disconnected */
	VEQ(sys_close(sv[1]), 0);
	VEQ(kq_poll(kq, ev, 2), 2);
	VEQ(ev[0].flags & (EV_EOF | EV_HUP), EV_EOF | EV_HUP);
	VEQ(ev[1].flags & (EV_EOF | EV_HUP), EV_EOF | EV_HUP);
	VEQ(sys_close(sv[0]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, ev_hup_when_the_connection_is_completely_closed)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_ev_hup, NULL);
}

/* EV_CLEAR on a socket pair: edge-triggered, so reading part of the data
 * does not report it again (libkqueue's test_kevent_socket_clear); only new
 * data does. Traffic the other way does not either. */
static void t_socket_clear(void *arg)
{
	(void)arg;
	int sv[2];
	mksock(sv);
	int kq = sys_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(vt_write_str(sv[1], "."), 1);
	VEQ(vt_write_str(sv[1], "."), 1);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 2);
	uaddr_t b = vt_ubuf(8);
	VEQ(sys_read(sv[0], b, 1), 1);
	VEQ(kq_poll(kq, ev, 2), 0);
	/* the other direction: sv[1] reads what sv[0] sends */
	VEQ(vt_write_str(sv[0], "xy"), 2);
	VEQ(sys_read(sv[1], b, 1), 1);
	VEQ(kq_poll(kq, ev, 2), 0);
	/* new data fires again, with the whole count */
	VEQ(vt_write_str(sv[1], "!"), 1);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 2);
	VEQ(sys_close(sv[0]), 0);
	VEQ(sys_close(sv[1]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, socketpair_ev_clear_does_not_fire_after_a_partial_read)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_socket_clear, NULL);
}

/* EV_CLEAR on the write side fires when the reader makes room, not when
 * the writer itself writes. */
static void t_socket_write_clear(void *arg)
{
	(void)arg;
	int sv[2];
	mksock(sv);
	int kq = sys_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, SOCK_BUF_SIZE);
	VEQ(vt_write_str(sv[0], "abc"), 3);
	VEQ(kq_poll(kq, ev, 2), 0);
	uaddr_t b = vt_ubuf(8);
	VEQ(sys_read(sv[1], b, 2), 2);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, SOCK_BUF_SIZE - 1);
	VEQ(sys_close(sv[0]), 0);
	VEQ(sys_close(sv[1]), 0);
	VEQ(sys_close(kq), 0);
}

Test(kq_peer, socketpair_write_ev_clear_fires_when_the_reader_makes_room)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_socket_write_clear, NULL);
}

/* Signal idents are not checked, as in the reference: a number no signal
 * has is registered and never fires (docs/kq.md, EVFILT_SIGNAL). */
static void t_signal_idents(void *arg)
{
	(void)arg;
	int kq = sys_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, 0, EVFILT_SIGNAL, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, SIMK_NSIG, EVFILT_SIGNAL, EV_ADD, 0, 0, 0), 0);
	VEQ(kq_change(kq, 100000, EVFILT_SIGNAL, EV_ADD, 0, 0, 0), 0);
	VEQ(kqueue_knotes_live(), 3);
	VEQ(sig_kill_proc(sim_proc_current(), SIMK_SIGUSR1), 0);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(kq_change(kq, 100000, EVFILT_SIGNAL, EV_DELETE, 0, 0, 0), 0);
	VEQ(sys_close(kq), 0);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGUSR1);
}

Test(kq_peer, signal_idents_are_not_checked)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_signal_idents, NULL);
}
