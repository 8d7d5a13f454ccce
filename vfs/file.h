/*
 * Open files, the file-operations vector, and per-process fd tables.
 *
 * What it offers
 * --------------
 * - struct file: one open file description (what open(2), pipe(2) or a
 *   subsystem's create call makes). It has a reference count, the open
 *   flags (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_SYNC | O_DSYNC),
 *   a shared offset, a file-ops vector, the subsystem's private data and,
 *   for files of the filesystem, the vnode. Descriptors that share a file
 *   (dup, fork) share its offset and its status flags.
 * - struct file_ops: every operation a file type may implement. A NULL
 *   entry means "not supported" and the generic layer answers with the
 *   errno documented at each entry. Subsystems (eventfd, event ports,
 *   kqueue, socketpair) make their own file types with file_alloc().
 * - struct uio: a transfer description (BSD style) that names whose memory
 *   the bytes live in, so a kernel worker thread (POSIX AIO, Linux AIO
 *   retry) can run a read for a user process.
 * - struct kaio_req: the asynchronous entry point. A file type that can do
 *   truly asynchronous I/O (regular files opened with O_DIRECT) accepts the
 *   request and later calls req->done exactly once, in interrupt context.
 *   Others answer -EOPNOTSUPP and the caller falls back to a thread.
 * - fd tables (one per process, in simk_proc.fdtable): lowest-free
 *   allocation, dup/dup2, per-descriptor FD_CLOEXEC, fork copying (the
 *   child shares every open file and its offset), closing everything when
 *   the process exits, and close observers: subsystems learn that a
 *   descriptor was closed (kqueue drops knotes, ports dissociate, AIO
 *   cancels).
 *
 * What the caller guarantees
 * --------------------------
 * - A struct file is used only while the caller holds a reference
 *   (file_hold / fd_get) and the reference is dropped exactly once
 *   (file_put). The last file_put calls ops->release in thread context;
 *   file_put from interrupt context defers that to a work queue.
 * - fd_* calls are made in thread context, on a process that has not
 *   finished exiting; they never sleep except where noted (fd_close and
 *   process exit run close observers, which may sleep).
 * - Close observers are registered once per host process, from a
 *   subsystem's registration function (before any simulation runs).
 */
#ifndef SIMK_VFS_FILE_H
#define SIMK_VFS_FILE_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/umem.h"
#include "kern/waitq.h"
#include "kern/workqueue.h"
#include "sim/engine.h"

/* Open flags: the host's <fcntl.h> values, which are Linux's (checked). */
_Static_assert(O_RDONLY == 0 && O_WRONLY == 1 && O_RDWR == 2, "Linux O_ACCMODE");
_Static_assert(O_CREAT == 0100 && O_EXCL == 0200 && O_TRUNC == 01000, "Linux open flags");
_Static_assert(O_APPEND == 02000 && O_NONBLOCK == 04000, "Linux open flags");
_Static_assert(O_DSYNC == 010000 && O_SYNC == 04010000, "Linux O_SYNC/O_DSYNC");
_Static_assert(O_DIRECT == 040000 && O_CLOEXEC == 02000000, "Linux O_DIRECT/O_CLOEXEC");

/* Status flags kept on the file (F_GETFL/F_SETFL; F_SETFL may change only
 * O_APPEND, O_NONBLOCK and O_DIRECT). */
#define FILE_STATUS_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_SYNC | O_DSYNC)
#define FILE_SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_DIRECT)

#define FD_MAX 1024	 /* descriptors per process (-EMFILE past it) */
#define UIO_IOV_MAX 1024 /* iovecs per readv/writev (-EINVAL past it) */

enum file_type {
	FT_NONE = 0,
	FT_REGULAR,
	FT_DIR,
	FT_PIPE,
	FT_PORT,    /* event port (syscalls/portfs) */
	FT_KQUEUE,  /* kqueue (syscalls/kqueue) */
	FT_EVENTFD, /* eventfd (syscalls/linux_aio) */
	FT_SOCKET,  /* socketpair (added by kqueue) */
	FT_OTHER,
	FT_SYMLINK, /* st_type of a symbolic link (lstat); never an open file */
};
const char *file_type_name(enum file_type t);

struct file;
struct vnode;
struct poll_head;
struct knote; /* owned by kqueue; opaque here */
struct simk_stat;

/* ---- transfers -------------------------------------------------------- */

enum uio_seg {
	UIO_USERSPACE = 0, /* iov bases are user addresses of uio->proc */
	UIO_SYSSPACE,	   /* iov bases are host pointers (kernel buffers) */
};
enum uio_rw { UIO_READ = 0, UIO_WRITE };

struct uio_vec {
	uint64_t base; /* uaddr_t, or (uintptr_t) host pointer for SYSSPACE */
	size_t len;
};

/*
 * A transfer in progress. The file op moves bytes with uiomove(), which
 * advances iov/iovcnt, offset and resid. `offset` is where the transfer
 * starts in the file: the generic layer sets it from the file's offset (or
 * the pread/pwrite argument) and stores it back afterwards for plain
 * read/write. A write op on an O_APPEND file sets offset to the end of
 * file itself (under its own lock) before moving bytes.
 */
struct uio {
	struct simk_proc *proc; /* owner of the user memory (SYSSPACE: unused) */
	enum uio_seg seg;
	enum uio_rw rw;
	struct uio_vec *iov; /* consumed front to back */
	int iovcnt;
	int64_t offset;
	size_t resid; /* bytes still to move (sum of iov lens) */
};

/* Fills a one-vector uio (vec is caller storage that must outlive uio). */
void uio_init_user(struct uio *u, struct uio_vec *vec, struct simk_proc *p, enum uio_rw rw,
		   uaddr_t buf, size_t len, int64_t offset);
void uio_init_kernel(struct uio *u, struct uio_vec *vec, enum uio_rw rw, void *buf, size_t len,
		     int64_t offset);
/* Moves up to n bytes between kbuf and the uio in the uio's direction
 * (UIO_READ: kbuf -> user). Returns 0 or -EFAULT (a partial move is
 * accounted in the uio). Context: any (uses copyin_proc/copyout_proc). */
int uiomove(void *kbuf, size_t n, struct uio *u);

/* ioflags: how one call wants the transfer done, on top of the file's
 * status flags. */
#define IOF_NONBLOCK 0x1 /* never sleep waiting for data/space: -EAGAIN */
#define IOF_EXPLICIT 0x2 /* pread/pwrite: offset given, file offset untouched */

/* ---- asynchronous entry point (AIO) ------------------------------------ */

enum kaio_op { KAIO_READ = 0, KAIO_WRITE, KAIO_FSYNC, KAIO_FDSYNC };

struct kaio_req;
/* Completion: res is the byte count or a negative errno (-EIO, -EFAULT...).
 * Called exactly once per accepted request, in interrupt context (must
 * not sleep), or from thread context for a request cancelled by
 * ops->aio_cancel (res = -ECANCELED, see there). */
typedef void (*kaio_done_fn)(struct kaio_req *r, ssize_t res);

struct kaio_req {
	/* filled by the submitter */
	enum kaio_op op;
	struct simk_proc *proc; /* whose user memory iov points into */
	struct uio_vec *iov;	/* user addresses; must stay valid until done */
	int iovcnt;
	int64_t offset;
	kaio_done_fn done;
	void *priv; /* submitter's */
	/* owned by the file type while accepted (zero before submitting) */
	void *fs_priv;
	uint64_t id; /* set by the file type: deterministic request number */
};

/* ---- the operations ------------------------------------------------------ */

/*
 * Every op runs in thread context unless noted and may sleep unless it is
 * called with IOF_NONBLOCK (read/write) or is marked "must not sleep".
 * Return values are Linux style: >= 0 result or a negative errno.
 * Default answers for a NULL entry are in brackets.
 */
struct file_ops {
	const char *name;
	/* [-EINVAL] Reads into uio from uio->offset. Returns bytes moved
	 * (0 = end of file / no writers), -EAGAIN when it would block and
	 * IOF_NONBLOCK or O_NONBLOCK is set, -EINTR, -EIO, -EFAULT (only when
	 * nothing was moved; otherwise the partial count). */
	ssize_t (*read)(struct file *fp, struct uio *uio, int ioflags);
	/* [-EINVAL] Writes from uio at uio->offset (see O_APPEND above).
	 * Returns bytes moved or -EAGAIN, -EPIPE, -ENOSPC, -EFBIG, -EIO,
	 * -EFAULT, -EINTR as for read. */
	ssize_t (*write)(struct file *fp, struct uio *uio, int ioflags);
	/* [0 for files with no cached state] datasync: only what is needed to
	 * read the data back (fdatasync). Returns 0 or -EIO. */
	int (*fsync)(struct file *fp, bool datasync);
	/* [POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM, no head] Current readiness,
	 * restricted to interest plus POLLERR|POLLHUP|POLLNVAL. When php is
	 * not NULL it receives the poll head whose listeners hear every later
	 * change (NULL: readiness never changes). Must not sleep. */
	unsigned (*poll)(struct file *fp, unsigned interest, struct poll_head **php);
	/* [NULL: kqueue uses its generic filter over poll + FIONREAD/FIONSPACE]
	 * kqueue calls this to let a file type attach a knote itself. */
	int (*kqfilter)(struct file *fp, struct knote *kn);
	/* [-ENOTTY] Commands in vfs/vfs.h (FIONREAD, FIONBIO, FIOASYNC, ...).
	 * arg is a kernel pointer (the syscall layer copies). */
	int (*ioctl)(struct file *fp, unsigned long cmd, void *arg);
	/* [fills type and mode only] */
	int (*stat)(struct file *fp, struct simk_stat *st);
	/* [-ESPIPE] Validates a new offset for lseek (the generic layer
	 * computes it; SEEK_END asks for the size through stat). */
	int (*seek)(struct file *fp, int64_t new_offset);
	/* [-EINVAL] Truncate/extend (ftruncate). */
	int (*truncate)(struct file *fp, int64_t length);
	/* [-EOPNOTSUPP] Accepts r and returns 0: r->done will be called exactly
	 * once (interrupt context), never from inside this call. -EOPNOTSUPP:
	 * this file cannot do it asynchronously, use a thread. Other negative
	 * errno: refused now (-EINVAL for misaligned O_DIRECT, -EFAULT, -EFBIG,
	 * -ENOSPC, -EIO on a dead filesystem), done is not called. Thread
	 * context; may sleep for locks and block allocation (like Linux's
	 * io_submit) but never waits for the transfer itself. */
	int (*aio_submit)(struct file *fp, struct kaio_req *r);
	/* [-EAGAIN] Cancels an accepted request: 0 and r->done(-ECANCELED)
	 * already called (from this call), or -EAGAIN when it is already on
	 * the device (it will complete normally). Must not sleep. */
	int (*aio_cancel)(struct file *fp, struct kaio_req *r);
	/* [nothing] The last reference is gone: free private data. Thread
	 * context; may sleep. */
	void (*release)(struct file *fp);
};

/* ---- the open file --------------------------------------------------- */

struct file {
	int refcount; /* references: descriptors, in-flight requests... */
	enum file_type type;
	int flags;	/* FILE_STATUS_FLAGS */
	int64_t offset; /* shared by dup'ed / inherited descriptors */
	const struct file_ops *ops;
	void *priv;	     /* the file type's */
	struct vnode *vnode; /* filesystem files (held while the file lives) */
	uint64_t id;	     /* serial number in this run (traces, dumps) */
	/* internal */
	bool pos_busy;		  /* a read/write/lseek owns the offset */
	struct waitq pos_wq;	  /* waiters for pos_busy */
	struct list_node all;	  /* every live file of the run (leak reports) */
	struct work release_work; /* deferred release after an irq file_put */
};

/* Allocates a file with one reference. NULL on -ENOMEM. Thread or
 * interrupt context. */
struct file *file_alloc(enum file_type type, const struct file_ops *ops, void *priv, int flags);
void file_hold(struct file *fp);
/* Drops one reference; the last one calls ops->release (deferred to a
 * work queue when called from interrupt context). */
void file_put(struct file *fp);
static inline bool file_readable(const struct file *fp)
{
	return (fp->flags & O_ACCMODE) != O_WRONLY;
}
static inline bool file_writable(const struct file *fp)
{
	return (fp->flags & O_ACCMODE) != O_RDONLY;
}

/* Generic entry points over the ops, with the checks of the syscalls
 * (EBADF for the wrong access mode, offset handling, the pos lock). Used by
 * the syscall layer and by AIO workers. */
ssize_t file_read(struct file *fp, struct uio *uio, int ioflags);
ssize_t file_write(struct file *fp, struct uio *uio, int ioflags);
int file_fsync(struct file *fp, bool datasync);
/* Current readiness (see file_ops.poll). Any context. */
unsigned file_poll(struct file *fp, unsigned interest, struct poll_head **php);
/* ops->aio_submit or -EOPNOTSUPP; checks the access mode (-EBADF). */
int file_aio_submit(struct file *fp, struct kaio_req *r);
int file_aio_cancel(struct file *fp, struct kaio_req *r);

/* ---- fd tables --------------------------------------------------------- */

#define FD_CLOEXEC_FLAG 1 /* FD_CLOEXEC */

/* Reserves the lowest free descriptor >= minfd in p. Returns it or
 * -EMFILE / -ENOMEM. The slot stays reserved (invisible to fd_get) until
 * fd_install or fd_unreserve. */
int fd_alloc(struct simk_proc *p, int minfd);
void fd_unreserve(struct simk_proc *p, int fd);
/* Installs fp (consumes one reference) into a reserved slot. */
void fd_install(struct simk_proc *p, int fd, struct file *fp, int fdflags);
/* Takes a reference on the file behind fd: 0 or -EBADF. */
int fd_get(struct simk_proc *p, int fd, struct file **fpp);
/* True while fd still names fp (for registrations that raced a close:
 * check after attaching, undo when false). Does not take a reference. */
bool fd_is(struct simk_proc *p, int fd, const struct file *fp);
/* Closes fd: frees the slot, runs the close observers (they may sleep),
 * drops the table's reference. 0 or -EBADF. */
int fd_close(struct simk_proc *p, int fd);
int fd_dup(struct simk_proc *p, int fd);
/* dup2: newfd closed first when open; oldfd == newfd returns newfd after
 * checking oldfd. -EBADF for a bad oldfd or newfd outside [0, FD_MAX). */
int fd_dup2(struct simk_proc *p, int oldfd, int newfd);
int fd_getflags(struct simk_proc *p, int fd);		   /* FD_CLOEXEC or -EBADF */
int fd_setflags(struct simk_proc *p, int fd, int fdflags); /* 0 or -EBADF */
/* Closes every descriptor with FD_CLOEXEC (called by exec). */
void fd_close_on_exec(struct simk_proc *p);
/* Closes every descriptor (process exit; also run by the VFS proc_exit
 * hook). */
void fd_close_all(struct simk_proc *p);
/* Number of open descriptors (tests). */
int fd_count(struct simk_proc *p);

/* A close observer: called for every descriptor closed (close, dup2 over
 * an open fd, exec, process exit), in thread context of the closing
 * thread, after the slot was freed and before the table's reference is
 * dropped (fp is valid during the call). May sleep. */
typedef void (*fd_close_observer_fn)(struct simk_proc *p, int fd, struct file *fp);
void fd_register_close_observer(fd_close_observer_fn fn);

/* Called by the VFS fork hook (kern/proc.h): the child gets a copy of the
 * parent's table; each open file gains a reference (shared offsets). */
int fdtable_fork(struct simk_proc *parent, struct simk_proc *child);

#endif
