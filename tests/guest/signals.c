/* <signal.h>: handlers run when the call that made the signal pending
 * returns, masks hold signals back, sigwait takes them, alarm and
 * sleeps on the virtual clock, EINTR and SA_RESTART, and every call's
 * errno cases. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t got, last, info_code, info_pid;

static void on_sig(int sig)
{
	got++;
	last = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got++;
	last = sig;
	info_code = si->si_code;
	info_pid = si->si_pid;
}

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec ts = {10, 0};
	int r = nanosleep(&ts, &ts);
	return (void *)(long)(r == -1 && errno == EINTR);
}

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);

	/* errno cases */
	CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(65, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	CHECK_ERR(kill(getpid(), 65), EINVAL);
	CHECK_ERR(kill(getpid(), -1), EINVAL);
	CHECK_ERR(kill(9999, SIGUSR1), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
	CHECK_ERR(raise(100), EINVAL);
	sigset_t set;
	sigemptyset(&set);
	CHECK_ERR(sigprocmask(42, &set, NULL), EINVAL);
	CHECK(pthread_sigmask(42, &set, NULL) == EINVAL);
	CHECK(sigprocmask(42, NULL, NULL) == 0); /* how is not looked at */

	/* a handler runs before kill returns */
	CHECK(sigaction(SIGUSR1, &sa, &old) == 0);
	CHECK(old.sa_handler == SIG_DFL);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(got == 1 && last == SIGUSR1);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(got == 2);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == on_sig);

	/* blocked: pending until unblocked; standard signals coalesce */
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0);
	CHECK(got == 2);
	sigset_t pend;
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(got == 3);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 0);

	/* SIG_IGN: nothing happens, nothing is pending */
	CHECK(signal(SIGUSR2, SIG_IGN) == SIG_DFL);
	CHECK(raise(SIGUSR2) == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2) == 0);
	/* a default-ignored signal does nothing either */
	CHECK(raise(SIGCHLD) == 0 && raise(SIGURG) == 0 && raise(SIGWINCH) == 0);

	/* SA_SIGINFO: si_code and si_pid */
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0);
	CHECK(got == 4 && last == SIGUSR2 && info_code == SI_USER && info_pid == getpid());
	union sigval v = {.sival_int = 7};
	CHECK(sigqueue(getpid(), SIGUSR2, v) == 0);
	CHECK(got == 5 && info_code == SI_QUEUE);

	/* SA_RESETHAND: once, then the default */
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESETHAND;
	CHECK(sigaction(SIGHUP, &sa, NULL) == 0);
	CHECK(raise(SIGHUP) == 0 && got == 6);
	CHECK(sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_DFL);

	/* sigwait takes a blocked signal without running its handler */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(raise(SIGUSR1) == 0);
	int sig = 0;
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR1 && got == 6);
	struct timespec zero = {0, 0}, tenth = {0, 100000000};
	CHECK_ERR(sigtimedwait(&set, NULL, &zero), EAGAIN);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(sigtimedwait(&set, NULL, &tenth), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long waited = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	CHECK(waited >= 100000000L && waited < 101000000L); /* calls cost virtual time too */
	struct timespec bad = {0, 1000000000L};
	CHECK_ERR(sigtimedwait(&set, NULL, &bad), EINVAL);
	siginfo_t si;
	CHECK(sigqueue(getpid(), SIGUSR1, v) == 0);
	CHECK(sigwaitinfo(&set, &si) == SIGUSR1 && si.si_code == SI_QUEUE &&
	      si.si_value.sival_int == 7);

	/* alarm: SIGALRM after virtual seconds; pause returns EINTR */
	CHECK(signal(SIGALRM, on_sig) == SIG_DFL);
	CHECK(alarm(2) == 0);
	CHECK(alarm(3) == 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(pause(), EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(last == SIGALRM && t1.tv_sec - t0.tv_sec == 3);
	CHECK(alarm(0) == 0);

	/* sigsuspend: the temporary mask lets a blocked signal in */
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	sigset_t none;
	sigemptyset(&none);
	CHECK(alarm(1) == 0);
	CHECK(signal(SIGALRM, SIG_IGN) == on_sig);
	CHECK(signal(SIGALRM, on_sig) == SIG_IGN);
	CHECK(raise(SIGUSR1) == 0);
	int before = got;
	CHECK_ERR(sigsuspend(&none), EINTR);
	CHECK(got == before + 1 && last == SIGUSR1);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
	CHECK(alarm(0) == 1);

	/* a signal to a sleeping thread interrupts its sleep */
	pthread_t th;
	CHECK(pthread_create(&th, NULL, sleeper, NULL) == 0);
	struct timespec ms = {0, 1000000};
	nanosleep(&ms, NULL);
	CHECK(pthread_kill(th, SIGUSR2) == 0);
	void *res;
	CHECK(pthread_join(th, &res) == 0 && res == (void *)1L);
	CHECK(pthread_kill(th, 0) == ESRCH);
	CHECK(pthread_kill(pthread_self(), 65) == EINVAL);
	return 0;
}
