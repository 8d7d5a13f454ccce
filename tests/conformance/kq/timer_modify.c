/*
 * Changing a timer (FreeBSD's kqueue(2); the reference, DragonFly, only
 * stores the new values): EV_ADD on an existing timer restarts it with the
 * new period and throws away expirations not yet read; EV_DISABLE keeps
 * it running (expirations counted, not reported) and EV_ENABLE reports
 * them; EV_DELETE stops it for good. udata of a re-add is the new one.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long now_ms(void)
{
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int change(int kq, unsigned short flags, intptr_t data, void *udata)
{
	struct kevent ch;
	EV_SET(&ch, 8, EVFILT_TIMER, flags, 0, data, udata);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev[2];
	struct timespec zero = {0, 0};

	CHECK(change(kq, EV_ADD, 10, (void *)1) == 0);
	CHECK(usleep(35000) == 0); /* 3 expirations pending */
	long long t0 = now_ms();
	CHECK(change(kq, EV_ADD, 50, (void *)2) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0); /* thrown away */
	CHECK(kevent(kq, NULL, 0, ev, 2, NULL) == 1);
	CHECK(now_ms() - t0 == 50);
	CHECK(ev[0].data == 1 && ev[0].udata == (void *)2);

	CHECK(change(kq, EV_DISABLE, 0, (void *)2) == 0);
	CHECK(usleep(120000) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	CHECK(change(kq, EV_ENABLE, 0, (void *)2) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 1 && ev[0].data == 2);

	CHECK(change(kq, EV_DELETE, 0, NULL) == 0);
	CHECK(usleep(200000) == 0);
	CHECK(kevent(kq, NULL, 0, ev, 2, &zero) == 0);
	CHECK(close(kq) == 0);
	printf("timer_modify: ok\n");
	return 0;
}
