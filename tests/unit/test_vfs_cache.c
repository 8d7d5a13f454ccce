/* VFS: the buffer cache, fsync, O_SYNC, the flusher, device errors on the way. */
#include "vfs_test.h"

static uint8_t data[3 * 4096 + 100];

/* Checks that path holds exactly data[0..n) (after a remount). */
static void expect_file(const char *path, size_t n)
{
	int fd = vt_open(path, O_RDONLY, 0);
	VCHECK(fd >= 0);
	VEQ(vt_fstat(fd).st_size, n);
	static uint8_t got[sizeof(data)];
	VEQ(vt_pread(fd, got, n, 0), n);
	VCHECK(memcmp(got, data, n) == 0);
	VEQ(simk_close(fd), 0);
}

static void t_fsync(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 1, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, data, sizeof(data), 0), sizeof(data));
	struct vfs_stats vs = vt_stats();
	VEQ(vs.data_blocks_written, 0); /* only in the cache */
	VEQ(vs.dirty_buffers, 4);
	struct blkdev_stats bs0;
	blkdev_get_stats(vt_dev, &bs0);
	VEQ(simk_fsync(fd), 0);
	vs = vt_stats();
	VEQ(vs.dirty_buffers, 0);
	VEQ(vs.data_blocks_written, 4);
	VEQ(vs.commits, 2); /* format + this one */
	struct blkdev_stats bs1;
	blkdev_get_stats(vt_dev, &bs1);
	VCHECK(bs1.flushes > bs0.flushes);
	VCHECK(bs1.fua_writes > bs0.fua_writes); /* the superblock */
	VEQ(blkdev_dirty_sectors(vt_dev), 0);	 /* nothing volatile left */
	vt_crash_remount(BLK_CUT_TEAR);
	expect_file("/f", sizeof(data));
}

Test(vfs_cache, fsync_writes_back_flushes_and_survives_a_power_cut)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_fsync, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_lost(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 2, 0);
	int fd = vt_open("/kept", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, data, 100, 0), 100);
	VEQ(simk_fdatasync(fd), 0);
	VEQ(vt_pwrite(fd, data + 100, 100, 100), 100); /* never synced */
	int g = vt_open("/gone", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(g, "nope"), 4);
	vt_crash_remount(0);
	struct simk_stat st;
	VEQ(vt_stat("/gone", &st), -ENOENT);
	expect_file("/kept", 100);
	VEQ(simk_read(fd, vt_ubuf(4), 4), -EIO); /* files of the dead mount */
	VEQ(vt_write_str(fd, "x"), -EIO);
	VEQ(simk_fsync(fd), -EIO);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(g), 0);
}

Test(vfs_cache, unsynced_changes_are_lost_and_old_files_see_eio)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_lost, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_flusher(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 3, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uint64_t t0 = sim_now();
	VEQ(vt_pwrite(fd, data, 5000, 0), 5000);
	struct vfs_stats vs0 = vt_stats();
	vt_sleep(vt_cfg.mnt.flush_delay_ns - 1000000 - (sim_now() - t0));
	struct vfs_stats vs1 = vt_stats();
	VEQ(vs1.commits, vs0.commits); /* not yet */
	VEQ(vs1.dirty_buffers, 2);
	vt_sleep(5000000);
	struct vfs_stats vs2 = vt_stats();
	VEQ(vs2.commits, vs0.commits + 1);
	VEQ(vs2.flusher_commits, 1);
	VEQ(vs2.dirty_buffers, 0);
	vt_sleep(100000000); /* nothing dirty: the flusher stays asleep */
	VEQ(vt_stats().flusher_commits, 1);
	vt_crash_remount(0);
	expect_file("/f", 5000);
}

Test(vfs_cache, flusher_writes_back_after_the_delay_and_only_then)
{
	vt_config_default();
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_flusher, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_osync(void *arg)
{
	int flag = (int)(intptr_t)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 4, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR | flag, 0644);
	uint64_t c0 = vt_stats().commits;
	VEQ(vt_pwrite(fd, data, 3000, 0), 3000);
	VEQ(vt_stats().commits, c0 + 1);
	VEQ(vt_stats().dirty_buffers, 0);
	vt_crash_remount(BLK_CUT_TEAR);
	expect_file("/f", 3000);
}

Test(vfs_cache, o_sync_write_is_durable_when_it_returns)
{
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_osync, (void *)(intptr_t)O_SYNC);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

Test(vfs_cache, o_dsync_write_is_durable_when_it_returns)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_osync, (void *)(intptr_t)O_DSYNC);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_evict(void *arg)
{
	(void)arg;
	vt_setup();
	static uint8_t big[64 * 4096];
	vt_fill(big, sizeof(big), 5, 0);
	int fd = vt_open("/big", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, big, sizeof(big), 0), sizeof(big));
	struct vfs_stats vs = vt_stats();
	VCHECK(vs.cached_buffers <= 8);
	VCHECK(vs.commits >= 2); /* cache pressure forced write-back */
	static uint8_t got[sizeof(big)];
	VEQ(vt_pread(fd, got, sizeof(got), 0), sizeof(got));
	VCHECK(memcmp(got, big, sizeof(big)) == 0);
	vs = vt_stats();
	VCHECK(vs.cache_evictions > 0);
	VCHECK(vs.cache_misses > 0);
	uint64_t hits = vs.cache_hits;
	VEQ(vt_pread(fd, got, 100, sizeof(big) - 100), 100); /* the last block is cached */
	VEQ(vt_stats().cache_hits, hits + 1);
}

Test(vfs_cache, small_cache_evicts_and_writes_back_under_pressure)
{
	vt_config_default();
	vt_cfg.mnt.cache_blocks = 8;
	struct simk *s = vt_sim(6);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_evict, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_errors(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 6, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, data, 8192, 0), 8192);
	vt_fault("blk/write/eio:nth=1");
	VEQ(simk_fsync(fd), -EIO);
	VEQ(vt_stats().commit_errors, 1);
	VEQ(vt_stats().dirty_buffers, 2); /* kept for the next try */
	VEQ(simk_fsync(fd), 0);
	vt_fault("blk/flush/eio:nth=1");
	VEQ(vt_pwrite(fd, data, 10, 0), 10);
	VEQ(simk_fsync(fd), -EIO);
	VEQ(simk_fsync(fd), 0);
	/* a silently torn write is found by the read-back and rewritten */
	vt_fault("blk/write/torn:nth=1");
	VEQ(vt_pwrite(fd, data + 1, 4096, 4096), 4096);
	VEQ(simk_fsync(fd), 0);
	/* a read error reaches read(2) */
	vt_crash_remount(0);
	fd = vt_open("/f", O_RDONLY, 0);
	vt_fault("blk/read/eio:nth=1");
	uint8_t got[8192];
	VEQ(vt_pread(fd, got, 100, 0), -EIO);
	VEQ(vt_pread(fd, got, 8192, 0), 8192); /* the next read goes to the device again */
	VCHECK(memcmp(got, data, 10) == 0);
	VCHECK(memcmp(got + 10, data + 10, 4086) == 0);
	VCHECK(memcmp(got + 4096, data + 1, 4096) == 0);
}

Test(vfs_cache, device_errors_reach_fsync_and_read_as_eio)
{
	vt_config_default();
	struct simk *s = vt_sim(7);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_errors, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A write past the end of file whose block cannot be read (the end of file
 * lies inside it) fails with -EIO and leaves the size alone. It used to
 * grow the file to the write's offset (a hole, nothing written), and a
 * commit made that size durable (found by test_vfs_power_campaign). */
static void t_failed_write_keeps_the_size(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(data, sizeof(data), 9, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(fd, data, 100, 0), 100);
	VEQ(simk_fsync(fd), 0);
	vt_crash_remount(0); /* the block is not cached any more */
	fd = vt_open("/f", O_RDWR, 0);
	vt_fault("blk/read/eio:nth=1");
	VEQ(vt_pwrite(fd, data, 10, 300), -EIO); /* needs bytes 0..99 of the block */
	VEQ(vt_fstat(fd).st_size, 100);
	VEQ(simk_fsync(fd), 0);
	vt_crash_remount(0);
	struct simk_stat st;
	VEQ(vt_stat("/f", &st), 0);
	VEQ(st.st_size, 100);
}

Test(vfs_cache, a_failed_write_past_the_end_leaves_the_size_alone)
{
	vt_config_default();
	struct simk *s = vt_sim(8);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_failed_write_keeps_the_size, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A buffered write into a hole of a file, when the cache is full of dirty
 * buffers: getting a buffer for the new block commits first. That commit
 * must not take the block into the file before its contents: it used to
 * be linked already, so the durable tree mapped the file's block to a
 * block still holding another file's old data, which a power cut then
 * showed inside the file (found by test_vfs_power_campaign). */
static uint8_t four_blocks[4 * 4096];

static void t_hole_write_under_cache_pressure(void *arg)
{
	(void)arg;
	uint8_t *data = four_blocks;
	vt_setup();
	/* old data on the blocks the hole will get: written, made durable, freed */
	vt_fill(data, 4 * 4096, 11, 0);
	int a = vt_open("/a", O_CREAT | O_RDWR, 0644);
	for (int i = 0; i < 4; i++) { /* more old blocks than the commits' metadata takes */
		VEQ(vt_pwrite(a, data, 4 * 4096, i * 4 * 4096), 4 * 4096);
		VEQ(simk_fsync(a), 0);
	}
	VEQ(simk_ftruncate(a, 0), 0);
	VEQ(simk_fsync(a), 0);
	VEQ(simk_fsync(a), 0); /* the tree before the truncate is gone too */
	/* a file with a hole: only its last block written */
	int b = vt_open("/b", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(b, data, 100, 8 * 4096), 100);
	VEQ(simk_fsync(b), 0);
	/* every buffer of the cache dirty */
	int c = vt_open("/c", O_CREAT | O_RDWR, 0644);
	VEQ(vt_pwrite(c, data, 4 * 4096, 0), 4 * 4096);
	uint64_t commits = vt_stats().commits;
	/* into the hole: the cache commits before it has a buffer for it */
	uint8_t mine[64];
	vt_fill(mine, sizeof(mine), 12, 0);
	VEQ(vt_pwrite(b, mine, sizeof(mine), 0), sizeof(mine));
	VEQ(vt_stats().commits, commits + 1);
	vt_crash_remount(0);
	b = vt_open("/b", O_RDONLY, 0);
	uint8_t got[4096];
	VEQ(vt_pread(b, got, sizeof(got), 0), sizeof(got));
	static const uint8_t zeros[4096];
	VCHECK(memcmp(got, zeros, sizeof(got)) == 0); /* the hole, as committed */
	VEQ(simk_close(b), 0);
}

Test(vfs_cache, a_write_into_a_hole_is_never_committed_without_its_data)
{
	vt_config_default();
	vt_cfg.mnt.cache_blocks = 4;
	vt_cfg.mnt.flush_delay_ns = 1000000000;
	struct simk *s = vt_sim(9);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_hole_write_under_cache_pressure, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A commit leaves nothing dirty behind: once an fsync made a new name, a
 * symbolic link and a file durable, fsync and unmount with nothing
 * changed since commit nothing more (rewriting a directory's or a link's
 * blocks used to leave its inode marked dirty, so every such commit was
 * followed by one more that wrote the inode table and a superblock again). */
static void t_no_extra_commit(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_mkdir("/d", 0755), 0);
	VEQ(kvfs_symlink("/d/f", "/l"), 0);
	int fd = vt_open("/d/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "abc"), 3);
	VEQ(simk_fsync(fd), 0);
	uint64_t c0 = vt_stats().commits;
	VEQ(simk_fsync(fd), 0);
	VEQ(vt_stats().commits, c0);
	VEQ(simk_close(fd), 0);
	VEQ(vfs_unmount(), 0);
	struct simk_stat st;
	VEQ(vt_remount(), 0);
	VEQ(vt_stats().commits, 0); /* a new instance counts from zero */
	VEQ(kvfs_stat("/l", &st), 0);
	VEQ(st.st_size, 3);
}

Test(vfs_cache, a_commit_leaves_no_metadata_dirty)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_no_extra_commit, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}
