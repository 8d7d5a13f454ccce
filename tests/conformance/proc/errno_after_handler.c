/* The errno a caller sees is its own call's: a handler that runs while a
 * call is interrupted may change errno (here it sets it to ENOENT), but
 * the interrupted call sets errno after the handler returned (EINTR), as
 * glibc does on Linux. A handler that saves and restores errno leaves
 * the caller's value alone across a call that succeeds. */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void clobber(int sig)
{
	(void)sig;
	errno = ENOENT;
}

static void careful(int sig)
{
	(void)sig;
	int saved = errno;
	(void)getpid();
	errno = saved;
}

int main(void)
{
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = clobber;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	CHECK(alarm(1) == 0);
	struct timespec t = {5, 0};
	errno = 0;
	CHECK(nanosleep(&t, NULL) == -1);
	CHECK(errno == EINTR);

	a.sa_handler = careful;
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
	errno = EDOM;
	CHECK(raise(SIGUSR1) == 0);
	CHECK(errno == EDOM);
	return 0;
}
