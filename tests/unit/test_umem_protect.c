/*
 * kern/umem: page protections (umem_protect), the checked views
 * (umem_map_read / umem_map_write / umem_map_kernel), copies over
 * protected pages, and fork inheriting protections.
 */
#include "kern_test.h"

#include "kern/umem.h"
#include "sim/fault.h"

#define PG UMEM_PAGE

static int r[32];
static uaddr_t a1, a2;
static char buf[4 * 4096];

/* Runs fn in a fresh process "p"; asserts the run passed (no leak). */
static void run_user(simk_thread_fn fn)
{
	memset(r, 0x55, sizeof(r));
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "p"), "t", fn, NULL);
	KT_RUN_PASS(s);
	simk_destroy(s);
}

/* ---- the errors of umem_protect ---- */

static void errno_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	r[0] = umem_protect(p, 0x10000, PG, UMEM_PROT_READ); /* no user memory yet */
	a1 = umem_alloc(p, 2 * PG);
	a2 = umem_alloc(p, PG);
	r[1] = umem_protect(p, a1 + 1, PG, UMEM_PROT_READ); /* not aligned */
	r[2] = umem_protect(p, a1 + 1, 0, UMEM_PROT_READ);  /* alignment first */
	r[3] = umem_protect(p, 0x5000, 0, 0x40);	    /* len 0: nothing */
	r[4] = umem_protect(p, a1, PG, 4);		    /* PROT_EXEC-like bit */
	r[5] = umem_protect(p, a1, PG, -1);		    /* every bit */
	r[6] = umem_protect(p, UINT64_MAX - PG + 1, 2 * PG, UMEM_PROT_READ); /* wraps */
	r[7] = umem_protect(p, a1, SIZE_MAX, UMEM_PROT_READ);		     /* rounding wraps */
	r[8] = umem_protect(p, 0x5000, PG, UMEM_PROT_READ);	  /* below every region */
	r[9] = umem_protect(p, a1, 3 * PG, UMEM_PROT_READ);	  /* runs into the guard */
	r[10] = umem_protect(p, a1, 4 * PG, UMEM_PROT_READ);	  /* guard, then a2 */
	r[11] = umem_protect(p, a1 + 2 * PG, PG, UMEM_PROT_READ); /* the guard page */
	/* none of the failures changed anything: a1 is still writable */
	memset(buf, 'w', sizeof(buf));
	r[12] = copyout(buf, a1, 2 * PG);
	r[13] = copyout(buf, a2, PG);
	r[14] = umem_protect(p, a2, PG, UMEM_PROT_NONE);
	r[15] = umem_protect(p, a1, 1, UMEM_PROT_READ | UMEM_PROT_WRITE); /* no-op */
	r[16] = umem_free(p, a2);
	r[17] = umem_protect(p, a2, PG, UMEM_PROT_READ); /* freed */
}

Test(umem_protect, errors_follow_mprotect)
{
	run_user(errno_user);
	cr_assert_eq(r[0], -ENOMEM, "a process without user memory: %d", r[0]);
	cr_assert_eq(r[1], -EINVAL);
	cr_assert_eq(r[2], -EINVAL, "alignment is checked before the length");
	cr_assert_eq(r[3], 0, "len 0 succeeds before prot and range are looked at");
	cr_assert_eq(r[4], -EINVAL);
	cr_assert_eq(r[5], -EINVAL);
	cr_assert_eq(r[6], -ENOMEM, "a range that wraps: %d", r[6]);
	cr_assert_eq(r[7], -ENOMEM, "a length whose rounding wraps: %d", r[7]);
	cr_assert_eq(r[8], -ENOMEM);
	cr_assert_eq(r[9], -ENOMEM);
	cr_assert_eq(r[10], -ENOMEM);
	cr_assert_eq(r[11], -ENOMEM);
	cr_assert_eq(r[12], 0, "a failed protect changed nothing");
	cr_assert_eq(r[13], 0);
	cr_assert_eq(r[14], 0, "PROT_NONE is allowed");
	cr_assert_eq(r[15], 0);
	cr_assert_eq(r[16], 0, "a protected region is freed like any other");
	cr_assert_eq(r[17], -ENOMEM);
}

static void bad_prot_before_range_user(void *arg)
{
	(void)arg;
	/* mprotect validates prot before it looks for the mapping */
	r[0] = umem_protect(sim_proc_current(), 0x5000, PG, 8);
}

Test(umem_protect, bad_prot_is_einval_even_on_an_unmapped_range)
{
	run_user(bad_prot_before_range_user);
	cr_assert_eq(r[0], -EINVAL);
}

/* ---- what each protection allows ---- */

static void prot_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, PG);
	char c = 'a';
	int i = 0;
	static const int prots[] = {UMEM_PROT_NONE, UMEM_PROT_READ, UMEM_PROT_WRITE,
				    UMEM_PROT_READ | UMEM_PROT_WRITE};
	for (int k = 0; k < 4; k++) {
		r[i++] = umem_protect(p, a1, PG, prots[k]);
		r[i++] = copyin(a1, &c, 1);
		r[i++] = copyout("x", a1, 1);
		r[i++] = copyin_proc(p, a1, &c, 1);
		r[i++] = copyout_proc(p, "y", a1, 1);
		r[i++] = (umem_map_read(p, a1, 1) != NULL) |
			 (umem_map_write(p, a1, 1) != NULL) << 1 |
			 (umem_map_kernel(p, a1, 1) != NULL) << 2;
	}
	r[i++] = copyout(buf, a1, 0); /* empty copies never fault */
	r[i++] = umem_protect(p, a1, PG, UMEM_PROT_NONE);
	r[i++] = copyin(a1, buf, 0);
}

Test(umem_protect, each_protection_allows_its_direction_only)
{
	run_user(prot_user);
	/* {protect, copyin, copyout, copyin_proc, copyout_proc, views} */
	const int want[4][6] = {
	    {0, -EFAULT, -EFAULT, -EFAULT, -EFAULT, 4}, /* NONE: only the kernel view */
	    {0, 0, -EFAULT, 0, -EFAULT, 1 | 4},		/* READ */
	    {0, -EFAULT, 0, -EFAULT, 0, 2 | 4},		/* WRITE: not readable (see umem.h) */
	    {0, 0, 0, 0, 0, 1 | 2 | 4},			/* READ | WRITE */
	};
	for (int k = 0; k < 4; k++)
		for (int j = 0; j < 6; j++)
			cr_assert_eq(r[k * 6 + j], want[k][j], "prot #%d, step %d: %d, expected %d",
				     k, j, r[k * 6 + j], want[k][j]);
	cr_assert_eq(r[24], 0);
	cr_assert_eq(r[25], 0);
	cr_assert_eq(r[26], 0);
}

/* ---- part of a region ---- */

static char view_failed[3 * 4096], view_after[3 * 4096];

static void partial_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, 3 * PG);
	memset(buf, 'a', sizeof(buf));
	r[0] = copyout(buf, a1, 3 * PG);
	/* the middle page only, with a length that is not a page multiple */
	r[1] = umem_protect(p, a1 + PG, 10, UMEM_PROT_READ);
	memset(buf, 'c', sizeof(buf));
	r[2] = copyout(buf, a1 + PG - 8, 16);	      /* spans page 0 and page 1 */
	r[3] = copyout(buf, a1 + 2 * PG - 8, 16);     /* spans page 1 and page 2 */
	r[4] = copyout(buf, a1, 3 * PG);	      /* the whole region */
	r[5] = copyout(buf, a1 + PG + PG - 1, 1);     /* last byte of page 1 */
	r[6] = umem_map_write(p, a1, 2 * PG) == NULL; /* the view refuses too */
	memcpy(view_failed, umem_map_kernel(p, a1, 3 * PG), 3 * PG);
	memset(buf, 'b', sizeof(buf));
	r[7] = copyout(buf, a1, PG);	      /* first page: fine */
	r[8] = copyout(buf, a1 + 2 * PG, PG); /* last page: fine */
	r[9] = copyin(a1 + PG - 8, buf, 16);  /* reading across is fine */
	r[10] = umem_map_write(p, a1, PG) != NULL;
	memcpy(view_after, umem_map_kernel(p, a1, 3 * PG), 3 * PG);
	/* restoring makes the whole region writable again */
	r[11] = umem_protect(p, a1, 3 * PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[12] = copyout(buf, a1, 3 * PG);
}

/* Decision: a copy is all or nothing. Linux's copy_to_user stores the
 * bytes before the faulting page; ours checks the whole range first. */
Test(umem_protect, a_copy_over_a_readonly_page_fails_without_writing_any_byte)
{
	run_user(partial_user);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], -EFAULT);
	cr_assert_eq(r[3], -EFAULT);
	cr_assert_eq(r[4], -EFAULT);
	cr_assert_eq(r[5], -EFAULT, "len 10 protected the whole page");
	cr_assert(r[6]);
	for (size_t i = 0; i < 3 * PG; i++)
		cr_assert_eq(view_failed[i], 'a', "byte %zu was written by a failed copy", i);
	cr_assert_eq(r[7], 0);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 0);
	cr_assert(r[10]);
	for (size_t i = 0; i < 3 * PG; i++) {
		char want = i / PG == 1 ? 'a' : 'b';
		cr_assert_eq(view_after[i], want, "byte %zu is %c, expected %c", i, view_after[i],
			     want);
	}
	cr_assert_eq(r[11], 0);
	cr_assert_eq(r[12], 0);
}

static void count_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, 4 * PG);
	/* overlapping changes: the region's count of restricted pages must
	 * follow, or the fast path would skip a page that is still read-only */
	r[0] = umem_protect(p, a1, 2 * PG, UMEM_PROT_READ);
	r[1] = umem_protect(p, a1 + PG, 2 * PG, UMEM_PROT_NONE);
	r[2] = umem_protect(p, a1, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[3] = umem_protect(p, a1 + 3 * PG, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[4] = copyout("x", a1, 1);
	r[5] = copyout("x", a1 + PG, 1);
	r[6] = copyout("x", a1 + 2 * PG, 1);
	r[7] = copyout("x", a1 + 3 * PG, 1);
	r[8] = umem_protect(p, a1 + PG, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[9] = copyout("x", a1 + PG, 1);
	r[10] = copyout("x", a1 + 2 * PG, 1); /* page 2 is still PROT_NONE */
	r[11] = umem_protect(p, a1 + 2 * PG, PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[12] = copyout(buf, a1, 4 * PG);
}

Test(umem_protect, overlapping_changes_keep_every_page_right)
{
	run_user(count_user);
	for (int i = 0; i <= 3; i++)
		cr_assert_eq(r[i], 0);
	cr_assert_eq(r[4], 0);
	cr_assert_eq(r[5], -EFAULT);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], 0);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], -EFAULT);
	cr_assert_eq(r[11], 0);
	cr_assert_eq(r[12], 0);
}

/* ---- other processes, fork ---- */

static void fork_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, 2 * PG);
	r[0] = copyout("hello", a1, 6);
	r[1] = umem_protect(p, a1, PG, UMEM_PROT_READ);
	r[2] = umem_protect(p, a1 + PG, PG, UMEM_PROT_NONE);
	struct simk_proc *child = sim_proc_create_internal("copy", p);
	r[3] = umem_fork(p, child);
	char got[8] = {0};
	r[4] = copyin_proc(child, a1, got, 6);
	r[5] = strcmp(got, "hello") == 0;
	r[6] = copyout_proc(child, "HELLO", a1, 6); /* inherited: read-only */
	r[7] = copyin_proc(child, a1 + PG, got, 1); /* inherited: no access */
	/* the child's protections are its own */
	r[8] = umem_protect(child, a1, 2 * PG, UMEM_PROT_READ | UMEM_PROT_WRITE);
	r[9] = copyout_proc(child, "HELLO", a1, 6);
	r[10] = copyout("HELLO", a1, 6); /* the parent's page stays read-only */
	r[11] = copyin(a1 + PG, got, 1);
	r[12] = copyin(a1, got, 6) == 0 && strcmp(got, "hello") == 0;
	umem_release(child);
}

Test(umem_protect, fork_copies_protections_and_they_stay_separate)
{
	run_user(fork_user);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 0);
	cr_assert(r[5]);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], -EFAULT);
	cr_assert_eq(r[8], 0);
	cr_assert_eq(r[9], 0);
	cr_assert_eq(r[10], -EFAULT);
	cr_assert_eq(r[11], -EFAULT);
	cr_assert(r[12]);
}

static void fork_enomem_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, PG);
	a2 = umem_alloc(p, PG);
	r[0] = umem_protect(p, a2, PG, UMEM_PROT_READ);
	struct simk_proc *child = sim_proc_create_internal("copy", p);
	/* fork allocates: space, then per region: region, pages, [prot];
	 * the 6th allocation is the protection table of a2 */
	char spec[64], err[128];
	snprintf(spec, sizeof(spec), "kmem/alloc/enomem:nth=%llu",
		 (unsigned long long)(sim_fault_hits("kmem/alloc/enomem") + 6));
	r[1] = sim_fault_enable(spec, err, sizeof(err));
	r[2] = umem_fork(p, child);
	r[3] = child->umem == NULL; /* nothing kept */
	r[4] = (int)sim_fault_injected("kmem/alloc/enomem");
	r[5] = umem_fork(p, child); /* the fault was the nth only */
	r[6] = copyout_proc(child, "x", a2, 1);
	r[7] = copyout_proc(child, "x", a1, 1);
	umem_release(child);
}

Test(umem_protect, fork_failing_on_the_protection_table_keeps_nothing)
{
	run_user(fork_enomem_user);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], -ENOMEM);
	cr_assert(r[3]);
	cr_assert_eq(r[4], 1);
	cr_assert_eq(r[5], 0);
	cr_assert_eq(r[6], -EFAULT);
	cr_assert_eq(r[7], 0);
}

static void protect_enomem_user(void *arg)
{
	(void)arg;
	struct simk_proc *p = sim_proc_current();
	a1 = umem_alloc(p, PG);
	char err[128];
	r[0] = sim_fault_enable("kmem/alloc/enomem:p=1", err, sizeof(err));
	r[1] = umem_protect(p, a1, PG, UMEM_PROT_READ);
	r[2] = umem_protect(p, a1, PG, UMEM_PROT_READ | UMEM_PROT_WRITE); /* needs nothing */
	r[3] = sim_fault_enable("kmem/alloc/enomem:off", err, sizeof(err));
	r[4] = copyout("x", a1, 1); /* unchanged: still writable */
}

Test(umem_protect, no_memory_for_the_page_table_is_enomem_and_changes_nothing)
{
	run_user(protect_enomem_user);
	cr_assert_eq(r[0], 0);
	cr_assert_eq(r[1], -ENOMEM);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 0);
	cr_assert_eq(r[4], 0);
}

static void other_owner(void *arg)
{
	(void)arg;
	a1 = umem_alloc(sim_proc_current(), PG);
	sim_yield();
	sim_yield();
}

static void other_intruder(void *arg)
{
	(void)arg;
	sim_yield();
	r[0] = umem_protect(sim_proc_current(), a1, PG, UMEM_PROT_READ);
	r[1] = umem_protect(sim_proc_by_pid(1), a1, PG, UMEM_PROT_READ); /* explicit process */
	r[2] = copyout_proc(sim_proc_by_pid(1), "x", a1, 1);
}

Test(umem_protect, acts_on_the_given_process_only)
{
	memset(r, 0x55, sizeof(r));
	struct simk *s = kt_sim(SIMK_POLICY_FIFO, 1);
	simk_thread_create(simk_proc_create(s, "owner"), "t", other_owner, NULL);
	simk_thread_create(simk_proc_create(s, "intruder"), "t", other_intruder, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(r[0], -ENOMEM, "the intruder owns no page there");
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], -EFAULT);
	simk_destroy(s);
}
