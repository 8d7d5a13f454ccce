/*
 * simk system calls of the VFS: files, names, pipes, descriptors, poll,
 * and socket pairs. Values (flags, commands, errnos) are Linux's; structure
 * layouts in user memory are documented in docs/vfs.md. Thread context
 * only; results >= 0 or a negative errno.
 */
#ifndef SIMK_INCLUDE_VFS_H
#define SIMK_INCLUDE_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "simk/umem.h"

#ifdef __cplusplus
extern "C" {
#endif

int simk_open(simk_uaddr_t path, int flags, int mode);
int simk_close(int fd);
int64_t simk_read(int fd, simk_uaddr_t buf, size_t len);
int64_t simk_write(int fd, simk_uaddr_t buf, size_t len);
int64_t simk_pread(int fd, simk_uaddr_t buf, size_t len, int64_t offset);
int64_t simk_pwrite(int fd, simk_uaddr_t buf, size_t len, int64_t offset);
int64_t simk_readv(int fd, simk_uaddr_t iov, int iovcnt);
int64_t simk_writev(int fd, simk_uaddr_t iov, int iovcnt);
int64_t simk_lseek(int fd, int64_t offset, int whence);
int simk_fsync(int fd);
int simk_fdatasync(int fd);
int simk_ftruncate(int fd, int64_t length);
int simk_unlink(simk_uaddr_t path);
int simk_rename(simk_uaddr_t oldpath, simk_uaddr_t newpath);
int simk_link(simk_uaddr_t oldpath, simk_uaddr_t newpath);
int simk_mkdir(simk_uaddr_t path, int mode);
int simk_rmdir(simk_uaddr_t path);
int simk_stat(simk_uaddr_t path, simk_uaddr_t st);
int simk_lstat(simk_uaddr_t path, simk_uaddr_t st);
int simk_symlink(simk_uaddr_t target, simk_uaddr_t linkpath);
int64_t simk_readlink(simk_uaddr_t path, simk_uaddr_t buf, size_t len);
int simk_fstat(int fd, simk_uaddr_t st);
int simk_chmod(simk_uaddr_t path, int mode);
int simk_fchmod(int fd, int mode);
int simk_pipe(simk_uaddr_t fds);
int simk_pipe2(simk_uaddr_t fds, int flags);
int simk_dup(int fd);
int simk_dup2(int oldfd, int newfd);
int simk_fcntl(int fd, int cmd, long arg);
int simk_ioctl(int fd, unsigned long cmd, simk_uaddr_t arg);
int simk_poll(simk_uaddr_t fds, unsigned nfds, int timeout_ms);
int simk_socketpair(int domain, int type, int protocol, simk_uaddr_t sv);
int simk_shutdown(int fd, int how);
int64_t simk_send(int fd, simk_uaddr_t buf, size_t len, int flags);
int64_t simk_recv(int fd, simk_uaddr_t buf, size_t len, int flags);

#ifdef __cplusplus
}
#endif
#endif
