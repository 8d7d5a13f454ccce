/*
 * POSIX AIO: the Solaris-native interface on aio_result_t — aioread and
 * aiowrite (here), aiocancel (paio_cancel.c), aiowait
 * (paio_wait.c).
 *
 * These requests share the pool, the hash (keyed by the aio_result_t
 * address), the kernel-async path and cancellation with POSIX requests,
 * but differ where Solaris libc aio.c makes them differ: the result is stored
 * error first, then the return value (aio_return stays AIO_INPROGRESS
 * until the request ends); there is no notification; an ended request
 * waits on the process's aiowait queue until aiowait hands out its
 * aio_result_t, and a canceled one is never handed out.
 *
 * The offset is resolved at submission: whence SEEK_SET takes it as is,
 * SEEK_CUR adds the file offset, SEEK_END the file size (the file offset
 * itself never moves).
 */
#include "syscalls/posix_aio/paio.h"

#include <errno.h>

#include "syscalls/posix_aio/paio_priv.h"
#include "vfs/vfs.h"

static int aiorw(int fd, uaddr_t buf, int bufsz, int64_t offset, int whence, uaddr_t resultp,
		 int op)
{
	struct simk_proc *p = sim_proc_current();
	if (resultp == 0 || umem_map_write(p, resultp, sizeof(struct simk_aio_result)) == NULL)
		return -EFAULT;
	if (bufsz < 0)
		return -EINVAL;
	struct file *fp;
	if (fd_get(p, fd, &fp) != 0)
		return -EBADF;
	int err = 0;
	int64_t off = offset;
	if (op == PAIO_OP_READ ? !file_readable(fp) : !file_writable(fp)) {
		err = EBADF;
	} else if (whence == SIMK_SEEK_CUR) {
		off = fp->offset + offset;
	} else if (whence == SIMK_SEEK_END) {
		struct simk_stat st = {0};
		if (fp->ops->stat != NULL)
			(void)fp->ops->stat(fp, &st);
		off = st.st_size + offset;
	} else if (whence != SIMK_SEEK_SET) {
		err = EINVAL;
	}
	if (err == 0 && off < 0)
		err = EINVAL;
	if (err == 0 && bufsz > 0 && !paio_buf_ok(p, op, buf, (size_t)bufsz))
		err = EFAULT;
	struct paio_proc *pp = NULL;
	if (err == 0 && (pp = paio_proc_of(p, true)) == NULL)
		err = EAGAIN;
	if (err == 0 && paio_claim_key(pp, resultp) != 0)
		err = EINVAL; /* Solaris libc aio.c: the hash insert fails */
	struct paio_req *r = NULL;
	if (err == 0 && (r = paio_req_alloc(pp)) == NULL)
		err = EAGAIN;
	if (err != 0) {
		file_put(fp);
		return -err;
	}
	r->api = PAIO_API_SOLARIS;
	r->op = op;
	r->key = resultp;
	r->resultp = resultp;
	r->fd = fd;
	r->fp = fp;
	r->buf = buf;
	r->nbytes = (uint64_t)bufsz;
	r->offset = off;
	r->explicit_off = true;
	r->sigev = SIMK_SIGEV_NONE;
	/* aio_errno is 0 while pending; aio_return says AIO_INPROGRESS */
	paio_store_result(p, resultp, AIO_INPROGRESS, 0);
	int rc = paio_submit_req(pp, r);
	if (rc != 0) {
		paio_req_discard(r);
		return rc == -EALREADY ? -EINVAL : rc;
	}
	return 0;
}

int sys_aioread(int fd, uaddr_t buf, int bufsz, int64_t offset, int whence, uaddr_t resultp)
{
	return aiorw(fd, buf, bufsz, offset, whence, resultp, PAIO_OP_READ);
}

int sys_aiowrite(int fd, uaddr_t buf, int bufsz, int64_t offset, int whence, uaddr_t resultp)
{
	return aiorw(fd, buf, bufsz, offset, whence, resultp, PAIO_OP_WRITE);
}
