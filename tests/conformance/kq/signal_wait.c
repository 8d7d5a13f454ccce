/*
 * The BSD idiom for handling signals in an event loop (FreeBSD's
 * kqueue(2), EVFILT_SIGNAL): the signal is set to SIG_IGN so it does
 * nothing by itself, and kevent() waits for it with the loop's other
 * events. An alarm(1) wakes a kevent() that waits forever after one
 * (virtual) second, with data 1 and no EINTR (an ignored signal
 * interrupts nothing); a signal another thread sends arrives the same
 * way, and several sent before the loop looks come as one event whose
 * data counts them.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void *sender(void *arg)
{
	(void)arg;
	CHECK(usleep(2000) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(kill(getpid(), SIGUSR1) == 0);
	return NULL;
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	CHECK(signal(SIGALRM, SIG_IGN) != SIG_ERR);
	CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	struct kevent ch[2], ev[2];
	EV_SET(&ch[0], SIGALRM, EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
	EV_SET(&ch[1], SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, ch, 2, NULL, 0, NULL) == 0);

	struct timespec t0, t1;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	CHECK(alarm(1) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
	CHECK(ev[0].ident == SIGALRM && ev[0].filter == EVFILT_SIGNAL && ev[0].data == 1);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t1) == 0);
	long long waited = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	CHECK(waited >= 1000000000LL && waited < 1001000000LL);

	/* from another thread, three at once: counted */
	pthread_t t;
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
	CHECK(ev[0].ident == SIGUSR1 && ev[0].data == 3);

	/* while waiting */
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	int total = 0;
	while (total < 3) {
		int n = kevent(kq, NULL, 0, ev, 2, NULL);
		CHECK(n == 1 && ev[0].ident == SIGUSR1 && ev[0].data >= 1);
		total += (int)ev[0].data;
	}
	CHECK(total == 3);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(close(kq) == 0);
	printf("signal_wait: ok\n");
	return 0;
}
