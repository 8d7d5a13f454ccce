/*
 * port_get(3C) ERRORS, EINTR: a signal caught while port_get waits ends the
 * wait with -1 and EINTR, after its handler ran; illumos never restarts
 * it, SA_RESTART or not (illumos port.c returns EINTR from the wait). The
 * event sent afterwards is still there for the next port_get.
 */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t handled;
static pthread_t waiter;

static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
}

static void *poker(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 1000000}; /* the waiter sleeps in port_get by then */
	nanosleep(&ts, NULL);
	CHECK(pthread_kill(waiter, SIGUSR1) == 0);
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	int port = port_create();
	CHECK(port >= 0);
	waiter = pthread_self();
	pthread_t t;
	CHECK(pthread_create(&t, NULL, poker, NULL) == 0);
	port_event_t pe;
	CHECK_ERR(port_get(port, &pe, NULL), EINTR);
	CHECK(handled == 1);
	CHECK(pthread_join(t, NULL) == 0);
	static int cookie;
	CHECK(port_send(port, 7, &cookie) == 0);
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_USER && pe.portev_events == 7);
	CHECK(pe.portev_user == &cookie);
	CHECK(close(port) == 0);
	return 0;
}
