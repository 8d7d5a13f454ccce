/*
 * guest_syscall: the cost of one system call made by a guest program
 * (getpid() in bench/guest/getpid_loop.c: the runtime's entry, the one
 * entry path with its trace events and two switch points, the kernel's
 * handler) against the same real Linux call made by this process, measured
 * in the same run, alternating with it (bench/bench.h: CPU time, A B A B,
 * median and spread). The guest figure is the difference of two runs of
 * the program — N calls and none — divided by N, so loading, the process
 * and the run's set-up are not counted.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "scn/scn.h"
#include "sim/engine.h"
#include "syscalls/builtin.h"

#define CALLS 200000

static double run_seconds(const char *path, const char *arg)
{
	char err[512];
	const char *args[] = {arg};
	struct scn_prog *p = scn_load_args(path, args, 1, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "guest_syscall: %s\n", err);
		exit(1);
	}
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	o.max_steps = 100 * (uint64_t)CALLS;
	double t0 = bench_cpu();
	simk_destroy(bench_sim_run("guest_syscall", p, &o, true));
	double el = bench_cpu() - t0;
	scn_free(p);
	return el;
}

static double real_ns(void *arg)
{
	(void)arg;
	double t0 = bench_cpu();
	long sum = 0;
	for (int i = 0; i < CALLS; i++)
		sum += syscall(SYS_getpid);
	double el = bench_cpu() - t0;
	if (sum == 0)
		exit(1);
	return el * 1e9 / CALLS;
}

static const char *g_path;
static char g_n[32];

static double guest_ns(void *arg)
{
	(void)arg;
	return (run_seconds(g_path, g_n) - run_seconds(g_path, "0")) * 1e9 / CALLS;
}

int main(int argc, char **argv)
{
	(void)argc;
	static char path[4200];
	snprintf(path, sizeof(path), "%s", argv[0]);
	char *slash = strrchr(path, '/');
	if (slash != NULL)
		snprintf(slash, sizeof(path) - (size_t)(slash - path), "/guest/getpid_loop");
	simk_register_builtin();
	g_path = path;
	snprintf(g_n, sizeof(g_n), "%d", CALLS);
	bench_ab_run("guest_syscall", "ns/call", bench_rounds(), real_ns, guest_ns, NULL);
	return 0;
}
