/*
 * bench blk_ops: simulated block device requests per host second, at queue
 * depth 1 (blocking helper, one request at a time) and 32 (completion
 * callbacks resubmit, 32 in flight). Each request moves one 4 KiB sector
 * (alternating write and read). The baseline, alternating with it in the
 * same run, is a plain memcpy of the same bytes per operation: the ratio
 * says how many times a simulated request costs what copying its data does.
 *
 * Output (bench/bench.h): "bench blk_ops_qd1 <ns/op> ns/op baseline=<ns/op>
 * ratio=<r> spread=<lo>..<hi> rounds=<n>". Host CPU time is read here only,
 * outside the simulation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "drivers/blkdev.h"
#include "kern/waitq.h"
#include "sim/engine.h"

#define SECTOR 4096
#define SECTORS 1024

static uint64_t nops;
static uint64_t ops_done;
static uint32_t depth;
static struct blkdev *dev;
static uint8_t bufs[32][SECTOR];
static struct blk_req reqs[32];
static uint64_t next_op;
static struct waitq done_wq;

static void submit_next(struct blk_req *req);

/* Interrupt context: count, then keep the slot busy until nops are issued. */
static void on_done(struct blk_req *req, int error)
{
	if (error != 0)
		sim_panic("bench request failed: %d", error);
	ops_done++;
	if (next_op < nops)
		submit_next(req);
	else if (ops_done == nops)
		waitq_wake_all(&done_wq);
}

static void submit_next(struct blk_req *req)
{
	uint64_t i = next_op++;
	enum blk_op op = i % 2 ? BLK_OP_READ : BLK_OP_WRITE;
	blk_req_init(req, op, 0, (i / 2) % SECTORS, 1, req->buf, on_done, NULL);
	if (blkdev_submit(dev, req) != 0)
		sim_panic("bench submit refused");
}

static bool all_done(void *arg)
{
	(void)arg;
	return ops_done == nops;
}

static void body(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.sector_size = SECTOR;
	cfg.capacity_sectors = SECTORS;
	cfg.queue_depth = 32;
	if (blkdev_create(&cfg, &dev) != 0)
		sim_panic("bench: no device");
	if (depth == 1) {
		for (uint64_t i = 0; i < nops; i++) {
			int rc = i % 2 ? blkdev_read_sync(dev, (i / 2) % SECTORS, 1, bufs[0])
				       : blkdev_write_sync(dev, 0, (i / 2) % SECTORS, 1, bufs[0]);
			if (rc != 0)
				sim_panic("bench request failed: %d", rc);
			ops_done++;
		}
		return;
	}
	waitq_init(&done_wq, "bench-done");
	for (uint32_t k = 0; k < depth && next_op < nops; k++) {
		reqs[k].buf = bufs[k];
		submit_next(&reqs[k]);
	}
	waitq_wait(&done_wq, false, false, SIMK_FOREVER, all_done, NULL);
}

/* CPU ns per simulated request. */
static double run_sim(uint32_t qd, uint64_t n)
{
	depth = qd;
	nops = n;
	ops_done = next_op = 0;
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = 1;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "blk_ops: %s\n", err);
		exit(2);
	}
	simk_thread_create(simk_proc_create(s, "bench"), "bench", body, NULL);
	double t0 = bench_cpu();
	enum simk_outcome out = simk_run(s);
	double t = bench_cpu() - t0;
	if (out != SIMK_PASS || ops_done != n) {
		fprintf(stderr, "blk_ops: run failed: %s\n", simk_failure_reason(s));
		exit(1);
	}
	simk_destroy(s);
	return t * 1e9 / (double)n;
}

/* CPU ns per copy of one sector. */
static double run_memcpy(uint64_t n)
{
	static uint8_t media[SECTORS][SECTOR];
	double t0 = bench_cpu();
	for (uint64_t i = 0; i < n; i++) {
		uint8_t *disk = media[(i / 2) % SECTORS];
		if (i % 2)
			memcpy(bufs[0], disk, SECTOR);
		else
			memcpy(disk, bufs[0], SECTOR);
		__asm__ volatile("" ::"r"(disk), "r"(bufs[0]) : "memory");
	}
	return (bench_cpu() - t0) * 1e9 / (double)n;
}

static uint64_t n_ops;

static double base_fn(void *arg)
{
	(void)arg;
	return run_memcpy(n_ops);
}

static double qd_fn(void *arg)
{
	return run_sim(*(const uint32_t *)arg, n_ops);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000;
	if (n < 64)
		n = 64;
	n_ops = n;
	memset(bufs, 0x5a, sizeof(bufs));
	uint32_t qd1 = 1, qd32 = 32;
	bench_ab_run("blk_ops_qd1", "ns/op", bench_rounds(), base_fn, qd_fn, &qd1);
	bench_ab_run("blk_ops_qd32", "ns/op", bench_rounds(), base_fn, qd_fn, &qd32);
	return 0;
}
