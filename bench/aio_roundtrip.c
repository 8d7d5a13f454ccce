/*
 * bench aio_roundtrip / aio_batch: the host CPU cost of a Linux native AIO
 * round trip, simulated against real, the two alternating in one run
 * (bench/bench.h: CPU time, A B A B, median ratio and spread).
 *
 * Real (the baseline): this machine's libaio on a file in tmpfs (/dev/shm,
 * or $SIMK_BENCH_TMPFS), so the work is the same as the simulation's and no
 * device wait is in the figure: io_submit of one 4 KiB pwrite, which the
 * kernel copies into the page cache inline, then io_getevents of its event
 * (aio_batch: batches of 64 iocbs, each batch reaped whole).
 *
 * Simulated (the subject): a process on the simulated kernel does the same
 * loop through the simulated system calls (simk_io_submit,
 * simk_io_getevents: entry and exit switch points, trace events, copyin of
 * the iocbs, the buffered write into the simulated buffer cache, the event
 * copied out) on a buffered file of the simulated filesystem, its trace
 * hashed but not kept, as `simk explore` runs.
 *
 * Both sides time only their loop, in CPU time (the real side's includes
 * the host kernel's work). The two use one struct iocb / io_event layout:
 * ours is the kernel ABI, which is libaio's too, so libaio's four calls are
 * declared here with our types rather than through <libaio.h> (whose names
 * are ours).
 *
 * Output: "bench aio_roundtrip <sim ns/op> ns/op baseline=<real ns/op>
 * ratio=<sim/real> ...", then the same for aio_batch (ns per iocb).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "simk/syscalls.h"
#include "bench/bench.h"
#include "drivers/blkdev.h"
#include "kern/umem.h"
#include "sim/engine.h"
#include "syscalls/linux_aio/laio.h"
#include "vfs/vfs.h"

/* libaio (io_context_t is a pointer-sized handle: our aio_context_t). */
int io_setup(int maxevents, aio_context_t *ctxp);
int io_destroy(aio_context_t ctx);
int io_submit(aio_context_t ctx, long nr, struct iocb **iocbs);
int io_getevents(aio_context_t ctx, long min_nr, long nr, struct io_event *events,
		 struct timespec *timeout);

#define OPS 20000
#define BATCH 64
#define BLOCK 4096

/* ---- the simulation ---- */

static long sim_batch;
static int sim_failed;
static double sim_loop_s; /* CPU seconds of the measured loop */

static void sim_body(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	struct blkdev_config cfg;
	blkdev_config_default(&cfg);
	cfg.capacity_sectors = 16384;
	cfg.latency = blk_latency_fixed(20000);
	cfg.reorder = false;
	cfg.queue_depth = 128;
	struct blkdev *dev = NULL;
	struct vfs_mount_opts mo;
	vfs_mount_opts_default(&mo);
	if (blkdev_create(&cfg, &dev) != 0 || vfs_mount(dev, &mo) != 0) {
		sim_failed = 1;
		return;
	}
	/* buffered, as on tmpfs: the write is a copy into the cache */
	int fd = kvfs_open(p, "/bench", O_CREAT | O_RDWR, 0644);
	uaddr_t ctxp = umem_alloc(p, 8);
	uaddr_t buf = umem_alloc(p, (size_t)BLOCK * BATCH);
	uaddr_t cbs = umem_alloc(p, sizeof(struct iocb) * BATCH);
	uaddr_t ptrs = umem_alloc(p, 8 * BATCH);
	uaddr_t evs = umem_alloc(p, sizeof(struct io_event) * BATCH);
	aio_context_t ctx = 0;
	if (fd < 0 || simk_io_setup(BATCH, ctxp) != 0 || copyin(ctxp, &ctx, 8) != 0) {
		sim_failed = 2;
		return;
	}
	for (long i = 0; i < BATCH; i++) {
		struct iocb cb;
		memset(&cb, 0, sizeof(cb));
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		cb.aio_fildes = (uint32_t)fd;
		cb.aio_buf = buf + (uaddr_t)i * BLOCK;
		cb.aio_nbytes = BLOCK;
		cb.aio_offset = i * BLOCK;
		cb.aio_data = (uint64_t)i;
		uint64_t a = cbs + (uaddr_t)i * sizeof(cb);
		copyout(&cb, a, sizeof(cb));
		copyout(&a, ptrs + (uaddr_t)i * 8, 8);
	}
	/* Let the kernel's own threads (the system work queue, the flusher)
	 * start and go to sleep, as they have on a booted machine: the
	 * default policy keeps running this thread while it can. */
	for (int i = 0; i < 4; i++)
		sim_yield();
	for (int pass = 0; pass < 2; pass++) { /* a warm-up pass fills the cache */
		double t0 = bench_cpu();
		for (long done = 0; done < OPS; done += sim_batch) {
			/* each a system call: traced, switch points at entry and exit */
			long n = simk_io_submit(ctx, sim_batch, ptrs);
			long got = simk_io_getevents(ctx, sim_batch, sim_batch, evs, 0);
			if (n != sim_batch || got != sim_batch) {
				sim_failed = 3;
				return;
			}
		}
		sim_loop_s = bench_cpu() - t0;
	}
	struct io_event ev;
	if (copyin(evs, &ev, sizeof(ev)) != 0 || ev.res != BLOCK) {
		sim_failed = 4;
		return;
	}
	simk_io_destroy(ctx);
	simk_close(fd);
}

/* CPU ns per simulated operation (one iocb submitted and reaped). */
static double sim_run(long batch)
{
	sim_batch = batch;
	sim_failed = 0;
	struct simk_opts o;
	simk_opts_default(&o);
	o.max_steps = 1ull << 40;
	o.trace_tail_off = true; /* as explore runs: the trace is hashed, not kept */
	struct simk *s = simk_create(&o, NULL, 0);
	if (s == NULL)
		return -1;
	struct simk_proc *p = simk_proc_create(s, "bench");
	simk_thread_create(p, "aio", sim_body, NULL);
	enum simk_outcome out = simk_run(s);
	if (out != SIMK_PASS || sim_failed) {
		fprintf(stderr, "aio bench: simulation failed (%d): %s\n", sim_failed,
			simk_failure_reason(s));
		exit(1);
	}
	if (getenv("AIO_BENCH_COUNTS"))
		fprintf(stderr, "# switches=%llu steps=%llu decisions=%zu now=%llu pts=%llu,%llu,%llu,%llu,%llu,%llu\n",
			(unsigned long long)s->switches, (unsigned long long)s->steps, s->ndecisions,
			(unsigned long long)s->now_ns,
			(unsigned long long)s->points[0],(unsigned long long)s->points[1],(unsigned long long)s->points[2],(unsigned long long)s->points[3],(unsigned long long)s->points[4],(unsigned long long)s->points[5]);
	simk_destroy(s);
	return sim_loop_s * 1e9 / OPS;
}

/* ---- the real thing ---- */

#define TMPFS_MAGIC_NR 0x01021994

static const char *real_dir;

/* A tmpfs directory for the real side: $SIMK_BENCH_TMPFS or /dev/shm. */
static const char *find_tmpfs(void)
{
	const char *cand[] = {getenv("SIMK_BENCH_TMPFS"), "/dev/shm", NULL};
	for (int i = 0; i < 2; i++) {
		struct statfs sf;
		if (cand[i] != NULL && statfs(cand[i], &sf) == 0 &&
		    (unsigned long)sf.f_type == TMPFS_MAGIC_NR && access(cand[i], W_OK) == 0)
			return cand[i];
	}
	return NULL;
}

static struct iocb real_cbs[BATCH];
static struct iocb *real_ptrs[BATCH];

/* CPU ns per real operation (one iocb submitted and reaped). */
static double real_run(long batch)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/simk-aio-bench-XXXXXX", real_dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("aio bench: mkstemp");
		exit(1);
	}
	unlink(path);
	static char mem[BLOCK * BATCH] __attribute__((aligned(4096)));
	memset(mem, 'a', sizeof(mem));
	aio_context_t ctx = 0;
	if (io_setup(BATCH, &ctx) != 0) {
		fprintf(stderr, "aio bench: io_setup failed\n");
		exit(1);
	}
	for (long i = 0; i < BATCH; i++) {
		memset(&real_cbs[i], 0, sizeof(real_cbs[i]));
		real_cbs[i].aio_lio_opcode = IOCB_CMD_PWRITE;
		real_cbs[i].aio_fildes = (uint32_t)fd;
		real_cbs[i].aio_buf = (uint64_t)(uintptr_t)(mem + i * BLOCK);
		real_cbs[i].aio_nbytes = BLOCK;
		real_cbs[i].aio_offset = i * BLOCK;
		real_cbs[i].aio_data = (uint64_t)i;
		real_ptrs[i] = &real_cbs[i];
	}
	struct io_event evs[BATCH];
	double dt = 0;
	for (int pass = 0; pass < 2; pass++) { /* a warm-up pass fills the cache */
		double t0 = bench_cpu();
		for (long done = 0; done < OPS; done += batch) {
			if (io_submit(ctx, batch, real_ptrs) != batch ||
			    io_getevents(ctx, batch, batch, evs, NULL) != batch ||
			    evs[0].res != BLOCK) {
				fprintf(stderr, "aio bench: a real round trip failed\n");
				exit(1);
			}
		}
		dt = bench_cpu() - t0;
	}
	io_destroy(ctx);
	close(fd);
	return dt * 1e9 / OPS;
}

static double real_fn(void *arg)
{
	return real_run(*(const long *)arg);
}

static double sim_fn(void *arg)
{
	return sim_run(*(const long *)arg);
}

int main(int argc, char **argv)
{
	long one = 1, batch = BATCH;
	if (argc > 2 && strcmp(argv[1], "--sim-only") == 0) {
		/* for profiling one side under callgrind: one run of the batch size given */
		long b = atol(argv[2]);
		if (b < 1 || b > BATCH || OPS % b != 0) {
			fprintf(stderr, "aio bench: --sim-only BATCH, 1 <= BATCH <= %d\n", BATCH);
			return 1;
		}
		printf("sim batch %ld: %.1f ns/op\n", b, sim_run(b));
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--sim-only") == 0) {
		/* for profiling: the simulated side alone */
		for (int i = 0; i < 5; i++)
			printf("sim aio_roundtrip %.1f ns/op\n", sim_run(one));
		printf("sim aio_batch %.1f ns/op\n", sim_run(batch));
		return 0;
	}
	real_dir = find_tmpfs();
	if (real_dir == NULL) {
		fprintf(stderr, "aio bench: no tmpfs for the real side (/dev/shm, or set "
				"SIMK_BENCH_TMPFS to a tmpfs directory)\n");
		return 1;
	}
	printf("# aio_roundtrip: baseline = real libaio, buffered 4 KiB pwrites to a file in "
	       "tmpfs (%s), %d per round\n",
	       real_dir, OPS);
	bench_ab_run("aio_roundtrip", "ns/op", bench_rounds(), real_fn, sim_fn, &one);
	bench_ab_run("aio_batch", "ns/op", bench_rounds(), real_fn, sim_fn, &batch);
	return 0;
}
