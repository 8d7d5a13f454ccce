/*
 * Twin of scenarios/kq/close-vs-register.scn: one thread adds EVFILT_READ
 * on a pipe's read end while another closes it. Invariant: the add either
 * fails with EBADF or succeeds, and either way no knote is left on the
 * closed descriptor (the kernel drops it at the close, or the add drops it
 * itself when it finds the descriptor closed after attaching; the run's
 * leak check fails if one is left): the write end's EVFILT_READ reports the
 * reader's close, nothing about the read end is pending, and EV_DELETE of
 * it is EBADF.
 *
 * Outcomes (`forbid=NAME` fails the run when NAME is reached):
 *   ebadf  the add found the descriptor closed;
 *   added  the add succeeded (and the close removed the knote).
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int kq, p[2];
static int add_result, add_errno;

static void *registrar(void *arg)
{
	(void)arg;
	struct kevent ch;
	EV_SET(&ch, p[0], EVFILT_READ, EV_ADD, 0, 0, NULL);
	add_result = kevent(kq, &ch, 1, NULL, 0, NULL);
	add_errno = errno;
	return NULL;
}

static void *closer(void *arg)
{
	(void)arg;
	CHECK(close(p[0]) == 0);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	kq = kqueue();
	CHECK(kq >= 0);
	CHECK(pipe(p) == 0);
	struct kevent ch, ev[2];
	/* registered before the read end may close (EPIPE after) */
	EV_SET(&ch, p[1], EVFILT_WRITE, EV_ADD, 0, 0, NULL);
	CHECK(kevent(kq, &ch, 1, NULL, 0, NULL) == 0);

	pthread_t a, b;
	CHECK(pthread_create(&a, NULL, registrar, NULL) == 0);
	CHECK(pthread_create(&b, NULL, closer, NULL) == 0);
	CHECK(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0);
	CHECK(add_result == 0 || (add_result == -1 && add_errno == EBADF));

	struct timespec zero = {0, 0};
	int n = kevent(kq, NULL, 0, ev, 2, &zero);
	CHECK(n == 1 && ev[0].ident == (uintptr_t)p[1] && (ev[0].flags & EV_EOF));
	EV_SET(&ch, p[0], EVFILT_READ, EV_DELETE, 0, 0, NULL);
	CHECK_ERR(kevent(kq, &ch, 1, NULL, 0, NULL), EBADF);
	CHECK(close(p[1]) == 0);
	CHECK(close(kq) == 0);

	const char *outcome = add_result == 0 ? "added" : "ebadf";
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
