/*
 * A signal caught by a handler interrupts a kevent() that is waiting: it
 * fails with EINTR, and is never restarted, even when the handler was
 * installed with SA_RESTART (DragonFly kern_event.c turns ERESTART into
 * EINTR; FreeBSD's kqueue(2) says the same). The handler has run by then.
 * A kevent() that polls (zero timeout) or finds events does not wait and
 * is not interrupted. The kqueue is unharmed: the next call works.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq;
static pthread_t waiter_thread;
static atomic_int handled;
static atomic_int waiting;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static void *waiter(void *arg)
{
	(void)arg;
	struct kevent ev;
	atomic_store(&waiting, 1);
	errno = 0;
	int n = kevent(kq, NULL, 0, &ev, 1, NULL);
	CHECK(n == -1 && errno == EINTR);
	CHECK(atomic_load(&handled) >= 1);
	return NULL;
}

static void interrupt_a_waiter(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	atomic_store(&waiting, 0);
	int before = atomic_load(&handled);
	CHECK(pthread_create(&waiter_thread, NULL, waiter, NULL) == 0);
	while (!atomic_load(&waiting))
		CHECK(usleep(100) == 0);
	CHECK(usleep(1000) == 0); /* it is asleep in kevent() by now */
	CHECK(pthread_kill(waiter_thread, SIGUSR1) == 0);
	CHECK(pthread_join(waiter_thread, NULL) == 0);
	CHECK(atomic_load(&handled) == before + 1);
}

int main(void)
{
	kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev;
	EV_SET(&ch, 1, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);

	interrupt_a_waiter(0);
	interrupt_a_waiter(SA_RESTART); /* not restarted either */

	/* a poll is not interrupted; the kqueue still works */
	struct timespec zero = {0, 0};
	CHECK(raise(SIGUSR1) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0);
	EV_SET(&ch, 1, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	CHECK(kevent(kq, &ch, 1, &ev, 1, NULL) == 1 && ev.ident == 1);
	CHECK(close(kq) == 0);
	printf("kevent_eintr: ok\n");
	return 0;
}
