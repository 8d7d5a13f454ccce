/*
 * Twin of scenarios/port/fork-noshare.scn: a port shared by a parent and
 * its forked child. After the fork each process posts a non-shareable
 * event — a POSIX AIO request with SIGEV_PORT, private to the process
 * that made it — the parent posts a shareable user event, and the child
 * associates a pipe it opened after the fork (PORT_SOURCE_FD: the parent
 * has no such descriptor, so that event is the child's too). Both
 * retrieve concurrently: a process never gets the other's private events,
 * which stay queued, in order, for their owner. Every event is taken
 * exactly once, by an allowed process; nothing is left. The scenario's
 * shared counters are a pipe here: the child reports how many user
 * events it took before it exits.
 *
 * Outcomes (printed; `forbid=NAME` makes reaching NAME fail the run):
 *   parent_user  the parent took the user event;
 *   child_user   the child did.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <fcntl.h>
#include <poll.h>
#include <port.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int port;
static char pbuf[16], cbuf[16];

/* An aio_write whose completion is a PORT_SOURCE_AIO event with user. */
static void aio_to_port(struct aiocb *cb, port_notify_t *pn, const char *path, char *buf,
			void *user)
{
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	pn->portnfy_port = port;
	pn->portnfy_user = user;
	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = fd;
	cb->aio_buf = buf;
	cb->aio_nbytes = sizeof(pbuf);
	cb->aio_sigevent.sigev_notify = SIGEV_PORT;
	cb->aio_sigevent.sigev_value.sival_ptr = pn;
	CHECK(aio_write(cb) == 0);
}

static int get(port_event_t *pe)
{
	struct timespec t = {0, 20 * 1000};
	if (port_get(port, pe, &t) == 0)
		return 1;
	CHECK(errno == ETIME);
	return 0;
}

static void child(int report)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(port_associate(port, PORT_SOURCE_FD, (uintptr_t)p[0], POLLIN, (void *)33) == 0);
	struct aiocb cb;
	port_notify_t pn;
	aio_to_port(&cb, &pn, "/child", cbuf, (void *)44);
	CHECK(write(p[1], "x", 1) == 1);
	int aio = 0, fd = 0, user = 0;
	while (aio == 0 || fd == 0) {
		port_event_t pe;
		if (!get(&pe))
			continue;
		if (pe.portev_source == PORT_SOURCE_AIO) {
			CHECK(pe.portev_user == (void *)44 && pe.portev_object == (uintptr_t)&cb);
			aio++;
		} else if (pe.portev_source == PORT_SOURCE_FD) {
			CHECK(pe.portev_user == (void *)33 && pe.portev_object == (uintptr_t)p[0]);
			fd++;
		} else {
			CHECK(pe.portev_source == PORT_SOURCE_USER && pe.portev_user == (void *)22);
			user++;
		}
	}
	CHECK(aio == 1 && fd == 1);
	/* the child made this association: it may dissociate it */
	CHECK(port_dissociate(port, PORT_SOURCE_FD, (uintptr_t)p[0]) == 0);
	CHECK(aio_return(&cb) == (ssize_t)sizeof(cbuf));
	CHECK(write(report, &user, sizeof(user)) == (ssize_t)sizeof(user));
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *forbid = argc > 1 && strncmp(argv[1], "forbid=", 7) == 0 ? argv[1] + 7 : "";
	port = port_create();
	CHECK(port >= 0);
	int rep[2];
	CHECK(pipe2(rep, O_NONBLOCK) == 0);
	pid_t c = fork();
	CHECK(c >= 0);
	if (c == 0)
		child(rep[1]);
	struct aiocb cb;
	port_notify_t pn;
	aio_to_port(&cb, &pn, "/parent", pbuf, (void *)11);
	CHECK(port_send(port, 2, (void *)22) == 0);
	int aio = 0, user = 0, child_user = -1;
	while (aio == 0 || child_user < 0 || user + child_user == 0) {
		port_event_t pe;
		if (get(&pe)) {
			if (pe.portev_source == PORT_SOURCE_AIO) {
				CHECK(pe.portev_user == (void *)11 && pe.portev_object == (uintptr_t)&cb);
				aio++;
			} else {
				CHECK(pe.portev_source == PORT_SOURCE_USER);
				CHECK(pe.portev_user == (void *)22 && pe.portev_events == 2);
				user++;
			}
		}
		if (child_user < 0 && read(rep[0], &child_user, sizeof(child_user)) < 0) {
			CHECK(errno == EAGAIN);
			child_user = -1;
		}
	}
	CHECK(aio == 1 && user + child_user == 1);
	int st;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uint_t n = 0;
	port_event_t none[1];
	CHECK(port_getn(port, none, 0, &n, NULL) == 0 && n == 0); /* nothing left */
	CHECK(aio_return(&cb) == (ssize_t)sizeof(pbuf));
	CHECK(close(port) == 0);

	const char *outcome = user == 1 ? "parent_user" : "child_user";
	printf("%s\n", outcome);
	if (!strcmp(forbid, outcome)) {
		printf("outcome %s reached\n", forbid);
		return 1;
	}
	return 0;
}
