/* Block device: every fault point and what the driver does with it, the
 * lost-interrupt policy (timeout, retry, -ETIMEDOUT), exactly-once
 * completion under random faults, never-wrong-bytes, leaks, panics. */
#include "blk_test_util.h"

static int f_rc[32];
static uint64_t f_u[32];
static struct blkdev_stats f_st;
static uint8_t f_a[8 * 512], f_b[8 * 512], f_in[8 * 512];

#define US 1000ULL
#define MS 1000000ULL

static struct blkdev *mkdev(bool cache)
{
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.write_cache = cache;
	cfg.capacity_sectors = 64;
	cfg.latency = blk_latency_fixed(100 * US);
	cfg.timeout_ns = 1 * MS;
	cfg.retries_max = 2;
	cfg.delay_ns = 5 * MS;
	return bt_dev(&cfg);
}

/* ---- blk/read/eio ------------------------------------------------------ */

static void body_read_eio(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	bt_fill(f_a, 512, 1);
	blkdev_poke(dev, 3, 1, f_a);
	bt_fault("blk/read/eio:nth=1");
	memset(f_in, 0xee, 512);
	f_rc[0] = blkdev_read_sync(dev, 3, 1, f_in);
	f_u[0] = f_in[0] == 0xee && f_in[511] == 0xee;
	f_rc[1] = blkdev_read_sync(dev, 3, 1, f_in);
	f_u[1] = memcmp(f_in, f_a, 512) == 0;
	f_u[2] = sim_fault_injected("blk/read/eio");
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, read_eio_fails_the_read_and_leaves_the_buffer)
{
	bt_run(1, body_read_eio, NULL);
	cr_assert_eq(f_rc[0], -EIO);
	cr_assert(f_u[0], "a failed read must not fill the buffer");
	cr_assert_eq(f_rc[1], 0);
	cr_assert(f_u[1]);
	cr_assert_eq(f_u[2], 1);
	cr_assert_eq(f_st.errors, 1);
	cr_assert_eq(f_st.sectors_read, 1, "only the good read counts its sectors");
}

/* ---- blk/write/eio ------------------------------------------------------ */

static void body_write_eio(void *arg)
{
	struct blkdev *dev = mkdev(arg != NULL);
	bt_fill(f_a, 2 * 512, 2);
	bt_fill(f_b, 2 * 512, 3);
	f_rc[0] = blkdev_write_sync(dev, 0, 8, 2, f_a);
	bt_fault("blk/write/eio:nth=1");
	f_rc[1] = blkdev_write_sync(dev, BLK_REQ_FUA, 8, 2, f_b);
	f_rc[2] = blkdev_read_sync(dev, 8, 2, f_in);
	f_u[0] = memcmp(f_in, f_a, 2 * 512) == 0;
}

Test(blkdev_fault, write_eio_fails_and_changes_nothing)
{
	for (int cache = 0; cache < 2; cache++) {
		bt_run(1, body_write_eio, cache ? (void *)1 : NULL);
		cr_assert_eq(f_rc[0], 0);
		cr_assert_eq(f_rc[1], -EIO);
		cr_assert_eq(f_rc[2], 0);
		cr_assert(f_u[0], "the failed write must leave the old bytes (cache %d)", cache);
	}
}

/* ---- blk/flush/eio ------------------------------------------------------ */

static void body_flush_eio(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(true);
	bt_fill(f_a, 512, 4);
	f_rc[0] = blkdev_write_sync(dev, 0, 1, 1, f_a);
	bt_fault("blk/flush/eio:nth=1");
	f_rc[1] = blkdev_flush_sync(dev);
	f_u[0] = blkdev_dirty_sectors(dev);
	f_rc[2] = blkdev_peek(dev, BLK_VIEW_STABLE, 1, f_in);
	f_u[1] = f_in[0] == 0 && f_in[100] == 0;
	f_rc[3] = blkdev_flush_sync(dev); /* second flush works */
	blkdev_power_cut(dev, 0, NULL);
	f_rc[4] = blkdev_read_sync(dev, 1, 1, f_in);
	f_u[2] = memcmp(f_in, f_a, 512) == 0;
}

Test(blkdev_fault, flush_eio_leaves_the_cache_volatile)
{
	bt_run(1, body_flush_eio, NULL);
	cr_assert_eq(f_rc[0], 0);
	cr_assert_eq(f_rc[1], -EIO);
	cr_assert_eq(f_u[0], 1, "failed flush keeps the sector dirty");
	cr_assert_eq(f_rc[2], 0);
	cr_assert(f_u[1], "failed flush made nothing stable");
	cr_assert_eq(f_rc[3], 0);
	cr_assert_eq(f_rc[4], 0);
	cr_assert(f_u[2], "data flushed by the retry survives the cut");
}

/* ---- blk/write/torn ------------------------------------------------------ */

static void body_write_torn(void *arg)
{
	bool cache = arg != NULL;
	struct blkdev *dev = mkdev(cache);
	bt_fill(f_a, 4 * 512, 5);
	bt_fault("blk/write/torn:nth=1");
	f_rc[0] = blkdev_write_sync(dev, 0, 10, 4, f_a);
	f_rc[1] = blkdev_read_sync(dev, 10, 4, f_in);
	int bad = 0;
	for (uint64_t s = 10; s < 14; s++) {
		int rc = blkdev_peek(dev, BLK_VIEW_CURRENT, s, f_b);
		if (rc == -EIO) {
			bad++;
			f_u[1] = s;
		} else if (memcmp(f_b, f_a + (s - 10) * 512, 512) != 0) {
			bad += 100; /* wrong bytes for an intact sector */
		}
	}
	f_u[0] = (uint64_t)bad;
	blkdev_power_cut(dev, 0, NULL);
	f_rc[2] = blkdev_read_sync(dev, 10, 4, f_in);
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, write_torn_completes_ok_but_the_torn_sector_reads_eio)
{
	for (int cache = 0; cache < 2; cache++) {
		bt_run(2, body_write_torn, cache ? (void *)1 : NULL);
		cr_assert_eq(f_rc[0], 0, "a torn write still reports success");
		cr_assert_eq(f_rc[1], -EIO);
		cr_assert_eq(f_u[0], 1, "exactly one torn sector (cache %d): %llu", cache,
			     (unsigned long long)f_u[0]);
		cr_assert_eq(f_st.torn_sectors, 1);
		if (cache)
			cr_assert_eq(f_rc[2], 0, "the torn copy was volatile: gone after the cut");
		else
			cr_assert_eq(f_rc[2], -EIO, "the torn sector is on stable media");
	}
}

/* ---- blk/complete/delay -------------------------------------------------- */

static void body_delay(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	bt_fault("blk/complete/delay:nth=1");
	uint64_t t0 = sim_now();
	f_rc[0] = blkdev_read_sync(dev, 0, 1, f_in);
	f_u[0] = sim_now() - t0;
	t0 = sim_now();
	f_rc[1] = blkdev_read_sync(dev, 0, 1, f_in);
	f_u[1] = sim_now() - t0;
	blkdev_get_stats(dev, &f_st);
}

static void body_delay_short(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.latency = blk_latency_fixed(100 * US);
	cfg.delay_ns = 3 * MS;
	cfg.timeout_ns = 50 * MS;
	struct blkdev *dev = bt_dev(&cfg);
	bt_fault("blk/complete/delay:nth=1");
	uint64_t t0 = sim_now();
	f_rc[0] = blkdev_read_sync(dev, 0, 1, f_in);
	f_u[0] = sim_now() - t0;
	t0 = sim_now();
	f_rc[1] = blkdev_read_sync(dev, 0, 1, f_in);
	f_u[1] = sim_now() - t0;
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, complete_delay_below_timeout_just_completes_later)
{
	bt_run(1, body_delay_short, NULL);
	cr_assert_eq(f_rc[0], 0);
	cr_assert_eq(f_u[0], 3 * MS + 100 * US);
	cr_assert_eq(f_rc[1], 0);
	cr_assert_eq(f_u[1], 100 * US);
	cr_assert_eq(f_st.timeouts, 0);
}

/* body_delay: the delayed attempt outlives the 1 ms timer, so the driver
 * aborted it and the retry (no delay) completed: 1 ms + 100 us. */
Test(blkdev_fault, complete_delay_past_the_timeout_is_aborted_and_retried)
{
	bt_run(1, body_delay, NULL);
	cr_assert_eq(f_rc[0], 0);
	cr_assert_eq(f_u[0], 1 * MS + 100 * US);
	cr_assert_eq(f_rc[1], 0);
	cr_assert_eq(f_u[1], 100 * US);
	cr_assert_eq(f_st.delayed, 1);
	cr_assert_eq(f_st.timeouts, 1);
	cr_assert_eq(f_st.retries, 1);
	cr_assert_eq(f_st.lost_irqs, 0);
}

/* ---- blk/complete/lost: timeout, retry, -ETIMEDOUT ------------------------ */

static void body_lost(void *arg)
{
	const char *spec = arg;
	struct blkdev *dev = mkdev(false);
	bt_fault(spec);
	bt_fill(f_a, 512, 6);
	f_rc[0] = bt_submit(dev, 0, BLK_OP_WRITE, 0, 4, 1, f_a);
	bt_wait(1);
	f_u[0] = bt.reqs[0].attempts;
	f_u[1] = bt.done_ns[0];
	f_rc[1] = blkdev_peek(dev, BLK_VIEW_STABLE, 4, f_in);
	f_u[2] = memcmp(f_in, f_a, 512) == 0;
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, lost_interrupt_is_retried_after_the_timeout)
{
	bt_run(1, body_lost, "blk/complete/lost:nth=1");
	cr_assert_eq(f_rc[0], 0);
	cr_assert_eq(bt.calls[0], 1);
	cr_assert_eq(bt.err[0], 0, "the retry succeeds");
	cr_assert_eq(f_u[0], 2);
	cr_assert_eq(f_u[1], 1 * MS + 100 * US, "timer at 1 ms, retry takes 100 us");
	cr_assert(f_u[2], "the write is on the media");
	cr_assert_eq(f_st.lost_irqs, 1);
	cr_assert_eq(f_st.timeouts, 1);
	cr_assert_eq(f_st.retries, 1);
	cr_assert_eq(f_st.errors, 0);
}

Test(blkdev_fault, interrupt_lost_every_time_fails_with_etimedout_after_retries)
{
	bt_run(1, body_lost, "blk/complete/lost:p=1");
	cr_assert_eq(bt.calls[0], 1, "ends exactly once");
	cr_assert_eq(bt.err[0], -ETIMEDOUT);
	cr_assert_eq(f_u[0], 3, "1 attempt + retries_max=2");
	cr_assert_eq(f_u[1], 3 * MS, "three timer periods");
	cr_assert(f_u[2], "the device did the write; only the interrupt was lost");
	cr_assert_eq(f_st.lost_irqs, 3);
	cr_assert_eq(f_st.timeouts, 3);
	cr_assert_eq(f_st.retries, 2);
	cr_assert_eq(f_st.errors, 1);
}

static void body_too_slow(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.write_cache = false;
	cfg.latency = blk_latency_fixed(2 * MS);
	cfg.timeout_ns = 1 * MS;
	cfg.retries_max = 1;
	struct blkdev *dev = bt_dev(&cfg);
	bt_fill(f_a, 512, 7);
	f_rc[0] = blkdev_write_sync(dev, 0, 0, 1, f_a);
	f_u[0] = sim_now();
	f_rc[1] = blkdev_peek(dev, BLK_VIEW_STABLE, 0, f_in);
	f_u[1] = f_in[0] == 0 && f_in[511] == 0;
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, attempt_slower_than_the_timeout_is_aborted_and_never_happens)
{
	bt_run(1, body_too_slow, NULL);
	cr_assert_eq(f_rc[0], -ETIMEDOUT);
	cr_assert_eq(f_u[0], 2 * MS);
	cr_assert(f_u[1], "aborted attempts must not write");
	cr_assert_eq(f_st.timeouts, 2);
	cr_assert_eq(f_st.lost_irqs, 0);
}

static void body_lost_fifo(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.reorder = false;
	cfg.latency = blk_latency_fixed(100 * US);
	cfg.timeout_ns = 1 * MS;
	struct blkdev *dev = bt_dev(&cfg);
	bt_fault("blk/complete/lost:nth=1");
	for (int i = 0; i < 3; i++)
		f_rc[i] = bt_submit(dev, i, BLK_OP_READ, 0, (uint64_t)i, 1, f_in + i * 512);
	bt_wait(3);
}

Test(blkdev_fault, lost_interrupt_lets_later_requests_overtake_even_without_reorder)
{
	bt_run(1, body_lost_fifo, NULL);
	cr_assert_eq(bt.order[0], 1);
	cr_assert_eq(bt.order[1], 2);
	cr_assert_eq(bt.order[2], 0, "the retried request ends last");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(bt.err[i], 0);
}

/* ---- blk/queue/full ----------------------------------------------------- */

static void body_queue_full_fault(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	bt_fault("blk/queue/full:nth=2");
	f_rc[0] = bt_submit(dev, 0, BLK_OP_READ, 0, 0, 1, f_in);
	f_rc[1] = bt_submit(dev, 1, BLK_OP_READ, 0, 1, 1, f_in + 512);
	f_rc[2] = bt_submit(dev, 2, BLK_OP_READ, 0, 2, 1, f_in + 1024);
	bt_wait(2);
	blkdev_get_stats(dev, &f_st);
}

Test(blkdev_fault, queue_full_fault_returns_eagain_with_free_slots)
{
	bt_run(1, body_queue_full_fault, NULL);
	cr_assert_eq(f_rc[0], 0);
	cr_assert_eq(f_rc[1], -EAGAIN);
	cr_assert_eq(f_rc[2], 0);
	cr_assert_eq(bt.calls[1], 0);
	cr_assert_eq(f_st.rejected_full, 1);
	cr_assert_eq(f_st.submitted, 2);
}

/* ---- exactly once, under every fault at once ------------------------------ */

#define RND_N 400
static uint8_t rnd_buf[RND_N][4 * 512];
static int rnd_accepted[RND_N];

static void enable_all_faults(void)
{
	bt_fault("blk/read/eio:p=0.05");
	bt_fault("blk/write/eio:p=0.05");
	bt_fault("blk/flush/eio:p=0.1");
	bt_fault("blk/write/torn:p=0.05");
	bt_fault("blk/complete/delay:p=0.05");
	bt_fault("blk/complete/lost:p=0.1");
	bt_fault("blk/queue/full:p=0.05");
}

static void body_random(void *arg)
{
	(void)arg;
	struct rng *w = sim_rng(SIMK_STREAM_WORKLOAD);
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.capacity_sectors = 128;
	cfg.queue_depth = 1 + (uint32_t)rng_below(w, 8);
	cfg.reorder = rng_chance(w, 0.5);
	cfg.write_cache = rng_chance(w, 0.5);
	cfg.latency = blk_latency_exp(50 * US);
	cfg.timeout_ns = 1 * MS;
	cfg.retries_max = (uint32_t)rng_below(w, 3);
	cfg.delay_ns = 2 * MS; /* past the timeout: exercises aborts */
	struct blkdev *dev = bt_dev(&cfg);
	enable_all_faults();
	memset(rnd_accepted, 0, sizeof(rnd_accepted));
	int accepted = 0;
	for (int i = 0; i < RND_N; i++) {
		uint64_t r = rng_below(w, 100);
		if (r < 2) {
			blkdev_power_cut(dev, rng_chance(w, 0.5) ? BLK_CUT_TEAR : 0, NULL);
			continue;
		}
		enum blk_op op = r < 45 ? BLK_OP_READ : (r < 90 ? BLK_OP_WRITE : BLK_OP_FLUSH);
		uint32_t count = op == BLK_OP_FLUSH ? 0 : 1 + (uint32_t)rng_below(w, 4);
		uint64_t sector = op == BLK_OP_FLUSH ? 0 : rng_below(w, 128 - 4);
		uint32_t flags = op == BLK_OP_WRITE && rng_chance(w, 0.2) ? BLK_REQ_FUA : 0;
		int rc = bt_submit(dev, i, op, flags, sector, count, rnd_buf[i]);
		KASSERT(rc == 0 || rc == -EAGAIN, "submit: %d", rc);
		if (rc == 0) {
			rnd_accepted[i] = 1;
			accepted++;
		} else if (bt.ndone < accepted) {
			bt_wait(bt.ndone + 1); /* a slot frees up */
		}
		if (rng_chance(w, 0.3))
			waitq_sleep(&bt.wq, false, false, rng_below(w, 200 * US));
	}
	bt_wait(accepted);
	blkdev_get_stats(dev, &f_st);
	f_u[0] = (uint64_t)accepted;
}

Test(blkdev_fault, every_request_ends_exactly_once_under_random_faults)
{
	uint64_t errs = 0, timeouts = 0, cuts = 0;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		bt_run(seed, body_random, NULL);
		for (int i = 0; i < RND_N; i++) {
			cr_assert_eq(bt.calls[i], rnd_accepted[i],
				     "seed %llu req %d ended %d times", (unsigned long long)seed, i,
				     bt.calls[i]);
			if (bt.calls[i])
				cr_assert(
				    bt.err[i] == 0 || bt.err[i] == -EIO || bt.err[i] == -ETIMEDOUT,
				    "seed %llu: result %d", (unsigned long long)seed, bt.err[i]);
		}
		cr_assert_eq(f_st.submitted, f_u[0]);
		cr_assert_eq(f_st.completed, f_st.submitted);
		cr_assert_eq(f_st.in_flight, 0);
		cr_assert_leq(f_st.in_flight_max, 8);
		errs += f_st.errors;
		timeouts += f_st.timeouts;
		cuts += f_st.power_cuts;
	}
	cr_assert_gt(errs, 0);
	cr_assert_gt(timeouts, 0);
	cr_assert_gt(cuts, 0);
}

static uint64_t faulty_hash(uint64_t seed, uint64_t *nfaults)
{
	struct simk *s = bt_sim(seed, true);
	struct simk_proc *p = simk_proc_create(s, "t");
	simk_thread_create(p, "body", body_random, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	*nfaults = 0;
	for (size_t i = 0; i < s->trace.len; i++)
		*nfaults += s->trace.evs[i].type == TR_FAULT;
	uint64_t h = simk_trace_hash(s);
	simk_destroy(s);
	return h;
}

Test(blkdev_fault, faulty_runs_are_deterministic_and_faults_are_traced)
{
	uint64_t n1, n2, n3;
	uint64_t h1 = faulty_hash(9, &n1);
	uint64_t h2 = faulty_hash(9, &n2);
	cr_assert_eq(h1, h2);
	cr_assert_eq(n1, n2);
	cr_assert_gt(n1, 10, "the workload must inject faults (got %llu)", (unsigned long long)n1);
	uint64_t h3 = faulty_hash(10, &n3);
	cr_assert_neq(h1, h3);
}

/* ---- never wrong bytes: a model of what each sector may hold --------------- */

/*
 * Sequential I/O through the blocking helper, every fault on, random power
 * cuts. For each sector the model keeps the range of write versions the
 * current and the stable view may hold, and whether either may be torn.
 * A successful READ must return the complete pattern of an allowed version;
 * -EIO is allowed only when blk/read/eio fired or a sector may be torn.
 */
#define M_SECTORS 32
struct msec {
	uint64_t cur_lo, cur_hi, stab_lo;
	bool cur_torn, stab_torn;
};
static struct msec model[M_SECTORS];
static int m_checks, m_eio_reads;

static void pattern(uint8_t *p, uint64_t sector, uint64_t v)
{
	if (v == 0) {
		memset(p, 0, 512);
		return;
	}
	bt_fill(p, 512, (unsigned)(v * 7 + sector));
	memcpy(p, &v, 8);
	memcpy(p + 8, &sector, 8);
}

static void check_read(const uint8_t *p, uint64_t sector)
{
	uint64_t v = 0;
	static uint8_t want[512];
	bool zero = true;
	for (int i = 0; i < 512; i++)
		zero = zero && p[i] == 0;
	if (!zero)
		memcpy(&v, p, 8);
	struct msec *m = &model[sector];
	KASSERT(v >= m->cur_lo && v <= m->cur_hi,
		"sector %llu holds version %llu outside [%llu, %llu]", (unsigned long long)sector,
		(unsigned long long)v, (unsigned long long)m->cur_lo,
		(unsigned long long)m->cur_hi);
	pattern(want, sector, v);
	KASSERT(memcmp(p, want, 512) == 0, "sector %llu: wrong bytes for version %llu",
		(unsigned long long)sector, (unsigned long long)v);
	m->cur_lo = m->cur_hi = v;
	m->cur_torn = false;
	m_checks++;
}

static void body_model(void *arg)
{
	(void)arg;
	struct rng *w = sim_rng(SIMK_STREAM_WORKLOAD);
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.capacity_sectors = M_SECTORS;
	cfg.write_cache = rng_chance(w, 0.7);
	cfg.latency = blk_latency_exp(50 * US);
	cfg.timeout_ns = 1 * MS;
	cfg.retries_max = 1;
	cfg.delay_ns = 2 * MS;
	struct blkdev *dev = bt_dev(&cfg);
	enable_all_faults();
	memset(model, 0, sizeof(model));
	static uint8_t buf[4 * 512];
	uint64_t version = 0;
	for (int step = 0; step < 300; step++) {
		uint64_t r = rng_below(w, 100);
		uint64_t s0 = rng_below(w, M_SECTORS - 3);
		uint32_t n = 1 + (uint32_t)rng_below(w, 4);
		uint64_t torn0 = sim_fault_injected("blk/write/torn");
		if (r < 40) { /* write */
			bool fua = rng_chance(w, 0.2);
			bool durable = fua || !cfg.write_cache;
			version++;
			for (uint32_t i = 0; i < n; i++)
				pattern(buf + i * 512, s0 + i, version);
			int rc = blkdev_write_sync(dev, fua ? BLK_REQ_FUA : 0, s0, n, buf);
			KASSERT(rc == 0 || rc == -EIO || rc == -ETIMEDOUT || rc == -EAGAIN,
				"write: %d", rc);
			bool torn = sim_fault_injected("blk/write/torn") != torn0;
			for (uint32_t i = 0; i < n; i++) {
				struct msec *m = &model[s0 + i];
				if (rc == 0) {
					m->cur_lo = m->cur_hi = version;
					if (durable)
						m->stab_lo = version;
				} else if (rc != -EAGAIN) {
					m->cur_hi = version; /* may or may not have landed */
				}
				if (torn) {
					m->cur_torn = true;
					if (durable)
						m->stab_torn = true;
				} else if (rc == 0) {
					m->cur_torn = false;
					if (durable)
						m->stab_torn = false;
				}
			}
		} else if (r < 80) { /* read */
			uint64_t eio0 = sim_fault_injected("blk/read/eio");
			int rc = blkdev_read_sync(dev, s0, n, buf);
			if (rc == 0) {
				for (uint32_t i = 0; i < n; i++)
					check_read(buf + i * 512, s0 + i);
			} else if (rc == -EIO) {
				bool may = sim_fault_injected("blk/read/eio") != eio0;
				for (uint32_t i = 0; i < n; i++)
					may = may || model[s0 + i].cur_torn;
				KASSERT(may, "read of %llu+%u: -EIO with no cause",
					(unsigned long long)s0, n);
				m_eio_reads++;
			} else {
				KASSERT(rc == -ETIMEDOUT || rc == -EAGAIN, "read: %d", rc);
			}
		} else if (r < 95) { /* flush */
			int rc = blkdev_flush_sync(dev);
			for (int s = 0; s < M_SECTORS; s++) {
				struct msec *m = &model[s];
				if (rc == 0) {
					m->stab_lo = m->cur_lo;
					m->stab_torn = m->cur_torn;
				} else {
					m->stab_torn =
					    m->stab_torn || m->cur_torn; /* may have happened */
				}
			}
		} else { /* power cut */
			uint64_t torn = BLKDEV_NO_SECTOR;
			blkdev_power_cut(dev, rng_chance(w, 0.5) ? BLK_CUT_TEAR : 0, &torn);
			for (int s = 0; s < M_SECTORS; s++) {
				struct msec *m = &model[s];
				m->cur_lo = m->stab_lo; /* cur_hi bounds what stable may hold */
				m->cur_torn = m->stab_torn = m->stab_torn || (uint64_t)s == torn;
			}
		}
	}
}

Test(blkdev_fault, reads_never_return_wrong_bytes_under_faults_and_power_cuts)
{
	int checks = 0, eio = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		m_checks = m_eio_reads = 0;
		bt_run(seed, body_model, NULL); /* KASSERTs in the body fail the run */
		checks += m_checks;
		eio += m_eio_reads;
	}
	cr_assert_gt(checks, 1000);
	cr_assert_gt(eio, 0, "the campaign must see torn sectors or read errors");
}

/* ---- end of run, leaks, panics ------------------------------------------- */

static void body_exit_in_flight(void *arg)
{
	struct blkdev *dev = mkdev(false);
	f_rc[0] = bt_submit(dev, 0, BLK_OP_READ, 0, 0, 1, f_in);
	if (arg != NULL) {
		blkdev_abandon_all(dev);
		blkdev_get_stats(dev, &f_st);
	}
}

Test(blkdev_fault, request_in_flight_at_the_end_fails_the_run)
{
	struct simk *s = bt_sim(1, false);
	simk_thread_create(simk_proc_create(s, "t"), "body", body_exit_in_flight, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s), "in flight") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
	cr_assert_eq(bt.calls[0], 0);
}

Test(blkdev_fault, abandoned_requests_do_not_fail_the_run)
{
	bt_run(1, body_exit_in_flight, (void *)1);
	cr_assert_eq(f_st.abandoned, 1);
	cr_assert_eq(f_st.in_flight, 0);
	cr_assert_eq(bt.reqs[0].state, BLK_REQ_DONE);
	cr_assert_eq(bt.calls[0], 0, "abandoned requests never call done()");
}

static void body_destroy(void *arg)
{
	(void)arg;
	uint64_t before = kmem_live_total();
	struct blkdev *dev = mkdev(true);
	f_u[0] = kmem_live_total() - before;
	bt_fill(f_a, 512, 8);
	f_rc[0] = blkdev_write_sync(dev, 0, 0, 1, f_a);
	blkdev_destroy(dev);
	f_u[1] = kmem_live_total() - before;
	f_u[2] = blkdev_find("blk0") == NULL;
}

Test(blkdev_fault, destroy_returns_every_allocation)
{
	bt_run(1, body_destroy, NULL);
	cr_assert_gt(f_u[0], 0);
	cr_assert_eq(f_u[1], 0);
	cr_assert(f_u[2]);
}

static void body_destroy_busy(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	bt_submit(dev, 0, BLK_OP_READ, 0, 0, 1, f_in);
	blkdev_destroy(dev);
}

Test(blkdev_fault, destroy_with_a_request_in_flight_panics)
{
	struct simk *s = bt_sim(1, false);
	simk_thread_create(simk_proc_create(s, "t"), "body", body_destroy_busy, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s), "in flight") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

static void body_double_submit(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	bt_submit(dev, 0, BLK_OP_READ, 0, 0, 1, f_in);
	blkdev_submit(dev, &bt.reqs[0]);
}

Test(blkdev_fault, submitting_a_request_twice_panics)
{
	struct simk *s = bt_sim(1, false);
	simk_thread_create(simk_proc_create(s, "t"), "body", body_double_submit, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC);
	cr_assert(strstr(simk_failure_reason(s), "while in flight") != NULL, "%s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

static void sleepy_done(struct blk_req *req, int error)
{
	(void)req;
	(void)error;
	waitq_sleep(&bt.wq, false, false, 10);
}

static void body_sleep_in_irq(void *arg)
{
	(void)arg;
	struct blkdev *dev = mkdev(false);
	static struct blk_req req;
	blk_req_init(&req, BLK_OP_READ, 0, 0, 1, f_in, sleepy_done, NULL);
	blkdev_submit(dev, &req);
	bt_wait(1);
}

Test(blkdev_fault, sleeping_in_the_completion_callback_panics)
{
	struct simk *s = bt_sim(1, false);
	simk_thread_create(simk_proc_create(s, "t"), "body", body_sleep_in_irq, NULL);
	cr_assert_eq(simk_run(s), SIMK_FAIL_PANIC, "%s", simk_failure_reason(s));
	simk_destroy(s);
}
