/* Closing a port's last descriptor while threads wait in port_get /
 * port_getn (illumos port.c's last close): every waiter returns -1 with
 * EBADFD, and afterwards every call on the number says EBADF. Events
 * queued at the close are discarded with the port. */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static int port;
static atomic_int woke;

static void *waiter(void *arg)
{
	port_event_t list[4];
	uint_t n = 4;
	int r = arg ? port_getn(port, list, 4, &n, NULL) : port_get(port, list, NULL);
	CHECK(r == -1 && errno == EBADFD);
	atomic_fetch_add(&woke, 1);
	return NULL;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	CHECK(port_send(port, 1, NULL) == 0);
	pthread_t t[2];
	/* the getn waiter wants 4 events, one is queued: it sleeps */
	CHECK(pthread_create(&t[0], NULL, waiter, (void *)1) == 0);
	usleep(1000);
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0);
	/* now nothing is queued: the port_get waiter sleeps too */
	CHECK(pthread_create(&t[1], NULL, waiter, NULL) == 0);
	usleep(1000);
	CHECK(atomic_load(&woke) == 0);
	CHECK(close(port) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(atomic_load(&woke) == 2);
	CHECK_ERR(port_get(port, &pe, NULL), EBADF);
	CHECK_ERR(port_send(port, 1, NULL), EBADF);
	return 0;
}
