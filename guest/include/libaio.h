/*
 * <libaio.h> for simk guests: Linux libaio's interface (the library every
 * Linux native AIO program uses), with libaio's names, types and x86-64
 * layouts, over simk's simulated Linux AIO (docs/laio.md, "Guest
 * programs"). The calls are the guest runtime's (guest/guest_libaio.c);
 * the io_prep_* helpers are inline, as in libaio.
 *
 * Convention (libaio's): every call returns 0 or a count on success and a
 * NEGATIVE errno on failure; errno is not set.
 *
 * io_context_t points at the context's completion ring (struct
 * simk_aio_ring below: the Linux header, then the io_events), so a program
 * may read events straight from the ring as libaio-based programs do.
 *
 * This header does not include <linux/aio_abi.h> (whose struct iocb and
 * struct io_event are the kernel's spelling of the same layouts): as on
 * Linux, a program includes one or the other.
 */
#ifndef _LIBAIO_H
#define _LIBAIO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct timespec;
struct sockaddr;
struct iovec;

typedef struct io_context *io_context_t;

typedef enum io_iocb_cmd {
	IO_CMD_PREAD = 0,
	IO_CMD_PWRITE = 1,
	IO_CMD_FSYNC = 2,
	IO_CMD_FDSYNC = 3,
	IO_CMD_POLL = 5, /* io_submit: -EINVAL (Linux 2.6 has no poll opcode) */
	IO_CMD_NOOP = 6, /* io_submit: -EINVAL, as on Linux */
	IO_CMD_PREADV = 7,
	IO_CMD_PWRITEV = 8,
} io_iocb_cmd_t;

/* The parts of struct iocb after aio_fildes, by opcode. */
struct io_iocb_poll {
	int events;
	unsigned __pad1;
};

struct io_iocb_sockaddr {
	struct sockaddr *addr;
	int len;
};

struct io_iocb_common {
	void *buf;
	unsigned long nbytes;
	long long offset;
	long long __pad3; /* the kernel's aio_reserved2: must be 0 */
	unsigned flags;	  /* IOCB_FLAG_RESFD: see io_set_eventfd */
	unsigned resfd;
};

struct io_iocb_vector {
	const struct iovec *vec;
	int nr;
	long long offset;
};

/* 64 bytes: the kernel's struct iocb. */
struct iocb {
	void *data;	       /* returned in io_event.data */
	unsigned key;	       /* io_submit writes 0 here */
	unsigned aio_rw_flags; /* the kernel's aio_reserved1: 2.6 wants 0 (-EINVAL) */
	short aio_lio_opcode;
	short aio_reqprio;
	int aio_fildes;
	union {
		struct io_iocb_common c;
		struct io_iocb_vector v;
		struct io_iocb_poll poll;
		struct io_iocb_sockaddr saddr;
	} u;
};

/* 32 bytes: the kernel's struct io_event. res: bytes, or a negative errno. */
struct io_event {
	void *data;
	struct iocb *obj;
	unsigned long res;
	unsigned long res2;
};

/* What io_context_t points at: Linux's ring header, followed by nr
 * struct io_event. One slot always stays empty; events are at head
 * (consumed) up to tail (filled by the kernel), modulo nr. simk's name:
 * libaio keeps this structure private. */
struct simk_aio_ring {
	unsigned id;
	unsigned nr;
	unsigned head;
	unsigned tail;
	unsigned magic; /* SIMK_AIO_RING_MAGIC */
	unsigned compat_features;
	unsigned incompat_features;
	unsigned header_length; /* sizeof(struct simk_aio_ring) */
	struct io_event io_events[];
};
#define SIMK_AIO_RING_MAGIC 0xa10a10a1u

typedef void (*io_callback_t)(io_context_t ctx, struct iocb *iocb, long res, long res2);

int io_queue_init(int maxevents, io_context_t *ctxp);
int io_queue_release(io_context_t ctx);
int io_queue_wait(io_context_t ctx, struct timespec *timeout);

int io_setup(int maxevents, io_context_t *ctxp);
int io_destroy(io_context_t ctx);
int io_submit(io_context_t ctx, long nr, struct iocb *ios[]);
int io_cancel(io_context_t ctx, struct iocb *iocb, struct io_event *evt);
int io_getevents(io_context_t ctx, long min_nr, long nr, struct io_event *events,
		 struct timespec *timeout);

static inline void io_set_callback(struct iocb *iocb, io_callback_t cb)
{
	iocb->data = (void *)cb;
}

static inline void io_prep_pread(struct iocb *iocb, int fd, void *buf, size_t count,
				 long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PREAD;
	iocb->u.c.buf = buf;
	iocb->u.c.nbytes = count;
	iocb->u.c.offset = offset;
}

static inline void io_prep_pwrite(struct iocb *iocb, int fd, void *buf, size_t count,
				  long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PWRITE;
	iocb->u.c.buf = buf;
	iocb->u.c.nbytes = count;
	iocb->u.c.offset = offset;
}

static inline void io_prep_preadv(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt,
				  long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PREADV;
	iocb->u.v.vec = iov;
	iocb->u.v.nr = iovcnt;
	iocb->u.v.offset = offset;
}

static inline void io_prep_pwritev(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt,
				   long long offset)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_PWRITEV;
	iocb->u.v.vec = iov;
	iocb->u.v.nr = iovcnt;
	iocb->u.v.offset = offset;
}

/* The RWF_* forms: Linux 2.6 has no per-request flags, so flags other
 * than 0 make io_submit fail with -EINVAL (aio_reserved1 set). */
static inline void io_prep_preadv2(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt,
				   long long offset, int flags)
{
	io_prep_preadv(iocb, fd, iov, iovcnt, offset);
	iocb->aio_rw_flags = (unsigned)flags;
}

static inline void io_prep_pwritev2(struct iocb *iocb, int fd, const struct iovec *iov, int iovcnt,
				    long long offset, int flags)
{
	io_prep_pwritev(iocb, fd, iov, iovcnt, offset);
	iocb->aio_rw_flags = (unsigned)flags;
}

/* Linux 2.6 has no poll opcode: io_submit of this iocb is -EINVAL. */
static inline void io_prep_poll(struct iocb *iocb, int fd, int events)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_POLL;
	iocb->u.poll.events = events;
}

static inline int io_poll(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd, int events)
{
	io_prep_poll(iocb, fd, events);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

static inline void io_prep_fsync(struct iocb *iocb, int fd)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_FSYNC;
}

static inline int io_fsync(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd)
{
	io_prep_fsync(iocb, fd);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

static inline void io_prep_fdsync(struct iocb *iocb, int fd)
{
	memset(iocb, 0, sizeof(*iocb));
	iocb->aio_fildes = fd;
	iocb->aio_lio_opcode = IO_CMD_FDSYNC;
}

static inline int io_fdsync(io_context_t ctx, struct iocb *iocb, io_callback_t cb, int fd)
{
	io_prep_fdsync(iocb, fd);
	io_set_callback(iocb, cb);
	return io_submit(ctx, 1, &iocb);
}

/*
 * libaio's io_queue_run: takes the events one at a time without waiting
 * and calls the callback io_set_callback stored in each one's data.
 * Returns 0 once the ring is empty, or io_getevents's error. Inline here
 * (a library function in libaio) so that the callbacks run on the
 * program's own stack frames, at the same addresses in every build of
 * simk.
 */
static inline int io_queue_run(io_context_t ctx)
{
	static struct timespec_zero_ {
		long long tv_sec, tv_nsec;
	} zero;
	struct io_event ev;
	int r;
	while ((r = io_getevents(ctx, 0, 1, &ev, (struct timespec *)(void *)&zero)) == 1) {
		io_callback_t cb = (io_callback_t)ev.data;
		cb(ctx, ev.obj, (long)ev.res, (long)ev.res2);
	}
	return r;
}

/* Signal eventfd once per completion of this request (IOCB_FLAG_RESFD). */
static inline void io_set_eventfd(struct iocb *iocb, int eventfd)
{
	iocb->u.c.flags |= 1u;
	iocb->u.c.resfd = (unsigned)eventfd;
}

#ifdef __cplusplus
}
#endif
#endif
