/*
 * event_queue: the CPU cost of one timed event scheduled and fired by the
 * engine (a thread arms a batch of events at pseudo-random times, then
 * sleeps while the idle loop fires them all), against a textbook binary
 * heap of plain 64-bit keys doing the same pushes and pops, alternating
 * with it in the same run (bench/bench.h).
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "sim/engine.h"
#include "sim/rng.h"

#define BATCH 1024
#define ROUNDS 500

static struct sim_event evs[BATCH];
static uint64_t fired;

static void on_fire(struct sim_event *ev)
{
	(void)ev;
	fired++;
}

static void arm_and_wait(void *arg)
{
	(void)arg;
	struct rng r;
	rng_seed(&r, 42, 1);
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < BATCH; i++)
			event_schedule_in(&evs[i], 1 + rng_below(&r, 1000000));
		thread_prepare_sleep("bench", false);
		thread_sleep(2000000); /* every event fires before this timeout */
	}
}

/* CPU ns per event. */
static double engine_ns(void *arg)
{
	(void)arg;
	struct simk_opts o;
	simk_opts_default(&o);
	o.max_steps = 100000000;
	struct simk *s = simk_create(&o, NULL, 0);
	for (int i = 0; i < BATCH; i++)
		event_init(&evs[i], "bench", on_fire, NULL);
	struct simk_proc *p = simk_proc_create(s, "bench");
	simk_thread_create(p, "armer", arm_and_wait, NULL);
	fired = 0;
	double t0 = bench_cpu();
	simk_run(s);
	double dt = bench_cpu() - t0;
	simk_destroy(s);
	return dt * 1e9 / (double)fired;
}

static uint64_t heap[BATCH];
static size_t hlen;

static void hpush(uint64_t k)
{
	size_t i = hlen++;
	while (i > 0 && heap[(i - 1) / 2] > k) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = k;
}

static uint64_t hpop(void)
{
	uint64_t top = heap[0], last = heap[--hlen];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1;
		if (l >= hlen)
			break;
		size_t m = (l + 1 < hlen && heap[l + 1] < heap[l]) ? l + 1 : l;
		if (heap[m] >= last)
			break;
		heap[i] = heap[m];
		i = m;
	}
	heap[i] = last;
	return top;
}

/* CPU ns per push and pop. */
static double baseline_ns(void *arg)
{
	(void)arg;
	struct rng r;
	rng_seed(&r, 42, 1);
	uint64_t sum = 0;
	double t0 = bench_cpu();
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < BATCH; i++)
			hpush(1 + rng_below(&r, 1000000));
		while (hlen > 0)
			sum += hpop();
	}
	double dt = bench_cpu() - t0;
	if (sum == 42)
		puts("");
	return dt * 1e9 / ((double)ROUNDS * BATCH);
}

int main(void)
{
	bench_ab_run("event_queue", "ns/event", bench_rounds(), baseline_ns, engine_ns, NULL);
	return 0;
}
