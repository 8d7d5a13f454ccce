/*
 * Twin of scenarios/kq/track-fork-early-exit.scn: NOTE_TRACK across forks
 * whose second grandchild exits at once and may even be reaped before the
 * kqueue manages to register it (the registration waits for the kqueue's
 * registration lock, which a noisy thread of the watcher keeps taking,
 * while a reaper thread of the child waits for the grandchildren).
 * Invariant: a tracked grandchild first reports NOTE_CHILD with data = its
 * parent's pid (perhaps with its exit in the same event: a zombie fires
 * at once, and the exit status wins the data), then its exit; or, when it
 * could not be registered, the child's knote reports NOTE_TRACKERR —
 * never both, never neither. The long-lived grandchild (exit 6) is always
 * tracked; the child reports its fork and its exit (status 3). The
 * scenario's kq_stat counters are the kernel's: the twin checks what a
 * program sees. Processes meet through pipes, not shared variables.
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   trackerr   the short-lived grandchild could not be tracked;
 *   separate   it reported NOTE_CHILD, then its exit in a later event;
 *   together   NOTE_CHILD and its exit came in one event.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define MAXG 4

static int kq;
static atomic_int stop;

static void *noise(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct kevent ch;
		EV_SET(&ch, 77, EVFILT_USER, EV_ADD, 0, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
		EV_SET(&ch, 77, EVFILT_USER, EV_DELETE, 0, 0, NULL);
		CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
		usleep(1);
	}
	return NULL;
}

/* Waits for both grandchildren: got[] = their pids in the order reaped. */
static void *reaper(void *arg)
{
	pid_t *got = arg;
	int st;
	got[0] = wait(&st);
	CHECK(got[0] > 0 && WEXITSTATUS(st) == 5); /* the short-lived one first */
	got[1] = wait(&st);
	CHECK(got[1] > 0 && WEXITSTATUS(st) == 6);
	return NULL;
}

static void child(int armed)
{
	char c;
	CHECK(read(armed, &c, 1) == 1); /* the parent watches us first */
	pid_t g[2];
	g[0] = fork();
	CHECK(g[0] >= 0);
	if (g[0] == 0) {
		usleep(30);
		_exit(6);
	}
	pthread_t rt;
	pid_t got[2] = {0, 0};
	CHECK(pthread_create(&rt, NULL, reaper, got) == 0);
	g[1] = fork();
	CHECK(g[1] >= 0);
	if (g[1] == 0)
		_exit(5);
	CHECK(pthread_join(rt, NULL) == 0);
	CHECK(got[0] == g[1] && got[1] == g[0]);
	_exit(3);
}

static long now_us(void)
{
	struct timespec t;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/* What one grandchild reported. */
struct gkid {
	pid_t pid;
	int events, exits, code, child_with_exit;
};

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	int armed[2];
	CHECK(pipe(armed) == 0);
	pid_t cpid = fork();
	CHECK(cpid >= 0);
	if (cpid == 0)
		child(armed[0]);
	struct kevent ch;
	EV_SET(&ch, cpid, EVFILT_PROC, EV_ADD, NOTE_TRACK | NOTE_EXIT | NOTE_FORK, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);
	CHECK(write(armed[1], "a", 1) == 1);
	pthread_t nt;
	CHECK(pthread_create(&nt, NULL, noise, NULL) == 0);

	struct gkid g[MAXG];
	memset(g, 0, sizeof(g));
	int ng = 0, trackerr = 0, forked = 0, cexit = 0;
	long start = now_us();
	for (;;) {
		int g1exit = 0, g2exit = 0;
		for (int i = 0; i < ng; i++) {
			g1exit += g[i].exits && g[i].code == 6;
			g2exit += g[i].exits && g[i].code == 5;
		}
		if (cexit && g1exit && (trackerr || g2exit))
			break;
		CHECK(now_us() - start < 1000); /* a lost event ends the run, not a spin */
		struct kevent ev[4];
		struct timespec t = {0, 20 * 1000};
		int n = kevent(kq, NULL, 0, ev, 4, &t);
		CHECK(n >= 0);
		for (int j = 0; j < n; j++) {
			CHECK(ev[j].filter == EVFILT_PROC);
			unsigned ff = ev[j].fflags;
			int ex = (ff & NOTE_EXIT) != 0;
			if (ev[j].ident == (uintptr_t)cpid) {
				trackerr += (ff & NOTE_TRACKERR) != 0;
				forked += (ff & NOTE_FORK) != 0;
				cexit += ex;
				if (ex)
					CHECK(WIFEXITED((int)ev[j].data) && WEXITSTATUS((int)ev[j].data) == 3);
				continue;
			}
			struct gkid *k = NULL;
			for (int i = 0; i < ng; i++)
				if (g[i].pid == (pid_t)ev[j].ident)
					k = &g[i];
			if (k == NULL) { /* its first event says it is a tracked child */
				CHECK(ng < MAXG && (ff & NOTE_CHILD));
				k = &g[ng++];
				k->pid = (pid_t)ev[j].ident;
				k->child_with_exit = ex;
			}
			k->events++;
			if (ex) {
				k->exits++;
				k->code = WEXITSTATUS((int)ev[j].data); /* the status wins the data */
				CHECK(k->code == 5 || k->code == 6);
			} else {
				CHECK(ev[j].data == cpid); /* NOTE_CHILD: the parent's pid */
			}
		}
	}
	atomic_store(&stop, 1);
	CHECK(pthread_join(nt, NULL) == 0);
	int g2 = -1;
	for (int i = 0; i < ng; i++) {
		CHECK(g[i].exits == 1);
		if (g[i].code == 5)
			g2 = i;
	}
	CHECK(forked >= 1 && cexit == 1);
	CHECK(trackerr + (g2 >= 0) == 1); /* never both, never neither */
	CHECK(ng == 2 - trackerr);
	int st;
	CHECK(waitpid(cpid, &st, 0) == cpid && WEXITSTATUS(st) == 3);
	struct timespec zero = {0, 0};
	struct kevent left;
	CHECK(kevent(kq, NULL, 0, &left, 1, &zero) == 0); /* nothing left */
	CHECK(close(kq) == 0);

	const char *outcome = trackerr              ? "trackerr"
			      : g[g2].child_with_exit ? "together"
						    : "separate";
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
