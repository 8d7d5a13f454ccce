/* argv[1] Linux AIO round trips through libaio: io_submit of one buffered
 * 4 KiB pwrite, then io_getevents of its event (the guest_laio benchmark's
 * program; 0 round trips measures the set-up alone). Built by simk-cc (the
 * guest) and by cc with the host's libaio (bench/native/). */
#include <fcntl.h>
#include <libaio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	const char *path = argc > 2 ? argv[2] : "/bench";
	io_context_t ctx = 0;
	if (io_setup(64, &ctx) != 0)
		return 1;
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		return 1;
	static char buf[4096];
	struct iocb cb, *list[1] = {&cb};
	io_prep_pwrite(&cb, fd, buf, sizeof(buf), 0);
	struct io_event ev;
	for (long i = 0; i < n; i++)
		if (io_submit(ctx, 1, list) != 1 || io_getevents(ctx, 1, 1, &ev, NULL) != 1 ||
		    ev.res != sizeof(buf))
			return 1;
	io_destroy(ctx);
	close(fd);
	return 0;
}
