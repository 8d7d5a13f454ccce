/*
 * "Normal asynchronous notification shall occur for asynchronously
 * canceled operations" (POSIX aio_cancel; LTP aio_cancel 3-1): a read
 * blocked on a pipe with SIGEV_THREAD, and one with SIGEV_SIGNAL, are
 * canceled; each notification still comes, once, and finds the request
 * ended with ECANCELED. The signal is caught by a handler: a process's
 * signal may be taken by any thread that does not block it, the
 * SIGEV_THREAD thread included (as with glibc, whose notification threads
 * run with no signal blocked).
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static struct aiocb t, s;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int thread_calls, thread_error;
static volatile sig_atomic_t sig_calls;
static volatile int sig_code, sig_value, sig_error;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sig_code = si->si_code;
	sig_value = si->si_value.sival_int;
	sig_error = aio_error(&s);
	sig_calls++;
}

static void on_done(union sigval v)
{
	CHECK(v.sival_ptr == &t);
	pthread_mutex_lock(&m);
	thread_error = aio_error(&t);
	thread_calls++;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
}

int main(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	static char b1[4], b2[4];
	t.aio_fildes = s.aio_fildes = p[0];
	t.aio_buf = b1;
	s.aio_buf = b2;
	t.aio_nbytes = s.aio_nbytes = sizeof(b1);
	t.aio_sigevent.sigev_notify = SIGEV_THREAD;
	t.aio_sigevent.sigev_notify_function = on_done;
	t.aio_sigevent.sigev_value.sival_ptr = &t;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	s.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	s.aio_sigevent.sigev_signo = SIGUSR1;
	s.aio_sigevent.sigev_value.sival_int = 21;
	CHECK(aio_read(&t) == 0);
	CHECK(aio_read(&s) == 0);
	usleep(1000); /* both wait in the pipe */
	CHECK(aio_cancel(p[0], NULL) == AIO_CANCELED);

	pthread_mutex_lock(&m);
	while (thread_calls == 0)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	CHECK(thread_error == ECANCELED);
	while (sig_calls == 0)
		usleep(100);
	CHECK(sig_code == SI_ASYNCIO && sig_value == 21 && sig_error == ECANCELED);
	usleep(1000);
	CHECK(thread_calls == 1 && sig_calls == 1);
	CHECK_ERR(aio_return(&t), ECANCELED);
	CHECK_ERR(aio_return(&s), ECANCELED);
	return 0;
}
