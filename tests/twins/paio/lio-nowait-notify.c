/*
 * Twin of scenarios/paio/lio-nowait-notify.scn: lio_listio(LIO_NOWAIT)
 * with a notification for the whole list while entries start completing
 * as later ones are still being queued, and the last completion races
 * the list's notification. The list is held by the submitter until every
 * entry is queued, so the notification comes exactly once, after the last
 * entry ended: whoever runs it finds every entry done. Two threads run
 * such lists at once. Differences: the notification is SIGEV_THREAD (the
 * scenario's SIGEV_SIGNAL needs guest signals, not there yet), and simk's
 * default pool.
 *
 * Argument forbid=early / forbid=late fails the run when the first list's
 * notification ran before / after its lio_listio call returned (both
 * happen: the entries may all complete while the call is still queuing).
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int fd;
static struct aiocb a[3], b[2];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int notified[2];
static int a_returned, a_early;

static void list_done(union sigval v)
{
	int which = v.sival_int;
	int done = 1;
	if (which == 0)
		for (int i = 0; i < 3; i++)
			done &= aio_error(&a[i]) != EINPROGRESS;
	else
		done &= aio_error(&b[0]) != EINPROGRESS;
	CHECK(done); /* never before the last entry ended */
	pthread_mutex_lock(&m);
	notified[which]++;
	if (which == 0)
		a_early = !a_returned;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
}

static void run_list(struct aiocb *cbs, int n, int which)
{
	struct aiocb *list[3];
	for (int i = 0; i < n; i++)
		list[i] = &cbs[i];
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = list_done;
	sev.sigev_value.sival_int = which;
	CHECK(lio_listio(LIO_NOWAIT, list, n, &sev) == 0);
	pthread_mutex_lock(&m);
	if (which == 0)
		a_returned = 1;
	while (notified[which] == 0)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
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
	run_list(b, 2, 1);
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
	run_list(a, 3, 0);
	CHECK(aio_return(&a[0]) == 512 && aio_return(&a[1]) == 512 && aio_return(&a[2]) >= 0);
	CHECK(pthread_join(t, NULL) == 0);
	usleep(200);
	CHECK(notified[0] == 1 && notified[1] == 1); /* never a second one */
	const char *first = a_early ? "early" : "late";
	printf("the first list's notification ran %s\n", first);
	return forbidden(argc, argv, first);
}
