/*
 * Timers are a limited resource (DragonFly's kern.kq_calloutmax, FreeBSD's
 * kern.kq_calloutmax: 4096 by default in simk): adding a timer past the
 * limit fails with ENOMEM, counted over every kqueue of the run; deleting
 * one, or closing a kqueue with timers, gives room back. A change list of
 * thousands of changes is applied in one call.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

#define MAX 4096

static struct kevent ch[MAX];

static int add_timer(int kq, uintptr_t id)
{
	struct kevent c;
	EV_SET(&c, id, EVFILT_TIMER, EV_ADD, NOTE_SECONDS, 3600, NULL);
	return kevent(kq, &c, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue(), kq2 = kqueue();
	CHECK(kq >= 0 && kq2 >= 0);
	for (int i = 0; i < MAX - 10; i++)
		EV_SET(&ch[i], (uintptr_t)i, EVFILT_TIMER, EV_ADD, NOTE_SECONDS, 3600, NULL);
	CHECK(kevent(kq, ch, MAX - 10, NULL, 0, NULL) == 0);
	for (int i = 0; i < 10; i++)
		CHECK(add_timer(kq2, (uintptr_t)i) == 0);

	/* full, whichever kqueue asks */
	CHECK_ERR(add_timer(kq, MAX), ENOMEM);
	CHECK_ERR(add_timer(kq2, MAX), ENOMEM);
	struct kevent ev;
	struct kevent c;
	EV_SET(&c, MAX, EVFILT_TIMER, EV_ADD, NOTE_SECONDS, 3600, NULL);
	struct timespec zero = {0, 0};
	CHECK(kevent(kq, &c, 1, &ev, 1, &zero) == 1);
	CHECK((ev.flags & EV_ERROR) && ev.data == ENOMEM && ev.ident == MAX);

	/* other filters are not limited */
	EV_SET(&c, 1, EVFILT_USER, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &c, 1, NULL, 0, NULL) == 0);

	/* a delete gives one back */
	EV_SET(&c, 5, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &c, 1, NULL, 0, NULL) == 0);
	CHECK(add_timer(kq2, MAX) == 0);
	CHECK_ERR(add_timer(kq2, MAX + 1), ENOMEM);

	/* closing a kqueue gives all of its back */
	CHECK(close(kq) == 0);
	for (int i = 0; i < 100; i++)
		CHECK(add_timer(kq2, (uintptr_t)(MAX + 1 + i)) == 0);
	CHECK(kevent(kq2, NULL, 0, &ev, 1, &zero) == 0);
	CHECK(close(kq2) == 0);
	printf("timer_enomem: ok\n");
	return 0;
}
