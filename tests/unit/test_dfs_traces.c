/*
 * The reduced dfs search against brute force: for small programs (scenarios
 * and annotated C threads), every interleaving is run (dfs without
 * partial-order reduction, no bound) and the runs are grouped by their
 * Mazurkiewicz trace — the order of their dependent steps, as
 * simk_dfs_trace_class() hashes it. The reduced search must reach every one
 * of those traces, with at most twice as many runs as there are traces.
 *
 * mutex-counter.scn itself has too many interleavings to run one by one;
 * its traces are counted by an enumeration that prunes a branch when the
 * part of the run before it was already seen up to equivalence (the same
 * prefix class leads to the same state): the counter is checked against
 * plain brute force on the small programs first.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "scn/scn.h"

#define CLASSES_MAX (1u << 16)

/* ---- a set of 64-bit hashes -------------------------------------------- */

struct set {
	uint64_t slot[CLASSES_MAX * 2];
	size_t n;
};

static bool set_add(struct set *s, uint64_t v)
{
	v |= 1; /* 0 marks a free slot */
	size_t j = (size_t)(v * 0x9e3779b97f4a7c15ULL) & (CLASSES_MAX * 2 - 1);
	while (s->slot[j] != 0) {
		if (s->slot[j] == v)
			return false;
		j = (j + 1) & (CLASSES_MAX * 2 - 1);
	}
	cr_assert_lt(s->n, CLASSES_MAX, "too many classes for the test");
	s->slot[j] = v;
	s->n++;
	return true;
}

static bool set_has(const struct set *s, uint64_t v)
{
	v |= 1;
	size_t j = (size_t)(v * 0x9e3779b97f4a7c15ULL) & (CLASSES_MAX * 2 - 1);
	while (s->slot[j] != 0) {
		if (s->slot[j] == v)
			return true;
		j = (j + 1) & (CLASSES_MAX * 2 - 1);
	}
	return false;
}

/* Every element of a is in b. */
static bool set_within(const struct set *a, const struct set *b)
{
	for (size_t i = 0; i < CLASSES_MAX * 2; i++)
		if (a->slot[i] != 0 && !set_has(b, a->slot[i]))
			return false;
	return true;
}

/* ---- programs ------------------------------------------------------------ */

struct prog {
	const char *name;
	const char *scn;		    /* a scenario text, or */
	void (*setup)(struct simk *s); /* C threads */
	struct scn_prog *compiled;
};

/* One run along d's current path; true when it was cut short. */
static bool run_once(struct prog *pg, struct simk_dfs *d)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.policy = SIMK_POLICY_DFS;
	o.dfs = d;
	char err[512];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	if (pg->scn != NULL) {
		if (pg->compiled == NULL) {
			pg->compiled = scn_parse(pg->name, pg->scn, strlen(pg->scn), err, sizeof(err));
			cr_assert_not_null(pg->compiled, "%s", err);
		}
		cr_assert_eq(scn_instantiate(s, pg->compiled, err, sizeof(err)), 0, "%s", err);
	} else {
		pg->setup(s);
	}
	enum simk_outcome out = simk_run(s);
	bool cut = simk_run_was_cut(s);
	cr_assert(out == SIMK_PASS || out == SIMK_FAIL_EXPECT || out == SIMK_FAIL_DEADLOCK,
		  "%s: %s", pg->name, simk_failure_reason(s));
	simk_destroy(s);
	return cut;
}

/* Runs the whole search; the classes of the runs that were not cut. */
static uint64_t search(struct prog *pg, bool por, struct set *classes, uint64_t max_runs)
{
	struct simk_dfs_opts opts;
	simk_dfs_opts_default(&opts);
	opts.por = por;
	struct simk_dfs *d = simk_dfs_create_opts(&opts);
	uint64_t runs = 0;
	do {
		cr_assert_lt(runs, max_runs, "%s: more than %llu runs", pg->name,
			     (unsigned long long)max_runs);
		bool cut = run_once(pg, d);
		if (!cut)
			set_add(classes, simk_dfs_trace_class(d));
		runs++;
	} while (simk_dfs_advance(d));
	simk_dfs_destroy(d);
	return runs;
}

/*
 * Every interleaving up to equivalence of prefixes: a path is extended at a
 * decision only when the part of the run before that decision is of a class
 * not seen before. Returns the runs made.
 */
#define MEMO_PATH_MAX 4096
struct memo_item {
	uint32_t n;
	uint32_t ch[MEMO_PATH_MAX], nc[MEMO_PATH_MAX];
};

static uint64_t search_memo(struct prog *pg, struct set *classes, struct set *prefixes,
			    uint64_t max_runs)
{
	size_t cap = 1024, top = 0;
	struct memo_item *stack = malloc(cap * sizeof(*stack));
	cr_assert_not_null(stack);
	stack[top++].n = 0;
	uint64_t runs = 0;
	while (top > 0) {
		struct memo_item it = stack[--top];
		struct simk_dfs_opts opts;
		simk_dfs_opts_default(&opts);
		opts.por = false; /* no bound */
		struct simk_dfs *d = simk_dfs_create_opts(&opts);
		cr_assert_eq(simk_dfs_restart(d, it.ch, it.nc, it.n, it.n), 0);
		cr_assert_not(run_once(pg, d));
		cr_assert_lt(++runs, max_runs, "%s: more than %llu runs", pg->name,
			     (unsigned long long)max_runs);
		set_add(classes, simk_dfs_trace_class(d));
		const uint32_t *ch, *nc;
		size_t len = simk_dfs_path(d, &ch, &nc);
		cr_assert_lt(len, MEMO_PATH_MAX);
		for (size_t i = it.n; i < len; i++) {
			uint64_t pc = 0;
			cr_assert_eq(simk_dfs_prefix_class(d, i, &pc), 0);
			if (!set_add(prefixes, pc))
				break; /* what follows was or will be run from the first one */
			for (uint32_t c = 1; c < nc[i]; c++) {
				if (top == cap) {
					cap *= 2;
					stack = realloc(stack, cap * sizeof(*stack));
					cr_assert_not_null(stack);
				}
				struct memo_item *ni = &stack[top++];
				ni->n = (uint32_t)i + 1;
				memcpy(ni->ch, ch, i * sizeof(*ch));
				memcpy(ni->nc, nc, (i + 1) * sizeof(*nc));
				ni->ch[i] = c;
			}
		}
		simk_dfs_destroy(d);
	}
	free(stack);
	return runs;
}

static struct set brute, reduced, memo, memo_prefixes;

/* Brute force, the memoised count and the reduced search agree on the
 * traces of pg; returns the number of traces. */
static size_t check_program(struct prog *pg, uint64_t brute_max)
{
	memset(&brute, 0, sizeof(brute));
	memset(&reduced, 0, sizeof(reduced));
	memset(&memo, 0, sizeof(memo));
	memset(&memo_prefixes, 0, sizeof(memo_prefixes));
	uint64_t all = search(pg, false, &brute, brute_max);
	uint64_t paths = search(pg, true, &reduced, 100000);
	search_memo(pg, &memo, &memo_prefixes, brute_max);
	cr_assert_eq(memo.n, brute.n, "%s: memoised count %zu, brute force %zu", pg->name, memo.n,
		     brute.n);
	cr_assert(set_within(&brute, &memo), "%s: the memoised count misses a trace", pg->name);
	cr_assert(set_within(&brute, &reduced), "%s: the reduced search misses a trace (%zu of %zu)",
		  pg->name, reduced.n, brute.n);
	cr_assert(set_within(&reduced, &brute), "%s: the reduced search made a trace brute force "
		  "did not", pg->name);
	cr_assert_leq(paths, 2 * brute.n, "%s: %llu paths for %zu traces", pg->name,
		      (unsigned long long)paths, brute.n);
	cr_assert_leq(paths, all, "%s: %llu paths, %llu interleavings", pg->name,
		      (unsigned long long)paths, (unsigned long long)all);
	if (pg->compiled != NULL)
		scn_free(pg->compiled);
	pg->compiled = NULL;
	return brute.n;
}

/* ---- scenarios ------------------------------------------------------------ */

Test(dfs_traces, one_locked_increment_each)
{
	struct prog pg = {"mutex1.scn", "shared counter = 0\nmutex m\n"
					 "thread a\n  lock m\n  local t = counter\n"
					 "  counter = t + 1\n  unlock m\n"
					 "thread b\n  lock m\n  local t = counter\n"
					 "  counter = t + 1\n  unlock m\n"
					 "finally\n  expect counter == 2\n",
			  NULL, NULL};
	/* who locks first, and whether the other one waits for it */
	cr_assert_eq(check_program(&pg, 100000), 4);
}

Test(dfs_traces, two_racy_increments_each)
{
	struct prog pg = {"racy2.scn", "shared counter = 0\n"
				       "thread a\n  repeat 2\n    local t = counter\n"
				       "    counter = t + 1\n"
				       "thread b\n  repeat 2\n    local t = counter\n"
				       "    counter = t + 1\n",
			  NULL, NULL};
	cr_assert_gt(check_program(&pg, 100000), 10);
}

Test(dfs_traces, a_condition_variable_and_a_lost_wakeup)
{
	struct prog cv = {"cv.scn", "shared flag = 0\nmutex m\ncv c\n"
				    "thread waker\n  lock m\n  flag = 1\n  cv_signal c\n  unlock m\n"
				    "thread waiter\n  lock m\n  while flag == 0\n    cv_wait c m\n"
				    "  unlock m\n",
			  NULL, NULL};
	cr_assert_gt(check_program(&cv, 100000), 2);
	struct prog lost = {"lost.scn", "shared flag = 0\nwaitqueue wq\n"
					"thread waker\n  flag = 1\n  wake wq\n"
					"thread waiter\n  if flag == 0\n    sleep wq\n",
			    NULL, NULL};
	cr_assert_gt(check_program(&lost, 100000), 2);
}

Test(dfs_traces, independent_threads_are_one_trace)
{
	struct prog pg = {"indep.scn", "shared x = 0\nshared y = 0\nshared z = 0\n"
				       "thread a\n  x = 1\n  x = 2\n"
				       "thread b\n  y = 1\n  y = 2\n"
				       "thread c\n  z = 1\n  z = 2\n",
			  NULL, NULL};
	cr_assert_eq(check_program(&pg, 100000), 1);
	memset(&brute, 0, sizeof(brute));
	memset(&reduced, 0, sizeof(reduced));
	uint64_t all = search(&pg, false, &brute, 100000);
	uint64_t paths = search(&pg, true, &reduced, 100000);
	cr_assert_eq(paths, 1, "%llu paths", (unsigned long long)paths);
	cr_assert_gt(all, 50, "%llu interleavings", (unsigned long long)all);
	scn_free(pg.compiled);
}

Test(dfs_traces, threads_started_joined_and_exiting_with_codes)
{
	struct prog pg = {"spawn-join.scn", "shared x = 0\nshared seen = 0\n"
					    "thread boss\n  local a = spawn worker\n"
					    "  local ca = join a\n  seen = x\n"
					    "thread worker manual\n  x += 1\n  thread_exit x\n"
					    "thread other\n  x = 10\n",
			  NULL, NULL};
	cr_assert_gt(check_program(&pg, 200000), 4);
}

Test(dfs_traces, a_signal_racing_a_sleep_and_a_wake)
{
	struct prog pg = {"signal.scn", "waitqueue wq\nshared r = 1\n"
					"thread sleeper\n  r = sleep wq intr=1\n"
					"thread sender\n  local k = kill sleeper SIGUSR1\n"
					"thread waker\n  wake wq\n",
			  NULL, NULL};
	cr_assert_gt(check_program(&pg, 200000), 2);
}

Test(dfs_traces, a_forked_child_and_its_parent)
{
	struct prog pg = {"fork.scn", "shared x = 0\nshared st = -1\n"
				      "thread parent\n  local pid = fork child\n  x = 1\n"
				      "  local r = wait pid status=st\n"
				      "thread child manual\n  local v = x\n  exit v + 3\n",
			  NULL, NULL};
	cr_assert_gt(check_program(&pg, 200000), 1);
}

/* ---- random small programs ------------------------------------------------------ */

/*
 * Programs drawn from a fixed generator: two or three threads of a few
 * statements each over two shared variables, a mutex, a condition
 * variable, a wait queue (sleeps and waits with a timeout, so the clock and
 * its interrupts take part), yields, branches, signals, a spawned thread,
 * exit codes and computing time. Each one is checked like the hand-written
 * ones, when its brute force stays small.
 */
static uint64_t gen_state;

static uint32_t gen_below(uint32_t n)
{
	gen_state = gen_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(gen_state >> 33) % n;
}

/* One statement of a generated thread body (nl: its locals so far). */
static void gen_statement(char *buf, size_t len, size_t *off, int *nl, bool *helper, bool *last)
{
	uint32_t k = gen_below(16);
	int v = (*nl)++;
	const char *fmt = NULL;
	switch (k) {
	case 0: fmt = "  x = x + 1\n"; break;
	case 1: fmt = "  y = 2\n"; break;
	case 2: fmt = "  local v%d = x\n"; break;
	case 3: fmt = "  yield\n"; break;
	case 4: fmt = "  wake_one wq\n"; break;
	case 5: fmt = "  sleep wq timeout=10us intr=1\n"; break;
	case 6: fmt = "  delay 5us\n"; break;
	case 7: fmt = "  if y == 0\n    x = 5\n"; break;
	case 8: fmt = "  lock m\n  y = y + 1\n  unlock m\n"; break;
	case 9: fmt = "  local r%d = trylock m\n  if r%d == 1\n    unlock m\n"; break;
	case 10: fmt = "  lock m\n  cv_signal c\n  unlock m\n"; break;
	case 11: fmt = "  lock m\n  local w%d = cv_wait c m timeout=8us\n  unlock m\n"; break;
	case 12: fmt = "  local k%d = kill helper SIGUSR1\n"; *helper = true; break;
	case 13: fmt = "  local s%d = spawn helper\n"; *helper = true; break;
	case 14: fmt = "  thread_exit 2\n"; *last = true; break;
	default: fmt = "  compute 3us\n"; break;
	}
	*off += (size_t)snprintf(buf + *off, len - *off, fmt, v, v);
}

static void gen_program(char *buf, size_t len, uint64_t seed)
{
	gen_state = seed * 0x9e3779b97f4a7c15ULL + 7;
	size_t off = 0;
	off += (size_t)snprintf(buf + off, len - off,
				"shared x = 0\nshared y = 0\nmutex m\nwaitqueue wq\ncv c\n");
	uint32_t nthreads = 2 + gen_below(2);
	bool helper = false;
	for (uint32_t t = 0; t < nthreads; t++) {
		off += (size_t)snprintf(buf + off, len - off, "thread t%u\n", t);
		uint32_t n = 1 + gen_below(3);
		int nl = 0;
		bool last = false;
		for (uint32_t i = 0; i < n && !last; i++)
			gen_statement(buf, len, &off, &nl, &helper, &last);
	}
	if (helper)
		off += (size_t)snprintf(buf + off, len - off, "thread helper manual\n  x = 7\n");
}

Test(dfs_traces, random_small_programs_lose_no_trace, .timeout = 300)
{
	int checked = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		char text[2048];
		gen_program(text, sizeof(text), seed);
		char name[32];
		snprintf(name, sizeof(name), "gen%llu.scn", (unsigned long long)seed);
		struct prog pg = {name, text, NULL, NULL};
		/* too many interleavings for brute force: skip it */
		memset(&brute, 0, sizeof(brute));
		struct simk_dfs_opts opts;
		simk_dfs_opts_default(&opts);
		opts.por = false;
		struct simk_dfs *d = simk_dfs_create_opts(&opts);
		uint64_t runs = 0;
		do {
			run_once(&pg, d);
			set_add(&brute, simk_dfs_trace_class(d));
		} while (simk_dfs_advance(d) && ++runs < 10000);
		bool small = runs < 10000;
		simk_dfs_destroy(d);
		if (pg.compiled != NULL)
			scn_free(pg.compiled);
		pg.compiled = NULL;
		if (!small)
			continue;
		check_program(&pg, 10001);
		checked++;
	}
	cr_assert_geq(checked, 20, "only %d generated programs were small enough", checked);
}

/* ---- C threads ---------------------------------------------------------------- */

/* Store buffering (Dekker's handshake), one step per access: each thread
 * writes its flag and reads the other's. */
enum { X = 1, Y = 2, SHARED_RW = 3 };

static void sb_a(void *arg)
{
	(void)arg;
	simk_annotated(true);
	simk_access(X, true);
	simk_yield();
	simk_access(Y, false);
}

static void sb_b(void *arg)
{
	(void)arg;
	simk_annotated(true);
	simk_access(Y, true);
	simk_yield();
	simk_access(X, false);
}

static void sb_setup(struct simk *s)
{
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "a", sb_a, NULL);
	simk_thread_create(p, "b", sb_b, NULL);
}

Test(dfs_traces, store_buffering_in_c)
{
	struct prog pg = {"store-buffering", NULL, sb_setup, NULL};
	/* a yield lets the other thread run: whoever starts, the two then
	 * alternate, so the order of the first steps decides everything */
	cr_assert_eq(check_program(&pg, 100000), 2);
}

/* Three readers of one variable and a writer: only the writer's position
 * among the reads matters. */
static void reader(void *arg)
{
	(void)arg;
	simk_annotated(true);
	for (int i = 0; i < 2; i++) {
		simk_access(SHARED_RW, false);
		simk_yield();
	}
}

static void writer(void *arg)
{
	(void)arg;
	simk_annotated(true);
	simk_access(SHARED_RW, true);
}

static void rw_setup(struct simk *s)
{
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "r1", reader, NULL);
	simk_thread_create(p, "r2", reader, NULL);
	simk_thread_create(p, "w", writer, NULL);
}

Test(dfs_traces, readers_commute_with_each_other)
{
	struct prog pg = {"readers-writer", NULL, rw_setup, NULL};
	/* where the write falls among the reads, and who yielded to whom */
	cr_assert_gt(check_program(&pg, 100000), 9);
}

/* An unannotated C thread depends on everything: no reduction is claimed,
 * and none of its interleavings is lost. */
static void plain(void *arg)
{
	(void)arg;
	simk_yield();
}

static void plain_setup(struct simk *s)
{
	struct simk_proc *p = simk_proc_create(s, "p");
	simk_thread_create(p, "a", plain, NULL);
	simk_thread_create(p, "b", plain, NULL);
}

Test(dfs_traces, unannotated_threads_keep_every_order)
{
	memset(&brute, 0, sizeof(brute));
	memset(&reduced, 0, sizeof(reduced));
	struct prog pg = {"plain", NULL, plain_setup, NULL};
	search(&pg, false, &brute, 100000);
	uint64_t paths = search(&pg, true, &reduced, 100000);
	cr_assert(set_within(&brute, &reduced), "%zu of %zu", reduced.n, brute.n);
	cr_assert_eq(paths, brute.n);
}

/* ---- mutex-counter.scn ----------------------------------------------------- */

Test(dfs_traces, mutex_counter_is_proved_with_about_one_path_per_trace, .timeout = 120)
{
	struct prog pg = {"mutex-counter.scn",
			  "shared counter = 0\nmutex m\n"
			  "thread a\n  repeat 3\n    lock m\n    local tmp = counter\n"
			  "    counter = tmp + 1\n    unlock m\n"
			  "thread b\n  repeat 3\n    lock m\n    local tmp = counter\n"
			  "    counter = tmp + 1\n    unlock m\n"
			  "finally\n  expect counter == 6\n",
			  NULL, NULL};
	memset(&reduced, 0, sizeof(reduced));
	memset(&memo, 0, sizeof(memo));
	memset(&memo_prefixes, 0, sizeof(memo_prefixes));
	uint64_t paths = search(&pg, true, &reduced, 100000);
	search_memo(&pg, &memo, &memo_prefixes, 2000000);
	cr_assert(set_within(&memo, &reduced), "the search misses traces: %zu of %zu", reduced.n,
		  memo.n);
	cr_assert_leq(paths, 2 * memo.n, "%llu paths for %zu traces", (unsigned long long)paths,
		      memo.n);
	cr_log_info("mutex-counter: %llu paths, %zu traces", (unsigned long long)paths, memo.n);
	scn_free(pg.compiled);
}
