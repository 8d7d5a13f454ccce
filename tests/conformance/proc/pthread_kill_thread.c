/* pthread_kill directs a signal at one thread: the handler runs in that
 * thread (pthread_self inside it is the target) and interrupts its
 * sleep; the sender's own sleep is untouched. Signal 0 checks the
 * thread exists; a bad number is EINVAL; pthread_kill returns error
 * numbers, not -1. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pthread_t volatile ran_in;
static volatile sig_atomic_t handled;

static void h(int sig)
{
	(void)sig;
	ran_in = pthread_self();
	handled++;
}

static void *worker(void *arg)
{
	(void)arg;
	struct timespec t = {60, 0};
	int r = nanosleep(&t, NULL);
	return (void *)(long)(r == -1 && errno == EINTR);
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, worker, NULL) == 0);
	CHECK(pthread_kill(th, 0) == 0);
	CHECK(pthread_kill(th, 65) == EINVAL);
	CHECK(pthread_kill(th, -1) == EINVAL);
	struct timespec ms = {0, 1000000};
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(pthread_kill(th, SIGUSR1) == 0);
	struct timespec t = {0, 5000000}, rem = {0, 0};
	CHECK(nanosleep(&t, &rem) == 0); /* not interrupted: not its signal */
	void *res;
	CHECK(pthread_join(th, &res) == 0);
	CHECK(res == (void *)1L);
	CHECK(handled == 1 && pthread_equal(ran_in, th));
	return 0;
}
