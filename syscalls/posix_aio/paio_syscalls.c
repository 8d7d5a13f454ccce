/*
 * The system calls of POSIX AIO and the Solaris aioread family: one
 * descriptor and one user-side stub (simk_<name>, declared in
 * include/simk/paio.h) per call. A stub packs its arguments and enters the
 * kernel through syscall_invoke(); the handler adapter unpacks them for
 * sys_<name>. See kern/syscall.h.
 */
#include "simk/paio.h"

#include "kern/syscall.h"
#include "syscalls/posix_aio/paio.h"


_Static_assert(SIMK_AIO_CANCELED == AIO_CANCELED && SIMK_AIO_ALLDONE == AIO_ALLDONE &&
		   SIMK_AIO_NOTCANCELED == AIO_NOTCANCELED && SIMK_LIO_NOWAIT == LIO_NOWAIT &&
		   SIMK_LIO_WAIT == LIO_WAIT && SIMK_LIO_NOP == LIO_NOP && SIMK_LIO_READ == LIO_READ &&
		   SIMK_LIO_WRITE == LIO_WRITE && SIMK_AIO_INPROGRESS == AIO_INPROGRESS,
	       "POSIX AIO values (include/simk/paio.h)");

static int64_t h_aio_read(const int64_t *a)
{
	return sys_aio_read((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aio_read = {
    .name = "aio_read",
    .subsys = "paio",
    .fn = h_aio_read,
    .nargs = 1,
    .arg = {SA_AIOCB_PTR},
    .res = SA_INT,
};

int simk_aio_read(simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)aiocbp};
	return (int)syscall_invoke(&desc_aio_read, a);
}

static int64_t h_aio_write(const int64_t *a)
{
	return sys_aio_write((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aio_write = {
    .name = "aio_write",
    .subsys = "paio",
    .fn = h_aio_write,
    .nargs = 1,
    .arg = {SA_AIOCB_PTR},
    .res = SA_INT,
};

int simk_aio_write(simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)aiocbp};
	return (int)syscall_invoke(&desc_aio_write, a);
}

static int64_t h_aio_fsync(const int64_t *a)
{
	return sys_aio_fsync((int)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_aio_fsync = {
    .name = "aio_fsync",
    .subsys = "paio",
    .fn = h_aio_fsync,
    .nargs = 2,
    .arg = {SA_OFLAGS, SA_AIOCB_PTR},
    .res = SA_INT,
};

int simk_aio_fsync(int op, simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)op, (int64_t)aiocbp};
	return (int)syscall_invoke(&desc_aio_fsync, a);
}

static int64_t h_aio_error(const int64_t *a)
{
	return sys_aio_error((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aio_error = {
    .name = "aio_error",
    .subsys = "paio",
    .fn = h_aio_error,
    .nargs = 1,
    .arg = {SA_AIOCB_PTR},
    .res = SA_INT,
};

int simk_aio_error(simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)aiocbp};
	return (int)syscall_invoke(&desc_aio_error, a);
}

static int64_t h_aio_return(const int64_t *a)
{
	return sys_aio_return((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aio_return = {
    .name = "aio_return",
    .subsys = "paio",
    .fn = h_aio_return,
    .nargs = 1,
    .arg = {SA_AIOCB_PTR},
    .res = SA_INT,
};

int64_t simk_aio_return(simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)aiocbp};
	return syscall_invoke(&desc_aio_return, a);
}

static int64_t h_aio_cancel(const int64_t *a)
{
	return sys_aio_cancel((int)a[0], (uaddr_t)a[1]);
}

static const struct syscall_desc desc_aio_cancel = {
    .name = "aio_cancel",
    .subsys = "paio",
    .fn = h_aio_cancel,
    .nargs = 2,
    .arg = {SA_FD, SA_AIOCB_PTR},
    .res = SA_INT,
};

int simk_aio_cancel(int fd, simk_uaddr_t aiocbp)
{
	const int64_t a[] = {(int64_t)fd, (int64_t)aiocbp};
	return (int)syscall_invoke(&desc_aio_cancel, a);
}

static int64_t h_aio_suspend(const int64_t *a)
{
	return sys_aio_suspend((uaddr_t)a[0], (int)a[1], (uaddr_t)a[2]);
}

static const struct syscall_desc desc_aio_suspend = {
    .name = "aio_suspend",
    .subsys = "paio",
    .fn = h_aio_suspend,
    .nargs = 3,
    .arg = {SA_AIOCB_PTR, SA_INT, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_aio_suspend(simk_uaddr_t list, int nent, simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)list, (int64_t)nent, (int64_t)timeout};
	return (int)syscall_invoke(&desc_aio_suspend, a);
}

static int64_t h_lio_listio(const int64_t *a)
{
	return sys_lio_listio((int)a[0], (uaddr_t)a[1], (int)a[2], (uaddr_t)a[3]);
}

static const struct syscall_desc desc_lio_listio = {
    .name = "lio_listio",
    .subsys = "paio",
    .fn = h_lio_listio,
    .nargs = 4,
    .arg = {SA_LIO_MODE, SA_AIOCB_PTR, SA_INT, SA_UPTR},
    .res = SA_INT,
};

int simk_lio_listio(int mode, simk_uaddr_t list, int nent, simk_uaddr_t sig)
{
	const int64_t a[] = {(int64_t)mode, (int64_t)list, (int64_t)nent, (int64_t)sig};
	return (int)syscall_invoke(&desc_lio_listio, a);
}

static int64_t h_aio_waitn(const int64_t *a)
{
	return sys_aio_waitn((uaddr_t)a[0], (uint32_t)a[1], (uaddr_t)a[2], (uaddr_t)a[3]);
}

static const struct syscall_desc desc_aio_waitn = {
    .name = "aio_waitn",
    .subsys = "paio",
    .fn = h_aio_waitn,
    .nargs = 4,
    .arg = {SA_AIOCB_PTR, SA_UINT, SA_UPTR, SA_UTIMESPEC},
    .res = SA_INT,
};

int simk_aio_waitn(simk_uaddr_t list, uint32_t nent, simk_uaddr_t nwait, simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)list, (int64_t)nent, (int64_t)nwait, (int64_t)timeout};
	return (int)syscall_invoke(&desc_aio_waitn, a);
}

static int64_t h_aioread(const int64_t *a)
{
	return sys_aioread((int)a[0], (uaddr_t)a[1], (int)a[2], (int64_t)a[3], (int)a[4],
			   (uaddr_t)a[5]);
}

static const struct syscall_desc desc_aioread = {
    .name = "aioread",
    .subsys = "paio",
    .fn = h_aioread,
    .nargs = 6,
    .arg = {SA_FD, SA_UPTR, SA_INT, SA_OFF, SA_WHENCE, SA_UPTR},
    .res = SA_INT,
};

int simk_aioread(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		 simk_uaddr_t resultp)
{
	const int64_t a[] = {(int64_t)fd,     (int64_t)buf,    (int64_t)bufsz,
			     (int64_t)offset, (int64_t)whence, (int64_t)resultp};
	return (int)syscall_invoke(&desc_aioread, a);
}

static int64_t h_aiowrite(const int64_t *a)
{
	return sys_aiowrite((int)a[0], (uaddr_t)a[1], (int)a[2], (int64_t)a[3], (int)a[4],
			    (uaddr_t)a[5]);
}

static const struct syscall_desc desc_aiowrite = {
    .name = "aiowrite",
    .subsys = "paio",
    .fn = h_aiowrite,
    .nargs = 6,
    .arg = {SA_FD, SA_UPTR, SA_INT, SA_OFF, SA_WHENCE, SA_UPTR},
    .res = SA_INT,
};

int simk_aiowrite(int fd, simk_uaddr_t buf, int bufsz, int64_t offset, int whence,
		  simk_uaddr_t resultp)
{
	const int64_t a[] = {(int64_t)fd,     (int64_t)buf,    (int64_t)bufsz,
			     (int64_t)offset, (int64_t)whence, (int64_t)resultp};
	return (int)syscall_invoke(&desc_aiowrite, a);
}

static int64_t h_aiocancel(const int64_t *a)
{
	return sys_aiocancel((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aiocancel = {
    .name = "aiocancel",
    .subsys = "paio",
    .fn = h_aiocancel,
    .nargs = 1,
    .arg = {SA_UPTR},
    .res = SA_INT,
};

int simk_aiocancel(simk_uaddr_t resultp)
{
	const int64_t a[] = {(int64_t)resultp};
	return (int)syscall_invoke(&desc_aiocancel, a);
}

static int64_t h_aiowait(const int64_t *a)
{
	return sys_aiowait((uaddr_t)a[0]);
}

static const struct syscall_desc desc_aiowait = {
    .name = "aiowait",
    .subsys = "paio",
    .fn = h_aiowait,
    .nargs = 1,
    .arg = {SA_UTIMESPEC},
    .res = SA_UPTR,
};

int64_t simk_aiowait(simk_uaddr_t timeout)
{
	const int64_t a[] = {(int64_t)timeout};
	return syscall_invoke(&desc_aiowait, a);
}

static const struct syscall_desc *const paio_syscall_table[] = {
    &desc_aio_read,   &desc_aio_write,	 &desc_aio_fsync,  &desc_aio_error, &desc_aio_return,
    &desc_aio_cancel, &desc_aio_suspend, &desc_lio_listio, &desc_aio_waitn, &desc_aioread,
    &desc_aiowrite,   &desc_aiocancel,	 &desc_aiowait,
};

void paio_syscalls_register(void)
{
	syscall_register_table(paio_syscall_table,
			       (int)(sizeof(paio_syscall_table) / sizeof(paio_syscall_table[0])));
}
