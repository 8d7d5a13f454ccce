/*
 * The system calls of Linux native AIO: one descriptor and one user-side
 * stub (simk_<name>, declared in include/simk/laio.h) per call. A stub
 * packs its arguments and enters the kernel through syscall_invoke(); the
 * handler adapter unpacks them for sys_<name>. See kern/syscall.h.
 */
#include "simk/laio.h"

#include "kern/syscall.h"
#include "syscalls/linux_aio/laio.h"

#include <stddef.h>

/* The public layouts and values (include/simk/laio.h) are the kernel's. */
#define SAME_FIELD(a, b, f) (offsetof(a, f) == offsetof(b, f) && sizeof(((a *)0)->f) == sizeof(((b *)0)->f))
_Static_assert(sizeof(struct simk_iocb) == sizeof(struct iocb), "simk_iocb");
_Static_assert(SAME_FIELD(struct simk_iocb, struct iocb, aio_data) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_key) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_lio_opcode) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_reqprio) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_fildes) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_buf) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_nbytes) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_offset) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_reserved2) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_flags) &&
		   SAME_FIELD(struct simk_iocb, struct iocb, aio_resfd),
	       "simk_iocb fields");
_Static_assert(sizeof(struct simk_io_event) == sizeof(struct io_event) &&
		   SAME_FIELD(struct simk_io_event, struct io_event, data) &&
		   SAME_FIELD(struct simk_io_event, struct io_event, obj) &&
		   SAME_FIELD(struct simk_io_event, struct io_event, res) &&
		   SAME_FIELD(struct simk_io_event, struct io_event, res2),
	       "simk_io_event");
_Static_assert(SIMK_IOCB_CMD_PREAD == IOCB_CMD_PREAD && SIMK_IOCB_CMD_PWRITE == IOCB_CMD_PWRITE &&
		   SIMK_IOCB_CMD_FSYNC == IOCB_CMD_FSYNC && SIMK_IOCB_CMD_FDSYNC == IOCB_CMD_FDSYNC &&
		   SIMK_IOCB_CMD_NOOP == IOCB_CMD_NOOP && SIMK_IOCB_CMD_PREADV == IOCB_CMD_PREADV &&
		   SIMK_IOCB_CMD_PWRITEV == IOCB_CMD_PWRITEV && SIMK_IOCB_FLAG_RESFD == IOCB_FLAG_RESFD,
	       "iocb values");
_Static_assert(sizeof(simk_aio_context_t) == sizeof(aio_context_t), "context id");

static int64_t h_io_setup(const int64_t *a)
{
	return sys_io_setup((unsigned)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_io_setup = {
    .name = "io_setup",
    .subsys = "laio",
    .fn = h_io_setup,
    .nargs = 2,
    .arg = {SA_UINT, SA_UPTR},
    .res = SA_INT,
};

int simk_io_setup(unsigned nr_events, simk_uaddr_t ctxp)
{
	const int64_t a[] = {(int64_t)nr_events, (int64_t)ctxp};
	return (int)syscall_invoke(&desc_io_setup, a);
}

static int64_t h_io_destroy(const int64_t *a)
{
	return sys_io_destroy((aio_context_t)a[0]);
}

static const struct syscall_desc desc_io_destroy = {
    .name = "io_destroy",
    .subsys = "laio",
    .fn = h_io_destroy,
    .nargs = 1,
    .arg = {SA_AIO_CTX},
    .res = SA_INT,
};

int simk_io_destroy(simk_aio_context_t ctx)
{
	const int64_t a[] = {(int64_t)ctx};
	return (int)syscall_invoke(&desc_io_destroy, a);
}

static int64_t h_io_submit(const int64_t *a)
{
	return sys_io_submit((aio_context_t)a[0], (long)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_io_submit = {
    .name = "io_submit",
    .subsys = "laio",
    .fn = h_io_submit,
    .nargs = 3,
    .arg = {SA_AIO_CTX, SA_INT, SA_IOCB_PTR},
    .res = SA_INT,
};

int64_t simk_io_submit(simk_aio_context_t ctx, int64_t nr, simk_uaddr_t iocbpp)
{
	const int64_t a[] = {(int64_t)ctx, (int64_t)nr, (int64_t)iocbpp};
	return syscall_invoke(&desc_io_submit, a);
}

static int64_t h_io_cancel(const int64_t *a)
{
	return sys_io_cancel((aio_context_t)a[0], (uaddr_t)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_io_cancel = {
    .name = "io_cancel",
    .subsys = "laio",
    .fn = h_io_cancel,
    .nargs = 3,
    .arg = {SA_AIO_CTX, SA_IOCB_PTR, SA_IO_EVENT_PTR},
    .res = SA_INT,
};

int simk_io_cancel(simk_aio_context_t ctx, simk_uaddr_t iocb, simk_uaddr_t result)
{
	const int64_t a[] = {(int64_t)ctx, (int64_t)iocb, (int64_t)result};
	return (int)syscall_invoke(&desc_io_cancel, a);
}

static int64_t h_io_getevents(const int64_t *a)
{
	return sys_io_getevents((aio_context_t)a[0], (long)a[1], (long)a[2], (uaddr_t)a[3],
				(uaddr_t)a[4]);
}

static const struct syscall_desc desc_io_getevents = {
    .name = "io_getevents",
    .subsys = "laio",
    .fn = h_io_getevents,
    .nargs = 5,
    .arg = {SA_AIO_CTX, SA_INT, SA_INT, SA_IO_EVENT_PTR, SA_UTIMESPEC},
    .res = SA_INT,
};

int64_t simk_io_getevents(simk_aio_context_t ctx, int64_t min_nr, int64_t nr, simk_uaddr_t events,
			  simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)ctx, (int64_t)min_nr, (int64_t)nr, (int64_t)events,
			     (int64_t)timeout};
	return syscall_invoke(&desc_io_getevents, a);
}

static const struct syscall_desc *const laio_syscall_table[] = {
    &desc_io_setup, &desc_io_destroy, &desc_io_submit, &desc_io_cancel, &desc_io_getevents,
};

void laio_syscalls_register(void)
{
	syscall_register_table(laio_syscall_table,
			       (int)(sizeof(laio_syscall_table) / sizeof(laio_syscall_table[0])));
}
