/* port_getn(3C) waits until *nget events are queued: a thread asking for 3
 * stays asleep through the first two sends and returns with all three,
 * once, in the order sent, when the third comes. */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static int port;
static atomic_int sends;

static void *sender(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 3; i++) {
		usleep(1000);
		atomic_store(&sends, i);
		CHECK(port_send(port, i, NULL) == 0);
	}
	return NULL;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, sender, NULL) == 0);
	port_event_t list[4];
	uint_t n = 3;
	CHECK(port_getn(port, list, 4, &n, NULL) == 0);
	CHECK(atomic_load(&sends) == 3);
	CHECK(n == 3);
	for (int i = 0; i < 3; i++)
		CHECK(list[i].portev_events == i + 1);
	CHECK(pthread_join(t, NULL) == 0);
	n = 0;
	CHECK(port_getn(port, list, 0, &n, NULL) == 0 && n == 0);
	CHECK(close(port) == 0);
	return 0;
}
