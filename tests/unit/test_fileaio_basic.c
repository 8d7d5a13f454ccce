/* examples/fileaio: batches, flush, results, handles, destroying. */
#include "paio_test.h"

#include "examples/fileaio/fileaio.h"

static void t_batch(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/data", O_CREAT | O_RDWR, 0644);
	struct faio_ctx *ctx;
	VEQ(faio_ctx_create(&ctx, 0), FAIO_OK);
	enum { NW = 6 };
	uint8_t pat[NW * 1024];
	vt_fill(pat, sizeof(pat), 51, 0);
	uaddr_t src = vt_ubytes(pat, sizeof(pat));
	struct faio_req *w[NW + 1];
	int tags[NW + 1];
	for (int i = 0; i < NW; i++) {
		VEQ(faio_req_create(&w[i]), FAIO_OK);
		VEQ(faio_req_state(w[i]), FAIO_COMPLETED);
		tags[i] = i;
		VEQ(faio_req_prepare_write(w[i], fd, 1024 * i, src + 1024 * i, 1024, &tags[i]),
		    FAIO_OK);
	}
	VEQ(faio_req_create(&w[NW]), FAIO_OK);
	tags[NW] = 99;
	VEQ(faio_req_prepare_flush(w[NW], fd, &tags[NW]), FAIO_OK);
	/* six writes go in one lio_listio, the flush through aio_fsync */
	VEQ(faio_ctx_submit(ctx, w, NW + 1), FAIO_OK);
	VEQ(faio_ctx_pending(ctx), NW + 1);
	for (int i = 0; i <= NW; i++)
		VEQ(faio_req_state(w[i]), FAIO_SUBMITTED);
	VEQ(faio_req_get_rc(w[0], NULL), FAIO_ERR_IN_PROGRESS);
	VEQ(faio_req_destroy(w[0]), FAIO_ERR_IN_PROGRESS);
	VEQ(faio_ctx_destroy(ctx), FAIO_ERR_BUSY);
	struct faio_req *out[8];
	uint32_t got = 0;
	VEQ(faio_ctx_wait(ctx, NW + 1, FAIO_WAIT_FOREVER, out, 8, &got), FAIO_OK);
	VEQ(got, NW + 1);
	bool seen[NW + 1] = {false};
	for (uint32_t k = 0; k < got; k++) {
		int *tag = faio_req_get_user(out[k]);
		int t = *tag == 99 ? NW : *tag;
		VCHECK(!seen[t]);
		seen[t] = true;
		size_t n = 12345;
		VEQ(faio_req_get_rc(out[k], &n), FAIO_OK);
		VEQ(n, t == NW ? 0 : 1024);
	}
	VEQ(faio_ctx_pending(ctx), 0);
	/* read everything back in one batch of reads, reusing the requests */
	uaddr_t dst = vt_ubuf(sizeof(pat));
	for (int i = 0; i < NW; i++)
		VEQ(faio_req_prepare_read(w[i], fd, 1024 * i, dst + 1024 * i, 1024, NULL), FAIO_OK);
	VEQ(faio_ctx_submit(ctx, w, NW), FAIO_OK);
	VEQ(faio_ctx_wait(ctx, NW, FAIO_WAIT_FOREVER, out, 8, &got), FAIO_OK);
	VEQ(got, NW);
	uint8_t back[sizeof(pat)];
	vt_uget(dst, back, sizeof(back));
	VCHECK(memcmp(back, pat, sizeof(pat)) == 0);
	/* nothing is left in the kernel: every result was taken */
	VEQ(pt_stats().requests_live, 0);
	VEQ(faio_ctx_wait(ctx, 1, 0, out, 8, &got), FAIO_ERR_NO_REQUEST);
	for (int i = 0; i <= NW; i++)
		VEQ(faio_req_destroy(w[i]), FAIO_OK);
	VEQ(faio_ctx_destroy(ctx), FAIO_OK);
	VEQ(simk_close(fd), 0);
}

Test(fileaio, batch_of_writes_and_a_flush_then_reads_back)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_batch, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}

Test(fileaio, batches_under_random_schedules)
{
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct simk *s = pt_sim(seed, seed % 2 ? SIMK_POLICY_RANDOM : SIMK_POLICY_PCT);
		simk_thread_create(simk_proc_create(s, "p"), "main", t_batch, NULL);
		PT_RUN_PASS(s);
		simk_destroy(s);
	}
}

static void t_handles(void *arg)
{
	(void)arg;
	vt_setup();
	struct faio_ctx *ctx;
	struct faio_req *r;
	VEQ(faio_ctx_create(NULL, 0), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_ctx_create(&ctx, 0x80), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_ctx_create(&ctx, 0), FAIO_OK);
	VEQ(faio_req_create(&r), FAIO_OK);
	VEQ(faio_req_prepare_read(r, -1, 0, 0, 16, NULL), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_req_prepare_read(r, 3, -1, 0, 16, NULL), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_req_get_rc(r, NULL), FAIO_OK); /* a new request counts as completed */
	VEQ(faio_req_prepare_read(r, 3, 0, vt_ubuf(16), 16, NULL), FAIO_OK);
	VEQ(faio_req_get_rc(r, NULL), FAIO_ERR_NOT_SUBMITTED);
	VEQ(faio_req_cancel(r), FAIO_ERR_NOT_SUBMITTED);
	VEQ(faio_ctx_submit(ctx, NULL, 1), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_ctx_submit(ctx, &r, 0), FAIO_ERR_INVALID_PARAMETER);
	struct faio_req *bogus = (struct faio_req *)&ctx; /* not a request */
	VEQ(faio_ctx_submit(ctx, &bogus, 1), FAIO_ERR_INVALID_HANDLE);
	uint32_t got = 7;
	struct faio_req *out[1];
	VEQ(faio_ctx_wait(ctx, 1, 0, out, 1, &got), FAIO_ERR_NO_REQUEST);
	VEQ(got, 0);
	VEQ(faio_ctx_wait(ctx, 2, 0, out, 1, &got), FAIO_ERR_INVALID_PARAMETER);
	VEQ(faio_ctx_wait(NULL, 1, 0, out, 1, &got), FAIO_ERR_INVALID_HANDLE);
	/* a context made to wait without pending requests times out */
	struct faio_ctx *idle;
	VEQ(faio_ctx_create(&idle, FAIO_CTX_WAIT_WITHOUT_PENDING), FAIO_OK);
	uint64_t t0 = sim_now();
	VEQ(faio_ctx_wait(idle, 1, 3000000, out, 1, &got), FAIO_ERR_TIMEOUT);
	VEQ(sim_now() - t0, 3000000);
	VEQ(faio_ctx_destroy(idle), FAIO_OK);
	VEQ(faio_req_destroy(r), FAIO_OK);
	VEQ(faio_req_destroy(NULL), FAIO_OK);
	VEQ(faio_ctx_destroy(ctx), FAIO_OK);
	VEQ(faio_ctx_destroy(NULL), FAIO_OK);
}

Test(fileaio, invalid_handles_and_parameters)
{
	struct simk *s = pt_sim(1, SIMK_POLICY_FIFO);
	simk_thread_create(simk_proc_create(s, "p"), "main", t_handles, NULL);
	PT_RUN_PASS(s);
	simk_destroy(s);
}
