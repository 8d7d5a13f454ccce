/*
 * EVFILT_SIGNAL (NetBSD's t_sig, libkqueue's signal tests): the knote
 * records every delivery of its signal to the process, data = the number
 * of deliveries since the last retrieval (EV_CLEAR is implied, DragonFly
 * kern_event.c), even when the signal is ignored (SIG_IGN) or blocked;
 * the kqueue does not stop the signal's own disposition (a handler still
 * runs). EV_DISABLE keeps counting; EV_DELETE stops it.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static atomic_int handled;

static void on_usr2(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

static int poll_kq(int kq, struct kevent *ev, int n)
{
	struct timespec zero = {0, 0};
	return kevent(kq, NULL, 0, ev, n, &zero);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ch, ev[2];

	/* ignored */
	CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	EV_SET(&ch, SIGUSR1, EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1);
	CHECK(ev[0].ident == SIGUSR1 && ev[0].filter == EVFILT_SIGNAL && ev[0].data == 2);
	CHECK(ev[0].flags & EV_CLEAR);
	CHECK(poll_kq(kq, ev, 2) == 0);

	/* disabled: still counted */
	EV_SET(&ch, SIGUSR1, EVFILT_SIGNAL, EV_DISABLE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);
	EV_SET(&ch, SIGUSR1, EVFILT_SIGNAL, EV_ENABLE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 1);
	EV_SET(&ch, SIGUSR1, EVFILT_SIGNAL, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(poll_kq(kq, ev, 2) == 0);

	/* caught: the handler runs and the knote counts */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	EV_SET(&ch, SIGUSR2, EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(atomic_load(&handled) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].ident == SIGUSR2 && ev[0].data == 1);

	/* blocked: counted at the send, delivered at the unblock */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(atomic_load(&handled) == 1);
	CHECK(poll_kq(kq, ev, 2) == 1 && ev[0].data == 1);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);
	CHECK(atomic_load(&handled) == 2);

	CHECK(close(kq) == 0);
	printf("signal_filter: ok\n");
	return 0;
}
