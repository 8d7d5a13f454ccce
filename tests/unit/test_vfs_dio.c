/* VFS: O_DIRECT — alignment, the asynchronous entry point, coherence with the cache. */
#include "vfs_test.h"

static uint8_t pat[16384];

static struct {
	int calls;
	ssize_t res;
	bool in_irq;
	uint64_t at_ns;
} done_rec[8];

static void kdone(struct kaio_req *r, ssize_t res)
{
	int i = (int)(intptr_t)r->priv;
	done_rec[i].calls++;
	done_rec[i].res = res;
	done_rec[i].in_irq = sim_in_irq();
	done_rec[i].at_ns = sim_now();
}

static void t_align(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(pat, sizeof(pat), 1, 0);
	int fd = vt_open("/d", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t b = vt_ubytes(pat, 4096); /* page aligned */
	VEQ(simk_pwrite(fd, b, 4096, 100), -EINVAL);
	VEQ(simk_pwrite(fd, b, 100, 0), -EINVAL);
	VEQ(simk_pwrite(fd, b + 1, 512, 0), -EINVAL);
	VEQ(simk_pread(fd, b, 511, 0), -EINVAL);
	VEQ(simk_pwrite(fd, b, 512, 0), 512); /* sector-sized pieces are fine */
	VEQ(simk_pwrite(fd, b + 512, 1024, 1536), 1024);
	VEQ(vt_fstat(fd).st_size, 2560);
	VEQ(vt_stats().dirty_buffers, 0); /* nothing went through the cache */
	VEQ(vt_stats().dio_writes, 2);
	uaddr_t rb = vt_ubuf(4096);
	VEQ(simk_pread(fd, rb, 4096, 0), 2560); /* stops at the end of file */
	uint8_t got[4096];
	vt_uget(rb, got, 2560);
	VCHECK(memcmp(got, pat, 512) == 0);
	for (int i = 512; i < 1536; i++)
		VEQ(got[i], 0); /* the rest of the new block was written as zeros */
	VCHECK(memcmp(got + 1536, pat + 512, 1024) == 0);
	VEQ(simk_pread(fd, rb, 512, 8192), 0);
	/* plain read(2) and write(2) on an O_DIRECT file use the offset */
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_SET), 0);
	VEQ(simk_read(fd, rb, 1024), 1024);
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 1024);
	/* and the buffered view agrees */
	int bf = vt_open("/d", O_RDONLY, 0);
	uint8_t g2[2560];
	VEQ(vt_pread(bf, g2, 2560, 0), 2560);
	VCHECK(memcmp(g2, got, 2560) == 0);
}

Test(vfs_dio, alignment_is_enforced_and_data_bypasses_the_cache)
{
	vt_config_default();
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_align, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_async(void *arg)
{
	(void)arg;
	vt_setup();
	memset(done_rec, 0, sizeof(done_rec));
	vt_fill(pat, sizeof(pat), 2, 0);
	struct simk_proc *p = sim_proc_current();
	int fd = vt_open("/a", O_CREAT | O_RDWR | O_DIRECT, 0644);
	struct file *fp;
	VEQ(fd_get(p, fd, &fp), 0);
	struct uio_vec wv = {vt_ubytes(pat, 8192), 8192};
	struct kaio_req w = {.op = KAIO_WRITE,
			     .proc = p,
			     .iov = &wv,
			     .iovcnt = 1,
			     .offset = 4096,
			     .done = kdone,
			     .priv = (void *)0};
	uint64_t t0 = sim_now();
	VEQ(file_aio_submit(fp, &w), 0);
	VEQ(done_rec[0].calls, 0); /* not from inside the submit */
	VCHECK(w.id != 0);
	VEQ(vt_fstat(fd).st_size, 0); /* the size moves at completion */
	vt_sleep(10000000);
	VEQ(done_rec[0].calls, 1);
	VEQ(done_rec[0].res, 8192);
	VCHECK(done_rec[0].in_irq);
	VCHECK(done_rec[0].at_ns > t0);
	VEQ(vt_fstat(fd).st_size, 12288);
	/* read it back asynchronously, with two vectors */
	uaddr_t r1 = vt_ubuf(4096), r2 = vt_ubuf(8192);
	struct uio_vec rv[2] = {{r1, 4096}, {r2, 8192}};
	struct kaio_req rd = {.op = KAIO_READ,
			      .proc = p,
			      .iov = rv,
			      .iovcnt = 2,
			      .offset = 0,
			      .done = kdone,
			      .priv = (void *)1};
	VEQ(file_aio_submit(fp, &rd), 0);
	vt_sleep(10000000);
	VEQ(done_rec[1].calls, 1);
	VEQ(done_rec[1].res, 12288);
	uint8_t got[8192];
	vt_uget(r1, got, 4096);
	for (int i = 0; i < 4096; i++)
		VEQ(got[i], 0); /* a hole */
	vt_uget(r2, got, 8192);
	VCHECK(memcmp(got, pat, 8192) == 0);
	/* errors at submission: done is never called */
	struct uio_vec bad = {wv.base + 3, 512};
	struct kaio_req e = {.op = KAIO_WRITE,
			     .proc = p,
			     .iov = &bad,
			     .iovcnt = 1,
			     .offset = 0,
			     .done = kdone,
			     .priv = (void *)2};
	VEQ(file_aio_submit(fp, &e), -EINVAL);
	struct uio_vec unmapped = {0x7000000, 512};
	e.iov = &unmapped;
	VEQ(file_aio_submit(fp, &e), -EFAULT);
	e.op = KAIO_FSYNC;
	VEQ(file_aio_submit(fp, &e), -EOPNOTSUPP);
	VEQ(done_rec[2].calls, 0);
	/* a cancel of a request on the device is refused */
	struct kaio_req c = {.op = KAIO_READ,
			     .proc = p,
			     .iov = rv,
			     .iovcnt = 1,
			     .offset = 0,
			     .done = kdone,
			     .priv = (void *)3};
	VEQ(file_aio_submit(fp, &c), 0);
	VEQ(file_aio_cancel(fp, &c), -EAGAIN);
	vt_sleep(10000000);
	VEQ(done_rec[3].calls, 1);
	/* a read past the end completes (from an event) with 0 */
	c.offset = 1 << 20;
	c.priv = (void *)4;
	VEQ(file_aio_submit(fp, &c), 0);
	VEQ(done_rec[4].calls, 0);
	vt_sleep(1000);
	VEQ(done_rec[4].calls, 1);
	VEQ(done_rec[4].res, 0);
	VCHECK(done_rec[4].in_irq);
	file_put(fp);
	/* buffered files and pipes say "not supported" */
	int bfd = vt_open("/b", O_CREAT | O_RDWR, 0644);
	VEQ(fd_get(p, bfd, &fp), 0);
	c.priv = (void *)5;
	VEQ(file_aio_submit(fp, &c), -EOPNOTSUPP);
	file_put(fp);
	int ro = vt_open("/a", O_RDONLY | O_DIRECT, 0);
	VEQ(fd_get(p, ro, &fp), 0);
	w.priv = (void *)5;
	VEQ(file_aio_submit(fp, &w), -EBADF);
	file_put(fp);
	VEQ(done_rec[5].calls, 0);
}

Test(vfs_dio, async_entry_point_completes_once_in_interrupt_context)
{
	vt_config_default();
	struct simk *s = vt_sim(2);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_async, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_coherent(void *arg)
{
	(void)arg;
	vt_setup();
	vt_fill(pat, sizeof(pat), 3, 0);
	int b = vt_open("/c", O_CREAT | O_RDWR, 0644);
	int d = vt_open("/c", O_RDWR | O_DIRECT, 0);
	VEQ(vt_pwrite(b, pat, 8192, 0), 8192); /* dirty in the cache */
	uaddr_t rb = vt_ubuf(8192);
	VEQ(simk_pread(d, rb, 8192, 0), 8192);
	uint8_t got[8192];
	vt_uget(rb, got, 8192);
	VCHECK(memcmp(got, pat, 8192) == 0); /* direct read sees the cached data */
	vt_fill(pat, sizeof(pat), 4, 0);
	VEQ(simk_pwrite(d, vt_ubytes(pat, 4096), 4096, 0), 4096);
	VEQ(vt_pread(b, got, 4096, 0), 4096);
	VCHECK(memcmp(got, pat, 4096) == 0); /* buffered read sees the direct write */
	VEQ(simk_fsync(b), 0);
	vt_crash_remount(0);
	int c = vt_open("/c", O_RDONLY, 0);
	VEQ(vt_pread(c, got, 4096, 0), 4096);
	VCHECK(memcmp(got, pat, 4096) == 0);
}

Test(vfs_dio, direct_and_buffered_views_stay_coherent)
{
	vt_config_default();
	struct simk *s = vt_sim(3);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_coherent, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

static void t_dio_errors(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/e", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uint32_t free0 = vt_stats().free_blocks;
	vt_fault("blk/write/eio:nth=1");
	VEQ(simk_pwrite(fd, vt_ubuf(8192), 8192, 0), -EIO);
	VEQ(vt_fstat(fd).st_size, 0);
	VEQ(vt_stats().free_blocks, free0); /* the new blocks came back */
	VEQ(simk_pwrite(fd, vt_ubuf(8192), 8192, 0), 8192);
	vt_fault("blk/read/eio:nth=1");
	VEQ(simk_pread(fd, vt_ubuf(8192), 8192, 0), -EIO);
	int64_t max = (int64_t)(12 + 1024) * 4096;
	VEQ(simk_pwrite(fd, vt_ubuf(512), 512, max), -EFBIG);
}

Test(vfs_dio, device_errors_and_limits_of_direct_io)
{
	vt_config_default();
	struct simk *s = vt_sim(4);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_dio_errors, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A direct write that finds no free block is ENOSPC and gives back the
 * blocks it took; after a power cut direct I/O on the dead filesystem is
 * EIO. */
static void t_dio_enospc_dead(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/full", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t b = vt_ubuf(65536);
	ssize_t r = 0;
	int64_t off = 0;
	for (int i = 0; i < 1000; i++) {
		r = simk_pwrite(fd, b, 65536, off);
		if (r != 65536)
			break;
		off += r;
	}
	VEQ(r, -ENOSPC);
	VCHECK(off > 0);
	VEQ(vt_fstat(fd).st_size, off); /* the failed write changed nothing */
	uint32_t free0 = vt_stats().free_blocks;
	VEQ(simk_pwrite(fd, b, 65536, off), -ENOSPC);
	VEQ(vt_stats().free_blocks, free0);
	VEQ(simk_pwrite(fd, b, 4096, 0), 4096); /* overwriting allocates nothing */
	vfs_power_cut(0, NULL);
	VEQ(simk_pwrite(fd, b, 4096, 0), -EIO);
	VEQ(simk_pread(fd, b, 4096, 0), -EIO);
	VEQ(simk_ftruncate(fd, 0), -EIO);
	VEQ(simk_close(fd), 0);
}

Test(vfs_dio, enospc_gives_blocks_back_and_a_dead_filesystem_is_eio)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_dio_enospc_dead, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* Each allocation of a direct read or write can fail: ENOMEM, nothing
 * leaks, nothing is written. */
static int dio_enomem_seen;

static void t_dio_enomem(void *arg)
{
	int k = (int)(intptr_t)arg;
	vt_setup();
	int fd = vt_open("/m", O_CREAT | O_RDWR | O_DIRECT, 0644);
	uaddr_t b = vt_ubytes(pat, 8192);
	uaddr_t rb = vt_ubuf(8192);
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%d", k);
	vt_fault(spec);
	ssize_t w = simk_pwrite(fd, b, 8192, 0);
	ssize_t r = w == 8192 ? simk_pread(fd, rb, 8192, 0) : 0;
	vt_fault("kmem/alloc/enomem:off");
	VCHECK(w == 8192 || w == -ENOMEM);
	VCHECK(r == 8192 || r == -ENOMEM || (w != 8192 && r == 0));
	if (w == -ENOMEM) {
		dio_enomem_seen++;
		VEQ(vt_fstat(fd).st_size, 0);
	}
	if (r == -ENOMEM)
		dio_enomem_seen++;
	VEQ(simk_close(fd), 0);
}

Test(vfs_dio, every_allocation_failure_is_enomem)
{
	vt_fill(pat, sizeof(pat), 2, 0);
	dio_enomem_seen = 0;
	for (int k = 1; k <= 12; k++) {
		vt_config_default();
		struct simk *s = vt_sim((uint64_t)k);
		simk_thread_create(simk_proc_create(s, "p"), "t", t_dio_enomem,
				   (void *)(intptr_t)k);
		VT_RUN_PASS(s);
		simk_destroy(s);
	}
	cr_assert_geq(dio_enomem_seen, 4); /* the request and its buffers, writing and reading */
}

/* fsync of a file whose only changes were direct overwrites (nothing in
 * the buffer cache) makes them durable: they survive a power cut. */
static void t_dio_fsync_flushes(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/o", O_CREAT | O_RDWR | O_DIRECT, 0644);
	vt_fill(pat, 8192, 5, 0);
	VEQ(simk_pwrite(fd, vt_ubytes(pat, 8192), 8192, 0), 8192);
	VEQ(simk_fsync(fd), 0); /* blocks and size are durable */
	vt_fill(pat, 8192, 6, 0);
	VEQ(simk_pwrite(fd, vt_ubytes(pat, 8192), 8192, 0), 8192); /* in the device cache */
	VEQ(vt_stats().dirty_buffers, 0);
	VEQ(simk_fsync(fd), 0);
	vt_crash_remount(0);
	int rd = vt_open("/o", O_RDONLY, 0);
	uint8_t got[8192];
	VEQ(vt_pread(rd, got, 8192, 0), 8192);
	VCHECK(memcmp(got, pat, 8192) == 0);
	VEQ(simk_close(rd), 0);
}

Test(vfs_dio, direct_overwrites_are_durable_after_fsync)
{
	vt_config_default();
	struct simk *s = vt_sim(6);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_dio_fsync_flushes, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A direct write is read back before it completes: one torn by the device
 * (blk/write/torn reports success) is rewritten, so a write that returned
 * its count and an fsync that returned 0 leave the data whole after a
 * power cut; a write torn every time fails with -EIO. Before the
 * read-back, the torn block passed fsync and read -EIO after the cut. */
static void t_dio_torn(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/t", O_CREAT | O_RDWR | O_DIRECT, 0644);
	vt_fill(pat, 8192, 7, 0);
	VEQ(simk_pwrite(fd, vt_ubytes(pat, 8192), 8192, 0), 8192); /* new blocks */
	VEQ(simk_fsync(fd), 0);
	vt_fill(pat, 8192, 8, 0);
	vt_fault("blk/write/torn:nth=1");
	VEQ(simk_pwrite(fd, vt_ubytes(pat, 8192), 8192, 0), 8192); /* in place */
	VEQ(sim_fault_injected("blk/write/torn"), 1);
	VEQ(simk_fsync(fd), 0);
	vt_crash_remount(0);
	fd = vt_open("/t", O_RDWR | O_DIRECT, 0644);
	uint8_t got[8192];
	VEQ(vt_pread(fd, got, 8192, 0), 8192);
	VCHECK(memcmp(got, pat, 8192) == 0);
	vt_fault("blk/write/torn:p=1");
	VEQ(simk_pwrite(fd, vt_ubytes(pat, 4096), 4096, 0), -EIO);
	VEQ(sim_fault_injected("blk/write/torn"), 1 + 3); /* the write and two rewrites */
	vt_fault("blk/write/torn:off");
	VEQ(simk_close(fd), 0);
}

Test(vfs_dio, a_torn_direct_write_is_rewritten_before_it_completes)
{
	vt_config_default();
	struct simk *s = vt_sim(7);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_dio_torn, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* ftruncate waits for direct writes in flight on the file. */
static int trunc_fd;
static uint64_t trunc_done_ns;
static void truncator(void *arg)
{
	(void)arg;
	VEQ(simk_ftruncate(trunc_fd, 0), 0);
	trunc_done_ns = sim_now();
}

static void t_trunc_waits(void *arg)
{
	(void)arg;
	vt_setup();
	memset(done_rec, 0, sizeof(done_rec));
	struct simk_proc *p = sim_proc_current();
	trunc_fd = vt_open("/t", O_CREAT | O_RDWR | O_DIRECT, 0644);
	VEQ(simk_pwrite(trunc_fd, vt_ubuf(8192), 8192, 0), 8192);
	struct file *fp;
	VEQ(fd_get(p, trunc_fd, &fp), 0);
	struct uio_vec wv = {vt_ubuf(4096), 4096};
	struct kaio_req w = {.op = KAIO_WRITE,
			     .proc = p,
			     .iov = &wv,
			     .iovcnt = 1,
			     .offset = 4096,
			     .done = kdone,
			     .priv = (void *)0};
	VEQ(file_aio_submit(fp, &w), 0);
	kthread_create(p, "trunc", truncator, NULL, false);
	vt_sleep(20000000);
	VEQ(done_rec[0].calls, 1);
	VCHECK(trunc_done_ns >= done_rec[0].at_ns);
	VEQ(vt_fstat(trunc_fd).st_size, 0);
	file_put(fp);
}

Test(vfs_dio, truncate_waits_for_direct_io_in_flight)
{
	vt_config_default();
	struct simk *s = vt_sim(5);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_trunc_waits, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

/* A thread that exits with a direct request (and a commit of the flusher)
 * in flight: the run ends cleanly — the request is abandoned with the
 * device, its memory freed, nothing reported lost or leaked. */
static struct kaio_req left_behind;
static struct uio_vec left_vec;

static void t_exit_in_flight(void *arg)
{
	(void)arg;
	vt_setup();
	memset(done_rec, 0, sizeof(done_rec));
	struct simk_proc *p = sim_proc_current();
	int fd = vt_open("/x", O_CREAT | O_RDWR | O_DIRECT, 0644);
	struct file *fp;
	VEQ(fd_get(p, fd, &fp), 0);
	left_vec = (struct uio_vec){vt_ubuf(8192), 8192};
	left_behind = (struct kaio_req){.op = KAIO_WRITE,
					.proc = p,
					.iov = &left_vec,
					.iovcnt = 1,
					.offset = 0,
					.done = kdone,
					.priv = (void *)0};
	VEQ(file_aio_submit(fp, &left_behind), 0);
	file_put(fp);
	int b = vt_open("/y", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(b, "dirty"), 5); /* the flusher has work pending too */
}

Test(vfs_dio, exit_with_direct_io_in_flight_ends_cleanly)
{
	vt_config_default();
	vt_cfg.dev.latency = blk_latency_fixed(10000000);
	struct simk *s = vt_sim(6);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_exit_in_flight, NULL);
	VT_RUN_PASS(s);
	cr_assert_eq(done_rec[0].calls, 0, "an abandoned request does not complete");
	simk_destroy(s);
}
