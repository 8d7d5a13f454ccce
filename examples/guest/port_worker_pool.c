/*
 * port_worker_pool.c: an event-ports server whose idle timeout closes a
 * connection under a worker's feet.
 *
 * A worker thread serves connections (here one pipe) through an event
 * port: port_get, then read the descriptor named by the event's user
 * pointer, then re-associate (PORT_SOURCE_FD is one-shot). A reaper
 * thread closes idle connections: it calls port_dissociate and, since it
 * returned 0, believes no event of the connection can reach anyone — so
 * it closes the descriptor and marks the connection dead. But
 * port_dissociate only takes back an event that is still *queued*: an
 * event a worker has already retrieved is in flight. When the client's
 * message and the idle deadline fall at the same instant and the worker is
 * preempted between port_get and read, the reaper closes the descriptor in
 * between, and the worker's read fails with EBADF (on a real system, worse:
 * the number may already name another connection's file).
 *
 *   build/simk-cc -o port_worker_pool examples/guest/port_worker_pool.c
 *   build/simk explore ./port_worker_pool --runs 1000
 *   build/simk run ./port_worker_pool --seed N --policy random --preempt 0.25
 *
 * explore reports the failure (exit status 1) with the worker's message.
 * The fix: a connection belongs to whoever retrieved its event — the
 * reaper must not close it while a worker holds it (a per-connection lock
 * or reference count taken by the worker before port_get returns control,
 * e.g. by handing the close to the worker with port_send).
 */
#include <errno.h>
#include <poll.h>
#include <port.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUIT 0x51 /* the user event that stops the worker */

struct conn {
	int fd;
	int dead;
	int served;
};

static int port;
static int client_end;
static struct conn conn;
static char failure[160]; /* the worker's, reported by main */

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		port_event_t pe;
		if (port_get(port, &pe, NULL) != 0) {
			perror("port_get");
			exit(2);
		}
		if (pe.portev_source == PORT_SOURCE_USER && pe.portev_events == QUIT)
			return NULL;
		struct conn *c = pe.portev_user;
		char buf[64];
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0) {
			snprintf(failure, sizeof(failure),
				 "worker: event for fd %d, but read failed: %s (the reaper closed it: "
				 "dead=%d)",
				 c->fd, strerror(errno), c->dead);
			return NULL;
		}
		if (n == 0)
			continue; /* the client hung up */
		c->served++;
		/* one-shot: re-arm for the next request */
		if (port_associate(port, PORT_SOURCE_FD, (uintptr_t)c->fd, POLLIN, c) != 0 &&
		    errno != EBADF) {
			perror("port_associate");
			exit(2);
		}
	}
}

static void *client(void *arg)
{
	(void)arg;
	usleep(1000);
	/* EPIPE: the server reaped the connection first, a normal end */
	if (write(client_end, "GET /", 5) != 5 && errno != EPIPE) {
		perror("write");
		exit(2);
	}
	return NULL;
}

static void *reaper(void *arg)
{
	(void)arg;
	usleep(1000); /* the idle deadline */
	if (port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)conn.fd) == 0) {
		/* "no event can come now" — wrong if one is in flight */
		conn.dead = 1;
		close(conn.fd);
	}
	port_send(port, QUIT, NULL);
	return NULL;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* the client's EPIPE is a normal end, not a death */
	port = port_create();
	int p[2];
	if (port < 0 || pipe(p) != 0) {
		perror("setup");
		return 2;
	}
	conn.fd = p[0];
	client_end = p[1];
	if (port_associate(port, PORT_SOURCE_FD, (uintptr_t)conn.fd, POLLIN, &conn) != 0) {
		perror("port_associate");
		return 2;
	}
	pthread_t w, c, r;
	pthread_create(&w, NULL, worker, NULL);
	pthread_create(&c, NULL, client, NULL);
	pthread_create(&r, NULL, reaper, NULL);
	pthread_join(c, NULL);
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	if (!conn.dead)
		close(conn.fd);
	close(client_end);
	close(port);
	if (failure[0] != '\0') {
		printf("%s\n", failure);
		return 1;
	}
	printf("served %d request(s), connection %s\n", conn.served,
	       conn.dead ? "reaped" : "open");
	return 0;
}
