/* Block device: volatile write cache, FLUSH, FUA, power cut, torn and
 * garbled sectors. What survives a power cut in each case. */
#include "blk_test_util.h"

static int c_rc[32];
static uint64_t c_u[32];
static struct blkdev_stats c_st;
static uint8_t c_a[8 * 4096], c_b[8 * 4096], c_in[8 * 4096];

static struct blkdev *mkdev(bool cache, uint32_t ss)
{
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.write_cache = cache;
	cfg.sector_size = ss;
	cfg.capacity_sectors = 256;
	return bt_dev(&cfg);
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* After a completed non-FUA write: what the views say, then a power cut. */
static void body_unflushed(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	bt_fill(c_a, 512, 1);
	c_rc[0] = blkdev_write_sync(dev, 0, 5, 1, c_a);
	c_u[0] = blkdev_sector_dirty(dev, 5);
	c_u[1] = blkdev_dirty_sectors(dev);
	c_rc[1] = blkdev_peek(dev, BLK_VIEW_CURRENT, 5, c_in);
	c_u[2] = memcmp(c_in, c_a, 512) == 0;
	c_rc[2] = blkdev_peek(dev, BLK_VIEW_STABLE, 5, c_in);
	c_u[3] = is_zero(c_in, 512);
	c_rc[3] = blkdev_read_sync(dev, 5, 1, c_in);
	c_u[4] = memcmp(c_in, c_a, 512) == 0; /* reads see the cache */
	blkdev_power_cut(dev, 0, NULL);
	c_u[5] = blkdev_dirty_sectors(dev);
	c_rc[4] = blkdev_read_sync(dev, 5, 1, c_in);
	c_u[6] = is_zero(c_in, 512);
}

Test(blkdev_cache, unflushed_write_is_lost_on_power_cut)
{
	bt_run(1, body_unflushed, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert(c_u[0], "completed write must sit in the cache");
	cr_assert_eq(c_u[1], 1);
	cr_assert_eq(c_rc[1], 0);
	cr_assert(c_u[2], "current view shows the new bytes");
	cr_assert_eq(c_rc[2], 0);
	cr_assert(c_u[3], "stable view still zero");
	cr_assert_eq(c_rc[3], 0);
	cr_assert(c_u[4]);
	cr_assert_eq(c_u[5], 0, "power cut empties the cache");
	cr_assert_eq(c_rc[4], 0);
	cr_assert(c_u[6], "after the cut the device reads stable media");
}

static void body_flush(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 4096);
	bt_fill(c_a, 3 * 4096, 2);
	bt_fill(c_b, 4096, 3);
	c_rc[0] = blkdev_write_sync(dev, 0, 10, 3, c_a);
	c_rc[1] = blkdev_flush_sync(dev);
	c_u[0] = blkdev_dirty_sectors(dev);
	c_rc[2] = blkdev_write_sync(dev, 0, 11, 1, c_b); /* after the flush: volatile */
	blkdev_power_cut(dev, 0, NULL);
	c_rc[3] = blkdev_read_sync(dev, 10, 3, c_in);
	c_u[1] = memcmp(c_in, c_a, 3 * 4096) == 0;
}

Test(blkdev_cache, flushed_writes_survive_power_cut_later_ones_do_not)
{
	bt_run(1, body_flush, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert_eq(c_rc[1], 0);
	cr_assert_eq(c_u[0], 0, "flush leaves nothing dirty");
	cr_assert_eq(c_rc[2], 0);
	cr_assert_eq(c_rc[3], 0);
	cr_assert(c_u[1], "sector 11 must be back to the flushed bytes");
}

static void body_fua(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	bt_fill(c_a, 512, 4);
	bt_fill(c_b, 512, 5);
	c_rc[0] = blkdev_write_sync(dev, BLK_REQ_FUA, 1, 1, c_a);
	c_u[0] = blkdev_sector_dirty(dev, 1);
	c_rc[1] = blkdev_write_sync(dev, 0, 2, 1, c_a);		  /* cached */
	c_rc[2] = blkdev_write_sync(dev, BLK_REQ_FUA, 2, 1, c_b); /* supersedes it */
	c_u[1] = blkdev_sector_dirty(dev, 2);
	blkdev_power_cut(dev, 0, NULL);
	c_rc[3] = blkdev_read_sync(dev, 1, 1, c_in);
	c_u[2] = memcmp(c_in, c_a, 512) == 0;
	c_rc[4] = blkdev_read_sync(dev, 2, 1, c_in);
	c_u[3] = memcmp(c_in, c_b, 512) == 0;
	blkdev_get_stats(dev, &c_st);
}

Test(blkdev_cache, fua_write_is_stable_without_flush)
{
	bt_run(1, body_fua, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert(!c_u[0], "FUA write bypasses the cache");
	cr_assert_eq(c_rc[2], 0);
	cr_assert(!c_u[1], "FUA write drops the older cached copy");
	cr_assert(c_u[2], "FUA data survives the cut");
	cr_assert(c_u[3], "the later FUA write wins over the cached one");
	cr_assert_eq(c_st.fua_writes, 2);
}

static void body_nocache(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false, 512);
	bt_fill(c_a, 4 * 512, 6);
	c_rc[0] = blkdev_write_sync(dev, 0, 0, 4, c_a);
	c_u[0] = blkdev_dirty_sectors(dev);
	c_rc[1] = blkdev_peek(dev, BLK_VIEW_STABLE, 3, c_in);
	c_u[1] = memcmp(c_in, c_a + 3 * 512, 512) == 0;
	blkdev_power_cut(dev, 0, NULL);
	c_rc[2] = blkdev_read_sync(dev, 0, 4, c_in);
	c_u[2] = memcmp(c_in, c_a, 4 * 512) == 0;
	c_rc[3] = blkdev_flush_sync(dev);
}

Test(blkdev_cache, without_cache_every_completed_write_is_stable)
{
	bt_run(1, body_nocache, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert_eq(c_u[0], 0);
	cr_assert_eq(c_rc[1], 0);
	cr_assert(c_u[1]);
	cr_assert_eq(c_rc[2], 0);
	cr_assert(c_u[2]);
	cr_assert_eq(c_rc[3], 0, "FLUSH without a cache is a successful no-op");
}

/* Requests in flight at the cut complete with -EIO; none of their writes land. */
static void body_cut_inflight(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false, 512);
	bt_fill(c_a, 8 * 512, 7);
	for (int i = 0; i < 8; i++)
		c_rc[i] = bt_submit(dev, i, i % 2 ? BLK_OP_WRITE : BLK_OP_READ, 0, (uint64_t)i, 1,
				    i % 2 ? c_a + i * 512 : c_in + i * 512);
	c_u[0] = sim_now();
	blkdev_power_cut(dev, 0, NULL);
	bt_wait(8);
	c_u[1] = sim_now();
	for (int i = 0; i < 8; i++) {
		blkdev_peek(dev, BLK_VIEW_STABLE, (uint64_t)i, c_b);
		c_u[2 + i] = is_zero(c_b, 512);
	}
	blkdev_get_stats(dev, &c_st);
}

Test(blkdev_cache, power_cut_fails_requests_in_flight_with_eio)
{
	bt_run(1, body_cut_inflight, NULL);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(c_rc[i], 0);
		cr_assert_eq(bt.calls[i], 1);
		cr_assert_eq(bt.err[i], -EIO, "request %d: %d", i, bt.err[i]);
		cr_assert_eq(bt.order[i], i, "aborted requests end in submission order");
		cr_assert(c_u[2 + i], "aborted write %d reached the media", i);
	}
	cr_assert_eq(c_u[1], c_u[0], "aborts complete at the time of the cut");
	cr_assert_eq(c_st.errors, 8);
	cr_assert_eq(c_st.power_cuts, 1);
	cr_assert_eq(c_st.in_flight, 0);
}

/* Tear: an in-flight write of 4 sectors over old stable data. */
static void body_tear(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	bt_fill(c_a, 4 * 512, 8); /* old, stable */
	bt_fill(c_b, 4 * 512, 9); /* new, in flight */
	blkdev_poke(dev, 20, 4, c_a);
	c_rc[0] = bt_submit(dev, 0, BLK_OP_WRITE, 0, 20, 4, c_b);
	uint64_t torn = 0;
	blkdev_power_cut(dev, BLK_CUT_TEAR, &torn);
	c_u[0] = torn;
	bt_wait(1);
	for (int i = 0; i < 4; i++) {
		c_rc[1 + i] = blkdev_read_sync(dev, 20 + (uint64_t)i, 1, c_in);
		c_u[1 + i] = memcmp(c_in, c_a + i * 512, 512) == 0;
	}
	c_rc[5] = blkdev_read_sync(dev, 20, 4, c_in); /* the whole range */
	c_rc[6] = blkdev_peek(dev, BLK_VIEW_STABLE, torn, c_in);
	/* rewriting the torn sector heals it */
	c_rc[7] = blkdev_write_sync(dev, BLK_REQ_FUA, torn, 1, c_b);
	c_rc[8] = blkdev_read_sync(dev, 20, 4, c_in);
	blkdev_get_stats(dev, &c_st);
}

Test(blkdev_cache, power_cut_tear_makes_one_sector_read_eio)
{
	for (uint64_t seed = 1; seed <= 10; seed++) {
		bt_run(seed, body_tear, NULL);
		cr_assert_eq(c_rc[0], 0);
		cr_assert_eq(bt.err[0], -EIO, "the torn write itself failed");
		uint64_t torn = c_u[0];
		cr_assert(torn >= 20 && torn < 24, "torn sector %llu", (unsigned long long)torn);
		for (int i = 0; i < 4; i++) {
			if (20 + (uint64_t)i == torn) {
				cr_assert_eq(c_rc[1 + i], -EIO, "torn sector must read -EIO");
			} else {
				cr_assert_eq(c_rc[1 + i], 0);
				cr_assert(c_u[1 + i], "untorn sector %d must keep the old bytes",
					  i);
			}
		}
		cr_assert_eq(c_rc[5], -EIO, "a read covering the torn sector fails whole");
		cr_assert_eq(c_rc[6], -EIO);
		cr_assert_eq(c_rc[7], 0);
		cr_assert_eq(c_rc[8], 0, "rewritten sector reads fine again");
		cr_assert_eq(c_st.torn_sectors, 1);
		cr_assert_geq(c_st.csum_errors, 2);
	}
}

static void body_tear_cached(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	bt_fill(c_a, 512, 10);
	c_rc[0] = blkdev_write_sync(dev, 0, 7, 1, c_a); /* dirty in cache, nothing in flight */
	uint64_t torn = 0;
	blkdev_power_cut(dev, BLK_CUT_TEAR, &torn);
	c_u[0] = torn;
	c_rc[1] = blkdev_read_sync(dev, 7, 1, c_in);
	blkdev_power_cut(dev, BLK_CUT_TEAR, &torn); /* nothing to tear now */
	c_u[1] = torn;
}

Test(blkdev_cache, power_cut_tear_picks_a_cached_sector_when_no_write_is_in_flight)
{
	bt_run(1, body_tear_cached, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert_eq(c_u[0], 7);
	cr_assert_eq(c_rc[1], -EIO);
	cr_assert_eq(c_u[1], BLKDEV_NO_SECTOR);
}

static void body_corrupt(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false, 512);
	bt_fill(c_a, 512, 11);
	c_rc[0] = blkdev_write_sync(dev, 0, 3, 1, c_a);
	c_rc[1] = blkdev_corrupt(dev, 3);
	c_rc[2] = blkdev_read_sync(dev, 3, 1, c_in);
	c_rc[3] = blkdev_corrupt(dev, 4); /* never written, garbled */
	c_rc[4] = blkdev_read_sync(dev, 4, 1, c_in);
	c_rc[5] = blkdev_read_sync(dev, 2, 1, c_in); /* untouched neighbour */
	c_rc[6] = blkdev_corrupt(dev, 256);
	blkdev_get_stats(dev, &c_st);
}

Test(blkdev_cache, garbled_sectors_read_eio_never_wrong_bytes)
{
	bt_run(1, body_corrupt, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert_eq(c_rc[1], 0);
	cr_assert_eq(c_rc[2], -EIO, "checksum mismatch must fail the read");
	cr_assert_eq(c_rc[4], -EIO, "a never-written sector that is not zero must fail");
	cr_assert_eq(c_rc[5], 0);
	cr_assert_eq(c_rc[6], -EINVAL);
	cr_assert_eq(c_st.csum_errors, 2);
}

/* Inspection and setup helpers check their range. */
static void body_peek_poke(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	c_rc[0] = blkdev_peek(dev, BLK_VIEW_STABLE, 256, c_in);
	c_rc[1] = blkdev_poke(dev, 255, 2, c_a);
	c_rc[2] = blkdev_poke(dev, 0, 0, c_a);
	c_rc[3] = blkdev_poke(dev, 255, 1, c_a);
	c_rc[4] = blkdev_peek(dev, (enum blk_view)9, 0, c_in);
	c_u[0] = blkdev_sector_dirty(dev, 999);
}

Test(blkdev_cache, peek_and_poke_check_their_range)
{
	bt_run(1, body_peek_poke, NULL);
	cr_assert_eq(c_rc[0], -EINVAL);
	cr_assert_eq(c_rc[1], -EINVAL);
	cr_assert_eq(c_rc[2], -EINVAL);
	cr_assert_eq(c_rc[3], 0);
	cr_assert_eq(c_rc[4], -EINVAL);
	cr_assert(!c_u[0]);
}

/* A second cut before the first one's aborts are delivered: nothing is
 * aborted twice, and an already aborted write is not torn. */
static void body_double_cut(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true, 512);
	bt_fill(c_a, 2 * 512, 12);
	c_rc[0] = bt_submit(dev, 0, BLK_OP_WRITE, 0, 0, 1, c_a);
	c_rc[1] = bt_submit(dev, 1, BLK_OP_WRITE, 0, 1, 1, c_a + 512);
	blkdev_power_cut(dev, 0, NULL);
	uint64_t torn = 0;
	blkdev_power_cut(dev, BLK_CUT_TEAR, &torn);
	c_u[0] = torn;
	bt_wait(2);
	c_rc[2] = blkdev_read_sync(dev, 0, 2, c_in);
	blkdev_get_stats(dev, &c_st);
}

Test(blkdev_cache, second_power_cut_neither_aborts_twice_nor_tears_an_aborted_write)
{
	bt_run(1, body_double_cut, NULL);
	cr_assert_eq(c_rc[0], 0);
	cr_assert_eq(c_rc[1], 0);
	cr_assert_eq(c_u[0], BLKDEV_NO_SECTOR);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(bt.calls[i], 1);
		cr_assert_eq(bt.err[i], -EIO);
	}
	cr_assert_eq(c_rc[2], 0);
	cr_assert_eq(c_st.power_cuts, 2);
	cr_assert_eq(c_st.torn_sectors, 0);
}
