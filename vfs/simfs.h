/*
 * simfs — private to vfs/. One filesystem instance on one device: in-core inodes
 * (struct vnode), the block allocator, the device submission queue, the
 * buffer cache, direct I/O and the commit that makes state durable.
 *
 * The design in one paragraph (docs/vfs.md has the long version): all
 * metadata (inodes, block maps, directories) lives in memory, loaded at
 * mount; file data lives in the buffer cache. A commit snapshots, in one
 * step with no switch point, the dirty data buffers and the dirty
 * metadata; it writes the data in place, flushes, writes the metadata to
 * freshly allocated blocks (copy-on-write: the durable tree is never
 * overwritten), flushes, verifies, and finally writes a superblock slot
 * (two slots, alternating, sequence-numbered and checksummed) with FUA.
 * The superblock write is the atomic commit point. A block the durable
 * tree still uses is never reallocated before the next commit completes,
 * so a power cut at any moment leaves the previous tree intact, and data
 * is always on stable media before the metadata that points to it.
 *
 * Locking (order: ns_lock -> vnode.lock -> commit_lock; buffer waits and
 * the I/O wait queue are leaves):
 *  - vfs_state.ns_lock: namespace operations (lookup+create, unlink,
 *    rename...) and mount/unmount. One lock for the whole tree, so a walk
 *    that crosses mount points never needs a second one.
 *  - vnode->lock: data operations on one file (read, write, truncate,
 *    direct I/O submission).
 *  - fs->commit_lock: one commit at a time.
 *  - In-memory metadata updates themselves never sleep: they are atomic
 *    between switch points, so a commit snapshot is always consistent and
 *    a direct-I/O completion (interrupt context) may update a block map.
 */
#ifndef SIMK_VFS_SIMFS_H
#define SIMK_VFS_SIMFS_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/blkdev.h"
#include "kern/lock.h"
#include "kern/waitq.h"
#include "sim/engine.h"
#include "vfs/fnotify.h"
#include "vfs/vfs.h"

#define SIMFS_MAGIC 0x313053464b4d4953ull /* "SIMKFS01" */
#define SIMFS_BSIZE_MIN 512		  /* bytes per block */
#define SIMFS_BSIZE_MAX 65536
#define SIMFS_NDIRECT 12
#define SIMFS_INODE_SIZE 128
#define SIMFS_DIRENT_SIZE 64
#define SIMFS_TABLE_MAX 100
#define SIMFS_ROOT_INO 1
#define SIMFS_SB_SLOTS 2   /* blocks 0 and 1 */
#define SIMFS_FIRST_FREE 2 /* first allocatable block */
#define SIMFS_EAGAIN_MAX 8 /* device refusals in a row before -EIO */
#define SIMFS_RETRY_NS 10000
#define SIMFS_SYMLOOP_MAX 40 /* symbolic links one walk may follow (Linux MAXSYMLINKS) */

struct simfs_dirent {
	uint32_t ino;
	char name[VFS_NAME_MAX + 1];
};

struct vnode {
	struct simfs *fs;
	uint32_t ino;
	int refcount;  /* files, watchers, lookups, direct I/O in flight */
	uint32_t mode; /* S_IF* | permissions; 0: free inode */
	uint32_t nlink;
	int64_t size;
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t *map;		    /* physical block of each file block (0: hole) */
	uint32_t map_cap;	    /* entries allocated in map */
	uint32_t indirect;	    /* where the indirect block is in the in-memory tree */
	struct simfs_dirent *dents; /* directories: entries in order */
	uint32_t ndents, dents_cap;
	uint32_t parent; /* directories: the parent's inode number */
	char *target;	 /* symbolic links: the target (size bytes + NUL) */
	bool dirty;	 /* inode fields changed */
	bool map_dirty;	 /* indirect block must be rewritten */
	bool dir_dirty;	 /* directory content (or link target) must be rewritten */
	struct mutex lock;
	int dio_inflight;
	struct waitq dio_wq;
	struct list_node watchers;
	int nwatchers;
	struct simfs *mounted_here; /* directories: the filesystem mounted on it */
};

static inline bool vn_isdir(const struct vnode *vn)
{
	return (vn->mode & SIMK_S_IFMT) == SIMK_S_IFDIR;
}
static inline bool vn_islnk(const struct vnode *vn)
{
	return (vn->mode & SIMK_S_IFMT) == SIMK_S_IFLNK;
}
static inline bool vn_isreg(const struct vnode *vn)
{
	return (vn->mode & SIMK_S_IFMT) == SIMK_S_IFREG;
}

/* ---- device submission (fsio.c) ---- */

struct fs_io;
typedef void (*fs_io_fn)(struct fs_io *io, int err); /* interrupt context */

struct fs_io {
	struct blk_req req;
	struct simfs *fs;
	struct list_node link; /* fs->pending while the device refuses it */
	fs_io_fn done;
	void *arg;
	int refusals; /* -EAGAIN answers in a row with nothing of ours in flight */
	bool active;  /* between fsio_submit and done */
};

/* A group of requests a thread waits for. */
struct fs_batch {
	int pending;
	int err; /* first error */
	struct waitq wq;
};

static inline void fs_io_prep(struct fs_io *io, enum blk_op op, uint32_t flags, uint64_t sector,
			      uint32_t count, void *buf)
{
	blk_req_init(&io->req, op, flags, sector, count, buf, NULL, NULL);
}

/* Queues io on the device; done(io, err) runs exactly once, in interrupt
 * context, never from inside this call. err is 0 or -EIO (device -EIO,
 * -ETIMEDOUT, repeated refusals, or a dead filesystem). Any context. */
void fsio_submit(struct simfs *fs, struct fs_io *io);
void fs_batch_init(struct fs_batch *b);
/* Adds io to b (io->done/arg are taken over) and submits it. */
void fs_batch_add(struct simfs *fs, struct fs_batch *b, struct fs_io *io, enum blk_op op,
		  uint32_t flags, uint64_t sector, uint32_t count, void *buf);
/* Thread context: waits for every request of b; returns b->err. */
int fs_batch_wait(struct fs_batch *b);
void fs_batch_destroy(struct fs_batch *b);
/* One synchronous request (thread context). */
int fsio_sync(struct simfs *fs, enum blk_op op, uint32_t flags, uint64_t sector, uint32_t count,
	      void *buf);
/* The retry event of fs->retry_ev (interrupt context). */
void fsio_retry_handler(struct sim_event *ev);
/* Fails every refused request waiting for a retry (dead filesystem). */
void fsio_fail_pending(struct simfs *fs);

/* ---- buffer cache (bcache.c) ---- */

struct buf {
	struct list_node lru;  /* fs->lru, least recently used first */
	struct list_node hash; /* fs->hash bucket */
	uint32_t blkno;
	uint8_t *data;
	int pins;
	bool valid; /* data holds the block */
	bool busy;  /* a read is in flight */
	bool dirty;
	bool stale;	     /* dropped while busy: free when the read completes */
	int err;	     /* result of the last read */
	uint32_t load_valid; /* bytes of the block before EOF when loaded */
	uint64_t dirty_gen;  /* bumped by every bdirty */
	uint64_t serial;     /* identity across reuse (commit matching) */
	struct fs_io io;
	struct waitq wq; /* waiters for busy */
};

int bcache_init(struct simfs *fs);
void bcache_destroy(struct simfs *fs); /* frees everything (end of run, unmount, dead fs) */
/* Returns the buffer of blkno pinned. fill: read it from the device if it
 * is not valid (0, -EIO, -ENOMEM); !fill: the caller overwrites the whole
 * block (a new buffer starts zeroed and valid). valid_bytes: bytes of the
 * block at or past this offset within the block are zeroed when loaded
 * (EOF rule). Thread context. */
int bget(struct simfs *fs, uint32_t blkno, bool fill, uint32_t valid_bytes, struct buf **out);
void brelse(struct simfs *fs, struct buf *b);
void bdirty(struct simfs *fs, struct buf *b);
/* Drops the buffer of a freed block (any context). */
void bforget(struct simfs *fs, uint32_t blkno);
struct buf *bpeek(struct simfs *fs, uint32_t blkno); /* cached buffer or NULL; no pin */
/* Marks a block's cached copy invalid (direct I/O overwrote the disk). */
void binval(struct simfs *fs, uint32_t blkno);

/* ---- the filesystem instance ---- */

struct commit;

struct simfs {
	struct list_node link; /* vfs_state.fs_all */
	uint64_t id;
	struct blkdev *dev;
	struct vfs_mount_opts opts;
	struct vnode *covered;	    /* the directory it is mounted on (held); NULL: "/" */
	uint32_t bsize, ssize, spb; /* block bytes, sector bytes, sectors per block */
	uint32_t nblocks, ninodes, ntable, inodes_per_block;
	uint32_t max_file_blocks;
	int64_t max_file_size;
	uint32_t table[SIMFS_TABLE_MAX]; /* table block locations, in-memory tree */
	uint64_t seq;			 /* sequence of the durable superblock */
	struct vnode *vn;		 /* ninodes + 1 entries, by inode number */
	/* allocator: a block is busy while the in-memory tree, the durable
	 * tree or a commit in progress uses it */
	uint8_t *mem_map, *dur_map, *snap_map;
	uint32_t nbusy;
	uint32_t write_reserved; /* busy in mem_map, not yet linked: a buffered
				  * write's new block while bget may sleep */
	/* failed commits since the last known durable one whose superblock
	 * may have landed: their trees are in dur_map (keep_unknown_tree) */
	uint32_t unknown_trees;
	bool snap_active;
	bool lowspace;
	/* state */
	bool mounted, dead, stopping;
	struct mutex commit_lock;
	bool dirty;
	uint64_t dirty_since_ns;
	uint64_t flush_retry_ns; /* flusher backs off until then after an error */
	struct simk_thread *flusher;
	bool flusher_running;
	struct waitq flush_wq;
	/* device submission */
	struct list_node pending;
	int inflight;
	struct sim_event retry_ev;
	uint64_t ios_submitted, ios_done;
	/* buffer cache */
	struct list_node lru;
	struct list_node *hash;
	uint32_t nhash;
	uint32_t nbufs, ndirty;
	uint64_t buf_serial;
	struct commit *cur_commit; /* the commit in progress (its owner's stack) */
	/* direct I/O */
	int dio_inflight;
	struct list_node dios;
	/* statistics */
	struct vfs_stats stats;
};

/* simfs.c */
extern struct kmem_type simfs_kt_target; /* symbolic link targets */
/* A new instance on dev: formatted or loaded, its flusher running, not yet
 * in the tree (mount.c attaches it). Thread context. 0, -EIO, -ENOMEM,
 * -EUCLEAN. */
int simfs_mount_dev(struct blkdev *dev, const struct vfs_mount_opts *o, struct simfs **out);
/* Commits, tells watchers FN_UNMOUNT, stops the flusher, marks it dead.
 * -EBUSY while a file of it is open; a failed commit's errno. Thread
 * context; the caller detaches it from the tree. */
int simfs_unmount_fs(struct simfs *fs);
/* Power cut of fs's device; fs dies without writing anything. Any context. */
void simfs_kill(struct simfs *fs, unsigned blk_flags, uint64_t *torn_sector);
/* The counters of fs (any context). */
void simfs_get_stats(struct simfs *fs, struct vfs_stats *out);

/* mount.c */
struct simfs *simfs_mounted(void); /* the filesystem at "/", or NULL */
/* The root of what is mounted on vn, repeatedly (vn itself when nothing
 * is); ".." of vn, leaving a mounted filesystem at its root for the
 * directory it covers. Both never sleep. */
struct vnode *mount_cross_down(struct vnode *vn);
struct vnode *mount_dotdot(struct vnode *vn);
void simfs_mark_dirty(struct simfs *fs);
void vn_mark_dirty(struct vnode *vn, bool map, bool dir);
/* Allocates a free block for data (ENOSPC keeps room for metadata).
 * Returns the block or 0. Any context. */
uint32_t simfs_alloc_data(struct simfs *fs);
void simfs_free_block(struct simfs *fs, uint32_t b);
/* Unreserves a block allocated but never linked (direct I/O failure). */
void simfs_unreserve_block(struct simfs *fs, uint32_t b);
/* Makes vn->map hold at least n entries (thread or irq; -ENOMEM). */
int vn_map_grow(struct vnode *vn, uint32_t n);
/* Frees the file blocks >= from_block (truncate). */
void vn_free_blocks_from(struct vnode *vn, uint32_t from_block);
int simfs_commit(struct simfs *fs);
uint32_t simfs_free_blocks(const struct simfs *fs);
void simfs_check_space(struct simfs *fs);
struct vnode *simfs_ialloc(struct simfs *fs, uint32_t mode);
void simfs_iput_check(struct vnode *vn); /* frees an unlinked, unreferenced inode */

/* namei.c */
void vn_chmod(struct vnode *vn, int mode);
int simfs_open(struct simk_proc *p, const char *path, int flags, int mode);
/* Resolves path (vfs_state.ns_lock held): the object, not held, in *vpp.
 * 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP. */
int namei_lookup_locked(const char *path, bool follow, struct vnode **vpp);
/* A regular file (not in any descriptor table) on what path names, links
 * followed, made under the namespace lock like an open's: an unmount sees
 * it. 0, -EISDIR, -ENOMEM, the lookup's errno, -EINVAL when nothing is
 * mounted. Thread context. */
int namei_kernel_file(const char *path, int flags, struct file **fpp);

/* regfile.c */
extern const struct file_ops simfs_reg_ops;
extern const struct file_ops simfs_dir_ops;
int simfs_truncate(struct vnode *vn, int64_t length);

/* dio.c */
int dio_submit(struct file *fp, struct kaio_req *r);
ssize_t dio_sync(struct file *fp, struct uio *uio, enum kaio_op op);
void dio_end_all(struct simfs *fs);
/* vfs_check: marks in used[] the blocks direct writes in flight on fs
 * reserved (not yet linked into a map); KASSERTs each is marked once. */
void dio_mark_reserved(const struct simfs *fs, uint8_t *used);
/* A direct write in flight on vn allocated a block [off, off + len)
 * covers: it links the block when it completes, so nothing else may
 * allocate one there meanwhile. vn->lock held. */
bool dio_hole_busy(struct simfs *fs, struct vnode *vn, int64_t off, size_t len);
/* Drops vn->lock, waits until no direct I/O is in flight on vn, takes
 * the lock again. Thread context. */
void dio_wait_idle_relock(struct vnode *vn);

#endif
