/*
 * guest_runs: runs/s of exploring a two-thread guest program in one
 * process, as `simk explore ./prog` does (load once; per seed: create the
 * simulation, instantiate — restore the globals, empty heap, new process —
 * run, destroy), against two baselines measured in the same run:
 *
 *   guest_runs          baseline: the same program in the scenario
 *                       language (bench/explore_small.scn), same policy;
 *   guest_vs_process    baseline: a real process per run — fork+exec of the
 *                       program built by plain cc -pthread, waited for.
 *
 * The program is bench/guest/two_threads.c (built by `make bench` into
 * build/bench/guest/ with simk-cc and into build/bench/native/ with cc).
 * Each figure is the best of three, the measurements alternated A B A B.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "scn/scn.h"
#include "sim/engine.h"

#define RUNS 20000
#define PROCESS_RUNS 300

extern char **environ;

static double explore_rate(const struct scn_prog *prog, const char *what)
{
	double t0 = bench_now();
	for (uint64_t seed = 1; seed <= RUNS; seed++) {
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(prog, &o);
		o.seed = seed;
		o.policy = SIMK_POLICY_RANDOM;
		char err[256];
		struct simk *s = simk_create(&o, err, sizeof(err));
		if (s == NULL || scn_instantiate(s, prog, err, sizeof(err)) != 0) {
			fprintf(stderr, "guest_runs: %s: %s\n", what, err);
			exit(1);
		}
		if (simk_run(s) != SIMK_PASS) {
			fprintf(stderr, "guest_runs: %s: seed %llu failed: %s\n", what,
				(unsigned long long)seed, simk_failure_reason(s));
			exit(1);
		}
		simk_destroy(s);
	}
	return RUNS / (bench_now() - t0);
}

static double process_rate(const char *native)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)native, NULL};
	double t0 = bench_now();
	for (int i = 0; i < PROCESS_RUNS; i++) {
		pid_t pid;
		int st;
		if (posix_spawn(&pid, native, &fa, NULL, argv, environ) != 0) {
			fprintf(stderr, "guest_runs: cannot run %s\n", native);
			exit(1);
		}
		while (waitpid(pid, &st, 0) < 0)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "guest_runs: %s failed\n", native);
			exit(1);
		}
	}
	double rate = PROCESS_RUNS / (bench_now() - t0);
	posix_spawn_file_actions_destroy(&fa);
	return rate;
}

static struct scn_prog *load(const char *path)
{
	char err[512];
	struct scn_prog *p = scn_load_args(path, NULL, 0, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "guest_runs: %s\n", err);
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	(void)argc;
	/* build/bench/guest_runs -> build/bench/guest/..., build/bench/native/... */
	char dir[4096], guest[4200], native[4200];
	snprintf(dir, sizeof(dir), "%s", argv[0]);
	char *slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(guest, sizeof(guest), "%s/guest/two_threads", dir);
	snprintf(native, sizeof(native), "%s/native/two_threads", dir);
	simk_register_builtin();
	struct scn_prog *g = load(guest);
	struct scn_prog *scn = load("bench/explore_small.scn");
	double best_g = 0, best_s = 0, best_p = 0;
	for (int r = 0; r < 3; r++) {
		double vg = explore_rate(g, "guest");
		double vs = explore_rate(scn, "scenario");
		double vp = process_rate(native);
		best_g = vg > best_g ? vg : best_g;
		best_s = vs > best_s ? vs : best_s;
		best_p = vp > best_p ? vp : best_p;
	}
	bench_report("guest_runs", best_g, "runs/s", best_s);
	bench_report("guest_vs_process", best_g, "runs/s", best_p);
	scn_free(g);
	scn_free(scn);
	return 0;
}
