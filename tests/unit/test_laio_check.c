/* Linux AIO: laio_check() passes on busy contexts and catches each kind of
 * corruption of a context, its ring accounting and the run's counters. */
#include "laio_test.h"

#include "syscalls/linux_aio/laio_priv.h"

static aio_context_t ctx_id;
static int fds[2];

/* A context of 4 events with one read pending on an empty pipe; returns
 * the context (the lookup's reference is dropped: the list keeps it). */
static struct laio_ctx *busy_ctx(void)
{
	ctx_id = lt_setup(4);
	lt_pipe(fds, 0);
	uaddr_t buf = vt_ubuf(8);
	VEQ(lt_submit1(ctx_id, lt_iocb(IOCB_CMD_PREAD, fds[0], buf, 8, 0, 7)), 1);
	vt_check_all(); /* consistent: no false alarm */
	struct laio_ctx *ctx = laio_lookup_ctx(sim_proc_current(), ctx_id);
	VCHECK(ctx != NULL);
	laio_put_ctx(ctx);
	return ctx;
}

static void sane_body(void)
{
	busy_ctx();
	uaddr_t b = vt_ubytes("x", 1);
	VEQ(sys_write(fds[1], b, 1), 1);
	struct io_event ev;
	VEQ(lt_getevents(ctx_id, 1, 1, &ev, -1), 1);
	vt_check_all();
	VEQ(lt_destroy(ctx_id), 0);
	vt_check_all();
}

Test(laio_check, passes_on_busy_and_destroyed_contexts)
{
	lt_run(sane_body);
}

static void corrupt(void (*how)(struct laio_ctx *ctx))
{
	vt_setup();
	how(busy_ctx());
	vt_check_all();
}

static void (*how_cur)(struct laio_ctx *ctx);
static void corrupt_main(void *arg)
{
	(void)arg;
	corrupt(how_cur);
}

static void expect(void (*how)(struct laio_ctx *ctx), const char *needle)
{
	how_cur = how;
	vt_run_expect_check_failure(corrupt_main, needle);
}

static void extra_slot(struct laio_ctx *ctx)
{
	ctx->reqs_active++;
}

Test(laio_check, catches_reqs_active_drifting_from_reqs_live)
{
	expect(extra_slot, "2 requests hold slots, reqs_live 1");
}

static void lost_slot(struct laio_ctx *ctx)
{
	ctx->reqs_active = 0;
}

Test(laio_check, catches_an_active_request_without_a_slot)
{
	expect(lost_slot, "active list (context 1) longer than its count 0");
}

static void aio_nr_drift(struct laio_ctx *ctx)
{
	(void)ctx;
	laio_sys()->aio_nr += 3;
}

Test(laio_check, catches_aio_nr_drifting_from_the_contexts)
{
	expect(aio_nr_drift, "sizes add up to 4, aio_nr 7");
}

static void tail_out(struct laio_ctx *ctx)
{
	ctx->tail = ctx->ring_nr;
}

Test(laio_check, catches_a_tail_outside_the_ring)
{
	expect(tail_out, "laio_check: context 1 tail");
}

static void idle_on_run_list(struct laio_ctx *ctx)
{
	struct laio_req *req = list_entry(ctx->active_reqs.next, struct laio_req, link);
	list_push_back(&ctx->run_list, &req->run_link); /* queued, but says idle */
}

Test(laio_check, catches_an_idle_request_on_the_run_list)
{
	expect(idle_on_run_list, "on the run list in state 0");
}
