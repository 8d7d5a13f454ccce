/*
 * Twin of scenarios/kq/track-fork-vs-register.scn: a tracked process
 * forks three times while a thread of the watching process keeps
 * registering on the same kqueue, modifying the very knote that tracks
 * the forking process (and adding and deleting another). The fork's
 * NOTE_TRACK step takes the kqueue's registration lock before that knote
 * and registers each child recursively from the knote's filter; the
 * registrar holds the lock while it waits for the knote — taking the knote
 * first (the reference's order) would deadlock here. Invariant: every
 * grandchild is tracked (NOTE_CHILD with data = its parent's pid, then its
 * exit with status 10), no NOTE_TRACKERR, the child's exit reports status
 * 3, and nothing is left. The processes meet through pipes: the
 * grandchildren exit once all three are tracked, the child once the
 * registrar stopped.
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   each    three NOTE_FORK events were read (one per fork);
 *   merged  forks were reported together (an event that is pending
 *           collects the next fork's note).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq;
static pid_t cpid;
static atomic_int stop;

static void watch(void)
{
	struct kevent ch;
	EV_SET(&ch, cpid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_EXIT | NOTE_FORK, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
}

static void *registrar(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		watch(); /* modify: owns the registration lock, then the knote */
		struct kevent ch;
		EV_SET(&ch, 77, EVFILT_USER, EV_ADD, 0, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
		EV_SET(&ch, 77, EVFILT_USER, EV_DELETE, 0, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
		usleep(1);
	}
	return NULL;
}

static void child(int armed, int go, int quiet)
{
	char c;
	CHECK(read(armed, &c, 1) == 1);
	for (int i = 0; i < 3; i++) {
		pid_t g = fork();
		CHECK(g >= 0);
		if (g == 0) {
			CHECK(read(go, &c, 1) == 1); /* until every grandchild is watched */
			_exit(10);
		}
	}
	for (int i = 0; i < 3; i++) {
		int st;
		CHECK(wait(&st) > 0 && WEXITSTATUS(st) == 10);
	}
	CHECK(read(quiet, &c, 1) == 1);
	_exit(3);
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	int armed[2], go[2], quiet[2];
	CHECK(pipe(armed) == 0 && pipe(go) == 0 && pipe(quiet) == 0);
	cpid = fork();
	CHECK(cpid >= 0);
	if (cpid == 0)
		child(armed[0], go[0], quiet[0]);
	watch();
	pthread_t reg;
	CHECK(pthread_create(&reg, NULL, registrar, NULL) == 0);
	CHECK(write(armed[1], "a", 1) == 1);
	int forked = 0, cexit = 0, tracked = 0, gexit = 0, released = 0, stopped = 0;
	while (!cexit) {
		struct kevent ev[8];
		struct timespec t = {0, 20 * 1000};
		int n = kevent(kq, NULL, 0, ev, 8, &t);
		CHECK(n >= 0);
		for (int j = 0; j < n; j++) {
			CHECK(ev[j].filter == EVFILT_PROC);
			unsigned ff = ev[j].fflags;
			int ex = (ff & NOTE_EXIT) != 0;
			if (ev[j].ident == (uintptr_t)cpid) {
				CHECK((ff & NOTE_TRACKERR) == 0); /* an untracked child never reports */
				forked += (ff & NOTE_FORK) != 0;
				cexit += ex;
				if (ex)
					CHECK(WIFEXITED((int)ev[j].data) && WEXITSTATUS((int)ev[j].data) == 3);
				continue;
			}
			int ch = (ff & NOTE_CHILD) != 0;
			tracked += ch;
			gexit += ex;
			if (ex) /* NOTE_CHILD was read before the grandchildren could exit */
				CHECK(!ch && WEXITSTATUS((int)ev[j].data) == 10);
			else
				CHECK(ch && ev[j].data == cpid); /* the parent's pid */
		}
		if (tracked == 3 && !released) {
			CHECK(write(go[1], "ggg", 3) == 3); /* every grandchild is watched */
			released = 1;
		}
		if (gexit == 3 && !stopped) {
			atomic_store(&stop, 1);
			CHECK(pthread_join(reg, NULL) == 0);
			CHECK(write(quiet[1], "q", 1) == 1); /* the child may exit now */
			stopped = 1;
		}
	}
	CHECK(tracked == 3 && gexit == 3 && forked >= 1 && forked <= 3);
	int st;
	CHECK(waitpid(cpid, &st, 0) == cpid && WEXITSTATUS(st) == 3);
	struct timespec zero = {0, 0};
	struct kevent left;
	CHECK(kevent(kq, NULL, 0, &left, 1, &zero) == 0);
	CHECK(close(kq) == 0);

	const char *outcome = forked == 3 ? "each" : "merged";
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
