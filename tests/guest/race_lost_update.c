/* Lost update on a plain int: two threads increment a counter without a
 * lock. Built with simk-cc --race (every shared load and store is a switch
 * point), explore finds a schedule where an increment is lost. */
#include <pthread.h>
#include <stdio.h>

static int counter;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++)
		counter++; /* the race: load, add, store */
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, worker, NULL);
	pthread_create(&b, NULL, worker, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("counter = %d\n", counter);
	return counter == 4 ? 0 : 1;
}
