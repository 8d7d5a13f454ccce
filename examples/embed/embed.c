/*
 * Embedding simk in a C program with nothing but the public header:
 * two threads take turns on a shared counter; the program prints the
 * outcome and the trace hash. Build (after `make`):
 *   cc -Iinclude examples/embed/embed.c build/libsimk.a -lfiu -lm -o embed
 */
#include <simk/sim.h>
#include <stdio.h>
#include <stdlib.h>

static int counter;

static void worker(void *arg)
{
	const char *name = arg;
	for (int i = 0; i < 3; i++) {
		counter++;
		printf("%8lluns %s: counter=%d\n", (unsigned long long)simk_now_ns(), name, counter);
		simk_sleep_ns(1000);
		simk_yield();
	}
}

int main(int argc, char **argv)
{
	struct simk_opts o;
	simk_opts_default(&o);
	o.seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
	o.policy = SIMK_POLICY_RANDOM;
	char err[128];
	struct simk *s = simk_create(&o, err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "simk_create: %s\n", err);
		return 2;
	}
	struct simk_proc *p = simk_proc_create(s, "demo");
	simk_thread_create(p, "ping", worker, "ping");
	simk_thread_create(p, "pong", worker, "pong");
	enum simk_outcome out = simk_run(s);
	printf("outcome=%d counter=%d hash=%016llx vtime=%lluns\n", (int)out, counter,
	       (unsigned long long)simk_trace_hash(s), (unsigned long long)simk_vtime_ns(s));
	simk_destroy(s);
	return out == SIMK_PASS ? 0 : 1;
}
