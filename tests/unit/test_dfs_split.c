/*
 * dfs search split into subtrees (simk_dfs_restart, simk_dfs_path), as
 * `simk explore --policy dfs --jobs N` does: the subtrees under the
 * choices of the first decision, walked one after the other, give the
 * whole search's paths in the whole search's order; a search that gives
 * away the siblings of its shallowest open decision keeps the paths before
 * them; bad prefixes are refused.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/engine.h"

#define PATHS_MAX 4096

static void stepper(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++)
		preempt_point();
}

/* One run of three 2-step threads along d's current path: its hash. */
static uint64_t run_path(struct simk_dfs *d)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = SIMK_POLICY_DFS;
	o.dfs = d;
	struct simk *s = simk_create(&o, NULL, 0);
	cr_assert_not_null(s);
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "a", stepper, NULL);
	simk_thread_create(p, "b", stepper, NULL);
	simk_thread_create(p, "c", stepper, NULL);
	cr_assert_eq(simk_run(s), SIMK_PASS, "%s", simk_failure_reason(s));
	uint64_t h = simk_trace_hash(s);
	simk_destroy(s);
	return h;
}

/* Walks d to its end from where it stands, appending hashes to out. */
static size_t walk(struct simk_dfs *d, uint64_t *out, size_t n)
{
	do {
		cr_assert_lt(n, PATHS_MAX, "search does not end");
		out[n++] = run_path(d);
	} while (simk_dfs_advance(d));
	return n;
}

static uint64_t whole[PATHS_MAX], parts[PATHS_MAX];

Test(dfs_split, subtrees_of_the_first_decision_give_the_whole_search_in_order)
{
	struct simk_dfs *d = simk_dfs_create(2);
	size_t nwhole = walk(d, whole, 0);
	cr_assert_gt(nwhole, 10, "a search worth splitting (%zu paths)", nwhole);

	struct simk_dfs *probe = simk_dfs_create(2);
	run_path(probe);
	const uint32_t *ch, *nc;
	cr_assert_gt(simk_dfs_path(probe, &ch, &nc), 0, "the first run made decisions");
	uint32_t ncand0 = nc[0];
	cr_assert_geq(ncand0, 2);

	size_t nparts = 0;
	for (uint32_t c = 0; c < ncand0; c++) {
		struct simk_dfs *sub = simk_dfs_create(2);
		uint32_t choice = c, ncand = ncand0;
		cr_assert_eq(simk_dfs_restart(sub, &choice, &ncand, 1, 1), 0);
		size_t before = nparts;
		nparts = walk(sub, parts, nparts);
		cr_assert_gt(nparts, before, "subtree %u has paths", c);
		simk_dfs_destroy(sub);
	}
	cr_assert_eq(nparts, nwhole);
	cr_assert_arr_eq(parts, whole, nwhole * sizeof(whole[0]), "same paths, same order");
	simk_dfs_destroy(probe);
	simk_dfs_destroy(d);
}

Test(dfs_split, giving_away_the_shallowest_siblings_keeps_the_paths_before_them)
{
	struct simk_dfs *d = simk_dfs_create(2);
	size_t nwhole = walk(d, whole, 0);
	simk_dfs_destroy(d);

	/* run 3 paths, then give away the siblings of the shallowest decision
	 * that still has untried ones (within the bound) */
	struct simk_dfs *donor = simk_dfs_create(2);
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		parts[n++] = run_path(donor);
		cr_assert(simk_dfs_advance(donor));
	}
	const uint32_t *ch, *nc;
	size_t len = simk_dfs_path(donor, &ch, &nc);
	size_t k = 0;
	int dev = 0;
	while (k < len && !(ch[k] + 1 < nc[k] && dev + 1 <= 2))
		dev += ch[k++] != 0;
	cr_assert_lt(k, len, "something to give away");
	uint32_t given_ch[64], given_nc[64];
	cr_assert_lt(k, 64u);
	memcpy(given_ch, ch, (k + 1) * sizeof(*ch));
	memcpy(given_nc, nc, (k + 1) * sizeof(*nc));
	uint32_t first = ch[k] + 1, last = nc[k];
	cr_assert_eq(simk_dfs_restart(donor, ch, nc, len, k + 1), 0, "restart on its own path");
	n = walk(donor, parts, n);
	for (uint32_t c = first; c < last; c++) {
		struct simk_dfs *taker = simk_dfs_create(2);
		given_ch[k] = c;
		cr_assert_eq(simk_dfs_restart(taker, given_ch, given_nc, k + 1, k + 1), 0);
		n = walk(taker, parts, n);
		simk_dfs_destroy(taker);
	}
	cr_assert_eq(n, nwhole);
	cr_assert_arr_eq(parts, whole, nwhole * sizeof(whole[0]));
	simk_dfs_destroy(donor);
}

Test(dfs_split, restart_refuses_bad_prefixes)
{
	struct simk_dfs *d = simk_dfs_create(1);
	uint32_t ch[2] = {1, 1}, nc[2] = {2, 2};
	cr_assert_eq(simk_dfs_restart(d, ch, nc, 2, 2), -1, "two deviations, bound 1");
	cr_assert_eq(simk_dfs_restart(d, ch, nc, 1, 2), -1, "fixed beyond the prefix");
	uint32_t out_of_range = 2;
	cr_assert_eq(simk_dfs_restart(d, &out_of_range, nc, 1, 1), -1, "choice 2 of 2");
	uint32_t one = 1;
	uint32_t zero = 0;
	cr_assert_eq(simk_dfs_restart(d, &zero, &one, 1, 1), -1, "a decision of one candidate");
	cr_assert_eq(simk_dfs_restart(d, ch, nc, 1, 1), 0);
	const uint32_t *pc, *pn;
	cr_assert_eq(simk_dfs_path(d, &pc, &pn), 1);
	cr_assert_eq(pc[0], 1);
	cr_assert_eq(pn[0], 2);
	simk_dfs_destroy(d);
}
