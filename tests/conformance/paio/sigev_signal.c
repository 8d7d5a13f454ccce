/*
 * SIGEV_SIGNAL (POSIX aio_read: "the signal is generated when the
 * operation completes"; LTP aio_read/aio_write 5-1, lio_listio 4-1): the
 * signal comes with si_code SI_ASYNCIO and si_value the sigev_value, after
 * the result is in place. Caught by an SA_SIGINFO handler (which finds
 * aio_error 0) and taken by sigwaitinfo with the signal blocked; a
 * LIO_NOWAIT list's signal comes once, after every entry ended. A signal
 * whose action is the default one ends the process; that is not done
 * here.
 */
#include <aio.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static struct aiocb cb;
static volatile sig_atomic_t caught;
static volatile int caught_code, caught_error;
static void *volatile caught_value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	CHECK(sig == SIGUSR1);
	caught_code = si->si_code;
	caught_value = si->si_value.sival_ptr;
	caught_error = aio_error(&cb);
	caught++;
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	static char buf[64];

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	cb.aio_fildes = fd;
	cb.aio_buf = buf;
	cb.aio_nbytes = sizeof(buf);
	cb.aio_sigevent.sigev_notify = SIGEV_SIGNAL;
	cb.aio_sigevent.sigev_signo = SIGUSR1;
	cb.aio_sigevent.sigev_value.sival_ptr = &cb;
	CHECK(aio_write(&cb) == 0);
	while (!caught)
		usleep(100); /* the handler runs on the way back from a call */
	CHECK(caught == 1);
	CHECK(caught_code == SI_ASYNCIO);
	CHECK(caught_value == &cb);
	CHECK(caught_error == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(buf));

	/* blocked and waited for */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	cb.aio_sigevent.sigev_signo = SIGUSR2;
	cb.aio_sigevent.sigev_value.sival_int = 1234;
	CHECK(aio_read(&cb) == 0);
	siginfo_t si;
	CHECK(sigwaitinfo(&set, &si) == SIGUSR2);
	CHECK(si.si_code == SI_ASYNCIO && si.si_value.sival_int == 1234);
	CHECK(aio_error(&cb) == 0 && aio_return(&cb) == (ssize_t)sizeof(buf));

	/* a list: one signal, after both entries */
	struct aiocb a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.aio_fildes = b.aio_fildes = fd;
	a.aio_buf = buf;
	b.aio_buf = buf + 32;
	a.aio_nbytes = b.aio_nbytes = 32;
	b.aio_offset = 32;
	a.aio_lio_opcode = b.aio_lio_opcode = LIO_WRITE;
	struct aiocb *list[2] = {&a, &b};
	struct sigevent sig;
	memset(&sig, 0, sizeof(sig));
	sig.sigev_notify = SIGEV_SIGNAL;
	sig.sigev_signo = SIGUSR2;
	sig.sigev_value.sival_int = 77;
	CHECK(lio_listio(LIO_NOWAIT, list, 2, &sig) == 0);
	CHECK(sigwaitinfo(&set, &si) == SIGUSR2);
	CHECK(si.si_code == SI_ASYNCIO && si.si_value.sival_int == 77);
	CHECK(aio_error(&a) == 0 && aio_error(&b) == 0);
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&set, &si, &zero), EAGAIN); /* once */
	CHECK(aio_return(&a) == 32 && aio_return(&b) == 32);
	return 0;
}
