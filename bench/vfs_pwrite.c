/*
 * bench vfs_pwrite: 4 KiB pwrite(2) calls per host second through the
 * buffer cache of simfs (a file of 64 blocks rewritten in a cycle, so the
 * blocks stay cached and dirty; no device I/O during the measured loop).
 * Each call goes through the whole path: system-call entry/exit switch
 * points, fd lookup, copyin from simulated user memory, the vnode lock,
 * the cache lookup, bdirty. The baseline, measured in the same run, is a
 * memcpy of the same 4 KiB per operation: the ratio says how many times
 * slower a simulated pwrite is than copying its bytes. CPU time, the two
 * alternating (bench/bench.h).
 *
 * Output: "bench vfs_pwrite <ns/op> ns/op baseline=<ns/op> ratio=<r> ...".
 * The host clock is read around the loop only; it never feeds the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simk/syscalls.h"
#include "bench/bench.h"
#include "drivers/blkdev.h"
#include "kern/umem.h"
#include "sim/engine.h"
#include "vfs/vfs.h"

#define BLK 4096
#define NBLK 64

static uint64_t nops;
static double loop_s;
static uint8_t src[BLK];

static void body(void *arg)
{
	(void)arg;
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	struct blkdev *dev;
	if (blkdev_create(&cfg, &dev) != 0 || vfs_mount(dev, NULL) != 0)
		sim_panic("bench: no filesystem");
	struct simk_proc *p = sim_proc_current();
	uaddr_t path = umem_alloc(p, 16), buf = umem_alloc(p, BLK);
	if (copyout("/bench", path, 7) != 0 || copyout(src, buf, BLK) != 0)
		sim_panic("bench: user memory");
	int fd = simk_open(path, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		sim_panic("bench: open %d", fd);
	for (int i = 0; i < NBLK; i++) /* warm: allocate and cache the blocks */
		if (simk_pwrite(fd, buf, BLK, (int64_t)i * BLK) != BLK)
			sim_panic("bench: warm-up write");
	double t0 = bench_cpu();
	for (uint64_t i = 0; i < nops; i++)
		if (simk_pwrite(fd, buf, BLK, (int64_t)(i % NBLK) * BLK) != BLK)
			sim_panic("bench: pwrite failed");
	loop_s = bench_cpu() - t0;
	simk_close(fd);
}

static double run_sim(uint64_t n)
{
	nops = n;
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = 1;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "vfs_pwrite: %s\n", err);
		exit(2);
	}
	simk_thread_create(simk_proc_create(s, "bench"), "bench", body, NULL);
	if (simk_run(s) != SIMK_PASS) {
		fprintf(stderr, "vfs_pwrite: run failed: %s\n", simk_failure_reason(s));
		exit(1);
	}
	simk_destroy(s);
	return loop_s * 1e9 / (double)n;
}

static double run_memcpy(uint64_t n)
{
	static uint8_t file[NBLK][BLK];
	double t0 = bench_cpu();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(file[i % NBLK], src, BLK);
		__asm__ volatile("" ::"r"(file[i % NBLK]) : "memory");
	}
	return (bench_cpu() - t0) * 1e9 / (double)n;
}

static uint64_t n_ops;

static double base_fn(void *arg)
{
	(void)arg;
	return run_memcpy(n_ops);
}

static double sim_fn(void *arg)
{
	(void)arg;
	return run_sim(n_ops);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000;
	if (n < 64)
		n = 64;
	n_ops = n;
	memset(src, 0x5a, sizeof(src));
	bench_ab_run("vfs_pwrite", "ns/op", bench_rounds(), base_fn, sim_fn, NULL);
	return 0;
}
