/* IO_CMD_FSYNC and IO_CMD_FDSYNC (io_prep_fsync, io_prep_fdsync) complete
 * with res 0 on a regular file and on a directory; on a pipe or an
 * eventfd, which have no fsync, io_submit is -EINVAL (Linux 2.6
 * aio_setup_iocb: no aio_fsync method). An fsync submitted after writes
 * completes after them: every write's event comes first. simk runs
 * FSYNC/FDSYNC inline on regular files and directories, where most 2.6
 * filesystems had no aio_fsync and answered -EINVAL (docs/laio.md,
 * "Where simk differs"). */
#include <sys/eventfd.h>

#include "laio_test.h"

int main(void)
{
	io_context_t ctx = 0;
	CHECK_IS(io_setup(16, &ctx), 0);
	int fd = open("/s", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0);
	char buf[4][512];
	struct iocb cb[6], *list[6];
	for (int i = 0; i < 4; i++) {
		memset(buf[i], 'a' + i, sizeof(buf[i]));
		io_prep_pwrite(&cb[i], fd, buf[i], 512, 512 * i);
		list[i] = &cb[i];
	}
	io_prep_fsync(&cb[4], fd);
	io_prep_fdsync(&cb[5], fd);
	CHECK_IS(cb[4].aio_lio_opcode, IO_CMD_FSYNC);
	CHECK_IS(cb[5].aio_lio_opcode, IO_CMD_FDSYNC);
	list[4] = &cb[4];
	list[5] = &cb[5];
	CHECK_IS(io_submit(ctx, 6, list), 6);
	struct io_event ev[6];
	CHECK_IS(io_getevents(ctx, 6, 6, ev, NULL), 6);
	for (int i = 0; i < 6; i++) {
		CHECK(ev[i].obj == &cb[i]);
		CHECK_IS(ev[i].res, i < 4 ? 512 : 0);
	}

	int dir = open("/", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	io_prep_fsync(&cb[0], dir);
	CHECK_IS(io_submit(ctx, 1, list), 1);
	CHECK_IS(io_getevents(ctx, 1, 1, ev, NULL), 1);
	CHECK_IS(ev[0].res, 0);

	int p[2];
	CHECK(pipe(p) == 0);
	io_prep_fsync(&cb[0], p[1]);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	int efd = eventfd(0, 0);
	io_prep_fdsync(&cb[0], efd);
	CHECK_IS(io_submit(ctx, 1, list), -EINVAL);
	io_prep_fsync(&cb[0], 55);
	CHECK_IS(io_submit(ctx, 1, list), -EBADF);

	CHECK_IS(io_destroy(ctx), 0);
	CHECK(close(fd) == 0 && close(dir) == 0 && close(p[0]) == 0 && close(p[1]) == 0);
	CHECK(close(efd) == 0);
	return 0;
}
