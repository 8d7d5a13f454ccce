/*
 * EVFILT_PROC firing (NetBSD's t_proc, FreeBSD's proc tests check the
 * same with fork): NOTE_EXIT on a child reports its exit with data = the
 * wait(2) status, as FreeBSD and DragonFly do (WEXITSTATUS is the exit
 * code; WTERMSIG the signal of a child killed by one), flags EV_EOF and
 * EV_ONESHOT (the knote is gone after the event), and nothing before the
 * child exits. The zombie is still the parent's to reap with waitpid.
 * Registering on a child that already exited but is not reaped yet
 * succeeds and fires at once (NOTE_EXIT asked).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "check.h"

static int watch(int kq, pid_t pid)
{
	struct kevent ch;
	EV_SET(&ch, pid, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, NULL);
	return kevent(kq, &ch, 1, NULL, 0, NULL);
}

static pid_t child_waiting(int fd, int code)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;
		CHECK(read(fd, &c, 1) == 1); /* until the parent watches */
		_exit(code);
	}
	return pid;
}

int main(void)
{
	int kq = kqueue();
	CHECK(kq >= 0);
	int go[2];
	CHECK(pipe(go) == 0);
	struct timespec zero = {0, 0};
	struct kevent ev;

	/* an exit with a code */
	pid_t a = child_waiting(go[0], 7);
	CHECK(watch(kq, a) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0); /* alive: nothing yet */
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
	CHECK(ev.ident == (uintptr_t)a && ev.filter == EVFILT_PROC);
	CHECK((ev.fflags & NOTE_EXIT) && (ev.flags & EV_EOF) && (ev.flags & EV_ONESHOT));
	CHECK(WIFEXITED((int)ev.data) && WEXITSTATUS((int)ev.data) == 7);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 0); /* one shot */
	int st;
	CHECK(waitpid(a, &st, 0) == a && WIFEXITED(st) && WEXITSTATUS(st) == 7);

	/* a death by SIGKILL */
	pid_t b = child_waiting(go[0], 0);
	CHECK(watch(kq, b) == 0);
	CHECK(kill(b, SIGKILL) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
	CHECK(ev.ident == (uintptr_t)b && (ev.fflags & NOTE_EXIT));
	CHECK(WIFSIGNALED((int)ev.data) && WTERMSIG((int)ev.data) == SIGKILL);
	CHECK(waitpid(b, &st, 0) == b && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* a zombie: registration fires at once */
	pid_t c = child_waiting(go[0], 4);
	CHECK(write(go[1], "g", 1) == 1);
	usleep(1000); /* the child, alone runnable, exits meanwhile (unreaped) */
	CHECK(watch(kq, c) == 0);
	CHECK(kevent(kq, NULL, 0, &ev, 1, &zero) == 1);
	CHECK(ev.ident == (uintptr_t)c && (ev.fflags & NOTE_EXIT));
	CHECK(WIFEXITED((int)ev.data) && WEXITSTATUS((int)ev.data) == 4);
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 4);

	struct kevent none;
	EV_SET(&none, 4242, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, NULL);
	CHECK_ERR(kevent(kq, &none, 1, NULL, 0, NULL), ESRCH);
	CHECK(close(go[0]) == 0 && close(go[1]) == 0 && close(kq) == 0);
	return 0;
}
