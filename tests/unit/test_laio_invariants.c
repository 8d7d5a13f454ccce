/* Linux AIO: the end-of-run checks themselves fail a run that breaks an
 * invariant (requests that never ended, aio_nr not back to 0, a leaked
 * context), so that every other test's silence means something. */
#include "laio_test.h"
#include "syscalls/linux_aio/laio_priv.h"

static void run_expect_leak(lt_body_fn body, const char *needle)
{
	vt_config_default();
	lt_body_cur = body;
	struct simk *s = vt_sim(1);
	struct simk_proc *p = simk_proc_create(s, "app");
	simk_thread_create(p, "main", lt_main, NULL);
	enum simk_outcome o = simk_run(s);
	cr_assert_neq(o, SIMK_PASS, "the run passed despite a broken invariant");
	cr_assert(strstr(simk_failure_reason(s), needle) != NULL, "reason: %s",
		  simk_failure_reason(s));
	simk_destroy(s);
}

static void unended_body(void)
{
	laio_sys()->st.submitted++; /* a request that never ends */
}

Test(laio_invariants, a_request_that_never_ended_fails_the_run)
{
	run_expect_leak(unended_body, "submitted but");
}

static void aio_nr_body(void)
{
	laio_sys()->aio_nr += 3;
}

Test(laio_invariants, aio_nr_not_back_to_zero_fails_the_run)
{
	run_expect_leak(aio_nr_body, "aio_nr is 3");
}

static void ended_twice_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(lt_submit1(ctx, lt_iocb(IOCB_CMD_PWRITE, fd, vt_ubytes("a", 1), 1, 0, 0)), 1);
	/* find the (completed, freed) request's accounting and end one more */
	struct laio_req fake;
	memset(&fake, 0, sizeof(fake));
	fake.ended = END_EVENT;
	laio_req_end(&fake, END_TORN); /* a second ending: a kernel assertion */
}

Test(laio_invariants, a_second_ending_is_a_kernel_assertion)
{
	run_expect_leak(ended_twice_body, "ended twice");
}

static void ok_body(void)
{
	aio_context_t ctx = lt_setup(4);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(lt_submit1(ctx, lt_iocb(IOCB_CMD_PWRITE, fd, vt_ubytes("a", 1), 1, 0, 0)), 1);
	/* neither io_getevents nor io_destroy nor close: exit does it all */
}

Test(laio_invariants, leaving_everything_to_process_exit_passes)
{
	lt_run(ok_body);
}
