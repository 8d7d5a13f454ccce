/*
 * Linux AIO: io_submit — decoding and checking iocbs, admitting requests
 * against the ring, choosing how each one runs, and the retry methods.
 *
 * How a request runs depends on its file:
 *  - O_DIRECT files whose type accepts kaio requests: the retry method
 *    hands the transfer to the file (and so to the block device) and
 *    returns -EIOCBQUEUED; the device's interrupt completes the request.
 *    Cancellable until the file says it reached the device.
 *  - Pipes and sockets: non-blocking attempts. When the file has nothing
 *    to give (or no room), the retry listens for readiness and returns
 *    -EIOCBRETRY; a kick brings it back (laio_retry.c). Partial
 *    writes are retried until everything is written; a read completes
 *    with what it got, as read(2) on a pipe does. Cancellable while not
 *    running.
 *  - Other (buffered) files: the transfer runs inline, in the submitter,
 *    and may sleep on the buffer cache. Partial reads are retried until
 *    the request is satisfied or the file ends. Not cancellable.
 * A write whose retry fails after some bytes went out (ENOSPC, EFBIG,
 * EPIPE) completes with the bytes written, never with that error.
 *
 * The admission rule, from the reference: a request is created only while
 * the requests holding a ring slot (reqs_active) are fewer than the free
 * slots of the ring, so every completion has room for its event.
 */
#include <errno.h>
#include <limits.h>

#include "syscalls/eventfd/eventfd.h"
#include "syscalls/linux_aio/laio_priv.h"

struct kmem_type laio_kt_req = {"laio.kiocb", -1};
struct kmem_type laio_kt_iov = {"laio.iovec", -1};

/* x86-64 TASK_SIZE: what access_ok() checks (range only, not mapping). */
#define LAIO_USER_TOP (1ULL << 47)

static bool access_ok(uaddr_t addr, uint64_t len)
{
	if (len == 0)
		return true;
	return addr + len >= addr && addr + len <= LAIO_USER_TOP;
}

/* ---- requests ---------------------------------------------------------------- */

/* One attempt at a request with a free ring slot; NULL when the ring is
 * full or the allocation failed. Returns with two references: the I/O's
 * and the submitter's. */
static struct laio_req *get_req_once(struct laio_ctx *ctx)
{
	struct laio_sys *ls = laio_sys();
	struct laio_req *req = kmem_zalloc(&laio_kt_req, sizeof(*req));
	if (req == NULL)
		return NULL;
	req->ctx = ctx;
	req->users = 2;
	req->key = KIOCB_KEY;
	list_init(&req->link);
	list_init(&req->run_link);
	bool admitted = false;
	spin_lock(&ctx->lock);
	struct aio_ring *ring = laio_ring(ctx);
	uint32_t avail = laio_ring_avail(ctx->ring_nr, ring->head, ctx->tail);
	if ((uint32_t)ctx->reqs_active < avail) {
		list_push_front(&ctx->active_reqs, &req->link);
		ctx->reqs_active++;
		ls->st.reqs_live++; /* with reqs_active: laio_check adds them up */
		laio_get_ctx(ctx);
		admitted = true;
	}
	spin_unlock(&ctx->lock);
	if (!admitted) {
		kmem_free(&laio_kt_req, req);
		trace_emit(TR_INFO, "laio:ring_full", (int64_t)ctx->id, ctx->reqs_active, avail, 0);
		return NULL;
	}
	req->seq = ++ls->next_req_seq;
	return req;
}

/* Linux aio_get_req: a request whose file was the last thing keeping a
 * slot busy may be waiting for the fput work; run it here and try again. */
static struct laio_req *get_req(struct laio_ctx *ctx)
{
	struct laio_req *req = get_req_once(ctx);
	if (req == NULL) {
		laio_fput_routine(NULL);
		req = get_req_once(ctx);
	}
	return req;
}

/* ---- retry methods ------------------------------------------------------------- */

static bool is_fifo(const struct file *fp)
{
	return fp->type == FT_PIPE || fp->type == FT_SOCKET;
}

static bool is_read(const struct laio_req *req)
{
	return req->opcode == IOCB_CMD_PREAD || req->opcode == IOCB_CMD_PREADV;
}

/* Skips the vectors uiomove emptied. */
static void advance_segs(struct laio_req *req)
{
	while (req->cur_seg < req->nr_segs && req->iov[req->cur_seg].len == 0)
		req->cur_seg++;
}

/* Reads or writes what it can now, from where the request stands. */
ssize_t laio_retry_rw(struct laio_req *req)
{
	struct file *fp = req->filp;
	bool rd = is_read(req);
	bool fifo = is_fifo(fp);
	bool seekable = fp->ops->seek != NULL;
	int ioflags = seekable ? IOF_EXPLICIT : IOF_NONBLOCK;
	ssize_t ret;
	for (int bound = 0;; bound++) {
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "aio transfer makes no progress");
		advance_segs(req);
		struct uio u = {
		    .proc = req->ctx->proc,
		    .seg = UIO_USERSPACE,
		    .rw = rd ? UIO_READ : UIO_WRITE,
		    .iov = req->iov + req->cur_seg,
		    .iovcnt = req->nr_segs - req->cur_seg,
		    .offset = req->pos,
		    .resid = req->left,
		};
		ret = rd ? file_read(fp, &u, ioflags) : file_write(fp, &u, ioflags);
		if (ret > 0) {
			KASSERT((size_t)ret <= req->left,
				"file op moved %zu bytes but returned %zd", req->left - u.resid,
				ret);
			KASSERT(u.resid == req->left - (size_t)ret,
				"file op moved %zu bytes but returned %zd", req->left - u.resid,
				ret);
			req->left -= (size_t)ret;
			req->pos += ret;
		}
		/* retry every partial write; partial reads unless on a pipe */
		if (!(ret > 0 && req->left > 0 && (!rd || !fifo)))
			break;
	}
	if (ret == -EAGAIN && fifo && !(fp->flags & O_NONBLOCK))
		ret = laio_wait_ready(req, rd ? (POLLIN | POLLRDNORM) : (POLLOUT | POLLWRNORM));
	if (ret == 0 || req->left == 0)
		ret = (ssize_t)(req->nbytes - req->left);
	/* A write cut short (no space, the file-size limit, a reader gone)
	 * completes with what it wrote, as pwrite(2) does, not with the error
	 * the retry of the rest met (the reference says so in these words). */
	if (!rd && ret < 0 && ret != -EIOCBRETRY && ret != -EIOCBQUEUED && req->nbytes > req->left)
		ret = (ssize_t)(req->nbytes - req->left);
	return ret;
}

static ssize_t retry_fsync(struct laio_req *req)
{
	return file_fsync(req->filp, req->opcode == IOCB_CMD_FDSYNC);
}

/* Interrupt context (or the cancel call): the file finished the transfer. */
static void kaio_done(struct kaio_req *kr, ssize_t res)
{
	laio_complete(kr->priv, res);
}

/* Hands the request to the file (O_DIRECT). */
static ssize_t retry_kaio(struct laio_req *req)
{
	struct kaio_req *kr = &req->kreq;
	bool sync = req->opcode == IOCB_CMD_FSYNC || req->opcode == IOCB_CMD_FDSYNC;
	advance_segs(req);
	*kr = (struct kaio_req){
	    .op = sync ? (req->opcode == IOCB_CMD_FSYNC ? KAIO_FSYNC : KAIO_FDSYNC)
		       : (is_read(req) ? KAIO_READ : KAIO_WRITE),
	    .proc = req->ctx->proc,
	    .iov = sync ? NULL : req->iov + req->cur_seg,
	    .iovcnt = sync ? 0 : req->nr_segs - req->cur_seg,
	    .offset = req->pos,
	    .done = kaio_done,
	    .priv = req,
	};
	int r = file_aio_submit(req->filp, kr);
	if (r == 0) {
		/* done() is never called from inside aio_submit: still ours */
		struct laio_ctx *ctx = req->ctx;
		spin_lock(&ctx->lock);
		KASSERT(!req->completed, "kaio completed inside aio_submit");
		req->cancel = laio_cancel_kaio;
		spin_unlock(&ctx->lock);
		/* ties the request to the file's own (dio#N): the trace's causal
		 * chain goes on through the device and back (docs/tracing.md) */
		if (kr->id != 0)
			trace_emit(TR_INFO, "laio:dio", (int64_t)req->seq, (int64_t)kr->id, 0, 0);
		return -EIOCBQUEUED;
	}
	if (r == -EOPNOTSUPP) {
		req->retry = sync ? retry_fsync : laio_retry_rw;
		return req->retry(req);
	}
	return r;
}

/* ---- decoding ----------------------------------------------------------------------- */

static void setup_single_vector(struct laio_req *req)
{
	req->inline_vec.base = req->buf;
	req->inline_vec.len = req->left;
	req->iov = &req->inline_vec;
	req->nr_segs = 1;
	req->cur_seg = 0;
}

/* PREADV/PWRITEV: aio_buf is the iovec array, aio_nbytes their number. */
static int setup_vectored(struct laio_req *req)
{
	uint64_t nr_segs = req->nbytes;
	if (nr_segs > LAIO_UIO_MAXIOV)
		return -EINVAL;
	req->nr_segs = (int)nr_segs;
	req->cur_seg = 0;
	if (nr_segs <= 1) {
		req->iov = &req->inline_vec;
		req->inline_vec.base = 0;
		req->inline_vec.len = 0;
	} else {
		req->iov = kmem_alloc(&laio_kt_iov, nr_segs * sizeof(*req->iov));
		if (req->iov == NULL)
			return -ENOMEM;
	}
	uint64_t total = 0;
	for (uint64_t i = 0; i < nr_segs; i++) {
		struct laio_iovec v;
		if (copyin(req->buf + i * sizeof(v), &v, sizeof(v)) != 0)
			return -EFAULT;
		if ((int64_t)v.iov_len < 0 || total + v.iov_len < total ||
		    (int64_t)(total + v.iov_len) < 0)
			return -EINVAL;
		if (!access_ok(v.iov_base, v.iov_len))
			return -EFAULT;
		req->iov[i].base = v.iov_base;
		req->iov[i].len = v.iov_len;
		total += v.iov_len;
	}
	req->nbytes = req->left = total;
	return 0;
}

static bool type_does_rw(const struct file *fp)
{
	return fp->type == FT_REGULAR || fp->type == FT_PIPE || fp->type == FT_SOCKET;
}

static bool type_does_fsync(const struct file *fp)
{
	return fp->type == FT_REGULAR || fp->type == FT_DIR;
}

static bool uses_kaio(const struct file *fp)
{
	return (fp->flags & O_DIRECT) && fp->ops->aio_submit != NULL;
}

/* Linux aio_setup_iocb: the checks of each opcode and its retry method. */
static int setup_iocb(struct laio_req *req)
{
	struct file *fp = req->filp;
	int r;
	switch (req->opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PWRITE: {
		bool rd = req->opcode == IOCB_CMD_PREAD;
		if (rd ? !file_readable(fp) : !file_writable(fp))
			return -EBADF;
		if (!access_ok(req->buf, req->left))
			return -EFAULT;
		setup_single_vector(req);
		if (type_does_rw(fp) && (rd ? fp->ops->read : fp->ops->write) != NULL)
			req->retry = laio_retry_rw;
		break;
	}
	case IOCB_CMD_PREADV:
	case IOCB_CMD_PWRITEV: {
		bool rd = req->opcode == IOCB_CMD_PREADV;
		if (rd ? !file_readable(fp) : !file_writable(fp))
			return -EBADF;
		r = setup_vectored(req);
		if (r != 0)
			return r;
		if (type_does_rw(fp) && (rd ? fp->ops->read : fp->ops->write) != NULL)
			req->retry = laio_retry_rw;
		break;
	}
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		if (type_does_fsync(fp))
			req->retry = retry_fsync;
		break;
	default:
		return -EINVAL;
	}
	if (req->retry == NULL)
		return -EINVAL;
	if (uses_kaio(fp))
		req->retry = retry_kaio;
	else if (is_fifo(fp) && req->retry == laio_retry_rw)
		req->cancel = laio_cancel_kicked;
	return 0;
}

/* Linux io_submit_one. ctx is held by the caller. */
static int submit_one(struct laio_ctx *ctx, uaddr_t user_iocb, const struct iocb *cb)
{
	struct simk_proc *p = ctx->proc;
	/* forwards compatibility: reserved fields must be zero */
	if (cb->aio_reserved1 != 0 || cb->aio_reserved2 != 0)
		return -EINVAL;
	/* overflows (the first two hold by construction on a 64-bit host) */
	if (cb->aio_buf != (uint64_t)(uintptr_t)cb->aio_buf ||
	    cb->aio_nbytes != (uint64_t)(size_t)cb->aio_nbytes || (int64_t)cb->aio_nbytes < 0)
		return -EINVAL;
	struct file *fp;
	if (cb->aio_fildes > INT_MAX || fd_get(p, (int)cb->aio_fildes, &fp) != 0)
		return -EBADF;
	struct laio_req *req = get_req(ctx);
	if (req == NULL) {
		file_put(fp);
		return -EAGAIN;
	}
	req->filp = fp;
	int ret = 0;
	if (cb->aio_flags & IOCB_FLAG_RESFD) {
		/* an eventfd, signalled once per completion */
		ret = cb->aio_resfd > INT_MAX ? -EBADF
					      : eventfd_fget(p, (int)cb->aio_resfd, &req->eventfd);
		if (ret != 0)
			goto out_put_req;
	}
	uint32_t key = req->key;
	if (copyout(&key, user_iocb + offsetof(struct iocb, aio_key), sizeof(key)) != 0) {
		ret = -EFAULT;
		goto out_put_req;
	}
	req->user_iocb = user_iocb;
	req->user_data = cb->aio_data;
	req->pos = cb->aio_offset;
	req->buf = cb->aio_buf;
	req->left = req->nbytes = cb->aio_nbytes;
	req->opcode = cb->aio_lio_opcode;
	ret = setup_iocb(req);
	if (ret != 0)
		goto out_put_req;

	spin_lock(&ctx->lock);
	req->submitted = true;
	laio_sys()->st.submitted++;
	trace_emit(TR_INFO, "laio:submit", (int64_t)req->seq, req->opcode, (int64_t)fp->id,
		   (int64_t)ctx->id);
	laio_run_iocb(req);
	for (int bound = 0; !list_empty(&ctx->run_list) && laio_run_iocbs_locked(ctx); bound++)
		KASSERT(bound < LAIO_DRAIN_ROUNDS_MAX, "aio run list keeps refilling");
	spin_unlock(&ctx->lock);
	laio_put_req(req); /* the submitter's reference */
	return 0;

out_put_req:
	trace_emit(TR_INFO, "laio:submit_fail", (int64_t)req->seq, ret, 0, (int64_t)ctx->id);
	laio_req_end(req, END_UNSUBMITTED);
	laio_put_req(req);
	laio_put_req(req);
	return ret;
}

long sys_io_submit(aio_context_t ctx_id, long nr, uaddr_t iocbpp)
{
	if (nr < 0)
		return -EINVAL;
	if ((uint64_t)nr > UINT64_MAX / sizeof(uint64_t) ||
	    !access_ok(iocbpp, (uint64_t)nr * sizeof(uint64_t)))
		return -EFAULT;
	struct laio_ctx *ctx = laio_lookup_ctx(sim_proc_current(), ctx_id);
	if (ctx == NULL)
		return -EINVAL;
	long i;
	int ret = 0;
	for (i = 0; i < nr; i++) {
		uint64_t user_iocb;
		struct iocb cb;
		if (copyin(iocbpp + (uaddr_t)i * sizeof(uint64_t), &user_iocb, sizeof(user_iocb)) !=
		    0) {
			ret = -EFAULT;
			break;
		}
		if (copyin(user_iocb, &cb, sizeof(cb)) != 0) {
			ret = -EFAULT;
			break;
		}
		ret = submit_one(ctx, user_iocb, &cb);
		if (ret != 0)
			break;
	}
	laio_put_ctx(ctx);
	return i > 0 ? i : ret;
}
