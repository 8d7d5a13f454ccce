/* POSIX AIO: reads, writes, aio_error / aio_return, the hash, the pool. */
#include "paio_test.h"

static void t_write_read(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	uint8_t pat[3000];
	vt_fill(pat, sizeof(pat), 7, 0);
	uaddr_t wb = vt_ubytes(pat, sizeof(pat));
	uaddr_t wcb = pt_cb(fd, wb, sizeof(pat), 100);
	VEQ(simk_aio_write(wcb), 0);
	VEQ(pt_wait(wcb), 0);
	struct simk_aiocb c = pt_get(wcb);
	VEQ(c.aio_resultp.aio_return, 3000);
	VEQ(c.aio_resultp.aio_errno, 0);
	VEQ(c.aio_state, AIOCB_DONE);
	VEQ(simk_aio_return(wcb), 3000);
	VEQ(simk_aio_return(wcb), -EINVAL); /* once */
	VEQ(simk_aio_error(wcb), -EINVAL);
	VEQ(pt_get(wcb).aio_state, AIOCB_RETURNED);
	/* the file offset did not move (pwrite semantics) */
	VEQ(simk_lseek(fd, 0, SIMK_SEEK_CUR), 0);
	uaddr_t rb = vt_ubuf(4096);
	uaddr_t rcb = pt_cb(fd, rb, 4096, 0);
	VEQ(simk_aio_read(rcb), 0);
	VEQ(pt_result(rcb), 3100); /* up to the end of file */
	uint8_t got[3100];
	vt_uget(rb, got, sizeof(got));
	for (int i = 0; i < 100; i++)
		VEQ(got[i], 0);
	VCHECK(memcmp(got + 100, pat, sizeof(pat)) == 0);
	struct paio_stats st = pt_stats();
	VEQ(st.workers, 4); /* min_workers started with the first request */
	VEQ(st.notify_workers, 1);
	VEQ(st.submitted, 2);
	VEQ(st.ended, 2);
	VEQ(st.requests_live, 0);
	VEQ(simk_close(fd), 0);
}

Test(paio_basic, write_then_read_back_with_error_and_return_once)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_write_read, NULL);
	PT_RUN_PASS(s);
	struct paio_stats st;
	paio_get_stats(NULL, &st);
	cr_assert_eq(st.workers, 0, "workers left: %d", st.workers);
	cr_assert_eq(st.submitted, 2);
	simk_destroy(s);
}
