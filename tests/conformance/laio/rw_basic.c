/* io_setup, then one buffered write and one read of a regular file through
 * io_submit and io_getevents: each event carries the iocb's data, the iocb's
 * address in obj, the byte count in res and 0 in res2; io_submit wrote 0
 * into key (Linux KIOCB_KEY). io_destroy after, and a second io_destroy of
 * the same context is -EINVAL. */
#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(8, &ctx), 0);
	CHECK(ctx != NULL);

	int fd = open("/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	char out[100], in[100];
	for (int i = 0; i < 100; i++)
		out[i] = (char)('a' + i % 26);

	struct iocb w, *list[1] = {&w};
	io_prep_pwrite(&w, fd, out, sizeof(out), 10);
	w.data = (void *)0x1234;
	w.key = 77;
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(w.key, 0);
	struct io_event ev[2];
	CHECK_IS(io_getevents(ctx, 1, 2, ev, NULL), 1);
	CHECK(ev[0].data == (void *)0x1234);
	CHECK(ev[0].obj == &w);
	CHECK_IS(ev[0].res, 100);
	CHECK_IS(ev[0].res2, 0);

	struct iocb r;
	list[0] = &r;
	io_prep_pread(&r, fd, in, sizeof(in), 10);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK(ev[0].obj == &r);
	CHECK_IS(ev[0].res, 100);
	CHECK(memcmp(in, out, sizeof(in)) == 0);

	/* the file is 110 bytes: a read at 100 gets 10 */
	io_prep_pread(&r, fd, in, sizeof(in), 100);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS(ev[0].res, 10);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK_IS(io_destroy(ctx), -EINVAL);
	CHECK(close(fd) == 0);
	return 0;
}
