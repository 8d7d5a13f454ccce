/*
 * Twin of scenarios/paio/lio-nowait-notify.scn: lio_listio(LIO_NOWAIT)
 * with a signal for the whole list, while entries start completing as
 * later ones are still being queued, and the last completion races the
 * list's notification. The list is held by the submitter until every
 * entry is queued, so the signal comes exactly once, after the last entry
 * ended: whoever takes it finds every entry done. Two threads run such
 * lists at once, each with its own real-time signal (both blocked in both
 * threads; each takes its own with sigwaitinfo). Differences: simk's
 * default pool instead of the scenario's two workers.
 *
 * Argument forbid=early / forbid=late fails the run when the first list's
 * signal was already pending / not yet pending when its lio_listio call
 * returned (both happen: the entries may all complete while the call is
 * still queuing).
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int fd;
static struct aiocb a[3], b[2];

/* Submits the list with signal sig and value v; takes the signal; checks
 * every entry ended first and no second signal comes. Returns whether the
 * signal was pending when lio_listio returned. */
static int run_list(struct aiocb *cbs, int n, int sig, int v)
{
	struct aiocb *list[3];
	for (int i = 0; i < n; i++)
		list[i] = &cbs[i];
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = v;
	CHECK(lio_listio(LIO_NOWAIT, list, n, &sev) == 0);
	sigset_t pending;
	CHECK(sigpending(&pending) == 0);
	int early = sigismember(&pending, sig);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	siginfo_t si;
	CHECK(sigwaitinfo(&one, &si) == sig);
	CHECK(si.si_code == SI_ASYNCIO && si.si_value.sival_int == v);
	for (int i = 0; i < n; i++)
		CHECK(cbs[i].aio_lio_opcode == LIO_NOP || aio_error(&cbs[i]) != EINPROGRESS);
	usleep(200);
	struct timespec zero = {0, 0};
	CHECK_ERR(sigtimedwait(&one, &si, &zero), EAGAIN); /* never a second one */
	return early;
}

static void *lister_b(void *arg)
{
	(void)arg;
	static char buf[512];
	b[0].aio_fildes = fd;
	b[0].aio_buf = buf;
	b[0].aio_nbytes = 512;
	b[0].aio_offset = 1024;
	b[0].aio_lio_opcode = LIO_WRITE;
	b[1].aio_lio_opcode = LIO_NOP;
	(void)run_list(b, 2, SIGRTMIN + 1, 2);
	CHECK(aio_return(&b[0]) == 512);
	CHECK(aio_error(&b[1]) == -1 && errno == EINVAL); /* the LIO_NOP was never a request */
	return NULL;
}

/* forbid=NAME among the arguments and this run reached NAME: say so */
static int forbidden(int argc, char **argv, const char *what)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "forbid=", 7) == 0 && strcmp(argv[i] + 7, what) == 0) {
			printf("outcome %s reached\n", what);
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t both;
	sigemptyset(&both);
	sigaddset(&both, SIGRTMIN);
	sigaddset(&both, SIGRTMIN + 1);
	CHECK(pthread_sigmask(SIG_BLOCK, &both, NULL) == 0); /* lister_b inherits it */
	fd = open("/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, lister_b, NULL) == 0);
	static char bufs[3][512];
	for (int i = 0; i < 3; i++) {
		a[i].aio_fildes = fd;
		a[i].aio_buf = bufs[i];
		a[i].aio_nbytes = 512;
		a[i].aio_offset = i == 2 ? 0 : i * 512;
		a[i].aio_lio_opcode = i == 2 ? LIO_READ : LIO_WRITE;
	}
	int early = run_list(a, 3, SIGRTMIN, 1);
	CHECK(aio_return(&a[0]) == 512 && aio_return(&a[1]) == 512 && aio_return(&a[2]) >= 0);
	CHECK(pthread_join(t, NULL) == 0);
	const char *when = early ? "early" : "late";
	printf("the first list's signal came %s\n", when);
	return forbidden(argc, argv, when);
}
