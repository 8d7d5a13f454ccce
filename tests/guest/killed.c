/* A signal whose default action ends the process ends it: the run fails
 * "killed by SIGTERM" (argument "term"), "killed by SIGPIPE" for a write
 * to a pipe nobody reads ("pipe"; "pipe_thread": by another thread while
 * main waits in pthread_join), "killed by SIGKILL" ("kill9"); a
 * blocked one waits until it is
 * unblocked, and the atexit handlers do not run. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *writer(void *arg)
{
	int fd = *(int *)arg;
	(void)write(fd, "x", 1);
	printf("survived the write\n");
	return NULL;
}

static void never(void)
{
	printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
	atexit(never);
	if (argc > 1 && strcmp(argv[1], "kill9") == 0) {
		kill(getpid(), SIGKILL); /* the kernel's: no handler, no mask */
		printf("survived SIGKILL\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "pipe_thread") == 0) {
		/* the writer dies of it, and so does main, waiting in pthread_join */
		int p[2];
		pthread_t th;
		if (pipe(p) != 0 || close(p[0]) != 0 ||
		    pthread_create(&th, NULL, writer, &p[1]) != 0)
			return 2;
		pthread_join(th, NULL);
		printf("survived the join\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "pipe") == 0) {
		int p[2];
		if (pipe(p) != 0 || close(p[0]) != 0)
			return 2;
		(void)write(p[1], "x", 1);
		printf("survived the write\n");
		return 0;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	printf("still here while SIGTERM is blocked\n");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("survived SIGTERM\n");
	return 0;
}
