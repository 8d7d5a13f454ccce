/*
 * <unistd.h> and <sys/uio.h> for guests: file descriptors, reads and
 * writes, names, pipes, processes' ids. Each call is the simulated
 * kernel's system call of the same name (include/simk/vfs.h, proc.h),
 * made through the one entry path: traced, a switch point on each side.
 * The guest's pointers go to the kernel as they are — the guest's memory
 * is its user memory — so a bad one is EFAULT, as on Linux. Results
 * follow libc: -1 and errno. read, write, readv and writev start again
 * after a handler with SA_RESTART (GUEST_RESTARTABLE), as on Linux.
 *
 * Paths: there is no working directory; a relative path is relative to
 * the root. The filesystem is mounted by the first call that names a
 * path (guest_fs.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/types.h>
#include <unistd.h>

#include "guest/guest.h"
#include "simk/proc.h"
#include "simk/vfs.h"

#define FAMILY "unistd.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

/* Calls that name a path mount the root filesystem first. */
#define PATH_CALL(name)                                                                            \
	GUEST_ENTER(name);                                                                         \
	int fs_ = guest_fs_ensure(gt_);                                                            \
	if (fs_ != 0)                                                                              \
	return GUEST_RET(fs_)

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	GUEST_ENTER("read");
	return GUEST_RET(GUEST_RESTARTABLE(simk_read(fd, U(buf), n)));
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	GUEST_ENTER("write");
	return GUEST_RET(GUEST_RESTARTABLE(simk_write(fd, U(buf), n)));
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	GUEST_ENTER("pread");
	return GUEST_RET(simk_pread(fd, U(buf), n, off));
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	GUEST_ENTER("pwrite");
	return GUEST_RET(simk_pwrite(fd, U(buf), n, off));
}

ssize_t __wrap_pread64(int fd, void *buf, size_t n, off_t off)
{
	GUEST_ENTER("pread");
	return GUEST_RET(simk_pread(fd, U(buf), n, off));
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	GUEST_ENTER("pwrite");
	return GUEST_RET(simk_pwrite(fd, U(buf), n, off));
}

/* struct iovec is laid out as struct simk_iovec (checked in guest_calls.c). */
ssize_t __wrap_readv(int fd, const void *iov, int n)
{
	GUEST_ENTER("readv");
	return GUEST_RET(GUEST_RESTARTABLE(simk_readv(fd, U(iov), n)));
}

ssize_t __wrap_writev(int fd, const void *iov, int n)
{
	GUEST_ENTER("writev");
	return GUEST_RET(GUEST_RESTARTABLE(simk_writev(fd, U(iov), n)));
}

off_t __wrap_lseek(int fd, off_t off, int whence)
{
	GUEST_ENTER("lseek");
	return GUEST_RET(simk_lseek(fd, off, whence));
}

off_t __wrap_lseek64(int fd, off_t off, int whence)
{
	GUEST_ENTER("lseek");
	return GUEST_RET(simk_lseek(fd, off, whence));
}

int __wrap_close(int fd)
{
	GUEST_ENTER("close");
	return (int)GUEST_RET(simk_close(fd));
}

int __wrap_fsync(int fd)
{
	GUEST_ENTER("fsync");
	return (int)GUEST_RET(simk_fsync(fd));
}

int __wrap_fdatasync(int fd)
{
	GUEST_ENTER("fdatasync");
	return (int)GUEST_RET(simk_fdatasync(fd));
}

int __wrap_ftruncate(int fd, off_t len)
{
	GUEST_ENTER("ftruncate");
	return (int)GUEST_RET(simk_ftruncate(fd, len));
}

int __wrap_ftruncate64(int fd, off_t len)
{
	GUEST_ENTER("ftruncate");
	return (int)GUEST_RET(simk_ftruncate(fd, len));
}

int __wrap_dup(int fd)
{
	GUEST_ENTER("dup");
	return (int)GUEST_RET(simk_dup(fd));
}

int __wrap_dup2(int fd, int to)
{
	GUEST_ENTER("dup2");
	return (int)GUEST_RET(simk_dup2(fd, to));
}

int __wrap_pipe(int fds[2])
{
	GUEST_ENTER("pipe");
	return (int)GUEST_RET(simk_pipe(U(fds)));
}

int __wrap_pipe2(int fds[2], int flags)
{
	GUEST_ENTER("pipe2");
	return (int)GUEST_RET(simk_pipe2(U(fds), flags));
}

int __wrap_unlink(const char *path)
{
	PATH_CALL("unlink");
	return (int)GUEST_RET(simk_unlink(U(path)));
}

int __wrap_rmdir(const char *path)
{
	PATH_CALL("rmdir");
	return (int)GUEST_RET(simk_rmdir(U(path)));
}

int __wrap_link(const char *from, const char *to)
{
	PATH_CALL("link");
	return (int)GUEST_RET(simk_link(U(from), U(to)));
}

int __wrap_symlink(const char *target, const char *path)
{
	PATH_CALL("symlink");
	return (int)GUEST_RET(simk_symlink(U(target), U(path)));
}

ssize_t __wrap_readlink(const char *path, char *buf, size_t n)
{
	PATH_CALL("readlink");
	return GUEST_RET(simk_readlink(U(path), U(buf), n));
}

/* access(2) has no system call of its own here: existence through stat.
 * Every process may do everything (no users), so only F_OK's answer can
 * differ from a real kernel's. */
int __wrap_access(const char *path, int mode)
{
	PATH_CALL("access");
	if (mode & ~(R_OK | W_OK | X_OK))
		return (int)GUEST_RET(-EINVAL);
	return (int)GUEST_RET(simk_stat(U(path), U(gt_->scratch)));
}

int __wrap_isatty(int fd)
{
	GUEST_ENTER("isatty");
	int64_t r = simk_fstat(fd, U(gt_->scratch));
	(void)GUEST_RET(r < 0 ? r : -ENOTTY);
	return 0;
}

pid_t __wrap_getpid(void)
{
	GUEST_ENTER("getpid");
	return (pid_t)GUEST_RET(simk_getpid());
}

pid_t __wrap_getppid(void)
{
	GUEST_ENTER("getppid");
	return (pid_t)GUEST_RET(simk_getppid());
}

pid_t __wrap_gettid(void)
{
	GUEST_ENTER("gettid");
	return (pid_t)GUEST_RET(simk_gettid());
}

/* Host limits would make runs differ between machines: fixed answers. */
long __wrap_sysconf(int name)
{
	GUEST_ENTER("sysconf");
	long r;
	switch (name) {
	case _SC_PAGESIZE:
		r = 4096;
		break;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		r = 1;
		break;
	case _SC_OPEN_MAX:
		r = 1024; /* vfs/file.h FD_MAX */
		break;
	case _SC_CLK_TCK:
		r = 100;
		break;
	case _SC_IOV_MAX:
		r = 1024;
		break;
	case _SC_AIO_LISTIO_MAX: /* syscalls/posix_aio: AIO_LISTIO_MAX */
		r = 4096;
		break;
	case _SC_AIO_MAX: /* outstanding requests of a process (docs/paio.md) */
		r = 1024;
		break;
	default:
		GUEST_LEAVE();
		gt_->err = EINVAL;
		return -1;
	}
	GUEST_LEAVE();
	return r;
}

int __wrap_getpagesize(void)
{
	return 4096;
}

const struct guest_call guest_calls_unistd[] = {
    GUEST_WRAP(read, ""),
    GUEST_WRAP(write, ""),
    GUEST_WRAP(pread, ""),
    GUEST_WRAP(pwrite, ""),
    GUEST_WRAP(pread64, ""),
    GUEST_WRAP(pwrite64, ""),
    GUEST_WRAP(readv, "at most 1024 vectors"),
    GUEST_WRAP(writev, "at most 1024 vectors"),
    GUEST_WRAP(lseek, ""),
    GUEST_WRAP(lseek64, ""),
    GUEST_WRAP(close, ""),
    GUEST_WRAP(fsync, "durable across a simulated power cut once it returns 0"),
    GUEST_WRAP(fdatasync, ""),
    GUEST_WRAP(ftruncate, ""),
    GUEST_WRAP(ftruncate64, ""),
    GUEST_WRAP(dup, ""),
    GUEST_WRAP(dup2, ""),
    GUEST_WRAP(pipe, "16 KiB of buffer; writes up to 4 KiB are atomic"),
    GUEST_WRAP(pipe2, "O_NONBLOCK and O_CLOEXEC"),
    GUEST_WRAP(unlink, "no working directory: relative paths start at the root"),
    GUEST_WRAP(rmdir, ""),
    GUEST_WRAP(link, ""),
    GUEST_WRAP(symlink, ""),
    GUEST_WRAP(readlink, ""),
    GUEST_WRAP(access, "existence only: no users, every permission is granted"),
    GUEST_WRAP(isatty, "0 (ENOTTY): the console is not a terminal"),
    GUEST_WRAP(getpid, ""),
    GUEST_WRAP(getppid, "the parent's pid in a forked child; 0 in the first process"),
    GUEST_WRAP(gettid, "the simulated thread's id"),
    GUEST_WRAP(sysconf, "fixed answers (one CPU, 4 KiB pages, 1024 fds, AIO limits); "
			"others EINVAL"),
    GUEST_WRAP(getpagesize, "4096"),
};
const int guest_calls_unistd_n = GUEST_NCALLS(guest_calls_unistd);
