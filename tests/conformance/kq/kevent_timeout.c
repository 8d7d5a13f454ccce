/*
 * kevent()'s timeout (FreeBSD's kqueue(2)): a zero timespec polls and
 * returns 0 at once; a timeout with nothing to report returns 0 (not an
 * error) after that much time; NULL waits until an event comes (here from
 * another thread). Time is simk's virtual clock, so the waits are exact.
 * An event that arrives before the timeout ends the wait early.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_us(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int kq;

static void *trigger_later(void *arg)
{
	CHECK(usleep((useconds_t)(uintptr_t)arg) == 0);
	struct kevent ch;
	EV_SET(&ch, 1, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	return NULL;
}

int main(void)
{
	kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev;
	EV_SET(&ch, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);

	struct timespec zero = {0, 0};
	long long t0 = now_us();
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(now_us() - t0 < 100);

	struct timespec ts = {1, 250000000};
	t0 = now_us();
	CHECK(kevent(kq, NULL, 0, &ev, 1, &ts) == 0);
	long long waited = now_us() - t0;
	CHECK(waited >= 1250000 && waited < 1251000);

	/* NULL: until the other thread triggers, 300 ms later */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, trigger_later, (void *)(uintptr_t)300000) == 0);
	t0 = now_us();
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1 && ev.ident == 1);
	waited = now_us() - t0;
	CHECK(waited >= 300000 && waited < 301000);
	CHECK(pthread_join(t, NULL) == 0);

	/* a 5 s timeout cut short by an event after 20 ms */
	CHECK(pthread_create(&t, NULL, trigger_later, (void *)(uintptr_t)20000) == 0);
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	t0 = now_us();
	CHECK(kevent(kq, NULL, 0, &ev, 1, &ts) == 1);
	waited = now_us() - t0;
	CHECK(waited >= 20000 && waited < 21000);
	CHECK(pthread_join(t, NULL) == 0);

	CHECK(close(kq) == 0);
	printf("kevent_timeout: ok\n");
	return 0;
}
