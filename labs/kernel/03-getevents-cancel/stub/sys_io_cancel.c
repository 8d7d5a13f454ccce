/*
 * Lab 03, part 2 (README.md, "io_cancel"): find the request (the iocb's
 * address and its aio_key, read from user memory; a submitted request not
 * yet completed, on ctx->active_reqs), take ownership of its cancellation
 * under ctx->lock (req->cancelled), hold a reference while you call its
 * cancel method without the lock, and either hand its result to the
 * caller (copyout to result, laio_req_end(req, END_CANCEL)) or, if the
 * method says -EAGAIN, give the ownership back so that its completion
 * posts the event. 0, -EAGAIN, -EINVAL or -EFAULT.
 */
int sys_io_cancel(aio_context_t ctx_id, uaddr_t iocb, uaddr_t result)
{
	(void)ctx_id;
	(void)iocb;
	(void)result;
	return -EAGAIN; /* TODO (lab 03): nothing can be cancelled */
}
