/*
 * The VFS's whole-structure consistency check (SQLite-style), run at every
 * system-call exit in the sanitizer build and callable from any test: the
 * run's file list against its count, and for every mounted filesystem the
 * block allocator against the tree.
 *
 * The allocator's invariant (simfs.c): a block is busy in mem_map exactly
 * while the in-memory tree uses it — an inode table block, a block of a
 * live inode's map, its indirect block — or a direct write in flight
 * reserved it (dio.c links it at completion, in the same step as it
 * leaves the list), or a buffered write allocated it and links it once
 * its data is in a dirty buffer (regfile.c: bget may sleep meanwhile;
 * write_reserved counts those blocks); no block is used twice; nbusy counts the blocks busy
 * in any of the three maps (in-memory, durable, snapshot) plus the
 * superblock slots. These maps and the tree change only between switch
 * points (metadata updates never sleep), so any switch point sees them
 * whole. A filesystem that is still mounting (loading its tree) or is
 * dead is not checked.
 */
#include <stdlib.h>

#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* Marks block b as used by what; a block used twice, or outside the
 * allocatable range, is the inconsistency. */
static void mark(const struct simfs *fs, uint8_t *used, uint32_t b, const char *what, uint32_t ino)
{
	KASSERT(b >= SIMFS_FIRST_FREE, "vfs_check: fs %llu: %s of inode %u is block %u",
		(unsigned long long)fs->id, what, ino, b);
	KASSERT(b < fs->nblocks, "vfs_check: fs %llu: %s of inode %u is block %u of %u",
		(unsigned long long)fs->id, what, ino, b, fs->nblocks);
	KASSERT(!used[b], "vfs_check: fs %llu: block %u used twice (again as %s of inode %u)",
		(unsigned long long)fs->id, b, what, ino);
	used[b] = 1;
}

static void mark_tree(const struct simfs *fs, uint8_t *used)
{
	for (uint32_t t = 0; t < fs->ntable; t++)
		mark(fs, used, fs->table[t], "an inode table block", 0);
	for (uint32_t i = 1; i <= fs->ninodes; i++) {
		const struct vnode *vn = &fs->vn[i];
		for (uint32_t k = 0; k < vn->map_cap; k++) {
			if (vn->map[k] == 0)
				continue;
			KASSERT(vn->mode != 0, "vfs_check: fs %llu: free inode %u maps block %u",
				(unsigned long long)fs->id, i, vn->map[k]);
			mark(fs, used, vn->map[k], "a mapped block", i);
		}
		if (vn->indirect != 0) {
			KASSERT(vn->mode != 0,
				"vfs_check: fs %llu: free inode %u has an indirect block",
				(unsigned long long)fs->id, i);
			mark(fs, used, vn->indirect, "the indirect block", i);
		}
	}
}

/* The block allocator of fs against its tree. */
static void simfs_check(const struct simfs *fs)
{
	uint8_t *used = calloc(fs->nblocks, 1);
	if (used == NULL)
		sim_panic("vfs_check: host out of memory");
	mark_tree(fs, used);
	dio_mark_reserved(fs, used);
	uint32_t busy = SIMFS_FIRST_FREE, unlinked = 0;
	for (uint32_t b = SIMFS_FIRST_FREE; b < fs->nblocks; b++) {
		if (fs->mem_map[b] && !used[b] && unlinked < fs->write_reserved) {
			unlinked++; /* a buffered write's block, not yet linked */
			busy++;
			continue;
		}
		if (fs->mem_map[b] != used[b]) {
			unsigned long long id = (unsigned long long)fs->id;
			free(used);
			sim_panic(
			    "vfs_check: fs %llu: block %u is %s in the allocator but %s by the "
			    "tree",
			    id, b, fs->mem_map[b] ? "busy" : "free",
			    fs->mem_map[b] ? "unused" : "used");
		}
		busy += fs->mem_map[b] || fs->dur_map[b] || (fs->snap_active && fs->snap_map[b]);
	}
	free(used);
	KASSERT(unlinked == fs->write_reserved,
		"vfs_check: fs %llu: %u blocks unlinked, write_reserved %u",
		(unsigned long long)fs->id, unlinked, fs->write_reserved);
	KASSERT(busy == fs->nbusy, "vfs_check: fs %llu: %u blocks busy, nbusy %u",
		(unsigned long long)fs->id, busy, fs->nbusy);
}

void vfs_check(struct simk *s)
{
	(void)s;
	struct vfs_state *st = vfs_st();
	uint64_t files = 0;
	for (const struct list_node *it = st->files.next; it != &st->files; it = it->next)
		KASSERT(++files <= st->files_live,
			"vfs_check: file list longer than files_live %llu",
			(unsigned long long)st->files_live);
	KASSERT(files == st->files_live, "vfs_check: %llu files listed, files_live %llu",
		(unsigned long long)files, (unsigned long long)st->files_live);
	for (const struct list_node *it = st->fs_all.next; it != &st->fs_all; it = it->next) {
		const struct simfs *fs = list_entry(it, struct simfs, link);
		if (fs->mounted && !fs->dead)
			simfs_check(fs);
	}
}
