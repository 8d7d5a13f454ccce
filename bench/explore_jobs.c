/*
 * explore_jobs: throughput of `simk explore --jobs 2` against `--jobs 1`
 * (the baseline, measured in the same run), on the explore_small scenario:
 * a random search over seeds and a complete dfs search (bound 4, 64,539
 * paths). The ratio is the speed-up of the second core; on a machine with
 * one free core it is about 1, and the worker processes cost what the gap
 * below 1 shows.
 *
 * It runs the simk binary of its own build folder (build/bench/.. /simk,
 * or argv[1]) with stdout to /dev/null and times it from outside, best of
 * three, so process start-up is part of the figure, as for a user.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

#define SEED_RUNS "150000"
#define DFS_PATHS 64539.0

extern char **environ;

static const char *simk_path;

/* Wall seconds of one `simk explore ...`; exits when it does not pass. */
static double time_explore(const char *const *args, const char *jobs)
{
	const char *argv[24];
	int n = 0;
	argv[n++] = simk_path;
	argv[n++] = "explore";
	for (int i = 0; args[i] != NULL && n < 20; i++)
		argv[n++] = args[i];
	argv[n++] = "--jobs";
	argv[n++] = jobs;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	double t0 = bench_now();
	pid_t pid;
	if (posix_spawn(&pid, simk_path, &fa, NULL, (char *const *)argv, environ) != 0) {
		fprintf(stderr, "explore_jobs: cannot run %s\n", simk_path);
		exit(1);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	double el = bench_now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "explore_jobs: %s explore %s --jobs %s did not pass\n", simk_path,
			args[0], jobs);
		exit(1);
	}
	return el;
}

/* Runs per second of --jobs 1 and --jobs 2, best of three, interleaved so
 * that both see the same machine. */
static void compare(const char *name, const char *const *args, double runs)
{
	double one = 1e300, two = 1e300;
	for (int r = 0; r < 3; r++) {
		double t1 = time_explore(args, "1");
		double t2 = time_explore(args, "2");
		one = t1 < one ? t1 : one;
		two = t2 < two ? t2 : two;
	}
	bench_report(name, runs / two, "runs/s", runs / one);
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
	const char *dfs[] = {"bench/explore_small.scn", "--policy", "dfs", "--por", "off", "--bound", "4",
			     "--runs", "1000000", NULL};
	compare("explore_jobs2_seeds", seeds, atof(SEED_RUNS));
	compare("explore_jobs2_dfs", dfs, DFS_PATHS);
	return 0;
}
