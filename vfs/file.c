/*
 * Open files and fd tables.
 *
 * A struct file is one open file description. Descriptors (fd table
 * slots) and kernel users (in-flight AIO, a poll in progress) hold
 * references; the last file_put releases the file type's state. The one
 * invariant that makes close races tractable: a descriptor slot is freed
 * *before* the close observers run and before the table's reference is
 * dropped, so a registration that raced with close either sees the fd gone
 * (fd_is() false) or is found by the observer.
 *
 * The offset of a seekable file is owned, for the duration of one read,
 * write or lseek, by the calling thread (pos_busy): threads sharing the
 * file through dup or fork see each other's transfers as wholes, as with
 * Linux's f_pos_lock.
 */
#include "vfs/file.h"

#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "sim/engine.h"
#include "vfs/poll.h"
#include "vfs/vfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: rounds of draining a file list at teardown; past it the loop is a livelock bug. */
#define FILE_DRAIN_ROUNDS_MAX 1000000

static KMEM_TYPE(kt_file, "vfs.file");
static KMEM_TYPE(kt_fdtable, "vfs.fdtable");
static KMEM_TYPE(kt_fdents, "vfs.fdtable.ents");

const char *file_type_name(enum file_type t)
{
	switch (t) {
	case FT_NONE:
		return "none";
	case FT_REGULAR:
		return "regular";
	case FT_DIR:
		return "directory";
	case FT_PIPE:
		return "pipe";
	case FT_PORT:
		return "port";
	case FT_KQUEUE:
		return "kqueue";
	case FT_EVENTFD:
		return "eventfd";
	case FT_SOCKET:
		return "socket";
	case FT_OTHER:
		return "other";
	case FT_SYMLINK:
		return "symlink";
	}
	return "?";
}

/* ---- uio ---------------------------------------------------------------- */

void uio_init_user(struct uio *u, struct uio_vec *vec, struct simk_proc *p, enum uio_rw rw,
		   uaddr_t buf, size_t len, int64_t offset)
{
	vec->base = buf;
	vec->len = len;
	*u = (struct uio){.proc = p,
			  .seg = UIO_USERSPACE,
			  .rw = rw,
			  .iov = vec,
			  .iovcnt = 1,
			  .offset = offset,
			  .resid = len};
}

void uio_init_kernel(struct uio *u, struct uio_vec *vec, enum uio_rw rw, void *buf, size_t len,
		     int64_t offset)
{
	vec->base = (uint64_t)(uintptr_t)buf;
	vec->len = len;
	*u = (struct uio){.proc = NULL,
			  .seg = UIO_SYSSPACE,
			  .rw = rw,
			  .iov = vec,
			  .iovcnt = 1,
			  .offset = offset,
			  .resid = len};
}

int uiomove(void *kbuf, size_t n, struct uio *u)
{
	char *k = kbuf;
	KASSERT(n <= u->resid, "uiomove of %zu bytes with %zu left", n, u->resid);
	for (int guard = 0; n > 0; guard++) {
		KASSERT(guard <= UIO_IOV_MAX, "uio vectors exhausted");
		KASSERT(u->iovcnt > 0, "uio vectors exhausted");
		struct uio_vec *v = u->iov;
		if (v->len == 0) {
			u->iov++;
			u->iovcnt--;
			continue;
		}
		size_t chunk = v->len < n ? v->len : n;
		int r = 0;
		if (u->seg == UIO_SYSSPACE) {
			void *host = (void *)(uintptr_t)v->base;
			if (u->rw == UIO_READ)
				memcpy(host, k, chunk);
			else
				memcpy(k, host, chunk);
		} else if (u->rw == UIO_READ) {
			r = copyout_proc(u->proc, k, v->base, chunk);
		} else {
			r = copyin_proc(u->proc, v->base, k, chunk);
		}
		if (r != 0)
			return -EFAULT;
		v->base += chunk;
		v->len -= chunk;
		u->resid -= chunk;
		u->offset += (int64_t)chunk;
		k += chunk;
		n -= chunk;
	}
	return 0;
}

/* ---- files ---------------------------------------------------------------- */

static void file_release_work(struct work *w);

struct file *file_alloc(enum file_type type, const struct file_ops *ops, void *priv, int flags)
{
	KASSERT(ops != NULL, "file without ops");
	struct vfs_state *st = vfs_st();
	struct file *fp = kmem_zalloc(&kt_file, sizeof(*fp));
	if (fp == NULL)
		return NULL;
	fp->refcount = 1;
	fp->type = type;
	fp->flags = flags & FILE_STATUS_FLAGS;
	fp->ops = ops;
	fp->priv = priv;
	fp->id = ++st->next_file_id;
	waitq_init(&fp->pos_wq, "f_pos");
	work_init(&fp->release_work, "fput", file_release_work, fp);
	list_push_back(&st->files, &fp->all);
	st->files_live++;
	return fp;
}

void file_hold(struct file *fp)
{
	KASSERT(fp->refcount > 0, "hold of released file %llu", (unsigned long long)fp->id);
	fp->refcount++;
}

static void file_free(struct file *fp)
{
	struct vfs_state *st = vfs_st();
	if (fp->ops->release)
		fp->ops->release(fp);
	waitq_destroy(&fp->pos_wq);
	list_del(&fp->all);
	st->files_live--;
	kmem_free(&kt_file, fp);
}

static void file_release_work(struct work *w)
{
	file_free(w->arg);
}

void file_put(struct file *fp)
{
	KASSERT(fp->refcount > 0, "put of released file %llu", (unsigned long long)fp->id);
	if (--fp->refcount > 0)
		return;
	if (sim_in_irq() || sim_thread_current() == NULL)
		queue_work(system_wq(), &fp->release_work); /* the aio_fput_routine path */
	else
		file_free(fp);
}

/* End of run (host context): whatever is still open is released here. The
 * subsystems that own other file types ended before us. */
void vfs_files_end(struct vfs_state *st)
{
	for (int guard = 0; !list_empty(&st->files); guard++) {
		KASSERT(guard < FILE_DRAIN_ROUNDS_MAX, "file list does not drain");
		struct file *fp = list_entry(st->files.next, struct file, all);
		if (fp->release_work.queued) /* a deferred release that will never run */
			(void)work_cancel(system_wq(), &fp->release_work);
		fp->refcount = 0;
		file_free(fp);
	}
}

void vfs_files_forget(struct vfs_state *st)
{
	for (int guard = 0; !list_empty(&st->files); guard++) {
		KASSERT(guard < FILE_DRAIN_ROUNDS_MAX, "file list does not drain");
		struct file *fp = list_entry(st->files.next, struct file, all);
		list_del(&fp->all);
		st->files_live--;
		kmem_free(&kt_file, fp);
	}
}

/* ---- the offset lock ------------------------------------------------------ */

static bool pos_free(void *arg)
{
	return !((struct file *)arg)->pos_busy;
}

static void pos_lock(struct file *fp)
{
	if (fp->pos_busy) {
		int r = waitq_wait(&fp->pos_wq, true, false, SIMK_FOREVER, pos_free, fp);
		KASSERT(r == 0, "uninterruptible wait returned %d", r);
	}
	fp->pos_busy = true;
}

static void pos_unlock(struct file *fp)
{
	KASSERT(fp->pos_busy, "offset lock not held");
	fp->pos_busy = false;
	waitq_wake_one(&fp->pos_wq);
}

static bool file_seekable(const struct file *fp)
{
	return fp->ops->seek != NULL;
}

typedef ssize_t (*file_rw_fn)(struct file *fp, struct uio *uio, int ioflags);

/* A read or write through op (the file's own, not NULL): at uio->offset
 * with IOF_EXPLICIT (pread/pwrite), else at the file offset, which moves by
 * what was transferred (under the position lock, for seekable files). */
static ssize_t file_rw(struct file *fp, struct uio *uio, int ioflags, file_rw_fn op)
{
	KASSERT(op != NULL, "no read/write op");
	if (fp->flags & O_NONBLOCK)
		ioflags |= IOF_NONBLOCK;
	if (ioflags & IOF_EXPLICIT) {
		if (!file_seekable(fp))
			return -ESPIPE;
		if (uio->offset < 0)
			return -EINVAL;
		return op(fp, uio, ioflags);
	}
	if (!file_seekable(fp))
		return op(fp, uio, ioflags);
	pos_lock(fp);
	uio->offset = fp->offset;
	ssize_t r = op(fp, uio, ioflags);
	if (r > 0)
		fp->offset = uio->offset;
	pos_unlock(fp);
	return r;
}

ssize_t file_read(struct file *fp, struct uio *uio, int ioflags)
{
	KASSERT(uio->rw == UIO_READ, "read with a write uio");
	if (!file_readable(fp))
		return -EBADF;
	if (fp->ops->read == NULL)
		return fp->type == FT_DIR ? -EISDIR : -EINVAL;
	return file_rw(fp, uio, ioflags, fp->ops->read);
}

ssize_t file_write(struct file *fp, struct uio *uio, int ioflags)
{
	KASSERT(uio->rw == UIO_WRITE, "write with a read uio");
	if (!file_writable(fp))
		return -EBADF;
	if (fp->ops->write == NULL)
		return fp->type == FT_DIR ? -EISDIR : -EINVAL;
	return file_rw(fp, uio, ioflags, fp->ops->write);
}

int file_fsync(struct file *fp, bool datasync)
{
	if (fp->ops->fsync == NULL)
		return fp->type == FT_PIPE || fp->type == FT_SOCKET ? -EINVAL : 0;
	return fp->ops->fsync(fp, datasync);
}

unsigned file_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	if (php != NULL)
		*php = NULL;
	unsigned mask = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	if (fp->ops->poll != NULL)
		mask = fp->ops->poll(fp, interest, php);
	return mask & (interest | POLLERR | POLLHUP | POLLNVAL);
}

int file_aio_submit(struct file *fp, struct kaio_req *r)
{
	if ((r->op == KAIO_READ && !file_readable(fp)) ||
	    (r->op == KAIO_WRITE && !file_writable(fp)))
		return -EBADF;
	if (fp->ops->aio_submit == NULL)
		return -EOPNOTSUPP;
	return fp->ops->aio_submit(fp, r);
}

int file_aio_cancel(struct file *fp, struct kaio_req *r)
{
	if (fp->ops->aio_cancel == NULL)
		return -EAGAIN;
	return fp->ops->aio_cancel(fp, r);
}

/* Used by lseek (vfs.c): owns the offset while computing the new one. */
int64_t file_lseek(struct file *fp, int64_t offset, int whence, int64_t size)
{
	if (!file_seekable(fp))
		return -ESPIPE;
	pos_lock(fp);
	int64_t base;
	switch (whence) {
	case SIMK_SEEK_SET:
		base = 0;
		break;
	case SIMK_SEEK_CUR:
		base = fp->offset;
		break;
	case SIMK_SEEK_END:
		base = size;
		break;
	default:
		pos_unlock(fp);
		return -EINVAL;
	}
	int64_t pos;
	if (__builtin_add_overflow(base, offset, &pos) || pos < 0) {
		pos_unlock(fp);
		return -EINVAL;
	}
	int r = fp->ops->seek(fp, pos);
	if (r == 0)
		fp->offset = pos;
	pos_unlock(fp);
	return r == 0 ? pos : r;
}

/* ---- fd tables ----------------------------------------------------------- */

#define FDE_RESERVED 0x80 /* slot taken by fd_alloc, not yet installed */

struct fd_entry {
	struct file *fp;
	uint8_t flags; /* FD_CLOEXEC_FLAG | FDE_RESERVED */
};

struct fdtable {
	struct fd_entry *ents;
	int cap;
	int nopen; /* installed descriptors */
};

#define CLOSE_OBSERVERS_MAX 16
static fd_close_observer_fn close_observers[CLOSE_OBSERVERS_MAX];
static int nclose_observers;

void fd_register_close_observer(fd_close_observer_fn fn)
{
	for (int i = 0; i < nclose_observers; i++)
		if (close_observers[i] == fn)
			return;
	KASSERT(nclose_observers < CLOSE_OBSERVERS_MAX, "too many close observers");
	close_observers[nclose_observers++] = fn;
}

static struct fdtable *fdt_get(struct simk_proc *p, bool create)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL && create) {
		(void)vfs_st(); /* its proc_exit hook frees the table */
		t = kmem_zalloc(&kt_fdtable, sizeof(*t));
		p->fdtable = t;
	}
	return t;
}

static int fdt_grow(struct fdtable *t, int need)
{
	if (need <= t->cap)
		return 0;
	int ncap = t->cap ? t->cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > FD_MAX)
		ncap = FD_MAX;
	struct fd_entry *n = kmem_zalloc(&kt_fdents, (size_t)ncap * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	if (t->ents != NULL) {
		memcpy(n, t->ents, (size_t)t->cap * sizeof(*n));
		kmem_free(&kt_fdents, t->ents);
	}
	t->ents = n;
	t->cap = ncap;
	return 0;
}

static bool fd_slot_used(const struct fdtable *t, int fd)
{
	return fd < t->cap && (t->ents[fd].fp != NULL || (t->ents[fd].flags & FDE_RESERVED));
}

int fd_alloc(struct simk_proc *p, int minfd)
{
	if (minfd < 0 || minfd >= FD_MAX)
		return -EINVAL;
	struct fdtable *t = fdt_get(p, true);
	if (t == NULL)
		return -ENOMEM;
	int fd = minfd;
	while (fd < FD_MAX && fd_slot_used(t, fd))
		fd++;
	if (fd >= FD_MAX)
		return -EMFILE;
	int r = fdt_grow(t, fd + 1);
	if (r != 0)
		return r;
	t->ents[fd].flags = FDE_RESERVED;
	return fd;
}

void fd_unreserve(struct simk_proc *p, int fd)
{
	struct fdtable *t = fdt_get(p, false);
	KASSERT(t != NULL, "fd %d not reserved", fd);
	KASSERT(fd >= 0, "fd %d not reserved", fd);
	KASSERT(fd < t->cap, "fd %d not reserved", fd);
	KASSERT(t->ents[fd].fp == NULL, "fd %d not reserved", fd);
	KASSERT((t->ents[fd].flags & FDE_RESERVED), "fd %d not reserved", fd);
	t->ents[fd].flags = 0;
}

void fd_install(struct simk_proc *p, int fd, struct file *fp, int fdflags)
{
	struct fdtable *t = fdt_get(p, false);
	KASSERT(t != NULL, "install into fd %d that is not reserved", fd);
	KASSERT(fd >= 0, "install into fd %d that is not reserved", fd);
	KASSERT(fd < t->cap, "install into fd %d that is not reserved", fd);
	KASSERT(t->ents[fd].fp == NULL, "install into fd %d that is not reserved", fd);
	KASSERT((t->ents[fd].flags & FDE_RESERVED), "install into fd %d that is not reserved", fd);
	KASSERT(fp->refcount > 0, "install of a released file");
	t->ents[fd].fp = fp;
	t->ents[fd].flags = (uint8_t)(fdflags & FD_CLOEXEC_FLAG);
	t->nopen++;
}

static struct file *fd_lookup(struct simk_proc *p, int fd)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL || fd < 0 || fd >= t->cap)
		return NULL;
	return t->ents[fd].fp;
}

int fd_get(struct simk_proc *p, int fd, struct file **fpp)
{
	struct file *fp = fd_lookup(p, fd);
	if (fp == NULL)
		return -EBADF;
	file_hold(fp);
	*fpp = fp;
	return 0;
}

bool fd_is(struct simk_proc *p, int fd, const struct file *fp)
{
	return fp != NULL && fd_lookup(p, fd) == fp;
}

/* Frees the slot and hands back the table's reference. */
static struct file *fd_detach(struct simk_proc *p, int fd)
{
	struct fdtable *t = p->fdtable;
	struct file *fp = fd_lookup(p, fd);
	if (fp == NULL)
		return NULL;
	t->ents[fd].fp = NULL;
	t->ents[fd].flags = 0;
	t->nopen--;
	return fp;
}

static void fd_closed(struct simk_proc *p, int fd, struct file *fp)
{
	trace_emit(TR_INFO, "vfs:close", p->pid, fd, (int64_t)fp->id, 0);
	for (int i = 0; i < nclose_observers; i++)
		close_observers[i](p, fd, fp);
	file_put(fp);
}

int fd_close(struct simk_proc *p, int fd)
{
	sim_assert_may_sleep(__func__);
	struct file *fp = fd_detach(p, fd);
	if (fp == NULL)
		return -EBADF;
	fd_closed(p, fd, fp);
	return 0;
}

int fd_dup(struct simk_proc *p, int fd)
{
	struct file *fp;
	int r = fd_get(p, fd, &fp);
	if (r != 0)
		return r;
	int nfd = fd_alloc(p, 0);
	if (nfd < 0) {
		file_put(fp);
		return nfd;
	}
	fd_install(p, nfd, fp, 0); /* the new descriptor has FD_CLOEXEC clear */
	return nfd;
}

int fd_dup_min(struct simk_proc *p, int fd, int minfd, int fdflags)
{
	struct file *fp;
	int r = fd_get(p, fd, &fp);
	if (r != 0)
		return r;
	int nfd = fd_alloc(p, minfd);
	if (nfd < 0) {
		file_put(fp);
		return nfd;
	}
	fd_install(p, nfd, fp, fdflags);
	return nfd;
}

int fd_dup2(struct simk_proc *p, int oldfd, int newfd)
{
	struct file *fp;
	int r = fd_get(p, oldfd, &fp);
	if (r != 0)
		return r;
	if (newfd < 0 || newfd >= FD_MAX) {
		file_put(fp);
		return -EBADF;
	}
	if (newfd == oldfd) {
		file_put(fp);
		return newfd;
	}
	struct fdtable *t = p->fdtable;
	if (newfd < t->cap && (t->ents[newfd].flags & FDE_RESERVED) && t->ents[newfd].fp == NULL) {
		file_put(fp); /* Linux: a slot being opened by another thread */
		return -EBUSY;
	}
	r = fdt_grow(t, newfd + 1);
	if (r != 0) {
		file_put(fp);
		return r;
	}
	/* Replace atomically (no switch point between detach and install),
	 * then tell the observers about the file that was open there. */
	struct file *old = fd_detach(p, newfd);
	t->ents[newfd].flags = FDE_RESERVED;
	fd_install(p, newfd, fp, 0);
	if (old != NULL)
		fd_closed(p, newfd, old);
	return newfd;
}

int fd_getflags(struct simk_proc *p, int fd)
{
	if (fd_lookup(p, fd) == NULL)
		return -EBADF;
	struct fdtable *t = p->fdtable;
	return t->ents[fd].flags & FD_CLOEXEC_FLAG;
}

int fd_setflags(struct simk_proc *p, int fd, int fdflags)
{
	if (fd_lookup(p, fd) == NULL)
		return -EBADF;
	struct fdtable *t = p->fdtable;
	t->ents[fd].flags = (uint8_t)(fdflags & FD_CLOEXEC_FLAG);
	return 0;
}

void fd_close_on_exec(struct simk_proc *p)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL)
		return;
	for (int fd = 0; fd < t->cap; fd++)
		if (t->ents[fd].fp != NULL && (t->ents[fd].flags & FD_CLOEXEC_FLAG))
			fd_close(p, fd);
}

void fd_close_all(struct simk_proc *p)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL)
		return;
	/* Observers may sleep; the table may be grown meanwhile by another
	 * thread of p, so re-read the bound each round. */
	for (int fd = 0; fd < t->cap; fd++)
		if (t->ents[fd].fp != NULL)
			fd_close(p, fd);
}

int fd_count(struct simk_proc *p)
{
	struct fdtable *t = p->fdtable;
	return t == NULL ? 0 : t->nopen;
}

void fdtable_free(struct simk_proc *p)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL)
		return;
	KASSERT(t->nopen == 0, "fd table of %s freed with %d open", p->name, t->nopen);
	if (t->ents != NULL)
		kmem_free(&kt_fdents, t->ents);
	kmem_free(&kt_fdtable, t);
	p->fdtable = NULL;
}

void fdtable_forget(struct simk_proc *p)
{
	struct fdtable *t = p->fdtable;
	if (t == NULL)
		return;
	t->nopen = 0;
	fdtable_free(p);
}

int fdtable_fork(struct simk_proc *parent, struct simk_proc *child)
{
	struct fdtable *pt = parent->fdtable;
	if (pt == NULL || pt->nopen == 0)
		return 0;
	KASSERT(child->fdtable == NULL, "child %s already has a fd table", child->name);
	struct fdtable *ct = fdt_get(child, true);
	if (ct == NULL)
		return -ENOMEM;
	int r = fdt_grow(ct, pt->cap);
	if (r != 0) {
		fdtable_free(child);
		return r;
	}
	/* Reserved-but-not-installed slots of the parent are not inherited
	 * (the open in progress installs into the parent only). */
	for (int fd = 0; fd < pt->cap; fd++) {
		struct file *fp = pt->ents[fd].fp;
		if (fp == NULL)
			continue;
		file_hold(fp);
		ct->ents[fd].fp = fp;
		ct->ents[fd].flags = pt->ents[fd].flags & FD_CLOEXEC_FLAG;
		ct->nopen++;
	}
	return 0;
}
