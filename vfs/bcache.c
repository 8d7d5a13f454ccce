/*
 * The buffer cache: file data blocks of the mounted filesystem, by
 * physical block number.
 *
 * Invariants:
 *  - A buffer is findable (on its hash chain) unless it is stale; a stale
 *    buffer was dropped while a read was in flight or while pinned, and is
 *    freed by whoever lets go of it last.
 *  - Only valid buffers are dirty; a dirty buffer is never evicted (the
 *    commit writes it back first). Eviction takes the least recently
 *    released buffer that is clean, unpinned and idle.
 *  - Bytes of a block at or past the end of its file read as zeros in the
 *    cache (zeroed when the block is loaded; truncate zeroes the tail).
 *
 * Capacity is opts.cache_blocks; when every buffer is dirty or pinned, the
 * caller runs a commit to clean them, and as a last resort the cache grows
 * past its capacity (counted in cache_overflows).
 */
#include <errno.h>
#include <string.h>

#include "kern/kmem.h"
#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Liveness guard: rounds of draining the cache at teardown; past it the loop is a livelock bug. */
#define BCACHE_DRAIN_ROUNDS_MAX 10000000
/* Liveness guard: lookups of one bget (a buffer found busy, waited for, looked up again); past it the loop is a livelock bug. */
#define BCACHE_GET_ROUNDS_MAX 1000

static KMEM_TYPE(kt_buf, "vfs.buf");
static KMEM_TYPE(kt_hash, "vfs.bcache.hash");

int bcache_init(struct simfs *fs)
{
	uint32_t n = 16;
	while (n < fs->opts.cache_blocks && n < (1u << 16))
		n *= 2;
	fs->hash = kmem_zalloc(&kt_hash, n * sizeof(*fs->hash));
	if (fs->hash == NULL)
		return -ENOMEM;
	fs->nhash = n;
	for (uint32_t i = 0; i < n; i++)
		list_init(&fs->hash[i]);
	list_init(&fs->lru);
	fs->nbufs = 0;
	fs->ndirty = 0;
	return 0;
}

static void buf_free(struct simfs *fs, struct buf *b)
{
	KASSERT(b->pins == 0, "free of a busy buffer %u", b->blkno);
	KASSERT(!b->busy, "free of a busy buffer %u", b->blkno);
	if (b->dirty) {
		fs->ndirty--;
		b->dirty = false;
	}
	list_del(&b->lru);
	if (!b->stale)
		list_del(&b->hash);
	waitq_destroy(&b->wq);
	fs->nbufs--;
	kmem_free(&kt_buf, b);
}

void bcache_destroy(struct simfs *fs)
{
	for (int guard = 0; !list_empty(&fs->lru); guard++) {
		KASSERT(guard < BCACHE_DRAIN_ROUNDS_MAX, "cache does not drain");
		struct buf *b = list_entry(fs->lru.next, struct buf, lru);
		b->pins = 0;
		b->busy = false;
		buf_free(fs, b);
	}
	if (fs->hash != NULL)
		kmem_free(&kt_hash, fs->hash);
	fs->hash = NULL;
	KASSERT(fs->nbufs == 0, "cache counters %u/%u", fs->nbufs, fs->ndirty);
	KASSERT(fs->ndirty == 0, "cache counters %u/%u", fs->nbufs, fs->ndirty);
}

static struct list_node *bucket(struct simfs *fs, uint32_t blkno)
{
	return &fs->hash[(blkno * 2654435761u) & (fs->nhash - 1)];
}

struct buf *bpeek(struct simfs *fs, uint32_t blkno)
{
	struct list_node *h = bucket(fs, blkno);
	for (struct list_node *it = h->next; it != h; it = it->next) {
		struct buf *b = list_entry(it, struct buf, hash);
		if (b->blkno == blkno)
			return b;
	}
	return NULL;
}

/* Detaches b from lookups; frees it now if nobody holds it. */
static void bdrop(struct simfs *fs, struct buf *b)
{
	if (b->dirty) {
		fs->ndirty--;
		b->dirty = false;
	}
	if (b->pins > 0 || b->busy) {
		list_del(&b->hash);
		b->stale = true;
		return;
	}
	buf_free(fs, b);
}

void bforget(struct simfs *fs, uint32_t blkno)
{
	struct buf *b = bpeek(fs, blkno);
	if (b != NULL)
		bdrop(fs, b);
}

void binval(struct simfs *fs, uint32_t blkno)
{
	struct buf *b = bpeek(fs, blkno);
	if (b == NULL || b->dirty)
		return; /* a dirty copy is newer than the device (written after) */
	bdrop(fs, b);
}

static bool bevict_one(struct simfs *fs)
{
	for (struct list_node *it = fs->lru.next; it != &fs->lru; it = it->next) {
		struct buf *b = list_entry(it, struct buf, lru);
		if (b->pins == 0 && !b->busy && !b->dirty && !b->stale) {
			fs->stats.cache_evictions++;
			buf_free(fs, b);
			return true;
		}
	}
	return false;
}

static struct buf *balloc(struct simfs *fs, uint32_t blkno)
{
	if (fs->nbufs >= fs->opts.cache_blocks && !bevict_one(fs)) {
		if (fs->ndirty > 0 && sim_thread_current() != NULL && !sim_in_irq()) {
			(void)simfs_commit(fs); /* cleans dirty buffers; errors: overflow */
			struct buf *again = bpeek(fs, blkno);
			if (again != NULL)
				return again; /* someone loaded it meanwhile */
		}
		if (fs->nbufs >= fs->opts.cache_blocks && !bevict_one(fs))
			fs->stats.cache_overflows++;
	}
	struct buf *b = kmem_zalloc(&kt_buf, sizeof(*b) + fs->bsize);
	if (b == NULL)
		return NULL;
	b->blkno = blkno;
	b->data = (uint8_t *)(b + 1);
	b->serial = ++fs->buf_serial;
	waitq_init(&b->wq, "buf");
	list_push_back(&fs->lru, &b->lru);
	list_push_back(bucket(fs, blkno), &b->hash);
	fs->nbufs++;
	return b;
}

static void bread_done(struct fs_io *io, int err)
{
	struct buf *b = io->arg;
	struct simfs *fs = io->fs;
	KASSERT(b->busy, "read completion of an idle buffer");
	b->busy = false;
	b->err = err;
	if (err == 0 && !b->stale) {
		b->valid = true;
		uint32_t vb = b->load_valid;
		if (vb < fs->bsize)
			memset(b->data + vb, 0, fs->bsize - vb);
	}
	waitq_wake_all(&b->wq);
}

static bool buf_idle(void *arg)
{
	return !((struct buf *)arg)->busy;
}

static void bunpin(struct simfs *fs, struct buf *b)
{
	KASSERT(b->pins > 0, "unpin of an unpinned buffer %u", b->blkno);
	b->pins--;
	if (b->pins == 0 && b->stale && !b->busy)
		buf_free(fs, b);
}

int bget(struct simfs *fs, uint32_t blkno, bool fill, uint32_t valid_bytes, struct buf **out)
{
	sim_assert_thread_context(__func__);
	KASSERT(blkno >= SIMFS_FIRST_FREE, "bget of block %u", blkno);
	KASSERT(blkno < fs->nblocks, "bget of block %u", blkno);
	for (int round = 0;; round++) {
		KASSERT(round < BCACHE_GET_ROUNDS_MAX, "bget of block %u does not settle", blkno);
		if (fs->dead)
			return -EIO;
		struct buf *b = bpeek(fs, blkno);
		if (b == NULL) {
			b = balloc(fs, blkno);
			if (b == NULL)
				return -ENOMEM;
			fs->stats.cache_misses++;
			if (!fill) {
				b->valid = true;
				b->pins++;
				*out = b;
				return 0;
			}
			/* Start the read; the pin keeps b alive across the wait. */
			b->busy = true;
			b->pins++;
			memset(&b->io, 0, sizeof(b->io));
			fs_io_prep(&b->io, BLK_OP_READ, 0, (uint64_t)blkno * fs->spb, fs->spb,
				   b->data);
			b->load_valid = valid_bytes;
			b->io.done = bread_done;
			b->io.arg = b;
			fsio_submit(fs, &b->io);
		} else {
			if (b->valid && !b->busy)
				fs->stats.cache_hits++;
			b->pins++;
			if (!fill && !b->busy && !b->valid) {
				memset(b->data, 0, fs->bsize); /* a failed read left it */
				b->valid = true;
			}
		}
		if (b->busy) {
			int r = waitq_wait(&b->wq, false, false, SIMK_FOREVER, buf_idle, b);
			KASSERT(r == 0, "uninterruptible buffer wait returned %d", r);
		}
		if (b->stale) {
			bunpin(fs, b);
			continue; /* dropped while we waited: look again */
		}
		if (!b->valid) {
			int err = b->err != 0 ? b->err : -EIO;
			bunpin(fs, b);
			if (b->pins == 0 && !b->busy && !b->dirty)
				bdrop(fs, b); /* failed read: forget it, the next bget retries */
			return err;
		}
		list_del(&b->lru);
		list_push_back(&fs->lru, &b->lru);
		*out = b;
		return 0;
	}
}

void brelse(struct simfs *fs, struct buf *b)
{
	bunpin(fs, b);
}

void bdirty(struct simfs *fs, struct buf *b)
{
	KASSERT(b->valid, "dirtying invalid buffer %u", b->blkno);
	KASSERT(!b->stale, "dirtying invalid buffer %u", b->blkno);
	if (!b->dirty) {
		b->dirty = true;
		fs->ndirty++;
	}
	b->dirty_gen++;
	simfs_mark_dirty(fs);
}
