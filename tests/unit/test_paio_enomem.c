/* POSIX AIO: each allocation that can fail, failed one at a time
 * (kmem/alloc/enomem:nth=K): the documented errno, nothing queued or
 * taken, and nothing leaked (the kmem leak check at the end of each run). */
#include "paio_test.h"

/* Makes the k-th allocation from now fail. */
static void fail_nth_alloc(uint64_t k)
{
	char spec[64];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%llu",
		 (unsigned long long)(sim_fault_hits("kmem/alloc/enomem") + k));
	vt_fault(spec);
}

/* aio_suspend copies a list of more than 32 entries into an allocated
 * wait list: when that fails, -ENOMEM (the request is untouched and a
 * second try waits normally). aio_waitn's output list likewise: -ENOMEM
 * and the completed request stays for the next aio_waitn. */
static void t_wait_lists(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, vt_ubuf(64), 64, 0);
	VEQ(simk_aio_write(cb), 0);
	uaddr_t cbs[40];
	for (int i = 0; i < 40; i++)
		cbs[i] = i == 39 ? cb : 0;
	uaddr_t l = pt_list(cbs, 40);
	fail_nth_alloc(1);
	VEQ(simk_aio_suspend(l, 40, 0), -ENOMEM);
	vt_fault("kmem/alloc/enomem:off");
	VEQ(simk_aio_suspend(l, 40, 0), 0);
	VEQ(simk_aio_error(cb), 0);
	/* the request (SIGEV_NONE) is on the done queue of aio_waitn */
	uaddr_t out = vt_ubuf(8 * 4);
	uint32_t one = 1;
	uaddr_t nw = vt_ubytes(&one, sizeof(one));
	fail_nth_alloc(1);
	VEQ(simk_aio_waitn(out, 4, nw, 0), -ENOMEM);
	vt_fault("kmem/alloc/enomem:off");
	vt_uput(nw, &one, sizeof(one));
	VEQ(simk_aio_waitn(out, 4, nw, 0), 0);
	uint32_t got;
	vt_uget(nw, &got, sizeof(got));
	VEQ(got, 1);
	uint64_t first;
	vt_uget(out, &first, sizeof(first));
	VEQ(first, cb);
	VEQ(simk_aio_return(cb), 64);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_enomem, wait_list_allocation_of_aio_suspend_and_aio_waitn_fails_with_enomem)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_wait_lists, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* aio_fsync allocates the request and one piece per read/write worker:
 * whichever of them fails, the call says EAGAIN (the aiocb too), nothing
 * is queued, and the same aiocb goes through afterwards. */
static int fsync_eagain;

static void t_fsync_pieces(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t w = pt_cb(fd, vt_ubuf(64), 64, 0);
	VEQ(simk_aio_write(w), 0); /* starts the pool: 3 read/write workers */
	VEQ(pt_result(w), 64);
	VEQ(pt_stats().workers, 3);
	uaddr_t cb = pt_cb(fd, 0, 0, 0);
	for (uint64_t k = 1; k <= 8; k++) {
		int live = pt_stats().requests_live;
		fail_nth_alloc(k);
		int r = simk_aio_fsync(O_SYNC, cb);
		vt_fault("kmem/alloc/enomem:off");
		if (r == -EAGAIN) {
			fsync_eagain++;
			VEQ(simk_aio_error(cb), EAGAIN);
			VEQ(pt_stats().requests_live, live);
			VEQ(pt_stats().outstanding, 0);
			continue;
		}
		VEQ(r, 0);
		VEQ(pt_result(cb), 0);
	}
	VEQ(simk_aio_fsync(O_SYNC, cb), 0);
	VEQ(pt_result(cb), 0);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_enomem, fsync_request_or_piece_allocation_fails_with_eagain)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(3, 3, 100);
	fsync_eagain = 0;
	simk_thread_create(simk_proc_create(s, "p"), "main", t_fsync_pieces, NULL);
	PT_RUN_PASS(s);
	/* the request and each of the three pieces */
	cr_assert_eq(fsync_eagain, 4);
	simk_destroy(s);
}

/* The first request starts the pool: the process state, the notification
 * worker, then min_workers read/write workers. Failing the K-th
 * allocation of that first aio_write: EAGAIN while no read/write worker
 * or no notification worker exists (error stored in the aiocb), a
 * smaller pool otherwise; a retry always goes through. Each K runs in a
 * fresh simulation, whose leak check ends it. */
static uint64_t pool_k;
static int pool_eagain;
static int pool_workers;

static void t_pool_start(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, vt_ubuf(64), 64, 0);
	fail_nth_alloc(pool_k);
	int r = simk_aio_write(cb);
	vt_fault("kmem/alloc/enomem:off");
	if (r == -EAGAIN) {
		pool_eagain++;
		VEQ(simk_aio_error(cb), EAGAIN);
		VEQ(simk_aio_write(cb), 0);
	} else {
		VEQ(r, 0);
	}
	VEQ(pt_result(cb), 64);
	struct paio_stats st = pt_stats();
	pool_workers = st.workers;
	VEQ(st.notify_workers, 1);
	VCHECK(st.workers >= 1 && st.workers <= 3);
	VEQ(st.requests_live, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_enomem, worker_creation_fails_with_eagain_or_a_smaller_pool)
{
	int eagain = 0, smaller = 0;
	for (pool_k = 1; pool_k <= 8; pool_k++) {
		struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
		pt_config(3, 3, 100);
		pool_eagain = 0;
		pool_workers = 0;
		simk_thread_create(simk_proc_create(s, "p"), "main", t_pool_start, NULL);
		PT_RUN_PASS(s);
		eagain += pool_eagain;
		if (pool_eagain == 0 && pool_workers < 3)
			smaller++;
		simk_destroy(s);
	}
	/* process state, notification worker: EAGAIN; first read/write
	 * worker: EAGAIN; second and third: a smaller pool */
	cr_assert_geq(eagain, 3);
	cr_assert_geq(smaller, 2);
}

/* A request that finds every worker loaded makes a new worker (up to
 * max_workers); when that allocation fails, the loaded worker takes it:
 * no error, the request completes, nothing leaks. */
static void t_grow_fails(void *arg)
{
	bool fail = arg != NULL;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t rd = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	uaddr_t rd2 = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
	VEQ(simk_aio_read(rd), 0); /* the only worker blocks on the pipe */
	vt_sleep(1000);
	VEQ(simk_aio_read(rd2), 0); /* queued behind it: load 1 */
	VEQ(pt_stats().workers, 1);
	uaddr_t w = pt_cb(fd, vt_ubuf(64), 64, 0);
	if (fail)
		fail_nth_alloc(2); /* the request, then the new worker */
	VEQ(simk_aio_write(w), 0);
	vt_fault("kmem/alloc/enomem:off");
	VEQ(pt_stats().workers, fail ? 1 : 2);
	vt_sleep(1000000);
	/* without a new worker it waits behind the blocked read */
	VEQ(simk_aio_error(w), fail ? EINPROGRESS : 0);
	VEQ(vt_write_str(pfd[1], "xy"), 2);
	VEQ(pt_result(rd), 1);
	VEQ(pt_result(rd2), 1);
	VEQ(pt_result(w), 64);
	VEQ(pt_stats().requests_live, 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_enomem, failed_pool_growth_queues_on_the_loaded_worker)
{
	for (int fail = 0; fail < 2; fail++) {
		struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
		pt_config(1, 2, 1);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_grow_fails,
				   fail ? (void *)1 : NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}
