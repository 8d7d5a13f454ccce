/*
 * guest_laio: the host CPU cost of one Linux AIO round trip (io_submit of
 * a buffered 4 KiB pwrite, io_getevents of its event) made by a guest
 * program through libaio's interface (bench/guest/laio_roundtrip.c), in
 * the same run as its two baselines, alternating with each (bench/bench.h:
 * CPU time, A B A B, median ratio and spread):
 *  - guest_laio_vs_scenario: the same two calls as scenario operations
 *    (io_submit / io_getevents of the scenario language) on the same
 *    simulated kernel — what the guest runtime adds;
 *  - guest_laio_vs_real: the host's libaio doing the same on a file in
 *    tmpfs (/dev/shm or $SIMK_BENCH_TMPFS: a copy into a page cache, no
 *    device wait), as bench/aio_roundtrip.c measures it.
 * Simulated figures are the difference of two runs — N round trips and
 * none — divided by N, so loading, the mount and the run's set-up are not
 * counted.
 */
#include <fcntl.h>
#include <libaio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_sim.h"
#include "scn/scn.h"
#include "sim/engine.h"
#include "syscalls/builtin.h"

#define OPS 20000
#define TMPFS_MAGIC_NR 0x01021994

static double run_prog(struct scn_prog *p)
{
	struct simk_opts o;
	simk_opts_default(&o);
	scn_apply_options(p, &o);
	o.max_steps = 1ull << 40;
	o.trace_tail_off = true; /* as explore runs: the trace is hashed, not kept */
	double t0 = bench_cpu();
	simk_destroy(bench_sim_run("guest_laio", p, &o, true));
	return bench_cpu() - t0;
}

/* ---- the guest ---- */

static const char *guest_path;

static double guest_seconds(const char *n)
{
	char err[512];
	const char *args[] = {n};
	struct scn_prog *p = scn_load_args(guest_path, args, 1, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "guest_laio: %s\n", err);
		exit(1);
	}
	double s = run_prog(p);
	scn_free(p);
	return s;
}

static double guest_ns(void *arg)
{
	(void)arg;
	char n[32];
	snprintf(n, sizeof(n), "%d", OPS);
	return (guest_seconds(n) - guest_seconds("0")) * 1e9 / OPS;
}

/* ---- the scenario ---- */

static double scenario_seconds(long n)
{
	char text[1024], err[512];
	int len = snprintf(text, sizeof(text),
			   "seed 1\n"
			   "device disk\n"
			   "fs root disk\n"
			   "thread app\n"
			   "  local ctx = io_setup 64\n"
			   "  local fd = open \"/bench\" O_CREAT + O_RDWR\n"
			   "  local cb = iocb IOCB_CMD_PWRITE fd len=4096 data=1\n"
			   "  repeat %ld\n"
			   "    local r = io_submit ctx cb\n"
			   "    local k = io_getevents ctx 1 1\n"
			   "  local d = io_destroy ctx\n"
			   "  d = close fd\n",
			   n);
	struct scn_prog *p = scn_parse("laio_roundtrip.scn", text, (size_t)len, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "guest_laio: %s\n", err);
		exit(1);
	}
	double s = run_prog(p);
	scn_free(p);
	return s;
}

static double scenario_ns(void *arg)
{
	(void)arg;
	return (scenario_seconds(OPS) - scenario_seconds(0)) * 1e9 / OPS;
}

/* ---- the host's libaio ---- */

static const char *real_dir;

static const char *find_tmpfs(void)
{
	const char *cand[] = {getenv("SIMK_BENCH_TMPFS"), "/dev/shm"};
	for (int i = 0; i < 2; i++) {
		struct statfs sf;
		if (cand[i] != NULL && statfs(cand[i], &sf) == 0 &&
		    (unsigned long)sf.f_type == TMPFS_MAGIC_NR && access(cand[i], W_OK) == 0)
			return cand[i];
	}
	return NULL;
}

static double real_ns(void *arg)
{
	(void)arg;
	char path[4096];
	snprintf(path, sizeof(path), "%s/simk-laio-bench-XXXXXX", real_dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("guest_laio: mkstemp");
		exit(1);
	}
	unlink(path);
	static char buf[4096];
	io_context_t ctx = 0;
	if (io_setup(64, &ctx) != 0) {
		fprintf(stderr, "guest_laio: io_setup failed\n");
		exit(1);
	}
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	struct io_event ev;
	double dt = 0;
	for (int pass = 0; pass < 2; pass++) { /* a warm-up pass fills the cache */
		double t0 = bench_cpu();
		for (long i = 0; i < OPS; i++) {
			if (io_submit(ctx, 1, list) != 1 ||
			    io_getevents(ctx, 1, 1, &ev, NULL) != 1 || ev.res != sizeof(buf)) {
				fprintf(stderr, "guest_laio: a real round trip failed\n");
				exit(1);
			}
		}
		dt = bench_cpu() - t0;
	}
	io_destroy(ctx);
	close(fd);
	return dt * 1e9 / OPS;
}

int main(int argc, char **argv)
{
	(void)argc;
	static char path[4200];
	snprintf(path, sizeof(path), "%s", argv[0]);
	char *slash = strrchr(path, '/');
	if (slash != NULL)
		snprintf(slash, sizeof(path) - (size_t)(slash - path), "/guest/laio_roundtrip");
	guest_path = path;
	simk_register_builtin();
	printf("# guest_laio: %d round trips (buffered 4 KiB pwrite, submit + reap)\n", OPS);
	bench_ab_run("guest_laio_vs_scenario", "ns/op", bench_rounds(), scenario_ns, guest_ns,
		     NULL);
	real_dir = find_tmpfs();
	if (real_dir == NULL) {
		fprintf(stderr, "guest_laio: no tmpfs for the real side (/dev/shm, or set "
				"SIMK_BENCH_TMPFS to a tmpfs directory)\n");
		return 1;
	}
	bench_ab_run("guest_laio_vs_real", "ns/op", bench_rounds(), real_ns, guest_ns, NULL);
	return 0;
}
