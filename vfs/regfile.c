/*
 * Regular files and directories of simfs: buffered read and write through
 * the cache, truncate, fsync, and the O_DIRECT and AIO entry points (which
 * go to dio.c).
 *
 * A buffered write allocates its blocks at once (so -ENOSPC is reported
 * by the write that runs out of room) and dirties cache buffers; nothing
 * reaches the device until a commit (fsync, fdatasync, O_SYNC / O_DSYNC
 * writes, the flusher, cache pressure). Holding vnode->lock for the whole
 * call makes each read and write atomic with respect to the others on the
 * same file. A write for a process stops at its RLIMIT_FSIZE
 * (vfs_fsize_limit) as at the filesystem's largest file.
 */
#include <errno.h>
#include <string.h>

#include "kern/rlimit.h"
#include "kern/signal.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

int64_t vfs_fsize_limit(const struct simk_proc *p)
{
	uint64_t l = proc_fsize_limit(p);
	return l > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)l;
}

void vfs_fsize_exceeded(struct simk_proc *p)
{
	struct simk_thread *t = sim_in_irq() ? NULL : sim_thread_current();
	vfs_trace("vfs:fsize_exceeded", p->pid, t != NULL ? t->tid : 0, 0, 0);
	if (t != NULL && t->proc == p)
		(void)sig_kill_thread(t, SIMK_SIGXFSZ);
	else
		(void)sig_kill_proc(p, SIMK_SIGXFSZ);
}

static const uint8_t zeros[SIMFS_BSIZE_MAX];

static ssize_t reg_read(struct file *fp, struct uio *uio, int ioflags)
{
	(void)ioflags;
	struct vnode *vn = fp->vnode;
	struct simfs *fs = vn->fs;
	if (fp->flags & O_DIRECT)
		return dio_sync(fp, uio, KAIO_READ);
	mutex_lock(&vn->lock);
	ssize_t done = 0;
	int r = fs->dead ? -EIO : 0;
	for (int guard = 0; r == 0 && uio->resid > 0 && uio->offset < vn->size; guard++) {
		KASSERT(guard <= (int)fs->max_file_blocks, "read loop");
		uint32_t fb = (uint32_t)(uio->offset / fs->bsize);
		uint32_t inb = (uint32_t)(uio->offset % fs->bsize);
		size_t n = fs->bsize - inb;
		if (n > uio->resid)
			n = uio->resid;
		if ((int64_t)n > vn->size - uio->offset)
			n = (size_t)(vn->size - uio->offset);
		uint32_t phys = fb < vn->map_cap ? vn->map[fb] : 0;
		size_t before = uio->resid;
		if (phys == 0) {
			r = uiomove((void *)zeros, n, uio); /* a hole */
		} else {
			int64_t valid = vn->size - (int64_t)fb * fs->bsize;
			struct buf *b;
			r = bget(fs, phys, true, valid > fs->bsize ? fs->bsize : (uint32_t)valid,
				 &b);
			if (r == 0) {
				r = uiomove(b->data + inb, n, uio);
				brelse(fs, b);
			}
		}
		done += (ssize_t)(before - uio->resid);
		if (r == 0)
			preempt_point();
	}
	if (done > 0)
		vn->atime_ns = (int64_t)sim_now(); /* lazy: written with the next change */
	mutex_unlock(&vn->lock);
	if (done > 0)
		fnotify_report(vn, FN_ACCESS, NULL);
	return done > 0 ? done : r;
}

static ssize_t reg_write(struct file *fp, struct uio *uio, int ioflags)
{
	(void)ioflags;
	struct vnode *vn = fp->vnode;
	struct simfs *fs = vn->fs;
	if (fp->flags & O_DIRECT)
		return dio_sync(fp, uio, KAIO_WRITE);
	if (uio->resid == 0)
		return 0;
	mutex_lock(&vn->lock);
	/* A direct write in flight into a hole of this range links its own
	 * block when it completes: allocating one here too would link two
	 * (a kernel panic in the direct write's completion). Wait for it, as
	 * a direct write does. */
	for (int guard = 0;; guard++) {
		KASSERT(guard < 1000000, "buffered write waits for a hole forever");
		if (fp->flags & O_APPEND)
			uio->offset = vn->size;
		if (!dio_hole_busy(fs, vn, uio->offset, uio->resid))
			break;
		dio_wait_idle_relock(vn);
	}
	ssize_t done = 0;
	int r = 0;
	int64_t old_size = vn->size;
	struct simk_proc *who = uio->seg == UIO_USERSPACE ? uio->proc : NULL;
	int64_t rlimit = vfs_fsize_limit(who);
	int64_t limit = rlimit < fs->max_file_size ? rlimit : fs->max_file_size;
	if (fs->dead) {
		r = -EIO;
	} else if (uio->offset >= rlimit) {
		r = -EFBIG;
		vfs_fsize_exceeded(who);
	} else if (uio->offset >= fs->max_file_size) {
		r = -EFBIG;
	}
	for (int guard = 0; r == 0 && uio->resid > 0 && uio->offset < limit; guard++) {
		KASSERT(guard <= (int)fs->max_file_blocks, "write loop");
		uint32_t fb = (uint32_t)(uio->offset / fs->bsize);
		uint32_t inb = (uint32_t)(uio->offset % fs->bsize);
		size_t n = fs->bsize - inb;
		if (n > uio->resid)
			n = uio->resid;
		if ((int64_t)n > limit - uio->offset)
			n = (size_t)(limit - uio->offset); /* cut at the limit */
		r = vn_map_grow(vn, fb + 1);
		if (r != 0)
			break;
		uint32_t phys = vn->map[fb];
		bool fresh = phys == 0;
		if (fresh) {
			phys = simfs_alloc_data(fs);
			if (phys == 0) {
				r = -ENOSPC;
				break;
			}
			fs->write_reserved++; /* until linked or given back (vfs_check) */
		}
		struct buf *b;
		int64_t valid = vn->size - (int64_t)fb * fs->bsize;
		valid = valid < 0 ? 0 : valid > fs->bsize ? fs->bsize : valid;
		r = bget(fs, phys, !fresh, (uint32_t)valid, &b);
		size_t before = uio->resid;
		if (r == 0) {
			r = uiomove(b->data + inb, n, uio);
			if (before != uio->resid)
				bdirty(fs, b);
			brelse(fs, b);
		}
		size_t moved = before - uio->resid;
		if (fresh)
			fs->write_reserved--;
		if (fresh && moved == 0) {
			simfs_unreserve_block(fs, phys); /* nothing landed in the new block */
		} else if (fresh) {
			/* Linked only now that its data is in a dirty buffer: bget
			 * may have run a commit (a cache full of dirty buffers), and
			 * a commit that took the block into the file without its
			 * contents would make whatever the block held before part
			 * of the file. */
			KASSERT(vn->map[fb] == 0, "block %u of inode %u linked twice", fb, vn->ino);
			vn->map[fb] = phys;
			vn_mark_dirty(vn, fb >= SIMFS_NDIRECT, false);
		}
		done += (ssize_t)moved;
		if (moved > 0 && uio->offset > vn->size)
			vn->size = uio->offset; /* a write that moved nothing grows nothing */
		if (r == 0)
			preempt_point();
	}
	if (done > 0) {
		vn->mtime_ns = vn->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(vn, false, false);
		if (fp->flags & O_DSYNC) { /* O_SYNC includes the O_DSYNC bit */
			int c = simfs_commit(fs);
			if (c != 0) {
				r = c;
				done = 0; /* the write did not become durable: report it */
			}
		}
	}
	bool extended = vn->size > old_size;
	mutex_unlock(&vn->lock);
	if (done > 0 || extended)
		fnotify_report(vn, FN_MODIFY | (extended ? FN_EXTEND : 0), NULL);
	return done > 0 ? done : r;
}

static bool dio_idle(void *arg)
{
	return ((struct vnode *)arg)->dio_inflight == 0;
}

int simfs_truncate(struct vnode *vn, int64_t length)
{
	struct simfs *fs = vn->fs;
	if (length < 0)
		return -EINVAL;
	if (length > fs->max_file_size)
		return -EFBIG;
	mutex_lock(&vn->lock);
	/* Direct I/O in flight targets blocks we may free: let it land. */
	(void)waitq_wait(&vn->dio_wq, false, false, SIMK_FOREVER, dio_idle, vn);
	int r = fs->dead ? -EIO : 0;
	int64_t old = vn->size;
	if (r == 0 && length < old) {
		uint32_t keep = (uint32_t)((length + fs->bsize - 1) / fs->bsize);
		uint32_t tail = (uint32_t)(length % fs->bsize);
		if (tail != 0 && keep - 1 < vn->map_cap && vn->map[keep - 1] != 0) {
			struct buf *b;
			r = bget(fs, vn->map[keep - 1], true, tail, &b);
			if (r == 0) {
				memset(b->data + tail, 0, fs->bsize - tail);
				bdirty(fs, b);
				brelse(fs, b);
			}
		}
		if (r == 0)
			vn_free_blocks_from(vn, keep);
	}
	if (r == 0 && length != old) {
		vn->size = length;
		vn->mtime_ns = vn->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(vn, false, false);
	}
	mutex_unlock(&vn->lock);
	if (r == 0 && length != old)
		fnotify_report(vn, FN_MODIFY | FN_ATTRIB | (length < old ? FN_TRUNCATE : FN_EXTEND),
			       NULL);
	return r;
}

static int reg_truncate(struct file *fp, int64_t length)
{
	return simfs_truncate(fp->vnode, length);
}

static int reg_fsync(struct file *fp, bool datasync)
{
	(void)datasync; /* one commit makes data, size and metadata durable */
	return simfs_commit(fp->vnode->fs);
}

static int reg_seek(struct file *fp, int64_t off)
{
	(void)fp;
	(void)off;
	return 0;
}

static int reg_stat(struct file *fp, struct simk_stat *st)
{
	vn_stat(fp->vnode, st);
	return 0;
}

static int reg_ioctl(struct file *fp, unsigned long cmd, void *arg)
{
	if (cmd == SIMK_FIONREAD && !vn_isdir(fp->vnode)) {
		int64_t n = fp->vnode->size - fp->offset;
		*(int *)arg = n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : (int)n;
		return 0;
	}
	return -ENOTTY;
}

static int reg_aio_submit(struct file *fp, struct kaio_req *r)
{
	if (!(fp->flags & O_DIRECT) || (r->op != KAIO_READ && r->op != KAIO_WRITE))
		return -EOPNOTSUPP; /* buffered and fsync requests: the caller's thread */
	return dio_submit(fp, r);
}

static void reg_release(struct file *fp)
{
	if (fp->vnode != NULL)
		vn_rele(fp->vnode);
	fp->vnode = NULL;
}

const struct file_ops simfs_reg_ops = {
    .name = "simfs-file",
    .read = reg_read,
    .write = reg_write,
    .fsync = reg_fsync,
    .ioctl = reg_ioctl,
    .stat = reg_stat,
    .seek = reg_seek,
    .truncate = reg_truncate,
    .aio_submit = reg_aio_submit,
    .release = reg_release,
};

const struct file_ops simfs_dir_ops = {
    .name = "simfs-dir",
    .fsync = reg_fsync,
    .stat = reg_stat,
    .seek = reg_seek,
    .release = reg_release,
};
