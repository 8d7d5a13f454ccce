/*
 * EVFILT_PROC across fork (FreeBSD's and NetBSD's proc tests check the
 * same): NOTE_FORK on a watched child reports that it forked; with
 * NOTE_TRACK the kqueue also watches the grandchild on its own: a first
 * event with NOTE_CHILD and data = the forking process's pid, then its
 * exit (NOTE_EXIT, data = its wait status). Without NOTE_TRACK a fork is
 * reported but the grandchild is not watched. The watcher is the
 * grandparent: the grandchild is its child's to reap.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* A child that waits for a byte, forks a grandchild that exits with 9 at
 * once, reaps it and exits 2. */
static pid_t forking_child(int go)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;
		CHECK(read(go, &c, 1) == 1);
		pid_t g = fork();
		CHECK(g >= 0);
		if (g == 0)
			_exit(9);
		int st;
		CHECK(waitpid(g, &st, 0) == g && WEXITSTATUS(st) == 9);
		_exit(2);
	}
	return pid;
}

/* Collects events until the child's exit and, when tracking, the
 * grandchild's (either may be queued first): what was seen. */
struct seen {
	int forks, child_exits, tracked, tracked_exits, others;
	pid_t grandchild;
};

static void collect(int kq, pid_t child, int tracking, struct seen *s)
{
	while (s->child_exits == 0 || (tracking && s->tracked_exits == 0)) {
		struct kevent ev;
		CHECK(kevent(kq, NULL, 0, &ev, 1, NULL) == 1);
		CHECK(ev.filter == EVFILT_PROC);
		if (ev.ident == (uintptr_t)child) {
			s->forks += (ev.fflags & NOTE_FORK) != 0;
			CHECK((ev.fflags & NOTE_TRACKERR) == 0);
			if (ev.fflags & NOTE_EXIT) {
				CHECK(WEXITSTATUS((int)ev.data) == 2);
				s->child_exits++;
			}
		} else {
			s->grandchild = (pid_t)ev.ident;
			if (ev.fflags & NOTE_CHILD) {
				CHECK(ev.data == child || (ev.fflags & NOTE_EXIT));
				s->tracked++;
			}
			if (ev.fflags & NOTE_EXIT) {
				CHECK(WEXITSTATUS((int)ev.data) == 9);
				s->tracked_exits++;
			}
		}
	}
}

int main(void)
{
	int go[2];
	CHECK(pipe(go) == 0);
	struct kevent ch;

	/* NOTE_FORK only */
	int kq = kqueue();
	CHECK(kq >= 0);
	pid_t a = forking_child(go[0]);
	EV_SET(&ch, a, EVFILT_PROC, EV_ADD, NOTE_FORK | NOTE_EXIT, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	struct seen s1 = {0};
	collect(kq, a, 0, &s1);
	CHECK(s1.forks == 1 && s1.child_exits == 1 && s1.tracked == 0 && s1.tracked_exits == 0);
	int st;
	CHECK(waitpid(a, &st, 0) == a && WEXITSTATUS(st) == 2);
	CHECK(close(kq) == 0);

	/* NOTE_TRACK: the grandchild is watched too */
	kq = kqueue();
	CHECK(kq >= 0);
	pid_t b = forking_child(go[0]);
	EV_SET(&ch, b, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_FORK | NOTE_EXIT, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	struct seen s2 = {0};
	collect(kq, b, 1, &s2);
	CHECK(s2.forks == 1 && s2.child_exits == 1);
	/* the grandchild exited before its parent (which reaped it first) */
	CHECK(s2.tracked == 1 && s2.tracked_exits == 1);
	CHECK(s2.grandchild != b && s2.grandchild > 0);
	CHECK(waitpid(b, &st, 0) == b && WEXITSTATUS(st) == 2);
	CHECK(close(kq) == 0 && close(go[0]) == 0 && close(go[1]) == 0);
	return 0;
}
