/*
 * Lab 02, part 2 (README.md, "The producer"): called with ctx->lock held,
 * from whatever context the request completed in (often an interrupt).
 * Write req's event (obj = req->user_iocb, data = req->user_data, res,
 * res2 = 0) into the slot at the tail (laio_ring_event), then publish it by
 * moving the tail one slot on, wrapping at ctx->ring_nr: in the trusted
 * copy ctx->tail and in the ring header that user space reads
 * (laio_ring(ctx)->tail). Keep the trace line: tests and teachers read it.
 */
static void ring_post(struct laio_ctx *ctx, struct laio_req *req, int64_t res)
{
	(void)req;
	(void)res;
	trace_emit(TR_INFO, "laio:event", 0, 0, ctx->tail, (int64_t)ctx->id);
	/* TODO (lab 02): the event is lost */
}
