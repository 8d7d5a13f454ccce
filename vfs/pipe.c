/*
 * Pipes: a PIPE_CAPACITY-byte ring shared by a read-end file and a
 * write-end file.
 *
 * The invariant: a write of at most PIPE_BUF_SIZE bytes is copied in one
 * step with no switch point (it waits until that much space is free), so
 * it is never interleaved with another writer's bytes; a larger write is
 * copied in chunks with a preemption point between them. Readers take
 * what is there (they never wait for more once they got something).
 *
 * End of file: a read of an empty pipe returns 0 once no write end is
 * open. Broken pipe: a write with no read end open fails with -EPIPE (or
 * returns the bytes already written) and SIGPIPE is sent to the writing
 * thread (to the owning process when a kernel thread writes on its
 * behalf). Readiness: the read end reports POLLIN|POLLRDNORM with data,
 * POLLHUP without writers; the write end POLLOUT|POLLWRNORM with at least
 * PIPE_BUF_SIZE bytes free, POLLERR without readers. Every write notifies
 * the read end's listeners, every read the write end's (kqueue's data
 * counts change even when the mask does not).
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/signal.h"
#include "vfs/poll.h"
#include "vfs/vfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: wake-ups of one pipe read or write; past it the loop is a livelock bug. */
#define PIPE_IO_ROUNDS_MAX 10000000

static KMEM_TYPE(kt_pipe, "vfs.pipe");

struct pipe {
	uint8_t *buf;
	size_t cap;
	size_t head;	      /* next byte to read */
	size_t len;	      /* bytes buffered */
	int readers, writers; /* open ends (0 or 1 each: one file per end) */
	struct waitq rd_wq, wr_wq;
	struct poll_head rd_ph, wr_ph;
	uint64_t id;
};

static unsigned pipe_rmask(const struct pipe *pp)
{
	unsigned m = 0;
	if (pp->len > 0)
		m |= POLLIN | POLLRDNORM;
	if (pp->writers == 0)
		m |= POLLHUP;
	return m;
}

static unsigned pipe_wmask(const struct pipe *pp)
{
	if (pp->readers == 0)
		return POLLERR;
	return pp->cap - pp->len >= PIPE_BUF_SIZE ? POLLOUT | POLLWRNORM : 0;
}

struct pipe_cond {
	struct pipe *pp;
	size_t need;
};

static bool pipe_readable_cond(void *arg)
{
	struct pipe *pp = arg;
	return pp->len > 0 || pp->writers == 0;
}

static bool pipe_writable_cond(void *arg)
{
	struct pipe_cond *c = arg;
	return c->pp->readers == 0 || c->pp->cap - c->pp->len >= c->need;
}

/* Moves up to n bytes out of the ring; returns bytes moved or -EFAULT. */
static ssize_t ring_out(struct pipe *pp, struct uio *uio, size_t n)
{
	size_t moved = 0;
	while (moved < n) {
		size_t seg = pp->cap - pp->head;
		if (seg > n - moved)
			seg = n - moved;
		size_t before = uio->resid;
		int r = uiomove(pp->buf + pp->head, seg, uio);
		size_t got = before - uio->resid;
		pp->head = (pp->head + got) % pp->cap;
		pp->len -= got;
		moved += got;
		if (r != 0)
			return moved > 0 ? (ssize_t)moved : -EFAULT;
	}
	return (ssize_t)moved;
}

static ssize_t ring_in(struct pipe *pp, struct uio *uio, size_t n)
{
	size_t moved = 0;
	while (moved < n) {
		size_t tail = (pp->head + pp->len) % pp->cap;
		size_t seg = pp->cap - tail;
		if (seg > n - moved)
			seg = n - moved;
		size_t before = uio->resid;
		int r = uiomove(pp->buf + tail, seg, uio);
		size_t got = before - uio->resid;
		pp->len += got;
		moved += got;
		if (r != 0)
			return moved > 0 ? (ssize_t)moved : -EFAULT;
	}
	return (ssize_t)moved;
}

static ssize_t pipe_read(struct file *fp, struct uio *uio, int ioflags)
{
	struct pipe *pp = fp->priv;
	if (uio->resid == 0)
		return 0;
	for (int round = 0;; round++) {
		KASSERT(round < PIPE_IO_ROUNDS_MAX, "pipe read loop");
		if (pp->len > 0) {
			size_t n = pp->len < uio->resid ? pp->len : uio->resid;
			ssize_t r = ring_out(pp, uio, n);
			if (r > 0) {
				waitq_wake_all(&pp->wr_wq);
				pollwakeup(&pp->wr_ph, pipe_wmask(pp));
			}
			return r;
		}
		if (pp->writers == 0)
			return 0;
		if (ioflags & IOF_NONBLOCK)
			return -EAGAIN;
		int r = waitq_wait(&pp->rd_wq, false, true, SIMK_FOREVER, pipe_readable_cond, pp);
		if (r == -EINTR)
			return -EINTR;
	}
}

static void send_sigpipe(struct uio *uio)
{
	struct simk_thread *t = sim_thread_current();
	if (t != NULL && !sim_in_irq() && (uio->proc == NULL || t->proc == uio->proc))
		(void)sig_kill_thread(t, SIMK_SIGPIPE);
	else if (uio->proc != NULL)
		(void)sig_kill_proc(uio->proc, SIMK_SIGPIPE);
}

static ssize_t pipe_write(struct file *fp, struct uio *uio, int ioflags)
{
	struct pipe *pp = fp->priv;
	size_t done = 0;
	if (uio->resid == 0)
		return 0;
	bool atomic = uio->resid <= PIPE_BUF_SIZE;
	for (int round = 0;; round++) {
		KASSERT(round < PIPE_IO_ROUNDS_MAX, "pipe write loop");
		if (pp->readers == 0) {
			send_sigpipe(uio);
			return done > 0 ? (ssize_t)done : -EPIPE;
		}
		size_t space = pp->cap - pp->len;
		if (atomic ? space >= uio->resid : space > 0) {
			size_t n = space < uio->resid ? space : uio->resid;
			ssize_t r = ring_in(pp, uio, n);
			if (r > 0) {
				done += (size_t)r;
				waitq_wake_all(&pp->rd_wq);
				pollwakeup(&pp->rd_ph, pipe_rmask(pp));
			}
			if (r < 0 || (size_t)r < n) /* fault part-way */
				return done > 0 ? (ssize_t)done : -EFAULT;
			if (uio->resid == 0)
				return (ssize_t)done;
			preempt_point(); /* large writes interleave here */
			continue;
		}
		if (ioflags & IOF_NONBLOCK)
			return done > 0 ? (ssize_t)done : -EAGAIN;
		struct pipe_cond c = {pp, atomic ? uio->resid : 1};
		int r = waitq_wait(&pp->wr_wq, false, true, SIMK_FOREVER, pipe_writable_cond, &c);
		if (r == -EINTR)
			return done > 0 ? (ssize_t)done : -EINTR;
	}
}

static unsigned pipe_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	(void)interest;
	struct pipe *pp = fp->priv;
	bool rd = file_readable(fp);
	if (php != NULL)
		*php = rd ? &pp->rd_ph : &pp->wr_ph;
	return rd ? pipe_rmask(pp) : pipe_wmask(pp);
}

static int pipe_ioctl(struct file *fp, unsigned long cmd, void *arg)
{
	struct pipe *pp = fp->priv;
	switch (cmd) {
	case SIMK_FIONREAD:
		*(int *)arg = (int)pp->len;
		return 0;
	case SIMK_FIONSPACE:
		*(int *)arg = pp->readers == 0 ? 0 : (int)(pp->cap - pp->len);
		return 0;
	}
	return -ENOTTY;
}

static int pipe_stat(struct file *fp, struct simk_stat *st)
{
	struct pipe *pp = fp->priv;
	memset(st, 0, sizeof(*st));
	st->st_ino = pp->id;
	st->st_mode = SIMK_S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_size = (int64_t)pp->len;
	st->st_blksize = PIPE_BUF_SIZE;
	st->st_type = FT_PIPE;
	return 0;
}

static void pipe_free(struct pipe *pp)
{
	waitq_destroy(&pp->rd_wq);
	waitq_destroy(&pp->wr_wq);
	kmem_free(&kt_pipe, pp->buf);
	kmem_free(&kt_pipe, pp);
}

static void pipe_release(struct file *fp)
{
	struct pipe *pp = fp->priv;
	if (file_readable(fp)) {
		KASSERT(pp->readers > 0, "pipe %llu reader count", (unsigned long long)pp->id);
		pp->readers--;
		poll_head_destroy(&pp->rd_ph);
		waitq_wake_all(&pp->wr_wq); /* writers see EPIPE */
		if (pp->writers > 0)
			pollwakeup(&pp->wr_ph, pipe_wmask(pp));
	} else {
		KASSERT(pp->writers > 0, "pipe %llu writer count", (unsigned long long)pp->id);
		pp->writers--;
		poll_head_destroy(&pp->wr_ph);
		waitq_wake_all(&pp->rd_wq); /* readers see EOF */
		if (pp->readers > 0)
			pollwakeup(&pp->rd_ph, pipe_rmask(pp));
	}
	vfs_trace("vfs:pipe_close_end", (int64_t)pp->id, file_readable(fp), pp->readers,
		  pp->writers);
	if (pp->readers == 0 && pp->writers == 0)
		pipe_free(pp);
}

static const struct file_ops pipe_ops = {
    .name = "pipe",
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
};

/* Makes a pipe: two files with one reference each. 0 or -ENOMEM. */
int pipe_create(int flags, struct file **rfp, struct file **wfp)
{
	struct vfs_state *st = vfs_st();
	struct pipe *pp = kmem_zalloc(&kt_pipe, sizeof(*pp));
	if (pp == NULL)
		return -ENOMEM;
	pp->buf = kmem_zalloc(&kt_pipe, PIPE_CAPACITY);
	if (pp->buf == NULL) {
		kmem_free(&kt_pipe, pp);
		return -ENOMEM;
	}
	pp->cap = PIPE_CAPACITY;
	pp->id = ++st->next_pipe_id;
	waitq_init(&pp->rd_wq, "pipe_read");
	waitq_init(&pp->wr_wq, "pipe_write");
	poll_head_init(&pp->rd_ph, "pipe_rd");
	poll_head_init(&pp->wr_ph, "pipe_wr");
	int extra = flags & O_NONBLOCK;
	struct file *r = file_alloc(FT_PIPE, &pipe_ops, pp, O_RDONLY | extra);
	if (r == NULL) {
		pipe_free(pp);
		return -ENOMEM;
	}
	pp->readers = 1;
	struct file *w = file_alloc(FT_PIPE, &pipe_ops, pp, O_WRONLY | extra);
	if (w == NULL) {
		file_put(r); /* frees pp: no writer was ever counted */
		return -ENOMEM;
	}
	pp->writers = 1;
	*rfp = r;
	*wfp = w;
	vfs_trace("vfs:pipe", (int64_t)pp->id, (int64_t)r->id, (int64_t)w->id, 0);
	return 0;
}
