/*
 * The VFS system calls and the kernel-side file API.
 *
 * What it offers
 * --------------
 * - The file system calls, Linux style (a result >= 0 or a negative
 *   errno), Linux argument order, with user buffers and paths as user
 *   addresses (kern/umem.h) of the calling process: an address the process
 *   does not own gives -EFAULT, a path longer than VFS_PATH_MAX (or a name
 *   longer than VFS_NAME_MAX) -ENAMETOOLONG.
 * - A filesystem ("simfs") on a block device mounted at "/", and more
 *   mounted on its directories (each on its own device), with
 *   directories, hard links, symbolic links and a buffer cache. Its
 *   durability rules are in docs/vfs.md: after fsync/fdatasync returns 0,
 *   the file's data and size survive a power cut; after fsync also its
 *   metadata (mode, times) and its names (the directory entries that
 *   point to it).
 * - Pipes (blocking and non-blocking, PIPE_BUF atomicity, EOF when every
 *   writer closed, -EPIPE and SIGPIPE when every reader closed).
 * - The kernel API other subsystems use: path lookup to a vnode (event
 *   ports' PORT_SOURCE_FILE), vnode attributes, mount/unmount.
 *
 * What the caller guarantees
 * --------------------------
 * - sys_* are called in thread context of a user process (sim_proc_current)
 *   that has a fd table (created on first use). They may sleep.
 * - vn_* and vfs_* kernel calls: thread context unless noted.
 */
#ifndef SIMK_VFS_VFS_H
#define SIMK_VFS_VFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "simk/vfs.h"

#include "kern/umem.h"
#include "vfs/file.h"

#define VFS_PATH_MAX 1024   /* bytes including the NUL (PATH_MAX is 4096 on Linux) */
#define VFS_NAME_MAX 60	    /* bytes of one path component (directory entries) */
#define PIPE_BUF_SIZE 4096  /* PIPE_BUF: writes up to this size are atomic */
#define PIPE_CAPACITY 16384 /* bytes a pipe buffers */

/* The user-visible flags, commands and layouts (struct simk_stat, struct
 * simk_iovec, SIMK_SEEK_*, SIMK_F_*, SIMK_FIO*) are public:
 * include/simk/vfs.h. */

/* ---- system calls ------------------------------------------------------- */

int sys_open(uaddr_t path, int flags, int mode);
/* openat: see include/simk/vfs.h (simk_openat). */
int sys_openat(int dirfd, uaddr_t path, int flags, int mode);
int sys_close(int fd);
ssize_t sys_read(int fd, uaddr_t buf, size_t len);
ssize_t sys_write(int fd, uaddr_t buf, size_t len);
ssize_t sys_pread(int fd, uaddr_t buf, size_t len, int64_t offset);
ssize_t sys_pwrite(int fd, uaddr_t buf, size_t len, int64_t offset);
/* iov: user address of iovcnt struct simk_iovec; iovcnt in [0, UIO_IOV_MAX]. */
ssize_t sys_readv(int fd, uaddr_t iov, int iovcnt);
ssize_t sys_writev(int fd, uaddr_t iov, int iovcnt);
int64_t sys_lseek(int fd, int64_t offset, int whence);
int sys_fsync(int fd);
int sys_fdatasync(int fd);
int sys_ftruncate(int fd, int64_t length);
int sys_unlink(uaddr_t path);
int sys_rename(uaddr_t oldpath, uaddr_t newpath);
int sys_link(uaddr_t oldpath, uaddr_t newpath);
int sys_mkdir(uaddr_t path, int mode);
int sys_rmdir(uaddr_t path);
/* st: user address of a struct simk_stat. */
int sys_stat(uaddr_t path, uaddr_t st);
/* lstat: a symbolic link in the last component is described itself. */
int sys_lstat(uaddr_t path, uaddr_t st);
/* symlink(2): linkpath names a new link holding target (not checked). */
int sys_symlink(uaddr_t target, uaddr_t linkpath);
/* readlink(2): up to len bytes of the target, no NUL; -EINVAL on a
 * non-link (and for len 0). */
ssize_t sys_readlink(uaddr_t path, uaddr_t buf, size_t len);
int sys_fstat(int fd, uaddr_t st);
int sys_chmod(uaddr_t path, int mode);
int sys_fchmod(int fd, int mode);
/* fds: user address of int[2] (read end, write end). */
int sys_pipe(uaddr_t fds);
/* flags: O_NONBLOCK | O_CLOEXEC; others -EINVAL. */
int sys_pipe2(uaddr_t fds, int flags);
int sys_dup(int fd);
int sys_dup2(int oldfd, int newfd);
int sys_fcntl(int fd, int cmd, long arg);
/* arg: user address of an int for the FIO* commands. */
int sys_ioctl(int fd, unsigned long cmd, uaddr_t arg);
/* sys_poll is in vfs/poll.h; fork is kern/proc.h's proc_fork (the VFS
 * fork hook shares the fd table's files with the child). */

/* ---- kernel API ---------------------------------------------------------- */

/* The console (vfs/console.c): installs fds 0 (reads give end of file), 1
 * and 2 (writes are the run's output) in p's empty fd table. Thread
 * context. 0, -EBUSY (fds already open), -EMFILE, -ENOMEM. Each write is
 * one vfs:console_write event (stream, bytes, FNV-1a of the bytes) and
 * goes to the sink, if one is set (once per host process). */
int vfs_console_install(struct simk_proc *p);
typedef void (*vfs_console_sink_fn)(int stream, const void *buf, size_t len);
void vfs_console_set_sink(vfs_console_sink_fn fn);

struct vnode;

/* Same as the syscalls, for kernel callers and tests: host strings and
 * buffers, explicit process. */
int kvfs_open(struct simk_proc *p, const char *path, int flags, int mode);
int kvfs_mkdir(const char *path, int mode);
int kvfs_rmdir(const char *path);
int kvfs_unlink(const char *path);
int kvfs_link(const char *oldpath, const char *newpath);
int kvfs_rename(const char *oldpath, const char *newpath);
int kvfs_chmod(const char *path, int mode);
int kvfs_stat(const char *path, struct simk_stat *st);
int kvfs_lstat(const char *path, struct simk_stat *st);
int kvfs_symlink(const char *target, const char *linkpath);
ssize_t kvfs_readlink(const char *path, char *buf, size_t len);
/* Reads a whole file into buf (up to len bytes); returns bytes or errno. */
ssize_t kvfs_read_file(const char *path, void *buf, size_t len, int64_t offset);
ssize_t kvfs_write_file(const char *path, const void *buf, size_t len, int64_t offset);

/* Looks a path up; on success *vpp holds a reference (vn_rele it). Returns
 * 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EINVAL (no filesystem mounted). */
int vfs_lookup(const char *path, struct vnode **vpp);
/* follow false: a symbolic link in the last component is returned itself
 * (vfs_lookup follows it). */
int vfs_lookup_flags(const char *path, bool follow, struct vnode **vpp);
void vn_hold(struct vnode *vn);
/* Any context (the final release of an unlinked file is deferred). */
void vn_rele(struct vnode *vn);
/* Attributes (any context; never does I/O). */
void vn_stat(struct vnode *vn, struct simk_stat *st);
bool vn_is_dir(const struct vnode *vn);
uint64_t vn_ino(const struct vnode *vn);

/* Mount options of a filesystem. */
struct vfs_mount_opts {
	uint32_t block_size;	 /* bytes per filesystem block (default 4096) */
	uint32_t ninodes;	 /* inode table size (default 256) */
	uint32_t cache_blocks;	 /* buffer cache capacity in blocks (default 256) */
	uint64_t flush_delay_ns; /* the flusher commits changes this old (default 30 ms);
				  * after a failed commit it waits as long again */
	uint32_t lowspace_pct;	 /* FSEV_LOWDISK below this % free (default 5) */
	bool format;		 /* mkfs before mounting (default true) */
};
void vfs_mount_opts_default(struct vfs_mount_opts *o);

struct blkdev; /* drivers/blkdev.h */
/* Formats (if asked) and mounts the filesystem on dev at path: "/" first
 * (while nothing is mounted, nothing else can be), then on any directory.
 * Watchers of a directory mounted on hear FN_MOUNTED_OVER; the walk then
 * enters the new filesystem there. Thread context. 0, -EBUSY ("/" or the
 * root of a mounted filesystem, or dev carries a mounted filesystem),
 * -EINVAL (bad options or device too small; a path other than "/" while
 * nothing is mounted), -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG (the
 * path), -EIO, -ENOMEM, or -EUCLEAN (format=false and no valid filesystem
 * on the device). */
int vfs_mount_at(struct blkdev *dev, const struct vfs_mount_opts *o, const char *path);
/* vfs_mount_at(dev, o, "/"). */
int vfs_mount(struct blkdev *dev, const struct vfs_mount_opts *o);
/* The option check of vfs_mount alone (no I/O, any context): 0, or -EINVAL
 * when vfs_mount would refuse o on dev (block size not a power of two in
 * 512..65536 or not a multiple of the sector size, fewer than 2 inodes or
 * 4 cache blocks, inode table too large, device too small). */
int vfs_mount_check(struct blkdev *dev, const struct vfs_mount_opts *o);
/* Writes everything back and unmounts the filesystem whose root path
 * names; watchers of its vnodes hear FN_UNMOUNT. -EBUSY while a file of it
 * is open or something is mounted on one of its directories, -EINVAL when
 * nothing is mounted or path is not the root of a mounted filesystem,
 * the lookup's errno, or the final commit's. Thread context. */
int vfs_unmount_at(const char *path);
/* vfs_unmount_at("/"). */
int vfs_unmount(void);
/* Power cut of the machine: cuts the power of the device of every mounted
 * filesystem (blkdev_power_cut with blk_flags, BLK_CUT_TEAR to tear a
 * sector; torn_sector reports the one of the device at "/") and kills
 * them without writing anything: every later operation on their files
 * returns -EIO, operations in flight fail with -EIO, their caches are
 * dropped, the tree is empty. Any context. Then vfs_mount(dev,
 * format=false) recovers what is on stable media. */
void vfs_power_cut(unsigned blk_flags, uint64_t *torn_sector);
bool vfs_mounted(void);
/* A filesystem is mounted, or being mounted (its format or load under
 * way): vfs_power_cut has something to kill. Any context. */
bool vfs_alive(void);

/* Counters of the mounted filesystem (tests, benchmarks, `simk` stats). */
struct vfs_stats {
	uint64_t commits;	  /* successful commits (fsync, O_SYNC, flusher...) */
	uint64_t commit_errors;	  /* commits that failed (the caller got an errno) */
	uint64_t commits_unknown; /* of those, failed after the superblock write was
				     sent: the disk may hold them (docs/vfs.md) */
	uint64_t flusher_commits; /* commits started by the flusher */
	uint64_t data_blocks_written, meta_blocks_written;
	uint64_t cache_hits, cache_misses, cache_evictions, cache_overflows;
	uint64_t dio_reads, dio_writes;	  /* direct requests accepted */
	uint64_t io_errors;		  /* device requests that ended with an error */
	uint64_t ios_submitted, ios_done; /* device requests of the filesystem */
	uint64_t durable_seq;		  /* sequence number of the durable superblock */
	uint32_t cached_buffers, dirty_buffers;
	uint32_t free_blocks, total_blocks;
	uint32_t free_inodes;
};
/* The filesystem at "/": 0, or -EINVAL when nothing is mounted. Any context. */
int vfs_get_stats(struct vfs_stats *out);
/* The filesystem holding what path names: 0, -EINVAL (nothing mounted),
 * or the lookup's errno. Thread context. */
int vfs_get_stats_at(const char *path, struct vfs_stats *out);

/* Registered once from syscalls/builtin.c. */
void vfs_register(void);

#endif
