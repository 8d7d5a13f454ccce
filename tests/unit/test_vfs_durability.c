/*
 * VFS durability: a writer thread runs a random workload (writes,
 * truncates, new files, fsync, pauses that let the flusher run) while a
 * cutter thread cuts the power at a random virtual time (tearing a sector
 * of an in-flight or cached write). After remounting, every file must
 * show, byte by byte, either what it held when the last successful fsync
 * returned or something written after it — never other bytes; a block
 * that reads as -EIO must have been written after that fsync; a file
 * that existed at that fsync must still exist, with a size it had since.
 */
#include <stdlib.h>

#include "sim/rng.h"
#include "vfs_model.h"

#define NF 3
#define MAXSZ VM_SIZE_MAX

static struct vm_file m[NF];
static struct simk_thread *writer_t;
static bool cut_done;
static int ops_done, syncs_ok;

static void ack_all(void)
{
	for (int i = 0; i < NF; i++)
		vm_ack(&m[i]);
}

static uint64_t rnd(uint64_t n)
{
	return rng_below(sim_rng(SIMK_STREAM_WORKLOAD), n);
}

static void writer(void *arg)
{
	(void)arg;
	uint8_t *buf = calloc(1, 9000);
	uaddr_t ub = vt_ubuf(9000);
	for (int op = 0; op < 400; op++) {
		int i = (int)rnd(NF);
		struct vm_file *f = &m[i];
		uint64_t kind = rnd(100);
		ssize_t r = 0;
		if (!f->exists) {
			r = vt_open(f->path, O_CREAT | O_RDWR, 0644);
			if (r < 0)
				break;
			f->fd = (int)r;
			vm_created(f);
		} else if (kind < 55) {
			uint32_t tag = (uint32_t)(op % 63) + 1;
			int64_t off = (int64_t)rnd(MAXSZ - 9000);
			size_t len = 1 + (size_t)rnd(9000);
			vt_fill(buf, len, tag, (uint64_t)off);
			vt_uput(ub, buf, len);
			r = simk_pwrite(f->fd, ub, len, off);
			if (r < 0)
				break;
			VEQ(r, len);
			vm_write(f, off, len, tag);
		} else if (kind < 70) {
			r = simk_fsync(f->fd);
			if (r < 0)
				break;
			ack_all();
			syncs_ok++;
		} else if (kind < 80) {
			int64_t len = (int64_t)rnd(MAXSZ);
			r = simk_ftruncate(f->fd, len);
			if (r < 0)
				break;
			vm_truncate(f, len);
		} else {
			vt_sleep(rnd(40000000));
		}
		ops_done++;
		if (cut_done)
			break;
	}
	free(buf);
}

static void check_all(void)
{
	for (int i = 0; i < NF; i++)
		vm_check(&m[i]);
}

static void cutter(void *arg)
{
	uint64_t when = (uint64_t)(uintptr_t)arg;
	vt_setup();
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	static const char *names[NF] = {"/f0", "/d/f1", "/d/f2"};
	for (int i = 0; i < NF; i++)
		vm_init(&m[i], names[i]);
	cut_done = false;
	ops_done = syncs_ok = 0;
	/* the directory is durable before the workload starts */
	int dfd = vt_open("/d", O_RDONLY, 0);
	VEQ(simk_fsync(dfd), 0);
	VEQ(simk_close(dfd), 0);
	ack_all();
	writer_t = kthread_create(sim_proc_current(), "writer", writer, NULL, false);
	vt_sleep(when);
	vfs_power_cut(rnd(2) ? BLK_CUT_TEAR : 0, NULL);
	cut_done = true;
	int code;
	VEQ(kthread_join(writer_t, &code), 0);
	for (int i = 0; i < NF; i++)
		if (m[i].exists)
			(void)simk_close(m[i].fd);
	VEQ(vt_remount(), 0);
	check_all();
}

static int total_syncs, total_ops;

static void run_seed(uint64_t seed, enum simk_policy pol)
{
	vt_config_default();
	vt_cfg.dev.latency = blk_latency_uniform(20000, 400000);
	vt_cfg.dev.reorder = true;
	vt_cfg.mnt.cache_blocks = 16;
	vt_cfg.mnt.flush_delay_ns = 20000000;
	struct simk *s = vt_sim_policy(seed, pol);
	/* the cut time comes from the seed, outside the workload stream */
	uint64_t when = 1000000 + (seed * 7919 % 97) * 2000000;
	simk_thread_create(simk_proc_create(s, "p"), "cutter", cutter, (void *)(uintptr_t)when);
	VT_RUN_PASS(s);
	total_syncs += syncs_ok;
	total_ops += ops_done;
	simk_destroy(s);
}

Test(vfs_durability, fsynced_data_survives_power_cuts_fifo)
{
	total_syncs = total_ops = 0;
	for (uint64_t seed = 1; seed <= 12; seed++)
		run_seed(seed, SIMK_POLICY_FIFO);
	cr_assert_gt(total_syncs, 10, "the workload hardly synced (%d)", total_syncs);
	cr_assert_gt(total_ops, 100);
	fprintf(stderr, "durability: %d ops, %d fsyncs\n", total_ops, total_syncs);
}

Test(vfs_durability, fsynced_data_survives_power_cuts_random_schedule)
{
	total_syncs = total_ops = 0;
	for (uint64_t seed = 100; seed <= 112; seed++)
		run_seed(seed, SIMK_POLICY_RANDOM);
	cr_assert_gt(total_syncs, 10, "the workload hardly synced (%d)", total_syncs);
}
