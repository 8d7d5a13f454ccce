/* exit() from one thread while the others wait in pthread primitives: the
 * process ends with that status, as Linux's exit_group does — every other
 * thread is ended wherever it waits (docs/guest.md, "Signals": the waits
 * of pthread primitives are killable). argv[1] names where main waits,
 * argv[2] is the status. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int status;

static void *exiter(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 1000000}; /* main is waiting by then */
	nanosleep(&ts, NULL);
	exit(status);
}

static void forever(void)
{
	for (;;) {
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
}

static void *writer(void *arg)
{
	(void)arg;
	pthread_rwlock_wrlock(&rw);
	forever();
	return NULL;
}

static void in_once(void)
{
	pthread_t t;
	pthread_create(&t, NULL, exiter, NULL);
	forever(); /* main stays inside its own once routine */
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *where = argv[1];
	status = atoi(argv[2]);
	pthread_barrier_init(&bar, NULL, 2);
	if (strcmp(where, "once") == 0) {
		pthread_once(&once, in_once);
		return 1;
	}
	pthread_t t;
	if (strcmp(where, "join") == 0) {
		pthread_create(&t, NULL, exiter, NULL);
		pthread_join(t, NULL);
	} else if (strcmp(where, "mutex") == 0) {
		pthread_mutex_lock(&m);
		pthread_create(&t, NULL, exiter, NULL);
		pthread_mutex_lock(&m); /* a normal mutex: waits for itself */
	} else if (strcmp(where, "cond") == 0) {
		pthread_create(&t, NULL, exiter, NULL);
		pthread_mutex_lock(&m);
		pthread_cond_wait(&c, &m);
	} else if (strcmp(where, "rwlock") == 0) {
		pthread_t w;
		pthread_create(&w, NULL, writer, NULL);
		struct timespec ts = {0, 100000}; /* the writer holds it by then */
		nanosleep(&ts, NULL);
		pthread_create(&t, NULL, exiter, NULL);
		pthread_rwlock_rdlock(&rw);
	} else if (strcmp(where, "barrier") == 0) {
		pthread_create(&t, NULL, exiter, NULL);
		pthread_barrier_wait(&bar);
	}
	return 1; /* not reached: the exiter ended the process */
}
