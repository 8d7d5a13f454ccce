/* The system-wide limit of Linux AIO (fs.aio-max-nr, 65536 by default):
 * io_setup of more events than the limit is -EAGAIN, and so is one that
 * would take the sum of the live contexts' sizes (fs.aio-nr) past it;
 * destroying a context gives its share back. Sizes so large that the
 * ring or the requests would overflow Linux 2.6's 0x10000000-byte checks
 * are -EINVAL before the limit is looked at (LTP io_setup01's "nr_events
 * too big" case). */
#include "laio_test.h"

int main(void)
{
	io_context_t a = 0, b = 0, c = 0;
	CHECK_IS(io_setup(65537, &a), -EAGAIN);
	CHECK_IS(io_setup(0x10000000 / 256 + 1, &a), -EINVAL);
	CHECK_IS(io_setup(0x7fffffff, &a), -EINVAL);
	CHECK(a == NULL);

	CHECK_IS(io_setup(40000, &a), 0);
	CHECK_IS(io_setup(30000, &b), -EAGAIN);
	CHECK(b == NULL);
	CHECK_IS(io_setup(25536, &b), 0);
	CHECK_IS(io_setup(1, &c), -EAGAIN);
	CHECK_IS(io_destroy(a), 0);
	CHECK_IS(io_setup(30000, &c), 0);
	CHECK_IS(io_destroy(b), 0);
	CHECK_IS(io_destroy(c), 0);

	/* many small contexts, each usable on its own */
	io_context_t many[64] = {0};
	for (int i = 0; i < 64; i++)
		CHECK_IS(io_setup(16, &many[i]), 0);
	for (int i = 0; i < 64; i++)
		for (int j = i + 1; j < 64; j++)
			CHECK(many[i] != many[j]);
	for (int i = 63; i >= 0; i--)
		CHECK_IS(io_destroy(many[i]), 0);
	return 0;
}
