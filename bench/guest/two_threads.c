/* The guest version of bench/explore_small.scn: two threads, each adds 1
 * to its own counter five times and yields after each. Built by simk-cc
 * for the guest_runs benchmark, and by plain cc -pthread for its
 * process-per-run baseline. */
#include <pthread.h>
#include <sched.h>

static int a, b;

static void *left(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		a = a + 1;
		sched_yield();
	}
	return NULL;
}

static void *right(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		b = b + 1;
		sched_yield();
	}
	return NULL;
}

int main(void)
{
	pthread_t l, r;
	pthread_create(&l, NULL, left, NULL);
	pthread_create(&r, NULL, right, NULL);
	pthread_join(l, NULL);
	pthread_join(r, NULL);
	return a == 5 && b == 5 ? 0 : 1;
}
