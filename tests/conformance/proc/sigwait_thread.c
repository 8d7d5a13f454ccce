/* The signal-handling-thread pattern: every thread blocks SIGUSR1 and
 * SIGTERM, one thread loops in sigwait and counts what it receives while
 * main sends signals to the process with kill(); each signal reaches the
 * waiting thread (a blocked signal is taken by sigwait), no handler is
 * involved, and SIGTERM ends the loop. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static sigset_t set;
static int usr1_count;

static void *waiter(void *arg)
{
	(void)arg;
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			return (void *)-1L;
		if (sig == SIGTERM)
			return (void *)(long)usr1_count;
		usr1_count++;
	}
}

int main(void)
{
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, waiter, NULL) == 0);
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 3; i++) {
		CHECK(kill(getpid(), SIGUSR1) == 0);
		CHECK(nanosleep(&ms, NULL) == 0); /* one at a time: they would merge */
	}
	CHECK(kill(getpid(), SIGTERM) == 0);
	void *res;
	CHECK(pthread_join(th, &res) == 0);
	CHECK(res == (void *)3L);
	return 0;
}
