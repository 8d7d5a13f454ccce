/* Lost wake-up: the consumer tests the flag outside the mutex and then
 * waits; the producer's signal can come in between and nobody wakes the
 * consumer again (a deadlock report names both waits). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static atomic_int ready;

static void *consumer(void *arg)
{
	(void)arg;
	if (!atomic_load(&ready)) {
		pthread_mutex_lock(&m);
		pthread_cond_wait(&cv, &m); /* the bug: no re-check under the lock */
		pthread_mutex_unlock(&m);
	}
	puts("consumer: ready");
	return NULL;
}

static void *producer(void *arg)
{
	(void)arg;
	atomic_store(&ready, 1);
	pthread_mutex_lock(&m);
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t c, p;
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(c, NULL);
	pthread_join(p, NULL);
	return 0;
}
