/*
 * guest_runs: the CPU cost of one run of a two-thread guest program in one
 * process, as `simk explore ./prog` makes it (load once; per seed: create
 * the simulation, instantiate — restore the globals, empty heap, new
 * process — run, destroy), against two baselines, each alternating with it
 * in the same run (bench/bench.h: CPU time, A B A B, median and spread):
 *
 *   guest_runs          baseline: the same program in the scenario
 *                       language (bench/explore_small.scn), same policy;
 *   guest_vs_process    baseline: a real process per run — fork+exec of the
 *                       program built by plain cc -pthread, waited for.
 *
 * The program is bench/guest/two_threads.c (built by `make bench` into
 * build/bench/guest/ with simk-cc and into build/bench/native/ with cc).
 * The process baseline counts the CPU of this process and of its children
 * (getrusage), so fork, exec and the program's own run are all in it.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "scn/scn.h"
#include "sim/engine.h"
#include "syscalls/builtin.h"

#define RUNS 4000
#define PROCESS_RUNS 100

extern char **environ;

/* CPU ns per run of prog as explore makes it. */
static double explore_ns(const struct scn_prog *prog, const char *what)
{
	static uint64_t seed_next;
	double t0 = bench_cpu();
	for (int i = 0; i < RUNS; i++) {
		uint64_t seed = ++seed_next;
		struct simk_opts o;
		simk_opts_default(&o);
		scn_apply_options(prog, &o);
		o.seed = seed;
		o.policy = SIMK_POLICY_RANDOM;
		o.trace_tail_off = true; /* as explore runs: the hash only */
		simk_destroy(bench_sim_run(what, prog, &o, true));
	}
	return (bench_cpu() - t0) * 1e9 / RUNS;
}

static double children_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* CPU ns per run of the native program as a process of its own. */
static double process_ns(const char *native)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)native, NULL};
	double t0 = bench_cpu(), c0 = children_cpu();
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
	double ns = ((bench_cpu() - t0) + (children_cpu() - c0)) * 1e9 / PROCESS_RUNS;
	posix_spawn_file_actions_destroy(&fa);
	return ns;
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

static struct scn_prog *g_guest, *g_scn;
static const char *g_native;

static double guest_fn(void *arg)
{
	(void)arg;
	return explore_ns(g_guest, "guest_runs: guest");
}

static double scn_fn(void *arg)
{
	(void)arg;
	return explore_ns(g_scn, "guest_runs: scenario");
}

static double process_fn(void *arg)
{
	(void)arg;
	return process_ns(g_native);
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
	g_guest = load(guest);
	g_scn = load("bench/explore_small.scn");
	g_native = native;
	bench_ab_run("guest_runs", "ns/run", bench_rounds(), scn_fn, guest_fn, NULL);
	bench_ab_run("guest_vs_process", "ns/run", bench_rounds(), process_fn, guest_fn, NULL);
	scn_free(g_guest);
	scn_free(g_scn);
	return 0;
}
