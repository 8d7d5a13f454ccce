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
#include "vfs_test.h"

#define NF 3
#define MAXSZ (56 * 1024)
#define NSIZES 256

struct model {
	bool exists, acked_exists;
	int64_t size, acked_size;
	uint8_t cur[MAXSZ], acked[MAXSZ];
	uint64_t mask[MAXSZ];  /* tags written since the last acknowledged fsync */
	bool zeroed[MAXSZ];    /* became zero (truncate) since then */
	int64_t sizes[NSIZES]; /* sizes since then */
	int nsizes;
	bool sizes_overflow;
	int fd;
};

static struct model m[NF];
static struct simk_thread *writer_t;
static bool cut_done;
static int ops_done, syncs_ok;

static const char *fname(int i)
{
	static const char *names[NF] = {"/f0", "/d/f1", "/d/f2"};
	return names[i];
}

static void note_size(struct model *f)
{
	if (f->nsizes < NSIZES)
		f->sizes[f->nsizes++] = f->size;
	else
		f->sizes_overflow = true;
}

static void ack_all(void)
{
	for (int i = 0; i < NF; i++) {
		struct model *f = &m[i];
		f->acked_exists = f->exists;
		f->acked_size = f->size;
		memcpy(f->acked, f->cur, MAXSZ);
		memset(f->mask, 0, sizeof(f->mask));
		memset(f->zeroed, 0, sizeof(f->zeroed));
		f->nsizes = 0;
		f->sizes_overflow = false;
		note_size(f);
	}
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
		struct model *f = &m[i];
		uint64_t kind = rnd(100);
		ssize_t r = 0;
		if (!f->exists) {
			r = vt_open(fname(i), O_CREAT | O_RDWR, 0644);
			if (r < 0)
				break;
			f->fd = (int)r;
			f->exists = true;
			note_size(f);
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
			for (size_t k = 0; k < len; k++) {
				f->cur[off + k] = buf[k];
				f->mask[off + k] |= 1ull << tag;
			}
			if (off + (int64_t)len > f->size) {
				f->size = off + (int64_t)len;
				note_size(f);
			}
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
			for (int64_t k = len; k < f->size; k++) {
				f->cur[k] = 0;
				f->zeroed[k] = true;
			}
			f->size = len;
			note_size(f);
		} else {
			vt_sleep(rnd(40000000));
		}
		ops_done++;
		if (cut_done)
			break;
	}
	free(buf);
}

static bool byte_ok(const struct model *f, int64_t off, uint8_t v)
{
	if (off < MAXSZ && v == f->acked[off] && off < f->acked_size)
		return true;
	if (v == 0 && (off >= f->acked_size || f->zeroed[off] || !f->acked_exists))
		return true; /* beyond what was acknowledged, or truncated since */
	for (uint32_t t = 1; t < 64; t++)
		if ((f->mask[off] >> t & 1) && vt_pat(t, (uint64_t)off) == v)
			return true;
	return false;
}

static bool touched(const struct model *f, int64_t from, int64_t to)
{
	for (int64_t k = from; k < to && k < MAXSZ; k++)
		if (f->mask[k] != 0 || f->zeroed[k])
			return true;
	return false;
}

static bool size_ok(const struct model *f, int64_t size)
{
	if (f->sizes_overflow)
		return true;
	for (int k = 0; k < f->nsizes; k++)
		if (f->sizes[k] == size)
			return true;
	return false;
}

static void check_all(void)
{
	uaddr_t ub = vt_ubuf(4096);
	uint8_t got[4096];
	for (int i = 0; i < NF; i++) {
		struct model *f = &m[i];
		struct simk_stat st;
		int r = vt_stat(fname(i), &st);
		if (r == -ENOENT) {
			VCHECK(!f->acked_exists); /* an fsynced file never disappears */
			continue;
		}
		VEQ(r, 0);
		if (!size_ok(f, st.st_size))
			sim_fail(SIMK_FAIL_EXPECT,
				 "%s: size %lld never existed since the last fsync "
				 "(acked %lld)",
				 fname(i), (long long)st.st_size, (long long)f->acked_size);
		int fd = vt_open(fname(i), O_RDONLY, 0);
		VCHECK(fd >= 0);
		for (int64_t b = 0; b < st.st_size; b += 4096) {
			size_t n = st.st_size - b < 4096 ? (size_t)(st.st_size - b) : 4096;
			ssize_t rr = simk_pread(fd, ub, n, b);
			if (rr == -EIO) {
				if (!touched(f, b, b + 4096))
					sim_fail(SIMK_FAIL_EXPECT,
						 "%s: block at %lld reads EIO but "
						 "was acknowledged",
						 fname(i), (long long)b);
				continue;
			}
			VEQ(rr, n);
			vt_uget(ub, got, n);
			for (size_t k = 0; k < n; k++)
				if (!byte_ok(f, b + (int64_t)k, got[k]))
					sim_fail(SIMK_FAIL_EXPECT,
						 "%s: byte %lld is %u: not acknowledged (%u) nor "
						 "written since",
						 fname(i), (long long)(b + (int64_t)k), got[k],
						 f->acked[b + (int64_t)k]);
		}
		VEQ(simk_close(fd), 0);
	}
}

static void cutter(void *arg)
{
	uint64_t when = (uint64_t)(uintptr_t)arg;
	vt_setup();
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	memset(m, 0, sizeof(m));
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
