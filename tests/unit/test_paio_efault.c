/*
 * POSIX AIO: control blocks, buffers and result arrays that are readable
 * but not writable (kern/umem page protections). Submissions refuse what
 * the kernel could not store into; results that cannot be stored are kept
 * in the kernel until they can (aio_return, aiowait); aio_waitn gives back
 * what it could not report.
 */
#include "paio_test.h"

#define PG UMEM_PAGE

static void run1(simk_thread_fn fn)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", fn, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A file with 16 bytes. */
static int data_file(void)
{
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	VEQ(vt_write_str(fd, "0123456789abcdef"), 16);
	return fd;
}

/* ---- submission ---- */

static void t_submit(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = data_file();
	uaddr_t buf = vt_ubuf(16);
	uaddr_t cb = pt_cb(fd, buf, 4, 0);
	struct simk_aiocb before = pt_get(cb);
	vt_protect(cb, PG, UMEM_PROT_READ);
	/* the kernel stores state and results in the block: refused first */
	VEQ(simk_aio_read(cb), -EFAULT);
	VEQ(simk_aio_write(cb), -EFAULT);
	VEQ(simk_aio_fsync(O_SYNC, cb), -EFAULT);
	struct paio_stats st = pt_stats();
	VEQ(st.submitted, 0);
	VEQ(st.requests_live, 0);
	struct simk_aiocb after = pt_get(cb);
	VCHECK(memcmp(&before, &after, sizeof(after)) == 0); /* nothing stored */
	VEQ(simk_aio_error(cb), -EINVAL); /* reading is enough: never submitted */
	VEQ(simk_aio_return(cb), -EFAULT);
	vt_protect(cb, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);

	/* a read into a read-only buffer, a write from a write-only one:
	 * refused, the error stored in the (writable) block */
	vt_protect(buf, PG, UMEM_PROT_READ);
	VEQ(simk_aio_read(cb), -EFAULT);
	VEQ(pt_get(cb).aio_state, AIOCB_FAILED);
	VEQ(simk_aio_error(cb), EFAULT);
	VEQ(simk_aio_return(cb), -EFAULT); /* the stored error, once */
	VEQ(simk_aio_error(cb), -EINVAL);
	/* a write only reads it */
	VEQ(simk_aio_write(cb), 0);
	VEQ(pt_result(cb), 4);
	vt_protect(buf, PG, UMEM_PROT_WRITE);
	VEQ(simk_aio_write(cb), -EFAULT);
	VEQ(simk_aio_error(cb), EFAULT);
	VEQ(simk_aio_return(cb), -EFAULT);
	VEQ(simk_aio_read(cb), 0);
	VEQ(pt_result(cb), 4);
	VEQ(pt_stats().submitted, 2);
	VEQ(simk_close(fd), 0);
}

Test(paio_efault, submissions_refuse_readonly_blocks_and_wrong_way_buffers)
{
	run1(t_submit);
}

/* ---- results of a request whose block became read-only ---- */

static void t_results(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t buf = vt_ubuf(8);
	uaddr_t cb = pt_cb(pfd[0], buf, 8, 0);
	VEQ(simk_aio_read(cb), 0);
	vt_sleep(1000); /* a worker waits in the pipe */
	VEQ(simk_aio_error(cb), EINPROGRESS);
	vt_protect(cb, PG, UMEM_PROT_READ);
	VEQ(vt_write_str(pfd[1], "abc"), 3);
	VEQ(pt_wait(cb), 0); /* the kernel's copy says done */
	/* the block never got the result */
	struct simk_aiocb seen = pt_get(cb);
	VEQ(seen.aio_resultp.aio_errno, EINPROGRESS);
	VEQ(pt_stats().ended, 1);
	/* aio_return cannot mark the block: EFAULT, the result stays */
	VEQ(simk_aio_return(cb), -EFAULT);
	VEQ(simk_aio_error(cb), 0);
	VEQ(pt_stats().requests_live, 1);
	vt_protect(cb, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_aio_return(cb), 3);
	VEQ(simk_aio_return(cb), -EINVAL);
	VEQ(pt_get(cb).aio_state, AIOCB_RETURNED);
	VEQ(pt_stats().requests_live, 0);
	char got[4] = {0};
	vt_uget(buf, got, 3);
	VCHECK(strcmp(got, "abc") == 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_efault, result_of_a_block_made_readonly_in_flight_is_kept_for_aio_return)
{
	run1(t_results);
}

/* ---- lio_listio ---- */

static void t_lio(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = data_file();
	uaddr_t good = pt_cb(fd, vt_ubuf(4), 4, 0);
	uaddr_t ro = pt_cb(fd, vt_ubuf(4), 4, 4);
	pt_opcode(good, LIO_READ);
	pt_opcode(ro, LIO_READ);
	vt_protect(ro, PG, UMEM_PROT_READ);
	uaddr_t cbs[2] = {ro, good};
	VEQ(simk_lio_listio(LIO_WAIT, pt_list(cbs, 2), 2, 0), -EIO);
	VEQ(pt_stats().submitted, 1);
	VEQ(simk_aio_return(good), 4);
	/* the read-only entry could not even get its error: never submitted */
	VEQ(simk_aio_error(ro), -EINVAL);
	VEQ(pt_get(ro).aio_state, 0);
	/* LIO_NOWAIT: the same */
	VEQ(simk_lio_listio(LIO_NOWAIT, pt_list(cbs, 2), 2, 0), -EIO);
	VEQ(pt_result(good), 4);
	VEQ(pt_stats().submitted, 2);
	VEQ(simk_close(fd), 0);
}

Test(paio_efault, lio_listio_readonly_entry_is_refused_the_others_run)
{
	run1(t_lio);
}

/* ---- aio_waitn ---- */

static uaddr_t w_out, w_nw;
static int w_ret;
static int w_pipe_w;

static void waitn_thread(void *arg)
{
	(void)arg;
	w_ret = simk_aio_waitn(w_out, 4, w_nw, 0);
}

/* prot_what: 0 protects the list, 1 the count, while the waiter sleeps */
static void waitn_meanwhile(int prot_what)
{
	uint32_t want = 1;
	vt_uput(w_nw, &want, 4);
	w_ret = 1;
	struct simk_thread *t =
	    kthread_create(sim_proc_current(), "waitn", waitn_thread, NULL, false);
	VCHECK(t != NULL);
	vt_sleep(1000);
	VEQ(w_ret, 1); /* waiting */
	vt_protect(prot_what == 0 ? w_out : w_nw, PG, UMEM_PROT_READ);
	VEQ(vt_write_str(w_pipe_w, "x"), 1);
	VEQ(kthread_join(t, NULL), 0);
	VEQ(w_ret, -EFAULT);
	vt_protect(prot_what == 0 ? w_out : w_nw, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
}

static void t_waitn(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	w_pipe_w = pfd[1];
	w_out = vt_ubuf(4 * 8);
	w_nw = vt_ubuf(4);
	uaddr_t cb = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(cb), 0);
	VEQ(vt_write_str(pfd[1], "a"), 1);
	VEQ(pt_wait(cb), 0);
	/* read-only count or list: refused before anything is taken, and
	 * before waiting (a request still in flight would make it wait) */
	uaddr_t cb2 = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(cb2), 0);
	uint32_t want = 2;
	vt_uput(w_nw, &want, 4);
	vt_protect(w_nw, PG, UMEM_PROT_READ);
	uint64_t t0 = sim_now();
	VEQ(simk_aio_waitn(w_out, 4, w_nw, pt_timespec(1, 0)), -EFAULT);
	VEQ(sim_now(), t0);
	vt_protect(w_nw, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_aio_cancel(pfd[0], cb2), AIO_CANCELED);
	VEQ(simk_aio_return(cb2), -ECANCELED);
	want = 1;
	vt_uput(w_nw, &want, 4);
	vt_protect(w_nw, PG, UMEM_PROT_READ);
	VEQ(simk_aio_waitn(w_out, 4, w_nw, 0), -EFAULT);
	vt_protect(w_nw, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	vt_protect(w_out, PG, UMEM_PROT_READ);
	VEQ(simk_aio_waitn(w_out, 4, w_nw, 0), -EFAULT);
	vt_protect(w_out, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_aio_waitn(w_out, 4, w_nw, 0), 0);
	uint64_t key = 0;
	vt_uget(w_out, &key, 8);
	VEQ(key, cb);
	VEQ(simk_aio_return(cb), 1);

	/* made read-only while the call waits: the entries go back */
	for (int what = 0; what < 2; what++) {
		VEQ(simk_aio_read(cb), 0);
		waitn_meanwhile(what);
		want = 1;
		vt_uput(w_nw, &want, 4);
		key = 0;
		vt_uput(w_out, &key, 8);
		VEQ(simk_aio_waitn(w_out, 4, w_nw, pt_timespec(0, 0)), 0);
		uint32_t got = 0;
		vt_uget(w_nw, &got, 4);
		VEQ(got, 1);
		vt_uget(w_out, &key, 8);
		VEQ(key, cb);
		VEQ(simk_aio_return(cb), 1);
	}
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_efault, aio_waitn_readonly_results_take_nothing_or_give_back)
{
	run1(t_waitn);
}

/* ---- the Solaris interface ---- */

static uaddr_t result_buf(void)
{
	return vt_ubuf(sizeof(struct simk_aio_result));
}

static struct simk_aio_result get_res(uaddr_t r)
{
	struct simk_aio_result res;
	vt_uget(r, &res, sizeof(res));
	return res;
}

static void t_solaris(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = data_file();
	uaddr_t buf = vt_ubuf(16);
	uaddr_t res = result_buf();
	/* refused: a read-only result, a read into a read-only buffer */
	vt_protect(res, PG, UMEM_PROT_READ);
	VEQ(simk_aioread(fd, buf, 4, 0, SIMK_SEEK_SET, res), -EFAULT);
	vt_protect(res, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	vt_protect(buf, PG, UMEM_PROT_READ);
	VEQ(simk_aioread(fd, buf, 4, 0, SIMK_SEEK_SET, res), -EFAULT);
	VEQ(pt_stats().submitted, 0);
	VEQ(simk_aiowait(pt_timespec(0, 0)), -EINVAL); /* nothing in flight */
	/* a write only reads its buffer */
	VEQ(simk_aiowrite(fd, buf, 4, 0, SIMK_SEEK_SET, res), 0);
	VEQ(simk_aiowait(0), (int64_t)res);
	VEQ(get_res(res).aio_return, 4);
	vt_protect(buf, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);

	/* the result block made read-only in flight: the completion cannot
	 * store; aiowait refuses to hand it out unstored, and stores it once
	 * it can */
	int pfd[2];
	pt_pipe(pfd);
	VEQ(simk_aioread(pfd[0], buf, 8, 0, SIMK_SEEK_SET, res), 0);
	vt_sleep(1000);
	vt_protect(res, PG, UMEM_PROT_READ);
	VEQ(vt_write_str(pfd[1], "xyz"), 3);
	VEQ(simk_aiowait(0), -EFAULT);
	VEQ(get_res(res).aio_return, AIO_INPROGRESS);
	VEQ(simk_aiowait(0), -EFAULT); /* still there */
	vt_protect(res, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	VEQ(simk_aiowait(0), (int64_t)res);
	VEQ(get_res(res).aio_return, 3);
	VEQ(get_res(res).aio_errno, 0);
	VEQ(simk_aiowait(0), -EINVAL); /* handed out once */
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_efault, solaris_results_are_stored_before_aiowait_hands_them_out)
{
	run1(t_solaris);
}

/* ---- the transfer of a request whose buffer became read-only ---- */

static void t_transfer(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t buf = vt_ubuf(8);
	uaddr_t cb = pt_cb(pfd[0], buf, 8, 0);
	VEQ(simk_aio_read(cb), 0);
	vt_sleep(1000); /* the worker waits in the pipe */
	vt_protect(buf, PG, UMEM_PROT_READ);
	VEQ(vt_write_str(pfd[1], "abc"), 3);
	VEQ(pt_wait(cb), EFAULT); /* the worker's copy faulted */
	VEQ(simk_aio_return(cb), -EFAULT);
	/* the bytes stayed in the pipe */
	uaddr_t b = vt_ubuf(8);
	VEQ(simk_read(pfd[0], b, 8), 3);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_efault, buffer_made_readonly_in_flight_fails_the_request_with_efault)
{
	run1(t_transfer);
}
