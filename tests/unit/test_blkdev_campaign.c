/* Block device fault campaign: for each fault point and each k in 1..20,
 * fail exactly the k-th hit during a fixed workload, and check that the
 * documented result reaches the submitter, that every request ends
 * exactly once, that nothing leaks (the run's kmem check) and that the
 * run is deterministic. */
#include "blk_test_util.h"

#define CAMP_OPS 100
#define CAMP_K 20

static uint8_t camp_buf[CAMP_OPS][2 * 512];
static int camp_accepted[CAMP_OPS];
static enum blk_op camp_op[CAMP_OPS];
static struct blkdev_stats camp_st;
static uint64_t camp_injected;
static const char *camp_point;

static void body_campaign(void *arg)
{
	int k = (int)(intptr_t)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.capacity_sectors = 64;
	cfg.queue_depth = 4;
	cfg.latency = blk_latency_uniform(10000, 100000);
	cfg.timeout_ns = 5000000;
	cfg.delay_ns = 3000000;
	struct blkdev *dev = bt_dev(&cfg);
	char spec[80];
	snprintf(spec, sizeof(spec), "%s:nth=%d", camp_point, k);
	bt_fault(spec);
	int accepted = 0;
	for (int i = 0; i < CAMP_OPS; i++) {
		int kind = i % 5;
		enum blk_op op = kind == 4 ? BLK_OP_FLUSH : (kind % 2 ? BLK_OP_READ : BLK_OP_WRITE);
		uint32_t flags = kind == 2 ? BLK_REQ_FUA : 0;
		uint64_t sector = op == BLK_OP_FLUSH ? 0 : (uint64_t)(i / 5) * 2;
		uint32_t count = op == BLK_OP_FLUSH ? 0 : 2;
		camp_op[i] = op;
		bt_fill(camp_buf[i], sizeof(camp_buf[i]), (unsigned)i);
		for (int tries = 0;; tries++) {
			KASSERT(tries < 100, "op %d never accepted", i);
			int rc = bt_submit(dev, i, op, flags, sector, count, camp_buf[i]);
			if (rc == 0)
				break;
			KASSERT(rc == -EAGAIN, "submit %d: %d", i, rc);
			if (bt.ndone < accepted)
				bt_wait(bt.ndone + 1); /* really full: wait for a slot */
		}
		camp_accepted[i] = 1;
		accepted++;
	}
	bt_wait(accepted);
	blkdev_get_stats(dev, &camp_st);
	camp_injected = sim_fault_injected(camp_point);
}

/* Which op a point can fail, and with what. */
struct expect {
	const char *point;
	int op;	   /* -1: no request fails */
	int error; /* the error that op gets */
};

static const struct expect expects[] = {
    {"blk/read/eio", BLK_OP_READ, -EIO},
    {"blk/write/eio", BLK_OP_WRITE, -EIO},
    {"blk/flush/eio", BLK_OP_FLUSH, -EIO},
    {"blk/write/torn", -1, 0},
    {"blk/complete/delay", -1, 0},
    {"blk/complete/lost", -1, 0},
    {"blk/queue/full", -1, 0},
};

static uint64_t camp_run(const char *point, int k)
{
	camp_point = point;
	memset(camp_accepted, 0, sizeof(camp_accepted));
	return bt_run((uint64_t)k, body_campaign, (void *)(intptr_t)k);
}

Test(blkdev_campaign, kth_hit_of_every_fault_point_reaches_the_submitter)
{
	for (size_t e = 0; e < sizeof(expects) / sizeof(expects[0]); e++) {
		const struct expect *x = &expects[e];
		for (int k = 1; k <= CAMP_K; k++) {
			uint64_t h1 = camp_run(x->point, k);
			cr_assert_eq(camp_injected, 1, "%s k=%d: injected %llu", x->point, k,
				     (unsigned long long)camp_injected);
			int failed = 0;
			for (int i = 0; i < CAMP_OPS; i++) {
				cr_assert_eq(bt.calls[i], 1, "%s k=%d: op %d ended %d times",
					     x->point, k, i, bt.calls[i]);
				if (bt.err[i] == 0)
					continue;
				failed++;
				if (strcmp(x->point, "blk/write/torn") == 0) {
					/* only later reads of the torn sector may fail */
					cr_assert_eq(camp_op[i], BLK_OP_READ);
					cr_assert_eq(bt.err[i], -EIO);
					continue;
				}
				cr_assert_eq((int)camp_op[i], x->op, "%s k=%d: op %d (%s) failed",
					     x->point, k, i, blk_op_name(camp_op[i]));
				cr_assert_eq(bt.err[i], x->error);
			}
			if (x->op >= 0)
				cr_assert_eq(failed, 1, "%s k=%d: %d failures", x->point, k,
					     failed);
			else if (strcmp(x->point, "blk/write/torn") != 0)
				cr_assert_eq(failed, 0, "%s k=%d: %d failures", x->point, k,
					     failed);
			cr_assert_eq(camp_st.submitted, CAMP_OPS);
			cr_assert_eq(camp_st.completed, CAMP_OPS);
			if (strcmp(x->point, "blk/complete/lost") == 0) {
				cr_assert_eq(camp_st.lost_irqs, 1);
				cr_assert_eq(camp_st.retries, 1,
					     "the driver retries a lost interrupt");
			}
			if (strcmp(x->point, "blk/complete/delay") == 0)
				cr_assert_eq(camp_st.delayed, 1);
			if (strcmp(x->point, "blk/write/torn") == 0)
				cr_assert_eq(camp_st.torn_sectors, 1);
			if (strcmp(x->point, "blk/queue/full") == 0)
				cr_assert_geq(camp_st.rejected_full, 1); /* plus the real ones */
			if (k == 1 || k == CAMP_K) {
				uint64_t h2 = camp_run(x->point, k);
				cr_assert_eq(h1, h2, "%s k=%d: not deterministic", x->point, k);
			}
		}
	}
}
