/*
 * AF_UNIX stream socket pairs (vfs/socket.h has the contract).
 *
 * A pair is two ends; each end owns the receive buffer its peer writes
 * into, its poll heads, a wait queue for its readers and one for the
 * peer's writers waiting for room in it. The invariant that keeps
 * readiness honest: every state change ends with a notification that
 * tells the listeners concerned their end's whole current mask, computed
 * from the state alone (sock_mask); nothing is cached.
 *
 * Who is told what: an end has three heads, one for listeners interested
 * only in input (data, end of stream, an urgent byte), one for those
 * interested only in output (room in the peer's buffer), one for the rest.
 * Bytes written into an end's buffer concern its input only
 * (notify_input); bytes read out of it concern the peer's output only
 * (notify_room); a shutdown, a close or an urgent byte concerns everybody
 * (notify_both). So an edge-triggered reader (kqueue's EV_CLEAR) is not
 * told again when it reads part of its data, or when the other direction
 * moves: only new data or a state change wakes it, as the BSDs' separate
 * receive and send buffers do.
 *
 * Bytes move between switch points, so a reader never sees half a chunk;
 * a large write is copied in chunks with a preemption point between them.
 */
#include "vfs/socket.h"

#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/signal.h"
#include "vfs/file.h"
#include "vfs/poll.h"
#include "vfs/vfs.h"

/* Liveness guard: wake-ups of one socket read or write; past it the loop is a livelock bug. */
#define SOCK_IO_ROUNDS_MAX 1000000

static KMEM_TYPE(kt_sockpair, "vfs.socketpair");

struct sock_pair;

struct sock_end {
	struct sock_pair *pair;
	int side;
	uint8_t buf[SOCK_BUF_SIZE]; /* what the peer wrote, not yet read */
	size_t head, len;
	bool shut_rd, shut_wr, closed;
	bool has_oob;
	uint8_t oob;
	struct poll_head ph_in;	 /* listeners of input only */
	struct poll_head ph_out; /* listeners of output only */
	struct poll_head ph;	 /* the others (both, or neither) */
	struct waitq rwq;	 /* our readers, waiting for data */
	struct waitq wwq;	 /* the peer's writers, waiting for room in buf */
};

struct sock_pair {
	struct sock_end end[2];
	int open_ends;
};

static struct sock_end *peer_of(struct sock_end *e)
{
	return &e->pair->end[1 - e->side];
}

/* No more data will arrive (after what is buffered). */
static bool eof_in(struct sock_end *e)
{
	struct sock_end *p = peer_of(e);
	return e->shut_rd || p->closed || p->shut_wr;
}

/* Writes from e fail with EPIPE. */
static bool write_dead(struct sock_end *e)
{
	struct sock_end *p = peer_of(e);
	return e->shut_wr || p->closed || p->shut_rd;
}

static size_t room_in(const struct sock_end *e)
{
	return SOCK_BUF_SIZE - e->len;
}

static unsigned sock_mask(struct sock_end *e)
{
	unsigned m = 0;
	if (e->len > 0 || eof_in(e))
		m |= POLLIN | POLLRDNORM;
	if (eof_in(e))
		m |= POLLRDHUP;
	if (e->has_oob)
		m |= POLLPRI | POLLRDBAND;
	if (write_dead(e))
		m |= POLLERR;
	else if (room_in(peer_of(e)) > 0)
		m |= POLLOUT | POLLWRNORM;
	if (eof_in(e) && write_dead(e))
		m |= POLLHUP;
	return m;
}

#define SOCK_INPUT (POLLIN | POLLRDNORM | POLLRDHUP | POLLPRI | POLLRDBAND)
#define SOCK_OUTPUT (POLLOUT | POLLWRNORM | POLLWRBAND)

/* The head a listener with this interest goes on (POLL_ALWAYS bits are
 * heard on every head). */
static struct poll_head *head_for(struct sock_end *e, unsigned interest)
{
	unsigned want = interest & ~(POLL_ALWAYS | POLL_ANYCHANGE);
	if (want != 0 && (want & ~SOCK_INPUT) == 0)
		return &e->ph_in;
	if (want != 0 && (want & ~SOCK_OUTPUT) == 0)
		return &e->ph_out;
	return &e->ph;
}

static void wake_heads(struct sock_end *e, bool input, bool output)
{
	if (e->closed)
		return;
	unsigned m = sock_mask(e);
	if (input)
		pollwakeup(&e->ph_in, m);
	if (output)
		pollwakeup(&e->ph_out, m);
	pollwakeup(&e->ph, m);
}

/* Bytes arrived in e's buffer: its readers. */
static void notify_input(struct sock_end *e)
{
	waitq_wake_all(&e->rwq);
	wake_heads(e, true, false);
}

/* Bytes left e's buffer: the peer's writers, who wait for room in it. */
static void notify_room(struct sock_end *e)
{
	waitq_wake_all(&e->wwq);
	wake_heads(peer_of(e), false, true);
}

/* A state change (shutdown, close, an urgent byte): everybody. */
static void notify_both(struct sock_pair *sp)
{
	for (int i = 0; i < 2; i++) {
		struct sock_end *e = &sp->end[i];
		waitq_wake_all(&e->rwq);
		waitq_wake_all(&e->wwq);
		wake_heads(e, true, true);
	}
}

static bool nonblocking(const struct file *fp, int ioflags)
{
	return (ioflags & IOF_NONBLOCK) || (fp->flags & O_NONBLOCK);
}

/* ---- reading ------------------------------------------------------------ */

static bool can_read(void *arg)
{
	struct sock_end *e = arg;
	return e->len > 0 || eof_in(e);
}

/* Copies up to the uio's resid from e's buffer; consumes unless peek.
 * Returns bytes moved or -EFAULT (nothing moved). */
static ssize_t ring_to_uio(struct sock_end *e, struct uio *uio, bool peek)
{
	size_t want = uio->resid < e->len ? uio->resid : e->len;
	size_t moved = 0;
	size_t pos = e->head;
	while (moved < want) {
		size_t chunk = SOCK_BUF_SIZE - pos;
		if (chunk > want - moved)
			chunk = want - moved;
		size_t before = uio->resid;
		int r = uiomove(e->buf + pos, chunk, uio);
		size_t done = before - uio->resid;
		moved += done;
		pos = (pos + done) % SOCK_BUF_SIZE;
		if (r != 0) {
			if (moved == 0)
				return -EFAULT;
			break;
		}
	}
	if (!peek) {
		e->head = pos;
		e->len -= moved;
	}
	return (ssize_t)moved;
}

static ssize_t sock_recv_uio(struct file *fp, struct uio *uio, int ioflags, bool peek)
{
	struct sock_end *e = fp->priv;
	if (uio->resid == 0)
		return 0;
	for (int loops = 0;; loops++) {
		KASSERT(loops < SOCK_IO_ROUNDS_MAX, "socket read does not settle");
		if (e->len > 0) {
			ssize_t n = ring_to_uio(e, uio, peek);
			if (n > 0 && !peek)
				notify_room(e);
			return n;
		}
		if (eof_in(e))
			return 0;
		if (nonblocking(fp, ioflags))
			return -EAGAIN;
		int r = waitq_wait(&e->rwq, false, true, SIMK_FOREVER, can_read, e);
		if (r != 0)
			return r;
	}
}

static ssize_t sock_read(struct file *fp, struct uio *uio, int ioflags)
{
	return sock_recv_uio(fp, uio, ioflags, false);
}

/* ---- writing ------------------------------------------------------------ */

static bool can_write(void *arg)
{
	struct sock_end *e = arg;
	return write_dead(e) || room_in(peer_of(e)) > 0;
}

static void send_sigpipe(void)
{
	struct simk_thread *t = sim_thread_current();
	if (t != NULL && !sim_in_irq())
		(void)sig_kill_thread(t, SIMK_SIGPIPE);
}

/* Copies up to n bytes from the uio into the peer's buffer. Returns bytes
 * moved or -EFAULT (nothing moved). */
static ssize_t uio_to_ring(struct sock_end *to, struct uio *uio, size_t n)
{
	size_t moved = 0;
	while (moved < n) {
		size_t tail = (to->head + to->len) % SOCK_BUF_SIZE;
		size_t chunk = SOCK_BUF_SIZE - tail;
		if (chunk > n - moved)
			chunk = n - moved;
		size_t before = uio->resid;
		int r = uiomove(to->buf + tail, chunk, uio);
		size_t done = before - uio->resid;
		moved += done;
		to->len += done;
		if (r != 0)
			return moved > 0 ? (ssize_t)moved : -EFAULT;
	}
	return (ssize_t)moved;
}

static ssize_t sock_send_uio(struct file *fp, struct uio *uio, int ioflags, bool nosignal)
{
	struct sock_end *e = fp->priv;
	struct sock_end *to = peer_of(e);
	ssize_t total = 0;
	for (int loops = 0; uio->resid > 0; loops++) {
		KASSERT(loops < SOCK_IO_ROUNDS_MAX, "socket write does not settle");
		if (write_dead(e)) {
			if (total > 0)
				return total;
			if (!nosignal)
				send_sigpipe();
			return -EPIPE;
		}
		size_t room = room_in(to);
		if (room > 0) {
			size_t n = uio->resid < room ? uio->resid : room;
			ssize_t r = uio_to_ring(to, uio, n);
			if (r > 0) {
				total += r;
				notify_input(to);
			}
			if (r < 0 || (size_t)r < n)
				return total > 0 ? total : -EFAULT;
			if (uio->resid > 0)
				preempt_point(); /* large writes interleave here */
			continue;
		}
		if (nonblocking(fp, ioflags))
			return total > 0 ? total : -EAGAIN;
		int r = waitq_wait(&to->wwq, false, true, SIMK_FOREVER, can_write, e);
		if (r != 0)
			return total > 0 ? total : r;
	}
	return total;
}

static ssize_t sock_write(struct file *fp, struct uio *uio, int ioflags)
{
	return sock_send_uio(fp, uio, ioflags, false);
}

/* ---- the rest of the file type ------------------------------------------- */

static unsigned sock_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	struct sock_end *e = fp->priv;
	if (php != NULL)
		*php = head_for(e, interest);
	return sock_mask(e) & (interest | POLL_ALWAYS);
}

static int sock_ioctl(struct file *fp, unsigned long cmd, void *arg)
{
	struct sock_end *e = fp->priv;
	int *val = arg;
	switch (cmd) {
	case SIMK_FIONREAD:
		*val = (int)e->len;
		return 0;
	case SIMK_FIONSPACE:
		*val = write_dead(e) ? 0 : (int)room_in(peer_of(e));
		return 0;
	default:
		return -ENOTTY;
	}
}

static int sock_stat(struct file *fp, struct simk_stat *st)
{
	struct sock_end *e = fp->priv;
	st->st_mode = SIMK_S_IFSOCK | 0600;
	st->st_size = (int64_t)e->len;
	st->st_blksize = SOCK_BUF_SIZE;
	st->st_type = FT_SOCKET;
	return 0;
}

static void sock_end_close(struct sock_end *e)
{
	struct sock_pair *sp = e->pair;
	KASSERT(!e->closed, "socket end closed twice");
	e->closed = true;
	e->len = 0;
	e->has_oob = false;
	KASSERT(!waitq_active(&e->rwq), "socket end closed with readers asleep");
	poll_head_destroy(&e->ph_in);
	poll_head_destroy(&e->ph_out);
	poll_head_destroy(&e->ph);
	notify_both(sp); /* the peer sees end of stream and broken writes */
	KASSERT(sp->open_ends > 0, "socket pair end count underflow");
	if (--sp->open_ends == 0) {
		for (int i = 0; i < 2; i++) {
			waitq_destroy(&sp->end[i].rwq);
			waitq_destroy(&sp->end[i].wwq);
		}
		kmem_free(&kt_sockpair, sp);
	}
}

static void sock_release(struct file *fp)
{
	struct sock_end *e = fp->priv;
	fp->priv = NULL;
	sock_end_close(e);
}

static const struct file_ops sock_fops = {
    .name = "socket",
    .read = sock_read,
    .write = sock_write,
    .poll = sock_poll,
    .ioctl = sock_ioctl,
    .stat = sock_stat,
    .release = sock_release,
};

int sock_pairs_live(void)
{
	return (int)kmem_live(&kt_sockpair);
}

/* ---- system calls ---------------------------------------------------------- */

static struct sock_pair *pair_alloc(void)
{
	struct sock_pair *sp = kmem_zalloc(&kt_sockpair, sizeof(*sp));
	if (sp == NULL)
		return NULL;
	for (int i = 0; i < 2; i++) {
		struct sock_end *e = &sp->end[i];
		e->pair = sp;
		e->side = i;
		poll_head_init(&e->ph_in, "socket_in");
		poll_head_init(&e->ph_out, "socket_out");
		poll_head_init(&e->ph, "socket");
		waitq_init(&e->rwq, "sockread");
		waitq_init(&e->wwq, "sockwrite");
	}
	sp->open_ends = 2;
	return sp;
}

int sys_socketpair(int domain, int type, int protocol, uaddr_t sv)
{
	if (domain != SIMK_AF_UNIX)
		return -EAFNOSUPPORT;
	if (type != SIMK_SOCK_STREAM)
		return -EOPNOTSUPP;
	if (protocol != 0)
		return -EPROTONOSUPPORT;
	struct simk_proc *p = sim_proc_current();
	struct sock_pair *sp = pair_alloc();
	if (sp == NULL)
		return -ENOMEM;
	struct file *fp[2] = {NULL, NULL};
	int fd[2] = {-1, -1};
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++) {
		fp[i] = file_alloc(FT_SOCKET, &sock_fops, &sp->end[i], O_RDWR);
		if (fp[i] == NULL)
			r = -ENOMEM;
	}
	for (int i = 0; i < 2 && r == 0; i++) {
		fd[i] = fd_alloc(p, 0);
		if (fd[i] < 0)
			r = fd[i];
	}
	if (r == 0 && copyout(fd, sv, sizeof(fd)) != 0)
		r = -EFAULT;
	if (r != 0) {
		for (int i = 0; i < 2; i++) {
			if (fd[i] >= 0)
				fd_unreserve(p, fd[i]);
			if (fp[i] != NULL)
				file_put(fp[i]); /* releases its end */
			else
				sock_end_close(&sp->end[i]);
		}
		return r;
	}
	for (int i = 0; i < 2; i++)
		fd_install(p, fd[i], fp[i], 0);
	trace_emit(TR_INFO, "vfs:socketpair", p->pid, fd[0], fd[1], 0);
	return 0;
}

/* The socket end behind fd (a reference in *fpp), or -EBADF / -ENOTSOCK. */
static int sock_get(int fd, struct file **fpp)
{
	struct file *fp;
	if (fd_get(sim_proc_current(), fd, &fp) != 0)
		return -EBADF;
	if (fp->ops != &sock_fops) {
		file_put(fp);
		return -ENOTSOCK;
	}
	*fpp = fp;
	return 0;
}

int sys_shutdown(int fd, int how)
{
	struct file *fp;
	int r = sock_get(fd, &fp);
	if (r != 0)
		return r;
	struct sock_end *e = fp->priv;
	if (how == SIMK_SHUT_RD || how == SIMK_SHUT_RDWR)
		e->shut_rd = true;
	if (how == SIMK_SHUT_WR || how == SIMK_SHUT_RDWR)
		e->shut_wr = true;
	if (how != SIMK_SHUT_RD && how != SIMK_SHUT_WR && how != SIMK_SHUT_RDWR)
		r = -EINVAL;
	else
		notify_both(e->pair);
	file_put(fp);
	return r;
}

static ssize_t send_oob(struct file *fp, uaddr_t buf, size_t len, int flags)
{
	struct sock_end *e = fp->priv;
	uint8_t urgent;
	if (copyin(buf + len - 1, &urgent, 1) != 0)
		return -EFAULT;
	ssize_t n = 0;
	if (len > 1) {
		struct uio uio;
		struct uio_vec vec;
		uio_init_user(&uio, &vec, sim_proc_current(), UIO_WRITE, buf, len - 1, 0);
		n = sock_send_uio(fp, &uio, (flags & SIMK_MSG_DONTWAIT) ? IOF_NONBLOCK : 0,
				  (flags & SIMK_MSG_NOSIGNAL) != 0);
		if (n < (ssize_t)(len - 1))
			return n;
	}
	if (write_dead(e)) {
		if (n > 0)
			return n;
		if (!(flags & SIMK_MSG_NOSIGNAL))
			send_sigpipe();
		return -EPIPE;
	}
	struct sock_end *to = peer_of(e);
	to->has_oob = true;
	to->oob = urgent;
	notify_both(e->pair);
	return n + 1;
}

ssize_t sys_send(int fd, uaddr_t buf, size_t len, int flags)
{
	struct file *fp;
	int r = sock_get(fd, &fp);
	if (r != 0)
		return r;
	ssize_t n;
	if (flags & ~(SIMK_MSG_OOB | SIMK_MSG_DONTWAIT | SIMK_MSG_NOSIGNAL)) {
		n = -EINVAL;
	} else if ((flags & SIMK_MSG_OOB) && len > 0) {
		n = send_oob(fp, buf, len, flags);
	} else {
		struct uio uio;
		struct uio_vec vec;
		uio_init_user(&uio, &vec, sim_proc_current(), UIO_WRITE, buf, len, 0);
		n = sock_send_uio(fp, &uio, (flags & SIMK_MSG_DONTWAIT) ? IOF_NONBLOCK : 0,
				  (flags & SIMK_MSG_NOSIGNAL) != 0);
	}
	file_put(fp);
	return n;
}

static ssize_t recv_oob(struct file *fp, uaddr_t buf, size_t len, bool peek)
{
	struct sock_end *e = fp->priv;
	if (!e->has_oob || e->shut_rd)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (copyout(&e->oob, buf, 1) != 0)
		return -EFAULT;
	if (!peek) {
		/* taking the urgent byte makes nothing ready: nobody to tell */
		e->has_oob = false;
	}
	return 1;
}

ssize_t sys_recv(int fd, uaddr_t buf, size_t len, int flags)
{
	struct file *fp;
	int r = sock_get(fd, &fp);
	if (r != 0)
		return r;
	ssize_t n;
	bool peek = (flags & SIMK_MSG_PEEK) != 0;
	if (flags & ~(SIMK_MSG_OOB | SIMK_MSG_PEEK | SIMK_MSG_DONTWAIT)) {
		n = -EINVAL;
	} else if (flags & SIMK_MSG_OOB) {
		n = recv_oob(fp, buf, len, peek);
	} else {
		struct uio uio;
		struct uio_vec vec;
		uio_init_user(&uio, &vec, sim_proc_current(), UIO_READ, buf, len, 0);
		n = sock_recv_uio(fp, &uio, (flags & SIMK_MSG_DONTWAIT) ? IOF_NONBLOCK : 0, peek);
	}
	file_put(fp);
	return n;
}
