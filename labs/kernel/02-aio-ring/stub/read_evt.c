/*
 * Lab 02, part 3 (README.md, "The consumer"): io_getevents takes one
 * event off the ring into *ent: 1, or 0 when the ring is empty. The head
 * lives in user memory (laio_ring(ctx)->head): user space may move it
 * itself (io_reap) or write nonsense into it, so take it modulo
 * ctx->ring_nr, compare it with the kernel's trusted ctx->tail, and move
 * it on (wrapping) under ctx->lock.
 */
static int read_evt(struct laio_ctx *ctx, struct io_event *ent)
{
	(void)ctx;
	(void)ent;
	return 0; /* TODO (lab 02): the ring always looks empty */
}
