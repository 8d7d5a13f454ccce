/*
 * <fcntl.h> and <sys/stat.h> for guests: opening files and asking about
 * them, through the simulated VFS. struct stat differs between Linux's
 * layout (what the guest holds) and simk's (struct simk_stat, what the
 * kernel writes), so the stat calls pass the thread's scratch buffer to
 * the kernel and convert; a bad pointer for the result is EFAULT, as on
 * Linux (checked after the call).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "guest/guest.h"
#include "simk/vfs.h"

#define FAMILY "fcntl.h"

#define U(p) ((simk_uaddr_t)(uintptr_t)(p))

static int open_at(struct guest_thread *gt, int dirfd, const char *path, int flags, int mode)
{
	guest_refuse_host_path(gt, gt->call, path);
	int r = guest_fs_ensure(gt);
	if (r == 0)
		r = simk_openat(dirfd, U(path), flags, mode);
	GUEST_LEAVE_GT(gt);
	return (int)guest_ret(gt, r);
}

/* The mode is there only with O_CREAT (or O_TMPFILE). */
#define MODE_ARG(flags)                                                                            \
	int mode = 0;                                                                              \
	if ((flags)&O_CREAT) {                                                                     \
		va_list ap;                                                                        \
		va_start(ap, flags);                                                               \
		mode = va_arg(ap, int);                                                            \
		va_end(ap);                                                                        \
	}

int __wrap_open(const char *path, int flags, ...)
{
	MODE_ARG(flags);
	GUEST_ENTER("open");
	return open_at(gt_, AT_FDCWD, path, flags, mode);
}

int __wrap_open64(const char *path, int flags, ...)
{
	MODE_ARG(flags);
	GUEST_ENTER("open");
	return open_at(gt_, AT_FDCWD, path, flags, mode);
}

int __wrap___open_2(const char *path, int flags)
{
	GUEST_ENTER("open");
	return open_at(gt_, AT_FDCWD, path, flags, 0);
}

int __wrap___open64_2(const char *path, int flags)
{
	GUEST_ENTER("open");
	return open_at(gt_, AT_FDCWD, path, flags, 0);
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	MODE_ARG(flags);
	GUEST_ENTER("openat");
	return open_at(gt_, dirfd, path, flags, mode);
}

int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
	MODE_ARG(flags);
	GUEST_ENTER("openat");
	return open_at(gt_, dirfd, path, flags, mode);
}

int __wrap_creat(const char *path, mode_t mode)
{
	GUEST_ENTER("creat");
	return open_at(gt_, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode);
}

int __wrap_creat64(const char *path, mode_t mode)
{
	GUEST_ENTER("creat");
	return open_at(gt_, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, (int)mode);
}

static int do_fcntl(struct guest_thread *gt, int fd, int cmd, va_list ap)
{
	long arg = 0;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETFD:
	case F_SETFL:
		arg = va_arg(ap, int);
		break;
	case F_GETFD:
	case F_GETFL:
		break;
	default: /* locks, owners, leases: not supported by the kernel */
		arg = (long)(uintptr_t)va_arg(ap, void *);
		break;
	}
	int64_t r = simk_fcntl(fd, cmd, arg);
	GUEST_LEAVE_GT(gt);
	return (int)guest_ret(gt, r);
}

int __wrap_fcntl(int fd, int cmd, ...)
{
	GUEST_ENTER("fcntl");
	va_list ap;
	va_start(ap, cmd);
	int r = do_fcntl(gt_, fd, cmd, ap);
	va_end(ap);
	return r;
}

int __wrap_fcntl64(int fd, int cmd, ...)
{
	GUEST_ENTER("fcntl");
	va_list ap;
	va_start(ap, cmd);
	int r = do_fcntl(gt_, fd, cmd, ap);
	va_end(ap);
	return r;
}

static struct timespec ts_of(int64_t ns)
{
	struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
	return t;
}

/* Converts the kernel's answer in scratch into the guest's struct stat. */
static int stat_out(struct guest_thread *gt, int64_t r, struct stat *out)
{
	if (r == 0) {
		struct guest_run *run = guest_run_of(gt);
		if (run == NULL || !guest_user_writable(run, out, sizeof(*out))) {
			r = -EFAULT;
		} else {
			struct simk_stat k;
			memcpy(&k, gt->scratch, sizeof(k));
			memset(out, 0, sizeof(*out));
			out->st_dev = k.st_dev;
			out->st_ino = k.st_ino;
			out->st_mode = k.st_mode;
			out->st_nlink = k.st_nlink;
			out->st_uid = k.st_uid;
			out->st_gid = k.st_gid;
			out->st_size = k.st_size;
			out->st_blksize = k.st_blksize;
			out->st_blocks = k.st_blocks;
			out->st_atim = ts_of(k.st_atime_ns);
			out->st_mtim = ts_of(k.st_mtime_ns);
			out->st_ctim = ts_of(k.st_ctime_ns);
		}
	}
	GUEST_LEAVE_GT(gt);
	return (int)guest_ret(gt, r);
}

#define STAT_PATH(name, stub)                                                                      \
	GUEST_ENTER(name);                                                                         \
	guest_refuse_host_path(gt_, name, path);                                                   \
	int fs_ = guest_fs_ensure(gt_);                                                            \
	int64_t r_ = fs_ != 0 ? fs_ : stub(U(path), U(gt_->scratch));                              \
	return stat_out(gt_, r_, st)

int __wrap_stat(const char *path, struct stat *st)
{
	STAT_PATH("stat", simk_stat);
}

int __wrap_stat64(const char *path, struct stat *st)
{
	STAT_PATH("stat", simk_stat);
}

int __wrap_lstat(const char *path, struct stat *st)
{
	STAT_PATH("lstat", simk_lstat);
}

int __wrap_lstat64(const char *path, struct stat *st)
{
	STAT_PATH("lstat", simk_lstat);
}

int __wrap_fstat(int fd, struct stat *st)
{
	GUEST_ENTER("fstat");
	return stat_out(gt_, simk_fstat(fd, U(gt_->scratch)), st);
}

int __wrap_fstat64(int fd, struct stat *st)
{
	GUEST_ENTER("fstat");
	return stat_out(gt_, simk_fstat(fd, U(gt_->scratch)), st);
}

int __wrap_mkdir(const char *path, mode_t mode)
{
	GUEST_ENTER("mkdir");
	int r = guest_fs_ensure(gt_);
	return (int)GUEST_RET(r != 0 ? r : simk_mkdir(U(path), (int)mode));
}

int __wrap_chmod(const char *path, mode_t mode)
{
	GUEST_ENTER("chmod");
	int r = guest_fs_ensure(gt_);
	return (int)GUEST_RET(r != 0 ? r : simk_chmod(U(path), (int)mode));
}

int __wrap_fchmod(int fd, mode_t mode)
{
	GUEST_ENTER("fchmod");
	return (int)GUEST_RET(simk_fchmod(fd, (int)mode));
}

const struct guest_call guest_calls_fcntl[] = {
    GUEST_WRAP(open, "the simulated VFS; relative paths start at the root"),
    GUEST_WRAP(open64, ""),
    GUEST_WRAP(__open_2, "_FORTIFY_SOURCE form of open"),
    GUEST_WRAP(__open64_2, "_FORTIFY_SOURCE form of open64"),
    GUEST_WRAP(openat, "AT_FDCWD or an absolute path; a path relative to a directory fd is "
		       "EOPNOTSUPP"),
    GUEST_WRAP(openat64, ""),
    GUEST_WRAP(creat, ""),
    GUEST_WRAP(creat64, ""),
    GUEST_WRAP(fcntl, "F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL; no locks"),
    GUEST_WRAP(fcntl64, ""),
    GUEST_WRAP(stat, "times in virtual time; st_rdev 0"),
    GUEST_WRAP(stat64, ""),
    GUEST_WRAP(lstat, ""),
    GUEST_WRAP(lstat64, ""),
    GUEST_WRAP(fstat, "the console is a character device"),
    GUEST_WRAP(fstat64, ""),
    GUEST_WRAP(mkdir, ""),
    GUEST_WRAP(chmod, "kept, never enforced (no users)"),
    GUEST_WRAP(fchmod, ""),
};
const int guest_calls_fcntl_n = GUEST_NCALLS(guest_calls_fcntl);
