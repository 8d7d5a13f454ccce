/*
 * What a file may hold after a power cut: a byte-level model of one file,
 * kept by the thread that writes it, and the check of the remounted file
 * against it (test_vfs_durability.c, test_vfs_power_campaign.c).
 *
 * The rule (docs/vfs.md, "Durability rules"): after the cut a byte holds
 * what it held when the last successful fsync of its writer returned (the
 * acknowledged state), or something written after that — never other
 * bytes; a block that reads -EIO was written after it; a file that
 * existed then still exists, with a size it had since.
 *
 * Writes are tagged (1..63): byte i of a write with tag t at offset o is
 * vt_pat(t, o + i), so a byte found on the disk names the writes that may
 * have put it there. A write whose outcome is unknown (a direct write that
 * failed: its sectors are old or new) goes into `unsure`, which outlives
 * acknowledgements until a write whose outcome is known replaces it.
 */
#ifndef SIMK_TESTS_VFS_MODEL_H
#define SIMK_TESTS_VFS_MODEL_H

#include "vfs_test.h"

#define VM_SIZE_MAX (56 * 1024) /* bytes of a modelled file */
#define VM_SIZES_MAX 256	/* sizes remembered since the last acknowledgement */
#define VM_BLOCK 4096		/* the filesystem's block size in these tests */

struct vm_file {
	const char *path;
	int fd;
	bool exists, acked_exists;
	int64_t size, acked_size;
	uint8_t cur[VM_SIZE_MAX], acked[VM_SIZE_MAX];
	uint64_t mask[VM_SIZE_MAX];   /* tags written since the last acknowledgement */
	uint64_t unsure[VM_SIZE_MAX]; /* tags of writes whose outcome is unknown */
	bool zeroed[VM_SIZE_MAX];     /* became zero (truncate) since then */
	int64_t sizes[VM_SIZES_MAX];  /* sizes since then */
	int nsizes;
	bool sizes_overflow;
};

static inline void vm_note_size(struct vm_file *f)
{
	if (f->nsizes < VM_SIZES_MAX)
		f->sizes[f->nsizes++] = f->size;
	else
		f->sizes_overflow = true;
}

static inline void vm_init(struct vm_file *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = -1;
	vm_note_size(f);
}

/* The file's writer saw an fsync (of this filesystem) return 0. */
static inline void vm_ack(struct vm_file *f)
{
	f->acked_exists = f->exists;
	f->acked_size = f->size;
	memcpy(f->acked, f->cur, VM_SIZE_MAX);
	memset(f->mask, 0, sizeof(f->mask));
	memset(f->zeroed, 0, sizeof(f->zeroed));
	f->nsizes = 0;
	f->sizes_overflow = false;
	vm_note_size(f);
}

static inline void vm_created(struct vm_file *f)
{
	f->exists = true;
	vm_note_size(f);
}

/* len bytes with tag were written at off (known outcome). */
static inline void vm_write(struct vm_file *f, int64_t off, size_t len, uint32_t tag)
{
	for (size_t k = 0; k < len; k++) {
		int64_t o = off + (int64_t)k;
		f->cur[o] = vt_pat(tag, (uint64_t)o);
		f->mask[o] |= 1ull << tag | f->unsure[o]; /* still possible until the next ack */
		f->unsure[o] = 0;
	}
	int64_t end = off + (int64_t)len;
	if (end > f->size) {
		/* The size grows block by block, with a switch point between
		 * two blocks: a commit (the flusher, a full cache) may take a
		 * size at any block boundary the write crossed. */
		for (int64_t b = (f->size > off ? f->size : off) / VM_BLOCK * VM_BLOCK + VM_BLOCK;
		     b < end; b += VM_BLOCK) {
			f->size = b;
			vm_note_size(f);
		}
		f->size = end;
		vm_note_size(f);
	}
}

/* A write of len bytes with tag at off failed in a way that may have
 * put any of its bytes on the disk (the size is unchanged). */
static inline void vm_write_unsure(struct vm_file *f, int64_t off, size_t len, uint32_t tag)
{
	for (size_t k = 0; k < len; k++)
		f->unsure[off + (int64_t)k] |= 1ull << tag;
}

static inline void vm_truncate(struct vm_file *f, int64_t len)
{
	for (int64_t k = len; k < f->size; k++) {
		f->cur[k] = 0;
		f->zeroed[k] = true;
		f->mask[k] |= f->unsure[k];
		f->unsure[k] = 0;
	}
	f->size = len;
	vm_note_size(f);
}

static inline bool vm_byte_ok(const struct vm_file *f, int64_t off, uint8_t v)
{
	if (v == f->acked[off] && off < f->acked_size)
		return true;
	if (v == 0 && (off >= f->acked_size || f->zeroed[off] || !f->acked_exists))
		return true; /* beyond what was acknowledged, or truncated since */
	uint64_t tags = f->mask[off] | f->unsure[off];
	for (uint32_t t = 1; t < 64; t++)
		if ((tags >> t & 1) && vt_pat(t, (uint64_t)off) == v)
			return true;
	return false;
}

static inline bool vm_touched(const struct vm_file *f, int64_t from, int64_t to)
{
	for (int64_t k = from; k < to && k < VM_SIZE_MAX; k++)
		if (f->mask[k] != 0 || f->unsure[k] != 0 || f->zeroed[k])
			return true;
	return false;
}

static inline bool vm_size_ok(const struct vm_file *f, int64_t size)
{
	if (f->sizes_overflow)
		return true;
	for (int k = 0; k < f->nsizes; k++)
		if (f->sizes[k] == size)
			return true;
	return false;
}

/* Thread context, after the remount: the file on the disk against f.
 * Fails the run with a message naming the file and the byte. */
static inline void vm_check(const struct vm_file *f)
{
	struct simk_stat st;
	int r = vt_stat(f->path, &st);
	if (r == -ENOENT) {
		if (f->acked_exists)
			sim_fail(SIMK_FAIL_EXPECT, "%s: acknowledged, gone after the power cut",
				 f->path);
		return;
	}
	VEQ(r, 0);
	if (!vm_size_ok(f, st.st_size))
		sim_fail(SIMK_FAIL_EXPECT,
			 "%s: size %lld never existed since the last fsync (acked %lld)", f->path,
			 (long long)st.st_size, (long long)f->acked_size);
	int fd = vt_open(f->path, O_RDONLY, 0);
	VCHECK(fd >= 0);
	uaddr_t ub = vt_ubuf(4096);
	uint8_t got[4096];
	for (int64_t b = 0; b < st.st_size; b += 4096) {
		size_t n = st.st_size - b < 4096 ? (size_t)(st.st_size - b) : 4096;
		ssize_t rr = simk_pread(fd, ub, n, b);
		if (rr == -EIO) {
			if (!vm_touched(f, b, b + 4096))
				sim_fail(SIMK_FAIL_EXPECT,
					 "%s: block at %lld reads EIO but was acknowledged",
					 f->path, (long long)b);
			continue;
		}
		VEQ(rr, n);
		vt_uget(ub, got, n);
		for (size_t k = 0; k < n; k++)
			if (!vm_byte_ok(f, b + (int64_t)k, got[k]))
				sim_fail(
				    SIMK_FAIL_EXPECT,
				    "%s: byte %lld is %u: not acknowledged (%u) nor written since",
				    f->path, (long long)(b + (int64_t)k), got[k],
				    f->acked[b + (int64_t)k]);
	}
	VEQ(simk_close(fd), 0);
}

#endif
