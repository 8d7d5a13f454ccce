/*
 * A thread sleeping in kevent() is woken by the event another thread
 * causes (FreeBSD's and libkqueue's threading tests): a reader waits for
 * EVFILT_READ on a pipe while a writer writes chunks; every byte is
 * reported and read exactly once whatever the interleaving (simk runs
 * this under several seeds). Two threads waiting on one kqueue for one
 * EV_ONESHOT event: exactly one of them gets it, the other times out.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

#define CHUNKS 20

static int kq, p[2];
static atomic_int winners, losers;

static void *writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < CHUNKS; i++) {
		char c = (char)('a' + i);
		CHECK(write(p[1], &c, 1) == 1);
		if (i % 3 == 0)
			CHECK(usleep(100) == 0);
	}
	CHECK(close(p[1]) == 0);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	struct kevent ev;
	struct timespec ts = {0, 50000000};
	int n = kevent(kq, NULL, 0, &ev, 1, &ts);
	CHECK(n == 0 || n == 1);
	if (n == 1) {
		CHECK(ev.ident == 42);
		atomic_fetch_add(&winners, 1);
	} else {
		atomic_fetch_add(&losers, 1);
	}
	return NULL;
}

int main(void)
{
	kq = kqueue();
	CHECK(kq >= 0);
	CHECK(pipe(p) == 0);
	struct kevent ch, ev;
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);

	pthread_t w;
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	int got = 0;
	char expect = 'a';
	for (;;) {
		CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
		CHECK(ev.ident == (uintptr_t)p[0] && (ev.data > 0 || (ev.flags & EV_EOF)));
		char buf[CHUNKS];
		while (ev.data > 0) {
			/* what the event counted is there; more may have come */
			ssize_t r = read(p[0], buf, (size_t)ev.data);
			CHECK(r == ev.data);
			for (ssize_t i = 0; i < r; i++)
				CHECK(buf[i] == expect++);
			got += (int)r;
			ev.data -= r;
		}
		if (ev.flags & EV_EOF) {
			/* the last bytes may have come with the EOF */
			ssize_t r;
			while ((r = read(p[0], buf, sizeof(buf))) > 0)
				got += (int)r;
			break;
		}
	}
	CHECK(got == CHUNKS);
	CHECK(pthread_join(w, NULL) == 0);
	CHECK(close(p[0]) == 0);

	/* two waiters, one event */
	EV_SET(&ch, 42, EVFILT_USER, EV_ADD | EV_ONESHOT, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	pthread_t a, b;
	CHECK(pthread_create(&a, NULL, waiter, NULL) == 0);
	CHECK(pthread_create(&b, NULL, waiter, NULL) == 0);
	CHECK(usleep(1000) == 0);
	EV_SET(&ch, 42, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	CHECK(atomic_load(&winners) == 1 && atomic_load(&losers) == 1);

	CHECK(close(kq) == 0);
	printf("wait_wakeup_threads: ok\n");
	return 0;
}
