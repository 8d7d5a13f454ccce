/* Linux AIO: io_setup, the ring (geometry, header, wrap-around, one empty
 * slot), the limits (aio_max_nr, aio_nr), io_destroy, the user reaper. */
#include "laio_test.h"

/* ---- pure ring arithmetic ---- */

Test(laio_ring, geometry_rounds_up_to_whole_pages)
{
	/* header (32) + (n + 2) events of 32 bytes, in 4 KiB pages */
	cr_assert_eq(laio_ring_pages(1), 1);
	cr_assert_eq(laio_ring_nr(1), 127); /* (4096 - 32) / 32 */
	cr_assert_eq(laio_ring_pages(125), 1);
	cr_assert_eq(laio_ring_nr(125), 127);
	cr_assert_eq(laio_ring_pages(126), 2); /* 32 + 128 * 32 = 4128 */
	cr_assert_eq(laio_ring_nr(126), 255);
	cr_assert_eq(laio_ring_pages(253), 2);
	cr_assert_eq(laio_ring_pages(254), 3);
	cr_assert_eq(laio_ring_nr(65536), (uint32_t)((laio_ring_pages(65536) * 4096u - 32) / 32));
	cr_assert_eq(laio_ring_pages(65536), 513); /* 32 + 65538 * 32 bytes */
	for (uint32_t n = 1; n < 2000; n++) {
		uint32_t nr = laio_ring_nr(n);
		cr_assert_geq(nr, n + 2, "ring for %u holds %u", n, nr);
		cr_assert_lt(nr, n + 2 + 128, "ring for %u wastes a page (%u)", n, nr);
	}
}

Test(laio_ring, avail_keeps_one_slot_empty_and_wraps)
{
	cr_assert_eq(laio_ring_avail(8, 0, 0), 7); /* empty: nr - 1 free */
	cr_assert_eq(laio_ring_avail(8, 0, 7), 0); /* full at nr - 1 events */
	cr_assert_eq(laio_ring_avail(8, 3, 2), 0); /* tail right behind head: full */
	cr_assert_eq(laio_ring_avail(8, 5, 2), 2); /* wrapped */
	cr_assert_eq(laio_ring_avail(8, 2, 5), 4);
	/* a head written by user space past nr is taken modulo nr */
	cr_assert_eq(laio_ring_avail(8, 8 + 3, 2), 0);
	cr_assert_eq(laio_ring_avail(8, 0xffffffffu, 0), laio_ring_avail(8, 0xffffffffu % 8, 0));
}

/* ---- io_setup ---- */

static void setup_header_body(void)
{
	aio_context_t ctx = lt_setup(1);
	struct aio_ring r = lt_ring(ctx); /* the id is a readable user address */
	VEQ(r.magic, AIO_RING_MAGIC);
	VEQ(r.nr, 127);
	VEQ(r.head, 0);
	VEQ(r.tail, 0);
	VEQ(r.id, (uint32_t)ctx);
	VEQ(r.compat_features, AIO_RING_COMPAT_FEATURES);
	VEQ(r.incompat_features, AIO_RING_INCOMPAT_FEATURES);
	VEQ(r.header_length, sizeof(struct aio_ring));
	/* the whole ring is mapped: the last event slot and nothing after */
	VCHECK(umem_map_kernel(sim_proc_current(), ctx, 4096) != NULL);
	VCHECK(umem_map_kernel(sim_proc_current(), ctx + 4096, 1) == NULL);
	VEQ(laio_aio_nr(), 1);
	aio_context_t c2 = lt_setup(300);
	VCHECK(c2 != ctx);
	VCHECK(umem_map_kernel(sim_proc_current(), c2, 3 * 4096) != NULL);
	VEQ(lt_ring(c2).nr, (3 * 4096 - 32) / 32);
	VEQ(laio_aio_nr(), 301);
	VEQ(lt_destroy(ctx), 0);
	VEQ(laio_aio_nr(), 300);
	VCHECK(umem_map_kernel(sim_proc_current(), ctx, 1) == NULL); /* the ring is unmapped */
	VEQ(lt_destroy(c2), 0);
	VEQ(laio_aio_nr(), 0);
}

Test(laio_setup, ring_header_is_at_the_context_id)
{
	lt_run(setup_header_body);
}

static void setup_errors_body(void)
{
	aio_context_t ctx;
	/* unwritable / unreadable ctxp */
	VEQ(simk_io_setup(1, 0), -EFAULT);
	VEQ(simk_io_setup(1, 0x7fff0000), -EFAULT);
	/* *ctxp must be 0 */
	uaddr_t a = vt_ubuf(8);
	uint64_t junk = 5;
	vt_uput(a, &junk, 8);
	VEQ(simk_io_setup(1, a), -EINVAL);
	/* nr_events 0 */
	VEQ(lt_setup_r(0, &ctx), -EINVAL);
	/* the overflow checks: events or kiocbs past 256 MiB */
	VEQ(lt_setup_r(0x10000000u / 32 + 1, &ctx), -EINVAL);
	VEQ(lt_setup_r(0x10000000u / 256 + 1, &ctx), -EINVAL);
	VEQ(lt_setup_r(0xffffffffu, &ctx), -EINVAL);
	/* past aio_max_nr (65536 by default) */
	VEQ(laio_max_nr(), 65536);
	VEQ(lt_setup_r(65537, &ctx), -EAGAIN);
	VEQ(laio_aio_nr(), 0);
	/* the whole of aio_max_nr in one context, then nothing more */
	VEQ(lt_setup_r(65536, &ctx), 0);
	VEQ(laio_aio_nr(), 65536);
	aio_context_t c2;
	VEQ(lt_setup_r(1, &c2), -EAGAIN);
	VEQ(lt_destroy(ctx), 0);
	VEQ(lt_setup_r(1, &c2), 0);
	VEQ(lt_destroy(c2), 0);
	VEQ(laio_aio_nr(), 0);
}

Test(laio_setup, errors_follow_the_reference)
{
	lt_run(setup_errors_body);
}

static void max_nr_body(void)
{
	laio_set_max_nr(10);
	aio_context_t a, b, c;
	VEQ(lt_setup_r(4, &a), 0);
	VEQ(lt_setup_r(6, &b), 0);
	VEQ(laio_aio_nr(), 10);
	VEQ(lt_setup_r(1, &c), -EAGAIN); /* aio_nr + 1 > aio_max_nr */
	VEQ(lt_setup_r(11, &c), -EAGAIN);
	VEQ(lt_destroy(a), 0);
	VEQ(lt_setup_r(4, &c), 0);
	VEQ(lt_destroy(b), 0);
	VEQ(lt_destroy(c), 0);
	VEQ(laio_aio_nr(), 0);
}

Test(laio_setup, aio_max_nr_is_settable_per_run)
{
	lt_run(max_nr_body);
	/* and is back to the default in the next run */
	lt_run(setup_errors_body);
}

static void setup_enomem_body(void)
{
	uaddr_t a = vt_ubuf(sizeof(aio_context_t));
	uint64_t zero = 0;
	int failed = 0;
	/* fail the k-th allocation of io_setup, for each k until none fails */
	for (int k = 1; k <= 8; k++) {
		lt_fault_next("kmem/alloc/enomem", (uint64_t)k);
		vt_uput(a, &zero, sizeof(zero));
		int r = simk_io_setup(4, a);
		lt_fault_off("kmem/alloc/enomem");
		VCHECK(r == 0 || r == -ENOMEM);
		if (r == 0) {
			aio_context_t ctx;
			vt_uget(a, &ctx, sizeof(ctx));
			VEQ(lt_destroy(ctx), 0);
		} else {
			failed++;
		}
		VEQ(laio_aio_nr(), 0);
		VEQ(lt_stats().contexts_live, 0);
	}
	VCHECK(failed >= 3); /* process state, context, ring */
}

Test(laio_setup, allocation_failure_is_enomem_and_leaks_nothing)
{
	lt_run(setup_enomem_body);
}

/* ---- io_destroy ---- */

static void destroy_body(void)
{
	aio_context_t ctx = lt_setup(4);
	VEQ(lt_destroy(ctx + 1), -EINVAL);
	VEQ(lt_destroy(0), -EINVAL);
	VEQ(lt_destroy(ctx), 0);
	VEQ(lt_destroy(ctx), -EINVAL); /* gone */
	struct io_event ev[1];
	VEQ(lt_getevents(ctx, 0, 1, ev, 0), -EINVAL);
}

Test(laio_destroy, unknown_or_destroyed_context_is_einval)
{
	lt_run(destroy_body);
}

static void ctx_per_process_child(void *arg)
{
	aio_context_t ctx = *(aio_context_t *)arg;
	/* the child has a copy of the memory but not the context */
	struct io_event ev[1];
	VEQ(lt_getevents(ctx, 0, 1, ev, 0), -EINVAL);
	VEQ(lt_destroy(ctx), -EINVAL);
}

static void ctx_per_process_body(void)
{
	static aio_context_t ctx;
	ctx = lt_setup(4);
	int pid = proc_fork("child", ctx_per_process_child, &ctx);
	VCHECK(pid > 0);
	int st;
	VEQ(proc_wait(pid, &st), pid);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_setup, contexts_are_not_inherited_by_fork)
{
	lt_run(ctx_per_process_body);
}

/* ---- the ring in use: wrap-around and the user reaper ---- */

static void wrap_body(void)
{
	/* 127 slots, at most 126 events in flight */
	aio_context_t ctx = lt_setup(1);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	uaddr_t buf = vt_ubytes("abcd", 4);
	struct io_event ev[8];
	/* go around the ring three times, one event at a time, alternating
	 * io_getevents and the user reaper */
	for (int i = 0; i < 3 * 127 + 5; i++) {
		uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4, i * 4, (uint64_t)i);
		VEQ(lt_submit1(ctx, cb), 1);
		struct aio_ring r = lt_ring(ctx);
		VEQ(r.tail, (uint32_t)(i + 1) % 127);
		int n;
		if (i % 2)
			n = (int)lt_getevents(ctx, 1, 8, ev, -1);
		else
			n = laio_user_reap(sim_proc_current(), ctx, ev, 8);
		VEQ(n, 1);
		VEQ(ev[0].data, i);
		VEQ(ev[0].obj, cb);
		VEQ(ev[0].res, 4);
		r = lt_ring(ctx);
		VEQ(r.head, r.tail);
	}
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_ring, events_wrap_around_through_getevents_and_the_user_reaper)
{
	lt_run(wrap_body);
}

static void full_body(void)
{
	aio_context_t ctx = lt_setup(1); /* 127 slots: 126 events at most */
	int fds[2];
	lt_pipe(fds, 0);
	uaddr_t buf = vt_ubuf(4096);
	/* pipe reads with nothing to read stay in flight: they hold slots */
	uaddr_t cbs[130];
	for (int i = 0; i < 130; i++)
		cbs[i] = lt_iocb(IOCB_CMD_PREAD, fds[0], buf, 1, 0, (uint64_t)i);
	VEQ(lt_submit(ctx, cbs, 100), 100);
	/* admission stops at 126 active: io_submit returns what it took */
	VEQ(lt_submit(ctx, cbs + 100, 30), 26);
	VEQ(lt_submit(ctx, cbs + 126, 4), -EAGAIN);
	/* complete them all: one byte each */
	char bytes[126];
	memset(bytes, 'x', sizeof(bytes));
	VEQ(simk_write(fds[1], vt_ubytes(bytes, 126), 126), 126);
	struct io_event ev[126];
	long got = 0;
	while (got < 126) {
		long n = lt_getevents(ctx, 1, 126 - got, ev + got, -1);
		VCHECK(n > 0);
		got += n;
	}
	/* the ring held 126 events at once and was never overwritten */
	for (int i = 0; i < 126; i++)
		VEQ(ev[i].res, 1);
	/* now there is room again */
	VEQ(lt_submit(ctx, cbs + 126, 4), 4);
	VEQ(lt_destroy(ctx), 0); /* cancels the 4 */
	struct laio_stats st = lt_stats();
	VEQ(st.ended_torn, 4);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
}

Test(laio_ring, admission_stops_at_free_ring_slots)
{
	lt_run(full_body);
}

static void reaper_full_body(void)
{
	aio_context_t ctx = lt_setup(1);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubytes("z", 1);
	uaddr_t cbs[127];
	for (int i = 0; i < 127; i++)
		cbs[i] = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 1, i, (uint64_t)i);
	/* buffered writes complete inline: 126 events fill the ring */
	VEQ(lt_submit(ctx, cbs, 127), 126);
	VEQ(lt_submit(ctx, cbs + 126, 1), -EAGAIN);
	struct aio_ring r = lt_ring(ctx);
	VEQ((r.tail + 1) % r.nr, r.head); /* full: one slot empty */
	/* the user reaper frees slots without a system call */
	struct io_event ev[3];
	VEQ(laio_user_reap(sim_proc_current(), ctx, ev, 3), 3);
	VEQ(ev[0].data, 0);
	VEQ(ev[2].data, 2);
	VEQ(lt_submit(ctx, cbs + 126, 1), 1);
	/* io_getevents continues where the reaper stopped */
	struct io_event all[126];
	VEQ(lt_getevents(ctx, 124, 126, all, 0), 124);
	VEQ(all[0].data, 3);
	VEQ(all[123].data, 126);
	VEQ(laio_user_reap(sim_proc_current(), ctx, ev, 3), 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_ring, user_reaper_frees_slots_and_agrees_with_getevents)
{
	lt_run(reaper_full_body);
}

static void reaper_bad_body(void)
{
	struct io_event ev[1];
	uaddr_t junk = vt_ubuf(4096);
	VEQ(laio_user_reap(sim_proc_current(), junk, ev, 1), -EINVAL);	 /* no magic */
	VEQ(laio_user_reap(sim_proc_current(), 0x1234, ev, 1), -EINVAL); /* unmapped */
	aio_context_t ctx = lt_setup(1);
	/* a head corrupted by user space is taken modulo nr by everyone */
	struct aio_ring r = lt_ring(ctx);
	r.head = 127 * 5; /* == 0 modulo nr */
	vt_uput(ctx, &r, sizeof(r));
	VEQ(laio_user_reap(sim_proc_current(), ctx, ev, 1), 0);
	VEQ(lt_getevents(ctx, 0, 1, ev, 0), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_ring, reaper_rejects_a_non_ring_and_tolerates_a_corrupt_head)
{
	lt_run(reaper_bad_body);
}
