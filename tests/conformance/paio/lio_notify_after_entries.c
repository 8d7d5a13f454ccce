/*
 * The sigevent of a LIO_NOWAIT list fires once, after every entry has
 * completed (POSIX lio_listio: "when all I/O operations have completed";
 * LTP lio_listio 4-1; FreeBSD lio_kqueue_test's ordering): its
 * SIGEV_THREAD function finds every entry done, including a read that
 * stayed blocked on a pipe long after the others, and it runs once; each
 * entry's own SIGEV_THREAD function runs once too (its thread is started
 * before the list's, but threads run in the order the schedule picks).
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define N 4

static struct aiocb cbs[N];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int entries_notified, list_notified, all_done_at_list;

static void entry_done(union sigval v)
{
	(void)v;
	pthread_mutex_lock(&m);
	entries_notified++;
	pthread_mutex_unlock(&m);
}

static void list_done(union sigval v)
{
	CHECK(v.sival_int == 7);
	int done = 1;
	for (int i = 0; i < N; i++)
		done &= aio_error(&cbs[i]) != EINPROGRESS;
	pthread_mutex_lock(&m);
	all_done_at_list = done;
	list_notified++;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
}

int main(void)
{
	int fd = open("/f", O_RDWR | O_CREAT, 0644);
	int p[2];
	CHECK(fd >= 0 && pipe(p) == 0);
	static char bufs[N][16];
	struct aiocb *list[N];
	for (int i = 0; i < N; i++) {
		cbs[i].aio_fildes = i == 0 ? p[0] : fd;
		cbs[i].aio_buf = bufs[i];
		cbs[i].aio_nbytes = 16;
		cbs[i].aio_offset = i * 16;
		cbs[i].aio_lio_opcode = i == 0 ? LIO_READ : LIO_WRITE;
		cbs[i].aio_sigevent.sigev_notify = SIGEV_THREAD;
		cbs[i].aio_sigevent.sigev_notify_function = entry_done;
		list[i] = &cbs[i];
	}
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = list_done;
	sev.sigev_value.sival_int = 7;
	CHECK(lio_listio(LIO_NOWAIT, list, N, &sev) == 0);
	usleep(5000);
	pthread_mutex_lock(&m);
	CHECK(list_notified == 0);
	pthread_mutex_unlock(&m);
	CHECK(write(p[1], "0123456789abcdef", 16) == 16);
	pthread_mutex_lock(&m);
	while (list_notified == 0)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	CHECK(all_done_at_list);
	pthread_mutex_lock(&m);
	while (entries_notified < N) { /* each entry's thread runs, once */
		pthread_mutex_unlock(&m);
		usleep(1000);
		pthread_mutex_lock(&m);
	}
	pthread_mutex_unlock(&m);
	usleep(1000);
	CHECK(list_notified == 1 && entries_notified == N);
	for (int i = 0; i < N; i++)
		CHECK(aio_return(&cbs[i]) == 16);
	return 0;
}
