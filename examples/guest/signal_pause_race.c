/*
 * signal_pause_race.c: the lost wake-up of signals — `if (!flag) pause()`.
 *
 * The main thread waits for a worker's "done" signal the way many
 * programs do: a handler sets a flag, and main sleeps in pause() while
 * the flag is clear. The worker (created with SIGUSR1 blocked, so main is
 * the one to take it) finishes its job and sends SIGUSR1 to the process. If the
 * signal arrives after main tested the flag but before pause() started,
 * the handler runs then, sets the flag, and pause() sleeps for a signal
 * that has already come and gone: main waits forever. simk reports the
 * deadlock, with main "waits for a signal (pause)" at its line.
 *
 *   build/simk-cc -o signal_pause_race examples/guest/signal_pause_race.c
 *   build/simk explore ./signal_pause_race --runs 2000
 *   build/simk run ./signal_pause_race --seed N --policy random --preempt 0.25
 *   build/simk explore ./signal_pause_race --runs 2000 -- fixed
 *
 * The fix (the argument `fixed`): keep SIGUSR1 blocked while testing the
 * flag and wait with sigsuspend(), which unblocks it and sleeps in one
 * step, so the signal cannot slip in between.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t done;
static int result;

static void on_done(int sig)
{
	(void)sig;
	done = 1;
}

/* Starts with SIGUSR1 blocked (main's mask when it was created). */
static void *worker(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 3; i++)
		result += i;
	kill(getpid(), SIGUSR1);
	return NULL;
}

int main(int argc, char **argv)
{
	int fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_done;
	sigemptyset(&a.sa_mask);
	sigaction(SIGUSR1, &a, NULL);
	pthread_t th;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_create(&th, NULL, worker, NULL);
	if (fixed) {
		while (!done)
			sigsuspend(&old);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	} else {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		while (!done)
			pause(); /* the signal may come just before this */
	}
	pthread_join(th, NULL);
	printf("result %d\n", result);
	return 0;
}
