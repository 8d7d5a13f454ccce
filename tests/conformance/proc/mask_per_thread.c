/* Signal masks are per thread: a thread that blocks SIGUSR1 changes only
 * its own mask (main's stays empty); a signal directed at that thread
 * stays pending for it — visible in its sigpending, not in main's — and
 * runs in it when it unblocks. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t ran_in_worker, ran_in_main;
static pthread_t worker_th, main_th;
static volatile sig_atomic_t blocked, go;

static void h(int sig)
{
	(void)sig;
	if (pthread_equal(pthread_self(), worker_th))
		ran_in_worker++;
	if (pthread_equal(pthread_self(), main_th))
		ran_in_main++;
}

static void *worker(void *arg)
{
	(void)arg;
	sigset_t b, p;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &b, NULL);
	blocked = 1;
	struct timespec ms = {0, 1000000};
	while (!go)
		nanosleep(&ms, NULL);
	int pending = sigpending(&p) == 0 && sigismember(&p, SIGUSR1);
	int before = ran_in_worker;
	pthread_sigmask(SIG_UNBLOCK, &b, NULL);
	return (void *)(long)(pending && before == 0 && ran_in_worker == 1);
}

int main(void)
{
	main_th = pthread_self();
	CHECK(signal(SIGUSR1, h) != SIG_ERR);
	CHECK(pthread_create(&worker_th, NULL, worker, NULL) == 0);
	struct timespec ms = {0, 1000000};
	while (!blocked)
		CHECK(nanosleep(&ms, NULL) == 0);
	sigset_t cur, p;
	CHECK(pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0 && !sigismember(&cur, SIGUSR1));
	CHECK(pthread_kill(worker_th, SIGUSR1) == 0);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	go = 1;
	void *res;
	CHECK(pthread_join(worker_th, &res) == 0);
	CHECK(res == (void *)1L && ran_in_main == 0);
	return 0;
}
