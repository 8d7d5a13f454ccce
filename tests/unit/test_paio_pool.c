/* POSIX AIO: the worker pool — creation on first use, idle preference,
 * creation under load, the max_workers cap, the notification worker. */
#include "paio_test.h"

#include "syscalls/portfs/port.h"

static void t_first_use(void *arg)
{
	(void)arg;
	vt_setup();
	struct paio_stats st = pt_stats();
	VEQ(st.workers, 0);
	VEQ(st.notify_workers, 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(pt_stats().workers, 0); /* opening files starts nothing */
	uaddr_t cb = pt_cb(fd, vt_ubuf(16), 16, 0);
	VEQ(simk_aio_write(cb), 0);
	st = pt_stats();
	VEQ(st.workers, 3); /* min_workers, eagerly */
	VEQ(st.workers_created, 3);
	VEQ(st.notify_workers, 1);
	VEQ(pt_result(cb), 16);
	vt_sleep(1000);
	VEQ(pt_stats().workers_idle, 3);
	VEQ(simk_close(fd), 0);
}

Test(paio_pool, workers_start_with_the_first_request)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(3, 8, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_first_use, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* min 2, max 4, min_workload 2; every request is a pipe read that blocks,
 * submitted without letting any worker run (fifo policy). */
static void t_under_load(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cbs[10];
	int workers_after[10];
	for (int i = 0; i < 10; i++) {
		cbs[i] = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
		VEQ(simk_aio_read(cbs[i]), 0);
		workers_after[i] = pt_stats().workers;
	}
	/* r0, r1: the two idle workers; r2, r3: queued behind them (load 2
	 * each); r4, r5: both loaded -> new workers; r6, r7: the new ones
	 * (load 2); r8, r9: all loaded but the cap is reached: queued */
	static const int want[10] = {2, 2, 2, 2, 3, 4, 4, 4, 4, 4};
	for (int i = 0; i < 10; i++)
		VEQ(workers_after[i], want[i]);
	VEQ(pt_stats().workers_created, 4);
	/* each byte written completes one read, in some order */
	for (int i = 0; i < 10; i++)
		VEQ(vt_write_str(pfd[1], "z"), 1);
	for (int i = 0; i < 10; i++)
		VEQ(pt_result(cbs[i]), 1);
	vt_sleep(1000);
	struct paio_stats st = pt_stats();
	VEQ(st.workers, 4);
	VEQ(st.workers_idle, 4);
	VEQ(simk_close(pfd[0]), 0);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_pool, loaded_workers_make_new_ones_up_to_max_workers)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(2, 4, 2);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_under_load, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* With every worker idle, consecutive requests go to different workers
 * (idle preference, round robin): four blocking reads keep four workers
 * busy, none queued behind another. */
static void t_spread(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[2];
	pt_pipe(pfd);
	uaddr_t cbs[4];
	for (int i = 0; i < 4; i++) {
		cbs[i] = pt_cb(pfd[0], vt_ubuf(1), 1, 0);
		VEQ(simk_aio_read(cbs[i]), 0);
		vt_sleep(100); /* the worker takes it and blocks */
	}
	for (int i = 0; i < 4; i++)
		VEQ(pt_get(cbs[i]).aio_state, AIOCB_INPROGRESS);
	VEQ(pt_stats().workers_idle, 0);
	VEQ(pt_stats().workers_created, 4);
	VEQ(simk_close(pfd[0]), 0); /* cancels all four at their blocking point */
	for (int i = 0; i < 4; i++)
		VEQ(pt_result(cbs[i]), -ECANCELED);
	VEQ(simk_close(pfd[1]), 0);
}

Test(paio_pool, idle_workers_are_preferred)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(4, 4, 1);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_spread, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* The idle preference beats the round-robin cursor: three workers are
 * busy with blocking pipe reads (w0, w1, w2; the cursor is back at w0);
 * w1's read completes and w1 goes idle. The next request goes to w1, not
 * to w0's queue behind the read that still blocks. */
static void t_idle_beats_cursor(void *arg)
{
	(void)arg;
	vt_setup();
	int pfd[3][2];
	uaddr_t cbs[3];
	for (int i = 0; i < 3; i++) {
		pt_pipe(pfd[i]);
		cbs[i] = pt_cb(pfd[i][0], vt_ubuf(1), 1, 0);
		VEQ(simk_aio_read(cbs[i]), 0);
		vt_sleep(100); /* the worker takes it and blocks */
	}
	VEQ(pt_stats().workers_idle, 0);
	VEQ(vt_write_str(pfd[1][1], "z"), 1);
	VEQ(pt_result(cbs[1]), 1);
	vt_sleep(100);
	VEQ(pt_stats().workers_idle, 1);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t cb = pt_cb(fd, vt_ubuf(16), 16, 0);
	VEQ(simk_aio_write(cb), 0);
	VEQ(simk_aio_suspend(pt_list(&cb, 1), 1, pt_timespec(0, 10000000)), 0);
	VEQ(pt_result(cb), 16);
	VEQ(pt_get(cbs[0]).aio_state, AIOCB_INPROGRESS);
	VEQ(pt_get(cbs[2]).aio_state, AIOCB_INPROGRESS);
	VEQ(pt_stats().workers_created, 3);
	VEQ(vt_write_str(pfd[0][1], "z"), 1);
	VEQ(vt_write_str(pfd[2][1], "z"), 1);
	VEQ(pt_result(cbs[0]), 1);
	VEQ(pt_result(cbs[2]), 1);
	for (int i = 0; i < 3; i++) {
		VEQ(simk_close(pfd[i][0]), 0);
		VEQ(simk_close(pfd[i][1]), 0);
	}
	VEQ(simk_close(fd), 0);
}

Test(paio_pool, an_idle_worker_is_preferred_to_the_busy_one_at_the_cursor)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	pt_config(3, 3, 100);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_idle_beats_cursor, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A receiver that does not take its signals fills its queue (32 queued
 * signals per process): the notification worker waits and retries, the
 * I/O goes on, and every signal arrives once the receiver takes them. */
static void t_slow_receiver(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(sig_procmask(SIMK_SIG_BLOCK, 1ULL << (SIMK_SIGRTMIN - 1), NULL), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	uaddr_t buf = vt_ubuf(64);
	uaddr_t cbs[40];
	for (int i = 0; i < 40; i++) {
		cbs[i] = pt_cb(fd, buf, 64, 64 * i);
		pt_sigev(cbs[i], SIMK_SIGEV_SIGNAL, SIMK_SIGRTMIN, (uint64_t)(1000 + i), 0);
		VEQ(simk_aio_write(cbs[i]), 0);
	}
	for (int i = 0; i < 40; i++)
		VEQ(pt_result(cbs[i]), 64); /* the I/O did not wait for the receiver */
	vt_sleep(10 * 1000 * 1000);
	struct paio_stats st = pt_stats();
	VEQ(st.notes_sent, 32); /* the queue is full; the rest wait */
	VEQ(sig_procmask(SIMK_SIG_UNBLOCK, 1ULL << (SIMK_SIGRTMIN - 1), NULL), 0);
	bool seen[40] = {false};
	int got = 0;
	for (int round = 0; round < 100 && got < 40; round++) {
		struct siginfo_sim si;
		while (sig_dequeue(&si) != 0) {
			VEQ(si.signo, SIMK_SIGRTMIN);
			VEQ(si.code, SIMK_SI_ASYNCIO);
			int k = (int)si.value - 1000;
			VCHECK(k >= 0 && k < 40 && !seen[k]);
			seen[k] = true;
			got++;
		}
		vt_sleep(2 * 1000 * 1000);
	}
	VEQ(got, 40);
	VEQ(pt_stats().notes_sent, 40);
	VEQ(pt_stats().notes_dropped, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_pool, slow_signal_receiver_stalls_only_the_notification_worker)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_slow_receiver, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

/* A SIGEV_PORT notification to a full port stalls the notification
 * worker only: with a single I/O worker, the request queued behind the
 * one whose event cannot be posted completes as fast as it would with
 * an empty port (sending notifications inline, or making the I/O worker
 * wait for the sender, would delay it). Both events arrive once the
 * port is emptied. */
static uint64_t port_full_elapsed;

static void t_full_port_no_stall(void *arg)
{
	bool full = arg != NULL;
	vt_setup();
	int port = simk_port_create();
	VCHECK(port >= 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	struct simk_aio_port_notify pn = {port, 0, 0x5151};
	uaddr_t pnu = vt_ubytes(&pn, sizeof(pn));
	uaddr_t a = pt_cb(fd, vt_ubuf(8), 8, 0);
	uaddr_t b = pt_cb(fd, vt_ubuf(8), 8, 8);
	uaddr_t c = pt_cb(fd, vt_ubuf(8), 8, 16);
	pt_sigev(a, SIMK_SIGEV_PORT, 0, pnu, 0);
	pt_sigev(b, SIMK_SIGEV_PORT, 0, pnu, 0);
	uint64_t t0 = sim_now();
	VEQ(simk_aio_write(a), 0);
	VEQ(simk_aio_write(b), 0);
	VEQ(simk_aio_write(c), 0);
	VEQ(pt_result(c), 8);
	uint64_t elapsed = sim_now() - t0;
	if (!full) {
		port_full_elapsed = elapsed; /* the baseline */
	} else {
		VCHECK(elapsed <= port_full_elapsed + 1000);
	}
	VEQ(pt_result(a), 8);
	VEQ(pt_result(b), 8);
	VEQ(pt_stats().workers, 1);
	vt_sleep(1000000);
	VEQ(pt_stats().notes_sent, full ? 1 : 2); /* the second waits for room */
	uaddr_t pe = vt_ubuf(sizeof(port_event_t));
	for (int i = 0; i < 2; i++) {
		VEQ(simk_port_get(port, pe, pt_timespec(1, 0)), 0);
		port_event_t ev;
		vt_uget(pe, &ev, sizeof(ev));
		VEQ(ev.portev_source, PORT_SOURCE_AIO);
		VEQ(ev.portev_object, i == 0 ? a : b);
		VEQ(ev.portev_user, 0x5151);
	}
	vt_sleep(1000000);
	VEQ(pt_stats().notes_sent, 2);
	VEQ(pt_stats().notes_dropped, 0);
	VEQ(simk_close(fd), 0);
	VEQ(simk_close(port), 0);
}

Test(paio_pool, full_event_port_does_not_delay_the_next_request_of_the_io_worker)
{
	for (int full = 0; full < 2; full++) {
		struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
		pt_config(1, 1, 100);
		struct port_limits pl;
		port_limits_default(&pl);
		if (full)
			pl.events_max = 1;
		cr_assert_eq(port_limits_set(&pl), 0);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_full_port_no_stall,
				   full ? (void *)1 : NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

/* Two processes: separate pools, separate hashes (the same user address
 * names different aiocbs in each). */
static int fd_shared;

static void t_proc(void *arg)
{
	int tag = (int)(intptr_t)arg;
	if (tag == 0)
		vt_setup();
	else
		for (int i = 0; i < 1000 && !vfs_mounted(); i++)
			vt_sleep(1000);
	char path[8] = "/p0";
	path[2] = (char)('0' + tag);
	int fd = vt_open(path, O_CREAT | O_RDWR, 0644);
	uint8_t pat[256];
	vt_fill(pat, sizeof(pat), (uint32_t)tag, 0);
	uaddr_t cb = pt_cb(fd, vt_ubytes(pat, sizeof(pat)), sizeof(pat), 0);
	VEQ(simk_aio_write(cb), 0);
	VEQ(pt_result(cb), 256);
	VEQ(pt_stats().workers, 4);
	VEQ(pt_stats().submitted, 1);
	uint8_t got[256];
	VEQ(vt_pread(fd, got, sizeof(got), 0), 256);
	VCHECK(memcmp(got, pat, sizeof(got)) == 0);
	VEQ(simk_close(fd), 0);
	(void)fd_shared;
}

Test(paio_pool, each_process_has_its_own_pool)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "a"), "a", t_proc, (void *)0);
	simk_thread_create(simk_proc_create(s, "b"), "b", t_proc, (void *)1);
	PT_RUN_PASS(s);
	struct paio_stats st;
	paio_get_stats(NULL, &st);
	cr_assert_eq(st.workers_created, 8);
	cr_assert_eq(st.submitted, 2);
	cr_assert_eq(st.workers, 0);
	simk_destroy(s);
}
