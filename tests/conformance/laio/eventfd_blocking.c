/* A blocking eventfd: a read of a zero counter waits until another thread
 * writes, and a write that would pass 0xfffffffffffffffe waits until a
 * read makes room (Linux eventfd_read / eventfd_write). poll() wakes for
 * the write too. */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "laio_test.h"

static int efd;
static int phase;

static void *writer(void *arg)
{
	(void)arg;
	usleep(1000);
	__atomic_store_n(&phase, 1, __ATOMIC_SEQ_CST);
	CHECK(eventfd_write(efd, 9) == 0);
	return NULL;
}

static void *drainer(void *arg)
{
	(void)arg;
	usleep(1000);
	__atomic_store_n(&phase, 2, __ATOMIC_SEQ_CST);
	eventfd_t v;
	CHECK(eventfd_read(efd, &v) == 0 && v == UINT64_MAX - 1);
	return NULL;
}

int main(void)
{
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	eventfd_t v = 0;
	CHECK(eventfd_read(efd, &v) == 0 && v == 9);
	CHECK(__atomic_load_n(&phase, __ATOMIC_SEQ_CST) == 1);
	CHECK(pthread_join(t, NULL) == 0);

	CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
	struct pollfd pf = {.fd = efd, .events = POLLIN};
	CHECK(poll(&pf, 1, -1) == 1 && (pf.revents & POLLIN));
	CHECK(eventfd_read(efd, &v) == 0 && v == 9);
	CHECK(pthread_join(t, NULL) == 0);

	CHECK(eventfd_write(efd, UINT64_MAX - 1) == 0);
	CHECK(pthread_create(&t, NULL, drainer, NULL) == 0);
	CHECK(eventfd_write(efd, 4) == 0); /* waits for the drainer */
	CHECK(__atomic_load_n(&phase, __ATOMIC_SEQ_CST) == 2);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(eventfd_read(efd, &v) == 0 && v == 4);
	CHECK(close(efd) == 0);
	return 0;
}
