/* Mutexes (normal, errorcheck, recursive; trylock, timedlock), condition
 * variables with timed waits on the virtual clock, rwlocks, barriers,
 * spin locks. */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static int stage, arrived_serial;

static struct timespec in_ms(int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	stage = 1;
	pthread_cond_broadcast(&cv);
	while (stage != 2)
		pthread_cond_wait(&cv, &m);
	usleep(50000); /* hold m for 50 ms of virtual time */
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	CHECK(pthread_rwlock_rdlock(&rw) == 0);
	CHECK(pthread_rwlock_unlock(&rw) == 0);
	if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
		arrived_serial++;
	return NULL;
}

int main(void)
{
	/* errorcheck */
	pthread_mutexattr_t ma;
	pthread_mutex_t ec, rec;
	CHECK(pthread_mutexattr_init(&ma) == 0);
	CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK) == 0);
	CHECK(pthread_mutex_init(&ec, &ma) == 0);
	CHECK(pthread_mutex_lock(&ec) == 0);
	CHECK(pthread_mutex_lock(&ec) == EDEADLK);
	CHECK(pthread_mutex_trylock(&ec) == EBUSY);
	CHECK(pthread_mutex_unlock(&ec) == 0);
	CHECK(pthread_mutex_unlock(&ec) == EPERM);
	CHECK(pthread_mutex_destroy(&ec) == 0);
	/* recursive */
	CHECK(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE) == 0);
	int type;
	CHECK(pthread_mutexattr_gettype(&ma, &type) == 0 && type == PTHREAD_MUTEX_RECURSIVE);
	CHECK(pthread_mutex_init(&rec, &ma) == 0);
	CHECK(pthread_mutex_lock(&rec) == 0 && pthread_mutex_lock(&rec) == 0);
	CHECK(pthread_mutex_trylock(&rec) == 0);
	CHECK(pthread_mutex_unlock(&rec) == 0 && pthread_mutex_unlock(&rec) == 0);
	CHECK(pthread_mutex_unlock(&rec) == 0);
	CHECK(pthread_mutex_unlock(&rec) == EPERM);
	CHECK(pthread_mutex_destroy(&rec) == 0);
	CHECK(pthread_mutexattr_destroy(&ma) == 0);

	/* a timed wait with nobody to signal times out on the virtual clock */
	struct timespec t0, t1;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	pthread_mutex_lock(&m);
	struct timespec dl = in_ms(20);
	CHECK(pthread_cond_timedwait(&cv, &m, &dl) == ETIMEDOUT);
	pthread_mutex_unlock(&m);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	long waited = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
	CHECK(waited >= 20000000L);

	/* trylock and timedlock against a holder */
	pthread_t h;
	CHECK(pthread_create(&h, NULL, holder, NULL) == 0);
	pthread_mutex_lock(&m);
	while (stage != 1)
		pthread_cond_wait(&cv, &m);
	stage = 2;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&m);
	usleep(1000);
	CHECK(pthread_mutex_trylock(&m) == EBUSY);
	dl = in_ms(10);
	CHECK(pthread_mutex_timedlock(&m, &dl) == ETIMEDOUT);
	dl = in_ms(1000);
	CHECK(pthread_mutex_timedlock(&m, &dl) == 0);
	CHECK(pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_join(h, NULL) == 0);

	/* rwlock: readers share, a writer excludes */
	CHECK(pthread_rwlock_rdlock(&rw) == 0);
	CHECK(pthread_rwlock_tryrdlock(&rw) == 0);
	CHECK(pthread_rwlock_trywrlock(&rw) == EBUSY);
	dl = in_ms(5);
	CHECK(pthread_rwlock_timedwrlock(&rw, &dl) == ETIMEDOUT);
	CHECK(pthread_rwlock_unlock(&rw) == 0 && pthread_rwlock_unlock(&rw) == 0);
	CHECK(pthread_rwlock_wrlock(&rw) == 0);
	CHECK(pthread_rwlock_tryrdlock(&rw) == EBUSY);
	CHECK(pthread_rwlock_unlock(&rw) == 0);

	/* barrier: exactly one serial thread */
	CHECK(pthread_barrier_init(&bar, NULL, 3) == 0);
	pthread_t r[2];
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&r[i], NULL, reader, NULL) == 0);
	if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
		arrived_serial++;
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(r[i], NULL) == 0);
	CHECK(arrived_serial == 1);
	CHECK(pthread_barrier_destroy(&bar) == 0);
	CHECK(pthread_barrier_init(&bar, NULL, 0) == EINVAL);

	pthread_spinlock_t sl;
	CHECK(pthread_spin_init(&sl, PTHREAD_PROCESS_PRIVATE) == 0);
	CHECK(pthread_spin_lock(&sl) == 0 && pthread_spin_trylock(&sl) == EBUSY);
	CHECK(pthread_spin_unlock(&sl) == 0 && pthread_spin_destroy(&sl) == 0);
	puts("sync ok");
	return 0;
}
