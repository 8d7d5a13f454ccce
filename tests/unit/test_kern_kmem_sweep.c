/*
 * Every allocation failure reaches its caller as an errno: each scenario
 * of scenarios/, labs/ and the per-subsystem workloads of tests/sweep/ is
 * run once with kmem/alloc/enomem counting hits (p=0: never fails), then
 * once per hit k = 1..K with exactly the k-th allocation failing. No such
 * run may end in a panic (a kernel assertion, a harness that panics on
 * "out of memory", a kmem leak on an error path, or a scenario that
 * livelocks because it ignored an -ENOMEM): only a pass, a clean
 * expectation failure or a deadlock report.
 *
 * Scenarios that do not pass without faults (the teaching examples marked
 * `# simk: expect-failure`, the labs' broken handouts) are skipped. The
 * step limit of each faulted run is a multiple of the fault-free run's,
 * so a livelock costs milliseconds, not ten million steps.
 *
 * Files are found from the current directory (`make test` runs the unit
 * binary from the repository root) or from $SIMK_ROOT.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn/scn.h"
#include "sim/engine.h"
#include "sim/fault.h"
#include "syscalls/builtin.h"

#define SWEEP_POINT "kmem/alloc/enomem"
#define SWEEP_HITS_MAX 3000	     /* per scenario: more than any has today */
#define SWEEP_STEPS_FACTOR 20	     /* faulted step limit: factor x fault-free... */
#define SWEEP_STEPS_SLACK 100000     /* ...plus this */
#define SWEEP_FILES_MAX 256

struct sweep_run {
	enum simk_outcome out;
	uint64_t hits;
	uint64_t steps;
	char reason[512];
};

/* One run of p with the fault spec; false when the scenario cannot start. */
static bool sweep_run_once(const struct scn_prog *p, const char *spec, uint64_t max_steps,
			   struct sweep_run *r)
{
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	if (max_steps != 0)
		o.max_steps = max_steps;
	char err[512];
	struct simk *s = simk_create(&o, err, sizeof(err));
	cr_assert_not_null(s, "simk_create: %s", err);
	if (scn_instantiate(s, p, err, sizeof(err)) != 0) {
		simk_destroy(s);
		return false;
	}
	cr_assert_eq(sim_fault_enable(spec, err, sizeof(err)), 0, "%s: %s", spec, err);
	r->out = simk_run(s);
	r->hits = sim_fault_hits(SWEEP_POINT);
	r->steps = simk_steps(s);
	snprintf(r->reason, sizeof(r->reason), "%s", simk_failure_reason(s));
	simk_destroy(s);
	return true;
}

static const char *sweep_root(void)
{
	const char *r = getenv("SIMK_ROOT");
	return r != NULL && *r != '\0' ? r : ".";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends every .scn file of dir (and of its subfolders with recurse). */
static void collect(const char *dir, bool recurse, char **files, int *n)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s (run from the repository root or set SIMK_ROOT)",
			   dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".scn") == 0) {
			cr_assert_lt(*n, SWEEP_FILES_MAX);
			files[(*n)++] = strdup(path);
		} else if (recurse && e->d_type == DT_DIR) {
			collect(path, true, files, n);
		}
	}
	closedir(d);
}

static bool marked_expect_failure(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char line[512];
	bool marked = false;
	while (!marked && fgets(line, sizeof(line), f) != NULL)
		marked = strstr(line, "# simk: expect-failure") != NULL;
	fclose(f);
	return marked;
}

/* Sweeps one file; returns the number of faulted runs made. */
static uint64_t sweep_file(const char *path)
{
	char err[512];
	simk_register_builtin();
	struct scn_prog *p = scn_load(path, err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	struct sweep_run base;
	uint64_t runs = 0;
	if (!marked_expect_failure(path) && sweep_run_once(p, SWEEP_POINT ":p=0", 0, &base) &&
	    base.out == SIMK_PASS) {
		cr_assert_leq(base.hits, SWEEP_HITS_MAX, "%s: %llu allocations, raise SWEEP_HITS_MAX",
			      path, (unsigned long long)base.hits);
		uint64_t steps = base.steps * SWEEP_STEPS_FACTOR + SWEEP_STEPS_SLACK;
		for (uint64_t k = 1; k <= base.hits; k++) {
			char spec[64];
			snprintf(spec, sizeof(spec), SWEEP_POINT ":nth=%llu", (unsigned long long)k);
			struct sweep_run r;
			cr_assert(sweep_run_once(p, spec, steps, &r));
			cr_expect_neq(r.out, SIMK_FAIL_PANIC,
				      "%s with --fault %s ended in a panic: %s\n"
				      "  reproduce: simk run %s --fault %s",
				      path, spec, r.reason, path, spec);
			runs++;
		}
	}
	scn_free(p);
	return runs;
}

/* Sweeps every file of a folder; returns the number of faulted runs. */
static uint64_t sweep_dir(const char *sub, bool recurse)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/%s", sweep_root(), sub);
	char *files[SWEEP_FILES_MAX];
	int n = 0;
	collect(dir, recurse, files, &n);
	cr_assert_gt(n, 0, "no scenario under %s", dir);
	qsort(files, (size_t)n, sizeof(files[0]), cmp_str);
	uint64_t runs = 0;
	for (int i = 0; i < n; i++) {
		runs += sweep_file(files[i]);
		free(files[i]);
	}
	return runs;
}

#define assert_swept(runs) cr_assert_gt(runs, 0, "no allocation was ever failed")

/* One test per folder so that Criterion's jobs share the work. The
 * top-level scenarios allocate nothing from kmem (only the workloads'
 * kern.scn does: signal queues); their sweep is part of the first test. */
Test(kmem_sweep, every_allocation_failure_in_vfs_scenarios_is_an_errno, .timeout = 600)
{
	uint64_t runs = sweep_dir("scenarios", false);
	assert_swept(runs + sweep_dir("scenarios/vfs", true));
}

Test(kmem_sweep, every_allocation_failure_in_laio_scenarios_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("scenarios/laio", true));
}

Test(kmem_sweep, every_allocation_failure_in_port_scenarios_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("scenarios/port", true));
}

Test(kmem_sweep, every_allocation_failure_in_kq_scenarios_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("scenarios/kq", true));
}

Test(kmem_sweep, every_allocation_failure_in_paio_scenarios_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("scenarios/paio", true));
}

Test(kmem_sweep, every_allocation_failure_in_labs_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("labs", true));
}

Test(kmem_sweep, every_allocation_failure_in_subsystem_workloads_is_an_errno, .timeout = 600)
{
	assert_swept(sweep_dir("tests/sweep", true));
}
