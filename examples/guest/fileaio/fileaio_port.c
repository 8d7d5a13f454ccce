/*
 * fileaio over POSIX AIO + illumos event ports (fileaio.h,
 * fileaio_impl.h). Each aiocb notifies the context's port (SIGEV_PORT: a
 * port_notify_t with the request as portnfy_user); a wait is port_getn,
 * each result taken with aio_error/aio_return at once; faio_ctx_wakeup is
 * a port_send of a user event, which stays queued until a wait takes it.
 */
#include <port.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileaio_paio.h"

#define PORT(c) ((c)->h[0])

_Static_assert(sizeof(port_notify_t) <= sizeof(((struct paio_be *)0)->notify),
	       "the port_notify_t fits");

const char *be_name(void)
{
	return "port";
}

int be_ctx_init(faio_ctx *c)
{
	PORT(c) = port_create();
	return PORT(c) < 0 ? -errno : 0;
}

void be_ctx_fini(faio_ctx *c)
{
	close(PORT(c));
}

static void notify(faio_ctx *c, faio_req *q)
{
	struct paio_be *b = paio_of(q);
	port_notify_t pn = {PORT(c), q};
	memcpy(b->notify, &pn, sizeof(pn));
	b->cb.aio_sigevent.sigev_notify = SIGEV_PORT;
	b->cb.aio_sigevent.sigev_value.sival_ptr = b->notify;
}

int be_submit(faio_ctx *c, faio_req **reqs, size_t n, size_t *taken)
{
	return paio_submit(c, reqs, n, taken, notify);
}

int be_wait(faio_ctx *c, int64_t timeout_ns, faio_req **out, size_t max, size_t *n)
{
	port_event_t ev[FAIO_CTX_MAX];
	struct timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
	uint_t nget = 1;
	*n = 0;
	if (max > FAIO_CTX_MAX)
		max = FAIO_CTX_MAX;
	/* nget stays 1 with a zero timeout: nget 0 would only count the events */
	int r = port_getn(PORT(c), ev, (uint_t)max, &nget, timeout_ns < 0 ? NULL : &ts);
	if (r != 0 && errno != ETIME)
		return -errno;
	for (uint_t i = 0; i < nget; i++) {
		if (ev[i].portev_source == PORT_SOURCE_USER) {
			c->woken = true;
			continue;
		}
		faio_req *q = ev[i].portev_user;
		if (ev[i].portev_source != PORT_SOURCE_AIO || faio_is_stale(c, q))
			continue;
		paio_result(q);
		out[(*n)++] = q;
	}
	return 0;
}

int be_wakeup(faio_ctx *c)
{
	return port_send(PORT(c), 0, NULL) == 0 ? FAIO_OK : -errno;
}

int be_cancel(faio_ctx *c, faio_req *q)
{
	int r = paio_cancel(q);
	if (r == 1)
		faio_stale(c, q); /* a canceled request's event is still sent (Solaris libc aio.c) */
	return r;
}
