/*
 * explore_jobs: the CPU cost of one run of `simk explore --jobs 2` against
 * `--jobs 1` (the baseline, alternating with it: bench/bench.h), on the
 * explore_small scenario: a random search over seeds, and a complete dfs
 * search (bound 4, partial-order reduction off). The ratio is what the
 * split into worker processes costs in CPU per run (fork, the pipes, the
 * merge of the hash sets); the wall-clock gain of a second core is not
 * measured: on a shared machine it says more about the neighbours.
 *
 * It runs the simk binary of its own build folder (build/bench/../simk, or
 * argv[1]) and takes the CPU time (user and system) of the process and its
 * workers from wait4, so process start-up is part of the figure, as for a
 * user. The number of runs is read from explore's own summary line
 * ("explored N paths|runs"), never assumed: both sides must agree on it.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

#define SEED_RUNS "20000"

extern char **environ;

static const char *simk_path;

struct search {
	const char *const *args;
	double runs; /* from the last summary line; both sides must agree */
};

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* The runs a summary line counts ("explored N paths" / "explored N runs"). */
static double summary_runs(const char *out)
{
	const char *p = strstr(out, "explored ");
	char *end;
	double n = p != NULL ? strtod(p + 9, &end) : -1;
	if (p == NULL || end == p + 9 ||
	    (strncmp(end, " paths", 6) != 0 && strncmp(end, " runs", 5) != 0))
		return -1;
	return n;
}

/* CPU ns per run of one `simk explore ... --jobs J`; exits when it does not
 * pass or its run count differs from the other side's. */
static double cpu_per_run(struct search *se, const char *jobs)
{
	const char *argv[24];
	int n = 0;
	argv[n++] = simk_path;
	argv[n++] = "explore";
	for (int i = 0; se->args[i] != NULL && n < 20; i++)
		argv[n++] = se->args[i];
	argv[n++] = "--jobs";
	argv[n++] = jobs;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	int pfd[2];
	if (pipe(pfd) != 0) {
		perror("explore_jobs: pipe");
		exit(1);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	pid_t pid;
	if (posix_spawn(&pid, simk_path, &fa, NULL, (char *const *)argv, environ) != 0) {
		fprintf(stderr, "explore_jobs: cannot run %s\n", simk_path);
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	static char out[8192];
	size_t len = 0;
	ssize_t r;
	while ((r = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(pfd[0]);
	int st;
	struct rusage ru; /* the process and the workers it waited for */
	while (wait4(pid, &st, 0, &ru) < 0)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "explore_jobs: %s explore %s --jobs %s did not pass:\n%s",
			simk_path, se->args[0], jobs, out);
		exit(1);
	}
	double runs = summary_runs(out);
	if (runs <= 0 || (se->runs > 0 && runs != se->runs)) {
		fprintf(stderr,
			"explore_jobs: --jobs %s: no run count or a different one (%.0f): %s", jobs,
			se->runs, out);
		exit(1);
	}
	se->runs = runs;
	return (tv_s(ru.ru_utime) + tv_s(ru.ru_stime)) * 1e9 / runs;
}

static double jobs1(void *arg)
{
	return cpu_per_run(arg, "1");
}

static double jobs2(void *arg)
{
	return cpu_per_run(arg, "2");
}

int main(int argc, char **argv)
{
	static char buf[4096];
	if (argc > 1) {
		simk_path = argv[1];
	} else {
		/* build/bench/explore_jobs -> build/simk */
		snprintf(buf, sizeof(buf), "%s", argv[0]);
		char *slash = strrchr(buf, '/');
		if (slash == NULL)
			snprintf(buf, sizeof(buf), "../simk");
		else
			snprintf(slash, sizeof(buf) - (size_t)(slash - buf), "/../simk");
		simk_path = buf;
	}
	if (access(simk_path, X_OK) != 0) {
		fprintf(stderr, "explore_jobs: no simk binary at %s (make all)\n", simk_path);
		return 1;
	}
	const char *seeds[] = {"bench/explore_small.scn", "--runs", SEED_RUNS, NULL};
	const char *dfs[] = {"bench/explore_small.scn",
			     "--policy",
			     "dfs",
			     "--por",
			     "off",
			     "--bound",
			     "4",
			     "--runs",
			     "1000000",
			     NULL};
	struct search s1 = {seeds, 0}, s2 = {dfs, 0};
	int rounds = bench_rounds() < 5 ? bench_rounds() : 5;
	bench_ab_run("explore_jobs2_seeds", "ns/run", rounds, jobs1, jobs2, &s1);
	printf("# explore_jobs2_seeds: %.0f runs per search\n", s1.runs);
	bench_ab_run("explore_jobs2_dfs", "ns/run", rounds, jobs1, jobs2, &s2);
	printf("# explore_jobs2_dfs: %.0f paths per search (counted by explore)\n", s2.runs);
	return 0;
}
