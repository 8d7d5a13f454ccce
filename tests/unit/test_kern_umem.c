/* kern/umem: simulated user memory, copyin/copyout bounds, fork, release. */
#include "kern_test.h"

#include "kern/umem.h"
#include "kern/waitq.h"
#include "sim/fault.h"

static uaddr_t a1, a2;
static int r[16];
static char buf[8192];

static void bounds_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, 100);  /* one page */
	a2 = umem_alloc(p, 5000); /* two pages */
	memset(buf, 'x', sizeof(buf));
	r[0] = copyout(buf, a1, UMEM_PAGE);	       /* the whole page */
	r[1] = copyout(buf, a1 + 4000, 200);	       /* runs into the guard page */
	r[2] = copyin(0x5000, buf, 1);		       /* below every region */
	r[3] = copyin(0, buf, 8);		       /* NULL */
	r[4] = copyin(a2 + 2 * UMEM_PAGE, buf, 1);     /* just past a2 */
	r[5] = copyin(a2 + 2 * UMEM_PAGE - 1, buf, 1); /* last byte of a2 */
	r[6] = copyin(UINT64_MAX - 4, buf, 16);	       /* wraps around */
	r[7] = copyin(a2 - 1, buf, 2);		       /* guard page, then a2 */
	r[8] = copyout(buf, a1, 0);		       /* empty copy */
	r[9] = umem_free(p, a1 + 1);		       /* not a region start */
	r[10] = umem_free(p, a1);
	r[11] = copyin(a1, buf, 1); /* freed */
	r[12] = umem_free(p, a1);   /* freed twice */
}

Test(umem, copies_fault_on_any_range_not_fully_owned)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", bounds_user, NULL);
	KT_RUN_PASS(s); /* and nothing leaks: umem is released at exit */
	cr_assert_eq(a1, 0x10000);
	cr_assert_eq(a2, 0x10000 + 2 * UMEM_PAGE, "one page, then a guard page: %#llx",
		     (unsigned long long)a2);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], -EFAULT);
	cr_assert_eq(r[2], -EFAULT);
	cr_assert_eq(r[3], -EFAULT);
	cr_assert_eq(r[4], -EFAULT);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], -EFAULT);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], -EINVAL);
	cr_assert_eq(r[10], 0);
	cr_assert_eq(r[11], -EFAULT);
	cr_assert_eq(r[12], -EINVAL);
	simk_destroy(s);
}

static struct waitq wq;
static uaddr_t other_addr;

static void owner(void *arg)
{
	(void)arg;
	other_addr = umem_alloc(sim_proc_current(), 64);
	copyout("secret", other_addr, 7);
	waitq_sleep(&wq, false, false, 100);
}

static char peek[8];

static void intruder(void *arg)
{
	(void)arg;
	sim_yield(); /* owner allocated */
	r[0] = copyin(other_addr, peek, 7);
	r[1] = copyin_proc(sim_proc_by_pid(1), other_addr, peek, 7);
}

Test(umem, another_process_memory_is_not_ours)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	waitq_init(&wq, "wq");
	simk_thread_create(simk_proc_create(s, "owner"), "t", owner, NULL);
	simk_thread_create(simk_proc_create(s, "intruder"), "t", intruder, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(r[0], -EFAULT);
	cr_assert_eq(r[1], 0, "the explicit-process variant reads it");
	cr_assert_str_eq(peek, "secret");
	simk_destroy(s);
}

static void fork_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, 10);
	copyout("hello", a1, 6);
	struct simk_proc *child = sim_proc_create_internal("copy", p);
	r[0] = umem_fork(p, child);
	char *view = umem_map_kernel(child, a1, 6);
	r[1] = view != NULL && strcmp(view, "hello") == 0;
	copyout_proc(child, "HELLO", a1, 6);
	copyin(a1, buf, 6);
	r[2] = strcmp(buf, "hello") == 0; /* the parent's copy is separate */
	a2 = umem_alloc(child, 10);	  /* the child continues after a1 */
	umem_release(child);
	r[3] = umem_map_kernel(child, a1, 1) == NULL;
}

Test(umem, fork_copies_at_the_same_addresses)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", fork_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(r[0], 0);
	cr_assert(r[1]);
	cr_assert(r[2]);
	cr_assert_eq(a2, a1 + 2 * UMEM_PAGE);
	cr_assert(r[3]);
	simk_destroy(s);
}

static void irq_less_copy(void *arg)
{
	(void)arg;
	a1 = umem_alloc(sim_proc_current(), 10);
}

Test(umem, memory_is_released_when_the_process_exits)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "t", irq_less_copy, NULL);
	KT_RUN_PASS(s);
	cr_assert_neq(a1, 0);
	cr_assert_null(p->umem);
	simk_destroy(s);
}

static void enomem_user(void *arg)
{
	(void)arg;
	a1 = umem_alloc(sim_proc_current(), 10);
	r[0] = umem_alloc(sim_proc_current(), 0) == 0;
}

Test(umem, alloc_returns_zero_under_enomem_and_for_zero_length)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	char err[128];
	cr_assert_eq(sim_fault_enable("kmem/alloc/enomem:p=1", err, sizeof(err)), 0, "%s", err);
	a1 = 1;
	simk_thread_create(simk_proc_create(s, "p"), "t", enomem_user, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(a1, 0);
	cr_assert(r[0]);
	simk_destroy(s);
}

/* Found by fuzzing: a scenario that made thousands of regions (an iocb per
 * loop turn) paid a list walk per access. Lookups now go through a sorted
 * index with holes for freed regions; this pins its answers and its cost. */
#define MANY_REGIONS 20000
static uaddr_t many[MANY_REGIONS];
static int many_bad;

static void many_regions_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	uint64_t v;
	for (int i = 0; i < MANY_REGIONS; i++) {
		many[i] = umem_alloc(p, 8);
		v = (uint64_t)i;
		if (many[i] == 0 || copyout(&v, many[i], sizeof(v)) != 0)
			many_bad++;
	}
	/* free every third region (holes, and compactions of the index) */
	for (int i = 0; i < MANY_REGIONS; i += 3)
		if (umem_free(p, many[i]) != 0)
			many_bad++;
	/* each access, many times: the first region to the last */
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < MANY_REGIONS; i++) {
			int rc = copyin(many[i], &v, sizeof(v));
			bool live = i % 3 != 0;
			if (live ? (rc != 0 || v != (uint64_t)i) : rc != -EFAULT)
				many_bad++;
			/* the guard page after each region is never ours */
			if (copyin(many[i] + UMEM_PAGE, &v, 1) != -EFAULT)
				many_bad++;
		}
	}
	/* a freed start is not a region any more; the live ones still are */
	if (umem_free(p, many[0]) != -EINVAL || umem_free(p, many[1]) != 0)
		many_bad++;
	if (copyin(many[1], &v, 1) != -EFAULT || copyin(many[2], &v, 1) != 0)
		many_bad++;
}

Test(umem, thousands_of_regions_are_found_by_address_quickly, .timeout = 20)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	many_bad = 0;
	simk_thread_create(simk_proc_create(s, "p"), "t", many_regions_user, NULL);
	KT_RUN_PASS(s); /* the index is released with the space: no leak */
	cr_assert_eq(many_bad, 0, "%d wrong answers", many_bad);
	simk_destroy(s);
}

/* Found while fuzzing: fork copies user memory, so four 60 MB buffers and a
 * loop of forks took 10 GB of the host. The run's user memory is bounded:
 * 1 GiB over every process together. */
#define BIG (200u << 20)
static uaddr_t big[6];
static uaddr_t big_again;
static int big_fork;

static void run_budget_user(void *arg)
{
	(void)arg;
	struct simk_proc *ps[6];
	for (int i = 0; i < 6; i++) {
		static const char *const names[] = {"p0", "p1", "p2", "p3", "p4", "p5"};
		ps[i] = sim_proc_create_internal(names[i], NULL);
		big[i] = umem_alloc(ps[i], BIG); /* the sixth is past 1 GiB */
	}
	struct simk_proc *child = sim_proc_create_internal("child", NULL);
	big_fork = umem_fork(ps[0], child); /* 200 MB more: refused */
	umem_release(ps[4]);
	big_again = umem_alloc(ps[5], BIG); /* room again */
	for (int i = 0; i < 6; i++)
		umem_release(ps[i]);
	umem_release(child);
}

Test(umem, user_memory_of_the_whole_run_is_bounded)
{
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", run_budget_user, NULL);
	KT_RUN_PASS(s);
	for (int i = 0; i < 5; i++)
		cr_assert_neq(big[i], 0, "process %d of 5 gets its 200 MB", i);
	cr_assert_eq(big[5], 0, "the sixth 200 MB is past the run's 1 GiB");
	cr_assert_eq(big_fork, -ENOMEM);
	cr_assert_neq(big_again, 0, "freed memory counts no more");
	simk_destroy(s);
}
