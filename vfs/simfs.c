/*
 * simfs: mount, the block allocator, in-core inodes, the commit, the
 * flusher and the power cut. See vfs/simfs.h for the design and the
 * locking; docs/vfs.md for the durability rules.
 *
 * The invariant that makes power cuts safe: the durable tree (what the
 * newest valid superblock slot points to) is never written over. Metadata
 * is written copy-on-write to blocks that are free in both the in-memory
 * and the durable tree, data is written in place only into blocks the
 * in-memory tree owns, and a block freed in memory stays unallocatable
 * until a commit has made a tree without it durable. The superblock slot
 * is written (FUA) only after everything it points to was written,
 * flushed and read back intact.
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "kern/proc.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: rounds of the flusher thread; past it the loop is a livelock bug. */
#define SIMFS_FLUSHER_ROUNDS_MAX 100000000ull
/* Liveness guard: filesystems freed at teardown; past it the loop is a livelock bug. */
#define SIMFS_LIST_DRAIN_MAX 100000

static KMEM_TYPE(kt_fs, "vfs.simfs");
static KMEM_TYPE(kt_maps, "vfs.simfs.maps");
static KMEM_TYPE(kt_vnodes, "vfs.vnodes");
static KMEM_TYPE(kt_blkmap, "vfs.vnode.map");
static KMEM_TYPE(kt_dents, "vfs.vnode.dents");
KMEM_TYPE(simfs_kt_target, "vfs.vnode.target");
static KMEM_TYPE(kt_commit, "vfs.commit");

void vfs_mount_opts_default(struct vfs_mount_opts *o)
{
	*o = (struct vfs_mount_opts){
	    .block_size = 4096,
	    .ninodes = 256,
	    .cache_blocks = 256,
	    .flush_delay_ns = 30000000ull,
	    .lowspace_pct = 5,
	    .format = true,
	};
}

/* ---- little-endian encoding ------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}
static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* ---- the allocator ------------------------------------------------------------ */

static bool blk_busy(const struct simfs *fs, uint32_t b)
{
	return fs->mem_map[b] || fs->dur_map[b] || (fs->snap_active && fs->snap_map[b]);
}

static void set_mem(struct simfs *fs, uint32_t b, bool v)
{
	KASSERT(b >= SIMFS_FIRST_FREE, "block %u out of range", b);
	KASSERT(b < fs->nblocks, "block %u out of range", b);
	bool before = blk_busy(fs, b);
	fs->mem_map[b] = v;
	bool after = blk_busy(fs, b);
	fs->nbusy += (uint32_t)after - (uint32_t)before;
}

static void recount_busy(struct simfs *fs)
{
	uint32_t n = SIMFS_FIRST_FREE;
	for (uint32_t b = SIMFS_FIRST_FREE; b < fs->nblocks; b++)
		n += blk_busy(fs, b);
	fs->nbusy = n;
}

uint32_t simfs_free_blocks(const struct simfs *fs)
{
	return fs->nblocks - fs->nbusy;
}

static uint32_t blocks_for(const struct simfs *fs, int64_t bytes)
{
	return (uint32_t)((bytes + fs->bsize - 1) / fs->bsize);
}

static bool vn_needs_indirect(const struct vnode *vn)
{
	for (uint32_t i = SIMFS_NDIRECT; i < vn->map_cap; i++)
		if (vn->map[i] != 0)
			return true;
	return false;
}

/* Blocks the next commit may need for metadata in the worst case: every
 * table block, indirect block and directory block rewritten. */
static uint32_t meta_need(const struct simfs *fs)
{
	uint32_t n = fs->ntable + 1;
	for (uint32_t i = 1; i <= fs->ninodes; i++) {
		const struct vnode *vn = &fs->vn[i];
		if (vn->mode == 0)
			continue;
		if (vn->indirect != 0 || vn->map_cap > SIMFS_NDIRECT)
			n++;
		if (vn_isdir(vn))
			n += blocks_for(fs, (int64_t)(vn->ndents + 1) * SIMFS_DIRENT_SIZE);
		if (vn_islnk(vn))
			n += blocks_for(fs, vn->size);
	}
	return n;
}

static uint32_t alloc_any(struct simfs *fs)
{
	for (uint32_t b = SIMFS_FIRST_FREE; b < fs->nblocks; b++) {
		if (!blk_busy(fs, b)) {
			set_mem(fs, b, true);
			return b;
		}
	}
	return 0;
}

void simfs_check_space(struct simfs *fs)
{
	uint64_t free_pct = (uint64_t)simfs_free_blocks(fs) * 100 / fs->nblocks;
	bool low = free_pct < fs->opts.lowspace_pct;
	if (low != fs->lowspace) {
		fs->lowspace = low;
		fs_report(low ? FSEV_LOWDISK : FSEV_SPACE_OK);
	}
}

uint32_t simfs_alloc_data(struct simfs *fs)
{
	if (simfs_free_blocks(fs) <= meta_need(fs))
		return 0;
	uint32_t b = alloc_any(fs);
	simfs_check_space(fs);
	return b;
}

void simfs_free_block(struct simfs *fs, uint32_t b)
{
	KASSERT(fs->mem_map[b], "free of free block %u", b);
	bforget(fs, b);
	set_mem(fs, b, false);
}

void simfs_unreserve_block(struct simfs *fs, uint32_t b)
{
	simfs_free_block(fs, b);
	simfs_check_space(fs);
}

/* ---- inodes ------------------------------------------------------------------ */

void simfs_mark_dirty(struct simfs *fs)
{
	if (fs->dirty)
		return;
	fs->dirty = true;
	fs->dirty_since_ns = sim_now();
	waitq_wake_all(&fs->flush_wq);
}

void vn_mark_dirty(struct vnode *vn, bool map, bool dir)
{
	vn->dirty = true;
	vn->map_dirty |= map;
	vn->dir_dirty |= dir;
	simfs_mark_dirty(vn->fs);
}

static int map_grow(struct vnode *vn, uint32_t n, bool nofail)
{
	if (n <= vn->map_cap)
		return 0;
	KASSERT(n <= vn->fs->max_file_blocks, "map of %u blocks", n);
	uint32_t ncap = vn->map_cap ? vn->map_cap : 4;
	while (ncap < n)
		ncap *= 2;
	if (ncap > vn->fs->max_file_blocks)
		ncap = vn->fs->max_file_blocks;
	uint32_t *m = nofail ? kmem_zalloc_nofail(&kt_blkmap, ncap * sizeof(*m))
			     : kmem_zalloc(&kt_blkmap, ncap * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	if (vn->map != NULL) {
		memcpy(m, vn->map, vn->map_cap * sizeof(*m));
		kmem_free(&kt_blkmap, vn->map);
	}
	vn->map = m;
	vn->map_cap = ncap;
	return 0;
}

int vn_map_grow(struct vnode *vn, uint32_t n)
{
	return map_grow(vn, n, false);
}

void vn_free_blocks_from(struct vnode *vn, uint32_t from)
{
	struct simfs *fs = vn->fs;
	bool map_changed = false;
	for (uint32_t i = from; i < vn->map_cap; i++) {
		if (vn->map[i] == 0)
			continue;
		simfs_free_block(fs, vn->map[i]);
		vn->map[i] = 0;
		if (i >= SIMFS_NDIRECT)
			map_changed = true;
	}
	if (vn->indirect != 0 && !vn_needs_indirect(vn)) {
		simfs_free_block(fs, vn->indirect);
		vn->indirect = 0;
	}
	vn_mark_dirty(vn, map_changed, false);
	simfs_check_space(fs);
}

static void vn_clear(struct vnode *vn)
{
	if (vn->map != NULL)
		kmem_free(&kt_blkmap, vn->map);
	if (vn->dents != NULL)
		kmem_free(&kt_dents, vn->dents);
	if (vn->target != NULL)
		kmem_free(&simfs_kt_target, vn->target);
	vn->target = NULL;
	vn->map = NULL;
	vn->map_cap = 0;
	vn->dents = NULL;
	vn->ndents = vn->dents_cap = 0;
	vn->indirect = 0;
	vn->size = 0;
	vn->nlink = 0;
	vn->mode = 0;
	vn->parent = 0;
}

struct vnode *simfs_ialloc(struct simfs *fs, uint32_t mode)
{
	for (uint32_t i = SIMFS_ROOT_INO + 1; i <= fs->ninodes; i++) {
		struct vnode *vn = &fs->vn[i];
		if (vn->mode != 0 || vn->refcount != 0)
			continue;
		KASSERT(vn->map == NULL, "free inode %u has data", i);
		KASSERT(vn->dents == NULL, "free inode %u has data", i);
		KASSERT(vn->target == NULL, "free inode %u has data", i);
		vn->mode = mode;
		vn->nlink = 0;
		vn->size = 0;
		vn->atime_ns = vn->mtime_ns = vn->ctime_ns = (int64_t)sim_now();
		vn_mark_dirty(vn, true, vn_isdir(vn));
		return vn;
	}
	return NULL;
}

void simfs_iput_check(struct vnode *vn)
{
	struct simfs *fs = vn->fs;
	if (vn->refcount > 0 || vn->nlink > 0 || vn->mode == 0 || fs->dead)
		return;
	KASSERT(vn->ino != SIMFS_ROOT_INO, "freeing the root directory");
	KASSERT(vn->dio_inflight == 0, "inode %u freed with direct I/O in flight", vn->ino);
	vn_free_blocks_from(vn, 0);
	vn_clear(vn);
	vn_mark_dirty(vn, true, false);
	vfs_trace("vfs:ifree", vn->ino, 0, 0, 0);
}

void vn_hold(struct vnode *vn)
{
	KASSERT(vn->refcount >= 0, "vnode refcount");
	vn->refcount++;
}

void vn_rele(struct vnode *vn)
{
	KASSERT(vn->refcount > 0, "release of unreferenced vnode %u", vn->ino);
	vn->refcount--;
	if (vn->refcount == 0)
		simfs_iput_check(vn);
}

bool vn_is_dir(const struct vnode *vn)
{
	return vn_isdir(vn);
}

uint64_t vn_ino(const struct vnode *vn)
{
	return vn->ino;
}

void vn_stat(struct vnode *vn, struct simk_stat *st)
{
	struct simfs *fs = vn->fs;
	memset(st, 0, sizeof(*st));
	st->st_dev = fs->id;
	st->st_ino = vn->ino;
	st->st_mode = vn->mode;
	st->st_nlink = vn->nlink;
	st->st_size = vn->size;
	st->st_blksize = fs->bsize;
	uint32_t nb = 0;
	for (uint32_t i = 0; i < vn->map_cap; i++)
		nb += vn->map[i] != 0;
	st->st_blocks = (int64_t)nb * (fs->bsize / 512);
	st->st_atime_ns = vn->atime_ns;
	st->st_mtime_ns = vn->mtime_ns;
	st->st_ctime_ns = vn->ctime_ns;
	st->st_type = vn_isdir(vn) ? FT_DIR : vn_islnk(vn) ? FT_SYMLINK : FT_REGULAR;
}

/* ---- serialization ------------------------------------------------------------- */

static void inode_encode(const struct vnode *vn, uint8_t *p)
{
	memset(p, 0, SIMFS_INODE_SIZE);
	if (vn->mode == 0)
		return;
	put32(p + 0, vn->mode);
	put32(p + 4, vn->nlink);
	put64(p + 8, (uint64_t)vn->size);
	put64(p + 16, (uint64_t)vn->atime_ns);
	put64(p + 24, (uint64_t)vn->mtime_ns);
	put64(p + 32, (uint64_t)vn->ctime_ns);
	for (uint32_t i = 0; i < SIMFS_NDIRECT; i++)
		put32(p + 40 + 4 * i, i < vn->map_cap ? vn->map[i] : 0);
	put32(p + 88, vn->indirect);
	put32(p + 92, vn->parent);
}

static void sb_encode(const struct simfs *fs, uint64_t seq, uint8_t *p)
{
	memset(p, 0, fs->ssize);
	put64(p + 0, SIMFS_MAGIC);
	put64(p + 8, seq);
	put32(p + 16, fs->bsize);
	put32(p + 20, fs->nblocks);
	put32(p + 24, fs->ninodes);
	put32(p + 28, fs->ntable);
	for (uint32_t i = 0; i < SIMFS_TABLE_MAX; i++)
		put32(p + 32 + 4 * i, i < fs->ntable ? fs->table[i] : 0);
	put64(p + 432, fnv1a(p, 432));
}

/* ---- the commit ------------------------------------------------------------------ */

struct wb_item {
	uint32_t blkno;
	bool data; /* a data buffer (else metadata) */
	uint64_t serial, gen;
	uint8_t *bytes; /* what is written */
	uint8_t *check; /* read-back */
	struct fs_io io;
};

/* Everything a commit allocates hangs off this, so that a commit cut
 * short by the end of the run (the flusher never resumes) is freed by
 * simfs_end_all through fs->cur_commit. */
struct commit {
	struct wb_item *items;
	uint32_t nitems, cap;
	uint8_t *saved_flags; /* per inode: dirty | map << 1 | dir << 2 */
	uint8_t *table_dirty;
	uint8_t *sb, *sb_check; /* superblock image and its read-back */
	/* A superblock write was sent: whether the slot now holds this
	 * commit is unknown until it reads back intact. */
	bool sb_sent;
	uint32_t sb_written; /* superblock writes the device completed with 0 */
};

static struct wb_item *commit_add(struct simfs *fs, struct commit *c, uint32_t blkno, bool data)
{
	if (c->nitems == c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 64;
		struct wb_item *n = kmem_zalloc_nofail(&kt_commit, ncap * sizeof(*n));
		if (c->items != NULL) {
			memcpy(n, c->items, c->nitems * sizeof(*n));
			kmem_free(&kt_commit, c->items);
		}
		c->items = n;
		c->cap = ncap;
	}
	struct wb_item *it = &c->items[c->nitems++];
	memset(it, 0, sizeof(*it));
	it->blkno = blkno;
	it->data = data;
	it->bytes = kmem_zalloc_nofail(&kt_commit, fs->bsize);
	return it;
}

static void commit_free(struct commit *c)
{
	for (uint32_t i = 0; i < c->nitems; i++) {
		kmem_free(&kt_commit, c->items[i].bytes);
		if (c->items[i].check != NULL)
			kmem_free(&kt_commit, c->items[i].check);
	}
	if (c->items != NULL)
		kmem_free(&kt_commit, c->items);
	if (c->saved_flags != NULL)
		kmem_free(&kt_commit, c->saved_flags);
	if (c->table_dirty != NULL)
		kmem_free(&kt_commit, c->table_dirty);
	if (c->sb != NULL)
		kmem_free(&kt_commit, c->sb);
	if (c->sb_check != NULL)
		kmem_free(&kt_commit, c->sb_check);
	memset(c, 0, sizeof(*c));
}

/* Rewrites a directory's entries into fresh blocks. 0 or -ENOSPC. */
static int cow_dir(struct simfs *fs, struct commit *c, struct vnode *vn)
{
	uint32_t per = fs->bsize / SIMFS_DIRENT_SIZE;
	uint32_t nb = (vn->ndents + per - 1) / per;
	for (uint32_t i = 0; i < vn->map_cap; i++) {
		if (vn->map[i] != 0) {
			set_mem(fs, vn->map[i], false);
			vn->map[i] = 0;
		}
	}
	(void)map_grow(vn, nb, true); /* the commit never fails for memory */
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t b = alloc_any(fs);
		if (b == 0)
			return -ENOSPC;
		vn->map[i] = b;
		struct wb_item *it = commit_add(fs, c, b, false);
		for (uint32_t k = 0; k < per && i * per + k < vn->ndents; k++) {
			const struct simfs_dirent *d = &vn->dents[i * per + k];
			uint8_t *p = it->bytes + k * SIMFS_DIRENT_SIZE;
			put32(p, d->ino);
			memcpy(p + 4, d->name, strnlen(d->name, VFS_NAME_MAX));
		}
	}
	vn->size = (int64_t)vn->ndents * SIMFS_DIRENT_SIZE;
	return 0; /* the caller rewrites the indirect block and the inode */
}

/* Rewrites a symbolic link's target into fresh blocks. 0 or -ENOSPC. */
static int cow_link(struct simfs *fs, struct commit *c, struct vnode *vn)
{
	uint32_t nb = blocks_for(fs, vn->size);
	for (uint32_t i = 0; i < vn->map_cap; i++) {
		if (vn->map[i] != 0) {
			set_mem(fs, vn->map[i], false);
			vn->map[i] = 0;
		}
	}
	(void)map_grow(vn, nb, true);
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t b = alloc_any(fs);
		if (b == 0)
			return -ENOSPC;
		vn->map[i] = b;
		struct wb_item *it = commit_add(fs, c, b, false);
		uint64_t off = (uint64_t)i * fs->bsize;
		uint64_t n = (uint64_t)vn->size - off;
		memcpy(it->bytes, vn->target + off, n < fs->bsize ? n : fs->bsize);
	}
	return 0;
}

static int cow_indirect(struct simfs *fs, struct commit *c, struct vnode *vn)
{
	if (vn->indirect != 0) {
		set_mem(fs, vn->indirect, false);
		vn->indirect = 0;
	}
	if (!vn_needs_indirect(vn))
		return 0;
	uint32_t b = alloc_any(fs);
	if (b == 0)
		return -ENOSPC;
	vn->indirect = b;
	struct wb_item *it = commit_add(fs, c, b, false);
	for (uint32_t i = SIMFS_NDIRECT; i < vn->map_cap; i++)
		put32(it->bytes + 4 * (i - SIMFS_NDIRECT), vn->map[i]);
	return 0;
}

/* The snapshot: one step, no switch point. Returns 0 or -ENOSPC (then the
 * caller restores the dirty flags). */
static int commit_snapshot(struct simfs *fs, struct commit *c)
{
	/* data buffers, copied as they are now */
	for (struct list_node *it = fs->lru.next; it != &fs->lru; it = it->next) {
		struct buf *b = list_entry(it, struct buf, lru);
		if (!b->dirty)
			continue;
		struct wb_item *w = commit_add(fs, c, b->blkno, true);
		memcpy(w->bytes, b->data, fs->bsize);
		w->serial = b->serial;
		w->gen = b->dirty_gen;
	}
	/* metadata */
	for (uint32_t i = 1; i <= fs->ninodes; i++) {
		struct vnode *vn = &fs->vn[i];
		uint8_t f = (uint8_t)(vn->dirty | vn->map_dirty << 1 | vn->dir_dirty << 2);
		c->saved_flags[i] = f;
		if (f == 0)
			continue;
		vn->dirty = vn->map_dirty = vn->dir_dirty = false;
		c->table_dirty[(i) / fs->inodes_per_block] = 1;
		if (vn->mode == 0)
			continue;
		if ((f & 4) && vn_isdir(vn)) {
			int r = cow_dir(fs, c, vn);
			if (r != 0)
				return r;
			f |= 2;
		}
		if ((f & 4) && vn_islnk(vn)) {
			int r = cow_link(fs, c, vn);
			if (r != 0)
				return r;
			f |= 2;
		}
		if (f & 2) {
			int r = cow_indirect(fs, c, vn);
			if (r != 0)
				return r;
		}
	}
	for (uint32_t t = 0; t < fs->ntable; t++) {
		if (!c->table_dirty[t])
			continue;
		set_mem(fs, fs->table[t], false);
		uint32_t b = alloc_any(fs);
		if (b == 0)
			return -ENOSPC;
		fs->table[t] = b;
		struct wb_item *w = commit_add(fs, c, b, false);
		for (uint32_t k = 0; k < fs->inodes_per_block; k++) {
			uint32_t ino = t * fs->inodes_per_block + k;
			if (ino >= 1 && ino <= fs->ninodes)
				inode_encode(&fs->vn[ino], w->bytes + k * SIMFS_INODE_SIZE);
		}
	}
	memcpy(fs->snap_map, fs->mem_map, fs->nblocks);
	fs->snap_active = true;
	return 0;
}

static void commit_restore(struct simfs *fs, struct commit *c, bool was_dirty, uint64_t since)
{
	for (uint32_t i = 1; i <= fs->ninodes; i++) {
		uint8_t f = c->saved_flags[i];
		struct vnode *vn = &fs->vn[i];
		vn->dirty |= (f & 1) != 0;
		vn->map_dirty |= (f & 2) != 0;
		vn->dir_dirty |= (f & 4) != 0;
		if (f & 4)
			vn->map_dirty = true;
	}
	if (was_dirty) {
		if (!fs->dirty || since < fs->dirty_since_ns)
			fs->dirty_since_ns = since;
		fs->dirty = true;
	}
}

/* Writes items[from..to) and waits. */
static int commit_write(struct simfs *fs, struct commit *c, bool only_failed)
{
	struct fs_batch b;
	fs_batch_init(&b);
	for (uint32_t i = 0; i < c->nitems; i++) {
		struct wb_item *w = &c->items[i];
		if (only_failed && w->check == NULL)
			continue;
		fs_batch_add(fs, &b, &w->io, BLK_OP_WRITE, 0, (uint64_t)w->blkno * fs->spb, fs->spb,
			     w->bytes);
		if (w->data)
			fs->stats.data_blocks_written++;
		else
			fs->stats.meta_blocks_written++;
	}
	int r = fs_batch_wait(&b);
	fs_batch_destroy(&b);
	return r;
}

/* Reads every item back (stable media, after a flush). Items that read back
 * intact lose their check buffer; the others keep it. Returns how many
 * failed. */
static uint32_t commit_verify(struct simfs *fs, struct commit *c, bool only_failed)
{
	struct fs_batch b;
	fs_batch_init(&b);
	for (uint32_t i = 0; i < c->nitems; i++) {
		struct wb_item *w = &c->items[i];
		if (only_failed && w->check == NULL)
			continue;
		if (w->check == NULL)
			w->check = kmem_zalloc_nofail(&kt_commit, fs->bsize);
		fs_batch_add(fs, &b, &w->io, BLK_OP_READ, 0, (uint64_t)w->blkno * fs->spb, fs->spb,
			     w->check);
	}
	(void)fs_batch_wait(&b);
	fs_batch_destroy(&b);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < c->nitems; i++) {
		struct wb_item *w = &c->items[i];
		if (w->check == NULL)
			continue;
		bool ok = w->io.req.error == 0 && memcmp(w->check, w->bytes, fs->bsize) == 0;
		if (ok) {
			kmem_free(&kt_commit, w->check);
			w->check = NULL;
		} else {
			bad++;
		}
	}
	return bad;
}

/* LAB 06 BEGIN: commit_io */
static int write_superblock(struct simfs *fs, struct commit *c, uint64_t seq)
{
	uint8_t *sb = c->sb = kmem_zalloc_nofail(&kt_commit, fs->ssize);
	uint8_t *chk = c->sb_check = kmem_zalloc_nofail(&kt_commit, fs->ssize);
	sb_encode(fs, seq, sb);
	uint64_t sector = (seq % SIMFS_SB_SLOTS) * fs->spb;
	int r = -EIO;
	for (int attempt = 0; attempt < 3 && !fs->dead; attempt++) {
		c->sb_sent = true;
		r = fsio_sync(fs, BLK_OP_WRITE, BLK_REQ_FUA, sector, 1, sb);
		if (r != 0)
			continue;
		c->sb_written++;
		r = fsio_sync(fs, BLK_OP_READ, 0, sector, 1, chk);
		if (r == 0 && memcmp(sb, chk, fs->ssize) == 0)
			break;
		r = -EIO;
	}
	return r;
}

static int commit_io(struct simfs *fs, struct commit *c)
{
	int r = commit_write(fs, c, false);
	if (r != 0)
		return r;
	r = fsio_sync(fs, BLK_OP_FLUSH, 0, 0, 0, NULL);
	if (r != 0)
		return r;
	/* Read back: a silently torn write (blk/write/torn) is rewritten. */
	uint32_t bad = commit_verify(fs, c, false);
	for (int round = 0; bad > 0 && round < 2; round++) {
		vfs_trace("vfs:commit_rewrite", bad, round, 0, 0);
		r = commit_write(fs, c, true);
		if (r != 0)
			return r;
		r = fsio_sync(fs, BLK_OP_FLUSH, 0, 0, 0, NULL);
		if (r != 0)
			return r;
		bad = commit_verify(fs, c, true);
	}
	if (bad > 0)
		return -EIO;
	return write_superblock(fs, c, fs->seq + 1);
}
/* LAB 06 END: commit_io */

/* A commit failed after its superblock write was sent, so the slot may
 * hold it: the disk's newest valid tree is the durable one or this one,
 * and the filesystem cannot tell which (the read-back failed, or the
 * device reported an error for a write that may have landed anyway).
 * Both stay allocated until a later commit is known durable: the blocks
 * of the unknown tree join dur_map, which commit_locked replaces with the
 * new tree's map only after a superblock read back intact. Without this,
 * the next commit would write its copy-on-write metadata over the blocks
 * the newest slot points to. The next commit writes the same slot again
 * (fs->seq is unchanged), so the slot of the tree known durable is never
 * written over. */
static void keep_unknown_tree(struct simfs *fs)
{
	KASSERT(fs->snap_active, "unknown commit without a snapshot");
	uint32_t added = 0;
	for (uint32_t b = SIMFS_FIRST_FREE; b < fs->nblocks; b++) {
		if (fs->snap_map[b] && !fs->dur_map[b]) {
			fs->dur_map[b] = 1;
			added++;
		}
	}
	fs->unknown_trees++;
	fs->stats.commits_unknown++;
	vfs_trace("vfs:keep_unknown_tree", (int64_t)fs->seq + 1, added, fs->unknown_trees, 0);
}

static bool any_meta_dirty(const struct simfs *fs)
{
	for (uint32_t i = 1; i <= fs->ninodes; i++)
		if (fs->vn[i].dirty || fs->vn[i].map_dirty || fs->vn[i].dir_dirty)
			return true;
	return false;
}

static int commit_locked(struct simfs *fs)
{
	if (fs->dead)
		return -EIO;
	if (!any_meta_dirty(fs) && fs->ndirty == 0) {
		/* Nothing cached: still make completed direct writes stable. */
		fs->dirty = false;
		int r = fsio_sync(fs, BLK_OP_FLUSH, 0, 0, 0, NULL);
		return fs->dead ? -EIO : r;
	}
	vfs_trace("vfs:commit", (int64_t)fs->seq + 1, fs->ndirty, 0, 0);
	struct commit c;
	memset(&c, 0, sizeof(c));
	c.saved_flags = kmem_zalloc_nofail(&kt_commit, fs->ninodes + 1);
	c.table_dirty = kmem_zalloc_nofail(&kt_commit, fs->ntable + 1);
	fs->cur_commit = &c;
	bool was_dirty = fs->dirty;
	uint64_t since = fs->dirty_since_ns;
	fs->dirty = false;
	int r = commit_snapshot(fs, &c);
	if (r == 0)
		r = commit_io(fs, &c);
	if (fs->dead)
		r = -EIO;
	if (r == 0) {
		/* known durable: every older tree, unknown ones included, goes */
		memcpy(fs->dur_map, fs->snap_map, fs->nblocks);
		fs->unknown_trees = 0;
		fs->snap_active = false;
		recount_busy(fs);
		fs->seq++;
		for (uint32_t i = 0; i < c.nitems; i++) {
			struct wb_item *w = &c.items[i];
			if (!w->data)
				continue;
			struct buf *b = bpeek(fs, w->blkno);
			if (b != NULL && b->serial == w->serial && b->dirty_gen == w->gen &&
			    b->dirty) {
				b->dirty = false;
				fs->ndirty--;
			}
		}
		fs->stats.commits++;
		simfs_check_space(fs);
		vfs_trace("vfs:commit_done", (int64_t)fs->seq, c.nitems, 0, 0);
	} else {
		if (c.sb_sent)
			keep_unknown_tree(fs);
		fs->snap_active = false;
		recount_busy(fs);
		commit_restore(fs, &c, was_dirty, since);
		fs->stats.commit_errors++;
		if (c.sb_sent)
			vfs_trace("vfs:commit_unknown", (int64_t)fs->seq + 1, r, c.sb_written, 0);
		else
			vfs_trace("vfs:commit_failed", (int64_t)fs->seq + 1, r, 0, 0);
	}
	fs->cur_commit = NULL;
	commit_free(&c);
	return r;
}

int simfs_commit(struct simfs *fs)
{
	if (fs->dead)
		return -EIO;
	mutex_lock(&fs->commit_lock);
	int r = commit_locked(fs);
	mutex_unlock(&fs->commit_lock);
	return r;
}

/* ---- the flusher ------------------------------------------------------------------- */

static bool flusher_should_wake(void *arg)
{
	struct simfs *fs = arg;
	return fs->dead || fs->stopping || fs->dirty;
}

static bool flusher_stop(void *arg)
{
	struct simfs *fs = arg;
	return fs->dead || fs->stopping;
}

/* A kernel daemon: commits changes once they are flush_delay_ns old. It
 * sleeps without a timeout while nothing is dirty, so it never keeps an
 * idle run alive. Wakes: simfs_mark_dirty (first change), power cut and
 * unmount (stop). */
static void flusher_main(void *arg)
{
	struct simfs *fs = arg;
	for (uint64_t round = 0;; round++) {
		KASSERT(round < SIMFS_FLUSHER_ROUNDS_MAX, "flusher loop");
		if (fs->dead || fs->stopping)
			break;
		if (!fs->dirty) {
			(void)waitq_wait(&fs->flush_wq, false, false, SIMK_FOREVER,
					 flusher_should_wake, fs);
			continue;
		}
		uint64_t due = sim_time_add(fs->dirty_since_ns, fs->opts.flush_delay_ns);
		if (fs->flush_retry_ns > due)
			due = fs->flush_retry_ns;
		uint64_t now = sim_now();
		if (now < due) {
			(void)waitq_wait(&fs->flush_wq, false, false, due - now, flusher_stop, fs);
			continue;
		}
		fs->stats.flusher_commits++;
		int r = simfs_commit(fs);
		if (r != 0)
			fs->flush_retry_ns = sim_time_add(sim_now(), fs->opts.flush_delay_ns);
	}
	fs->flusher_running = false;
	waitq_wake_all(&fs->flush_wq);
}

/* ---- mount ---------------------------------------------------------------------------- */

static void simfs_free(struct simfs *fs, bool quiet)
{
	if (fs->vn != NULL) {
		for (uint32_t i = 0; i <= fs->ninodes; i++) {
			struct vnode *vn = &fs->vn[i];
			vn_clear(vn);
			if (!quiet && vn->fs != NULL) { /* initialized */
				mutex_destroy(&vn->lock);
				waitq_destroy(&vn->dio_wq);
			}
		}
		kmem_free(&kt_vnodes, fs->vn);
	}
	bcache_destroy(fs);
	if (fs->mem_map != NULL)
		kmem_free(&kt_maps, fs->mem_map);
	if (fs->dur_map != NULL)
		kmem_free(&kt_maps, fs->dur_map);
	if (fs->snap_map != NULL)
		kmem_free(&kt_maps, fs->snap_map);
	event_cancel(&fs->retry_ev);
	if (!quiet) {
		mutex_destroy(&fs->commit_lock);
		waitq_destroy(&fs->flush_wq);
	}
	list_del(&fs->link);
	kmem_free(&kt_fs, fs);
}

static int check_opts(const struct vfs_mount_opts *o, uint32_t ssize, uint64_t bytes)
{
	uint32_t bs = o->block_size;
	if (bs < SIMFS_BSIZE_MIN || bs > SIMFS_BSIZE_MAX || (bs & (bs - 1)) != 0 || bs < ssize ||
	    bs % ssize != 0)
		return -EINVAL;
	if (o->ninodes < 2 || o->cache_blocks < 4)
		return -EINVAL;
	uint32_t per = bs / SIMFS_INODE_SIZE;
	uint32_t ntable = (o->ninodes + 1 + per - 1) / per;
	if (ntable > SIMFS_TABLE_MAX)
		return -EINVAL;
	if (bytes / bs < SIMFS_FIRST_FREE + 2 * ntable + 8 || bytes / bs > UINT32_MAX)
		return -EINVAL;
	return 0;
}

int vfs_mount_check(struct blkdev *dev, const struct vfs_mount_opts *o)
{
	struct vfs_mount_opts def;
	if (o == NULL) {
		vfs_mount_opts_default(&def);
		o = &def;
	}
	if (dev == NULL)
		return -EINVAL;
	uint32_t ssize = blkdev_sector_size(dev);
	return check_opts(o, ssize, blkdev_capacity(dev) * ssize);
}

static struct simfs *simfs_alloc(struct blkdev *dev, const struct vfs_mount_opts *o)
{
	struct vfs_state *st = vfs_st();
	struct simfs *fs = kmem_zalloc(&kt_fs, sizeof(*fs));
	if (fs == NULL)
		return NULL;
	list_init(&fs->link);
	list_push_back(&st->fs_all, &fs->link);
	fs->id = ++st->next_fs_id;
	fs->dev = dev;
	fs->opts = *o;
	fs->ssize = blkdev_sector_size(dev);
	fs->bsize = o->block_size;
	fs->spb = fs->bsize / fs->ssize;
	fs->nblocks = (uint32_t)(blkdev_capacity(dev) * fs->ssize / fs->bsize);
	fs->ninodes = o->ninodes;
	fs->inodes_per_block = fs->bsize / SIMFS_INODE_SIZE;
	fs->ntable = (fs->ninodes + 1 + fs->inodes_per_block - 1) / fs->inodes_per_block;
	fs->max_file_blocks = SIMFS_NDIRECT + fs->bsize / 4;
	fs->max_file_size = (int64_t)fs->max_file_blocks * fs->bsize;
	mutex_init(&fs->commit_lock, "simfs.commit");
	waitq_init(&fs->flush_wq, "flusher");
	list_init(&fs->pending);
	list_init(&fs->dios);
	event_init(&fs->retry_ev, "vfs:io_retry", fsio_retry_handler, fs);
	list_init(&fs->lru);
	fs->mem_map = kmem_zalloc(&kt_maps, fs->nblocks);
	fs->dur_map = kmem_zalloc(&kt_maps, fs->nblocks);
	fs->snap_map = kmem_zalloc(&kt_maps, fs->nblocks);
	fs->vn = kmem_zalloc(&kt_vnodes, (fs->ninodes + 1) * sizeof(*fs->vn));
	if (fs->mem_map == NULL || fs->dur_map == NULL || fs->snap_map == NULL || fs->vn == NULL ||
	    bcache_init(fs) != 0) {
		simfs_free(fs, false);
		return NULL;
	}
	for (uint32_t i = 0; i <= fs->ninodes; i++) {
		struct vnode *vn = &fs->vn[i];
		vn->fs = fs;
		vn->ino = i;
		mutex_init(&vn->lock, "vnode");
		waitq_init(&vn->dio_wq, "dio_wait");
		list_init(&vn->watchers);
	}
	fs->nbusy = SIMFS_FIRST_FREE;
	return fs;
}

/* A fresh filesystem: invalidate both superblock slots, then commit the
 * empty tree (root directory) as sequence 1. */
static int simfs_format(struct simfs *fs)
{
	uint8_t *zero = kmem_zalloc(&kt_commit, fs->ssize);
	if (zero == NULL)
		return -ENOMEM;
	int r = 0;
	for (uint32_t s = 0; s < SIMFS_SB_SLOTS && r == 0; s++)
		r = fsio_sync(fs, BLK_OP_WRITE, BLK_REQ_FUA, (uint64_t)s * fs->spb, 1, zero);
	kmem_free(&kt_commit, zero);
	if (r != 0)
		return r;
	for (uint32_t t = 0; t < fs->ntable; t++) {
		fs->table[t] = alloc_any(fs);
		KASSERT(fs->table[t] != 0, "format: no room for the inode table");
	}
	struct vnode *root = &fs->vn[SIMFS_ROOT_INO];
	root->mode = SIMK_S_IFDIR | 0755;
	root->nlink = 2;
	root->parent = SIMFS_ROOT_INO;
	root->atime_ns = root->mtime_ns = root->ctime_ns = (int64_t)sim_now();
	for (uint32_t i = 1; i <= fs->ninodes; i++)
		fs->vn[i].dirty = true; /* every table block is written once */
	root->dir_dirty = true;
	fs->seq = 0;
	return commit_locked(fs);
}

struct sb_info {
	bool valid;
	uint64_t seq;
	uint32_t table[SIMFS_TABLE_MAX];
};

static void sb_decode(const struct simfs *fs, const uint8_t *p, struct sb_info *out)
{
	memset(out, 0, sizeof(*out));
	if (get64(p) != SIMFS_MAGIC || get64(p + 432) != fnv1a(p, 432))
		return;
	if (get32(p + 16) != fs->bsize || get32(p + 20) != fs->nblocks ||
	    get32(p + 24) != fs->ninodes || get32(p + 28) != fs->ntable)
		return;
	out->valid = true;
	out->seq = get64(p + 8);
	for (uint32_t i = 0; i < SIMFS_TABLE_MAX; i++)
		out->table[i] = get32(p + 32 + 4 * i);
}

static int claim(struct simfs *fs, uint32_t b)
{
	if (b < SIMFS_FIRST_FREE || b >= fs->nblocks || fs->mem_map[b])
		return -EUCLEAN;
	set_mem(fs, b, true);
	return 0;
}

static int read_block(struct simfs *fs, uint32_t b, uint8_t *buf)
{
	return fsio_sync(fs, BLK_OP_READ, 0, (uint64_t)b * fs->spb, fs->spb, buf);
}

static int load_inode(struct simfs *fs, struct vnode *vn, const uint8_t *p, uint8_t *scratch)
{
	vn->mode = get32(p);
	if (vn->mode == 0)
		return 0;
	uint32_t type = vn->mode & SIMK_S_IFMT;
	if (type != SIMK_S_IFREG && type != SIMK_S_IFDIR && type != SIMK_S_IFLNK)
		return -EUCLEAN;
	vn->nlink = get32(p + 4);
	vn->size = (int64_t)get64(p + 8);
	vn->atime_ns = (int64_t)get64(p + 16);
	vn->mtime_ns = (int64_t)get64(p + 24);
	vn->ctime_ns = (int64_t)get64(p + 32);
	vn->indirect = get32(p + 88);
	vn->parent = get32(p + 92);
	if (vn->size < 0 || vn->size > fs->max_file_size)
		return -EUCLEAN;
	uint32_t nb = blocks_for(fs, vn->size);
	if (vn_map_grow(vn, nb > SIMFS_NDIRECT ? nb : SIMFS_NDIRECT) != 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < SIMFS_NDIRECT; i++)
		vn->map[i] = get32(p + 40 + 4 * i);
	if (vn->indirect != 0) {
		int r = claim(fs, vn->indirect);
		if (r == 0)
			r = read_block(fs, vn->indirect, scratch);
		if (r != 0)
			return r;
		for (uint32_t i = SIMFS_NDIRECT; i < vn->map_cap && i < fs->max_file_blocks; i++)
			vn->map[i] = get32(scratch + 4 * (i - SIMFS_NDIRECT));
	}
	bool past_eof = false;
	for (uint32_t i = 0; i < vn->map_cap; i++) {
		if (vn->map[i] == 0)
			continue;
		if (i >= nb) {
			/* Nothing of the file can be there. simfs itself no
			 * longer writes such a tree (a buffered write links a
			 * block and grows the size in one step, after its data
			 * is in a dirty buffer); a medium from elsewhere may.
			 * Dropped, never claimed. */
			vn->map[i] = 0;
			past_eof = true;
			continue;
		}
		int r = claim(fs, vn->map[i]);
		if (r != 0)
			return r;
	}
	if (past_eof)
		vn_mark_dirty(vn, true, false);
	return 0;
}

static int load_dir(struct simfs *fs, struct vnode *vn, uint8_t *scratch)
{
	uint32_t per = fs->bsize / SIMFS_DIRENT_SIZE;
	uint32_t n = (uint32_t)(vn->size / SIMFS_DIRENT_SIZE);
	if (n > 0) {
		vn->dents = kmem_zalloc(&kt_dents, n * sizeof(*vn->dents));
		if (vn->dents == NULL)
			return -ENOMEM;
		vn->dents_cap = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (i % per == 0) {
			uint32_t fb = i / per;
			if (fb >= vn->map_cap || vn->map[fb] == 0)
				return -EUCLEAN;
			int r = read_block(fs, vn->map[fb], scratch);
			if (r != 0)
				return r;
		}
		const uint8_t *p = scratch + (i % per) * SIMFS_DIRENT_SIZE;
		struct simfs_dirent *d = &vn->dents[i];
		d->ino = get32(p);
		memcpy(d->name, p + 4, VFS_NAME_MAX);
		d->name[VFS_NAME_MAX] = '\0';
		if (d->ino < 1 || d->ino > fs->ninodes || d->name[0] == '\0')
			return -EUCLEAN;
	}
	vn->ndents = n;
	return 0;
}

static int load_link(struct simfs *fs, struct vnode *vn, uint8_t *scratch)
{
	if (vn->size <= 0 || vn->size >= VFS_PATH_MAX)
		return -EUCLEAN;
	vn->target = kmem_zalloc(&simfs_kt_target, (size_t)vn->size + 1);
	if (vn->target == NULL)
		return -ENOMEM;
	for (int64_t off = 0; off < vn->size; off += fs->bsize) {
		uint32_t fb = (uint32_t)(off / fs->bsize);
		if (fb >= vn->map_cap || vn->map[fb] == 0)
			return -EUCLEAN;
		int r = read_block(fs, vn->map[fb], scratch);
		if (r != 0)
			return r;
		int64_t n = vn->size - off;
		memcpy(vn->target + off, scratch, (size_t)(n < fs->bsize ? n : fs->bsize));
	}
	if (strnlen(vn->target, (size_t)vn->size) != (size_t)vn->size)
		return -EUCLEAN;
	return 0;
}

/* Loads the newest valid tree, then repairs what a crash leaves behind:
 * link counts are recounted from the directories and inodes nobody names
 * (files unlinked while open, or created just before the cut) are freed;
 * load_inode drops blocks mapped past the end of a file. What is refused
 * with -EUCLEAN: docs/vfs.md, "What mount checks". */
static int simfs_load(struct simfs *fs)
{
	uint8_t *scratch = kmem_zalloc(&kt_commit, fs->bsize);
	if (scratch == NULL)
		return -ENOMEM;
	struct sb_info best = {0};
	for (uint32_t s = 0; s < SIMFS_SB_SLOTS; s++) {
		struct sb_info si;
		if (fsio_sync(fs, BLK_OP_READ, 0, (uint64_t)s * fs->spb, 1, scratch) != 0)
			continue; /* torn slot: the other one is the durable state */
		sb_decode(fs, scratch, &si);
		if (si.valid && (!best.valid || si.seq > best.seq))
			best = si;
	}
	int r = 0;
	if (!best.valid) {
		r = -EUCLEAN;
		goto out;
	}
	fs->seq = best.seq;
	for (uint32_t t = 0; t < fs->ntable && r == 0; t++) {
		fs->table[t] = best.table[t];
		r = claim(fs, fs->table[t]);
	}
	uint8_t *tbl = NULL;
	if (r == 0) {
		tbl = kmem_zalloc(&kt_commit, fs->bsize);
		if (tbl == NULL)
			r = -ENOMEM;
	}
	for (uint32_t t = 0; t < fs->ntable && r == 0; t++) {
		r = read_block(fs, fs->table[t], tbl);
		for (uint32_t k = 0; k < fs->inodes_per_block && r == 0; k++) {
			uint32_t ino = t * fs->inodes_per_block + k;
			if (ino >= 1 && ino <= fs->ninodes)
				r = load_inode(fs, &fs->vn[ino], tbl + k * SIMFS_INODE_SIZE,
					       scratch);
		}
	}
	if (tbl != NULL)
		kmem_free(&kt_commit, tbl);
	for (uint32_t i = 1; i <= fs->ninodes && r == 0; i++)
		if (vn_isdir(&fs->vn[i]))
			r = load_dir(fs, &fs->vn[i], scratch);
		else if (vn_islnk(&fs->vn[i]))
			r = load_link(fs, &fs->vn[i], scratch);
	if (r == 0 && !vn_isdir(&fs->vn[SIMFS_ROOT_INO]))
		r = -EUCLEAN;
	if (r != 0)
		goto out;
	/* recount links */
	uint32_t *links = kmem_zalloc(&kt_commit, (fs->ninodes + 1) * sizeof(*links));
	if (links == NULL) {
		r = -ENOMEM;
		goto out;
	}
	links[SIMFS_ROOT_INO] = 2;
	for (uint32_t i = 1; i <= fs->ninodes; i++)
		fs->vn[i].parent = 0; /* set below by the one entry naming a directory */
	for (uint32_t i = 1; i <= fs->ninodes; i++) {
		struct vnode *d = &fs->vn[i];
		if (!vn_isdir(d))
			continue;
		for (uint32_t k = 0; k < d->ndents; k++) {
			struct vnode *c = &fs->vn[d->dents[k].ino];
			/* a free inode; a second name for a directory, or any
			 * for the root, would make ".." ambiguous or the tree
			 * a cycle */
			if (c->mode == 0 ||
			    (vn_isdir(c) && (c->ino == SIMFS_ROOT_INO || c->parent != 0))) {
				r = -EUCLEAN;
				break;
			}
			links[c->ino]++;
			if (vn_isdir(c)) {
				links[c->ino]++; /* its "." */
				links[i]++;	 /* its ".." */
				c->parent = i;
			}
		}
	}
	memcpy(fs->dur_map, fs->mem_map, fs->nblocks);
	recount_busy(fs);
	for (uint32_t i = 1; i <= fs->ninodes && r == 0; i++) {
		struct vnode *vn = &fs->vn[i];
		if (vn->mode == 0)
			continue;
		if (links[i] == 0) {
			vfs_trace("vfs:orphan", i, 0, 0, 0);
			vn->nlink = 0;
			simfs_iput_check(vn);
		} else if (vn->nlink != links[i]) {
			vn->nlink = links[i];
			vn_mark_dirty(vn, false, false);
		}
	}
	kmem_free(&kt_commit, links);
	fs->vn[SIMFS_ROOT_INO].parent = SIMFS_ROOT_INO;
out:
	kmem_free(&kt_commit, scratch);
	return r;
}

int simfs_mount_dev(struct blkdev *dev, const struct vfs_mount_opts *o, struct simfs **out)
{
	sim_assert_thread_context(__func__);
	struct simfs *fs = simfs_alloc(dev, o);
	if (fs == NULL)
		return -ENOMEM;
	mutex_lock(&fs->commit_lock);
	int r = o->format ? simfs_format(fs) : simfs_load(fs);
	mutex_unlock(&fs->commit_lock);
	if (fs->dead)
		r = -EIO; /* the power was cut during the format or the load */
	if (r == 0) {
		fs->flusher_running = true;
		fs->flusher = kthread_create(NULL, "flusher", flusher_main, fs, true);
		if (fs->flusher == NULL) {
			fs->flusher_running = false;
			r = -ENOMEM;
		}
	}
	if (r != 0) {
		fsio_fail_pending(fs);
		KASSERT(fs->inflight == 0, "mount failed with I/O in flight");
		simfs_free(fs, false);
		return r;
	}
	fs->mounted = true;
	simfs_check_space(fs);
	*out = fs;
	return 0;
}

static bool flusher_gone(void *arg)
{
	return !((struct simfs *)arg)->flusher_running;
}

/* Stops the flusher and waits for it (thread context). */
static void stop_flusher(struct simfs *fs)
{
	sim_assert_may_sleep(__func__);
	fs->stopping = true;
	waitq_wake_all(&fs->flush_wq);
	while (fs->flusher_running)
		(void)waitq_wait(&fs->flush_wq, false, false, SIMK_FOREVER, flusher_gone, fs);
}

int simfs_unmount_fs(struct simfs *fs)
{
	sim_assert_thread_context(__func__);
	struct vfs_state *st = vfs_st();
	for (struct list_node *it = st->files.next; it != &st->files; it = it->next) {
		struct file *fp = list_entry(it, struct file, all);
		if (fp->vnode != NULL && fp->vnode->fs == fs)
			return -EBUSY;
	}
	int r = simfs_commit(fs);
	if (r != 0)
		return r;
	stop_flusher(fs);
	fs->mounted = false;
	fs->dead = true; /* anything still holding a vnode gets -EIO */
	/* In the same step as dead: a watcher attached until now hears it,
	 * a later fnotify_watch is refused (-ENOENT). */
	for (uint32_t i = 1; i <= fs->ninodes; i++)
		if (fs->vn[i].nwatchers > 0)
			fnotify_report(&fs->vn[i], FN_UNMOUNT, NULL);
	return 0;
}

void simfs_kill(struct simfs *fs, unsigned blk_flags, uint64_t *torn_sector)
{
	vfs_trace("vfs:power_cut", (int64_t)fs->id, (int64_t)fs->seq, fs->ndirty, 0);
	fs->dead = true;
	fs->mounted = false;
	blkdev_power_cut(fs->dev, blk_flags, torn_sector);
	/* Requests waiting for a device slot fail from an interrupt. */
	event_cancel(&fs->retry_ev);
	event_schedule_in(&fs->retry_ev, 0);
	waitq_wake_all(&fs->flush_wq);
	/* The cache is dropped; buffers still pinned by a sleeping thread go
	 * when it lets go of them. */
	for (struct list_node *it = fs->lru.next; it != &fs->lru;) {
		struct buf *b = list_entry(it, struct buf, lru);
		it = it->next;
		bforget(fs, b->blkno);
	}
}

void simfs_get_stats(struct simfs *fs, struct vfs_stats *out)
{
	*out = fs->stats;
	out->durable_seq = fs->seq;
	out->ios_submitted = fs->ios_submitted;
	out->ios_done = fs->ios_done;
	out->cached_buffers = fs->nbufs;
	out->dirty_buffers = fs->ndirty;
	out->free_blocks = simfs_free_blocks(fs);
	out->total_blocks = fs->nblocks;
	uint32_t fi = 0;
	for (uint32_t i = 1; i <= fs->ninodes; i++)
		fi += fs->vn[i].mode == 0 && fs->vn[i].refcount == 0;
	out->free_inodes = fi;
}

/* End of run (host context): forget in-flight requests and free every
 * instance. Nothing sleeps here; locks may still be "held" by daemon
 * threads that will never run again. */
void simfs_end_all(struct vfs_state *st)
{
	for (int guard = 0; !list_empty(&st->fs_all); guard++) {
		KASSERT(guard < SIMFS_LIST_DRAIN_MAX, "filesystem list does not drain");
		struct simfs *fs = list_entry(st->fs_all.next, struct simfs, link);
		if (fs->inflight > 0 || !list_empty(&fs->pending))
			blkdev_abandon_all(fs->dev);
		list_init(&fs->pending);
		fs->inflight = 0;
		if (fs->cur_commit != NULL)
			commit_free(fs->cur_commit); /* the flusher will never finish it */
		dio_end_all(fs);
		simfs_free(fs, true);
	}
	st->mounted = NULL;
}
