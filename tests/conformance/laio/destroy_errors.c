/* Contexts that are not (or no longer) contexts, as LTP io_destroy01/02
 * and libaio's BAD_CTX check them: io_destroy of an all-ones handle, of
 * NULL, of a pointer to ordinary memory and of a context already
 * destroyed is -EINVAL; so are io_submit, io_getevents and io_cancel on
 * such a handle (Linux lookup_ioctx finds nothing). */
#include "laio_test.h"

int main(void)
{
	io_context_t all_ones;
	memset(&all_ones, 0xff, sizeof(all_ones));
	long local = 0;
	io_context_t bogus[] = {all_ones, NULL, (io_context_t)&local, (io_context_t)0x10000};
	int fd = open("/d", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	char buf[8] = "abcdefg";
	struct iocb cb, *list[1] = {&cb};
	struct io_event ev;
	struct timespec zero = {0, 0};
	for (unsigned i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		CHECK_IS(io_destroy(bogus[i]), -EINVAL);
		io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
		CHECK_IS(io_submit(bogus[i], 1, list), -EINVAL);
		CHECK_IS(io_submit(bogus[i], 0, NULL), -EINVAL);
		CHECK_IS(io_getevents(bogus[i], 0, 1, &ev, &zero), -EINVAL);
		CHECK_IS(io_cancel(bogus[i], &cb, &ev), -EINVAL);
	}
	CHECK_IS(local, 0);

	io_context_t ctx = 0;
	CHECK_IS(io_setup(4, &ctx), 0);
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_destroy(ctx), 0);
	CHECK_IS(io_destroy(ctx), -EINVAL);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	CHECK_IS(io_getevents(ctx, 0, 1, &ev, &zero), -EINVAL);
	CHECK_IS(io_queue_run(ctx), -EINVAL);
	CHECK_IS(io_queue_release(ctx), -EINVAL);
	/* the write went through before the context went away */
	char back[8] = {0};
	CHECK(pread(fd, back, sizeof(back), 0) == 8 && memcmp(back, buf, 8) == 0);
	CHECK(close(fd) == 0);
	return 0;
}
