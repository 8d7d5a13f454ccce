/* The AF_UNIX socketpair file type (vfs/socket.c) and kqueue's READ, WRITE
 * and EXCEPT filters on it. */
#include "kq_test.h"

static void mksock(int sv[2])
{
	uaddr_t u = vt_ubuf(2 * sizeof(int));
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, u), 0);
	vt_uget(u, sv, 2 * sizeof(int));
}

static ssize_t send_str(int fd, const char *s, int flags)
{
	return simk_send(fd, vt_ubytes(s, strlen(s)), strlen(s), flags);
}

static void t_socket_basics(void *arg)
{
	(void)arg;
	int sv[2];
	mksock(sv);
	VEQ(sv[0], 0);
	VEQ(sv[1], 1);
	VEQ(sock_pairs_live(), 1);
	VEQ(vt_write_str(sv[0], "ping"), 4);
	VEQ(vt_write_str(sv[1], "pong!"), 5);
	uaddr_t n = vt_ubuf(sizeof(int));
	int v;
	VEQ(simk_ioctl(sv[1], SIMK_FIONREAD, n), 0);
	vt_uget(n, &v, sizeof(v));
	VEQ(v, 4);
	VEQ(simk_ioctl(sv[1], SIMK_FIONSPACE, n), 0);
	vt_uget(n, &v, sizeof(v));
	VEQ(v, SOCK_BUF_SIZE - 5);
	struct simk_stat st = vt_fstat(sv[0]);
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFSOCK);
	VEQ(st.st_size, 5);
	VEQ(st.st_type, FT_SOCKET);
	uaddr_t b = vt_ubuf(16);
	VEQ(simk_recv(sv[1], b, 16, SIMK_MSG_PEEK), 4);
	VEQ(simk_read(sv[1], b, 16), 4);
	char got[8];
	vt_uget(b, got, 4);
	VCHECK(memcmp(got, "ping", 4) == 0);
	VEQ(simk_read(sv[0], b, 2), 2);
	VEQ(simk_read(sv[0], b, 16), 3);
	/* errors */
	VEQ(simk_socketpair(2, SIMK_SOCK_STREAM, 0, vt_ubuf(8)), -EAFNOSUPPORT);
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_DGRAM, 0, vt_ubuf(8)), -EOPNOTSUPP);
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 6, vt_ubuf(8)), -EPROTONOSUPPORT);
	VEQ(simk_socketpair(SIMK_AF_UNIX, SIMK_SOCK_STREAM, 0, 0x10), -EFAULT);
	VEQ(sock_pairs_live(), 1); /* nothing left by the failed call */
	VEQ(fd_count(sim_proc_current()), 2);
	VEQ(simk_shutdown(sv[0], 7), -EINVAL);
	VEQ(simk_shutdown(42, SIMK_SHUT_RD), -EBADF);
	int kq = simk_kqueue();
	VEQ(simk_shutdown(kq, SIMK_SHUT_RD), -ENOTSOCK);
	VEQ(simk_send(kq, b, 1, 0), -ENOTSOCK);
	VEQ(simk_send(sv[0], b, 1, 0x8000000), -EINVAL);
	VEQ(simk_recv(sv[0], b, 1, SIMK_MSG_DONTWAIT), -EAGAIN);
	VEQ(simk_recv(sv[0], b, 1, SIMK_MSG_OOB), -EINVAL); /* no urgent byte */
	/* shutdown(SHUT_WR): the peer reads the rest, then end of stream */
	VEQ(vt_write_str(sv[0], "ab"), 2);
	VEQ(simk_shutdown(sv[0], SIMK_SHUT_WR), 0);
	VEQ(simk_read(sv[1], b, 16), 2);
	VEQ(simk_read(sv[1], b, 16), 0);
	VCHECK(!sig_pending(sim_thread_current(), SIMK_SIGPIPE));
	VEQ(vt_write_str(sv[0], "x"), -EPIPE);
	struct siginfo_sim si;
	VEQ(sig_dequeue(&si), SIMK_SIGPIPE);
	VEQ(send_str(sv[0], "x", SIMK_MSG_NOSIGNAL), -EPIPE);
	VCHECK(!sig_pending(sim_thread_current(), SIMK_SIGPIPE));
	VEQ(vt_write_str(sv[1], "back"), 4); /* the other direction still works */
	VEQ(simk_read(sv[0], b, 16), 4);
	VEQ(simk_close(sv[1]), 0);
	VEQ(simk_read(sv[0], b, 16), 0);
	VEQ(simk_close(sv[0]), 0);
	VEQ(sock_pairs_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_socket, socketpair_stream_shutdown_and_errors)
{
	kq_run1(1, SIMK_POLICY_FIFO, false, t_socket_basics, NULL);
}

static int g_sv[2];

static void t_reader(void *arg)
{
	(void)arg;
	uaddr_t b = vt_ubuf(SOCK_BUF_SIZE * 3);
	size_t total = 0;
	for (;;) {
		ssize_t r = simk_read(g_sv[1], b + total, SOCK_BUF_SIZE * 3 - total);
		VCHECK(r >= 0);
		if (r == 0)
			break;
		total += (size_t)r;
	}
	VEQ(total, SOCK_BUF_SIZE * 2 + 10);
	static char got[SOCK_BUF_SIZE * 2 + 10];
	vt_uget(b, got, total);
	for (size_t i = 0; i < total; i++)
		VEQ((unsigned char)got[i], (unsigned char)(i * 7));
}

/* A blocking write larger than the buffer waits for the reader. */
static void t_socket_blocking(void *arg)
{
	(void)arg;
	mksock(g_sv);
	struct simk_thread *r = kthread_create(sim_proc_current(), "reader", t_reader, NULL, false);
	static char data[SOCK_BUF_SIZE * 2 + 10];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	VEQ(simk_write(g_sv[0], vt_ubytes(data, sizeof(data)), sizeof(data)), sizeof(data));
	VEQ(simk_close(g_sv[0]), 0);
	VEQ(kthread_join(r, NULL), 0);
	VEQ(simk_close(g_sv[1]), 0);
}

Test(kq_socket, blocking_write_larger_than_the_buffer)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		kq_run1(seed, SIMK_POLICY_RANDOM, false, t_socket_blocking, NULL);
}

static void t_socket_kq(void *arg)
{
	(void)arg;
	int sv[2];
	mksock(sv);
	int kq = simk_kqueue();
	struct kevent ch[3], ev[4];
	ev_set(&ch[0], (uint64_t)sv[1], EVFILT_READ, EV_ADD, 0, 0, 1);
	ev_set(&ch[1], (uint64_t)sv[0], EVFILT_WRITE, EV_ADD, 0, 0, 2);
	ev_set(&ch[2], (uint64_t)sv[1], EVFILT_EXCEPT, EV_ADD, NOTE_OOB, 0, 3);
	VEQ(kq_kevent(kq, ch, 3, NULL, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].udata, 2);
	VEQ(ev[0].data, SOCK_BUF_SIZE); /* space writable */
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_WRITE, EV_DISABLE, 0, 0, 2), 0);
	VEQ(vt_write_str(sv[0], "hello"), 5);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].udata, 1);
	VEQ(ev[0].data, 5); /* bytes readable */
	/* an urgent byte: EXCEPT with NOTE_OOB; the rest is in band */
	VEQ(send_str(sv[0], "xy!", SIMK_MSG_OOB), 3);
	VEQ(kq_poll(kq, ev, 4), 2);
	int ex = ev[0].filter == EVFILT_EXCEPT ? 0 : 1;
	VEQ(ev[ex].filter, EVFILT_EXCEPT);
	VEQ(ev[ex].fflags, NOTE_OOB);
	VEQ(ev[1 - ex].data, 7); /* "hello" + "xy", the urgent byte excluded */
	uaddr_t b = vt_ubuf(16);
	VEQ(simk_recv(sv[1], b, 16, SIMK_MSG_OOB), 1);
	char c;
	vt_uget(b, &c, 1);
	VEQ(c, '!');
	VEQ(simk_recv(sv[1], b, 16, SIMK_MSG_OOB), -EINVAL);
	VEQ(kq_poll(kq, ev, 4), 1); /* the urgent byte is gone: EXCEPT dropped */
	VEQ(ev[0].filter, EVFILT_READ);
	VEQ(simk_read(sv[1], b, 16), 7);
	VEQ(kq_poll(kq, ev, 4), 0);
	/* NOTE_LOWAT on a socket */
	VEQ(kq_change(kq, (uint64_t)sv[1], EVFILT_READ, EV_ADD, NOTE_LOWAT, 3, 1), 0);
	VEQ(vt_write_str(sv[0], "ab"), 2);
	VEQ(kq_poll(kq, ev, 4), 0);
	VEQ(vt_write_str(sv[0], "c"), 1);
	VEQ(kq_poll(kq, ev, 4), 1);
	VEQ(ev[0].data, 3);
	/* the peer shuts down writing: READ and EXCEPT report EV_EOF, again
	 * and again while it holds; WRITE on the peer's end too */
	VEQ(simk_shutdown(sv[0], SIMK_SHUT_WR), 0);
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_WRITE, EV_ENABLE, 0, 0, 2), 0);
	for (int i = 0; i < 2; i++) {
		VEQ(kq_poll(kq, ev, 4), 3);
		for (int j = 0; j < 3; j++) {
			VEQ(ev[j].flags & EV_EOF, EV_EOF);
			if (ev[j].filter == EVFILT_READ) {
				VEQ(ev[j].data, 3);
				VEQ(ev[j].flags & EV_NODATA, 0);
			}
		}
	}
	VEQ(simk_read(sv[1], b, 16), 3);
	VEQ(kq_poll(kq, ev, 4), 3);
	for (int j = 0; j < 3; j++)
		if (ev[j].filter == EVFILT_READ)
			VEQ(ev[j].flags & EV_NODATA, EV_NODATA);
	VEQ(simk_close(sv[0]), 0);
	VEQ(kq_poll(kq, ev, 4), 2);
	VEQ(simk_close(sv[1]), 0);
	VEQ(kqueue_knotes_live(), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_socket, read_write_except_oob_lowat_and_eof)
{
	kq_run1(2, SIMK_POLICY_FIFO, false, t_socket_kq, NULL);
}

/* WRITE on a socket whose peer shut down reading: EV_EOF for the writer;
 * a full buffer is not writable until the reader makes room. */
static void t_socket_write_filter(void *arg)
{
	(void)arg;
	int sv[2];
	mksock(sv);
	int kq = simk_kqueue();
	struct kevent ev[2];
	VEQ(kq_change(kq, (uint64_t)sv[0], EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, 0), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	static char fill[SOCK_BUF_SIZE];
	VEQ(simk_send(sv[0], vt_ubytes(fill, sizeof(fill)), sizeof(fill), SIMK_MSG_DONTWAIT),
	    SOCK_BUF_SIZE);
	VEQ(simk_send(sv[0], vt_ubytes(fill, 1), 1, SIMK_MSG_DONTWAIT), -EAGAIN);
	VEQ(kq_poll(kq, ev, 2), 0);
	VEQ(simk_read(sv[1], vt_ubuf(100), 100), 100);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].data, 100);
	VEQ(simk_shutdown(sv[1], SIMK_SHUT_RD), 0);
	VEQ(kq_poll(kq, ev, 2), 1);
	VEQ(ev[0].flags & EV_EOF, EV_EOF);
	VEQ(ev[0].data, 0);
	VEQ(simk_close(sv[0]), 0);
	VEQ(simk_close(sv[1]), 0);
	VEQ(simk_close(kq), 0);
}

Test(kq_socket, write_filter_space_and_peer_shutdown)
{
	kq_run1(3, SIMK_POLICY_FIFO, false, t_socket_write_filter, NULL);
}
