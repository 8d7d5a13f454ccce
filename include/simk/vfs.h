/*
 * simk system calls of the VFS: files, names, pipes, descriptors, poll and
 * socket pairs, with the flags, commands and user-memory layouts they use.
 * Values are Linux's (SIMK_O_CREAT == O_CREAT on Linux), except struct
 * simk_stat, simk's own fixed layout. Thread context only; results >= 0
 * or a negative errno. docs/vfs.md describes each call.
 */
#ifndef SIMK_INCLUDE_VFS_H
#define SIMK_INCLUDE_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* open flags */
#define SIMK_O_RDONLY 0
#define SIMK_O_WRONLY 1
#define SIMK_O_RDWR 2
#define SIMK_O_ACCMODE 3
#define SIMK_O_CREAT 0100
#define SIMK_O_EXCL 0200
#define SIMK_O_NOCTTY 0400
#define SIMK_O_TRUNC 01000
#define SIMK_O_APPEND 02000
#define SIMK_O_NONBLOCK 04000
#define SIMK_O_DSYNC 010000
#define SIMK_O_DIRECT 040000
#define SIMK_O_DIRECTORY 0200000
#define SIMK_O_NOFOLLOW 0400000
#define SIMK_O_CLOEXEC 02000000
#define SIMK_O_SYNC 04010000

/* File type bits of st_mode. */
#define SIMK_S_IFMT 0170000
#define SIMK_S_IFIFO 0010000
#define SIMK_S_IFCHR 0020000
#define SIMK_S_IFDIR 0040000
#define SIMK_S_IFREG 0100000
#define SIMK_S_IFLNK 0120000
#define SIMK_S_IFSOCK 0140000

/* struct stat as it is laid out in simulated user memory (simk's own fixed
 * layout, 88 bytes; times in virtual nanoseconds). */
struct simk_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode; /* type bits | permission bits */
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	int64_t st_size; /* bytes; pipes: bytes buffered */
	int64_t st_blksize;
	int64_t st_blocks; /* 512-byte units allocated */
	int64_t st_atime_ns;
	int64_t st_mtime_ns;
	int64_t st_ctime_ns;
	uint32_t st_type; /* the kind of file (regular, directory, pipe, ...) */
	uint32_t st_pad;
};

/* struct iovec (16 bytes). */
struct simk_iovec {
	uint64_t iov_base; /* user address */
	uint64_t iov_len;
};

/* lseek whence */
#define SIMK_SEEK_SET 0
#define SIMK_SEEK_CUR 1
#define SIMK_SEEK_END 2

/* fcntl commands and descriptor flags */
#define SIMK_F_DUPFD 0
#define SIMK_F_GETFD 1
#define SIMK_F_SETFD 2
#define SIMK_F_GETFL 3
#define SIMK_F_SETFL 4
#define SIMK_F_DUPFD_CLOEXEC 1030
#define SIMK_FD_CLOEXEC 1

/* ioctl commands (FIONSPACE is BSD's idea, with a number of our own) */
#define SIMK_FIONREAD 0x541B  /* int: bytes readable now */
#define SIMK_FIONBIO 0x5421   /* int: set/clear O_NONBLOCK */
#define SIMK_FIOASYNC 0x5452  /* int: SIGIO on readiness (file types that support it) */
#define SIMK_FIOSETOWN 0x8901 /* int: pid that gets SIGIO */
#define SIMK_FIOGETOWN 0x8903
#define SIMK_FIONSPACE 0x7301 /* int: bytes writable now without blocking */

/* poll events */
#define SIMK_POLLIN 0x001
#define SIMK_POLLPRI 0x002
#define SIMK_POLLOUT 0x004
#define SIMK_POLLERR 0x008
#define SIMK_POLLHUP 0x010
#define SIMK_POLLNVAL 0x020
#define SIMK_POLLRDNORM 0x040
#define SIMK_POLLRDBAND 0x080
#define SIMK_POLLWRNORM 0x100
#define SIMK_POLLWRBAND 0x200
#define SIMK_POLLRDHUP 0x2000

/* struct pollfd (8 bytes). */
struct simk_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* socketpair, shutdown, send/recv */
#define SIMK_AF_UNIX 1
#define SIMK_SOCK_STREAM 1
#define SIMK_SOCK_DGRAM 2
#define SIMK_SHUT_RD 0
#define SIMK_SHUT_WR 1
#define SIMK_SHUT_RDWR 2
#define SIMK_MSG_OOB 0x1
#define SIMK_MSG_PEEK 0x2
#define SIMK_MSG_DONTWAIT 0x40
#define SIMK_MSG_NOSIGNAL 0x4000

int simk_open(simk_uaddr_t path, int flags, int mode);
/* openat(2): a path relative to dirfd, or to the root when dirfd is
 * SIMK_AT_FDCWD (there is no working directory: the root is everyone's);
 * an absolute path ignores dirfd. A relative path with a directory fd is
 * -EOPNOTSUPP (not supported yet), with any other fd -ENOTDIR or -EBADF. */
#define SIMK_AT_FDCWD (-100)
int simk_openat(int dirfd, simk_uaddr_t path, int flags, int mode);
int simk_close(int fd);
int64_t simk_read(int fd, simk_uaddr_t buf, size_t len);
int64_t simk_write(int fd, simk_uaddr_t buf, size_t len);
int64_t simk_pread(int fd, simk_uaddr_t buf, size_t len, int64_t offset);
int64_t simk_pwrite(int fd, simk_uaddr_t buf, size_t len, int64_t offset);
/* iov: iovcnt struct simk_iovec */
int64_t simk_readv(int fd, simk_uaddr_t iov, int iovcnt);
int64_t simk_writev(int fd, simk_uaddr_t iov, int iovcnt);
int64_t simk_lseek(int fd, int64_t offset, int whence);
int simk_fsync(int fd);
int simk_fdatasync(int fd);
int simk_ftruncate(int fd, int64_t length);
/* paths: NUL-terminated, in user memory */
int simk_unlink(simk_uaddr_t path);
int simk_rename(simk_uaddr_t oldpath, simk_uaddr_t newpath);
int simk_link(simk_uaddr_t oldpath, simk_uaddr_t newpath);
int simk_mkdir(simk_uaddr_t path, int mode);
int simk_rmdir(simk_uaddr_t path);
/* st: a struct simk_stat */
int simk_stat(simk_uaddr_t path, simk_uaddr_t st);
int simk_lstat(simk_uaddr_t path, simk_uaddr_t st);
int simk_symlink(simk_uaddr_t target, simk_uaddr_t linkpath);
int64_t simk_readlink(simk_uaddr_t path, simk_uaddr_t buf, size_t len);
int simk_fstat(int fd, simk_uaddr_t st);
int simk_chmod(simk_uaddr_t path, int mode);
int simk_fchmod(int fd, int mode);
/* fds: int[2] */
int simk_pipe(simk_uaddr_t fds);
int simk_pipe2(simk_uaddr_t fds, int flags);
int simk_dup(int fd);
int simk_dup2(int oldfd, int newfd);
int simk_fcntl(int fd, int cmd, long arg);
/* arg: an int in user memory */
int simk_ioctl(int fd, unsigned long cmd, simk_uaddr_t arg);
/* fds: nfds struct simk_pollfd; timeout_ms < 0 waits forever */
int simk_poll(simk_uaddr_t fds, unsigned nfds, int timeout_ms);
/* sv: int[2] */
int simk_socketpair(int domain, int type, int protocol, simk_uaddr_t sv);
int simk_shutdown(int fd, int how);
int64_t simk_send(int fd, simk_uaddr_t buf, size_t len, int flags);
int64_t simk_recv(int fd, simk_uaddr_t buf, size_t len, int flags);

#ifdef __cplusplus
}
#endif
#endif
