/* sigtimedwait waits only for its set: another signal, unblocked and
 * handled, interrupts it — the handler runs and the call fails with
 * EINTR (never restarted, signal(7)) — while a signal of the set that
 * arrives later is still there for the next call. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t usr2_handled;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_handled++;
}

static void *waiter(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	struct timespec ten = {10, 0};
	errno = 0;
	int r1 = sigtimedwait(&set, NULL, &ten);
	int e1 = errno;
	int r2 = sigtimedwait(&set, NULL, &ten);
	return (void *)(long)(r1 == -1 && e1 == EINTR && usr2_handled == 1 && r2 == SIGUSR1);
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_usr2;
	a.sa_flags = SA_RESTART; /* changes nothing for sigtimedwait */
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGUSR2, &a, NULL) == 0);
	sigset_t b;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &b, NULL) == 0); /* inherited by the waiter */
	pthread_t th;
	CHECK(pthread_create(&th, NULL, waiter, NULL) == 0);
	struct timespec ms = {0, 1000000};
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(pthread_kill(th, SIGUSR2) == 0);
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(pthread_kill(th, SIGUSR1) == 0);
	void *res;
	CHECK(pthread_join(th, &res) == 0);
	CHECK(res == (void *)1L);
	return 0;
}
