/* fork in a multi-threaded process: only the calling thread goes on in
 * the child (POSIX). The parent's worker keeps running and counting in the
 * parent; the child sees the count as it was at the fork and it never
 * changes there, since no worker runs in the child. The child forks from
 * a thread that is not main, so the stack it runs on is that thread's. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static atomic_int ticks;
static atomic_int stop;

static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		atomic_fetch_add(&ticks, 1);
		sched_yield();
	}
	return NULL;
}

static void *forker(void *arg)
{
	int *status = arg;
	int local = 5;
	pid_t pid = fork();
	if (pid == 0) {
		int seen = atomic_load(&ticks);
		for (int i = 0; i < 20; i++)
			sched_yield();
		/* no worker in the child: the count does not move */
		_exit(atomic_load(&ticks) == seen && local == 5 ? 0 : 1);
	}
	*status = -1;
	if (pid > 0 && waitpid(pid, status, 0) != pid)
		*status = -2;
	return NULL;
}

int main(void)
{
	pthread_t w, f;
	int status = -3;
	CHECK(pthread_create(&w, NULL, worker, NULL) == 0);
	CHECK(pthread_create(&f, NULL, forker, &status) == 0);
	CHECK(pthread_join(f, NULL) == 0);
	atomic_store(&stop, 1);
	CHECK(pthread_join(w, NULL) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}
