/*
 * simfs mount against a corrupted device: every check of the loader
 * (vfs/simfs.c: simfs_load, sb_decode, load_inode, load_dir, load_link,
 * claim, the link recount) and the repairs it makes.
 *
 * Each test builds a real filesystem (format, directories, files, a large
 * file with an indirect block, a symbolic link), unmounts it, finds one
 * on-disk structure through the layout restated below, changes exactly
 * that on the stable medium (blkdev_media_poke: the device's own checksum
 * is kept intact, so only simfs's checks can notice), and mounts with
 * format=false. A rejected mount must return -EUCLEAN, allocate nothing
 * that outlives it, write nothing and leave no request in flight; then the
 * original bytes are put back and the same mount must succeed with the
 * data intact — so each test proves that its one change, and nothing
 * else, was refused.
 */
#include "scn_test.h"
#include "vfs_test.h"

/* ---- the on-disk layout (vfs/simfs.c: sb_encode, inode_encode, cow_dir,
 * cow_link, cow_indirect), restated so that these tests pin it ---------- */

#define L_MAGIC 0x313053464b4d4953ull /* "SIMKFS01" */
#define L_SB_MAGIC 0
#define L_SB_SEQ 8
#define L_SB_BSIZE 16
#define L_SB_NBLOCKS 20
#define L_SB_NINODES 24
#define L_SB_NTABLE 28
#define L_SB_TABLE 32 /* 100 block numbers */
#define L_SB_SUM 432  /* FNV-1a of bytes 0..431 */
#define L_INODE_SIZE 128
#define L_I_MODE 0
#define L_I_NLINK 4
#define L_I_SIZE 8
#define L_I_DIRECT 40 /* 12 block numbers */
#define L_I_INDIRECT 88
#define L_NDIRECT 12
#define L_DIRENT_SIZE 64
#define L_DE_NAME 4
#define L_ROOT 1
#define L_BLOCK_MAX 4096

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

/* ---- the medium ----------------------------------------------------------- */

static uint32_t ct_ssize, ct_bsize, ct_spb;

static void ct_geometry(void)
{
	ct_ssize = blkdev_sector_size(vt_dev);
	ct_bsize = vt_cfg.mnt.block_size;
	ct_spb = ct_bsize / ct_ssize;
}

static void ct_read_block(uint32_t b, uint8_t *buf)
{
	VEQ(blkdev_media_peek(vt_dev, (uint64_t)b * ct_spb, ct_spb, buf), 0);
}

static void ct_write_block(uint32_t b, const uint8_t *buf)
{
	VEQ(blkdev_media_poke(vt_dev, (uint64_t)b * ct_spb, ct_spb, buf), 0);
}

/* Saved copies of what a test changed, put back by ct_restore. */
#define CT_SAVE_MAX 4
static struct {
	uint32_t blk;
	uint8_t bytes[L_BLOCK_MAX];
} ct_saved[CT_SAVE_MAX];
static int ct_nsaved;

static void ct_save(uint32_t b)
{
	for (int i = 0; i < ct_nsaved; i++)
		if (ct_saved[i].blk == b)
			return;
	VCHECK(ct_nsaved < CT_SAVE_MAX);
	ct_saved[ct_nsaved].blk = b;
	ct_read_block(b, ct_saved[ct_nsaved].bytes);
	ct_nsaved++;
}

static void ct_restore(void)
{
	for (int i = 0; i < ct_nsaved; i++)
		ct_write_block(ct_saved[i].blk, ct_saved[i].bytes);
	ct_nsaved = 0;
}

/* ---- superblock slots --------------------------------------------------- */

struct ct_sb {
	bool valid; /* magic and checksum */
	uint64_t seq;
	uint8_t raw[L_BLOCK_MAX]; /* the first sector of the slot's block */
};

static void ct_sb_read(uint32_t slot, struct ct_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
	(void)blkdev_media_peek(vt_dev, (uint64_t)slot * ct_spb, 1, sb->raw);
	sb->valid = get64(sb->raw + L_SB_MAGIC) == L_MAGIC &&
		    get64(sb->raw + L_SB_SUM) == fnv1a(sb->raw, L_SB_SUM);
	sb->seq = get64(sb->raw + L_SB_SEQ);
}

/* Writes a slot back, with a checksum that matches unless keep_sum. */
static void ct_sb_write(uint32_t slot, struct ct_sb *sb, bool keep_sum)
{
	if (!keep_sum)
		put64(sb->raw + L_SB_SUM, fnv1a(sb->raw, L_SB_SUM));
	ct_save(slot);
	VEQ(blkdev_media_poke(vt_dev, (uint64_t)slot * ct_spb, 1, sb->raw), 0);
}

/* The slot the loader must pick: valid, highest sequence. */
static uint32_t ct_sb_newest(struct ct_sb *out)
{
	struct ct_sb a, b;
	ct_sb_read(0, &a);
	ct_sb_read(1, &b);
	VCHECK(a.valid && b.valid); /* every test starts with both slots written */
	VEQ(a.seq % 2, 0);
	VEQ(b.seq % 2, 1);
	uint32_t slot = b.seq > a.seq ? 1 : 0;
	*out = slot ? b : a;
	return slot;
}

static uint64_t ct_durable_seq(void)
{
	struct ct_sb sb;
	(void)ct_sb_newest(&sb);
	return sb.seq;
}

static uint32_t ct_table(uint32_t t)
{
	struct ct_sb sb;
	(void)ct_sb_newest(&sb);
	return get32(sb.raw + L_SB_TABLE + 4 * t);
}

/* ---- inodes and directories --------------------------------------------- */

static void ct_inode_at(uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t per = ct_bsize / L_INODE_SIZE;
	*blk = ct_table(ino / per);
	*off = (ino % per) * L_INODE_SIZE;
}

static uint64_t ct_iget(uint32_t ino, uint32_t field, int width)
{
	uint8_t buf[L_BLOCK_MAX];
	uint32_t b, off;
	ct_inode_at(ino, &b, &off);
	ct_read_block(b, buf);
	return width == 8 ? get64(buf + off + field) : get32(buf + off + field);
}

static void ct_iset(uint32_t ino, uint32_t field, int width, uint64_t v)
{
	uint8_t buf[L_BLOCK_MAX];
	uint32_t b, off;
	ct_inode_at(ino, &b, &off);
	ct_save(b);
	ct_read_block(b, buf);
	if (width == 8)
		put64(buf + off + field, v);
	else
		put32(buf + off + field, (uint32_t)v);
	ct_write_block(b, buf);
}

static uint32_t ct_direct(uint32_t ino, uint32_t i)
{
	return (uint32_t)ct_iget(ino, L_I_DIRECT + 4 * i, 4);
}

/* Where the entry NAME of directory DIR is: block and byte offset. */
static void ct_dirent_at(uint32_t dir, const char *name, uint32_t *blk, uint32_t *off)
{
	uint8_t buf[L_BLOCK_MAX];
	uint32_t per = ct_bsize / L_DIRENT_SIZE;
	uint32_t n = (uint32_t)(ct_iget(dir, L_I_SIZE, 8) / L_DIRENT_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		if (i % per == 0)
			ct_read_block(ct_direct(dir, i / per), buf);
		const uint8_t *p = buf + (i % per) * L_DIRENT_SIZE;
		if (strcmp((const char *)p + L_DE_NAME, name) == 0) {
			*blk = ct_direct(dir, i / per);
			*off = (i % per) * L_DIRENT_SIZE;
			return;
		}
	}
	sim_fail(SIMK_FAIL_EXPECT, "no entry %s in directory inode %u", name, dir);
}

/* Overwrites len bytes of the entry NAME of DIR at byte at of the entry. */
static void ct_dirent_set(uint32_t dir, const char *name, uint32_t at, const void *bytes,
			  size_t len)
{
	uint8_t buf[L_BLOCK_MAX];
	uint32_t b, off;
	ct_dirent_at(dir, name, &b, &off);
	ct_save(b);
	ct_read_block(b, buf);
	memcpy(buf + off + at, bytes, len);
	ct_write_block(b, buf);
}

static void ct_dirent_set_ino(uint32_t dir, const char *name, uint32_t ino)
{
	uint8_t v[4];
	put32(v, ino);
	ct_dirent_set(dir, name, 0, v, 4);
}

/* ---- the filesystem every test starts from ------------------------------- */

#define CT_BIG_BLOCKS 20 /* past the 12 direct blocks at every block size */

static struct {
	uint32_t d, e, f, big, l; /* /d, /d/e, /d/f, /big, /l -> /d/f */
	uint32_t ninodes, nblocks, ntable;
	uint64_t max_size;
	uint64_t seq;
	uint32_t free_blocks, free_inodes;
} ct;

static uint32_t ct_ino(const char *path)
{
	struct simk_stat st;
	VEQ(kvfs_lstat(path, &st), 0);
	return (uint32_t)st.st_ino;
}

static void ct_sync(void)
{
	int fd = vt_open("/", O_RDONLY, 0);
	VCHECK(fd >= 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(simk_close(fd), 0);
}

static void ct_build(void)
{
	vt_setup();
	ct_geometry();
	ct_nsaved = 0;
	VEQ(kvfs_mkdir("/d", 0755), 0);
	VEQ(kvfs_mkdir("/d/e", 0755), 0);
	VEQ(kvfs_write_file("/d/f", "hello", 5, 0), 5);
	static uint8_t big[CT_BIG_BLOCKS * L_BLOCK_MAX];
	size_t nbig = (size_t)CT_BIG_BLOCKS * ct_bsize;
	vt_fill(big, nbig, 7, 0);
	VEQ(kvfs_write_file("/big", big, nbig, 0), (long long)nbig);
	VEQ(kvfs_symlink("/d/f", "/l"), 0);
	ct.d = ct_ino("/d");
	ct.e = ct_ino("/d/e");
	ct.f = ct_ino("/d/f");
	ct.big = ct_ino("/big");
	ct.l = ct_ino("/l");
	ct_sync();
	struct vfs_stats vs = vt_stats();
	ct.free_blocks = vs.free_blocks;
	ct.free_inodes = vs.free_inodes;
	ct.nblocks = vs.total_blocks;
	ct.ninodes = vt_cfg.mnt.ninodes;
	ct.ntable = (ct.ninodes + 1 + ct_bsize / L_INODE_SIZE - 1) / (ct_bsize / L_INODE_SIZE);
	ct.max_size = (uint64_t)(L_NDIRECT + ct_bsize / 4) * ct_bsize;
	VEQ(vfs_unmount(), 0);
	ct.seq = ct_durable_seq();
}

/* What a good mount of the built tree shows. */
static void ct_check_tree(void)
{
	char buf[64] = {0};
	VEQ(kvfs_read_file("/d/f", buf, sizeof(buf), 0), 5);
	VCHECK(memcmp(buf, "hello", 5) == 0);
	VEQ(kvfs_readlink("/l", buf, sizeof(buf)), 4);
	VCHECK(memcmp(buf, "/d/f", 4) == 0);
	static uint8_t got[CT_BIG_BLOCKS * L_BLOCK_MAX], want[CT_BIG_BLOCKS * L_BLOCK_MAX];
	size_t nbig = (size_t)CT_BIG_BLOCKS * ct_bsize;
	vt_fill(want, nbig, 7, 0);
	VEQ(kvfs_read_file("/big", got, nbig, 0), (long long)nbig);
	VCHECK(memcmp(got, want, nbig) == 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/d/e", &st), 0);
	VEQ(st.st_nlink, 2);
	VEQ(kvfs_stat("/d", &st), 0);
	VEQ(st.st_nlink, 3);
}

/* Mounting must fail with -EUCLEAN, leaving nothing behind. */
static void ct_expect_euclean_at(int line)
{
	struct blkdev_stats b0, b1;
	blkdev_get_stats(vt_dev, &b0);
	uint64_t live = kmem_live_total();
	int r = vt_remount();
	if (r != -EUCLEAN)
		sim_fail(SIMK_FAIL_EXPECT, "line %d: mount of the corrupted device gave %d", line,
			 r);
	VEQ(kmem_live_total(), live);
	blkdev_get_stats(vt_dev, &b1);
	VEQ(b1.writes, b0.writes);
	VEQ(b1.in_flight, 0);
	VCHECK(!vfs_mounted());
}
#define ct_expect_euclean() ct_expect_euclean_at(__LINE__)

/* Puts the saved bytes back: the same mount now succeeds with the tree. */
static void ct_restore_and_mount(void)
{
	ct_restore();
	VEQ(vt_remount(), 0);
	VEQ(vt_stats().durable_seq, ct.seq);
	ct_check_tree();
	VEQ(vfs_unmount(), 0);
}

/* With the configuration the test set up (VT_RUN1 takes the default). */
#define RUN(fn)                                                                                    \
	do {                                                                                       \
		struct simk *s = vt_sim(1);                                                        \
		simk_thread_create(simk_proc_create(s, "p"), "t", fn, NULL);                       \
		VT_RUN_PASS(s);                                                                    \
		simk_destroy(s);                                                                   \
	} while (0)

/* ---- the helpers themselves ---------------------------------------------- */

static void t_media(void *arg)
{
	(void)arg;
	vt_cfg.mount = false;
	vt_setup();
	uint8_t a[1024], b[1024];
	memset(a, 0x5a, sizeof(a));
	/* never written: zeros, intact */
	VEQ(blkdev_media_peek(vt_dev, 10, 2, b), 0);
	VEQ(b[0], 0);
	VEQ(blkdev_media_poke(vt_dev, 10, 2, a), 0);
	VEQ(blkdev_media_peek(vt_dev, 10, 2, b), 0);
	VCHECK(memcmp(a, b, sizeof(a)) == 0);
	/* a READ through the queue sees the poked bytes, with no error */
	memset(b, 0, sizeof(b));
	VEQ(blkdev_read_sync(vt_dev, 10, 2, b), 0);
	VCHECK(memcmp(a, b, sizeof(a)) == 0);
	/* a volatile cached copy stays in front of a poke until a FLUSH */
	uint8_t c[512];
	memset(c, 0x33, sizeof(c));
	VEQ(blkdev_write_sync(vt_dev, 0, 20, 1, c), 0);
	VCHECK(blkdev_sector_dirty(vt_dev, 20));
	VEQ(blkdev_media_poke(vt_dev, 20, 1, a), 0);
	VCHECK(blkdev_sector_dirty(vt_dev, 20));
	VEQ(blkdev_read_sync(vt_dev, 20, 1, b), 0);
	VEQ(b[0], 0x33);
	VEQ(blkdev_media_peek(vt_dev, 20, 1, b), 0);
	VEQ(b[0], 0x5a);
	VEQ(blkdev_flush_sync(vt_dev), 0);
	VEQ(blkdev_media_peek(vt_dev, 20, 1, b), 0);
	VEQ(b[0], 0x33);
	/* a garbled sector: -EIO, bytes copied anyway */
	VEQ(blkdev_corrupt(vt_dev, 11), 0);
	VEQ(blkdev_media_peek(vt_dev, 10, 2, b), -EIO);
	VEQ(b[0], 0x5a);
	/* ranges */
	uint64_t cap = blkdev_capacity(vt_dev);
	VEQ(blkdev_media_peek(vt_dev, cap - 1, 2, b), -EINVAL);
	VEQ(blkdev_media_poke(vt_dev, cap - 1, 2, a), -EINVAL);
	VEQ(blkdev_media_peek(vt_dev, cap, 1, b), -EINVAL);
	VEQ(blkdev_media_peek(vt_dev, 0, 0, b), -EINVAL);
	VEQ(blkdev_media_poke(vt_dev, 0, 0, a), -EINVAL);
	VEQ(blkdev_media_peek(vt_dev, 0, 1, NULL), -EINVAL);
	VEQ(blkdev_media_poke(vt_dev, 0, 1, NULL), -EINVAL);
	VEQ(blkdev_media_poke(vt_dev, cap - 1, 1, a), 0);
}

Test(vfs_recovery_corrupt, media_peek_and_poke_bypass_queue_and_cache)
{
	VT_RUN1(t_media);
}

/* Peeking draws nothing and times nothing: a run with peeks has the same
 * trace as one without. */
static bool ct_peek_in_run;
static void t_peek_trace(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_write_file("/f", "abc", 3, 0), 3);
	uint8_t buf[4096];
	if (ct_peek_in_run)
		for (uint64_t s = 0; s < 64; s++)
			VEQ(blkdev_media_peek(vt_dev, s, 1, buf), 0);
	ct_sync();
}

Test(vfs_recovery_corrupt, media_peek_leaves_the_trace_unchanged)
{
	uint64_t h[2];
	for (int i = 0; i < 2; i++) {
		vt_config_default();
		ct_peek_in_run = i == 1;
		struct simk *s = vt_sim(3);
		simk_thread_create(simk_proc_create(s, "p"), "t", t_peek_trace, NULL);
		VT_RUN_PASS(s);
		h[i] = simk_trace_hash(s);
		simk_destroy(s);
	}
	cr_assert_eq(h[0], h[1]);
}

/* ---- superblock ------------------------------------------------------------ */

static void t_sb_magic(void *arg)
{
	(void)arg;
	ct_build();
	struct ct_sb sb;
	for (uint32_t slot = 0; slot < 2; slot++) {
		ct_sb_read(slot, &sb);
		put64(sb.raw + L_SB_MAGIC, L_MAGIC ^ 1); /* checksum recomputed: only the magic */
		ct_sb_write(slot, &sb, false);
	}
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, bad_magic_in_both_slots_is_euclean)
{
	VT_RUN1(t_sb_magic);
}

static void t_sb_sum(void *arg)
{
	(void)arg;
	ct_build();
	struct ct_sb sb;
	for (uint32_t slot = 0; slot < 2; slot++) {
		ct_sb_read(slot, &sb);
		sb.raw[L_SB_TABLE + 4 * 99] ^= 0x01; /* an unused table entry */
		ct_sb_write(slot, &sb, true);
	}
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, checksum_mismatch_in_both_slots_is_euclean)
{
	VT_RUN1(t_sb_sum);
}

/* Each geometry field, changed in both slots with a valid checksum. */
static void t_sb_geometry(void *arg)
{
	(void)arg;
	ct_build();
	static const uint32_t fields[] = {L_SB_BSIZE, L_SB_NBLOCKS, L_SB_NINODES, L_SB_NTABLE};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct ct_sb sb;
		for (uint32_t slot = 0; slot < 2; slot++) {
			ct_sb_read(slot, &sb);
			uint32_t v = get32(sb.raw + fields[i]);
			put32(sb.raw + fields[i], fields[i] == L_SB_BSIZE ? v * 2 : v - 1);
			ct_sb_write(slot, &sb, false);
		}
		ct_expect_euclean();
		ct_restore_and_mount();
	}
}

Test(vfs_recovery_corrupt, geometry_mismatch_in_the_superblock_is_euclean)
{
	VT_RUN1(t_sb_geometry);
}

/* The medium is fine; the mount options describe another filesystem. */
static void t_opts_geometry(void *arg)
{
	(void)arg;
	ct_build();
	struct vfs_mount_opts good = vt_cfg.mnt;
	vt_cfg.mnt.ninodes = good.ninodes / 2;
	ct_expect_euclean();
	vt_cfg.mnt = good;
	vt_cfg.mnt.block_size = good.block_size / 2;
	ct_expect_euclean();
	vt_cfg.mnt = good;
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, mount_options_of_another_geometry_are_euclean)
{
	VT_RUN1(t_opts_geometry);
}

/* Inode-table block numbers in the newest slot (valid checksum, so no
 * fallback): out of range, a superblock block, the same block twice. */
static void t_sb_table(void *arg)
{
	(void)arg;
	ct_build();
	struct ct_sb sb;
	uint32_t slot = ct_sb_newest(&sb);
	uint32_t t0 = get32(sb.raw + L_SB_TABLE);
	const uint32_t bad[][2] = {
	    {0, ct.nblocks}, {0, 0xffffffffu}, {0, 0}, {0, 1}, {1, t0}, {ct.ntable - 1, t0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)ct_sb_newest(&sb);
		put32(sb.raw + L_SB_TABLE + 4 * bad[i][0], bad[i][1]);
		ct_sb_write(slot, &sb, false);
		ct_expect_euclean();
		ct_restore_and_mount();
	}
	/* a table block that a file also maps */
	(void)ct_sb_newest(&sb);
	put32(sb.raw + L_SB_TABLE, ct_direct(ct.big, 0));
	ct_sb_write(slot, &sb, false);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, table_block_out_of_range_or_claimed_twice_is_euclean)
{
	VT_RUN1(t_sb_table);
}

/* ---- superblock fallback: the older slot ----------------------------------- */

/* Commit A holds /d/f = "hello", /big and /l; commit B adds /new and grows
 * /d/f. Damage to B's slot must bring back exactly A. */
static void ct_build_two_commits(uint8_t *slot_before_b)
{
	ct_build();
	VEQ(vt_remount(), 0);
	struct ct_sb sb;
	uint32_t slot = ct_sb_newest(&sb);
	/* the bytes B's slot held before B: the commit before A */
	VEQ(blkdev_media_peek(vt_dev, (uint64_t)(1 - slot) * ct_spb, 1, slot_before_b), 0);
	VEQ(kvfs_write_file("/new", "newer", 5, 0), 5);
	VEQ(kvfs_write_file("/d/f", " world", 6, 5), 6);
	VEQ(vfs_unmount(), 0); /* commit B */
	VEQ(ct_sb_newest(&sb), 1 - slot);
	VEQ(sb.seq, ct.seq + 1);
}

static void ct_check_commit_a(void)
{
	VEQ(vt_stats().durable_seq, ct.seq);
	struct simk_stat st;
	VEQ(kvfs_stat("/new", &st), -ENOENT);
	VEQ(kvfs_stat("/d/f", &st), 0);
	VEQ(st.st_size, 5);
	ct_check_tree();
	/* the recovered tree takes new commits */
	VEQ(kvfs_write_file("/after", "x", 1, 0), 1);
	ct_sync();
	VEQ(vt_stats().durable_seq, ct.seq + 1); /* into the slot that was damaged */
	VEQ(vfs_unmount(), 0);
	VEQ(vt_remount(), 0);
	VEQ(kvfs_stat("/after", &st), 0);
	VEQ(kvfs_stat("/new", &st), -ENOENT);
	ct_check_tree();
	VEQ(vfs_unmount(), 0);
}

enum { FB_MAGIC, FB_SUM, FB_GARBLED, FB_TORN };
static int ct_fallback_kind;

static void t_fallback(void *arg)
{
	(void)arg;
	uint8_t before[L_BLOCK_MAX];
	ct_build_two_commits(before);
	struct ct_sb sb;
	uint32_t slot = ct_sb_newest(&sb);
	switch (ct_fallback_kind) {
	case FB_MAGIC:
		sb.raw[L_SB_MAGIC] ^= 0xff;
		ct_sb_write(slot, &sb, false);
		break;
	case FB_SUM:
		sb.raw[L_SB_SEQ] ^= 0x04; /* a flipped bit the device did not see */
		ct_sb_write(slot, &sb, true);
		break;
	case FB_GARBLED: /* the device sees it: the read fails with -EIO */
		VEQ(blkdev_corrupt(vt_dev, (uint64_t)slot * ct_spb), 0);
		break;
	case FB_TORN: {
		/* a torn superblock write the device did not notice: the first
		 * 100 bytes are B's (magic, sequence, geometry, some table
		 * entries), the rest is what the slot held before */
		memcpy(sb.raw + 100, before + 100, ct_ssize - 100);
		VCHECK(get64(sb.raw + L_SB_SEQ) == ct.seq + 1);
		ct_sb_write(slot, &sb, true);
		break;
	}
	}
	VEQ(vt_remount(), 0);
	ct_check_commit_a();
}

Test(vfs_recovery_corrupt, newest_slot_with_bad_magic_falls_back_to_the_older_commit)
{
	ct_fallback_kind = FB_MAGIC;
	VT_RUN1(t_fallback);
}

Test(vfs_recovery_corrupt, newest_slot_with_bad_checksum_falls_back_to_the_older_commit)
{
	ct_fallback_kind = FB_SUM;
	VT_RUN1(t_fallback);
}

Test(vfs_recovery_corrupt, newest_slot_unreadable_falls_back_to_the_older_commit)
{
	ct_fallback_kind = FB_GARBLED;
	VT_RUN1(t_fallback);
}

Test(vfs_recovery_corrupt, newest_slot_torn_silently_falls_back_to_the_older_commit)
{
	ct_fallback_kind = FB_TORN;
	VT_RUN1(t_fallback);
}

/* Both slots unreadable at the device: nothing to mount. */
static void t_both_garbled(void *arg)
{
	(void)arg;
	ct_build();
	ct_save(0);
	ct_save(1);
	VEQ(blkdev_corrupt(vt_dev, 0), 0);
	VEQ(blkdev_corrupt(vt_dev, ct_spb), 0);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, both_slots_unreadable_is_euclean)
{
	VT_RUN1(t_both_garbled);
}

/* ---- inodes --------------------------------------------------------------- */

static void t_inode_size(void *arg)
{
	(void)arg;
	ct_build();
	const uint64_t bad[] = {(uint64_t)-1, (uint64_t)INT64_MIN, ct.max_size + 1,
				(uint64_t)INT64_MAX};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_iset(ct.f, L_I_SIZE, 8, bad[i]);
		ct_expect_euclean();
		ct_restore_and_mount();
	}
	/* the largest size is a valid (sparse) file */
	ct_iset(ct.f, L_I_SIZE, 8, ct.max_size);
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/d/f", &st), 0);
	VEQ(st.st_size, (long long)ct.max_size);
	VEQ(vfs_unmount(), 0);
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, inode_size_negative_or_past_the_largest_file_is_euclean)
{
	VT_RUN1(t_inode_size);
}

/* Blocks of one file: out of range, a superblock block, a block of
 * another file / the inode table / a directory / an indirect block. */
static void t_inode_claims(void *arg)
{
	(void)arg;
	ct_build();
	uint32_t big_ind = (uint32_t)ct_iget(ct.big, L_I_INDIRECT, 4);
	VCHECK(big_ind != 0);
	const uint32_t bad[] = {
	    ct.nblocks,		  /* past the device */
	    0xffffffffu,	  /* far past it */
	    1,			  /* superblock slot 1 */
	    ct_direct(ct.big, 3), /* another file's block */
	    ct_table(0),	  /* an inode-table block */
	    ct_direct(ct.d, 0),	  /* a directory's block */
	    ct_direct(ct.l, 0),	  /* a symbolic link's block */
	    big_ind,		  /* an indirect block */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_iset(ct.f, L_I_DIRECT, 4, bad[i]); /* /d/f's only block */
		ct_expect_euclean();
		ct_restore_and_mount();
	}
	/* the indirect block itself: out of range, or another file's block */
	ct_iset(ct.big, L_I_INDIRECT, 4, ct.nblocks + 5);
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_iset(ct.big, L_I_INDIRECT, 4, ct_direct(ct.f, 0));
	ct_expect_euclean();
	ct_restore_and_mount();
	/* one block twice in the same file */
	ct_iset(ct.big, L_I_DIRECT + 4 * 5, 4, ct_direct(ct.big, 4));
	ct_expect_euclean();
	ct_restore_and_mount();
	/* an entry of the indirect block that another file maps */
	uint8_t buf[L_BLOCK_MAX];
	ct_save(big_ind);
	ct_read_block(big_ind, buf);
	put32(buf + 4 * 2, ct_direct(ct.f, 0)); /* file block 14 */
	ct_write_block(big_ind, buf);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, block_out_of_range_or_claimed_twice_is_euclean)
{
	VT_RUN1(t_inode_claims);
}

/* An inode type simfs never writes (a FIFO, a socket, garbage). */
static void t_inode_type(void *arg)
{
	(void)arg;
	ct_build();
	const uint32_t bad[] = {SIMK_S_IFIFO | 0644, 0140000 | 0644, 0170000 | 0644, 0644};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ct_iset(ct.f, L_I_MODE, 4, bad[i]);
		ct_expect_euclean();
		ct_restore_and_mount();
	}
}

Test(vfs_recovery_corrupt, inode_of_an_unknown_type_is_euclean)
{
	VT_RUN1(t_inode_type);
}

static void t_root(void *arg)
{
	(void)arg;
	ct_build();
	ct_iset(L_ROOT, L_I_MODE, 4, SIMK_S_IFREG | 0644);
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_iset(L_ROOT, L_I_MODE, 4, SIMK_S_IFLNK | 0777);
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_iset(L_ROOT, L_I_MODE, 4, 0); /* a free root */
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, root_not_a_directory_is_euclean)
{
	VT_RUN1(t_root);
}

/* ---- directories ------------------------------------------------------------ */

static void t_dirent(void *arg)
{
	(void)arg;
	ct_build();
	const uint32_t bad_ino[] = {0, ct.ninodes + 1, 0xffffffffu};
	for (size_t i = 0; i < sizeof(bad_ino) / sizeof(bad_ino[0]); i++) {
		ct_dirent_set_ino(ct.d, "f", bad_ino[i]);
		ct_expect_euclean();
		ct_restore_and_mount();
	}
	/* the largest inode number is in range (and free here) */
	VEQ(ct_iget(ct.ninodes, L_I_MODE, 4), 0);
	ct_dirent_set_ino(ct.d, "f", ct.ninodes);
	ct_expect_euclean();
	ct_restore_and_mount();
	/* a free inode in the middle of the table */
	VEQ(ct_iget(ct.l + 5, L_I_MODE, 4), 0);
	ct_dirent_set_ino(ct.d, "f", ct.l + 5);
	ct_expect_euclean();
	ct_restore_and_mount();
	/* an empty name */
	ct_dirent_set(ct.d, "f", L_DE_NAME, "", 1);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, dirent_with_bad_inode_or_empty_name_is_euclean)
{
	VT_RUN1(t_dirent);
}

/* A directory must have exactly one name: two, or a name for the root,
 * make a tree with a cycle (.. of /d/e would be /d/e/x's target). */
static void t_dir_two_names(void *arg)
{
	(void)arg;
	ct_build();
	ct_dirent_set_ino(ct.d, "f", ct.e); /* /d/f now names /d/e too */
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_dirent_set_ino(ct.d, "f", ct.d); /* /d/f names /d: a loop */
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_dirent_set_ino(ct.d, "f", L_ROOT); /* a name for / */
	ct_expect_euclean();
	ct_restore_and_mount();
	/* the file itself may have several names */
	ct_dirent_set_ino(ct.d, "f", ct.big);
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/big", &st), 0);
	VEQ(st.st_nlink, 2);
	VEQ(vfs_unmount(), 0);
	ct_restore();
}

Test(vfs_recovery_corrupt, directory_with_two_names_is_euclean)
{
	VT_RUN1(t_dir_two_names);
}

static void t_dir_block(void *arg)
{
	(void)arg;
	ct_build();
	ct_iset(ct.d, L_I_DIRECT, 4, 0); /* /d's only block */
	ct_expect_euclean();
	ct_restore_and_mount();
	/* a size that needs a second block /d does not have */
	ct_iset(ct.d, L_I_SIZE, 8, (uint64_t)ct_bsize + L_DIRENT_SIZE);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, directory_block_missing_is_euclean)
{
	VT_RUN1(t_dir_block);
}

/* ---- symbolic links -------------------------------------------------------- */

static void ct_link_target(const char *bytes, size_t n)
{
	uint8_t buf[L_BLOCK_MAX] = {0};
	uint32_t b = ct_direct(ct.l, 0);
	ct_save(b);
	memcpy(buf, bytes, n);
	ct_write_block(b, buf);
}

static void t_symlink(void *arg)
{
	(void)arg;
	ct_build();
	ct_iset(ct.l, L_I_SIZE, 8, 0);
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_iset(ct.l, L_I_DIRECT, 4, 0); /* its block */
	ct_expect_euclean();
	ct_restore_and_mount();
	ct_link_target("/d\0f", 4);
	ct_expect_euclean();
	ct_restore_and_mount();
	/* 1024 bytes with no NUL: too long (VFS_PATH_MAX) */
	static char longt[1024];
	memset(longt, 'a', sizeof(longt));
	ct_link_target(longt, 1024);
	ct_iset(ct.l, L_I_SIZE, 8, 1024);
	ct_expect_euclean();
	ct_restore_and_mount();
	/* 1023 is the longest target */
	ct_link_target(longt, 1023);
	ct_iset(ct.l, L_I_SIZE, 8, 1023);
	VEQ(vt_remount(), 0);
	char got[1024];
	VEQ(kvfs_readlink("/l", got, sizeof(got)), 1023);
	VCHECK(memcmp(got, longt, 1023) == 0);
	VEQ(vfs_unmount(), 0);
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, symlink_empty_too_long_nul_inside_or_blockless_is_euclean)
{
	VT_RUN1(t_symlink);
}

/* With 512-byte blocks a long target spans two blocks: the second one
 * missing is refused too. */
static void t_symlink_two_blocks(void *arg)
{
	(void)arg;
	ct_build();
	VEQ(vt_remount(), 0);
	static char longt[1000];
	memset(longt, 'b', sizeof(longt) - 1);
	VEQ(kvfs_symlink(longt, "/ll"), 0);
	uint32_t ll = ct_ino("/ll");
	VEQ(vfs_unmount(), 0);
	ct.seq = ct_durable_seq();
	VCHECK(ct_direct(ll, 1) != 0);
	ct_iset(ll, L_I_DIRECT + 4, 4, 0);
	ct_expect_euclean();
	ct_restore_and_mount();
}

Test(vfs_recovery_corrupt, symlink_second_block_missing_is_euclean)
{
	vt_config_default();
	vt_cfg.mnt.block_size = 512;
	RUN(t_symlink_two_blocks);
}

/* ---- repairs: what a crash may leave behind ---------------------------------- */

/* Link counts are recounted from the directories, and fixed on disk by the
 * next commit. */
static void t_nlink(void *arg)
{
	(void)arg;
	ct_build();
	ct_iset(ct.f, L_I_NLINK, 4, 7);
	ct_iset(ct.e, L_I_NLINK, 4, 0);
	ct_iset(L_ROOT, L_I_NLINK, 4, 1);
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/d/f", &st), 0);
	VEQ(st.st_nlink, 1);
	VEQ(kvfs_stat("/d/e", &st), 0);
	VEQ(st.st_nlink, 2);
	VEQ(kvfs_stat("/", &st), 0);
	VEQ(st.st_nlink, 3); /* ., its own .., /d's .. */
	ct_check_tree();
	VEQ(vfs_unmount(), 0); /* commits the repair */
	VEQ(ct_iget(ct.f, L_I_NLINK, 4), 1);
	VEQ(ct_iget(ct.e, L_I_NLINK, 4), 2);
	VEQ(ct_iget(L_ROOT, L_I_NLINK, 4), 3);
}

Test(vfs_recovery_corrupt, wrong_link_counts_are_recounted_and_rewritten)
{
	VT_RUN1(t_nlink);
}

/* An inode that no name points to (in use on disk, in no directory) is
 * freed with its blocks: a file created just before a cut whose name did
 * not make it. Made here by dropping /d/f's entry: /d's last entry moves
 * into its slot. */
static void t_orphan(void *arg)
{
	(void)arg;
	ct_build();
	uint32_t b, off, lb, loff;
	ct_dirent_at(ct.d, "f", &b, &off);
	uint64_t dsize = ct_iget(ct.d, L_I_SIZE, 8);
	uint32_t last = (uint32_t)(dsize / L_DIRENT_SIZE) - 1;
	lb = ct_direct(ct.d, last / (ct_bsize / L_DIRENT_SIZE));
	loff = (last % (ct_bsize / L_DIRENT_SIZE)) * L_DIRENT_SIZE;
	VEQ(lb, b);
	uint8_t buf[L_BLOCK_MAX];
	ct_save(b);
	ct_read_block(b, buf);
	memmove(buf + off, buf + loff, L_DIRENT_SIZE);
	memset(buf + loff, 0, L_DIRENT_SIZE);
	ct_write_block(b, buf);
	ct_iset(ct.d, L_I_SIZE, 8, dsize - L_DIRENT_SIZE);
	uint32_t fblk = ct_direct(ct.f, 0);
	VCHECK(fblk != 0);
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/d/f", &st), -ENOENT);
	VEQ(kvfs_stat("/d/e", &st), 0);
	struct vfs_stats vs = vt_stats();
	VEQ(vs.free_inodes, ct.free_inodes + 1);
	/* its block stays out of use until a commit without it is durable */
	VEQ(vs.free_blocks, ct.free_blocks);
	VEQ(vfs_unmount(), 0); /* the repair is committed: the inode is free on disk */
	VEQ(ct_iget(ct.f, L_I_MODE, 4), 0);
	VEQ(vt_remount(), 0);
	vs = vt_stats();
	VEQ(vs.free_inodes, ct.free_inodes + 1);
	VCHECK(vs.free_blocks > ct.free_blocks);
	VEQ(vfs_unmount(), 0);
}

Test(vfs_recovery_corrupt, orphan_inode_is_freed_with_its_blocks)
{
	VT_RUN1(t_orphan);
}

/* The real crash that leaves an orphan: a file unlinked while open, the
 * unlink committed, the power cut before the last close. */
static void t_orphan_open(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_write_file("/keep", "k", 1, 0), 1);
	int fd = vt_open("/gone", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	VEQ(vt_write_str(fd, "still open"), 10);
	VEQ(simk_fsync(fd), 0);
	uint32_t free_before = vt_stats().free_inodes;
	VEQ(simk_unlink(vt_ustr("/gone")), 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(vt_fstat(fd).st_nlink, 0);
	vfs_power_cut(0, NULL);
	VEQ(simk_close(fd), 0);
	VEQ(vt_remount(), 0);
	VEQ(vt_stats().free_inodes, free_before + 1);
	char c = 0;
	VEQ(kvfs_read_file("/keep", &c, 1, 0), 1);
	VEQ(c, 'k');
	VEQ(vfs_unmount(), 0);
}

Test(vfs_recovery_corrupt, file_unlinked_while_open_is_freed_after_a_cut)
{
	VT_RUN1(t_orphan_open);
}

/* A buffered write past the end of a file links its new block before it
 * grows the size; a commit forced by a full cache in between makes that
 * moment durable. A cut right after must still mount, with the file as
 * that commit saw it. */
static void t_past_eof_commit(void *arg)
{
	(void)arg;
	vt_setup();
	ct_geometry();
	static uint8_t data[5 * L_BLOCK_MAX];
	vt_fill(data, sizeof(data), 9, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	/* fill the cache (4 buffers) with dirty blocks of /f */
	VEQ(vt_pwrite(fd, data, 4 * ct_bsize, 0), 4 * (long long)ct_bsize);
	uint64_t commits = vt_stats().commits;
	VEQ(vt_pwrite(fd, data + 4 * ct_bsize, ct_bsize, 4 * ct_bsize), ct_bsize);
	VEQ(vt_stats().commits, commits + 1); /* the cache-pressure commit */
	vfs_power_cut(0, NULL);
	VEQ(simk_close(fd), 0);
	VEQ(vt_remount(), 0);
	struct simk_stat st;
	VEQ(kvfs_stat("/f", &st), 0);
	VEQ(st.st_size, 4 * (long long)ct_bsize);
	static uint8_t got[4 * L_BLOCK_MAX];
	VEQ(kvfs_read_file("/f", got, sizeof(got), 0), 4 * (long long)ct_bsize);
	VCHECK(memcmp(got, data, 4 * ct_bsize) == 0);
	/* and the file grows again from there */
	VEQ(kvfs_write_file("/f", data + 4 * ct_bsize, ct_bsize, 4 * ct_bsize), ct_bsize);
	VEQ(vfs_unmount(), 0);
	VEQ(vt_remount(), 0);
	VEQ(kvfs_read_file("/f", got, sizeof(got), 0), 4 * (long long)ct_bsize);
	VEQ(kvfs_stat("/f", &st), 0);
	VEQ(st.st_size, 5 * (long long)ct_bsize);
	VEQ(vfs_unmount(), 0);
}

Test(vfs_recovery_corrupt, write_past_eof_committed_by_cache_pressure_then_cut_mounts)
{
	vt_config_default();
	vt_cfg.mnt.cache_blocks = 4;
	RUN(t_past_eof_commit);
}

/* So a block mapped past the end of a file is not an error: it is dropped
 * (never claimed, so it may even be another file's block), in the direct
 * map or in the indirect block, and the next commit writes the map
 * without it. */
static void t_past_eof_dropped(void *arg)
{
	(void)arg;
	ct_build();
	uint32_t ind = (uint32_t)ct_iget(ct.big, L_I_INDIRECT, 4);
	uint8_t buf[L_BLOCK_MAX];
	ct_iset(ct.f, L_I_DIRECT + 4 * 3, 4, ct_direct(ct.big, 3));
	ct_save(ind);
	ct_read_block(ind, buf);
	uint32_t per = ct_bsize / 4;
	put32(buf + 4 * (CT_BIG_BLOCKS + 3 - L_NDIRECT), ct.nblocks + 100); /* file block 23 */
	put32(buf + 4 * (per - 1), ct_direct(ct.f, 0));			    /* the last one */
	ct_write_block(ind, buf);
	VEQ(vt_remount(), 0);
	ct_check_tree();
	struct simk_stat st;
	VEQ(kvfs_stat("/d/f", &st), 0);
	VEQ(st.st_blocks, ct_bsize / 512);
	VEQ(kvfs_stat("/big", &st), 0);
	VEQ(st.st_blocks, (long long)CT_BIG_BLOCKS * (ct_bsize / 512));
	VEQ(vfs_unmount(), 0); /* the repair is committed */
	VEQ(ct_direct(ct.f, 3), 0);
	ind = (uint32_t)ct_iget(ct.big, L_I_INDIRECT, 4);
	ct_read_block(ind, buf);
	for (uint32_t i = CT_BIG_BLOCKS - L_NDIRECT; i < per; i++)
		VEQ(get32(buf + 4 * i), 0);
	ct.seq = ct_durable_seq();
	VEQ(vt_remount(), 0);
	ct_check_tree();
	VEQ(vfs_unmount(), 0);
}

Test(vfs_recovery_corrupt, block_mapped_past_eof_is_dropped_not_claimed)
{
	VT_RUN1(t_past_eof_dropped);
}

/* ---- the scenario operation ------------------------------------------------ */

/* 4 KiB blocks on 512-byte sectors: slot 0 is sector 0, slot 1 sector 8.
 * Format writes sequence 1 (slot 1), the unmount after mkdir sequence 2
 * (slot 0). */
static const char scn_media[] =
    "device disk\n"
    "fs root disk\n"
    "thread t\n"
    "  local r = mkdir \"/d\"\n"
    "  expect r == 0\n"
    "  r = unmount\n"
    "  expect r == 0\n"
    "  r = media_corrupt disk 0 byte=0\n"
    "  expect r == 0\n"
    "  r = media_corrupt disk 8 byte=0\n"
    "  expect r == 0\n"
    "  r = mount format=0\n"
    "  expect r == -EUCLEAN\n"
    /* the complement of the complement: both magics back */
    "  r = media_corrupt disk 0 byte=0\n"
    "  r = media_corrupt disk 8 byte=0 value=0x53\n"
    "  expect r == 0\n"
    "  r = mount format=0\n"
    "  expect r == 0\n"
    "  r = stat \"/d\"\n"
    "  expect r == 0\n"
    "  r = unmount\n"
    /* sequence 2 garbled at the device: back to sequence 1, without /d */
    "  r = media_corrupt disk 0\n"
    "  expect r == 0\n"
    "  r = mount format=0\n"
    "  expect r == 0\n"
    "  r = stat \"/d\"\n"
    "  expect r == -ENOENT\n"
    "  r = media_corrupt disk 16384\n"
    "  expect r == -EINVAL\n"
    "  r = media_corrupt disk -1 byte=0\n"
    "  expect r == -EINVAL\n"
    "  r = media_corrupt disk 0 byte=512\n"
    "  expect r == -EINVAL\n"
    "  r = media_corrupt disk 0 byte=0 value=256\n"
    "  expect r == -EINVAL\n"
    "  r = media_corrupt disk 0 value=1\n"
    "  expect r == -EINVAL\n";

Test(vfs_recovery_corrupt, scenario_media_corrupt_garbles_or_sets_a_byte)
{
	assert_passes(scn_media);
	/* without the second corruption slot 1 still mounts */
	char *one = strdup(scn_media);
	char *at = strstr(one, "  r = media_corrupt disk 8 byte=0\n");
	cr_assert_not_null(at);
	memcpy(at, "  r = media_corrupt disk 9 byte=0\n", 34);
	struct scn_result r = scn_run_text(one);
	cr_assert_eq(r.out, SIMK_FAIL_EXPECT, "outcome %d: %s", r.out, r.reason);
	cr_assert(strstr(r.reason, "r == -EUCLEAN") != NULL, "%s", r.reason);
	free(one);
}
