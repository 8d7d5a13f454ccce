/*
 * Registration of the filters whose sources are processes and signals
 * (NetBSD's t_proc and t_sig, FreeBSD's proc tests; the firing with
 * fork() is proc_note_exit.c and proc_note_fork_track.c, with kill()
 * signal_filter.c): EVFILT_PROC on the program's own pid is accepted and
 * stays quiet while it runs; on a pid that does not exist it is ESRCH.
 * EVFILT_SIGNAL accepts any signal number, as DragonFly's and FreeBSD's
 * filter do (even one no signal has), and has nothing to report while no
 * signal is sent. EVFILT_AIO cannot be added by a program (EPERM: only
 * aio_read/aio_write attach it). EVFILT_FS is accepted and quiet while
 * nothing is mounted or unmounted (fs_events.c sees a mount).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

static int add(int kq, uintptr_t ident, short filter, unsigned fflags)
{
	struct kevent ch;
	EV_SET(&ch, ident, filter, EV_ADD, fflags, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	struct kevent ev[4];
	struct timespec zero = {0, 0};

	pid_t me = getpid();
	CHECK(add(kq, (uintptr_t)me, EVFILT_PROC, NOTE_EXIT | NOTE_FORK | NOTE_EXEC) == 0);
	CHECK_ERR(add(kq, 99999, EVFILT_PROC, NOTE_EXIT), ESRCH);

	CHECK(add(kq, SIGUSR1, EVFILT_SIGNAL, 0) == 0);
	CHECK(add(kq, SIGHUP, EVFILT_SIGNAL, 0) == 0);
	CHECK(add(kq, 0, EVFILT_SIGNAL, 0) == 0);
	CHECK(add(kq, 200, EVFILT_SIGNAL, 0) == 0);

	CHECK(add(kq, 0, EVFILT_FS, 0) == 0);

	int x;
	CHECK_ERR(add(kq, (uintptr_t)&x, EVFILT_AIO, 0), EPERM);

	struct timespec ts = {0, 10000000};
	CHECK(kevent(kq, NULL, 0, ev, 4, &ts) == 0);

	/* each is a knote: deleted once, then ENOENT */
	struct kevent ch;
	EV_SET(&ch, (uintptr_t)me, EVFILT_PROC, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);
	EV_SET(&ch, SIGUSR1, EVFILT_SIGNAL, EV_DELETE, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), ENOENT);
	CHECK(kevent(kq, NULL, 0, ev, 4, &zero) == 0);

	CHECK(close(kq) == 0);
	printf("proc_signal_register: ok\n");
	return 0;
}
