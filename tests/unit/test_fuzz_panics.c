/*
 * fuzz_panic_is_finding (fuzz/fuzz_common.h): scn_run_fuzz stops on a
 * kernel panic from inside the kernel and lets a scenario's own misuse of
 * its primitives, and the engine's limits, pass as run outcomes. The
 * reasons below are the shapes the runs print (sim_kassert_fail, the
 * context checks, the mutex exit check, the limits, scenario errors).
 */
#include <criterion/criterion.h>

#include "fuzz/fuzz_common.h"

Test(fuzz_panics, panics_from_inside_the_kernel_are_findings)
{
	static const char *const inside[] = {
	    "timer_callback: thread context required, called in interrupt context",
	    ("KASSERT(loops < KQ_REPROCESS_MAX) at syscalls/kqueue/kq_knote.c:150: knote 1 "
	     "reprocessed forever (at fuzz.scn:26:3)"),
	    "port_free_event of slot 3 in state 9",
	    "port_close_wait: sleeping in interrupt context",
	    "kmem leak: 2 objects of port.kevent",
	};
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		cr_expect(fuzz_panic_is_finding(inside[i]), "not a finding: %s", inside[i]);
}

Test(fuzz_panics, a_scenarios_own_misuse_and_the_limits_are_outcomes)
{
	static const char *const made[] = {
	    ("KASSERT(m->owner == t) at kern/mutex.c:88: mutex m unlocked by non-owner intruder "
	     "(owner owner) (at fuzz.scn:5:3)"),
	    ("KASSERT(m->owner != t) at kern/mutex.c:61: mutex m locked recursively by a (at "
	     "fuzz.scn:7:3)"),
	    ("KASSERT(mutex_held(m)) at kern/condvar.c:40: cv_wait on c without holding mutex m "
	     "(at fuzz.scn:9:3)"),
	    "thread waker (tid 3) exited holding mutex m (acquired at fuzz.scn:4:3)",
	    "step limit of 20000 decisions reached at 4000 ns: a thread keeps running",
	    "step limit of 10000000 loop iterations without a switch point reached",
	    "virtual time limit (24 h) passed: 5 ns more at 86400000000000 ns",
	    "fuzz.scn:12:3: index 5 out of bounds of 'rds' (length 2)",
	};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		cr_expect(!fuzz_panic_is_finding(made[i]), "a finding: %s", made[i]);
}

Test(fuzz_panics, the_file_name_counts_only_as_the_reasons_start)
{
	/* a kernel KASSERT carries the scenario's place at its end: still one */
	cr_expect(fuzz_panic_is_finding("KASSERT(x) at vfs/file.c:9: bad (at fuzz.scn:3:1)"));
	cr_expect(!fuzz_panic_is_finding("fuzz.scn:3:1: aio_fault: fault point name too long"));
}
