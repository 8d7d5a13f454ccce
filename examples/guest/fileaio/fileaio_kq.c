/*
 * fileaio over POSIX AIO + kqueue (fileaio.h, fileaio_impl.h): the shape of
 * VirtualBox IPRT's FreeBSD backend. Each aiocb notifies the context's
 * kqueue (SIGEV_KEVENT: one EVFILT_AIO event, udata the request); a wait
 * is kevent, each result taken with aio_error/aio_return at once (so the
 * kernel never keeps a finished request); faio_ctx_wakeup triggers an
 * EVFILT_USER event (EV_CLEAR), which stays pending until a wait sees it,
 * so a wake-up that comes before the wait is not lost.
 */
#include <sys/event.h>
#include <time.h>
#include <unistd.h>

#include "fileaio_paio.h"

#define KQ(c) ((c)->h[0])
#define WAKE_IDENT 1

const char *be_name(void)
{
	return "kqueue";
}

int be_ctx_init(faio_ctx *c)
{
	KQ(c) = kqueue();
	if (KQ(c) < 0)
		return -errno;
	struct kevent kev;
	EV_SET(&kev, WAKE_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	if (kevent(KQ(c), &kev, 1, NULL, 0, NULL) != 0) {
		int e = -errno;
		close(KQ(c));
		return e;
	}
	return 0;
}

void be_ctx_fini(faio_ctx *c)
{
	close(KQ(c));
}

static void notify(faio_ctx *c, faio_req *q)
{
	struct sigevent *se = &paio_of(q)->cb.aio_sigevent;
	se->sigev_notify = SIGEV_KEVENT;
	se->sigev_notify_kqueue = KQ(c);
	se->sigev_value.sival_ptr = q;
}

int be_submit(faio_ctx *c, faio_req **reqs, size_t n, size_t *taken)
{
	return paio_submit(c, reqs, n, taken, notify);
}

int be_wait(faio_ctx *c, int64_t timeout_ns, faio_req **out, size_t max, size_t *n)
{
	struct kevent ev[FAIO_CTX_MAX];
	struct timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
	*n = 0;
	if (max > FAIO_CTX_MAX)
		max = FAIO_CTX_MAX;
	int r = kevent(KQ(c), NULL, 0, ev, (int)max, timeout_ns < 0 ? NULL : &ts);
	if (r < 0)
		return -errno;
	for (int i = 0; i < r; i++) {
		if (ev[i].filter == EVFILT_USER) {
			c->woken = true;
			continue;
		}
		faio_req *q = ev[i].udata;
		if (ev[i].filter != EVFILT_AIO || faio_is_stale(c, q))
			continue;
		paio_result(q);
		out[(*n)++] = q;
	}
	return 0;
}

int be_wakeup(faio_ctx *c)
{
	struct kevent kev;
	EV_SET(&kev, WAKE_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	return kevent(KQ(c), &kev, 1, NULL, 0, NULL) == 0 ? FAIO_OK : -errno;
}

int be_cancel(faio_ctx *c, faio_req *q)
{
	(void)c;
	return paio_cancel(q); /* aio_return drops the request's knote: no event */
}
