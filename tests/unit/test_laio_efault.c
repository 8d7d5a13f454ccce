/*
 * Linux AIO: results written back to user memory that is readable but not
 * writable (kern/umem page protections). Each test pins the errno and the
 * side effect the reference has at that point: the new context destroyed,
 * the event taken and lost, the iocb not submitted, the request cancelled.
 * The ring itself is the kernel's mapping: user protections on it do not
 * stop completions or io_getevents, only the user-level reaper.
 */
#include "laio_test.h"

#define PG UMEM_PAGE

/* A buffered file with 8 bytes; writes to it complete inside io_submit. */
static int buffered_file(void)
{
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	VEQ(vt_write_str(fd, "abcdefgh"), 8);
	return fd;
}

/* ---- io_setup ---- */

static void setup_body(void)
{
	struct simk_proc *p = sim_proc_current();
	uaddr_t ctxp = vt_ubuf(sizeof(aio_context_t));
	vt_protect(ctxp, PG, UMEM_PROT_READ);
	/* *ctxp reads as 0, the context is made, then the write-back faults:
	 * the new context is destroyed before the call returns */
	VEQ(simk_io_setup(8, ctxp), -EFAULT);
	VEQ(laio_aio_nr(), 0);
	VEQ(lt_stats().contexts_live, 0);
	uaddr_t lost_ring = ctxp + 2 * PG; /* the next region: where the ring went */
	VCHECK(umem_map_kernel(p, lost_ring, 1) == NULL);
	VEQ(lt_destroy(lost_ring), -EINVAL);
	aio_context_t zero = 1;
	vt_uget(ctxp, &zero, sizeof(zero));
	VEQ(zero, 0);
	/* PROT_NONE: the read of *ctxp faults first, nothing is made */
	vt_protect(ctxp, PG, UMEM_PROT_NONE);
	VEQ(simk_io_setup(8, ctxp), -EFAULT);
	VEQ(lt_stats().contexts_live, 0);
	/* write-only: the read faults too (see kern/umem.h) */
	vt_protect(ctxp, PG, UMEM_PROT_WRITE);
	VEQ(simk_io_setup(8, ctxp), -EFAULT);
	/* made writable again, it works and the limits were given back */
	vt_protect(ctxp, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	laio_set_max_nr(8);
	VEQ(simk_io_setup(8, ctxp), 0);
	aio_context_t ctx;
	vt_uget(ctxp, &ctx, sizeof(ctx));
	VCHECK(ctx != 0 && ctx != lost_ring);
	VEQ(laio_aio_nr(), 8);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, io_setup_readonly_ctxp_destroys_the_new_context)
{
	lt_run(setup_body);
}

/* ---- io_getevents ---- */

static void getevents_body(void)
{
	aio_context_t ctx = lt_setup(8);
	int fd = buffered_file();
	uaddr_t buf = vt_ubuf(8);
	uaddr_t cb[3];
	for (int i = 0; i < 3; i++)
		cb[i] = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 1, i, 100 + (uint64_t)i);
	VEQ(lt_submit1(ctx, cb[0]), 1);
	struct aio_ring r0 = lt_ring(ctx);
	VEQ(r0.tail - r0.head, 1);
	/* the whole events array read-only: the event is taken from the ring
	 * and lost (Linux's aio_read_events_ring moves head before
	 * copy_to_user) */
	uaddr_t ro = vt_ubuf(4 * sizeof(struct io_event));
	vt_protect(ro, PG, UMEM_PROT_READ);
	VEQ(simk_io_getevents(ctx, 1, 4, ro, 0), -EFAULT);
	struct aio_ring r1 = lt_ring(ctx);
	VEQ(r1.head, r1.tail);
	struct io_event ev[4];
	VEQ(lt_getevents(ctx, 0, 4, ev, 0), 0); /* it is gone */
	VEQ(lt_stats().reqs_live, 0);		/* and its request was freed */
	/* events array across a writable and a read-only page: the first
	 * event lands, the second is lost, the third stays in the ring */
	VEQ(lt_submit1(ctx, cb[0]), 1);
	VEQ(lt_submit1(ctx, cb[1]), 1);
	VEQ(lt_submit1(ctx, cb[2]), 1);
	uaddr_t two = vt_ubuf(2 * PG);
	vt_protect(two + PG, PG, UMEM_PROT_READ);
	uaddr_t evs = two + PG - sizeof(struct io_event); /* the last slot of page 0 */
	VEQ(simk_io_getevents(ctx, 1, 2, evs, 0), 1);
	struct io_event got;
	vt_uget(evs, &got, sizeof(got));
	VEQ(got.data, 100);
	VEQ(got.res, 1);
	VEQ(lt_getevents(ctx, 0, 4, ev, 0), 1);
	VEQ(ev[0].data, 102); /* 101 was lost */
	VEQ(lt_stats().ended_event, 4);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, io_getevents_into_readonly_events_loses_the_event_taken)
{
	lt_run(getevents_body);
}

/* The wait path: the event arrives while the caller sleeps. */
static void getevents_wait_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fd = lt_open_direct("/d");
	uaddr_t buf = vt_ubuf(4096);
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 4096, 0, 7);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_ring(ctx).tail, 0); /* on the device */
	uaddr_t ro = vt_ubuf(sizeof(struct io_event));
	vt_protect(ro, PG, UMEM_PROT_READ);
	uint64_t t0 = sim_now();
	VEQ(simk_io_getevents(ctx, 1, 1, ro, 0), -EFAULT);
	VCHECK(sim_now() > t0); /* it slept for the device */
	struct aio_ring r = lt_ring(ctx);
	VEQ(r.tail, 1);
	VEQ(r.head, 1); /* taken */
	struct io_event z;
	vt_uget(ro, &z, sizeof(z));
	VEQ(z.data, 0); /* nothing written */
	VEQ(lt_stats().reqs_live, 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, io_getevents_waiting_into_readonly_events_loses_the_event)
{
	lt_run(getevents_wait_body);
}

/* ---- io_submit ---- */

static void submit_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fd = buffered_file();
	int efd = simk_eventfd(0, 0);
	VCHECK(efd >= 0);
	uaddr_t buf = vt_ubuf(8);
	uaddr_t good = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 1, 0, 1);
	uaddr_t ro = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 1, 0, 2);
	lt_iocb_resfd(ro, efd); /* it holds the eventfd until it fails */
	struct iocb before = lt_iocb_get(ro);
	before.aio_key = 0x5a5a;
	lt_iocb_put(ro, &before);
	vt_protect(ro, PG, UMEM_PROT_READ);
	struct laio_stats st0 = lt_stats();
	/* readable, but aio_key cannot be written: the first iocb fails */
	uaddr_t cbs[2] = {ro, good};
	VEQ(lt_submit(ctx, cbs, 2), -EFAULT);
	/* a later one: the count so far */
	uaddr_t cbs2[2] = {good, ro};
	VEQ(lt_submit(ctx, cbs2, 2), 1);
	struct laio_stats st1 = lt_stats();
	VEQ(st1.submitted, st0.submitted + 1);
	VEQ(st1.reqs_live, 0);
	struct iocb after = lt_iocb_get(ro);
	VEQ(after.aio_key, 0x5a5a); /* untouched */
	struct io_event ev[4];
	VEQ(lt_getevents(ctx, 0, 4, ev, 0), 1);
	VEQ(ev[0].data, 1);
	struct file *efp;
	VEQ(fd_get(sim_proc_current(), efd, &efp), 0);
	VEQ(eventfd_count(efp), 0); /* the failed iocb never signalled */
	file_put(efp);
	VEQ(simk_close(efd), 0);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, io_submit_readonly_iocb_is_not_submitted)
{
	lt_run(submit_body);
}

/* ---- io_cancel ---- */

static void cancel_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fds[2];
	lt_pipe(fds, 0);
	uaddr_t rb = vt_ubuf(8);
	uaddr_t cb = lt_iocb(IOCB_CMD_PREAD, fds[0], rb, 8, 0, 9);
	VEQ(lt_submit1(ctx, cb), 1);
	uaddr_t res = vt_ubuf(sizeof(struct io_event));
	vt_protect(res, PG, UMEM_PROT_READ);
	/* the request is cancelled, its event goes nowhere */
	VEQ(simk_io_cancel(ctx, cb, res), -EFAULT);
	struct laio_stats st = lt_stats();
	VEQ(st.ended_cancel, 1);
	VEQ(st.reqs_live, 0);
	struct io_event z;
	vt_uget(res, &z, sizeof(z));
	VEQ(z.data, 0);
	VEQ(lt_cancel(ctx, cb, NULL), -EINVAL); /* no longer there */
	VEQ(vt_write_str(fds[1], "late"), 4);	/* and no event comes */
	struct io_event ev[2];
	VEQ(lt_getevents(ctx, 0, 2, ev, 0), 0);
	VEQ(lt_ring(ctx).tail, 0);
	VEQ(simk_close(fds[0]), 0);
	VEQ(simk_close(fds[1]), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, io_cancel_readonly_result_keeps_the_request_cancelled)
{
	lt_run(cancel_body);
}

/* ---- the ring under user protections ---- */

static void ring_body(void)
{
	struct simk_proc *p = sim_proc_current();
	aio_context_t ctx = lt_setup(4);
	int fd = buffered_file();
	uaddr_t buf = vt_ubuf(8);
	uaddr_t cb = lt_iocb(IOCB_CMD_PWRITE, fd, buf, 1, 0, 5);
	/* Linux writes the ring through the kernel's own mapping of its
	 * pages: a program that made its ring read-only (or inaccessible)
	 * still gets completions and io_getevents */
	vt_protect(ctx, PG, UMEM_PROT_NONE);
	VEQ(lt_submit1(ctx, cb), 1);
	struct io_event ev[2];
	VEQ(lt_getevents(ctx, 1, 2, ev, 0), 1);
	VEQ(ev[0].data, 5);
	/* the user-level reaper is the program itself: it faults, nothing is
	 * taken (on an empty ring a readable one finds nothing to take) */
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(laio_user_reap(p, ctx, ev, 2), -EFAULT); /* cannot read the magic */
	vt_protect(ctx, PG, UMEM_PROT_READ);
	VEQ(laio_user_reap(p, ctx, ev, 2), -EFAULT); /* cannot move head */
	VEQ(laio_user_reap(p, ctx, ev, 0), 0);	     /* asks for nothing */
	struct aio_ring r = lt_ring(ctx);
	VEQ(r.tail - r.head, 1); /* still there */
	vt_protect(ctx, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(laio_user_reap(p, ctx, ev, 2), 1);
	VEQ(ev[0].data, 5);
	vt_protect(ctx, PG, UMEM_PROT_READ);
	VEQ(laio_user_reap(p, ctx, ev, 2), 0); /* empty: no write needed */
	vt_protect(ctx, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_close(fd), 0);
	VEQ(lt_destroy(ctx), 0);
	VCHECK(umem_map_kernel(p, ctx, 1) == NULL);
}

Test(laio_efault, ring_protections_bind_the_user_reaper_not_the_kernel)
{
	lt_run(ring_body);
}

/* ---- transfers into a read-only buffer ---- */

static void transfer_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fd = buffered_file();
	int dfd = lt_open_direct("/d");
	uaddr_t src = vt_ubuf(4096);
	VEQ(simk_pwrite(dfd, src, 4096, 0), 4096);
	uaddr_t ro = vt_ubuf(4096);
	vt_protect(ro, PG, UMEM_PROT_READ);
	/* accepted (only the range is checked at submission, as on Linux);
	 * the transfer fails in the event */
	uaddr_t cb = lt_iocb(IOCB_CMD_PREAD, fd, ro, 8, 0, 1);
	uaddr_t dcb = lt_iocb(IOCB_CMD_PREAD, dfd, ro, 4096, 0, 2);
	VEQ(lt_submit1(ctx, cb), 1);
	VEQ(lt_submit1(ctx, dcb), 1);
	struct io_event ev[2];
	VEQ(lt_getevents(ctx, 2, 2, ev, -1), 2);
	VEQ(ev[0].data, 1);
	VEQ(ev[0].res, -EFAULT);
	VEQ(ev[1].data, 2);
	VEQ(ev[1].res, -EFAULT);
	/* a write only reads its buffer */
	uaddr_t wcb = lt_iocb(IOCB_CMD_PWRITE, fd, ro, 8, 0, 3);
	VEQ(lt_submit1(ctx, wcb), 1);
	VEQ(lt_getevents(ctx, 1, 2, ev, -1), 1);
	VEQ(ev[0].res, 8);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(dfd), 0);
	VEQ(lt_destroy(ctx), 0);
}

Test(laio_efault, pread_into_readonly_buffer_fails_in_the_event)
{
	lt_run(transfer_body);
}
