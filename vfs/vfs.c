/*
 * The VFS system calls and the subsystem's registration. The calls only
 * decode arguments (user memory through copyin/copyout) and call the
 * generic file layer (file.c), the namespace (namei.c) or the pipe code.
 * These are the handlers: the stubs that enter the kernel through
 * kern/syscall.c, traced and with their switch points, are in
 * vfs_syscalls.c.
 */
#include "sim/access.h"
#include "vfs/vfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "vfs/poll.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

static KMEM_TYPE(kt_iov, "vfs.iov");
static KMEM_TYPE(kt_path, "vfs.path");

int pipe_create(int flags, struct file **rfp, struct file **wfp);

static int vfs_subsys_slot = -1; /* sim_subsys_register() */

struct vfs_state *vfs_st(void)
{
	struct vfs_state *st = sim_subsys_need(sim_cur(), vfs_subsys_slot);
	KASSERT(st != NULL, "VFS used outside a simulation");
	return st;
}

static struct simk_proc *curproc(void)
{
	struct simk_proc *p = sim_proc_current();
	KASSERT(p != NULL, "system call outside thread context");
	return p;
}

int vfs_copyinstr(uaddr_t upath, char *buf, size_t buflen)
{
	size_t i = 0;
	while (i < buflen) {
		uaddr_t a = upath + i;
		size_t n = UMEM_PAGE - (size_t)(a % UMEM_PAGE);
		if (n > buflen - i)
			n = buflen - i;
		if (copyin(a, buf + i, n) != 0)
			return -EFAULT;
		void *z = memchr(buf + i, '\0', n);
		if (z != NULL)
			return 0;
		i += n;
	}
	return -ENAMETOOLONG;
}

/* Copies a user path into a kernel buffer (freed with path_free). */
static int path_get(uaddr_t upath, char **out)
{
	char *buf = kmem_alloc(&kt_path, VFS_PATH_MAX);
	if (buf == NULL)
		return -ENOMEM;
	int r = vfs_copyinstr(upath, buf, VFS_PATH_MAX);
	if (r != 0) {
		kmem_free(&kt_path, buf);
		return r;
	}
	*out = buf;
	return 0;
}

/* A kernel buffer of VFS_PATH_MAX bytes (freed with path_free). */
static int path_get_buf(char **out)
{
	*out = kmem_alloc(&kt_path, VFS_PATH_MAX);
	return *out == NULL ? -ENOMEM : 0;
}

static void path_free(char *p)
{
	kmem_free(&kt_path, p);
}

/* ---- open / close --------------------------------------------------------------- */

int sys_open(uaddr_t path, int flags, int mode)
{
	char *kpath;
	int r = path_get(path, &kpath);
	if (r == 0) {
		r = kvfs_open(curproc(), kpath, flags, mode);
		path_free(kpath);
	}
	return r;
}

int sys_openat(int dirfd, uaddr_t path, int flags, int mode)
{
	char *kpath;
	int r = path_get(path, &kpath);
	if (r != 0)
		return r;
	if (kpath[0] != '/' && dirfd != SIMK_AT_FDCWD) {
		struct file *fp;
		r = fd_get(curproc(), dirfd, &fp);
		if (r == 0) {
			r = fp->type == FT_DIR ? -EOPNOTSUPP : -ENOTDIR;
			file_put(fp);
		}
	}
	if (r == 0)
		r = kvfs_open(curproc(), kpath, flags, mode);
	path_free(kpath);
	return r;
}

int sys_close(int fd)
{
	return fd_close(curproc(), fd);
}

/* ---- read / write ------------------------------------------------------------------ */

static ssize_t do_rw(int fd, enum uio_rw rw, struct uio_vec *vec, int nvec, int64_t offset,
		     int ioflags)
{
	struct simk_proc *p = curproc();
	struct file *fp;
	int r = fd_get(p, fd, &fp);
	if (r != 0)
		return r;
	size_t total = 0;
	for (int i = 0; i < nvec; i++) {
		if (__builtin_add_overflow(total, vec[i].len, &total) || total > INT64_MAX) {
			file_put(fp);
			return -EINVAL;
		}
	}
	struct uio u = {.proc = p,
			.seg = UIO_USERSPACE,
			.rw = rw,
			.iov = vec,
			.iovcnt = nvec,
			.offset = offset,
			.resid = total};
	ssize_t n = rw == UIO_READ ? file_read(fp, &u, ioflags) : file_write(fp, &u, ioflags);
	file_put(fp);
	return n;
}

ssize_t sys_read(int fd, uaddr_t buf, size_t len)
{
	struct uio_vec v = {buf, len};
	return do_rw(fd, UIO_READ, &v, 1, 0, 0);
}

ssize_t sys_write(int fd, uaddr_t buf, size_t len)
{
	struct uio_vec v = {buf, len};
	return do_rw(fd, UIO_WRITE, &v, 1, 0, 0);
}

ssize_t sys_pread(int fd, uaddr_t buf, size_t len, int64_t offset)
{
	struct uio_vec v = {buf, len};
	return do_rw(fd, UIO_READ, &v, 1, offset, IOF_EXPLICIT);
}

ssize_t sys_pwrite(int fd, uaddr_t buf, size_t len, int64_t offset)
{
	struct uio_vec v = {buf, len};
	return do_rw(fd, UIO_WRITE, &v, 1, offset, IOF_EXPLICIT);
}

static ssize_t do_rwv(int fd, uaddr_t iov, int iovcnt, enum uio_rw rw)
{
	if (iovcnt < 0 || iovcnt > UIO_IOV_MAX)
		return -EINVAL;
	if (iovcnt == 0) {
		struct file *fp;
		int r = fd_get(curproc(), fd, &fp);
		if (r != 0)
			return r;
		r = rw == UIO_READ ? (file_readable(fp) ? 0 : -EBADF)
				   : (file_writable(fp) ? 0 : -EBADF);
		file_put(fp);
		return r;
	}
	size_t n = (size_t)iovcnt;
	struct simk_iovec *uv = kmem_alloc(&kt_iov, n * sizeof(*uv));
	struct uio_vec *kv = kmem_alloc(&kt_iov, n * sizeof(*kv));
	ssize_t r;
	if (uv == NULL || kv == NULL) {
		r = -ENOMEM;
	} else if (copyin(iov, uv, n * sizeof(*uv)) != 0) {
		r = -EFAULT;
	} else {
		r = 0;
		for (size_t i = 0; i < n; i++) {
			if (uv[i].iov_len > INT64_MAX)
				r = -EINVAL;
			kv[i].base = uv[i].iov_base;
			kv[i].len = (size_t)uv[i].iov_len;
		}
		if (r == 0)
			r = do_rw(fd, rw, kv, iovcnt, 0, 0);
	}
	if (uv != NULL)
		kmem_free(&kt_iov, uv);
	if (kv != NULL)
		kmem_free(&kt_iov, kv);
	return r;
}

ssize_t sys_readv(int fd, uaddr_t iov, int iovcnt)
{
	return do_rwv(fd, iov, iovcnt, UIO_READ);
}

ssize_t sys_writev(int fd, uaddr_t iov, int iovcnt)
{
	return do_rwv(fd, iov, iovcnt, UIO_WRITE);
}

int64_t sys_lseek(int fd, int64_t offset, int whence)
{
	struct file *fp;
	int64_t r = fd_get(curproc(), fd, &fp);
	if (r == 0) {
		struct simk_stat st = {0};
		if (whence == SIMK_SEEK_END && fp->ops->stat != NULL)
			(void)fp->ops->stat(fp, &st);
		r = file_lseek(fp, offset, whence, st.st_size);
		file_put(fp);
	}
	return r;
}

static int do_fsync(int fd, bool datasync)
{
	struct file *fp;
	int r = fd_get(curproc(), fd, &fp);
	if (r != 0)
		return r;
	r = file_fsync(fp, datasync);
	file_put(fp);
	return r;
}

int sys_fsync(int fd)
{
	return do_fsync(fd, false);
}

int sys_fdatasync(int fd)
{
	return do_fsync(fd, true);
}

int sys_ftruncate(int fd, int64_t length)
{
	struct file *fp;
	int r = fd_get(curproc(), fd, &fp);
	if (r == 0) {
		if (length < 0 || fp->ops->truncate == NULL)
			r = -EINVAL;
		else if (!file_writable(fp))
			r = -EINVAL; /* Linux: EINVAL for a descriptor not open for writing */
		else
			r = fp->ops->truncate(fp, length);
		file_put(fp);
	}
	return r;
}

/* ---- names ---------------------------------------------------------------------------- */

static int path1(uaddr_t path, int (*fn)(const char *, int), int arg)
{
	char *k;
	int r = path_get(path, &k);
	if (r == 0) {
		r = fn(k, arg);
		path_free(k);
	}
	return r;
}

static int unlink1(const char *p, int arg)
{
	(void)arg;
	return kvfs_unlink(p);
}

static int rmdir1(const char *p, int arg)
{
	(void)arg;
	return kvfs_rmdir(p);
}

int sys_unlink(uaddr_t path)
{
	return path1(path, unlink1, 0);
}

int sys_rmdir(uaddr_t path)
{
	return path1(path, rmdir1, 0);
}

int sys_mkdir(uaddr_t path, int mode)
{
	return path1(path, kvfs_mkdir, mode);
}

int sys_chmod(uaddr_t path, int mode)
{
	return path1(path, kvfs_chmod, mode);
}

static int path2(uaddr_t a, uaddr_t b, int (*fn)(const char *, const char *))
{
	char *ka, *kb;
	int r = path_get(a, &ka);
	if (r == 0) {
		r = path_get(b, &kb);
		if (r == 0) {
			r = fn(ka, kb);
			path_free(kb);
		}
		path_free(ka);
	}
	return r;
}

int sys_rename(uaddr_t oldpath, uaddr_t newpath)
{
	return path2(oldpath, newpath, kvfs_rename);
}

int sys_link(uaddr_t oldpath, uaddr_t newpath)
{
	return path2(oldpath, newpath, kvfs_link);
}

int sys_stat(uaddr_t path, uaddr_t ust)
{
	char *k;
	struct simk_stat st;
	int r = path_get(path, &k);
	if (r == 0) {
		r = kvfs_stat(k, &st);
		path_free(k);
	}
	if (r == 0 && copyout(&st, ust, sizeof(st)) != 0)
		r = -EFAULT;
	return r;
}

int sys_lstat(uaddr_t path, uaddr_t ust)
{
	char *k;
	struct simk_stat st;
	int r = path_get(path, &k);
	if (r == 0) {
		r = kvfs_lstat(k, &st);
		path_free(k);
	}
	if (r == 0 && copyout(&st, ust, sizeof(st)) != 0)
		r = -EFAULT;
	return r;
}

int sys_symlink(uaddr_t target, uaddr_t linkpath)
{
	return path2(target, linkpath, kvfs_symlink);
}

ssize_t sys_readlink(uaddr_t path, uaddr_t ubuf, size_t len)
{
	if (len == 0)
		return -EINVAL;
	char *k, *kbuf;
	ssize_t r = path_get(path, &k);
	if (r == 0) {
		r = path_get_buf(&kbuf);
		if (r == 0) {
			r = kvfs_readlink(k, kbuf, len < VFS_PATH_MAX ? len : VFS_PATH_MAX);
			if (r > 0 && copyout(kbuf, ubuf, (size_t)r) != 0)
				r = -EFAULT;
			path_free(kbuf);
		}
		path_free(k);
	}
	return r;
}

int sys_fstat(int fd, uaddr_t ust)
{
	struct file *fp;
	struct simk_stat st;
	int r = fd_get(curproc(), fd, &fp);
	if (r == 0) {
		memset(&st, 0, sizeof(st));
		st.st_type = fp->type;
		st.st_nlink = 1;
		if (fp->ops->stat != NULL)
			r = fp->ops->stat(fp, &st);
		file_put(fp);
		if (r == 0 && copyout(&st, ust, sizeof(st)) != 0)
			r = -EFAULT;
	}
	return r;
}

int sys_fchmod(int fd, int mode)
{
	struct file *fp;
	int r = fd_get(curproc(), fd, &fp);
	if (r == 0) {
		if (fp->vnode == NULL)
			r = -EINVAL;
		else if (fp->vnode->fs->dead)
			r = -EIO;
		else
			vn_chmod(fp->vnode, mode);
		file_put(fp);
	}
	return r;
}

/* ---- pipes and descriptors ----------------------------------------------------------------- */

int sys_pipe2(uaddr_t ufds, int flags)
{
	struct simk_proc *p = curproc();
	int r = 0;
	if (flags & ~(O_NONBLOCK | O_CLOEXEC))
		r = -EINVAL;
	int fds[2] = {-1, -1};
	struct file *rf = NULL, *wf = NULL;
	if (r == 0)
		r = fds[0] = fd_alloc(p, 0);
	if (r >= 0)
		r = fds[1] = fd_alloc(p, 0);
	if (r >= 0)
		r = pipe_create(flags, &rf, &wf);
	if (r >= 0 && copyout(fds, ufds, sizeof(fds)) != 0)
		r = -EFAULT;
	if (r >= 0) {
		int fdf = (flags & O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0;
		fd_install(p, fds[0], rf, fdf);
		fd_install(p, fds[1], wf, fdf);
		r = 0;
	} else {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fd_unreserve(p, fds[i]);
		if (rf != NULL)
			file_put(rf);
		if (wf != NULL)
			file_put(wf);
	}
	return r;
}

int sys_pipe(uaddr_t fds)
{
	return sys_pipe2(fds, 0);
}

int sys_dup(int fd)
{
	return fd_dup(curproc(), fd);
}

int sys_dup2(int oldfd, int newfd)
{
	return fd_dup2(curproc(), oldfd, newfd);
}

int sys_fcntl(int fd, int cmd, long arg)
{
	struct simk_proc *p = curproc();
	struct file *fp;
	int r = fd_get(p, fd, &fp);
	if (r != 0)
		return r;
	switch (cmd) {
	case SIMK_F_DUPFD:
	case SIMK_F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FD_MAX)
			r = -EINVAL;
		else
			r = fd_dup_min(p, fd, (int)arg,
				       cmd == SIMK_F_DUPFD_CLOEXEC ? FD_CLOEXEC_FLAG : 0);
		break;
	case SIMK_F_GETFD:
		r = fd_getflags(p, fd);
		break;
	case SIMK_F_SETFD:
		r = fd_setflags(p, fd, (int)arg);
		break;
	case SIMK_F_GETFL:
		r = fp->flags;
		break;
	case SIMK_F_SETFL:
		fp->flags = (fp->flags & ~FILE_SETFL_FLAGS) | ((int)arg & FILE_SETFL_FLAGS);
		r = 0;
		break;
	default:
		r = -EINVAL;
	}
	file_put(fp);
	return r;
}

int sys_ioctl(int fd, unsigned long cmd, uaddr_t arg)
{
	struct file *fp;
	int r = fd_get(curproc(), fd, &fp);
	if (r != 0)
		return r;
	int val = 0;
	bool in = cmd == SIMK_FIONBIO || cmd == SIMK_FIOASYNC || cmd == SIMK_FIOSETOWN;
	bool out = cmd == SIMK_FIONREAD || cmd == SIMK_FIONSPACE || cmd == SIMK_FIOGETOWN;
	if (in && copyin(arg, &val, sizeof(val)) != 0) {
		r = -EFAULT;
	} else if (cmd == SIMK_FIONBIO) {
		fp->flags = val ? fp->flags | O_NONBLOCK : fp->flags & ~O_NONBLOCK;
		r = 0;
	} else if (fp->ops->ioctl == NULL) {
		r = -ENOTTY;
	} else {
		r = fp->ops->ioctl(fp, cmd, &val);
		if (r == 0 && out && copyout(&val, arg, sizeof(val)) != 0)
			r = -EFAULT;
	}
	file_put(fp);
	return r;
}

/* ---- kernel helpers ------------------------------------------------------------------------- */

static ssize_t kvfs_rw(const char *path, enum uio_rw rw, void *buf, size_t len, int64_t offset)
{
	struct file *fp;
	int r = namei_kernel_file(path, O_RDWR, &fp);
	if (r == -ENOENT && rw == UIO_WRITE) {
		struct simk_proc *p = sim_proc_current();
		if (p == NULL)
			return -EINVAL;
		int fd = kvfs_open(p, path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			return fd;
		(void)fd_close(p, fd);
		r = namei_kernel_file(path, O_RDWR, &fp);
	}
	if (r != 0)
		return r;
	struct uio_vec v;
	struct uio u;
	uio_init_kernel(&u, &v, rw, buf, len, offset);
	ssize_t n =
	    rw == UIO_READ ? file_read(fp, &u, IOF_EXPLICIT) : file_write(fp, &u, IOF_EXPLICIT);
	file_put(fp);
	return n;
}

ssize_t kvfs_read_file(const char *path, void *buf, size_t len, int64_t offset)
{
	return kvfs_rw(path, UIO_READ, buf, len, offset);
}

ssize_t kvfs_write_file(const char *path, const void *buf, size_t len, int64_t offset)
{
	return kvfs_rw(path, UIO_WRITE, (void *)buf, len, offset);
}

/* ---- the subsystem -----------------------------------------------------------------------------
 */

static int vfs_create(struct simk *s)
{
	struct vfs_state *st = sim_block_take(sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	list_init(&st->files);
	list_init(&st->fs_all);
	list_init(&st->fs_watchers);
	mutex_init(&st->ns_lock, "vfs.ns");
	s->subsys[vfs_subsys_slot] = st;
	return 0;
}

static void vfs_proc_exit(struct simk_proc *p)
{
	/* dfs: closing files is not annotated yet: global, when there are any */
	bool work = fd_count(p) > 0;
	if (work)
		sim_opaque_enter();
	fd_close_all(p);
	fdtable_free(p);
	if (work)
		sim_opaque_leave();
}

static void vfs_end(struct simk *s)
{
	struct vfs_state *st = s->subsys[vfs_subsys_slot];
	if (st == NULL)
		return;
	vfs_files_end(st);
	simfs_end_all(st);
	list_init(&st->fs_watchers);
}

static void vfs_destroy(struct simk *s)
{
	struct vfs_state *st = s->subsys[vfs_subsys_slot];
	if (st == NULL)
		return;
	if (!s->ended) {
		/* A failed run: free our memory without running anything (the
		 * other subsystems are gone already). */
		for (int i = 0; i < s->nprocs; i++)
			fdtable_forget(s->procs[i]);
		vfs_files_forget(st);
		simfs_end_all(st);
	}
	sim_block_give(st, sizeof(*st));
	s->subsys[vfs_subsys_slot] = NULL;
}

static int vfs_fork_hook(struct simk_proc *parent, struct simk_proc *child)
{
	return fdtable_fork(parent, child);
}

static void vfs_proc_observer(struct simk_proc *p, enum proc_event ev, int arg)
{
	(void)arg;
	if (ev == PROC_EV_EXEC && !sim_in_irq() && sim_thread_current() != NULL)
		fd_close_on_exec(p);
}

static const struct sim_subsys vfs_subsys = {
    .name = "vfs",
    .create = vfs_create,
    .proc_exit = vfs_proc_exit,
    .end = vfs_end,
    .destroy = vfs_destroy,
    .check = vfs_check,
    /* made at first use (vfs_st; a process's first fd table asks for it
     * too, so no table outlives a run whose VFS was never made): most
     * scenarios open no file */
    .lazy = true,
    .oids = 2, /* the namespace mutex and its wait queue */
};

void vfs_register(void)
{
	vfs_subsys_slot = sim_subsys_register(&vfs_subsys);
	proc_register_fork_hook(vfs_fork_hook);
	proc_register_observer(vfs_proc_observer);
}
