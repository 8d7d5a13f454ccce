/* Block device: configuration, request checks, ordering, queue depth,
 * latency models, the blocking helper, determinism. */
#include "blk_test_util.h"

/* ---- configuration ------------------------------------------------------- */

static int g_rc[32];
static uint64_t g_u[32];
static struct blkdev_stats g_st;

static void body_defaults(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	struct blkdev *dev = NULL;
	g_rc[0] = blkdev_create(&cfg, &dev);
	g_u[0] = blkdev_sector_size(dev);
	g_u[1] = blkdev_capacity(dev);
	g_u[2] = blkdev_config(dev)->queue_depth;
	g_u[3] = blkdev_find("blk0") == dev;
	g_u[4] = blkdev_find("nope") == NULL;
	g_rc[1] = blkdev_create(&cfg, &dev); /* duplicate name */
}

Test(blkdev, default_config_creates_a_512_byte_sector_device)
{
	bt_run(1, body_defaults, NULL);
	cr_assert_eq(g_rc[0], 0);
	cr_assert_eq(g_u[0], 512);
	cr_assert_eq(g_u[1], 16384);
	cr_assert_eq(g_u[2], 32);
	cr_assert(g_u[3] && g_u[4]);
	cr_assert_eq(g_rc[1], -EINVAL, "a second device named blk0 must be refused");
}

static void body_bad_config(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	struct blkdev *dev;
	int i = 0;
#define TRY(mutation)                                                                              \
	do {                                                                                       \
		blkdev_config_default(&cfg);                                                       \
		mutation;                                                                          \
		dev = (struct blkdev *)1;                                                          \
		g_rc[i++] = blkdev_create(&cfg, &dev);                                             \
		KASSERT(dev == NULL, "failed create must not return a device");                    \
	} while (0)
	TRY(cfg.sector_size = 1024);
	TRY(cfg.capacity_sectors = 0);
	TRY(cfg.capacity_sectors = BLKDEV_BYTES_MAX / 512 + 1);
	TRY(cfg.queue_depth = 0);
	TRY(cfg.queue_depth = BLKDEV_QUEUE_DEPTH_MAX + 1);
	TRY(cfg.timeout_ns = 0);
	TRY(cfg.latency = blk_latency_uniform(10, 5));
	TRY(cfg.latency = blk_latency_bimodal(10, 100, 1.5));
	TRY(cfg.name[0] = '\0');
	TRY(cfg.retries_max = 1000);
#undef TRY
	g_rc[31] = i;
}

Test(blkdev, bad_config_is_einval)
{
	bt_run(1, body_bad_config, NULL);
	for (int i = 0; i < g_rc[31]; i++)
		cr_assert_eq(g_rc[i], -EINVAL, "case %d gave %d", i, g_rc[i]);
}

static void body_enomem(void *arg)
{
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%d", (int)(intptr_t)arg);
	bt_fault(spec);
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	struct blkdev *dev = NULL;
	g_rc[0] = blkdev_create(&cfg, &dev);
	g_u[0] = kmem_live_total();
}

Test(blkdev, create_under_enomem_fails_without_leaking)
{
	int enomem = 0;
	for (int k = 1; k <= 12; k++) {
		bt_run(1, body_enomem, (void *)(intptr_t)k); /* run passes: no leak */
		cr_assert(g_rc[0] == 0 || g_rc[0] == -ENOMEM, "k=%d rc=%d", k, g_rc[0]);
		if (g_rc[0] == -ENOMEM) {
			enomem++;
			cr_assert_eq(g_u[0], 0, "k=%d: failed create left %llu blocks", k,
				     (unsigned long long)g_u[0]);
		}
	}
	cr_assert_geq(enomem, 3, "every allocation of create must be able to fail");
}

Test(blkdev, config_set_parses_text_options)
{
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	char err[128];
	cr_assert_eq(blkdev_config_set(&cfg, "name", "disk1", err, sizeof(err)), 0);
	cr_assert_str_eq(cfg.name, "disk1");
	cr_assert_eq(blkdev_config_set(&cfg, "sector_size", "4096", err, sizeof(err)), 0);
	cr_assert_eq(cfg.sector_size, 4096);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "uniform:10us:2ms", err, sizeof(err)), 0);
	cr_assert_eq(cfg.latency.model, BLK_LAT_UNIFORM);
	cr_assert_eq(cfg.latency.min_ns, 10000);
	cr_assert_eq(cfg.latency.max_ns, 2000000);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "bimodal:50us:20ms:0.01", err, sizeof(err)),
		     0);
	cr_assert_eq(cfg.latency.model, BLK_LAT_BIMODAL);
	cr_assert_eq(cfg.latency.slow_ns, 20000000);
	cr_assert_eq(blkdev_config_set(&cfg, "reorder", "off", err, sizeof(err)), 0);
	cr_assert(!cfg.reorder);
	cr_assert_eq(blkdev_config_set(&cfg, "timeout", "1s", err, sizeof(err)), 0);
	cr_assert_eq(cfg.timeout_ns, 1000000000ULL);
	cr_assert_eq(blkdev_config_set(&cfg, "sector_size", "1000", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "uniform:5:1", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "gauss:5", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "timeout", "5 parsecs", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "colour", "blue", err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "colour") != NULL, "%s", err);
	/* latency limits (one hour; exponential means up to 1/64 of it) */
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "fixed:3600s", err, sizeof(err)), 0);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "fixed:3601s", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "exp:56s", err, sizeof(err)), 0);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "exp:57s", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "bimodal:50us:20ms:1.5", err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "bimodal:57s:20ms:0.1", err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "latency", "bimodal:50us:3601s:0.1", err, sizeof(err)),
		     -EINVAL);
	/* numbers: no sign, no overflow */
	cr_assert_eq(blkdev_config_set(&cfg, "timeout", "-5ms", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "timeout", "18446744073709551s", err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "queue_depth", "-1", err, sizeof(err)), -EINVAL);
	cr_assert_eq(blkdev_config_set(&cfg, "queue_depth", "4x", err, sizeof(err)), -EINVAL);
	cr_assert_eq(cfg.timeout_ns, 1000000000ULL); /* refused values change nothing */
}

/* ---- request checks ----------------------------------------------------- */

static uint8_t g_buf[64 * 4096];

static void body_invalid(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.capacity_sectors = 100;
	struct blkdev *dev = bt_dev(&cfg);
	int i = 0;
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_READ, 0, 100, 1, g_buf); /* past end */
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_READ, 0, 99, 2, g_buf);  /* straddles end */
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_READ, 0, 0, 0, g_buf);   /* count 0 */
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_READ, BLK_REQ_FUA, 0, 1, g_buf);
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_WRITE, 0x80, 0, 1, g_buf); /* unknown flag */
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_WRITE, 0, 0, 1, NULL);
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_FLUSH, 0, 0, 1, g_buf); /* flush with count */
	g_rc[i++] = bt_submit(dev, 0, (enum blk_op)7, 0, 0, 1, g_buf);
	g_rc[i++] = bt_submit(dev, 0, BLK_OP_READ, 0, UINT64_MAX, 2, g_buf); /* overflow */
	g_rc[30] = i;
	g_rc[31] = bt_submit(dev, 0, BLK_OP_READ, 0, 98, 2, g_buf); /* last two: fine */
	bt_wait(1);
	blkdev_get_stats(dev, &g_st);
}

Test(blkdev, invalid_requests_are_einval_and_never_complete)
{
	bt_run(1, body_invalid, NULL);
	for (int i = 0; i < g_rc[30]; i++)
		cr_assert_eq(g_rc[i], -EINVAL, "case %d gave %d", i, g_rc[i]);
	cr_assert_eq(g_rc[31], 0);
	cr_assert_eq(bt.ndone, 1, "only the valid request completes");
	cr_assert_eq(g_st.rejected_inval, (uint64_t)g_rc[30]);
	cr_assert_eq(g_st.submitted, 1);
	cr_assert_eq(g_st.completed, 1);
}

/* ---- ordering ------------------------------------------------------------ */

#define ORDER_N 32

static void body_order(void *arg)
{
	bool reorder = arg != NULL;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.reorder = reorder;
	cfg.queue_depth = ORDER_N;
	cfg.latency = blk_latency_uniform(1000, 500000);
	struct blkdev *dev = bt_dev(&cfg);
	for (int i = 0; i < ORDER_N; i++) {
		enum blk_op op = i % 5 == 4 ? BLK_OP_FLUSH : (i % 2 ? BLK_OP_WRITE : BLK_OP_READ);
		int rc = bt_submit(dev, i, op, 0, op == BLK_OP_FLUSH ? 0 : (uint64_t)i * 2,
				   op == BLK_OP_FLUSH ? 0 : 2, g_buf + i * 1024);
		KASSERT(rc == 0, "submit %d: %d", i, rc);
	}
	bt_wait(ORDER_N);
}

static bool in_submission_order(void)
{
	for (int i = 0; i < ORDER_N; i++)
		if (bt.order[i] != i)
			return false;
	return true;
}

Test(blkdev, completions_in_submission_order_without_reorder)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		bt_run(seed, body_order, NULL);
		cr_assert_eq(bt.ndone, ORDER_N);
		cr_assert(in_submission_order(), "seed %llu: completion order differs",
			  (unsigned long long)seed);
		for (int i = 0; i < ORDER_N; i++)
			cr_assert_eq(bt.calls[i], 1);
	}
}

Test(blkdev, reorder_lets_completions_overtake_for_some_seeds)
{
	int reordered = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		bt_run(seed, body_order, (void *)1);
		cr_assert_eq(bt.ndone, ORDER_N);
		reordered += !in_submission_order();
		/* completion order follows the drawn times */
		for (int k = 1; k < ORDER_N; k++)
			cr_assert_leq(bt.done_ns[bt.order[k - 1]], bt.done_ns[bt.order[k]]);
	}
	cr_assert_gt(reordered, 10, "only %d of 20 seeds reordered", reordered);
}

/* ---- queue depth ----------------------------------------------------------- */

static void resubmit_done(struct blk_req *req, int error)
{
	bt_done(req, error);
	int i = (int)(intptr_t)req->priv;
	if (i < 3) /* chain: the slot is free again inside done() */
		g_rc[10 + i] = bt_submit(blkdev_find("blk0"), i + 100, BLK_OP_READ, 0, 0, 1, g_buf);
}

static void body_queue_full(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.queue_depth = 4;
	struct blkdev *dev = bt_dev(&cfg);
	for (int i = 0; i < 4; i++) {
		blk_req_init(&bt.reqs[i], BLK_OP_READ, 0, (uint64_t)i, 1, g_buf, resubmit_done,
			     (void *)(intptr_t)i);
		g_rc[i] = blkdev_submit(dev, &bt.reqs[i]);
	}
	g_rc[4] = bt_submit(dev, 4, BLK_OP_READ, 0, 4, 1, g_buf);
	g_u[0] = bt.reqs[4].state;
	blkdev_get_stats(dev, &g_st);
	bt_wait(7);
	g_u[1] = blkdev_find("blk0") != NULL;
}

Test(blkdev, queue_full_returns_eagain_and_done_may_resubmit)
{
	bt_run(3, body_queue_full, NULL);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(g_rc[i], 0);
	cr_assert_eq(g_rc[4], -EAGAIN);
	cr_assert_eq(g_u[0], BLK_REQ_IDLE);
	cr_assert_eq(g_st.rejected_full, 1);
	cr_assert_eq(g_st.in_flight, 4);
	cr_assert_eq(g_st.in_flight_max, 4);
	cr_assert_eq(bt.calls[4], 0, "a rejected request never completes");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(g_rc[10 + i], 0, "resubmit from done() %d: %d", i, g_rc[10 + i]);
}

/* ---- latency models ------------------------------------------------------ */

#define LAT_N 2000
static uint64_t g_lat[LAT_N];

static void body_latency(void *arg)
{
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.latency = *(const struct blk_latency *)arg;
	cfg.timeout_ns = 10ULL * 1000000000ULL;
	struct blkdev *dev = bt_dev(&cfg);
	for (int i = 0; i < LAT_N; i++) {
		uint64_t t0 = sim_now();
		int rc = blkdev_read_sync(dev, 0, 1, g_buf);
		KASSERT(rc == 0, "read: %d", rc);
		g_lat[i] = sim_now() - t0;
	}
}

static double lat_mean(void)
{
	double sum = 0;
	for (int i = 0; i < LAT_N; i++)
		sum += (double)g_lat[i];
	return sum / LAT_N;
}

Test(blkdev, fixed_latency_is_exact)
{
	struct blk_latency l = blk_latency_fixed(12345);
	bt_run(1, body_latency, &l);
	for (int i = 0; i < LAT_N; i++)
		cr_assert_eq(g_lat[i], 12345);
}

Test(blkdev, uniform_latency_stays_in_range_and_spreads)
{
	struct blk_latency l = blk_latency_uniform(1000, 2000);
	bt_run(1, body_latency, &l);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < LAT_N; i++) {
		cr_assert(g_lat[i] >= 1000 && g_lat[i] <= 2000, "latency %llu",
			  (unsigned long long)g_lat[i]);
		lo = g_lat[i] < lo ? g_lat[i] : lo;
		hi = g_lat[i] > hi ? g_lat[i] : hi;
	}
	cr_assert_lt(lo, 1050);
	cr_assert_gt(hi, 1950);
	cr_assert(lat_mean() > 1400 && lat_mean() < 1600, "mean %f", lat_mean());
}

Test(blkdev, exponential_latency_has_its_mean)
{
	struct blk_latency l = blk_latency_exp(100000);
	bt_run(1, body_latency, &l);
	cr_assert(lat_mean() > 90000 && lat_mean() < 110000, "mean %f", lat_mean());
	int above_3_means = 0;
	for (int i = 0; i < LAT_N; i++)
		above_3_means += g_lat[i] > 300000;
	/* P(X > 3 mean) = e^-3 ~ 5% */
	cr_assert(above_3_means > 50 && above_3_means < 150, "%d", above_3_means);
}

Test(blkdev, bimodal_latency_has_a_slow_tail)
{
	struct blk_latency l = blk_latency_bimodal(10000, 5000000, 0.05);
	bt_run(1, body_latency, &l);
	int slow = 0;
	for (int i = 0; i < LAT_N; i++)
		slow += g_lat[i] == 5000000;
	cr_assert(slow > 60 && slow < 140, "%d slow of %d", slow, LAT_N);
}

/* ---- blocking helper ------------------------------------------------------ */

static void body_sync_roundtrip(void *arg)
{
	uint32_t ss = (uint32_t)(uintptr_t)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.sector_size = ss;
	struct blkdev *dev = bt_dev(&cfg);
	static uint8_t out[8 * 4096], in[8 * 4096];
	bt_fill(out, sizeof(out), 9);
	g_rc[0] = blkdev_write_sync(dev, 0, 10, 8, out);
	g_rc[1] = blkdev_read_sync(dev, 10, 8, in);
	g_rc[2] = memcmp(in, out, (size_t)8 * ss);
	g_rc[3] = blkdev_read_sync(dev, 18, 1, in);
	g_rc[4] = !in[0] && !memcmp(in, in + 1, ss - 1); /* never written: zeros */
	g_rc[5] = blkdev_flush_sync(dev);
	g_rc[6] = blkdev_read_sync(dev, blkdev_capacity(dev), 1, in);
	blkdev_get_stats(dev, &g_st);
}

Test(blkdev, sync_write_then_read_returns_the_bytes_for_both_sector_sizes)
{
	for (uint32_t ss = 512; ss <= 4096; ss *= 8) {
		bt_run(5, body_sync_roundtrip, (void *)(uintptr_t)ss);
		cr_assert_eq(g_rc[0], 0);
		cr_assert_eq(g_rc[1], 0);
		cr_assert_eq(g_rc[2], 0, "read bytes differ (sector size %u)", ss);
		cr_assert_eq(g_rc[3], 0);
		cr_assert_eq(g_rc[4], 1, "never-written sector must read as zeros");
		cr_assert_eq(g_rc[5], 0);
		cr_assert_eq(g_rc[6], -EINVAL);
		cr_assert_eq(g_st.sectors_written, 8);
		cr_assert_eq(g_st.sectors_read, 9);
		cr_assert_eq(g_st.submitted, g_st.completed);
	}
}

static void body_sync_waits_for_slot(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.queue_depth = 1;
	cfg.latency = blk_latency_fixed(100000);
	struct blkdev *dev = bt_dev(&cfg);
	g_rc[0] = bt_submit(dev, 0, BLK_OP_READ, 0, 0, 1, g_buf);
	g_rc[1] = blkdev_read_sync(dev, 1, 1, g_buf + 512);
	g_u[0] = sim_now();
	g_u[1] = (uint64_t)bt.ndone;
}

Test(blkdev, sync_helper_waits_for_a_free_slot)
{
	bt_run(1, body_sync_waits_for_slot, NULL);
	cr_assert_eq(g_rc[0], 0);
	cr_assert_eq(g_rc[1], 0);
	cr_assert_eq(g_u[1], 1, "the async request completed first");
	cr_assert_eq(g_u[0], 200000, "two back-to-back 100us requests");
}

static void body_sync_full_fault(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	struct blkdev *dev = bt_dev(&cfg);
	bt_fault("blk/queue/full:p=1");
	uint64_t t0 = sim_now();
	g_rc[0] = blkdev_read_sync(dev, 0, 1, g_buf);
	g_u[0] = sim_now() - t0;
	bt_fault("blk/queue/full:off");
	g_rc[1] = blkdev_read_sync(dev, 0, 1, g_buf);
	blkdev_get_stats(dev, &g_st);
}

Test(blkdev, sync_helper_gives_up_after_repeated_injected_queue_full)
{
	bt_run(1, body_sync_full_fault, NULL);
	cr_assert_eq(g_rc[0], -EAGAIN);
	cr_assert_eq(g_u[0], 7 * 10000, "seven 10us back-offs between eight tries");
	cr_assert_eq(g_rc[1], 0);
	cr_assert_eq(g_st.rejected_full, 8);
	cr_assert_eq(g_st.submitted, 1);
}

/* ---- determinism ----------------------------------------------------------- */

static uint64_t g_times[ORDER_N];

static void save_times(void)
{
	for (int i = 0; i < ORDER_N; i++)
		g_times[i] = bt.done_ns[i];
}

Test(blkdev, same_seed_same_trace_and_seed_changes_device_timing)
{
	uint64_t h1 = bt_run(42, body_order, (void *)1);
	save_times();
	uint64_t h2 = bt_run(42, body_order, (void *)1);
	cr_assert_eq(h1, h2, "same seed, different trace hash");
	for (int i = 0; i < ORDER_N; i++)
		cr_assert_eq(g_times[i], bt.done_ns[i]);
	uint64_t h3 = bt_run(43, body_order, (void *)1);
	cr_assert_neq(h1, h3);
	int differ = 0;
	for (int i = 0; i < ORDER_N; i++)
		differ += g_times[i] != bt.done_ns[i];
	cr_assert_gt(differ, ORDER_N / 2, "another seed must draw other latencies");
}

/* ---- tracing ---------------------------------------------------------------- */

Test(blkdev, every_submit_and_completion_is_traced)
{
	struct simk *s = bt_sim(7, true);
	struct simk_proc *p = simk_proc_create(s, "t");
	simk_thread_create(p, "body", body_order, (void *)1);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	int submits = 0, dones = 0;
	bool seen[ORDER_N + 1] = {false};
	for (size_t i = 0; i < s->trace.len; i++) {
		const struct trace_ev *e = &s->trace.evs[i];
		if (e->type != TR_INFO)
			continue;
		if (strcmp(e->name, "blk:submit") == 0)
			submits++;
		if (strcmp(e->name, "blk:done") == 0) {
			dones++;
			cr_assert_eq(e->a[2], 0, "result");
			cr_assert(e->a[3] >= 1 && e->a[3] <= ORDER_N);
			cr_assert(!seen[e->a[3]], "request %lld completed twice",
				  (long long)e->a[3]);
			seen[e->a[3]] = true;
		}
	}
	cr_assert_eq(submits, ORDER_N);
	cr_assert_eq(dones, ORDER_N);
	simk_destroy(s);
}
