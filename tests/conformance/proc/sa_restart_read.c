/* A read blocked on an empty pipe and interrupted by a signal whose
 * handler has SA_RESTART starts again and returns the data written
 * later; without SA_RESTART it fails with EINTR after the handler ran
 * (signal(7): read on a slow device is restartable). */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int fds[2];
static volatile sig_atomic_t handled;

static void h(int sig)
{
	(void)sig;
	handled++;
}

static void *reader(void *arg)
{
	(void)arg;
	char c;
	errno = 0;
	long r = read(fds[0], &c, 1);
	return (void *)(r == 1 ? (long)c : -(long)errno);
}

static long run(int flags)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = h;
	a.sa_flags = flags;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, reader, NULL) == 0);
	struct timespec ms = {0, 1000000};
	CHECK(nanosleep(&ms, NULL) == 0); /* the reader blocks */
	CHECK(pthread_kill(th, SIGUSR1) == 0);
	CHECK(nanosleep(&ms, NULL) == 0); /* its handler runs */
	CHECK(write(fds[1], "z", 1) == 1);
	void *res;
	CHECK(pthread_join(th, &res) == 0);
	return (long)res;
}

int main(void)
{
	CHECK(pipe(fds) == 0);
	CHECK(run(SA_RESTART) == 'z');
	CHECK(handled == 1);
	CHECK(run(0) == -EINTR);
	CHECK(handled == 2);
	char c;
	CHECK(read(fds[0], &c, 1) == 1 && c == 'z'); /* the byte nobody took */
	return 0;
}
