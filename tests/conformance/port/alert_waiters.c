/* port_alert(3C) and waiting threads: every thread sleeping in port_get or
 * port_getn (whatever *nget it asked for) returns the alert, at once, as
 * its one event; the alert is not consumed, so each of them sees it, and a
 * thread that comes later sees it too. The user events queued before the
 * alert are still there after it is cleared. */
#include <errno.h>
#include <port.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"

static int port;
static atomic_int alerted;

static void *getter(void *arg)
{
	port_event_t pe;
	CHECK(port_get(port, &pe, NULL) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_ALERT && pe.portev_events == 42);
	atomic_fetch_add(&alerted, 1);
	return arg;
}

static void *getn3(void *arg)
{
	port_event_t list[3];
	uint_t n = 3;
	CHECK(port_getn(port, list, 3, &n, NULL) == 0);
	CHECK(n == 1 && list[0].portev_source == PORT_SOURCE_ALERT);
	CHECK(list[0].portev_user == (void *)43);
	atomic_fetch_add(&alerted, 1);
	return arg;
}

int main(void)
{
	port = port_create();
	CHECK(port >= 0);
	CHECK(port_send(port, 1, NULL) == 0); /* one queued: not enough for getn3 */
	pthread_t t[3];
	CHECK(pthread_create(&t[0], NULL, getn3, NULL) == 0);
	CHECK(pthread_create(&t[1], NULL, getn3, NULL) == 0);
	CHECK(pthread_create(&t[2], NULL, getn3, NULL) == 0);
	usleep(1000); /* all three asleep */
	CHECK(atomic_load(&alerted) == 0);
	CHECK(port_alert(port, PORT_ALERT_SET, 42, (void *)43) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(atomic_load(&alerted) == 3);
	pthread_t late;
	CHECK(pthread_create(&late, NULL, getter, NULL) == 0);
	CHECK(pthread_join(late, NULL) == 0);
	CHECK(atomic_load(&alerted) == 4);

	CHECK(port_alert(port, PORT_ALERT_SET, 0, NULL) == 0);
	port_event_t pe;
	struct timespec zero = {0, 0};
	CHECK(port_get(port, &pe, &zero) == 0);
	CHECK(pe.portev_source == PORT_SOURCE_USER && pe.portev_events == 1);
	CHECK(close(port) == 0);
	return 0;
}
