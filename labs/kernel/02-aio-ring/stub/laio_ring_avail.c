/*
 * Lab 02, part 1 (README.md, "Room in the ring"): how many events the
 * kernel may still post into a ring of nr slots whose consumer is at
 * head and whose producer is at tail. One slot always stays empty, so
 * that head == tail means "empty" and never "full". head comes from user
 * memory: never trust it. tail is the kernel's own (< nr).
 */
uint32_t laio_ring_avail(uint32_t nr, uint32_t head, uint32_t tail)
{
	(void)nr;
	(void)head;
	(void)tail;
	return 0; /* TODO (lab 02): with 0, io_submit always says EAGAIN */
}
