/*
 * The system calls of the VFS: files, names, pipes, descriptors, poll and
 * socket pairs: one descriptor and one user-side stub (simk_<name>,
 * declared in include/simk/vfs.h) per call. A stub packs its arguments and
 * enters the kernel through syscall_invoke(); the handler adapter unpacks
 * them for sys_<name>. See kern/syscall.h.
 */
#include "simk/vfs.h"

#include "kern/syscall.h"
#include "vfs/vfs.h"
#include "vfs/poll.h"
#include "vfs/socket.h"

#include <fcntl.h>

/* The public values (include/simk/vfs.h) are the host's, which are
 * Linux's (vfs/file.h asserts the open flags the kernel uses). */
_Static_assert(SIMK_O_RDONLY == O_RDONLY && SIMK_O_WRONLY == O_WRONLY && SIMK_O_RDWR == O_RDWR &&
		   SIMK_O_ACCMODE == O_ACCMODE && SIMK_O_CREAT == O_CREAT && SIMK_O_EXCL == O_EXCL &&
		   SIMK_O_NOCTTY == O_NOCTTY && SIMK_O_TRUNC == O_TRUNC && SIMK_O_APPEND == O_APPEND &&
		   SIMK_O_NONBLOCK == O_NONBLOCK && SIMK_O_DSYNC == O_DSYNC &&
		   SIMK_O_DIRECT == O_DIRECT && SIMK_O_DIRECTORY == O_DIRECTORY &&
		   SIMK_O_NOFOLLOW == O_NOFOLLOW && SIMK_O_CLOEXEC == O_CLOEXEC &&
		   SIMK_O_SYNC == O_SYNC,
	       "open flags");
_Static_assert(SIMK_POLLIN == POLLIN && SIMK_POLLPRI == POLLPRI && SIMK_POLLOUT == POLLOUT &&
		   SIMK_POLLERR == POLLERR && SIMK_POLLHUP == POLLHUP && SIMK_POLLNVAL == POLLNVAL &&
		   SIMK_POLLRDNORM == POLLRDNORM && SIMK_POLLRDBAND == POLLRDBAND &&
		   SIMK_POLLWRNORM == POLLWRNORM && SIMK_POLLWRBAND == POLLWRBAND &&
		   SIMK_POLLRDHUP == POLLRDHUP,
	       "poll bits");
_Static_assert(SIMK_FD_CLOEXEC == FD_CLOEXEC_FLAG && SIMK_FD_CLOEXEC == FD_CLOEXEC, "FD_CLOEXEC");
_Static_assert(SIMK_F_DUPFD == F_DUPFD && SIMK_F_GETFD == F_GETFD && SIMK_F_SETFD == F_SETFD &&
		   SIMK_F_GETFL == F_GETFL && SIMK_F_SETFL == F_SETFL &&
		   SIMK_F_DUPFD_CLOEXEC == F_DUPFD_CLOEXEC,
	       "fcntl commands");
_Static_assert(SIMK_AT_FDCWD == AT_FDCWD, "AT_FDCWD");
_Static_assert(sizeof(struct simk_stat) == 88 && sizeof(struct simk_iovec) == 16, "layouts");

static int64_t h_open(const int64_t *a)
{
	return sys_open((uaddr_t)a[0], (int)a[1], (int)a[2]);
}

static const struct syscall_desc desc_open = {
    .name = "open",
    .subsys = "vfs",
    .fn = h_open,
    .nargs = 3,
    .arg = {SA_USTR, SA_OFLAGS, SA_MODE},
    .res = SA_FD,
};

int simk_open(simk_uaddr_t path, int flags, int mode)
{
	const int64_t a[] = {(int64_t)path, (int64_t)flags, (int64_t)mode};
	return (int)syscall_invoke(&desc_open, a);
}

static int64_t h_openat(const int64_t *a)
{
	return sys_openat((int)a[0], (uaddr_t)a[1], (int)a[2], (int)a[3]);
}

static const struct syscall_desc desc_openat = {
    .name = "openat",
    .subsys = "vfs",
    .fn = h_openat,
    .nargs = 4,
    .arg = {SA_FD, SA_USTR, SA_OFLAGS, SA_MODE},
    .res = SA_FD,
};

int simk_openat(int dirfd, simk_uaddr_t path, int flags, int mode)
{
	const int64_t a[] = {(int64_t)dirfd, (int64_t)path, (int64_t)flags, (int64_t)mode};
	return (int)syscall_invoke(&desc_openat, a);
}

static int64_t h_close(const int64_t *a)
{
	return sys_close((int)a[0]);
}

static const struct syscall_desc desc_close = {
    .name = "close",
    .subsys = "vfs",
    .fn = h_close,
    .nargs = 1,
    .arg = {SA_FD},
    .res = SA_INT,
};

int simk_close(int fd)
{
	const int64_t a[] = {(int64_t)fd};
	return (int)syscall_invoke(&desc_close, a);
}

static int64_t h_read(const int64_t *a)
{
	return sys_read((int)a[0], (uaddr_t)a[1], (size_t)a[2]);
}

static const struct syscall_desc desc_read = {
    .name = "read",
    .subsys = "vfs",
    .fn = h_read,
    .nargs = 3,
    .arg = {SA_FD, SA_UPTR, SA_SIZE},
    .res = SA_SIZE,
};

int64_t simk_read(int fd, simk_uaddr_t buf, size_t len)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len};
	return syscall_invoke(&desc_read, a);
}

static int64_t h_write(const int64_t *a)
{
	return sys_write((int)a[0], (uaddr_t)a[1], (size_t)a[2]);
}

static const struct syscall_desc desc_write = {
    .name = "write",
    .subsys = "vfs",
    .fn = h_write,
    .nargs = 3,
    .arg = {SA_FD, SA_UPTR, SA_SIZE},
    .res = SA_SIZE,
};

int64_t simk_write(int fd, simk_uaddr_t buf, size_t len)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len};
	return syscall_invoke(&desc_write, a);
}

static int64_t h_pread(const int64_t *a)
{
	return sys_pread((int)a[0], (uaddr_t)a[1], (size_t)a[2], (int64_t)a[3]);
}

static const struct syscall_desc desc_pread = {
    .name = "pread",
    .subsys = "vfs",
    .fn = h_pread,
    .nargs = 4,
    .arg = {SA_FD, SA_UPTR, SA_SIZE, SA_OFF},
    .res = SA_SIZE,
};

int64_t simk_pread(int fd, simk_uaddr_t buf, size_t len, int64_t offset)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len, (int64_t)offset};
	return syscall_invoke(&desc_pread, a);
}

static int64_t h_pwrite(const int64_t *a)
{
	return sys_pwrite((int)a[0], (uaddr_t)a[1], (size_t)a[2], (int64_t)a[3]);
}

static const struct syscall_desc desc_pwrite = {
    .name = "pwrite",
    .subsys = "vfs",
    .fn = h_pwrite,
    .nargs = 4,
    .arg = {SA_FD, SA_UPTR, SA_SIZE, SA_OFF},
    .res = SA_SIZE,
};

int64_t simk_pwrite(int fd, simk_uaddr_t buf, size_t len, int64_t offset)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len, (int64_t)offset};
	return syscall_invoke(&desc_pwrite, a);
}

static int64_t h_readv(const int64_t *a)
{
	return sys_readv((int)a[0], (uaddr_t)a[1], (int)a[2]);
}

static const struct syscall_desc desc_readv = {
    .name = "readv",
    .subsys = "vfs",
    .fn = h_readv,
    .nargs = 3,
    .arg = {SA_FD, SA_UPTR, SA_INT},
    .res = SA_SIZE,
};

int64_t simk_readv(int fd, simk_uaddr_t iov, int iovcnt)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)iov, (int64_t)iovcnt};
	return syscall_invoke(&desc_readv, a);
}

static int64_t h_writev(const int64_t *a)
{
	return sys_writev((int)a[0], (uaddr_t)a[1], (int)a[2]);
}

static const struct syscall_desc desc_writev = {
    .name = "writev",
    .subsys = "vfs",
    .fn = h_writev,
    .nargs = 3,
    .arg = {SA_FD, SA_UPTR, SA_INT},
    .res = SA_SIZE,
};

int64_t simk_writev(int fd, simk_uaddr_t iov, int iovcnt)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)iov, (int64_t)iovcnt};
	return syscall_invoke(&desc_writev, a);
}

static int64_t h_lseek(const int64_t *a)
{
	return sys_lseek((int)a[0], (int64_t)a[1], (int)a[2]);
}

static const struct syscall_desc desc_lseek = {
    .name = "lseek",
    .subsys = "vfs",
    .fn = h_lseek,
    .nargs = 3,
    .arg = {SA_FD, SA_OFF, SA_WHENCE},
    .res = SA_OFF,
};

int64_t simk_lseek(int fd, int64_t offset, int whence)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)offset, (int64_t)whence};
	return syscall_invoke(&desc_lseek, a);
}

static int64_t h_fsync(const int64_t *a)
{
	return sys_fsync((int)a[0]);
}

static const struct syscall_desc desc_fsync = {
    .name = "fsync",
    .subsys = "vfs",
    .fn = h_fsync,
    .nargs = 1,
    .arg = {SA_FD},
    .res = SA_INT,
};

int simk_fsync(int fd)
{
	const int64_t a[] = {(int64_t)fd};
	return (int)syscall_invoke(&desc_fsync, a);
}

static int64_t h_fdatasync(const int64_t *a)
{
	return sys_fdatasync((int)a[0]);
}

static const struct syscall_desc desc_fdatasync = {
    .name = "fdatasync",
    .subsys = "vfs",
    .fn = h_fdatasync,
    .nargs = 1,
    .arg = {SA_FD},
    .res = SA_INT,
};

int simk_fdatasync(int fd)
{
	const int64_t a[] = {(int64_t)fd};
	return (int)syscall_invoke(&desc_fdatasync, a);
}

static int64_t h_ftruncate(const int64_t *a)
{
	return sys_ftruncate((int)a[0], (int64_t)a[1]);
}

static const struct syscall_desc desc_ftruncate = {
    .name = "ftruncate",
    .subsys = "vfs",
    .fn = h_ftruncate,
    .nargs = 2,
    .arg = {SA_FD, SA_OFF},
    .res = SA_INT,
};

int simk_ftruncate(int fd, int64_t length)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)length};
	return (int)syscall_invoke(&desc_ftruncate, a);
}

static int64_t h_unlink(const int64_t *a)
{
	return sys_unlink((uaddr_t)a[0]);
}

static const struct syscall_desc desc_unlink = {
    .name = "unlink",
    .subsys = "vfs",
    .fn = h_unlink,
    .nargs = 1,
    .arg = {SA_USTR},
    .res = SA_INT,
};

int simk_unlink(simk_uaddr_t path)
{
	const int64_t a[] = {(int64_t)path};
	return (int)syscall_invoke(&desc_unlink, a);
}

static int64_t h_rename(const int64_t *a)
{
	return sys_rename((uaddr_t)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_rename = {
    .name = "rename",
    .subsys = "vfs",
    .fn = h_rename,
    .nargs = 2,
    .arg = {SA_USTR, SA_USTR},
    .res = SA_INT,
};

int simk_rename(simk_uaddr_t oldpath, simk_uaddr_t newpath)
{
	const int64_t a[] = {(int64_t)oldpath, (int64_t)newpath};
	return (int)syscall_invoke(&desc_rename, a);
}

static int64_t h_link(const int64_t *a)
{
	return sys_link((uaddr_t)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_link = {
    .name = "link",
    .subsys = "vfs",
    .fn = h_link,
    .nargs = 2,
    .arg = {SA_USTR, SA_USTR},
    .res = SA_INT,
};

int simk_link(simk_uaddr_t oldpath, simk_uaddr_t newpath)
{
	const int64_t a[] = {(int64_t)oldpath, (int64_t)newpath};
	return (int)syscall_invoke(&desc_link, a);
}

static int64_t h_mkdir(const int64_t *a)
{
	return sys_mkdir((uaddr_t)a[0], (int)a[1]);
}

static const struct syscall_desc desc_mkdir = {
    .name = "mkdir",
    .subsys = "vfs",
    .fn = h_mkdir,
    .nargs = 2,
    .arg = {SA_USTR, SA_MODE},
    .res = SA_INT,
};

int simk_mkdir(simk_uaddr_t path, int mode)
{
	const int64_t a[] = {(int64_t)path, (int64_t)mode};
	return (int)syscall_invoke(&desc_mkdir, a);
}

static int64_t h_rmdir(const int64_t *a)
{
	return sys_rmdir((uaddr_t)a[0]);
}

static const struct syscall_desc desc_rmdir = {
    .name = "rmdir",
    .subsys = "vfs",
    .fn = h_rmdir,
    .nargs = 1,
    .arg = {SA_USTR},
    .res = SA_INT,
};

int simk_rmdir(simk_uaddr_t path)
{
	const int64_t a[] = {(int64_t)path};
	return (int)syscall_invoke(&desc_rmdir, a);
}

static int64_t h_stat(const int64_t *a)
{
	return sys_stat((uaddr_t)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_stat = {
    .name = "stat",
    .subsys = "vfs",
    .fn = h_stat,
    .nargs = 2,
    .arg = {SA_USTR, SA_UPTR},
    .res = SA_INT,
};

int simk_stat(simk_uaddr_t path, simk_uaddr_t st)
{
	const int64_t a[] = {(int64_t)path, (int64_t)st};
	return (int)syscall_invoke(&desc_stat, a);
}

static int64_t h_lstat(const int64_t *a)
{
	return sys_lstat((uaddr_t)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_lstat = {
    .name = "lstat",
    .subsys = "vfs",
    .fn = h_lstat,
    .nargs = 2,
    .arg = {SA_USTR, SA_UPTR},
    .res = SA_INT,
};

int simk_lstat(simk_uaddr_t path, simk_uaddr_t st)
{
	const int64_t a[] = {(int64_t)path, (int64_t)st};
	return (int)syscall_invoke(&desc_lstat, a);
}

static int64_t h_symlink(const int64_t *a)
{
	return sys_symlink((uaddr_t)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_symlink = {
    .name = "symlink",
    .subsys = "vfs",
    .fn = h_symlink,
    .nargs = 2,
    .arg = {SA_USTR, SA_USTR},
    .res = SA_INT,
};

int simk_symlink(simk_uaddr_t target, simk_uaddr_t linkpath)
{
	const int64_t a[] = {(int64_t)target, (int64_t)linkpath};
	return (int)syscall_invoke(&desc_symlink, a);
}

static int64_t h_readlink(const int64_t *a)
{
	return sys_readlink((uaddr_t)a[0], (uaddr_t)a[1], (size_t)a[2]);
}

static const struct syscall_desc desc_readlink = {
    .name = "readlink",
    .subsys = "vfs",
    .fn = h_readlink,
    .nargs = 3,
    .arg = {SA_USTR, SA_UPTR, SA_SIZE},
    .res = SA_SIZE,
};

int64_t simk_readlink(simk_uaddr_t path, simk_uaddr_t buf, size_t len)
{
	const int64_t a[] = {(int64_t)path, (int64_t)buf, (int64_t)len};
	return syscall_invoke(&desc_readlink, a);
}

static int64_t h_fstat(const int64_t *a)
{
	return sys_fstat((int)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_fstat = {
    .name = "fstat",
    .subsys = "vfs",
    .fn = h_fstat,
    .nargs = 2,
    .arg = {SA_FD, SA_UPTR},
    .res = SA_INT,
};

int simk_fstat(int fd, simk_uaddr_t st)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)st};
	return (int)syscall_invoke(&desc_fstat, a);
}

static int64_t h_chmod(const int64_t *a)
{
	return sys_chmod((uaddr_t)a[0], (int)a[1]);
}

static const struct syscall_desc desc_chmod = {
    .name = "chmod",
    .subsys = "vfs",
    .fn = h_chmod,
    .nargs = 2,
    .arg = {SA_USTR, SA_MODE},
    .res = SA_INT,
};

int simk_chmod(simk_uaddr_t path, int mode)
{
	const int64_t a[] = {(int64_t)path, (int64_t)mode};
	return (int)syscall_invoke(&desc_chmod, a);
}

static int64_t h_fchmod(const int64_t *a)
{
	return sys_fchmod((int)a[0], (int)a[1]);
}

static const struct syscall_desc desc_fchmod = {
    .name = "fchmod",
    .subsys = "vfs",
    .fn = h_fchmod,
    .nargs = 2,
    .arg = {SA_FD, SA_MODE},
    .res = SA_INT,
};

int simk_fchmod(int fd, int mode)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)mode};
	return (int)syscall_invoke(&desc_fchmod, a);
}

static int64_t h_pipe(const int64_t *a)
{
	return sys_pipe((uaddr_t)a[0]);
}

static const struct syscall_desc desc_pipe = {
    .name = "pipe",
    .subsys = "vfs",
    .fn = h_pipe,
    .nargs = 1,
    .arg = {SA_UPTR},
    .res = SA_INT,
};

int simk_pipe(simk_uaddr_t fds)
{
	const int64_t a[] = {(int64_t)fds};
	return (int)syscall_invoke(&desc_pipe, a);
}

static int64_t h_pipe2(const int64_t *a)
{
	return sys_pipe2((uaddr_t)a[0], (int)a[1]);
}

static const struct syscall_desc desc_pipe2 = {
    .name = "pipe2",
    .subsys = "vfs",
    .fn = h_pipe2,
    .nargs = 2,
    .arg = {SA_UPTR, SA_FD_FLAGS},
    .res = SA_INT,
};

int simk_pipe2(simk_uaddr_t fds, int flags)
{
	const int64_t a[] = {(int64_t)fds, (int64_t)flags};
	return (int)syscall_invoke(&desc_pipe2, a);
}

static int64_t h_dup(const int64_t *a)
{
	return sys_dup((int)a[0]);
}

static const struct syscall_desc desc_dup = {
    .name = "dup",
    .subsys = "vfs",
    .fn = h_dup,
    .nargs = 1,
    .arg = {SA_FD},
    .res = SA_FD,
};

int simk_dup(int fd)
{
	const int64_t a[] = {(int64_t)fd};
	return (int)syscall_invoke(&desc_dup, a);
}

static int64_t h_dup2(const int64_t *a)
{
	return sys_dup2((int)a[0], (int)a[1]);
}

static const struct syscall_desc desc_dup2 = {
    .name = "dup2",
    .subsys = "vfs",
    .fn = h_dup2,
    .nargs = 2,
    .arg = {SA_FD, SA_FD},
    .res = SA_FD,
};

int simk_dup2(int oldfd, int newfd)
{
	const int64_t a[] = {(int64_t)oldfd, (int64_t)newfd};
	return (int)syscall_invoke(&desc_dup2, a);
}

static int64_t h_fcntl(const int64_t *a)
{
	return sys_fcntl((int)a[0], (int)a[1], (long)a[2]);
}

static const struct syscall_desc desc_fcntl = {
    .name = "fcntl",
    .subsys = "vfs",
    .fn = h_fcntl,
    .nargs = 3,
    .arg = {SA_FD, SA_FCNTL_CMD, SA_INT},
    .res = SA_INT,
};

int simk_fcntl(int fd, int cmd, long arg)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)cmd, (int64_t)arg};
	return (int)syscall_invoke(&desc_fcntl, a);
}

static int64_t h_ioctl(const int64_t *a)
{
	return sys_ioctl((int)a[0], (unsigned long)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_ioctl = {
    .name = "ioctl",
    .subsys = "vfs",
    .fn = h_ioctl,
    .nargs = 3,
    .arg = {SA_FD, SA_HEX, SA_UPTR},
    .res = SA_INT,
};

int simk_ioctl(int fd, unsigned long cmd, simk_uaddr_t arg)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)cmd, (int64_t)arg};
	return (int)syscall_invoke(&desc_ioctl, a);
}

static int64_t h_poll(const int64_t *a)
{
	return sys_poll((uaddr_t)a[0], (unsigned)a[1], (int)a[2]);
}

static const struct syscall_desc desc_poll = {
    .name = "poll",
    .subsys = "vfs",
    .fn = h_poll,
    .nargs = 3,
    .arg = {SA_UPTR, SA_UINT, SA_INT},
    .res = SA_INT,
};

int simk_poll(simk_uaddr_t fds, unsigned nfds, int timeout_ms)
{
	const int64_t a[] = {(int64_t)fds, (int64_t)nfds, (int64_t)timeout_ms};
	return (int)syscall_invoke(&desc_poll, a);
}

static int64_t h_socketpair(const int64_t *a)
{
	return sys_socketpair((int)a[0], (int)a[1], (int)a[2], (uaddr_t)a[3]);
}

static const struct syscall_desc desc_socketpair = {
    .name = "socketpair",
    .subsys = "vfs",
    .fn = h_socketpair,
    .nargs = 4,
    .arg = {SA_INT, SA_INT, SA_INT, SA_UPTR},
    .res = SA_INT,
};

int simk_socketpair(int domain, int type, int protocol, simk_uaddr_t sv)
{
	const int64_t a[] = {(int64_t)domain, (int64_t)type, (int64_t)protocol, (int64_t)sv};
	return (int)syscall_invoke(&desc_socketpair, a);
}

static int64_t h_shutdown(const int64_t *a)
{
	return sys_shutdown((int)a[0], (int)a[1]);
}

static const struct syscall_desc desc_shutdown = {
    .name = "shutdown",
    .subsys = "vfs",
    .fn = h_shutdown,
    .nargs = 2,
    .arg = {SA_FD, SA_INT},
    .res = SA_INT,
};

int simk_shutdown(int fd, int how)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)how};
	return (int)syscall_invoke(&desc_shutdown, a);
}

static int64_t h_send(const int64_t *a)
{
	return sys_send((int)a[0], (uaddr_t)a[1], (size_t)a[2], (int)a[3]);
}

static const struct syscall_desc desc_send = {
    .name = "send",
    .subsys = "vfs",
    .fn = h_send,
    .nargs = 4,
    .arg = {SA_FD, SA_UPTR, SA_SIZE, SA_HEX},
    .res = SA_SIZE,
};

int64_t simk_send(int fd, simk_uaddr_t buf, size_t len, int flags)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len, (int64_t)flags};
	return syscall_invoke(&desc_send, a);
}

static int64_t h_recv(const int64_t *a)
{
	return sys_recv((int)a[0], (uaddr_t)a[1], (size_t)a[2], (int)a[3]);
}

static const struct syscall_desc desc_recv = {
    .name = "recv",
    .subsys = "vfs",
    .fn = h_recv,
    .nargs = 4,
    .arg = {SA_FD, SA_UPTR, SA_SIZE, SA_HEX},
    .res = SA_SIZE,
};

int64_t simk_recv(int fd, simk_uaddr_t buf, size_t len, int flags)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)buf, (int64_t)len, (int64_t)flags};
	return syscall_invoke(&desc_recv, a);
}

static const struct syscall_desc *const vfs_syscall_table[] = {
    &desc_open, &desc_openat,	  &desc_close,	    &desc_read,	    &desc_write, &desc_pread,	  &desc_pwrite,
    &desc_readv,  &desc_writev,	    &desc_lseek,    &desc_fsync, &desc_fdatasync, &desc_ftruncate,
    &desc_unlink, &desc_rename,	    &desc_link,	    &desc_mkdir, &desc_rmdir,	  &desc_stat,
    &desc_lstat,  &desc_symlink,    &desc_readlink, &desc_fstat, &desc_chmod,	  &desc_fchmod,
    &desc_pipe,	  &desc_pipe2,	    &desc_dup,	    &desc_dup2,	 &desc_fcntl,	  &desc_ioctl,
    &desc_poll,	  &desc_socketpair, &desc_shutdown, &desc_send,	 &desc_recv,
};

void vfs_syscalls_register(void)
{
	syscall_register_table(vfs_syscall_table,
			       (int)(sizeof(vfs_syscall_table) / sizeof(vfs_syscall_table[0])));
}
