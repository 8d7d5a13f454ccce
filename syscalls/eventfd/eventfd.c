/*
 * eventfd: a counter behind a descriptor. Linux AIO signals it once per
 * completion (IOCB_FLAG_RESFD); programs read it, poll it, or hand it to an
 * event loop next to their sockets.
 *
 * The one invariant: count is always in [0, EVENTFD_COUNT_MAX], and it
 * reaches EVENTFD_COUNT_MAX only through eventfd_signal (a write that would
 * get there waits or fails), which is how poll reports the overflow as
 * POLLERR. Every change of count is followed by a wake of the sleepers and
 * a pollwakeup with the readiness after the change.
 */
#include "syscalls/eventfd/eventfd.h"

#include <errno.h>

#include "kern/kmem.h"
#include "kern/waitq.h"
#include "vfs/poll.h"

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;     /* readers waiting for a count, writers for room */
	struct poll_head ph; /* poll, kqueue, ports, AIO */
};

static KMEM_TYPE(kt_eventfd, "eventfd.ctx");

static struct eventfd *efd_of(const struct file *fp)
{
	KASSERT(fp->type == FT_EVENTFD, "file %llu is a %s, not an eventfd",
		(unsigned long long)fp->id, file_type_name(fp->type));
	return fp->priv;
}

static unsigned efd_readiness(const struct eventfd *ef)
{
	unsigned mask = 0;
	if (ef->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (ef->count == EVENTFD_COUNT_MAX)
		mask |= POLLERR;
	if (EVENTFD_COUNT_MAX - 1 > ef->count)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

/* The count changed: wake sleepers and tell listeners. Any context. */
static void efd_changed(struct eventfd *ef)
{
	waitq_wake_all(&ef->wq);
	pollwakeup(&ef->ph, efd_readiness(ef));
}

static bool efd_readable(void *arg)
{
	return ((struct eventfd *)arg)->count > 0;
}

struct efd_write_wait {
	struct eventfd *ef;
	uint64_t value;
};

static bool efd_room(void *arg)
{
	struct efd_write_wait *w = arg;
	return EVENTFD_COUNT_MAX - w->ef->count > w->value;
}

/* Thread context; may sleep unless IOF_NONBLOCK. */
static ssize_t efd_read(struct file *fp, struct uio *uio, int ioflags)
{
	sim_assert_thread_context(__func__);
	struct eventfd *ef = efd_of(fp);
	if (uio->resid < sizeof(uint64_t))
		return -EINVAL;
	if (ef->count == 0) {
		if (ioflags & IOF_NONBLOCK)
			return -EAGAIN;
		int r = waitq_wait(&ef->wq, false, true, SIMK_FOREVER, efd_readable, ef);
		if (r != 0)
			return r; /* -EINTR */
	}
	KASSERT(ef->count > 0, "eventfd read woke on an empty counter");
	uint64_t value = ef->semaphore ? 1 : ef->count;
	ef->count -= value;
	trace_emit(TR_INFO, "eventfd:read", (int64_t)fp->id, (int64_t)value, (int64_t)ef->count, 0);
	efd_changed(ef);
	/* As on Linux, the value is consumed even when the copy faults. */
	if (uiomove(&value, sizeof(value), uio) != 0)
		return -EFAULT;
	return (ssize_t)sizeof(value);
}

/* Thread context; may sleep unless IOF_NONBLOCK. */
static ssize_t efd_write(struct file *fp, struct uio *uio, int ioflags)
{
	sim_assert_thread_context(__func__);
	struct eventfd *ef = efd_of(fp);
	uint64_t value;
	if (uio->resid < sizeof(value))
		return -EINVAL;
	if (uiomove(&value, sizeof(value), uio) != 0)
		return -EFAULT;
	if (value == EVENTFD_COUNT_MAX)
		return -EINVAL;
	struct efd_write_wait w = {ef, value};
	if (!efd_room(&w)) {
		if (ioflags & IOF_NONBLOCK)
			return -EAGAIN;
		int r = waitq_wait(&ef->wq, false, true, SIMK_FOREVER, efd_room, &w);
		if (r != 0)
			return r;
	}
	ef->count += value;
	KASSERT(ef->count < EVENTFD_COUNT_MAX, "eventfd write overflowed");
	trace_emit(TR_INFO, "eventfd:write", (int64_t)fp->id, (int64_t)value, (int64_t)ef->count,
		   0);
	efd_changed(ef);
	return (ssize_t)sizeof(value);
}

/* Any context; never sleeps. */
static unsigned efd_poll(struct file *fp, unsigned interest, struct poll_head **php)
{
	struct eventfd *ef = efd_of(fp);
	if (php != NULL)
		*php = &ef->ph;
	return efd_readiness(ef) & (interest | POLLERR | POLLHUP | POLLNVAL);
}

static void efd_release(struct file *fp)
{
	struct eventfd *ef = efd_of(fp);
	poll_head_destroy(&ef->ph);
	waitq_destroy(&ef->wq);
	kmem_free(&kt_eventfd, ef);
	fp->priv = NULL;
}

static const struct file_ops eventfd_ops = {
    .name = "eventfd",
    .read = efd_read,
    .write = efd_write,
    .poll = efd_poll,
    .release = efd_release,
};

int eventfd_create_for(struct simk_proc *p, unsigned initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd *ef = kmem_zalloc(&kt_eventfd, sizeof(*ef));
	if (ef == NULL)
		return -ENOMEM;
	ef->count = initval;
	ef->semaphore = (flags & EFD_SEMAPHORE) != 0;
	waitq_init(&ef->wq, "eventfd");
	poll_head_init(&ef->ph, "eventfd");
	struct file *fp = file_alloc(FT_EVENTFD, &eventfd_ops, ef, O_RDWR | (flags & EFD_NONBLOCK));
	if (fp == NULL) {
		poll_head_destroy(&ef->ph);
		waitq_destroy(&ef->wq);
		kmem_free(&kt_eventfd, ef);
		return -ENOMEM;
	}
	int fd = fd_alloc(p, 0);
	if (fd < 0) {
		file_put(fp); /* releases ef */
		return fd;
	}
	fd_install(p, fd, fp, (flags & EFD_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	trace_emit(TR_INFO, "eventfd:create", p->pid, fd, initval, flags);
	return fd;
}

int sys_eventfd(unsigned initval, int flags)
{
	return eventfd_create_for(sim_proc_current(), initval, flags);
}

int eventfd_fget(struct simk_proc *p, int fd, struct file **out)
{
	struct file *fp;
	int r = fd_get(p, fd, &fp);
	if (r != 0)
		return r;
	if (fp->type != FT_EVENTFD) {
		file_put(fp);
		return -EINVAL;
	}
	*out = fp;
	return 0;
}

uint64_t eventfd_signal(struct file *fp, uint64_t n)
{
	struct eventfd *ef = efd_of(fp);
	if (EVENTFD_COUNT_MAX - ef->count < n)
		n = EVENTFD_COUNT_MAX - ef->count;
	ef->count += n;
	trace_emit(TR_INFO, "eventfd:signal", (int64_t)fp->id, (int64_t)n, (int64_t)ef->count, 0);
	efd_changed(ef);
	return n;
}

uint64_t eventfd_count(const struct file *fp)
{
	return efd_of(fp)->count;
}
