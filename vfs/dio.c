/*
 * Direct I/O (O_DIRECT): transfers between user memory and the device
 * through a bounce buffer, bypassing the cache, completing in interrupt
 * context. This is the asynchronous entry point AIO uses
 * (file_aio_submit); synchronous O_DIRECT reads and writes submit the same
 * request and wait for it.
 *
 * Rules: offset, length and every buffer address and length are multiples
 * of the device sector size (-EINVAL otherwise). Reads stop at the end of
 * file; holes read as zeros. Writes into holes or past the end allocate
 * blocks at submission but link them into the file, and extend its size,
 * only when the device has completed the write, so no reader and no
 * commit can ever see a block whose contents are not there yet; a failed
 * write gives its new blocks back. A new block is written whole (zeros
 * around the data). The cache stays coherent: cached copies of the blocks
 * a write touches are patched at submission and dropped if they were being
 * loaded meanwhile; reads take blocks that are cached from the cache.
 * Truncate waits for direct I/O in flight on its file.
 *
 * Invariant: every accepted request calls kr->done exactly once: from the
 * completion of its last device request, or from a zero-delay event when
 * there is nothing to transfer.
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: waits of a direct write for its blocks to be allocated; past it the loop is a livelock bug. */
#define DIO_HOLE_WAITS_MAX 1000000
/* Liveness guard: rounds of draining the direct I/O list; past it the loop is a livelock bug. */
#define DIO_DRAIN_ROUNDS_MAX 1000000

static KMEM_TYPE(kt_dio, "vfs.dio");

#define DIO_REWRITE_ROUNDS 2 /* rewrites of a torn direct write before -EIO */

struct dio {
	struct list_node link; /* fs->dios while accepted */
	uint64_t last_blk;     /* the device request that completed last (the trace's link) */
	struct simfs *fs;
	struct vnode *vn;
	struct kaio_req *kr;
	enum kaio_op op;
	int64_t off;
	size_t len;	/* bytes requested (writes: clipped to the size limit) */
	size_t xfer;	/* bytes the request reports on success */
	int64_t bstart; /* file offset of the first block of the range */
	uint32_t nblk;	/* blocks covered */
	uint8_t *bounce;
	uint32_t *newb; /* per covered block: block allocated for it, or 0 */
	struct fs_io *ios;
	int nios, pending;
	int err;
	struct sim_event ev;
	/* writes: each device request's range, kept for the read-back */
	struct dio_span *spans;
	uint8_t *check; /* what the device returned when read back */
	bool verifying; /* the requests in flight are read-backs */
	int rounds;	/* rewrites so far */
};

/* One device request of a direct write: where it went and whether its
 * read-back showed the bytes that were written. */
struct dio_span {
	uint64_t sector;
	uint32_t count;
	size_t boff; /* offset in the bounce (and check) buffer */
	int err;     /* the last request's result */
	bool bad;    /* to (re)write and verify */
};

static void dio_free(struct dio *d)
{
	list_del(&d->link);
	if (d->bounce != NULL)
		kmem_free(&kt_dio, d->bounce);
	if (d->newb != NULL)
		kmem_free(&kt_dio, d->newb);
	if (d->ios != NULL)
		kmem_free(&kt_dio, d->ios);
	if (d->spans != NULL)
		kmem_free(&kt_dio, d->spans);
	if (d->check != NULL)
		kmem_free(&kt_dio, d->check);
	kmem_free(&kt_dio, d);
}

/* Copies the read bytes to user memory. 0 or -EFAULT. */
static int dio_copyout(struct dio *d)
{
	struct kaio_req *kr = d->kr;
	size_t pos = (size_t)(d->off - d->bstart), left = d->xfer;
	for (int i = 0; i < kr->iovcnt && left > 0; i++) {
		size_t n = kr->iov[i].len < left ? kr->iov[i].len : left;
		if (copyout_proc(kr->proc, d->bounce + pos, kr->iov[i].base, n) != 0)
			return -EFAULT;
		pos += n;
		left -= n;
	}
	return 0;
}

static void dio_io_done(struct fs_io *io, int err);

static void dio_complete(struct dio *d)
{
	struct simfs *fs = d->fs;
	struct vnode *vn = d->vn;
	struct kaio_req *kr = d->kr;
	ssize_t res;
	bool extended = false;
	if (d->err == 0 && fs->dead)
		d->err = -EIO;
	if (d->err != 0) {
		res = d->err;
		for (uint32_t i = 0; i < d->nblk && d->newb != NULL; i++)
			if (d->newb[i] != 0 && !fs->dead)
				simfs_unreserve_block(fs, d->newb[i]);
	} else if (d->op == KAIO_READ) {
		res = dio_copyout(d) != 0 ? -EFAULT : (ssize_t)d->xfer;
	} else {
		uint32_t fb0 = (uint32_t)(d->bstart / fs->bsize);
		bool map_changed = false;
		for (uint32_t i = 0; i < d->nblk; i++) {
			uint32_t phys = d->newb[i] ? d->newb[i] : vn->map[fb0 + i];
			if (d->newb[i] != 0) {
				KASSERT(vn->map[fb0 + i] == 0, "direct write raced an allocation");
				vn->map[fb0 + i] = d->newb[i];
				map_changed |= fb0 + i >= SIMFS_NDIRECT;
			}
			binval(fs, phys); /* a copy loaded while we wrote may be old */
		}
		int64_t end = d->off + (int64_t)d->len;
		if (end > vn->size) {
			vn->size = end;
			extended = true;
		}
		vn->mtime_ns = vn->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(vn, map_changed, false);
		res = (ssize_t)d->len;
	}
	vfs_trace("vfs:dio_done", (int64_t)kr->id, d->op, res, (int64_t)d->last_blk);
	KASSERT(vn->dio_inflight > 0, "direct I/O count");
	KASSERT(fs->dio_inflight > 0, "direct I/O count");
	vn->dio_inflight--;
	fs->dio_inflight--;
	if (vn->dio_inflight == 0)
		waitq_wake_all(&vn->dio_wq);
	enum kaio_op op = d->op;
	dio_free(d);
	if (op == KAIO_WRITE && res > 0)
		fnotify_report(vn, FN_MODIFY | (extended ? FN_EXTEND : 0), NULL);
	vn_rele(vn);
	kr->done(kr, res); /* last: the submitter may free kr */
}

void dio_mark_reserved(const struct simfs *fs, uint8_t *used)
{
	for (const struct list_node *it = fs->dios.next; it != &fs->dios; it = it->next) {
		const struct dio *d = list_entry(it, struct dio, link);
		for (uint32_t i = 0; i < d->nblk && d->newb != NULL; i++) {
			uint32_t b = d->newb[i];
			if (b == 0)
				continue;
			KASSERT(b < fs->nblocks, "vfs_check: direct write reserved block %u of %u",
				b, fs->nblocks);
			KASSERT(!used[b],
				"vfs_check: block %u reserved by a direct write is used twice", b);
			used[b] = 1;
		}
	}
}

/* Submits the requests of the spans marked bad: writes from the bounce
 * buffer or read-backs into the check buffer (any context). */
static void dio_resubmit(struct dio *d, bool verify)
{
	struct simfs *fs = d->fs;
	d->verifying = verify;
	int n = 0;
	for (int i = 0; i < d->nios; i++)
		n += d->spans[i].bad;
	KASSERT(n > 0, "direct write: nothing to resubmit");
	d->pending = n;
	for (int i = 0; i < d->nios; i++) {
		struct dio_span *sp = &d->spans[i];
		if (!sp->bad)
			continue;
		struct fs_io *io = &d->ios[i];
		fs_io_prep(io, verify ? BLK_OP_READ : BLK_OP_WRITE, 0, sp->sector, sp->count,
			   (verify ? d->check : d->bounce) + sp->boff);
		io->done = dio_io_done;
		io->arg = d;
		fsio_submit(fs, io);
	}
}

/* Every request of the current pass ended (interrupt context). A write
 * is read back before it completes, like a commit's blocks: a silently
 * torn write (blk/write/torn) is rewritten, up to DIO_REWRITE_ROUNDS
 * times, then fails with -EIO — so a direct write that reported success
 * is on the device whole, and the next fsync makes it durable. */
static void dio_pass_done(struct dio *d)
{
	KASSERT(sim_in_irq(), "direct I/O pass ends outside interrupt context");
	if (d->op != KAIO_WRITE || d->err != 0 || d->fs->dead) {
		dio_complete(d);
		return;
	}
	KASSERT(d->spans != NULL, "direct write without its read-back");
	KASSERT(d->check != NULL, "direct write without its read-back");
	if (!d->verifying) {
		dio_resubmit(d, true); /* read back what was (re)written */
		return;
	}
	int bad = 0;
	for (int i = 0; i < d->nios; i++) {
		struct dio_span *sp = &d->spans[i];
		if (!sp->bad)
			continue;
		size_t n = (size_t)sp->count * d->fs->ssize;
		sp->bad = sp->err != 0 || memcmp(d->check + sp->boff, d->bounce + sp->boff, n) != 0;
		bad += sp->bad;
	}
	if (bad == 0) {
		dio_complete(d);
		return;
	}
	if (d->rounds == DIO_REWRITE_ROUNDS) {
		d->err = -EIO;
		dio_complete(d);
		return;
	}
	d->rounds++;
	vfs_trace("vfs:dio_rewrite", (int64_t)d->kr->id, bad, d->rounds, 0);
	dio_resubmit(d, false);
}

static void dio_io_done(struct fs_io *io, int err)
{
	struct dio *d = io->arg;
	d->last_blk = io->req.id;
	if (d->spans != NULL)
		d->spans[io - d->ios].err = err;
	if (err != 0 && d->err == 0 && !d->verifying)
		d->err = err; /* a read-back's error only makes its span bad */
	KASSERT(d->pending > 0, "direct I/O completion underflow");
	if (--d->pending == 0)
		dio_pass_done(d);
}

static void dio_ev(struct sim_event *ev)
{
	dio_complete(ev->arg);
}

/* Adds the sectors [foff, foff+n) of block phys (file offset foff) to the
 * plan, merging with the previous request when contiguous on the device. */
static void plan_io(struct dio *d, enum blk_op op, uint32_t phys, int64_t foff, size_t n)
{
	struct simfs *fs = d->fs;
	uint64_t sector = (uint64_t)phys * fs->spb + (uint64_t)(foff % fs->bsize) / fs->ssize;
	uint32_t count = (uint32_t)(n / fs->ssize);
	uint8_t *buf = d->bounce + (foff - d->bstart);
	if (d->nios > 0) {
		struct fs_io *prev = &d->ios[d->nios - 1];
		if (prev->req.op == op && prev->req.sector + prev->req.count == sector &&
		    (uint8_t *)prev->req.buf + (size_t)prev->req.count * fs->ssize == buf) {
			prev->req.count += count;
			return;
		}
	}
	struct fs_io *io = &d->ios[d->nios++];
	fs_io_prep(io, op, 0, sector, count, buf);
	io->done = dio_io_done;
	io->arg = d;
}

static int check_alignment(struct simfs *fs, const struct kaio_req *kr, size_t *total)
{
	size_t sum = 0;
	if (kr->offset < 0 || kr->offset % fs->ssize != 0 || kr->iovcnt < 0 ||
	    kr->iovcnt > UIO_IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < kr->iovcnt; i++) {
		if (kr->iov[i].base % fs->ssize != 0 || kr->iov[i].len % fs->ssize != 0)
			return -EINVAL;
		if (__builtin_add_overflow(sum, kr->iov[i].len, &sum) || sum > INT64_MAX / 2)
			return -EINVAL;
	}
	*total = sum;
	return 0;
}

/* Plans and submits; vn->lock held. */
static int dio_start(struct file *fp, struct kaio_req *kr, struct dio *d)
{
	struct vnode *vn = fp->vnode;
	mutex_assert_held(&vn->lock);
	struct simfs *fs = vn->fs;
	if (fs->dead)
		return -EIO;
	int64_t end;
	if (d->op == KAIO_WRITE) {
		int64_t rlimit = vfs_fsize_limit(kr->proc);
		if (d->len > 0 && d->off >= rlimit) {
			vfs_fsize_exceeded(kr->proc);
			return -EFBIG;
		}
		if (d->len > 0 && d->off >= fs->max_file_size)
			return -EFBIG;
		if (d->off + (int64_t)d->len > rlimit) {
			/* cut at RLIMIT_FSIZE: a cut that leaves a partial sector
			 * is EINVAL, as Linux's direct I/O finds the shortened
			 * vector misaligned */
			if ((rlimit - d->off) % fs->ssize != 0)
				return -EINVAL;
			d->len = (size_t)(rlimit - d->off);
		}
		if (d->off + (int64_t)d->len > fs->max_file_size)
			d->len = (size_t)(fs->max_file_size - d->off);
		d->xfer = d->len;
		end = d->off + (int64_t)d->len;
	} else {
		d->xfer = d->off >= vn->size
			      ? 0
			      : (size_t)(vn->size - d->off < (int64_t)d->len ? vn->size - d->off
									     : (int64_t)d->len);
		end = d->off + (int64_t)((d->xfer + fs->ssize - 1) / fs->ssize * fs->ssize);
	}
	if (d->xfer == 0)
		return 0; /* nothing to move: completes from an event */
	d->bstart = d->off / fs->bsize * fs->bsize;
	int64_t bend = (end + fs->bsize - 1) / fs->bsize * fs->bsize;
	d->nblk = (uint32_t)((bend - d->bstart) / fs->bsize);
	d->bounce = kmem_zalloc(&kt_dio, (size_t)d->nblk * fs->bsize);
	d->newb = kmem_zalloc(&kt_dio, d->nblk * sizeof(*d->newb));
	d->ios = kmem_zalloc(&kt_dio, d->nblk * sizeof(*d->ios));
	if (d->bounce == NULL || d->newb == NULL || d->ios == NULL)
		return -ENOMEM;
	if (d->op == KAIO_WRITE) {
		d->check = kmem_zalloc(&kt_dio, (size_t)d->nblk * fs->bsize);
		d->spans = kmem_zalloc(&kt_dio, d->nblk * sizeof(*d->spans));
		if (d->check == NULL || d->spans == NULL)
			return -ENOMEM;
	}
	uint32_t fb0 = (uint32_t)(d->bstart / fs->bsize);
	int r = vn_map_grow(vn, fb0 + d->nblk);
	if (r != 0)
		return r;
	if (d->op == KAIO_WRITE) {
		size_t pos = (size_t)(d->off - d->bstart), left = d->len;
		for (int i = 0; i < kr->iovcnt && left > 0; i++) {
			size_t n = kr->iov[i].len < left ? kr->iov[i].len : left;
			if (copyin_proc(kr->proc, kr->iov[i].base, d->bounce + pos, n) != 0)
				return -EFAULT;
			pos += n;
			left -= n;
		}
		for (uint32_t i = 0; i < d->nblk; i++) {
			if (vn->map[fb0 + i] != 0)
				continue;
			d->newb[i] = simfs_alloc_data(fs);
			if (d->newb[i] == 0)
				return -ENOSPC;
		}
	}
	for (uint32_t i = 0; i < d->nblk; i++) {
		int64_t bs = d->bstart + (int64_t)i * fs->bsize;
		int64_t ps = d->off > bs ? d->off : bs;
		int64_t pe = end < bs + fs->bsize ? end : bs + fs->bsize;
		size_t n = (size_t)(pe - ps);
		uint32_t inb = (uint32_t)(ps - bs);
		uint32_t phys = vn->map[fb0 + i];
		struct buf *b = phys != 0 ? bpeek(fs, phys) : NULL;
		bool cached = b != NULL && b->valid && !b->busy && !b->stale;
		if (d->op == KAIO_READ) {
			if (phys == 0)
				continue; /* a hole: the bounce buffer is zeroed */
			if (cached)
				memcpy(d->bounce + (ps - d->bstart), b->data + inb, n);
			else
				plan_io(d, BLK_OP_READ, phys, ps, n);
		} else if (d->newb[i] != 0) {
			plan_io(d, BLK_OP_WRITE, d->newb[i], bs, fs->bsize);
		} else {
			if (cached)
				memcpy(b->data + inb, d->bounce + (ps - d->bstart), n);
			else if (b != NULL)
				binval(fs, phys);
			plan_io(d, BLK_OP_WRITE, phys, ps, n);
		}
	}
	return 0;
}

static bool dio_idle(void *arg)
{
	return ((struct vnode *)arg)->dio_inflight == 0;
}

void dio_wait_idle_relock(struct vnode *vn)
{
	mutex_assert_held(&vn->lock);
	sim_assert_may_sleep(__func__);
	mutex_unlock(&vn->lock);
	waitq_wait(&vn->dio_wq, false, false, SIMK_FOREVER, dio_idle, vn);
	mutex_lock(&vn->lock);
}

/* True when a direct write in flight on vn allocated a block that
 * [off, off + len) covers. vn->lock held. */
bool dio_hole_busy(struct simfs *fs, struct vnode *vn, int64_t off, size_t len)
{
	mutex_assert_held(&vn->lock);
	if (vn->dio_inflight == 0 || len == 0)
		return false;
	int64_t first = off / fs->bsize, last = (off + (int64_t)len - 1) / fs->bsize;
	for (struct list_node *n = fs->dios.next; n != &fs->dios; n = n->next) {
		struct dio *o = list_entry(n, struct dio, link);
		if (o->vn != vn || o->op != KAIO_WRITE || o->newb == NULL)
			continue;
		for (uint32_t i = 0; i < o->nblk; i++) {
			int64_t fb = o->bstart / fs->bsize + i;
			if (o->newb[i] != 0 && fb >= first && fb <= last)
				return true;
		}
	}
	return false;
}

int dio_submit(struct file *fp, struct kaio_req *kr)
{
	struct vnode *vn = fp->vnode;
	struct simfs *fs = vn->fs;
	size_t total;
	int r = check_alignment(fs, kr, &total);
	if (r != 0)
		return r;
	struct dio *d = kmem_zalloc(&kt_dio, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	list_init(&d->link);
	event_init(&d->ev, "vfs:dio_irq", dio_ev, d);
	d->fs = fs;
	d->vn = vn;
	d->kr = kr;
	d->op = kr->op;
	d->off = kr->offset;
	d->len = total;
	mutex_lock(&vn->lock);
	/* Two writes into the same hole would each allocate (and write whole)
	 * a block for it: wait until the direct I/O in flight is done, as
	 * Linux (ext4) does for unaligned AIO writes. */
	for (int guard = 0; d->op == KAIO_WRITE && dio_hole_busy(fs, vn, d->off, d->len); guard++) {
		KASSERT(guard < DIO_HOLE_WAITS_MAX, "direct write waits for a hole forever");
		dio_wait_idle_relock(vn);
	}
	r = dio_start(fp, kr, d);
	if (r != 0) {
		for (uint32_t i = 0; i < d->nblk && d->newb != NULL; i++)
			if (d->newb[i] != 0)
				simfs_unreserve_block(fs, d->newb[i]);
		mutex_unlock(&vn->lock);
		dio_free(d);
		return r;
	}
	struct vfs_state *st = vfs_st();
	kr->id = ++st->next_kaio_id;
	kr->fs_priv = d;
	list_push_back(&fs->dios, &d->link);
	vn_hold(vn);
	vn->dio_inflight++;
	fs->dio_inflight++;
	if (d->op == KAIO_READ)
		fs->stats.dio_reads++;
	else
		fs->stats.dio_writes++;
	d->pending = d->nios;
	for (int i = 0; d->spans != NULL && i < d->nios; i++) {
		const struct blk_req *q = &d->ios[i].req;
		d->spans[i] = (struct dio_span){.sector = q->sector,
						.count = q->count,
						.boff = (size_t)((uint8_t *)q->buf - d->bounce),
						.bad = true};
	}
	vfs_trace("vfs:dio", (int64_t)kr->id, d->op, d->off, (int64_t)d->len);
	mutex_unlock(&vn->lock);
	if (d->nios == 0) {
		event_schedule_in(&d->ev, 0);
		return 0;
	}
	int n = d->nios;
	struct fs_io *ios = d->ios;
	for (int i = 0; i < n; i++)
		fsio_submit(fs, &ios[i]); /* completions come later, from interrupts */
	return 0;
}

/* End of run: requests still on the (abandoned) device never complete. */
void dio_end_all(struct simfs *fs)
{
	for (int guard = 0; !list_empty(&fs->dios); guard++) {
		KASSERT(guard < DIO_DRAIN_ROUNDS_MAX, "direct I/O list does not drain");
		struct dio *d = list_entry(fs->dios.next, struct dio, link);
		event_cancel(&d->ev);
		dio_free(d);
	}
}

/* ---- synchronous O_DIRECT read/write ---- */

struct dio_wait {
	struct waitq wq;
	bool done;
	ssize_t res;
};

static void dio_sync_done(struct kaio_req *r, ssize_t res)
{
	struct dio_wait *w = r->priv;
	w->res = res;
	w->done = true;
	waitq_wake_all(&w->wq);
}

static bool dio_sync_cond(void *arg)
{
	return ((struct dio_wait *)arg)->done;
}

ssize_t dio_sync(struct file *fp, struct uio *uio, enum kaio_op op)
{
	if (uio->seg != UIO_USERSPACE)
		return -EINVAL;
	struct dio_wait w = {.done = false, .res = 0};
	waitq_init(&w.wq, "dio");
	struct kaio_req kr = {
	    .op = op,
	    .proc = uio->proc,
	    .iov = uio->iov,
	    .iovcnt = uio->iovcnt,
	    .offset = (op == KAIO_WRITE && (fp->flags & O_APPEND)) ? fp->vnode->size : uio->offset,
	    .done = dio_sync_done,
	    .priv = &w,
	};
	int r = dio_submit(fp, &kr);
	if (r != 0) {
		waitq_destroy(&w.wq);
		return r;
	}
	r = waitq_wait(&w.wq, false, false, SIMK_FOREVER, dio_sync_cond, &w);
	KASSERT(r == 0, "uninterruptible direct I/O wait returned %d", r);
	waitq_destroy(&w.wq);
	if (w.res > 0) {
		uio->offset = kr.offset + w.res;
		uio->resid -= (size_t)w.res;
	}
	return w.res;
}
