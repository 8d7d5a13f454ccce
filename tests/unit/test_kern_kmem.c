/* kern/kmem: leak detection by type, the enomem fault point. */
#include "kern_test.h"

#include "kern/kmem.h"
#include "sim/fault.h"

static KMEM_TYPE(kmt_leaky, "leaky_widget");
static KMEM_TYPE(kmt_tidy, "tidy_widget");

static void leaker(void *arg)
{
	(void)arg;
	void *keep = kmem_zalloc(&kmt_leaky, 32);
	void *freed = kmem_zalloc(&kmt_tidy, 32);
	kmem_free(&kmt_tidy, freed);
	(void)keep; /* never freed */
}

Test(kmem, run_that_leaks_fails_naming_the_type)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", leaker, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "leaky_widget=1");
	cr_assert_null(strstr(simk_failure_reason(s), "tidy_widget"));
	simk_destroy(s); /* and the host gets the block back (asan) */
}

static void tidy(void *arg)
{
	(void)arg;
	void *p = kmem_zalloc(&kmt_tidy, 32);
	kmem_free(&kmt_tidy, p);
}

Test(kmem, run_that_frees_everything_passes)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", tidy, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(kmem_live_total(), 0);
	cr_assert_geq(kmem_allocs_total(), 1);
	simk_destroy(s);
}

static void *got[3];

static void alloc_under_fault(void *arg)
{
	(void)arg;
	got[0] = kmem_zalloc(&kmt_tidy, 16);
	got[1] = kmem_zalloc_nofail(&kmt_tidy, 16);
	got[2] = kmem_alloc(&kmt_tidy, 16);
	kmem_free(&kmt_tidy, got[0]);
	kmem_free(&kmt_tidy, got[1]);
	kmem_free(&kmt_tidy, got[2]);
}

Test(kmem, enomem_fault_makes_zalloc_return_null)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	char err[128];
	cr_assert_eq(sim_fault_enable("kmem/alloc/enomem:p=1", err, sizeof(err)), 0, "%s", err);
	simk_thread_create(simk_proc_create(s, "p"), "t", alloc_under_fault, NULL);
	KT_RUN_PASS(s);
	cr_assert_null(got[0]);
	cr_assert_not_null(got[1], "the nofail variant never fails");
	cr_assert_null(got[2]);
	cr_assert_eq(sim_fault_injected("kmem/alloc/enomem"), 2);
	simk_destroy(s);
}

Test(kmem, nth_enomem_fails_only_that_allocation)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	char err[128];
	cr_assert_eq(sim_fault_enable("kmem/alloc/enomem:nth=2", err, sizeof(err)), 0, "%s", err);
	simk_thread_create(simk_proc_create(s, "p"), "t", alloc_under_fault, NULL);
	KT_RUN_PASS(s);
	cr_assert_not_null(got[0]);
	cr_assert_not_null(got[1]);
	cr_assert_null(got[2]);
	simk_destroy(s);
}
