/*
 * Helpers shared by the block device tests: a simulation with one test
 * thread, a recorder of completions (order, result, how many times each
 * request ended) and a wait for N completions.
 *
 * Test bodies run on a simulated thread; they record what they saw in
 * globals and the Criterion assertions run on the host after simk_run.
 */
#ifndef BLK_TEST_UTIL_H
#define BLK_TEST_UTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "drivers/blkdev.h"
#include "kern/kmem.h"
#include "kern/waitq.h"
#include "sim/engine.h"
#include "sim/fault.h"

#define BT_REQS_MAX 4096

struct bt_rec {
	int ndone;		/* completions seen */
	int order[BT_REQS_MAX]; /* index of the request, in completion order */
	int err[BT_REQS_MAX];	/* result, by request index */
	int calls[BT_REQS_MAX]; /* done() calls, by request index */
	uint64_t done_ns[BT_REQS_MAX];
	struct blk_req reqs[BT_REQS_MAX];
	struct waitq wq;
};

static struct bt_rec bt;

static inline void bt_reset(void)
{
	memset(&bt, 0, sizeof(bt));
	waitq_init(&bt.wq, "bt-wait");
}

/* Interrupt context. */
static inline void bt_done(struct blk_req *req, int error)
{
	int i = (int)(intptr_t)req->priv;
	KASSERT(sim_in_irq(), "completion outside interrupt context");
	bt.calls[i]++;
	bt.err[i] = error;
	bt.done_ns[i] = sim_now();
	if (bt.ndone < BT_REQS_MAX)
		bt.order[bt.ndone] = i;
	bt.ndone++;
	waitq_wake_all(&bt.wq);
}

static inline int bt_submit(struct blkdev *dev, int i, enum blk_op op, uint32_t flags,
			    uint64_t sector, uint32_t count, void *buf)
{
	blk_req_init(&bt.reqs[i], op, flags, sector, count, buf, bt_done, (void *)(intptr_t)i);
	return blkdev_submit(dev, &bt.reqs[i]);
}

static int bt_want;
static inline bool bt_enough(void *arg)
{
	(void)arg;
	return bt.ndone >= bt_want;
}

/* Thread context: sleeps until n completions in total were seen. */
static inline void bt_wait(int n)
{
	bt_want = n;
	waitq_wait(&bt.wq, false, false, SIMK_FOREVER, bt_enough, NULL);
}

static inline struct simk *bt_sim(uint64_t seed, bool keep_trace)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = seed;
	o.keep_trace = keep_trace;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	bt_reset();
	return s;
}

/* Runs body on one thread of a fresh simulation; asserts the run passed. */
static inline uint64_t bt_run(uint64_t seed, void (*body)(void *), void *arg)
{
	struct simk *s = bt_sim(seed, false);
	struct simk_proc *p = simk_proc_create(s, "t");
	simk_thread_create(p, "body", body, arg);
	enum simk_outcome o = simk_run(s);
	cr_assert_eq(o, SIMK_PASS, "seed %llu: %s", (unsigned long long)seed,
		     simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	simk_destroy(s);
	return h;
}

static inline struct blkdev *bt_dev(const struct blkdev_config *cfg)
{
	struct blkdev *dev = NULL;
	int rc = blkdev_create(cfg, &dev);
	KASSERT(rc == 0 && dev != NULL, "blkdev_create failed: %d", rc);
	return dev;
}

static inline void bt_fault(const char *spec)
{
	char err[128];
	int rc = sim_fault_enable(spec, err, sizeof(err));
	KASSERT(rc == 0, "fault %s: %s", spec, err);
}

/* Fills a sector-sized buffer with a pattern derived from tag. */
static inline void bt_fill(void *buf, size_t len, unsigned tag)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(tag * 31u + i * 7u + 1u);
}

#endif
