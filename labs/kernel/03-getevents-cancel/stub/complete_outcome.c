	/*
	 * Lab 03, part 3 (README.md, "Completion racing cancellation"):
	 * ctx->lock is held and req->res holds the result. Decide how the
	 * request ends, exactly once: an event in the ring (ring_post,
	 * END_EVENT), nothing because teardown cancelled it (END_TORN), or
	 * nothing yet because an io_cancel owns it and will hand the result
	 * over itself. TODO (lab 03): this always posts an event.
	 */
	ring_post(ctx, req, res);
	laio_req_end(req, END_EVENT);
