/*
 * Private to vfs/: the per-run state of the VFS (s->subsys[] at its slot) and
 * the internal calls between its files. Nothing outside vfs/ includes it.
 */
#ifndef SIMK_VFS_PRIV_H
#define SIMK_VFS_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/lock.h"
#include "sim/engine.h"
#include "vfs/file.h"

struct simfs;

struct vfs_state {
	struct list_node files; /* every live struct file */
	uint64_t next_file_id;
	uint64_t files_live;
	struct simfs *mounted;	 /* the filesystem at "/" (NULL: none) */
	struct mutex ns_lock;	 /* the namespace: every walk, create, remove, mount */
	struct list_node fs_all; /* every filesystem instance of the run */
	struct list_node fs_watchers;
	uint64_t next_kaio_id;
	uint64_t next_fs_id;
	uint64_t next_pipe_id;
};

/* The current run's VFS state (panics outside a simulation). */
struct vfs_state *vfs_st(void);

/* file.c */
void vfs_files_end(struct vfs_state *st);
void fdtable_free(struct simk_proc *p);
/* After a failed run: free without closing or releasing anything. */
void fdtable_forget(struct simk_proc *p);
void vfs_files_forget(struct vfs_state *st);
int64_t file_lseek(struct file *fp, int64_t offset, int whence, int64_t size);
int fd_dup_min(struct simk_proc *p, int fd, int minfd, int fdflags);

/* vfs_check.c: KASSERTs the file accounting and, for every mounted
 * filesystem, the block allocator against the tree (the subsystem's check
 * callback). Any context; never sleeps. */
void vfs_check(struct simk *s);

/* simfs.c */
void simfs_end_all(struct vfs_state *st);
int simfs_leak_check(struct vfs_state *st, char *msg, size_t len);

/* Copies a NUL-terminated path from user memory into buf (VFS_PATH_MAX
 * bytes). 0, -EFAULT or -ENAMETOOLONG. */
int vfs_copyinstr(uaddr_t upath, char *buf, size_t buflen);

/* Trace helper: a vfs event ("vfs:..." name literal). */
static inline void vfs_trace(const char *name, int64_t a0, int64_t a1, int64_t a2, int64_t a3)
{
	trace_emit(TR_INFO, name, a0, a1, a2, a3);
}

/*
 * RLIMIT_FSIZE (kern/rlimit.h), as Linux's generic_write_checks applies it
 * to a regular file: a write for process p starting at or past p's limit
 * fails with EFBIG and SIGXFSZ (vfs_fsize_exceeded sends it: to the
 * writing thread, or to p when a kernel thread writes for it); one that
 * crosses it is cut at it. p NULL (a kernel write) has no limit.
 */
int64_t vfs_fsize_limit(const struct simk_proc *p);
void vfs_fsize_exceeded(struct simk_proc *p);

#endif
