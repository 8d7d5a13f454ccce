/* A new thread starts with its creator's signal mask. A signal sent to
 * the process is taken by a thread that does not block it: here the one
 * thread that unblocked SIGUSR1, whose pause() it ends, while main, which
 * blocks it, never runs the handler. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pthread_t volatile ran_in;
static volatile sig_atomic_t inherited_ok;

static void h(int sig)
{
	(void)sig;
	ran_in = pthread_self();
}

static void *taker(void *arg)
{
	(void)arg;
	sigset_t cur, u;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	inherited_ok = sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGHUP);
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &u, NULL);
	int r = pause();
	return (void *)(long)(r == -1 && errno == EINTR);
}

int main(void)
{
	CHECK(signal(SIGUSR1, h) != SIG_ERR);
	sigset_t b;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR1);
	sigaddset(&b, SIGHUP);
	CHECK(pthread_sigmask(SIG_BLOCK, &b, NULL) == 0);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, taker, NULL) == 0);
	struct timespec ms = {0, 1000000};
	CHECK(nanosleep(&ms, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	void *res;
	CHECK(pthread_join(th, &res) == 0);
	CHECK(inherited_ok);
	CHECK(res == (void *)1L && pthread_equal(ran_in, th));
	sigset_t p;
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	return 0;
}
