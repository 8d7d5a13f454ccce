/*
 * Lazy subsystems (struct sim_subsys.lazy): made at their first
 * sim_subsys_need, with the object ids an eager create would have had, and
 * none of their hooks called in a run that never used them. A test
 * subsystem counts its hooks; each test runs in its own process, so
 * registering it here changes no other test.
 */
#include <stdlib.h>

#include "kern_test.h"
#include "kern/waitq.h"
#include "sim/access.h"

static int lazy_slot = -1;
static int made, proc_exits, thread_exits, ends, destroys, leak_checks;

struct lazy_state {
	struct waitq wq;
	bool leaked;
};

static int lazy_create(struct simk *s)
{
	struct lazy_state *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	waitq_init(&st->wq, "lazy");
	s->subsys[lazy_slot] = st;
	made++;
	return 0;
}

static void lazy_proc_exit(struct simk_proc *p)
{
	(void)p;
	proc_exits++;
}

static void lazy_thread_exit(struct simk_thread *t)
{
	(void)t;
	thread_exits++;
}

static void lazy_end(struct simk *s)
{
	(void)s;
	ends++;
}

static void lazy_destroy(struct simk *s)
{
	free(s->subsys[lazy_slot]);
	s->subsys[lazy_slot] = NULL;
	destroys++;
}

static int lazy_leak_check(struct simk *s, char *msg, size_t len)
{
	leak_checks++;
	struct lazy_state *st = s->subsys[lazy_slot];
	if (!st->leaked)
		return 0;
	snprintf(msg, len, "test-lazy: leaked");
	return 1;
}

static const struct sim_subsys lazy_subsys = {
    .name = "test-lazy",
    .create = lazy_create,
    .proc_exit = lazy_proc_exit,
    .thread_exit = lazy_thread_exit,
    .end = lazy_end,
    .destroy = lazy_destroy,
    .leak_check = lazy_leak_check,
    .lazy = true,
    .oids = 1,
};

static struct lazy_state *lazy_need(void)
{
	return sim_subsys_need(sim_cur(), lazy_slot);
}

static uint64_t used_oid;
static bool leak_it;

static void uses_it(void *arg)
{
	(void)arg;
	struct lazy_state *st = lazy_need();
	cr_assert_not_null(st);
	cr_assert_eq(lazy_need(), st, "made once a run");
	used_oid = st->wq.oid;
	st->leaked = leak_it;
}

static void ignores_it(void *arg)
{
	(void)arg;
}

static struct simk *sim_with_lazy(void)
{
	lazy_slot = sim_subsys_register(&lazy_subsys);
	made = proc_exits = thread_exits = ends = destroys = leak_checks = 0;
	return kt_sim(SIMK_POLICY_FIFO, 1);
}

Test(subsys_lazy, unused_costs_no_create_and_no_hook)
{
	struct simk *s = sim_with_lazy();
	cr_assert_null(sim_subsys_state(s, lazy_slot));
	simk_thread_create(simk_proc_create(s, "p"), "t", ignores_it, NULL);
	KT_RUN_PASS(s);
	simk_destroy(s);
	cr_assert_eq(made + proc_exits + thread_exits + ends + destroys + leak_checks, 0,
		     "made %d, proc_exit %d, thread_exit %d, end %d, destroy %d, leak_check %d", made,
		     proc_exits, thread_exits, ends, destroys, leak_checks);
}

Test(subsys_lazy, used_runs_every_hook_once_made)
{
	struct simk *s = sim_with_lazy();
	leak_it = false;
	simk_thread_create(simk_proc_create(s, "p"), "t", uses_it, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(made, 1);
	/* made while t ran: t's own exit and its process's are seen */
	cr_assert_eq(thread_exits, 1);
	cr_assert_eq(proc_exits, 1);
	cr_assert_eq(ends, 1);
	cr_assert_eq(leak_checks, 1);
	simk_destroy(s);
	cr_assert_eq(destroys, 1);
	/* the next simulation starts without it */
	s = kt_sim(SIMK_POLICY_FIFO, 2);
	cr_assert_null(sim_subsys_state(s, lazy_slot));
	simk_destroy(s);
	cr_assert_eq(made, 1);
	cr_assert_eq(destroys, 1);
}

Test(subsys_lazy, leak_check_of_a_used_one_fails_the_run)
{
	struct simk *s = sim_with_lazy();
	leak_it = true;
	simk_thread_create(simk_proc_create(s, "p"), "t", uses_it, NULL);
	KT_RUN_FAILS(s, SIMK_FAIL_PANIC, "test-lazy: leaked");
	simk_destroy(s);
	cr_assert_eq(destroys, 1);
}

/* The ids: made in a thread, late, the subsystem's object has the host id
 * an eager create gives (made first thing, on the host), and an object the
 * host makes after simk_create has the same id either way. */
Test(subsys_lazy, late_create_has_the_eager_ids)
{
	struct simk *s = sim_with_lazy();
	struct waitq after;
	struct lazy_state *st = lazy_need(); /* as eager: host context, at once */
	uint64_t eager_oid = st->wq.oid;
	waitq_init(&after, "after");
	uint64_t eager_after = after.oid;
	simk_destroy(s);
	cr_assert_eq(eager_oid >> 56, SIM_OID_DYN);
	cr_assert_eq((eager_oid >> 32) & 0xffffff, 0, "a host object (creator 0)");

	s = sim_with_lazy();
	waitq_init(&after, "after");
	cr_assert_eq(after.oid, eager_after, "the id of a later host object moved");
	leak_it = false;
	used_oid = 0;
	simk_thread_create(simk_proc_create(s, "p"), "t", uses_it, NULL);
	KT_RUN_PASS(s);
	cr_assert_eq(used_oid, eager_oid, "made in a thread: %#llx, eager: %#llx",
		     (unsigned long long)used_oid, (unsigned long long)eager_oid);
	simk_destroy(s);
}
