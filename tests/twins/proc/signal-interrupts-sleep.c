/* Twin of scenarios/signal-interrupts-sleep.scn: a signal ends an
 * interruptible sleep. The sleeper waits in pause() (a sleep nobody
 * ends but a signal); 1 ms later the sender sends it SIGUSR1 with
 * pthread_kill. pause returns -1 EINTR at 1 ms (plus the cost of a few
 * steps) after the handler ran in the sleeper, on every schedule. With
 * SIGUSR1 blocked instead, the sleeper takes it with sigwait — still
 * pending until taken, as the scenario's sigpending/sigtake check. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t handled_in_sleeper;
static pthread_t sleeper_th;

static void h(int sig)
{
	(void)sig;
	handled_in_sleeper = pthread_equal(pthread_self(), sleeper_th);
}

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *sleeper(void *arg)
{
	long t0 = (long)arg;
	CHECK_ERR(pause(), EINTR);
	long t = now_ns() - t0;
	CHECK(t >= 1000000L && t < 1010000L);
	CHECK(handled_in_sleeper);
	/* blocked this time: pending until the sleeper takes it */
	sigset_t s, p;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &s, NULL) == 0);
	int sig = 0;
	CHECK(sigwait(&s, &sig) == 0 && sig == SIGUSR1);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	return NULL;
}

static void *sender(void *arg)
{
	(void)arg;
	struct timespec ms = {0, 1000000};
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(pthread_kill(sleeper_th, SIGUSR1) == 0);
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(pthread_kill(sleeper_th, SIGUSR1) == 0);
	return NULL;
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR);
	pthread_t s;
	long t0 = now_ns();
	CHECK(pthread_create(&sleeper_th, NULL, sleeper, (void *)t0) == 0);
	CHECK(pthread_create(&s, NULL, sender, NULL) == 0);
	CHECK(pthread_join(sleeper_th, NULL) == 0 && pthread_join(s, NULL) == 0);
	printf("ok\n");
	return 0;
}
