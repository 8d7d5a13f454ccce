/* A POSIX timer with SIGEV_SIGNAL sends its signal at each expiry with
 * si_code SI_TIMER and the sigevent's value (taken by sigwaitinfo while
 * blocked, or run through a handler); a periodic timer keeps sending;
 * with a NULL sigevent the signal is SIGALRM and the value is the timer's
 * id, as Linux's timer_create does. */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t ticks, last_code, last_value;

static void on_tick(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	ticks++;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
}

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_value.sival_int = 77;
	timer_t t;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	struct itimerspec its = {{0, 10000000}, {0, 50000000}}; /* 50 ms, then every 10 ms */
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
	siginfo_t si;
	for (int i = 0; i < 3; i++) {
		CHECK(sigwaitinfo(&set, &si) == SIGRTMIN);
		CHECK(si.si_code == SI_TIMER && si.si_value.sival_int == 77);
	}
	CHECK(timer_delete(t) == 0);

	struct sigaction a;
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_tick;
	a.sa_flags = SA_SIGINFO;
	sigemptyset(&a.sa_mask);
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	timer_t t2;
	CHECK(timer_create(CLOCK_REALTIME, NULL, &t2) == 0);
	struct itimerspec once = {{0, 0}, {1, 0}};
	CHECK(timer_settime(t2, 0, &once, NULL) == 0);
	CHECK_ERR(pause(), EINTR);
	CHECK(ticks == 1 && last_code == SI_TIMER);
	CHECK(last_value == (int)(long)t2); /* simk's timer_t holds the id */
	CHECK(timer_delete(t2) == 0);
	return 0;
}
