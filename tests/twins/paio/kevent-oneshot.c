/*
 * Twin of scenarios/paio/kevent-oneshot.scn: a pipe read notifies by
 * SIGEV_KEVENT. Its EVFILT_AIO knote (ident the aiocb, EV_ONESHOT) is
 * attached at submission and posted when the request retires; a
 * collector polls the kqueue while a writer completes the read, a
 * canceller tries to cancel it and the owner takes the result with
 * aio_return. Whatever the interleaving the event is delivered at most
 * once, with the aiocb's address and udata sigev_value; it is missing only
 * when the owner took the result before the collector got to it (the
 * knote goes with the request). Then the aiocb is submitted again: the new
 * request posts its own event, once. Differences: the scenario also
 * counts the kqueue's knotes, which a guest cannot see.
 *
 * Argument forbid=NAME fails the run on: collected / missed (the first
 * event), AIO_CANCELED / AIO_NOTCANCELED (the cancel's answer).
 */
#include <aio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/event.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int kq, rd, wr;
static struct aiocb cb;
static char one[1];
static int events;
static int outcome = -1;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int stop;

static void *collector(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&m);
		int done = stop;
		pthread_mutex_unlock(&m);
		if (done)
			return NULL;
		struct kevent ev;
		struct timespec ts = {0, 20000};
		int got = kevent(kq, NULL, 0, &ev, 1, &ts);
		CHECK(got >= 0);
		if (got > 0) {
			CHECK(got == 1 && ev.filter == EVFILT_AIO && ev.ident == (uintptr_t)&cb);
			CHECK((intptr_t)ev.udata == 7);
			pthread_mutex_lock(&m);
			events++;
			pthread_mutex_unlock(&m);
		}
	}
}

static void *writer(void *arg)
{
	(void)arg;
	CHECK(write(wr, "q", 1) == 1);
	return NULL;
}

static void *canceller(void *arg)
{
	(void)arg;
	outcome = aio_cancel(rd, &cb);
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
	kq = kqueue();
	CHECK(kq >= 0);
	int p[2];
	CHECK(pipe(p) == 0);
	rd = p[0];
	wr = p[1];
	cb.aio_fildes = rd;
	cb.aio_buf = one;
	cb.aio_nbytes = 1;
	cb.aio_sigevent.sigev_notify = SIGEV_KEVENT;
	cb.aio_sigevent.sigev_notify_kqueue = kq;
	cb.aio_sigevent.sigev_value.sival_int = 7;
	CHECK(aio_read(&cb) == 0);
	pthread_t c, w, x;
	CHECK(pthread_create(&c, NULL, collector, NULL) == 0);
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	CHECK(pthread_create(&x, NULL, canceller, NULL) == 0);
	CHECK(pthread_join(w, NULL) == 0);
	CHECK(pthread_join(x, NULL) == 0);
	const struct aiocb *l[1] = {&cb};
	CHECK(aio_suspend(l, 1, NULL) == 0);
	ssize_t n = aio_return(&cb);
	if (outcome == AIO_CANCELED)
		CHECK(n == -1 && errno == ECANCELED);
	else
		CHECK(n == 1);
	pthread_mutex_lock(&m);
	stop = 1;
	pthread_mutex_unlock(&m);
	CHECK(pthread_join(c, NULL) == 0);
	CHECK(events <= 1); /* never twice */
	/* the knote went with the request: nothing left to collect */
	usleep(100);
	struct kevent ev;
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	const char *first = events == 1 ? "collected" : "missed";

	/* the same aiocb again: a new request, a new knote, one event */
	CHECK(write(wr, "z", 1) == 1);
	CHECK(aio_read(&cb) == 0);
	CHECK(aio_suspend(l, 1, NULL) == 0);
	struct timespec ms = {0, 1000000};
	CHECK(kevent(kq, NULL, 0, &ev, 1, &ms) == 1);
	CHECK(ev.ident == (uintptr_t)&cb && ev.filter == EVFILT_AIO);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(aio_return(&cb) == 1);
	CHECK(close(rd) == 0 && close(wr) == 0 && close(kq) == 0);
	const char *cancel = outcome == AIO_CANCELED ? "AIO_CANCELED"
			     : outcome == AIO_NOTCANCELED ? "AIO_NOTCANCELED"
							  : "AIO_ALLDONE";
	printf("event %s, cancel %s\n", first, cancel);
	return forbidden(argc, argv, first) || forbidden(argc, argv, cancel);
}
